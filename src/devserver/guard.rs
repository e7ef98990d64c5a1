//! The dev server's HTTP/1.1 server: it owns the TCP socket, bounds and validates every
//! request, calls the router with a `wire::Req`, and writes the router's `wire::Resp` back.
//!
//! Its rule is that every request is bounded before any handler sees it: nothing here grows
//! without a limit or waits without a deadline. It:
//! - accepts on our own `TcpListener`, at most `max_connections` at once (extra ones get
//!   `503` and are closed), one thread per connection;
//! - reads the request head with a hard deadline (not a per-read timeout, which a client could
//!   reset by trickling one byte at a time), a request-line limit (`414`), a header-section
//!   size and count limit (`431`);
//! - rejects ambiguous framing: `Content-Length` together with `Transfer-Encoding`, conflicting
//!   `Content-Length`s, obs-folded or malformed header lines (`400`); chunked bodies are not
//!   supported (`411`); bodies over `max_body` get `413` without being read;
//! - reads the body under a deadline, then hands the request (method uppercased, target split
//!   at the first `?`, headers as sent, body) to the handler on the same thread;
//! - writes the answer with `Content-Length` framing (none for 1xx, 204 and 304, no body
//!   after `HEAD`), dropping handler headers that are not valid field names and values or
//!   that would interfere with the framing;
//! - keeps client connections alive between requests for at most `idle_timeout`.
//!
//! Every rejection closes the connection after a short "lingering close" drain, so the client
//! reads the status instead of a reset.

use std::collections::HashMap;
use std::fmt::Write as _;
use std::io::{self, Read, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::thread::JoinHandle;
use std::time::{Duration, Instant, SystemTime};

use super::wire::{Req, Resp};

/// Hard limits of the HTTP server.
#[derive(Debug, Clone)]
pub struct Limits {
    /// Longest request line (method, target, version), in bytes.
    pub max_request_line: usize,
    /// Largest header section (all header lines), in bytes.
    pub max_header_bytes: usize,
    /// Most header lines.
    pub max_headers: usize,
    /// Largest request body, in bytes.
    pub max_body: usize,
    /// Time allowed to receive a whole request head, from its first byte.
    pub head_timeout: Duration,
    /// Time allowed to receive a request body.
    pub body_timeout: Duration,
    /// Time a kept-alive connection may sit idle before the next request.
    pub idle_timeout: Duration,
    /// Most client connections open at once.
    pub max_connections: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            max_request_line: 8 * 1024,
            max_header_bytes: 32 * 1024,
            max_headers: 100,
            max_body: 64 * 1024,
            head_timeout: Duration::from_secs(10),
            body_timeout: Duration::from_secs(10),
            idle_timeout: Duration::from_secs(5),
            max_connections: 256,
        }
    }
}

/// What answers a request that passed every check (the router). It runs on the
/// connection's thread.
pub(crate) type Handler = Arc<dyn Fn(Req) -> Resp + Send + Sync>;

/// The running server: the accept thread plus the open connections, so that shutdown
/// can close them and join every thread.
#[derive(Debug)]
pub(crate) struct Guard {
    accept: Option<JoinHandle<()>>,
    shared: Arc<Shared>,
    local_addr: std::net::SocketAddr,
}

/// An open client connection: a handle to close it, and its thread.
type Conn = (TcpStream, Option<JoinHandle<()>>);

struct Shared {
    limits: Limits,
    handler: Handler,
    stopping: AtomicBool,
    open: AtomicUsize,
    next_id: AtomicU64,
    conns: Mutex<HashMap<u64, Conn>>,
}

impl std::fmt::Debug for Shared {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Shared")
            .field("limits", &self.limits)
            .field("stopping", &self.stopping)
            .field("open", &self.open)
            .finish_non_exhaustive()
    }
}

