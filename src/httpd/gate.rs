//! The gate between a connection's socket and hyper. It reads each request head itself,
//! checks it with `httparse` against the [`Limits`] while the bytes arrive, and hands hyper
//! exactly one checked head and then exactly that request's body; the next head waits in
//! the gate until the answer has been written. So every head hyper parses has passed the
//! checks, every deadline is the gate's own (one per head, never extended by a trickle), and
//! a refusal is written by the connection driver after hyper has let go of the socket.
//!
//! A chunked body passes through as it comes (hyper decodes it; the driver caps it); the
//! gate cannot tell where it ends without decoding it, so the connection closes after that
//! request.

use std::future::Future;
use std::io;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::task::{Context, Poll, ready};
use std::time::Duration;

use bytes::{Buf, BufMut, BytesMut};
use hyper::rt::ReadBufCursor;
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt, ReadBuf};
use tokio::net::TcpStream;
use tokio::time::{Instant, Sleep};

use super::head::{Next, check_head, check_partial};
use super::{Limits, Shared, Ticket};

/// The most bytes one read asks the socket for.
const READ_CHUNK: usize = 16 * 1024;
/// A lingering close reads and drops at most this much, for at most this long.
const LINGER_BYTES: usize = 1024 * 1024;
const LINGER_TIME: Duration = Duration::from_secs(1);

/// What the gate, the service and the driver of one connection tell each other.
#[derive(Debug, Default)]
pub(super) struct ConnState {
    /// The request has been read whole and is being answered.
    pub answering: AtomicBool,
    /// hyper has let go of the answer's body: once flushed, the answer is out.
    pub response_done: AtomicBool,
    /// The answer refused the request: close lingering.
    pub linger: AtomicBool,
}

/// Why a request was refused before reaching the handler.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Reject {
    pub status: u16,
    pub message: &'static str,
}

pub(super) const fn reject(status: u16, message: &'static str) -> Reject {
    Reject { status, message }
}

/// Where a request is.
#[derive(Debug, Clone, Copy)]
enum Phase {
    /// Waiting for a request head; `first_byte` once it has begun.
    Head { first_byte: Option<Instant> },
    /// Handing `left` bytes of a checked head to hyper, then `next`.
    Handover { left: usize, next: Next },
    /// Passing `remaining` bytes of a `Content-Length` body.
    Body { remaining: usize },
    /// Passing a chunked body (and anything after it) through.
    Chunked,
    /// The request went to hyper whole; waiting for the answer to be written.
    Answering,
    /// Refused or timed out: hyper gets errors from here on.
    Closed,
}

/// What a passed deadline means.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Expiry {
    /// No request began in time: close quietly.
    Idle,
    /// A request head did not arrive whole in time: `408`.
    Head,
    /// A body or an answer took far too long: close.
    Stalled,
}

/// A connection's byte stream: plain TCP, or TLS over TCP ([`super::Options::tls`]).
pub(crate) enum Stream {
    Plain(TcpStream),
    Tls(Box<tokio_rustls::server::TlsStream<TcpStream>>),
}

impl Stream {
    /// Whether data may be read: the socket's readiness for plain TCP. Under TLS the socket
    /// says nothing about decrypted data, so the answer is always "maybe" and the read
    /// itself finds out (a spurious wake-up at most).
    fn poll_read_ready(&self, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        match self {
            Self::Plain(s) => s.poll_read_ready(cx),
            Self::Tls(_) => Poll::Ready(Ok(())),
        }
    }
}

impl AsyncRead for Stream {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        match self.get_mut() {
            Self::Plain(s) => Pin::new(s).poll_read(cx, buf),
            Self::Tls(s) => Pin::new(s.as_mut()).poll_read(cx, buf),
        }
    }
}

