//! The dev server on the crate's HTTP server ([`crate::httpd`]): a request that passed the
//! server's checks becomes a `wire::Req` (method in upper case, target split into path and
//! query at the first `?`, headers and body as received, the peer's address and TLS client
//! certificates), and the
//! router's `wire::Resp` becomes the answer, minus any header that is not a valid field name
//! and value of visible ASCII (so no value can split the response).

use http::header::{HeaderName, HeaderValue};

use super::wire::{Req, Resp};
use crate::httpd::{Body, PeerAddr, PeerCertificates, Request, Response};

/// The handlers' view of a checked request.
pub(super) fn to_req(req: Request) -> Req {
    let (parts, body) = req.into_parts();
    let peer = parts.extensions.get::<PeerAddr>().map(|p| p.0.ip());
    let headers = parts
        .headers
        .iter()
        .map(|(name, value)| {
            // The server accepts ASCII heads only, so every value is text.
            let value = value.to_str().unwrap_or_default();
            (name.as_str().to_owned(), value.to_owned())
        })
        .collect();
    Req {
        method: parts.method.as_str().to_ascii_uppercase(),
        path: parts.uri.path().to_owned(),
        query: parts.uri.query().unwrap_or_default().to_owned(),
        headers,
        body: Vec::from(body),
        peer,
        peer_certs: parts
            .extensions
            .get::<std::sync::Arc<PeerCertificates>>()
            .cloned(),
    }
}

/// The answer to send for the router's `resp`.
pub(super) fn from_resp(resp: Resp) -> Response {
    let mut out = Response::new(Body::from(resp.body));
    *out.status_mut() =
        http::StatusCode::from_u16(resp.status).unwrap_or(http::StatusCode::INTERNAL_SERVER_ERROR);
    let headers = out.headers_mut();
    for (name, value) in &resp.headers {
        let value = value.trim_matches([' ', '\t']);
        // Visible ASCII, spaces and tabs only: no CR or LF can split the head.
        if !value
            .bytes()
            .all(|b| b == b'\t' || (b' '..=b'~').contains(&b))
        {
            continue;
        }
        if let (Ok(name), Ok(value)) = (
            HeaderName::from_bytes(name.as_bytes()),
            HeaderValue::from_str(value),
        ) {
            headers.append(name, value);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn requests_reach_the_handler_split_and_uppercased() {
        let peer: std::net::SocketAddr = "127.0.0.1:4000".parse().unwrap();
        let mut req = http::Request::builder()
            .method(http::Method::from_bytes(b"get").unwrap())
            .uri("/authorize?a=1?b")
            .header("X-A", "1")
            .body(bytes::Bytes::from_static(b"body"))
            .unwrap();
        req.extensions_mut().insert(PeerAddr(peer));
        let req = to_req(req);
        assert_eq!(req.method, "GET");
        assert_eq!(req.path, "/authorize");
        assert_eq!(req.query, "a=1?b");
        assert_eq!(req.header("x-a"), Some("1"));
        assert_eq!(req.body, b"body");
        assert_eq!(req.peer, Some(peer.ip()));
        let plain = to_req(
            http::Request::builder()
                .uri("/jwks")
                .body(bytes::Bytes::new())
                .unwrap(),
        );
        assert_eq!((plain.path.as_str(), plain.query.as_str()), ("/jwks", ""));
        assert_eq!(plain.peer, None);
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