impl Guard {
    /// Starts accepting on `listener`; `handler` answers every request that passes the checks.
    pub(crate) fn start(
        listener: TcpListener,
        limits: Limits,
        handler: Handler,
    ) -> io::Result<Self> {
        let local_addr = listener.local_addr()?;
        let shared = Arc::new(Shared {
            limits,
            handler,
            stopping: AtomicBool::new(false),
            open: AtomicUsize::new(0),
            next_id: AtomicU64::new(0),
            conns: Mutex::new(HashMap::new()),
        });
        let s = Arc::clone(&shared);
        let accept = std::thread::Builder::new()
            .name("devserver-accept".into())
            .spawn(move || accept_loop(&listener, &s))?;
        Ok(Self {
            accept: Some(accept),
            shared,
            local_addr,
        })
    }

    /// Stops accepting, closes every open connection and joins all threads.
    pub(crate) fn stop(&mut self) {
        self.shared.stopping.store(true, Ordering::SeqCst);
        // Wake the blocking accept() with a connection to ourselves.
        let _ = TcpStream::connect_timeout(&self.local_addr, Duration::from_secs(1));
        if let Some(handle) = self.accept.take() {
            let _ = handle.join();
        }
        let conns: Vec<_> = self
            .shared
            .conns
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .drain()
            .collect();
        for (_, (stream, handle)) in conns {
            let _ = stream.shutdown(Shutdown::Both);
            if let Some(handle) = handle {
                let _ = handle.join();
            }
        }
    }
}

impl Drop for Guard {
    fn drop(&mut self) {
        self.stop();
    }
}

fn accept_loop(listener: &TcpListener, shared: &Arc<Shared>) {
    for stream in listener.incoming() {
        if shared.stopping.load(Ordering::SeqCst) {
            break;
        }
        let Ok(mut stream) = stream else {
            // EMFILE and friends: back off instead of spinning.
            std::thread::sleep(Duration::from_millis(50));
            continue;
        };
        if shared.open.load(Ordering::SeqCst) >= shared.limits.max_connections {
            let _ = stream.set_write_timeout(Some(Duration::from_millis(200)));
            let _ = stream.write_all(&simple_response(503, "too many connections\n", &[]));
            let _ = stream.shutdown(Shutdown::Both);
            continue;
        }
        let Ok(registered) = stream.try_clone() else {
            continue;
        };
        let id = shared.next_id.fetch_add(1, Ordering::SeqCst);
        shared.open.fetch_add(1, Ordering::SeqCst);
        let mut conns = shared.conns.lock().unwrap_or_else(PoisonError::into_inner);
        let s = Arc::clone(shared);
        let spawned = std::thread::Builder::new()
            .name("devserver-conn".into())
            // The handlers run on this thread (JSON bodies nest up to serde_json's limit of
            // 128): give it the standard 2 MiB, which is only reserved, not committed.
            .stack_size(2 * 1024 * 1024)
            .spawn(move || {
                serve_connection(&mut stream, &s);
                // Shut the socket down explicitly: the clone kept for `stop` would otherwise
                // keep it open.
                let _ = stream.shutdown(Shutdown::Both);
                s.conns
                    .lock()
                    .unwrap_or_else(PoisonError::into_inner)
                    .remove(&id);
                s.open.fetch_sub(1, Ordering::SeqCst);
            });
        if let Ok(handle) = spawned {
            conns.insert(id, (registered, Some(handle)));
        } else {
            shared.open.fetch_sub(1, Ordering::SeqCst);
            let _ = registered.shutdown(Shutdown::Both);
        }
    }
}

/// Why a request was refused before reaching the application.
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct Reject {
    pub status: u16,
    pub message: &'static str,
}

const fn reject(status: u16, message: &'static str) -> Reject {
    Reject { status, message }
}

/// A request head that passed every check.
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct Head {
    pub method: String,
    pub target: String,
    pub http10: bool,
    /// Header lines, names as sent, values trimmed.
    pub headers: Vec<(String, String)>,
    pub content_length: usize,
    pub expect_continue: bool,
    pub wants_close: bool,
}

