//! The loopback redirect listener of a native app (RFC 8252 §7.3, §8.3): bound to
//! `127.0.0.1` (or `[::1]`) on an ephemeral port, it accepts exactly one authorization
//! response whose `state` matches and answers everything else without ending the flow.
//!
//! It runs on the crate's HTTP server ([`crate::httpd`]) with bounds of its own: the request
//! head is capped at 16 KiB (8 KiB for the request line) and 100 header lines, and each
//! connection gets 5 s in all to send it (one deadline from the connection's start, which a
//! client trickling a byte at a time cannot extend; then `408`). At most 32 connections wait
//! for their request head at once; a new connection beyond that closes the oldest waiting
//! one instead of being turned away. A slow or hostile client therefore can neither keep the
//! real callback out (a browser sends its request at once, so it is never the oldest
//! waiting connection for long) nor grow memory. Every answer closes its connection.

use std::io;
use std::net::{Ipv4Addr, Ipv6Addr, SocketAddr, TcpListener};
use std::sync::Arc;
use std::sync::mpsc;
use std::time::Duration;

use http::header::{self, HeaderValue};

use crate::httpd::{self, Body, Limits, Options, WhenFull};
use crate::oauth::callback::{self, Classified};
pub use crate::oauth::callback::{Callback, Expect};

/// The largest request head accepted.
pub const MAX_HEAD: usize = 16 * 1024;
/// The longest request line accepted.
pub const MAX_REQUEST_LINE: usize = 8 * 1024;
/// The most header lines accepted.
pub const MAX_HEADERS: usize = 100;
/// How long a connection may take to send its whole request head.
pub const READ_TIMEOUT: Duration = Duration::from_secs(5);
/// Connections waiting for their request head at once; the oldest is closed for a new one.
pub const MAX_CONNECTIONS: usize = 32;
/// The redirect path.
pub const CALLBACK_PATH: &str = "/callback";

/// Why waiting ended without a callback.
#[derive(Debug, thiserror::Error)]
pub enum WaitError {
    #[error("no authorization response arrived within {0:?}")]
    Timeout(Duration),
    #[error("the loopback listener failed: {0}")]
    Io(#[from] io::Error),
}

/// A bound listener.
#[derive(Debug)]
pub struct Listener {
    listener: TcpListener,
    addr: SocketAddr,
}

impl Listener {
    /// Binds `127.0.0.1:port` (port 0: an ephemeral one), or `[::1]:port` when IPv4 loopback
    /// is unavailable. Never a wildcard address.
    pub fn bind(port: u16) -> io::Result<Self> {
        let listener = match TcpListener::bind((Ipv4Addr::LOCALHOST, port)) {
            Ok(l) => l,
            Err(e) if e.kind() == io::ErrorKind::AddrNotAvailable => {
                TcpListener::bind((Ipv6Addr::LOCALHOST, port))?
            }
            Err(e) => return Err(e),
        };
        let addr = listener.local_addr()?;
        Ok(Self { listener, addr })
    }

    /// The bound address.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// `http://127.0.0.1:PORT/callback` (an IP literal, never `localhost`: RFC 8252 §8.3).
    pub fn redirect_uri(&self) -> String {
        format!("http://{}{CALLBACK_PATH}", self.authority())
    }

    fn authority(&self) -> String {
        match self.addr {
            SocketAddr::V4(a) => format!("127.0.0.1:{}", a.port()),
            SocketAddr::V6(a) => format!("[::1]:{}", a.port()),
        }
    }