impl AsyncWrite for Stream {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        match self.get_mut() {
            Self::Plain(s) => Pin::new(s).poll_write(cx, buf),
            Self::Tls(s) => Pin::new(s.as_mut()).poll_write(cx, buf),
        }
    }

    fn poll_write_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        match self.get_mut() {
            Self::Plain(s) => Pin::new(s).poll_write_vectored(cx, bufs),
            Self::Tls(s) => Pin::new(s.as_mut()).poll_write_vectored(cx, bufs),
        }
    }

    fn is_write_vectored(&self) -> bool {
        match self {
            Self::Plain(s) => s.is_write_vectored(),
            Self::Tls(s) => s.is_write_vectored(),
        }
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        match self.get_mut() {
            Self::Plain(s) => Pin::new(s).poll_flush(cx),
            Self::Tls(s) => Pin::new(s.as_mut()).poll_flush(cx),
        }
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        match self.get_mut() {
            Self::Plain(s) => Pin::new(s).poll_shutdown(cx),
            Self::Tls(s) => Pin::new(s.as_mut()).poll_shutdown(cx),
        }
    }
}

/// The socket as hyper sees it.
pub(super) struct Gate {
    stream: Stream,
    shared: Arc<Shared>,
    state: Arc<ConnState>,
    /// Bytes read from the socket and not handed to hyper yet.
    pre: BytesMut,
    /// How much of `pre` was already looked at for a line end.
    scanned: usize,
    phase: Phase,
    /// When the current phase began.
    since: Instant,
    accepted: Instant,
    first_request: bool,
    eof: bool,
    /// The socket's read readiness is armed (its last read was pending).
    armed: bool,
    sleep: Pin<Box<Sleep>>,
    sleep_at: Option<Instant>,
    rejection: Option<Reject>,
    ticket: Option<Ticket>,
}

impl Gate {
    pub(super) fn new(
        stream: Stream,
        shared: Arc<Shared>,
        state: Arc<ConnState>,
        ticket: Option<Ticket>,
    ) -> Self {
        let now = Instant::now();
        Self {
            stream,
            shared,
            state,
            pre: BytesMut::new(),
            scanned: 0,
            phase: Phase::Head { first_byte: None },
            since: now,
            accepted: now,
            first_request: true,
            eof: false,
            armed: false,
            sleep: Box::pin(tokio::time::sleep_until(now)),
            sleep_at: None,
            rejection: None,
            ticket,
        }
    }

    fn limits(&self) -> &Limits {
        &self.shared.limits
    }

    fn enter(&mut self, phase: Phase) {
        self.phase = phase;
        self.since = Instant::now();
    }

    /// Refuses the request: the driver writes `r` once hyper has let go.
    fn refuse(&mut self, r: Reject) -> io::Error {
        self.rejection = Some(r);
        self.phase = Phase::Closed;
        io::Error::other(r.message)
    }

    /// The current deadline and what passing it means.
    fn deadline(&self) -> Option<(Instant, Expiry)> {
        let l = self.limits();
        match self.phase {
            Phase::Head { .. } if self.first_request && l.head_timeout_from_connect => {
                Some((self.accepted + l.head_timeout, Expiry::Head))
            }
            Phase::Head {
                first_byte: Some(t),
            } => Some((t + l.head_timeout, Expiry::Head)),
            Phase::Head { first_byte: None } => Some((self.since + l.idle_timeout, Expiry::Idle)),
            // The driver answers a late body with 408 first; this only catches a stall.
            Phase::Body { .. } => Some((
                self.since + l.body_timeout + Duration::from_secs(1),
                Expiry::Stalled,
            )),
            Phase::Chunked => Some((
                self.since + l.body_timeout * 2 + Duration::from_secs(1),
                Expiry::Stalled,
            )),
            Phase::Answering => Some((self.since + l.body_timeout, Expiry::Stalled)),
            Phase::Handover { .. } | Phase::Closed => None,
        }
    }

