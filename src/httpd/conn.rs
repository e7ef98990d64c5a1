//! One connection: hyper serves it through the gate; the service collects each request's
//! body under its cap and deadline, calls the handler (catching a panic) and cleans up its
//! answer; the driver stops the connection when the server stops or needs the room, and
//! closes it, lingering after a refusal.

use std::convert::Infallible;
use std::future::{Future, poll_fn};
use std::net::SocketAddr;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::pin::{Pin, pin};
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::task::{Context, Poll};

use bytes::Bytes;
use http::header::{self, HeaderValue};
use http_body::{Frame, SizeHint};
use http_body_util::{BodyExt as _, LengthLimitError, Limited};
use hyper::body::Incoming;
use tokio::net::TcpStream;
use tokio::sync::watch;

use super::gate::{ConnState, Gate, Stream, close_lingering};
use super::reject::{Reject, refusal_bytes, reject};
use super::{Body, Peer, PeerCertificates, Request, Response, STOP_GRACE, Shared, Ticket};

/// How a connection's serving ended.
enum End {
    /// hyper is done with it (`false`: with an error, e.g. a head it refused).
    Done(bool),
    /// The server is stopping.
    Stopped,
    /// It was closed to make room for a newer one.
    Evicted,
}

/// The TLS handshake of a connection to a TLS server, within the head deadline (a client
/// that stalls in the handshake is closed like one that stalls in its request head); the
/// client's certificates, if it sent any. `None`: the handshake failed or took too long.
async fn handshake(
    tcp: TcpStream,
    acceptor: &tokio_rustls::TlsAcceptor,
    shared: &Shared,
) -> Option<(Stream, Option<Arc<PeerCertificates>>)> {
    let tls = tokio::time::timeout(shared.limits.head_timeout, acceptor.accept(tcp))
        .await
        .ok()?
        .ok()?;
    let certs = tls.get_ref().1.peer_certificates().map(|chain| {
        Arc::new(PeerCertificates(
            chain.iter().map(|c| c.as_ref().to_vec()).collect(),
        ))
    });
    Some((Stream::Tls(Box::new(tls)), certs))
}

/// Serves one connection until it ends, the server stops or it must make room.
pub(super) async fn serve(
    stream: TcpStream,
    peer: SocketAddr,
    shared: Arc<Shared>,
    mut stop: watch::Receiver<bool>,
    mut ticket: Option<Ticket>,
) {
    let _ = stream.set_nodelay(true);
    let (stream, certs) = match &shared.tls {
        None => (Stream::Plain(stream), None),
        Some(acceptor) => match handshake(stream, acceptor, &shared).await {
            Some(tls) => tls,
            None => return,
        },
    };
    let state = Arc::new(ConnState::default());
    let evicted = ticket.as_mut().and_then(Ticket::take_closed);
    let gate = Gate::new(stream, Arc::clone(&shared), Arc::clone(&state), ticket);
    let service = Service {
        shared: Arc::clone(&shared),
        state: Arc::clone(&state),
        peer: Peer {
            addr: peer,
            certificates: certs,
        },
    };
    let mut conn = shared.http.serve_connection(gate, service);
    let end = {
        let mut stopping = pin!(stop.wait_for(|s| *s));
        let mut evicted = pin!(async move {
            // Closing the ticket without a signal (the head arrived) is no eviction.
            let signalled = match evicted {
                Some(rx) => rx.await.is_ok(),
                None => false,
            };
            if !signalled {
                std::future::pending::<()>().await;
            }
        });
        poll_fn(|cx| {
            if let Poll::Ready(r) = conn.poll_without_shutdown(cx) {
                return Poll::Ready(End::Done(r.is_ok()));
            }
            if evicted.as_mut().poll(cx).is_ready() {
                return Poll::Ready(End::Evicted);
            }
            if stopping.as_mut().poll(cx).is_ready() {
                return Poll::Ready(End::Stopped);
            }
            Poll::Pending
        })
        .await
    };
    let clean = match end {
        End::Done(ok) => ok,
        End::Stopped if state.answering.load(Ordering::SeqCst) => {
            // Let the answer being written finish, then close.
            Pin::new(&mut conn).graceful_shutdown();
            let finished =
                tokio::time::timeout(STOP_GRACE, poll_fn(|cx| conn.poll_without_shutdown(cx)))
                    .await;
            matches!(finished, Ok(Ok(())))
        }
        // Dropping the connection closes the socket.
        End::Stopped | End::Evicted => return,
    };
    let linger = !clean || state.linger.load(Ordering::SeqCst);
    conn.into_parts().io.finish(linger).await;
}

/// Answers a connection that is not served (over the cap): `status`, then a lingering close.
pub(super) async fn refuse(mut stream: TcpStream, status: u16, message: &'static str) {
    use tokio::io::AsyncWriteExt as _;
    let answer = refusal_bytes(status, message);
    let _ = tokio::time::timeout(STOP_GRACE, stream.write_all(&answer)).await;
    close_lingering(&mut stream).await;
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
            let resp = match read_body(body, &shared).await {
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
    // The gate cannot find the end of a chunked body: the connection ends after it.
    let chunked = parts.headers.contains_key(header::TRANSFER_ENCODING);
    state.answering.store(true, Ordering::SeqCst);
    let request = Request::from_parts(parts, body);
    // A panicking handler must not take the connection, or the server, with it.
    let Ok(mut resp) = catch_unwind(AssertUnwindSafe(|| (shared.handler)(request, peer))) else {
        return refusal(reject(500, "the server could not answer"));
    };
    let close = sanitize(resp.headers_mut());
    if close || chunked {
        resp.headers_mut()
            .insert(header::CONNECTION, HeaderValue::from_static("close"));
    }
    resp
}

/// The whole body, at most `max_body` bytes, within `body_timeout`.
async fn read_body(body: Incoming, shared: &Shared) -> Result<Bytes, Reject> {
    use http_body::Body as _;
    if body.is_end_stream() {
        return Ok(Bytes::new());
    }
    let limits = &shared.limits;
    let collect = Limited::new(body, limits.max_body).collect();
    match tokio::time::timeout(limits.body_timeout, collect).await {
        Ok(Ok(collected)) => Ok(collected.to_bytes()),
        Ok(Err(e)) if e.downcast_ref::<LengthLimitError>().is_some() => {
            Err(reject(413, "request body too large"))
        }
        Ok(Err(_)) => Err(reject(400, "the request body is malformed or incomplete")),
        Err(_) => Err(reject(408, "request body not received in time")),
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