fn serve_connection(stream: &mut TcpStream, shared: &Shared) {
    let limits = &shared.limits;
    let _ = stream.set_nodelay(true);
    let _ = stream.set_write_timeout(Some(limits.body_timeout));
    let peer = stream.peer_addr().ok().map(|a| a.ip());
    let mut carry: Vec<u8> = Vec::new();
    // One read buffer for the connection's lifetime (zeroed once, not per request).
    let mut chunk = vec![0u8; 8192];
    loop {
        if shared.stopping.load(Ordering::SeqCst) {
            return;
        }
        let head = match read_head(stream, &mut carry, &mut chunk, limits) {
            Ok(Some(head)) => head,
            Ok(None) => return,
            Err(r) => return refuse(stream, &r),
        };
        if head.content_length > limits.max_body {
            return refuse(stream, &reject(413, "request body too large"));
        }
        if head.expect_continue
            && head.content_length > carry.len()
            && stream.write_all(b"HTTP/1.1 100 Continue\r\n\r\n").is_err()
        {
            return;
        }
        let body = match read_body(stream, &mut carry, &mut chunk, head.content_length, limits) {
            Ok(body) => body,
            Err(r) => return refuse(stream, &r),
        };
        let close = head.wants_close || shared.stopping.load(Ordering::SeqCst);
        let head_only = head.method.eq_ignore_ascii_case("HEAD");
        let req = into_req(head, body, peer);
        // A panicking handler must not take the connection bookkeeping with it.
        let Ok(resp) = catch_unwind(AssertUnwindSafe(|| (shared.handler)(req))) else {
            let _ = stream.write_all(&simple_response(500, "the server could not answer\n", &[]));
            let _ = stream.shutdown(Shutdown::Both);
            return;
        };
        let answer = serialize(&resp, head_only, close);
        if stream.write_all(&answer).is_err() || close {
            let _ = stream.shutdown(Shutdown::Both);
            return;
        }
    }
}

/// The handler's view of a checked request: the method uppercased, the target split into
/// path and query at the first `?`, the headers as sent, and the peer's address.
fn into_req(head: Head, body: Vec<u8>, peer: Option<std::net::IpAddr>) -> Req {
    let Head {
        mut method,
        target: mut path,
        headers,
        ..
    } = head;
    method.make_ascii_uppercase();
    let query = match path.find('?') {
        Some(q) => {
            let query = path[q + 1..].to_owned();
            path.truncate(q);
            query
        }
        None => String::new(),
    };
    Req {
        method,
        path,
        query,
        headers,
        body,
        peer,
        peer_certs: None,
    }
}

/// Headers whose meaning belongs to the connection or the framing, which this module
/// writes itself; a handler's copies are dropped.
const SERVER_OWNED: &[&str] = &[
    "connection",
    "content-length",
    "keep-alive",
    "proxy-connection",
    "trailer",
    "transfer-encoding",
    "upgrade",
];

/// Whether a handler's header can be sent as it is: a token as the name, and a value of
/// visible ASCII, spaces and tabs only (so no CR or LF can split the head).
fn sendable(name: &str, value: &str) -> bool {
    !name.is_empty()
        && name.bytes().all(is_tchar)
        && value
            .bytes()
            .all(|b| b == b'\t' || (b' '..=b'~').contains(&b))
        && !SERVER_OWNED.iter().any(|h| name.eq_ignore_ascii_case(h))
}

/// The whole answer as one buffer, so it goes out in one write: status line, the handler's
/// sendable headers, `Date` (unless the handler set one), `Content-Length` (except for 1xx,
/// 204 and 304, which have no body), `Connection: close` when the connection ends, and the
/// body unless the request was `HEAD` (whose `Content-Length` is the one GET would have).
pub(crate) fn serialize(resp: &Resp, head_only: bool, close: bool) -> Vec<u8> {
    let bodiless = matches!(resp.status, 100..=199 | 204 | 304);
    let send_body = !bodiless && !head_only;
    let headers_len: usize = resp
        .headers
        .iter()
        .map(|(k, v)| k.len() + v.len() + 4)
        .sum();
    let mut out =
        Vec::with_capacity(128 + headers_len + if send_body { resp.body.len() } else { 0 });
    let mut line = String::with_capacity(64);
    let _ = write!(line, "HTTP/1.1 {} {}\r\n", resp.status, reason(resp.status));
    out.extend_from_slice(line.as_bytes());
    let mut has_date = false;
    for (name, value) in &resp.headers {
        let value = value.trim_matches([' ', '\t']);
        if !sendable(name, value) {
            continue;
        }
        has_date |= name.eq_ignore_ascii_case("date");
        out.extend_from_slice(name.as_bytes());
        out.extend_from_slice(b": ");
        out.extend_from_slice(value.as_bytes());
        out.extend_from_slice(b"\r\n");
    }
    if !has_date {
        out.extend_from_slice(b"Date: ");
        out.extend_from_slice(http_date(SystemTime::now()).as_bytes());
        out.extend_from_slice(b"\r\n");
    }
    if !bodiless {
        line.clear();
        let _ = write!(line, "Content-Length: {}\r\n", resp.body.len());
        out.extend_from_slice(line.as_bytes());
    }
    if close {
        out.extend_from_slice(b"Connection: close\r\n");
    }
    out.extend_from_slice(b"\r\n");
    if send_body {
        out.extend_from_slice(&resp.body);
    }
    out
}