    /// Whether the current deadline has passed (registering a wake-up for it otherwise).
    /// The timer is moved only to an earlier instant: a timer set for an earlier deadline
    /// that no longer holds is moved on when it fires, which is rarer than every request.
    fn poll_deadline(&mut self, cx: &mut Context<'_>) -> Option<Expiry> {
        let (at, expiry) = self.deadline()?;
        if self.sleep_at.is_none_or(|armed| armed > at) {
            self.sleep.as_mut().reset(at);
            self.sleep_at = Some(at);
        }
        while self.sleep.as_mut().poll(cx).is_ready() {
            if self.sleep_at == Some(at) {
                return Some(expiry);
            }
            self.sleep.as_mut().reset(at);
            self.sleep_at = Some(at);
        }
        None
    }

    /// Reads at most `max` more bytes from the socket into `pre`; `Ok(0)` at the end.
    fn poll_fill(&mut self, cx: &mut Context<'_>, max: usize) -> Poll<io::Result<usize>> {
        if max == 0 {
            return Poll::Ready(Ok(0));
        }
        let Stream::Plain(stream) = &mut self.stream else {
            return self.poll_fill_tls(cx, max);
        };
        loop {
            if stream.poll_read_ready(cx).is_pending() {
                self.armed = true;
                return Poll::Pending;
            }
            self.armed = false;
            self.pre.reserve(max.min(READ_CHUNK));
            let asked = (self.pre.capacity() - self.pre.len()).min(max);
            match stream.try_read_buf(&mut (&mut self.pre).limit(max)) {
                Ok(0) => {
                    self.eof = true;
                    return Poll::Ready(Ok(0));
                }
                Ok(n) => {
                    if n < asked {
                        // A short read emptied the socket: forget its readiness now rather
                        // than learn it from one more read that fails. Data that arrives
                        // later makes it ready again (and an end of stream is never
                        // forgotten).
                        let _ = stream.try_io(tokio::io::Interest::READABLE, || {
                            Err::<(), _>(io::ErrorKind::WouldBlock.into())
                        });
                    }
                    return Poll::Ready(Ok(n));
                }
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => {}
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => return Poll::Ready(Err(e)),
            }
        }
    }

    /// [`Gate::poll_fill`] under TLS: a read of decrypted bytes, which registers for the
    /// socket's readiness itself when none are there.
    fn poll_fill_tls(&mut self, cx: &mut Context<'_>, max: usize) -> Poll<io::Result<usize>> {
        let mut chunk = [0u8; READ_CHUNK];
        let mut buf = ReadBuf::new(&mut chunk[..max.min(READ_CHUNK)]);
        match Pin::new(&mut self.stream).poll_read(cx, &mut buf) {
            Poll::Pending => {
                self.armed = true;
                Poll::Pending
            }
            Poll::Ready(Ok(())) => {
                self.armed = false;
                let n = buf.filled().len();
                if n == 0 {
                    self.eof = true;
                }
                self.pre.extend_from_slice(buf.filled());
                Poll::Ready(Ok(n))
            }
            Poll::Ready(Err(e)) => Poll::Ready(Err(e)),
        }
    }

    /// Waits for a whole, checked request head. `Ok(None)`: the connection ended (or idled
    /// out) between requests.
    fn poll_head(&mut self, cx: &mut Context<'_>) -> Poll<io::Result<Option<(usize, Next)>>> {
        loop {
            // Empty lines before a request line are ignored (RFC 9112 §2.2).
            let blank = self
                .pre
                .iter()
                .take_while(|&&b| b == b'\r' || b == b'\n')
                .count();
            if blank > 0 {
                self.pre.advance(blank);
                self.scanned = self.scanned.saturating_sub(blank);
            }
            if !self.pre.is_empty() {
                if let Phase::Head { first_byte: None } = self.phase {
                    self.phase = Phase::Head {
                        first_byte: Some(Instant::now()),
                    };
                }
                // The head can only be complete, and its counts only change, at a line end.
                let fresh = self.pre.get(self.scanned..).unwrap_or_default();
                let check = if fresh.contains(&b'\n') || self.eof {
                    check_head(&self.pre, self.limits(), self.shared.absolute_form)
                } else {
                    check_partial(&self.pre, self.limits()).map(|()| None)
                };
                self.scanned = self.pre.len();
                match check {
                    Ok(Some(head)) => return Poll::Ready(Ok(Some(head))),
                    Ok(None) => {}
                    Err(r) => return Poll::Ready(Err(self.refuse(r))),
                }
            }
            if self.eof {
                return Poll::Ready(Ok(None));
            }
            let room = (self.limits().max_head + 1).saturating_sub(self.pre.len());
            match self.poll_fill(cx, room.max(1)) {
                Poll::Ready(Ok(0)) => return Poll::Ready(Ok(None)),
                Poll::Ready(Ok(_)) => continue,
                Poll::Ready(Err(e)) => return Poll::Ready(Err(e)),
                Poll::Pending => {}
            }
            return match self.poll_deadline(cx) {
                None => Poll::Pending,
                Some(Expiry::Head) => Poll::Ready(Err(
                    self.refuse(reject(408, "request head not received in time"))
                )),
                Some(Expiry::Idle | Expiry::Stalled) => {
                    self.phase = Phase::Closed;
                    Poll::Ready(Ok(None))
                }
            };
        }
    }

