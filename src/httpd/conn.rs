//! One connection, on a thread of its own: hyper serves it through the gate, driven by a
//! minimal executor that parks the thread when nothing can proceed; the service collects
//! each request's body under its cap and deadline, calls the handler (catching a panic) and
//! cleans up its answer; the driver closes the connection, lingering after a refusal. The
//! server stops or evicts a connection by shutting its socket down, which ends whatever
//! read it waits in.

use std::convert::Infallible;
use std::future::{Future, poll_fn};
use std::io::{self, Write as _};
use std::net::{SocketAddr, TcpStream};
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::pin::{Pin, pin};
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::task::{Context, Poll, Wake, Waker};
use std::time::{Duration, Instant};

use bytes::Bytes;
use http::header::{self, HeaderValue};
use http_body::{Frame, SizeHint};
use http_body_util::{BodyExt as _, LengthLimitError, Limited};
use hyper::body::Incoming;

use super::gate::{Gate, close_lingering};
use super::reject::{Reject, refusal_bytes, reject};
use super::state::ConnState;
use super::stream::Stream;
use super::{Body, Limits, Peer, PeerCertificates, Request, Response, STOP_GRACE, Shared, Ticket};

/// A socket timeout of zero would mean none at all.
const MIN_SEND_WAIT: Duration = Duration::from_millis(1);

/// The TLS handshake of a connection to a TLS server, within the head deadline (a client
/// that stalls in the handshake is closed like one that stalls in its request head); the
/// client's certificates, if it sent any. `None`: the handshake failed or took too long.
fn handshake(
    mut tcp: TcpStream,
    config: &Arc<rustls::ServerConfig>,
    limits: &Limits,
    accepted: Instant,
) -> Option<(Stream, Option<Arc<PeerCertificates>>)> {
    let deadline = accepted + limits.head_timeout;
    let mut tls = rustls::ServerConnection::new(Arc::clone(config)).ok()?;
    while tls.is_handshaking() {
        while tls.wants_write() {
            tls.write_tls(&mut tcp).ok()?;
        }
        if !tls.is_handshaking() {
            break;
        }
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() {
            return None;
        }
        tcp.set_read_timeout(Some(left)).ok()?;
        match tls.read_tls(&mut tcp) {
            Ok(0) => return None,
            Ok(_) => {}
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(_) => return None,
        }
        if tls.process_new_packets().is_err() {
            // The alert that says why.
            let _ = tls.write_tls(&mut tcp);
            return None;
        }
    }
    while tls.wants_write() {
        tls.write_tls(&mut tcp).ok()?;
    }
    let certs = tls.peer_certificates().map(|chain| {
        Arc::new(PeerCertificates(
            chain.iter().map(|c| c.as_ref().to_vec()).collect(),
        ))
    });
    let stream = rustls::StreamOwned::new(tls, tcp);
    Some((Stream::Tls(Box::new(stream)), certs))
}

/// Serves one connection until it ends, or until the server shuts its socket down (to stop,
/// or to make room for a newer one).
pub(super) fn serve(
    tcp: TcpStream,
    peer: SocketAddr,
    shared: &Arc<Shared>,
    state: &Arc<ConnState>,
    ticket: Option<Ticket>,
) {
    let accepted = Instant::now();
    let _ = tcp.set_nodelay(true);
    // Each write of an answer waits at most this long (the gate also stops starting them
    // once the answer's deadline has passed).
    let _ = tcp.set_write_timeout(Some(shared.limits.body_timeout.max(MIN_SEND_WAIT)));
    let (stream, certs) = match &shared.tls {
        None => (Stream::Plain(tcp), None),
        Some(config) => match handshake(tcp, config, &shared.limits, accepted) {
            Some(tls) => tls,
            None => return,
        },
    };
    let gate = Gate::new(
        stream,
        Arc::clone(shared),
        Arc::clone(state),
        ticket,
        accepted,
    );
    let service = Service {
        shared: Arc::clone(shared),
        state: Arc::clone(state),
        peer: Peer {
            addr: peer,
            certificates: certs,
        },
    };
    let mut conn = shared.http.serve_connection(gate, service);
    let clean = block_on(poll_fn(|cx| conn.poll_without_shutdown(cx))).is_ok();
    let linger = !clean || state.linger.load(Ordering::SeqCst);
    conn.into_parts().io.finish(linger);
}

