//! The dev server on the crate's HTTP server ([`crate::httpd`]): a request that passed the
//! server's checks becomes a `wire::Req` (method in upper case, target split into path and
//! query at the first `?`, the headers and body handed over as received, the peer's address
//! and TLS client certificates), and the router's `wire::Resp` becomes the answer (its
//! headers were checked as they were added).

use std::borrow::Cow;

use super::wire::{Req, Resp};
use crate::httpd::{Body, Peer, Request, Response};

/// The methods named in upper case without an allocation; any other is upper-cased.
const METHODS: [&str; 9] = [
    "GET", "POST", "HEAD", "PUT", "DELETE", "OPTIONS", "PATCH", "TRACE", "CONNECT",
];

/// The handlers' view of a checked request.
pub(super) fn to_req(req: Request, peer: &Peer) -> Req {
    let (parts, body) = req.into_parts();
    let method = parts.method.as_str();
    let method = METHODS
        .into_iter()
        .find(|m| *m == method)
        .map_or_else(|| Cow::Owned(method.to_ascii_uppercase()), Cow::Borrowed);
    Req {
        method,
        path: parts.uri.path().to_owned(),
        query: parts.uri.query().unwrap_or_default().to_owned(),
        headers: parts.headers,
        body,
        peer: Some(peer.addr.ip()),
        peer_certs: peer.certificates.clone(),
    }
}

/// The answer to send for the router's `resp`.
pub(super) fn from_resp(resp: Resp) -> Response {
    let mut out = Response::new(Body::from(resp.body));
    *out.status_mut() =
        http::StatusCode::from_u16(resp.status).unwrap_or(http::StatusCode::INTERNAL_SERVER_ERROR);
    *out.headers_mut() = resp.headers;
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use http::header::HeaderName;

    #[test]
    fn requests_reach_the_handler_split_and_uppercased() {
        let peer = Peer {
            addr: "127.0.0.1:4000".parse().unwrap(),
            certificates: None,
        };
        let req = http::Request::builder()
            .method(http::Method::from_bytes(b"get").unwrap())
            .uri("/authorize?a=1?b")
            .header("X-A", "1")
            .body(bytes::Bytes::from_static(b"body"))
            .unwrap();
        let req = to_req(req, &peer);
        assert_eq!(req.method, "GET");
        assert_eq!(req.path, "/authorize");
        assert_eq!(req.query, "a=1?b");
        assert_eq!(req.header("x-a"), Some("1"));
        assert_eq!(&req.body[..], b"body");
        assert_eq!(req.peer, Some(peer.addr.ip()));
        let plain = to_req(
            http::Request::builder()
                .method(http::Method::from_bytes(b"M-Search").unwrap())
                .uri("/jwks")
                .body(bytes::Bytes::new())
                .unwrap(),
            &peer,
        );
        assert_eq!((plain.path.as_str(), plain.query.as_str()), ("/jwks", ""));
        assert_eq!(plain.method, "M-SEARCH");
    }

    #[test]
    fn unsendable_handler_headers_are_dropped() {
        let r = Resp::new(200)
            .with("X-Split", "a\r\nSet-Cookie: evil=1")
            .with("X-Lf", "a\nb")
            .with("X-Nul", "a\0b")
            .with("Bad Name", "v")
            .with("", "v")
            .with("X-Utf8", "caf\u{e9}")
            .with("X-Fine", " ok\tvalue ");
        let out = from_resp(r);
        let names: Vec<&str> = out.headers().keys().map(HeaderName::as_str).collect();
        assert_eq!(names, ["cache-control", "x-fine"], "{:?}", out.headers());
        assert_eq!(out.headers()["x-fine"], "ok\tvalue");
        assert_eq!(out.status(), 200);
    }
}