    /// After the head has been handed over.
    fn after_head(&mut self, next: Next) {
        if self.first_request {
            self.first_request = false;
            // The connection is no longer waiting for its request.
            self.ticket = None;
        }
        match next {
            Next::Body(n) => self.enter(Phase::Body { remaining: n }),
            Next::Chunked => self.enter(Phase::Chunked),
            Next::Answer => self.enter(Phase::Answering),
        }
    }

    /// Passes body bytes from `pre` (reading the socket when it is empty), at most `limit`.
    fn poll_pass(
        &mut self,
        cx: &mut Context<'_>,
        buf: &mut ReadBufCursor<'_>,
        limit: usize,
    ) -> Poll<io::Result<usize>> {
        if self.pre.is_empty() {
            match self.poll_fill(cx, limit.min(READ_CHUNK)) {
                Poll::Ready(Ok(0)) => return Poll::Ready(Ok(0)),
                Poll::Ready(Ok(_)) => {}
                Poll::Ready(Err(e)) => return Poll::Ready(Err(e)),
                Poll::Pending => {
                    if self.poll_deadline(cx).is_some() {
                        self.phase = Phase::Closed;
                        return Poll::Ready(Err(io::ErrorKind::TimedOut.into()));
                    }
                    return Poll::Pending;
                }
            }
        }
        let n = limit.min(self.pre.len()).min(buf.remaining());
        buf.put_slice(&self.pre[..n]);
        self.pre.advance(n);
        self.scanned = 0;
        Poll::Ready(Ok(n))
    }

    /// While an answer is on its way: keep what the client sends next (up to a head's worth)
    /// for later, note its end, and never give hyper anything.
    fn poll_answering(&mut self, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let cap = self.limits().max_head + READ_CHUNK;
        while self.pre.len() < cap && !self.eof {
            match self.poll_fill(cx, cap - self.pre.len()) {
                Poll::Ready(Ok(_)) => {}
                Poll::Ready(Err(e)) => return Poll::Ready(Err(e)),
                Poll::Pending => break,
            }
        }
        if self.poll_deadline(cx).is_some() {
            self.phase = Phase::Closed;
            return Poll::Ready(Err(io::ErrorKind::TimedOut.into()));
        }
        Poll::Pending
    }

    /// Ends the connection: writes the refusal, if any, and closes lingering when the
    /// request was refused (`linger`), so that the client reads the status.
    pub(super) async fn finish(mut self, linger: bool) {
        let mut linger = linger;
        if let Some(r) = self.rejection {
            let answer = super::conn::refusal_bytes(r.status, r.message);
            let _ = tokio::time::timeout(LINGER_TIME, self.stream.write_all(&answer)).await;
            linger = true;
        }
        if linger {
            close_lingering(&mut self.stream).await;
        } else {
            let _ = self.stream.shutdown().await;
        }
    }
}

