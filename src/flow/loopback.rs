//! The loopback redirect listener of a native app (RFC 8252 §7.3, §8.3): bound to
//! `127.0.0.1` (or `[::1]`) on an ephemeral port, it accepts exactly one authorization
//! response whose `state` matches and answers everything else without ending the flow.
//!
//! A small purpose-built parser over `std::net::TcpListener` is used instead of a general
//! HTTP server crate, so every bound is explicit: the request head is capped at 16 KiB (8 KiB
//! for the request line) and 100 header lines, and each connection gets 5 s in all to send
//! it (one deadline, which a client trickling a byte at a time cannot extend). At most 32
//! connections wait for their request head at once; a new connection beyond that closes the
//! oldest waiting one instead of being turned away. A slow or hostile client therefore can
//! neither keep the real callback out (a browser sends its request at once, so it is never
//! the oldest waiting connection for long) nor grow memory.

use std::collections::VecDeque;
use std::io::{self, Read, Write};
use std::net::{Ipv4Addr, Ipv6Addr, Shutdown, SocketAddr, TcpListener, TcpStream};
use std::sync::mpsc;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

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
    /// this returns (the listener is consumed).
    pub fn wait(self, expect: &Expect, timeout: Duration) -> Result<Callback, WaitError> {
        self.listener.set_nonblocking(true)?;
        let deadline = Instant::now() + timeout;
        let (tx, rx) = mpsc::channel::<Callback>();
        let waiting = Arc::new(Waiting::default());
        let expect = Arc::new(expect.clone());
        let authority = Arc::new(self.authority());
        loop {
            if let Ok(done) = rx.try_recv() {
                return Ok(done);
            }
            if Instant::now() >= deadline {
                return Err(WaitError::Timeout(timeout));
            }
            match self.listener.accept() {
                Ok((stream, _)) => {
                    let Ok(id) = waiting.admit(&stream) else {
                        continue;
                    };
                    let (tx, waiting, expect, authority) = (
                        tx.clone(),
                        waiting.clone(),
                        expect.clone(),
                        authority.clone(),
                    );
                    std::thread::spawn(move || {
                        let done = serve_connection(stream, &expect, &authority, || {
                            waiting.release(id);
                        });
                        waiting.release(id);
                        if let Some(done) = done {
                            let _ = tx.send(done);
                        }
                    });
                }
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => {
                    // Wake up often enough for a prompt exit, rarely enough to cost nothing.
                    if let Ok(done) = rx.recv_timeout(Duration::from_millis(20)) {
                        return Ok(done);
                    }
                }
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => return Err(WaitError::Io(e)),
            }
        }
    }
}

/// The connections still waiting for their request head, oldest first, with a handle to
/// close each.
#[derive(Debug, Default)]
struct Waiting {
    inner: Mutex<WaitingInner>,
}

#[derive(Debug, Default)]
struct WaitingInner {
    next_id: u64,
    open: VecDeque<(u64, TcpStream)>,
}

impl Waiting {
    /// Registers a new connection, closing the oldest waiting one when [`MAX_CONNECTIONS`]
    /// already wait: turning newcomers away instead would let a few slow clients that keep
    /// reconnecting shut the real callback out.
    fn admit(&self, stream: &TcpStream) -> io::Result<u64> {
        let handle = stream.try_clone()?;
        let mut inner = self.inner.lock().unwrap_or_else(PoisonError::into_inner);
        while inner.open.len() >= MAX_CONNECTIONS {
            if let Some((_, oldest)) = inner.open.pop_front() {
                // Its reader sees the end of the stream at once and the thread ends.
                let _ = oldest.shutdown(Shutdown::Both);
            }
        }
        let id = inner.next_id;
        inner.next_id += 1;
        inner.open.push_back((id, handle));
        Ok(id)
    }

    /// The connection has sent its head (or is gone): it no longer counts as waiting.
    fn release(&self, id: u64) {
        let mut inner = self.inner.lock().unwrap_or_else(PoisonError::into_inner);
        inner.open.retain(|(i, _)| *i != id);
    }
}

/// A response to write.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reply {
    pub status: u16,
    pub reason: &'static str,
    pub body: String,
}

/// Reads one request head, calls `head_read` (the connection stops waiting), answers, and
/// returns what the request meant for the flow.
fn serve_connection(
    mut stream: TcpStream,
    expect: &Expect,
    authority: &str,
    head_read: impl FnOnce(),
) -> Option<Callback> {
    let _ = stream.set_nonblocking(false);
    let _ = stream.set_write_timeout(Some(READ_TIMEOUT));
    let head = read_head(&mut stream, Instant::now() + READ_TIMEOUT);
    head_read();
    let (reply, outcome, head_only) = match head {
        Ok(head) => {
            let head_only = head.starts_with(b"HEAD ");
            let (reply, outcome) = evaluate(&head, expect, authority);
            (reply, outcome, head_only)
        }
        Err(reply) => (reply, None, false),
    };
    let _ = write_reply(&mut stream, &reply, head_only);
    outcome
}

