//! The loopback redirect listener of a native app (RFC 8252 §7.3, §8.3): bound on a loopback
//! address only (`127.0.0.1`, `[::1]`, or both on one port for a `localhost` redirect URI;
//! never a wildcard address) on an ephemeral port unless the redirect URI names one, it
//! accepts exactly one authorization response at the redirect URI's path whose `state`
//! matches, and answers everything else without ending the flow. While it waits, the address
//! the browser ended on may also be pasted (a login on another machine, over SSH): a pasted
//! address goes through the same classification as a request.
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
use std::time::{Duration, Instant};

use http::header::{self, HeaderValue};

use crate::httpd::{self, Body, Limits, Options, WhenFull};
use crate::oauth::callback::{self, Classified};
pub use crate::oauth::callback::{Callback, Expect};
use crate::oauth::redirect_uri::{LoopbackHost, RedirectUri};

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
/// The redirect path of the default redirect URI.
pub const CALLBACK_PATH: &str = "/callback";
/// How often a `localhost` listener tries another free port when the one IPv4 got is taken
/// on IPv6.
const BIND_ATTEMPTS: usize = 16;

/// Why waiting ended without a callback.
#[derive(Debug, thiserror::Error)]
pub enum WaitError {
    #[error("no authorization response arrived within {0:?}")]
    Timeout(Duration),
    #[error("the loopback listener failed: {0}")]
    Io(#[from] io::Error),
}

/// A bound listener: one socket, or two (IPv4 and IPv6 on the same port) for `localhost`.
#[derive(Debug)]
pub struct Listener {
    sockets: Vec<TcpListener>,
    port: u16,
    redirect: RedirectUri,
}

impl Listener {
    /// Binds for the default redirect URI: `127.0.0.1:port` (port 0: an ephemeral one), or
    /// `[::1]:port` when IPv4 loopback is unavailable. Never a wildcard address.
    pub fn bind(port: u16) -> io::Result<Self> {
        let (socket, redirect) = match TcpListener::bind((Ipv4Addr::LOCALHOST, port)) {
            Ok(l) => (l, RedirectUri::default_uri()),
            Err(e) if e.kind() == io::ErrorKind::AddrNotAvailable => (
                TcpListener::bind((Ipv6Addr::LOCALHOST, port))?,
                RedirectUri::parse("http://[::1]/callback")
                    .unwrap_or_else(|_| unreachable!("a valid redirect URI")),
            ),
            Err(e) => return Err(e),
        };
        let port = socket.local_addr()?.port();
        Ok(Self {
            sockets: vec![socket],
            port,
            redirect,
        })
    }

    /// Binds the addresses `redirect` names, on its port or an ephemeral one: `127.0.0.1`,
    /// `[::1]`, or for `localhost` both on the same port (either alone where the other
    /// family is unavailable).
    pub fn bind_for(redirect: &RedirectUri) -> io::Result<Self> {
        let port = redirect.port().unwrap_or(0);
        let sockets = match redirect.host() {
            LoopbackHost::Ipv4 => vec![TcpListener::bind((Ipv4Addr::LOCALHOST, port))?],
            LoopbackHost::Ipv6 => vec![TcpListener::bind((Ipv6Addr::LOCALHOST, port))?],
            LoopbackHost::Localhost => bind_both(port)?,
        };
        let port = sockets[0].local_addr()?.port();
        Ok(Self {
            sockets,
            port,
            redirect: redirect.clone(),
        })
    }

    /// The (first) bound address.
    pub fn addr(&self) -> SocketAddr {
        self.addrs()[0]
    }

    /// Every bound address.
    pub fn addrs(&self) -> Vec<SocketAddr> {
        self.sockets
            .iter()
            .filter_map(|s| s.local_addr().ok())
            .collect()
    }

    /// The port listened on.
    pub fn port(&self) -> u16 {
        self.port
    }

    /// The `redirect_uri` to send: the configured URI with the bound port (by default
    /// `http://127.0.0.1:PORT/callback`, an IP literal: RFC 8252 §8.3).
    pub fn redirect_uri(&self) -> String {
        self.redirect.for_port(self.port)
    }

    /// Starts answering requests; [`Waiting::wait`] then waits for the one that ends the
    /// flow.
    pub fn start(self, expect: &Expect) -> io::Result<Waiting> {
        let (tx, rx) = mpsc::channel::<Arrival>();
        let at = At {
            authorities: self.redirect.authorities(self.port),
            path: self.redirect.path().to_owned(),
        };
        let to_flow = tx.clone();
        let expect_here = expect.clone();
        let handler: httpd::Handler = Arc::new(move |req: httpd::Request, _: &httpd::Peer| {
            let (reply, outcome) = evaluate_at(&req, &expect_here, &at);
            if let Some(done) = outcome {
                let _ = to_flow.send(Arrival::Callback(done));
            }
            reply.into_response()
        });
        let mut servers = Vec::new();
        for socket in self.sockets {
            let options = Options {
                name: "loopback",
                ..Options::new(limits())
            };
            servers.push(httpd::Server::start(socket, options, Arc::clone(&handler))?);
        }
        Ok(Waiting {
            servers,
            rx,
            tx,
            expect: expect.clone(),
            redirect: self.redirect,
            port: self.port,
        })
    }