/// Shuts the write side, then reads and drops what the client still sends (at most 1 MiB,
/// for at most a second), then closes: closing with unread data would reset the connection
/// and could destroy the answer before the client reads it.
pub(super) async fn close_lingering(stream: &mut (impl AsyncRead + AsyncWrite + Unpin)) {
    let _ = stream.flush().await;
    let _ = stream.shutdown().await;
    let _ = tokio::time::timeout(LINGER_TIME, async {
        let mut sink = vec![0u8; 8 * 1024];
        let mut drained = 0usize;
        while drained < LINGER_BYTES {
            match stream.read(&mut sink).await {
                Ok(0) | Err(_) => break,
                Ok(n) => drained += n,
            }
        }
    })
    .await;
}

impl hyper::rt::Read for Gate {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        mut buf: ReadBufCursor<'_>,
    ) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        loop {
            match this.phase {
                Phase::Closed => return Poll::Ready(Ok(())),
                Phase::Head { .. } => match ready!(this.poll_head(cx)) {
                    Ok(Some((len, next))) => this.phase = Phase::Handover { left: len, next },
                    // The end: hyper sees no bytes.
                    Ok(None) => return Poll::Ready(Ok(())),
                    Err(e) => return Poll::Ready(Err(e)),
                },
                Phase::Handover { left, next } => {
                    let n = left.min(buf.remaining());
                    buf.put_slice(&this.pre[..n]);
                    this.pre.advance(n);
                    this.scanned = 0;
                    if n == left {
                        this.after_head(next);
                    } else {
                        this.phase = Phase::Handover {
                            left: left - n,
                            next,
                        };
                    }
                    return Poll::Ready(Ok(()));
                }
                Phase::Body { remaining } => {
                    let n = ready!(this.poll_pass(cx, &mut buf, remaining))?;
                    if n == remaining {
                        this.enter(Phase::Answering);
                    } else {
                        this.phase = Phase::Body {
                            remaining: remaining - n,
                        };
                    }
                    return Poll::Ready(Ok(()));
                }
                Phase::Chunked => {
                    ready!(this.poll_pass(cx, &mut buf, usize::MAX))?;
                    return Poll::Ready(Ok(()));
                }
                Phase::Answering => return this.poll_answering(cx),
            }
        }
    }
}

impl hyper::rt::Write for Gate {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        let this = self.get_mut();
        match Pin::new(&mut this.stream).poll_write(cx, buf) {
            Poll::Pending => this.write_stalled(cx),
            ready @ Poll::Ready(_) => ready,
        }
    }

    fn poll_write_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        let this = self.get_mut();
        match Pin::new(&mut this.stream).poll_write_vectored(cx, bufs) {
            Poll::Pending => this.write_stalled(cx),
            ready @ Poll::Ready(_) => ready,
        }
    }

    fn is_write_vectored(&self) -> bool {
        self.stream.is_write_vectored()
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        ready!(Pin::new(&mut this.stream).poll_flush(cx))?;
        // Everything hyper buffered is written: if that included the end of the answer,
        // the next request head may go to hyper.
        if matches!(this.phase, Phase::Answering)
            && this.state.response_done.swap(false, Ordering::SeqCst)
        {
            this.state.answering.store(false, Ordering::SeqCst);
            this.enter(Phase::Head { first_byte: None });
            // hyper reads the next request only when woken: by the socket, once the client
            // sends it, or now if it is here already.
            let waiting = !this.armed && this.stream.poll_read_ready(cx).is_pending();
            if waiting {
                this.armed = true;
            } else if !this.armed || !this.pre.is_empty() || this.eof {
                cx.waker().wake_by_ref();
            }
        }
        Poll::Ready(Ok(()))
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().stream).poll_shutdown(cx)
    }
}

impl Gate {
    fn write_stalled(&mut self, cx: &mut Context<'_>) -> Poll<io::Result<usize>> {
        if self.poll_deadline(cx).is_some() {
            self.phase = Phase::Closed;
            return Poll::Ready(Err(io::ErrorKind::TimedOut.into()));
        }
        Poll::Pending
    }
}