    /// Waits until a callback ends the flow or `timeout` passes. The port is closed when
    /// this returns (the listener is consumed), after the answer that ended the flow has been
    /// written.
    pub fn wait(self, expect: &Expect, timeout: Duration) -> Result<Callback, WaitError> {
        let (tx, rx) = mpsc::channel::<Callback>();
        let authority = self.authority();
        let expect = expect.clone();
        let handler: httpd::Handler = Arc::new(move |req: httpd::Request| {
            let (reply, outcome) = evaluate(&req, &expect, &authority);
            if let Some(done) = outcome {
                let _ = tx.send(done);
            }
            reply.into_response()
        });
        let options = Options {
            threads: 1,
            name: "loopback",
            ..Options::new(limits())
        };
        let mut server = httpd::Server::start(self.listener, options, handler)?;
        let done = rx.recv_timeout(timeout);
        server.stop();
        match done {
            Ok(callback) => Ok(callback),
            Err(mpsc::RecvTimeoutError::Timeout) => Err(WaitError::Timeout(timeout)),
            Err(mpsc::RecvTimeoutError::Disconnected) => {
                Err(WaitError::Io(io::Error::other("the listener stopped")))
            }
        }
    }
}

/// The listener's bounds (see the module documentation).
pub fn limits() -> Limits {
    Limits {
        max_request_line: MAX_REQUEST_LINE,
        max_header_bytes: MAX_HEAD,
        max_head: MAX_HEAD,
        max_headers: MAX_HEADERS,
        // Nothing is ever posted here.
        max_body: 0,
        head_timeout: READ_TIMEOUT,
        head_timeout_from_connect: true,
        body_timeout: READ_TIMEOUT,
        idle_timeout: READ_TIMEOUT,
        max_connections: MAX_CONNECTIONS,
        when_full: WhenFull::CloseOldestWaiting,
    }
}

/// A response to write.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reply {
    pub status: u16,
    pub body: String,
}

impl Reply {
    /// The answer, with the page headers; the connection closes after it.
    fn into_response(self) -> httpd::Response {
        const HEADERS: &[(header::HeaderName, &str)] = &[
            (header::CONTENT_TYPE, "text/html; charset=utf-8"),
            (header::CACHE_CONTROL, "no-store"),
            (header::PRAGMA, "no-cache"),
            (header::REFERRER_POLICY, "no-referrer"),
            (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
            (header::X_FRAME_OPTIONS, "DENY"),
            (
                header::CONTENT_SECURITY_POLICY,
                "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'",
            ),
            (header::CONNECTION, "close"),
        ];
        let mut resp = httpd::Response::new(Body::from(self.body));
        *resp.status_mut() = http::StatusCode::from_u16(self.status)
            .unwrap_or(http::StatusCode::INTERNAL_SERVER_ERROR);
        for (name, value) in HEADERS {
            resp.headers_mut()
                .insert(name.clone(), HeaderValue::from_static(value));
        }
        resp
    }
}

fn reply(status: u16, message: &str) -> Reply {
    Reply {
        status,
        body: page("oauthctl", message),
    }
}

/// A minimal page: no scripts, no external resources, every value escaped.
fn page(title: &str, message: &str) -> String {
    format!(
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>{}</title></head>\
         <body style=\"font-family:sans-serif;margin:3em\"><h1>{}</h1><p>{}</p></body></html>\n",
        crate::text::sanitize::html(title),
        crate::text::sanitize::html(title),
        crate::text::sanitize::html(message)
    )
}

/// Decides what a request (which passed the server's checks) means for the flow. Pure, for
/// tests.
pub fn evaluate<B>(
    req: &http::Request<B>,
    expect: &Expect,
    authority: &str,
) -> (Reply, Option<Callback>) {
    let method = req.method();
    if method != http::Method::GET && method != http::Method::HEAD {
        return (reply(405, "Only GET is answered here."), None);
    }
    if req.uri().path() != CALLBACK_PATH {
        return (reply(404, "Nothing here."), None);
    }
    // DNS rebinding: a page on another origin can reach this port only under another name.
    let mut hosts = req.headers().get_all(header::HOST).iter();
    let host = match (hosts.next(), hosts.next()) {
        (Some(host), None) => host.to_str().ok(),
        _ => None,
    };
    if host != Some(authority) {
        return (reply(400, "Unexpected Host header."), None);
    }
    if method == http::Method::HEAD {
        return (reply(200, "Waiting for the authorization response."), None);
    }
    match callback::classify(req.uri().query().unwrap_or_default(), expect) {
        Classified::Ignore(message) => (reply(400, message), None),
        Classified::End(Callback::Code(code)) => (
            Reply {
                status: 200,
                body: page(
                    "Signed in",
                    "oauthctl received the authorization response. You can close this tab and \
                     return to the terminal.",
                ),
            },
            Some(Callback::Code(code)),
        ),
        Classified::End(Callback::Error(e)) => {
            let message =
                format!("The authorization server answered: {e}. Return to the terminal.");
            (reply(400, &message), Some(Callback::Error(e)))
        }
        Classified::End(Callback::Refused(why)) => {
            let message = format!("oauthctl refused this response: {why}. Return to the terminal.");
            (reply(400, &message), Some(Callback::Refused(why)))
        }
    }
}

#[cfg(test)]
mod tests;