/// Reads up to the end of the request head, within the caps and by `deadline`: each read
/// may wait only for the time left, so a trickle of bytes cannot extend it.
fn read_head(stream: &mut TcpStream, deadline: Instant) -> Result<Vec<u8>, Reply> {
    let mut buf = Vec::with_capacity(1024);
    let mut chunk = [0u8; 2048];
    loop {
        if let Some(end) = find_head_end(&buf) {
            buf.truncate(end);
            return Ok(buf);
        }
        if buf.len() > MAX_HEAD {
            return Err(too_large(&buf));
        }
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() || stream.set_read_timeout(Some(left)).is_err() {
            return Err(reply(408, "Request Timeout", "The request took too long."));
        }
        match stream.read(&mut chunk) {
            Ok(0) => return Err(reply(400, "Bad Request", "Incomplete request.")),
            Ok(n) => buf.extend_from_slice(&chunk[..n]),
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(_) => return Err(reply(408, "Request Timeout", "The request took too long.")),
        }
    }
}

fn too_large(buf: &[u8]) -> Reply {
    if buf.contains(&b'\n') {
        reply(
            431,
            "Request Header Fields Too Large",
            "The request head is too large.",
        )
    } else {
        reply(414, "URI Too Long", "The request line is too long.")
    }
}

fn find_head_end(buf: &[u8]) -> Option<usize> {
    buf.windows(4)
        .position(|w| w == b"\r\n\r\n")
        .or_else(|| buf.windows(2).position(|w| w == b"\n\n"))
}

fn reply(status: u16, reason: &'static str, message: &str) -> Reply {
    Reply {
        status,
        reason,
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

fn write_reply(stream: &mut TcpStream, r: &Reply, head_only: bool) -> io::Result<()> {
    let head = format!(
        "HTTP/1.1 {} {}\r\nContent-Type: text/html; charset=utf-8\r\nContent-Length: {}\r\n\
         Cache-Control: no-store\r\nPragma: no-cache\r\nReferrer-Policy: no-referrer\r\n\
         X-Content-Type-Options: nosniff\r\nX-Frame-Options: DENY\r\n\
         Content-Security-Policy: default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'\r\n\
         Connection: close\r\n\r\n",
        r.status,
        r.reason,
        r.body.len()
    );
    stream.write_all(head.as_bytes())?;
    if !head_only {
        stream.write_all(r.body.as_bytes())?;
    }
    stream.flush()
}

/// Decides what a request head means for the flow. Pure, for tests and fuzzing.
pub fn evaluate(head: &[u8], expect: &Expect, authority: &str) -> (Reply, Option<Callback>) {
    let Ok(text) = std::str::from_utf8(head) else {
        return (reply(400, "Bad Request", "The request is not valid."), None);
    };
    let mut lines = text.split('\n').map(|l| l.strip_suffix('\r').unwrap_or(l));
    let request_line = lines.next().unwrap_or_default();
    if request_line.len() > MAX_REQUEST_LINE {
        return (
            reply(414, "URI Too Long", "The request line is too long."),
            None,
        );
    }
    let mut parts = request_line.split(' ');
    let (Some(method), Some(target), Some(version), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return (reply(400, "Bad Request", "The request is not valid."), None);
    };
    if !version.starts_with("HTTP/1.") {
        return (reply(400, "Bad Request", "The request is not valid."), None);
    }
    let mut host = None;
    let mut count = 0;
    for line in lines {
        if line.is_empty() {
            break;
        }
        count += 1;
        if count > MAX_HEADERS {
            return (
                reply(431, "Request Header Fields Too Large", "Too many headers."),
                None,
            );
        }
        if let Some((name, value)) = line.split_once(':')
            && name.eq_ignore_ascii_case("host")
        {
            if host.is_some() {
                return (reply(400, "Bad Request", "Duplicate Host header."), None);
            }
            host = Some(value.trim().to_owned());
        }
    }
    if method != "GET" && method != "HEAD" {
        return (
            reply(405, "Method Not Allowed", "Only GET is answered here."),
            None,
        );
    }
    let (path, query) = target.split_once('?').unwrap_or((target, ""));
    if path != CALLBACK_PATH {
        return (reply(404, "Not Found", "Nothing here."), None);
    }
    // DNS rebinding: a page on another origin can reach this port only under another name.
    if host.as_deref() != Some(authority) {
        return (reply(400, "Bad Request", "Unexpected Host header."), None);
    }
    if method == "HEAD" {
        return (
            reply(200, "OK", "Waiting for the authorization response."),
            None,
        );
    }
    match callback::classify(query, expect) {
        Classified::Ignore(message) => (reply(400, "Bad Request", message), None),
        Classified::End(Callback::Code(code)) => (
            Reply {
                status: 200,
                reason: "OK",
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
            (
                reply(400, "Bad Request", &message),
                Some(Callback::Error(e)),
            )
        }
        Classified::End(Callback::Refused(why)) => {
            let message = format!("oauthctl refused this response: {why}. Return to the terminal.");
            (
                reply(400, "Bad Request", &message),
                Some(Callback::Refused(why)),
            )
        }
    }
}

#[cfg(test)]
mod tests;