/// An IMF-fixdate (RFC 9110 §5.6.7), e.g. `Sun, 06 Nov 1994 08:49:37 GMT`.
fn http_date(t: SystemTime) -> String {
    httpdate::fmt_http_date(t)
}

/// Reads one request head. `Ok(None)`: the client closed or idled out between requests.
fn read_head(
    stream: &mut TcpStream,
    carry: &mut Vec<u8>,
    chunk: &mut [u8],
    limits: &Limits,
) -> Result<Option<Head>, Reject> {
    let idle_deadline = Instant::now() + limits.idle_timeout;
    let mut head_deadline: Option<Instant> = None;
    loop {
        // Leading empty lines before a request line are allowed (RFC 9112 §2.2).
        while carry.starts_with(b"\r\n") || carry.starts_with(b"\n") {
            let n = if carry.starts_with(b"\r\n") { 2 } else { 1 };
            carry.drain(..n);
        }
        if !carry.is_empty() && head_deadline.is_none() {
            head_deadline = Some(Instant::now() + limits.head_timeout);
        }
        if let Some(end) = find_head_end(carry) {
            let head = parse_head(&carry[..end], limits);
            carry.drain(..end);
            return head.map(Some);
        }
        check_partial(carry, limits)?;
        let deadline = head_deadline.unwrap_or(idle_deadline);
        let Some(left) = deadline.checked_duration_since(Instant::now()) else {
            return if head_deadline.is_some() {
                Err(reject(408, "request head not received in time"))
            } else {
                Ok(None)
            };
        };
        let _ = stream.set_read_timeout(Some(left.max(Duration::from_millis(1))));
        match stream.read(chunk) {
            Ok(0) => return Ok(None),
            Ok(n) => carry.extend_from_slice(&chunk[..n]),
            Err(e) if is_timeout(&e) => {}
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(_) => return Ok(None),
        }
    }
}

fn is_timeout(e: &io::Error) -> bool {
    matches!(
        e.kind(),
        io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut
    )
}

/// Limits that can be checked before the head is complete.
fn check_partial(buf: &[u8], limits: &Limits) -> Result<(), Reject> {
    match buf.iter().position(|&b| b == b'\n') {
        None if buf.len() > limits.max_request_line => Err(reject(414, "request line too long")),
        Some(eol) if eol > limits.max_request_line => Err(reject(414, "request line too long")),
        Some(eol) if buf.len() - eol > limits.max_header_bytes => {
            Err(reject(431, "request header fields too large"))
        }
        Some(eol) => {
            #[allow(clippy::naive_bytecount)]
            let lines = buf[eol..].iter().filter(|&&b| b == b'\n').count();
            if lines > limits.max_headers + 1 {
                Err(reject(431, "too many header fields"))
            } else {
                Ok(())
            }
        }
        None => Ok(()),
    }
}

/// The index just past the blank line that ends the head, if it has arrived.
fn find_head_end(buf: &[u8]) -> Option<usize> {
    let mut i = 0;
    while let Some(pos) = buf[i..].iter().position(|&b| b == b'\n') {
        let nl = i + pos;
        let rest = &buf[nl + 1..];
        if rest.starts_with(b"\r\n") {
            return Some(nl + 3);
        }
        if rest.starts_with(b"\n") {
            return Some(nl + 2);
        }
        i = nl + 1;
    }
    None
}