/// Answers a connection that is not served (over the cap): `status`, then a lingering close.
pub(super) fn refuse(tcp: TcpStream, status: u16, message: &'static str) {
    let _ = tcp.set_write_timeout(Some(STOP_GRACE));
    let mut stream = Stream::Plain(tcp);
    let _ = stream.write_all(&refusal_bytes(status, message));
    close_lingering(&mut stream);
}

/// Wakes the connection's thread.
struct ThreadWaker(std::thread::Thread);

impl Wake for ThreadWaker {
    fn wake(self: Arc<Self>) {
        self.0.unpark();
    }

    fn wake_by_ref(self: &Arc<Self>) {
        self.0.unpark();
    }
}

/// Runs `fut` to its end on this thread, parking the thread while it waits. Everything the
/// connection's future waits for is done on this same thread (reads and writes block in
/// the gate), so a wake-up is a flag the next `park` finds, not a system call.
fn block_on<F: Future>(fut: F) -> F::Output {
    let mut fut = pin!(fut);
    let waker = Waker::from(Arc::new(ThreadWaker(std::thread::current())));
    let mut cx = Context::from_waker(&waker);
    loop {
        if let Poll::Ready(out) = fut.as_mut().poll(&mut cx) {
            return out;
        }
        std::thread::park();
    }
}

/// A refusal as an answer hyper writes (the request head was fine, its body was not).
fn refusal(r: Reject) -> Response {
    let mut resp = Response::new(Body::from(format!("{}\n", r.message)));
    *resp.status_mut() =
        http::StatusCode::from_u16(r.status).unwrap_or(http::StatusCode::INTERNAL_SERVER_ERROR);
    let h = resp.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/plain; charset=utf-8"),
    );
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.insert(header::CONNECTION, HeaderValue::from_static("close"));
    resp
}

/// hyper's view of the handler.
struct Service {
    shared: Arc<Shared>,
    state: Arc<ConnState>,
    peer: Peer,
}

impl hyper::service::Service<http::Request<Incoming>> for Service {
    type Response = http::Response<Tracked>;
    type Error = Infallible;
    type Future = Answer;

    fn call(&self, req: http::Request<Incoming>) -> Self::Future {
        use http_body::Body as _;
        if req.body().is_end_stream() {
            // Nothing to read (most `GET`s): answered here, with no future to allocate.
            let (parts, _) = req.into_parts();
            let resp = answer(&self.shared, &self.state, &self.peer, parts, Bytes::new());
            return Answer::Ready(Some(track(resp, &self.state)));
        }
        let shared = Arc::clone(&self.shared);
        let state = Arc::clone(&self.state);
        let peer = self.peer.clone();
        Answer::Reading(Box::pin(async move {
            let (parts, body) = req.into_parts();
            let resp = match read_body(body, &shared, &state).await {
                Ok(body) => answer(&shared, &state, &peer, parts, body),
                Err(r) => {
                    state.linger.store(true, Ordering::SeqCst);
                    refusal(r)
                }
            };
            track(resp, &state)
        }))
    }
}

/// The answer to one request: ready at once, or once its body has been read.
pub(super) enum Answer {
    Ready(Option<http::Response<Tracked>>),
    Reading(Pin<Box<dyn Future<Output = http::Response<Tracked>> + Send>>),
}

impl Future for Answer {
    type Output = Result<http::Response<Tracked>, Infallible>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        match self.get_mut() {
            // Polled again after it was ready (hyper never does): a 500 rather than a panic.
            Self::Ready(resp) => Poll::Ready(Ok(resp.take().unwrap_or_else(|| {
                refusal(reject(500, "the server could not answer")).map(Tracked::detached)
            }))),
            Self::Reading(fut) => fut.as_mut().poll(cx).map(Ok),
        }
    }
}

