//! A tiny HTTP/1.1 server on 127.0.0.1:0 (the crate's own, [`oauthctl::httpd`]) that
//! answers each path with a canned response and counts requests. For the hostile and odd
//! cases a real server never produces.

use std::collections::HashMap;
use std::convert::Infallible;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};
use std::time::Duration;

use bytes::Bytes;
use http_body::{Frame, SizeHint};
use oauthctl::httpd::{self, Body, Limits, Options, Server};

/// A canned response.
#[derive(Clone, Debug)]
pub struct Canned {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
    /// Sends the body one byte at a time, with this pause before each byte.
    pub trickle: Option<Duration>,
}

impl Canned {
    /// `200` with a JSON body.
    pub fn json(body: impl Into<Vec<u8>>) -> Self {
        Self {
            status: 200,
            headers: vec![("Content-Type".into(), "application/json".into())],
            body: body.into(),
            trickle: None,
        }
    }

    /// Any status with a JSON body.
    pub fn status(status: u16, body: impl Into<Vec<u8>>) -> Self {
        Self {
            status,
            ..Self::json(body)
        }
    }

    /// Adds a header.
    pub fn header(mut self, name: &str, value: &str) -> Self {
        self.headers.push((name.into(), value.into()));
        self
    }

    /// Sends the head at once, then the body a byte every `pause` (a server that is slow,
    /// but never silent for long).
    pub fn trickled(mut self, pause: Duration) -> Self {
        self.trickle = Some(pause);
        self
    }
}

impl Seen {
    /// A request header by case-insensitive name.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// A recorded request.
#[derive(Clone, Debug)]
pub struct Seen {
    pub method: String,
    pub path: String,
    /// The query string, if any.
    pub query: Option<String>,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

/// Per path, the responses still to give; the last one repeats.
type Routes = Arc<Mutex<HashMap<String, Vec<Canned>>>>;

/// The running stub; stops on drop.
pub struct Stub {
    pub base: String,
    routes: Routes,
    seen: Arc<Mutex<Vec<Seen>>>,
    port: u16,
    _server: Server,
}

impl Stub {
    /// Starts a stub with no routes (every path answers 404).
    pub fn start() -> Self {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind stub");
        let port = listener.local_addr().expect("addr").port();
        let routes: Routes = Arc::default();
        let seen: Arc<Mutex<Vec<Seen>>> = Arc::default();
        let (r, s) = (routes.clone(), seen.clone());
        let handler: httpd::Handler = Arc::new(move |req, _: &httpd::Peer| answer(req, &r, &s));
        let options = Options {
            limits: Limits {
                max_body: 1024 * 1024,
                // Trickled answers take their time.
                body_timeout: Duration::from_secs(60),
                ..Limits::default()
            },
            name: "stub",
            // A canned answer carries a `Date` only when it says so.
            date: false,
            // It plays an HTTP proxy, too.
            absolute_form: true,
            tls: None,
        };
        let server = Server::start(listener, options, handler).expect("start stub");
        Self {
            base: format!("http://127.0.0.1:{port}"),
            routes,
            seen,
            port,
            _server: server,
        }
    }

    /// The port.
    pub fn port(&self) -> u16 {
        self.port
    }

    /// Answers `path` with `response`.
    pub fn route(&self, path: &str, response: Canned) -> &Self {
        self.sequence(path, vec![response])
    }

    /// Answers `path` with these responses in turn, repeating the last one.
    pub fn sequence(&self, path: &str, responses: Vec<Canned>) -> &Self {
        assert!(!responses.is_empty());
        self.routes
            .lock()
            .expect("routes")
            .insert(path.to_owned(), responses);
        self
    }

    /// The requests that reached `path`.
    pub fn seen(&self, path: &str) -> Vec<Seen> {
        self.requests()
            .into_iter()
            .filter(|s| s.path == path)
            .collect()
    }

    /// `base + path`.
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// How many requests reached `path`.
    pub fn hits(&self, path: &str) -> usize {
        self.seen
            .lock()
            .expect("seen")
            .iter()
            .filter(|s| s.path == path)
            .count()
    }

    /// Every request so far.
    pub fn requests(&self) -> Vec<Seen> {
        self.seen.lock().expect("seen").clone()
    }
}

/// Records the request and answers with the path's next canned response; every answer
/// closes its connection.
fn answer(req: httpd::Request, routes: &Routes, seen: &Arc<Mutex<Vec<Seen>>>) -> httpd::Response {
    let (parts, body) = req.into_parts();
    // A proxied request names the absolute URL, which is what it is routed by.
    let path = match (parts.uri.scheme(), parts.uri.authority()) {
        (Some(scheme), Some(authority)) => format!("{scheme}://{authority}{}", parts.uri.path()),
        _ => parts.uri.path().to_owned(),
    };
    seen.lock().expect("seen").push(Seen {
        method: parts.method.as_str().to_owned(),
        path: path.clone(),
        query: parts.uri.query().map(str::to_owned),
        headers: parts
            .headers
            .iter()
            .map(|(k, v)| {
                (
                    k.as_str().to_owned(),
                    String::from_utf8_lossy(v.as_bytes()).into_owned(),
                )
            })
            .collect(),
        body: body.to_vec(),
    });
    let canned = {
        let mut routes = routes.lock().expect("routes");
        match routes.get_mut(&path) {
            Some(list) if list.len() > 1 => list.remove(0),
            Some(list) => list[0].clone(),
            None => Canned::status(404, "{\"error\":\"not_found\"}"),
        }
    };
    let body = match canned.trickle {
        None => Body::from(canned.body),
        Some(pause) => Body::stream(Trickle::new(canned.body, pause)),
    };
    let mut resp = httpd::Response::new(body);
    *resp.status_mut() = http::StatusCode::from_u16(canned.status).expect("a status");
    for (k, v) in &canned.headers {
        resp.headers_mut().append(
            http::HeaderName::from_bytes(k.as_bytes()).expect("a header name"),
            http::HeaderValue::from_str(v).expect("a header value"),
        );
    }
    resp.headers_mut().insert(
        http::header::CONNECTION,
        http::HeaderValue::from_static("close"),
    );
    resp
}

/// A body sent one byte at a time, with `pause` before each (its length is announced). The
/// server polls it on the connection's own thread, so it simply sleeps there.
struct Trickle {
    bytes: Bytes,
    pause: Duration,
}

impl Trickle {
    fn new(bytes: Vec<u8>, pause: Duration) -> Self {
        Self {
            bytes: bytes.into(),
            pause,
        }
    }
}

impl http_body::Body for Trickle {
    type Data = Bytes;
    type Error = Infallible;

    fn poll_frame(
        self: Pin<&mut Self>,
        _cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, Infallible>>> {
        let this = self.get_mut();
        if this.bytes.is_empty() {
            return Poll::Ready(None);
        }
        std::thread::sleep(this.pause);
        Poll::Ready(Some(Ok(Frame::data(this.bytes.split_to(1)))))
    }

    fn is_end_stream(&self) -> bool {
        self.bytes.is_empty()
    }

    fn size_hint(&self) -> SizeHint {
        SizeHint::with_exact(self.bytes.len() as u64)
    }
}