fn is_tchar(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b)
}

/// The values of header `wanted`.
fn values<'h>(
    headers: &'h [(String, String)],
    wanted: &'h str,
) -> impl Iterator<Item = &'h str> + 'h {
    headers
        .iter()
        .filter(move |(n, _)| n.eq_ignore_ascii_case(wanted))
        .map(|(_, v)| v.as_str())
}

/// Parses and validates a complete head (without the body).
pub(crate) fn parse_head(raw: &[u8], limits: &Limits) -> Result<Head, Reject> {
    let text = std::str::from_utf8(raw).map_err(|_| reject(400, "request head is not ASCII"))?;
    if !text.is_ascii() {
        return Err(reject(400, "request head is not ASCII"));
    }
    let mut lines = text.split('\n').map(|l| l.strip_suffix('\r').unwrap_or(l));
    let request_line = lines.next().unwrap_or_default();
    if request_line.len() > limits.max_request_line {
        return Err(reject(414, "request line too long"));
    }
    let mut parts = request_line.split(' ');
    let (Some(method), Some(target), Some(version), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(reject(400, "malformed request line"));
    };
    if method.is_empty() || !method.bytes().all(is_tchar) {
        return Err(reject(400, "malformed method"));
    }
    if !target.starts_with('/') || target.bytes().any(|b| b <= b' ' || b == 0x7f) {
        return Err(reject(400, "only origin-form request targets are accepted"));
    }
    let http10 = match version {
        "HTTP/1.1" => false,
        "HTTP/1.0" => true,
        v if v.starts_with("HTTP/") => return Err(reject(505, "HTTP version not supported")),
        _ => return Err(reject(400, "malformed request line")),
    };
    let mut headers = Vec::new();
    for line in lines {
        if line.is_empty() {
            continue;
        }
        if line.starts_with([' ', '\t']) {
            return Err(reject(400, "obsolete line folding is not accepted"));
        }
        let Some((name, value)) = line.split_once(':') else {
            return Err(reject(400, "malformed header field"));
        };
        if name.is_empty() || !name.bytes().all(is_tchar) {
            return Err(reject(400, "malformed header field name"));
        }
        let value = value.trim_matches([' ', '\t']);
        if value.bytes().any(|b| (b < b' ' && b != b'\t') || b == 0x7f) {
            return Err(reject(400, "control character in a header field"));
        }
        headers.push((name.to_owned(), value.to_owned()));
        if headers.len() > limits.max_headers {
            return Err(reject(431, "too many header fields"));
        }
    }
    let hosts = values(&headers, "host").count();
    if hosts > 1 || (hosts == 0 && !http10) {
        return Err(reject(400, "exactly one Host header is required"));
    }
    let has_te = values(&headers, "transfer-encoding").next().is_some();
    let lengths: Vec<&str> = values(&headers, "content-length")
        .flat_map(|v| v.split(','))
        .map(str::trim)
        .collect();
    if has_te && !lengths.is_empty() {
        return Err(reject(
            400,
            "Content-Length together with Transfer-Encoding is ambiguous",
        ));
    }
    if has_te {
        return Err(reject(
            411,
            "Transfer-Encoding is not supported; send Content-Length",
        ));
    }
    let mut content_length = 0usize;
    if let Some(first) = lengths.first() {
        if lengths.iter().any(|l| l != first)
            || first.is_empty()
            || !first.bytes().all(|b| b.is_ascii_digit())
        {
            return Err(reject(400, "invalid Content-Length"));
        }
        // Anything that does not fit in usize is certainly too large.
        content_length = first.parse().unwrap_or(usize::MAX);
    }
    let mut expect_continue = false;
    for v in values(&headers, "expect") {
        if v.eq_ignore_ascii_case("100-continue") {
            expect_continue = true;
        } else {
            return Err(reject(417, "unsupported expectation"));
        }
    }
    let connection: Vec<String> = values(&headers, "connection")
        .flat_map(|v| v.split(','))
        .map(|t| t.trim().to_ascii_lowercase())
        .collect();
    let wants_close = if http10 {
        !connection.iter().any(|t| t == "keep-alive")
    } else {
        connection.iter().any(|t| t == "close")
    };
    Ok(Head {
        method: method.to_owned(),
        target: target.to_owned(),
        http10,
        headers,
        content_length,
        expect_continue,
        wants_close,
    })
}