/// `resp` with a body that tells the gate when hyper is done with it.
fn track(resp: Response, state: &Arc<ConnState>) -> http::Response<Tracked> {
    resp.map(|body| Tracked {
        body,
        state: Some(Arc::clone(state)),
    })
}

/// Runs the handler on a request whose body has been read, and makes its answer safe to send.
fn answer(
    shared: &Shared,
    state: &ConnState,
    peer: &Peer,
    parts: http::request::Parts,
    body: Bytes,
) -> Response {
    state.answering.store(true, Ordering::SeqCst);
    let request = Request::from_parts(parts, body);
    // A panicking handler must not take the connection, or the server, with it.
    let Ok(mut resp) = catch_unwind(AssertUnwindSafe(|| (shared.handler)(request, peer))) else {
        return refusal(reject(500, "the server could not answer"));
    };
    let close = sanitize(resp.headers_mut());
    if close {
        resp.headers_mut()
            .insert(header::CONNECTION, HeaderValue::from_static("close"));
    }
    resp
}

/// The whole body, at most `max_body` bytes, within `body_timeout` (the gate's deadline).
async fn read_body(body: Incoming, shared: &Shared, state: &ConnState) -> Result<Bytes, Reject> {
    use http_body::Body as _;
    if body.is_end_stream() {
        return Ok(Bytes::new());
    }
    match Limited::new(body, shared.limits.max_body).collect().await {
        Ok(collected) => Ok(collected.to_bytes()),
        Err(e) if e.downcast_ref::<LengthLimitError>().is_some() => {
            Err(reject(413, "request body too large"))
        }
        Err(_) if state.body_late.load(Ordering::SeqCst) => {
            Err(reject(408, "request body not received in time"))
        }
        Err(_) => Err(reject(400, "the request body is malformed or incomplete")),
    }
}

/// Headers whose meaning belongs to the connection or the framing, which the server writes
/// itself; a handler's copies are dropped.
const SERVER_OWNED: &[header::HeaderName] = &[
    header::CONNECTION,
    header::CONTENT_LENGTH,
    header::TRAILER,
    header::TRANSFER_ENCODING,
    header::UPGRADE,
];

/// Drops the handler's headers that belong to the server; returns whether it asked for the
/// connection to close (`Connection: close`).
fn sanitize(headers: &mut http::HeaderMap) -> bool {
    let server_owned = |name: &header::HeaderName| {
        SERVER_OWNED.contains(name) || matches!(name.as_str(), "keep-alive" | "proxy-connection")
    };
    // Most answers carry none of them: one pass over their few names, no lookups.
    if !headers.keys().any(server_owned) {
        return false;
    }
    let close = headers
        .get_all(header::CONNECTION)
        .iter()
        .any(|v| v.as_bytes().eq_ignore_ascii_case(b"close"));
    let owned: Vec<header::HeaderName> = headers
        .keys()
        .filter(|n| server_owned(n))
        .cloned()
        .collect();
    for name in owned {
        headers.remove(name);
    }
    close
}

/// The answer's body, telling the gate when hyper has let go of it (the answer is then
/// complete in hyper's buffer, and out once flushed).
pub(super) struct Tracked {
    body: Body,
    state: Option<Arc<ConnState>>,
}

impl Tracked {
    /// A body nobody waits for.
    fn detached(body: Body) -> Self {
        Self { body, state: None }
    }
}

impl Drop for Tracked {
    fn drop(&mut self) {
        if let Some(state) = &self.state {
            state.response_done.store(true, Ordering::SeqCst);
        }
    }
}

impl http_body::Body for Tracked {
    type Data = Bytes;
    type Error = Infallible;

    fn poll_frame(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, Infallible>>> {
        Pin::new(&mut self.get_mut().body).poll_frame(cx)
    }

    fn is_end_stream(&self) -> bool {
        self.body.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.body.size_hint()
    }
}