    /// Waits until a callback ends the flow or `timeout` passes. The port is closed when
    /// this returns (the listener is consumed), after the answer that ended the flow has been
    /// written.
    pub fn wait(self, expect: &Expect, timeout: Duration) -> Result<Callback, WaitError> {
        self.start(expect)?.wait(timeout, &|_| {})
    }
}

/// Binds `127.0.0.1` and `[::1]` on one port (`port`, or a free one), for a `localhost`
/// redirect URI: a browser may resolve the name to either address.
fn bind_both(port: u16) -> io::Result<Vec<TcpListener>> {
    let attempts = if port == 0 { BIND_ATTEMPTS } else { 1 };
    for _ in 0..attempts {
        let v4 = match TcpListener::bind((Ipv4Addr::LOCALHOST, port)) {
            Ok(l) => Some(l),
            Err(e) if e.kind() == io::ErrorKind::AddrNotAvailable => None,
            Err(e) => return Err(e),
        };
        let chosen = match &v4 {
            Some(l) => l.local_addr()?.port(),
            None => port,
        };
        match TcpListener::bind((Ipv6Addr::LOCALHOST, chosen)) {
            Ok(v6) => return Ok(v4.into_iter().chain(Some(v6)).collect()),
            // The free IPv4 port is taken on IPv6: try another one.
            Err(e) if e.kind() == io::ErrorKind::AddrInUse && port == 0 && v4.is_some() => {}
            Err(e) if e.kind() == io::ErrorKind::AddrInUse => return Err(e),
            // No IPv6 loopback here (so `localhost` does not resolve to it either).
            Err(_) if v4.is_some() => return Ok(v4.into_iter().collect()),
            Err(e) => return Err(e),
        }
    }
    Err(io::Error::new(
        io::ErrorKind::AddrInUse,
        "found no port free on both 127.0.0.1 and [::1]",
    ))
}

/// What reaches the waiting flow.
#[derive(Debug)]
enum Arrival {
    /// A request to the redirect URI that ends the flow.
    Callback(Callback),
    /// A line the user pasted.
    Pasted(String),
}

/// Where the user's pasted addresses go: clones may be handed to the thread that reads
/// them. Sending fails once the flow has ended.
#[derive(Debug, Clone)]
pub struct PasteSink(mpsc::Sender<Arrival>);

impl PasteSink {
    /// Hands a pasted line to the flow; `false` once the flow no longer waits.
    pub fn paste(&self, line: String) -> bool {
        self.0.send(Arrival::Pasted(line)).is_ok()
    }
}

/// A started listener, waiting for its callback.
#[derive(Debug)]
pub struct Waiting {
    servers: Vec<httpd::Server>,
    rx: mpsc::Receiver<Arrival>,
    tx: mpsc::Sender<Arrival>,
    expect: Expect,
    redirect: RedirectUri,
    port: u16,
}

impl Waiting {
    /// Where pasted addresses go.
    pub fn paste_sink(&self) -> PasteSink {
        PasteSink(self.tx.clone())
    }

    /// Waits until a callback, or a pasted address, ends the flow, or `timeout` passes.
    /// A pasted line that does not end it (another address, a wrong `state`, …) is shown to
    /// `refused` with the reason, and the wait goes on. The port is closed when this returns,
    /// after the answer that ended the flow has been written.
    pub fn wait(
        mut self,
        timeout: Duration,
        refused: &dyn Fn(&str),
    ) -> Result<Callback, WaitError> {
        let deadline = Instant::now() + timeout;
        let result = loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.rx.recv_timeout(left) {
                Ok(Arrival::Callback(callback)) => break Ok(callback),
                Ok(Arrival::Pasted(line)) => match self.pasted(&line) {
                    Ok(callback) => break Ok(callback),
                    Err(why) => refused(why),
                },
                Err(mpsc::RecvTimeoutError::Timeout) => break Err(WaitError::Timeout(timeout)),
                Err(mpsc::RecvTimeoutError::Disconnected) => {
                    break Err(WaitError::Io(io::Error::other("the listener stopped")));
                }
            }
        };
        for server in &mut self.servers {
            server.stop();
        }
        result
    }

    /// What a pasted line means: the same classification as a request to the redirect URI.
    fn pasted(&self, line: &str) -> Result<Callback, &'static str> {
        let query = self.redirect.pasted_query(self.port, line)?;
        match callback::classify(query, &self.expect) {
            Classified::Ignore(why) => Err(why),
            Classified::End(callback) => Ok(callback),
        }
    }
}

/// Where the listener answers: the `Host` values of its redirect URI and its path.
#[derive(Debug, Clone)]
pub struct At {
    pub authorities: Vec<String>,
    pub path: String,
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

/// Decides what a request (which passed the server's checks) means for the flow, for the
/// default redirect path. Pure, for tests.
pub fn evaluate<B>(
    req: &http::Request<B>,
    expect: &Expect,
    authority: &str,
) -> (Reply, Option<Callback>) {
    let at = At {
        authorities: vec![authority.to_owned()],
        path: CALLBACK_PATH.to_owned(),
    };
    evaluate_at(req, expect, &at)
}

/// Decides what a request (which passed the server's checks) means for the flow. Pure, for
/// tests.
pub fn evaluate_at<B>(
    req: &http::Request<B>,
    expect: &Expect,
    at: &At,
) -> (Reply, Option<Callback>) {
    let method = req.method();
    if method != http::Method::GET && method != http::Method::HEAD {
        return (reply(405, "Only GET is answered here."), None);
    }
    if req.uri().path() != at.path {
        return (reply(404, "Nothing here."), None);
    }
    // DNS rebinding: a page on another origin can reach this port only under another name.
    let mut hosts = req.headers().get_all(header::HOST).iter();
    let host = match (hosts.next(), hosts.next()) {
        (Some(host), None) => host.to_str().ok(),
        _ => None,
    };
    if !host.is_some_and(|h| at.authorities.iter().any(|a| a == h)) {
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