fn read_body(
    stream: &mut TcpStream,
    carry: &mut Vec<u8>,
    chunk: &mut [u8],
    len: usize,
    limits: &Limits,
) -> Result<Vec<u8>, Reject> {
    let deadline = Instant::now() + limits.body_timeout;
    while carry.len() < len {
        let Some(left) = deadline.checked_duration_since(Instant::now()) else {
            return Err(reject(408, "request body not received in time"));
        };
        let _ = stream.set_read_timeout(Some(left.max(Duration::from_millis(1))));
        match stream.read(chunk) {
            Ok(0) => return Err(reject(400, "connection closed inside the body")),
            Ok(n) => carry.extend_from_slice(&chunk[..n]),
            Err(e) if is_timeout(&e) || e.kind() == io::ErrorKind::Interrupted => {}
            Err(_) => return Err(reject(400, "connection failed inside the body")),
        }
    }
    Ok(carry.drain(..len).collect())
}

/// A complete plain-text response that closes the connection.
pub(crate) fn simple_response(status: u16, body: &str, extra: &[(&str, &str)]) -> Vec<u8> {
    let mut head = format!(
        "HTTP/1.1 {status} {}\r\nContent-Type: text/plain; charset=utf-8\r\n\
         Content-Length: {}\r\nCache-Control: no-store\r\nConnection: close\r\n",
        reason(status),
        body.len()
    );
    for (k, v) in extra {
        let _ = write!(head, "{k}: {v}\r\n");
    }
    head.push_str("\r\n");
    let mut bytes = head.into_bytes();
    bytes.extend_from_slice(body.as_bytes());
    bytes
}

/// Writes the rejection, then drains briefly so the client sees the status, then closes.
fn refuse(stream: &mut TcpStream, r: &Reject) {
    let body = format!("{}\n", r.message);
    let _ = stream.write_all(&simple_response(r.status, &body, &[]));
    let _ = stream.flush();
    let _ = stream.shutdown(Shutdown::Write);
    let deadline = Instant::now() + Duration::from_secs(1);
    let mut sink = [0u8; 8192];
    let mut drained = 0usize;
    while drained < 1024 * 1024 {
        let Some(left) = deadline.checked_duration_since(Instant::now()) else {
            break;
        };
        let _ = stream.set_read_timeout(Some(left.max(Duration::from_millis(1))));
        match stream.read(&mut sink) {
            Ok(0) | Err(_) => break,
            Ok(n) => drained += n,
        }
    }
    let _ = stream.shutdown(Shutdown::Both);
}

/// Reason phrases for the statuses this server sends.
pub(crate) fn reason(status: u16) -> &'static str {
    match status {
        200 => "OK",
        201 => "Created",
        204 => "No Content",
        302 => "Found",
        303 => "See Other",
        304 => "Not Modified",
        307 => "Temporary Redirect",
        400 => "Bad Request",
        401 => "Unauthorized",
        403 => "Forbidden",
        404 => "Not Found",
        405 => "Method Not Allowed",
        408 => "Request Timeout",
        411 => "Length Required",
        413 => "Content Too Large",
        414 => "URI Too Long",
        415 => "Unsupported Media Type",
        417 => "Expectation Failed",
        421 => "Misdirected Request",
        429 => "Too Many Requests",
        431 => "Request Header Fields Too Large",
        500 => "Internal Server Error",
        502 => "Bad Gateway",
        503 => "Service Unavailable",
        505 => "HTTP Version Not Supported",
        _ => "",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(raw: &str) -> Result<Head, Reject> {
        parse_head(raw.as_bytes(), &Limits::default())
    }

    #[test]
    fn accepts_a_plain_request() {
        let h = parse("POST /token HTTP/1.1\r\nHost: x\r\nContent-Length: 12\r\n\r\n").unwrap();
        assert_eq!(h.method, "POST");
        assert_eq!(h.content_length, 12);
        assert!(!h.wants_close);
    }

    #[test]
    fn rejects_ambiguous_framing() {
        let cases = [
            (
                "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n",
                400,
            ),
            (
                "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n",
                411,
            ),
            (
                "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\nContent-Length: 4\r\n\r\n",
                400,
            ),
            (
                "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: +3\r\n\r\n",
                400,
            ),
            ("GET / HTTP/1.1\r\nHost: x\r\n folded\r\n\r\n", 400),
            ("GET / HTTP/1.1\r\n\r\n", 400),
            ("GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n", 400),
            ("GET http://x/ HTTP/1.1\r\nHost: x\r\n\r\n", 400),
            ("GET / HTTP/2.0\r\nHost: x\r\n\r\n", 505),
            ("GET / HTTP/1.1\r\nHost: x\r\nExpect: magic\r\n\r\n", 417),
            ("GET / HTTP/1.1\r\nHost : x\r\n\r\n", 400),
        ];
        for (raw, status) in cases {
            assert_eq!(parse(raw).unwrap_err().status, status, "{raw:?}");
        }
    }

    #[test]
    fn partial_heads_are_bounded() {
        let l = Limits::default();
        assert_eq!(
            check_partial(&vec![b'a'; l.max_request_line + 1], &l)
                .unwrap_err()
                .status,
            414
        );
        let mut many = b"GET / HTTP/1.1\r\n".to_vec();
        for _ in 0..=l.max_headers + 1 {
            many.extend_from_slice(b"X: y\r\n");
        }
        assert_eq!(check_partial(&many, &l).unwrap_err().status, 431);
    }

    #[test]
    fn requests_reach_the_handler_split_and_uppercased() {
        let h = parse("get /authorize?a=1?b HTTP/1.1\r\nHost: x\r\nX-A: 1\r\n\r\n").unwrap();
        let req = into_req(h, b"body".to_vec(), None);
        assert_eq!(req.method, "GET");
        assert_eq!(req.path, "/authorize");
        assert_eq!(req.query, "a=1?b");
        assert_eq!(req.header("x-a"), Some("1"));
        assert_eq!(req.body, b"body");
        let plain = into_req(
            parse("GET /jwks HTTP/1.1\r\nHost: x\r\n\r\n").unwrap(),
            Vec::new(),
            None,
        );
        assert_eq!((plain.path.as_str(), plain.query.as_str()), ("/jwks", ""));
    }

    fn text(bytes: &[u8]) -> String {
        String::from_utf8(bytes.to_vec()).unwrap()
    }

    fn ok_json() -> Resp {
        let mut r = Resp::new(200).with("Content-Type", "application/json");
        r.body = b"{\"a\":1}".to_vec();
        r
    }

    #[test]
    fn answers_carry_content_length_and_keep_alive_unless_closing() {
        let kept = text(&serialize(&ok_json(), false, false));
        assert!(kept.starts_with("HTTP/1.1 200 OK\r\n"), "{kept}");
        assert!(kept.contains("\r\nCache-Control: no-store\r\n"), "{kept}");
        assert!(
            kept.contains("\r\nContent-Type: application/json\r\n"),
            "{kept}"
        );
        assert!(kept.contains("\r\nContent-Length: 7\r\n"), "{kept}");
        assert!(kept.contains("\r\nDate: "), "{kept}");
        assert!(!kept.to_ascii_lowercase().contains("connection:"), "{kept}");
        assert!(kept.ends_with("\r\n\r\n{\"a\":1}"), "{kept}");
        let closed = text(&serialize(&ok_json(), false, true));
        assert!(closed.contains("\r\nConnection: close\r\n"), "{closed}");
        assert!(closed.ends_with("\r\n\r\n{\"a\":1}"), "{closed}");
    }

    #[test]
    fn head_answers_have_the_length_but_no_body() {
        let out = text(&serialize(&ok_json(), true, false));
        assert!(out.contains("\r\nContent-Length: 7\r\n"), "{out}");
        assert!(out.ends_with("\r\n\r\n"), "{out}");
    }

    #[test]
    fn bodiless_statuses_have_neither_body_nor_length() {
        for status in [204, 304] {
            let mut r = Resp::new(status);
            r.body = b"ignored".to_vec();
            let out = text(&serialize(&r, false, false));
            assert!(out.starts_with(&format!("HTTP/1.1 {status} ")), "{out}");
            assert!(!out.contains("Content-Length"), "{out}");
            assert!(out.ends_with("\r\n\r\n"), "{out}");
        }
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
            .with("Content-Length", "999")
            .with("Connection", "keep-alive")
            .with("Transfer-Encoding", "chunked")
            .with("X-Fine", " ok\tvalue ");
        let out = text(&serialize(&r, false, false));
        for gone in [
            "X-Split",
            "evil",
            "X-Lf",
            "X-Nul",
            "Bad Name",
            "X-Utf8",
            "999",
            "keep-alive",
            "chunked",
        ] {
            assert!(!out.contains(gone), "{gone} in {out}");
        }
        assert!(out.contains("\r\nX-Fine: ok\tvalue\r\n"), "{out}");
        assert!(out.contains("\r\nContent-Length: 0\r\n"), "{out}");
        assert_eq!(out.matches("\r\n\r\n").count(), 1, "{out}");
    }

    #[test]
    fn one_connection_serves_requests_in_turn_and_survives_a_panicking_handler() {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap();
        let handler: Handler = Arc::new(|req: Req| {
            assert_ne!(req.path, "/panic", "a handler bug");
            let mut r = Resp::new(200);
            r.body = format!("{} {} {}", req.method, req.path, req.body.len()).into_bytes();
            r
        });
        let mut guard = Guard::start(listener, Limits::default(), handler).unwrap();
        let exchange = |bytes: &[u8]| {
            let mut c = TcpStream::connect(addr).unwrap();
            c.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
            c.write_all(bytes).unwrap();
            let mut out = String::new();
            let _ = c.read_to_string(&mut out);
            out
        };
        let out = exchange(
            b"POST /a HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n\r\nabc\
              HEAD /b HTTP/1.1\r\nHost: x\r\n\r\n\
              GET /c?q HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
        );
        let answers: Vec<&str> = out.split("HTTP/1.1 ").skip(1).collect();
        assert_eq!(answers.len(), 3, "{out}");
        assert!(answers[0].ends_with("\r\n\r\nPOST /a 3"), "{out}");
        assert!(!answers[0].contains("Connection:"), "{out}");
        assert!(answers[1].contains("Content-Length: 9\r\n"), "{out}"); // "HEAD /b 0"
        assert!(answers[1].ends_with("\r\n\r\n"), "{out}");
        assert!(answers[2].contains("Connection: close\r\n"), "{out}");
        assert!(answers[2].ends_with("\r\n\r\nGET /c 0"), "{out}");
        let out = exchange(b"GET /panic HTTP/1.1\r\nHost: x\r\n\r\n");
        assert!(out.starts_with("HTTP/1.1 500 "), "{out}");
        let out = exchange(b"GET /after HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
        assert!(out.ends_with("GET /after 0"), "{out}");
        let deadline = Instant::now() + Duration::from_secs(5);
        while guard.shared.open.load(Ordering::SeqCst) > 0 && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(10));
        }
        assert_eq!(guard.shared.open.load(Ordering::SeqCst), 0);
        guard.stop();
    }

    #[test]
    fn dates_are_imf_fixdates() {
        let t = |s| std::time::UNIX_EPOCH + Duration::from_secs(s);
        assert_eq!(http_date(t(784_111_777)), "Sun, 06 Nov 1994 08:49:37 GMT");
        assert_eq!(http_date(t(0)), "Thu, 01 Jan 1970 00:00:00 GMT");
        assert_eq!(http_date(t(951_782_400)), "Tue, 29 Feb 2000 00:00:00 GMT");
        assert_eq!(http_date(t(4_102_444_799)), "Thu, 31 Dec 2099 23:59:59 GMT");
    }
}
