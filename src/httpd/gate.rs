//! The gate between a connection's socket and hyper. It reads each request head itself,
//! checks it with `httparse` against the [`Limits`] while the bytes arrive, and hands hyper
//! exactly one checked head and then exactly that request's body; the next head waits in
//! the gate until the answer has been written. So every head hyper parses has passed the
//! checks, every deadline is the gate's own (one per head, never extended by a trickle), and
//! a refusal is written by the connection driver after hyper has let go of the socket.
//!
//! The socket is blocking and the connection has a thread of its own: a read waits in the
//! kernel until bytes arrive or the phase's deadline passes (the socket's receive timeout
//! is what is left of it), so a request costs one `recv` and one `send`, with no readiness
//! polling and no wake-up of another thread. hyper is only ever told "not now" while an
//! answer is being produced, when there is nothing for it to read anyway.
//!
//! A chunked body is passed on one framing unit at a time (a size line, data, the line end
//! after the data, a trailer line), each checked as strictly as hyper checks it, so the gate
//! knows where the body ends and the next head goes through the checks like any other.

use std::io::{self, Read as _, Write as _};
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::task::{Context, Poll, ready};
use std::time::{Duration, Instant};

use bytes::{Buf, BytesMut};
use hyper::rt::ReadBufCursor;

use super::chunked::{self, Chunk};
use super::head::{Next, check_head, check_partial};
use super::reject::{Reject, refusal_bytes, reject};
use super::state::ConnState;
use super::stream::{Stream, again};
use super::{Limits, Shared, Ticket};

/// The most bytes one read asks the socket for.
const READ_CHUNK: usize = 16 * 1024;
/// A lingering close reads and drops at most this much, for at most this long.
const LINGER_BYTES: usize = 1024 * 1024;
const LINGER_TIME: Duration = Duration::from_secs(1);
/// What is left of a deadline below this counts as passed (a zero socket timeout would mean
/// "wait forever").
const MIN_WAIT: Duration = Duration::from_millis(1);
/// The socket's receive timeout is set again only when it differs from what is left of the
/// deadline by more than this: a connection kept alive then waits for each next request
/// without a `setsockopt` per request.
const TIMEOUT_SLACK: Duration = Duration::from_millis(20);
/// hyper asks for more to read while an answer is being produced at most a few times per
/// answer; this many in a row means it waits for bytes the gate will not give (a body whose
/// end the two see differently), and the connection is closed rather than spun on.
const MAX_ANSWERING_POLLS: u32 = 64;

/// Where a request is.
#[derive(Debug, Clone, Copy)]
enum Phase {
    /// Waiting for a request head; `first_byte` once it has begun.
    Head { first_byte: Option<Instant> },
    /// Handing `left` bytes of a checked head to hyper, then `next`.
    Handover { left: usize, next: Next },
    /// Passing `remaining` bytes of a `Content-Length` body.
    Body { remaining: usize },
    /// Passing a chunked body: `vetted` bytes at the front of the buffer are checked and may
    /// go to hyper; `at` is what comes after them.
    Chunked { at: Chunk, vetted: usize },
    /// The request went to hyper whole; waiting for the answer to be written.
    Answering,
    /// Refused, timed out or ended: hyper gets the end of the stream from here on.
    Closed,
}

/// What a passed deadline means.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Expiry {
    /// No request began in time: close quietly.
    Idle,
    /// A request head did not arrive whole in time: `408`.
    Head,
    /// A request body did not arrive whole in time: `408`, from the service.
    Body,
}

/// Why a read brought nothing.
enum Stop {
    Expired(Expiry),
    Failed(io::Error),
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
    /// Where reads land before they join `pre`: allocated once per connection.
    scratch: Box<[u8]>,
    phase: Phase,
    /// When the current phase began.
    since: Instant,
    accepted: Instant,
    first_request: bool,
    eof: bool,
    /// The receive timeout the socket has now, when known.
    read_timeout: Option<Duration>,
    /// This request's body has let hyper write what it holds before the first wait for
    /// body bytes (the `100 Continue` a client may be waiting for).
    yielded: bool,
    /// hyper's reads in a row while the answer is produced.
    answering_polls: u32,
    rejection: Option<Reject>,
    ticket: Option<Ticket>,
}

impl Gate {
    pub(super) fn new(
        stream: Stream,
        shared: Arc<Shared>,
        state: Arc<ConnState>,
        ticket: Option<Ticket>,
        accepted: Instant,
    ) -> Self {
        Self {
            stream,
            shared,
            state,
            pre: BytesMut::new(),
            scanned: 0,
            scratch: vec![0; READ_CHUNK].into_boxed_slice(),
            phase: Phase::Head { first_byte: None },
            since: Instant::now(),
            accepted,
            first_request: true,
            eof: false,
            read_timeout: None,
            yielded: false,
            answering_polls: 0,
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
            Phase::Body { .. } | Phase::Chunked { .. } => {
                Some((self.since + l.body_timeout, Expiry::Body))
            }
            // Nothing is read while an answer is written (see `poll_write` for its deadline).
            Phase::Answering | Phase::Handover { .. } | Phase::Closed => None,
        }
    }

    /// Reads at most `max` more bytes from the socket into `pre`, waiting at most until the
    /// phase's deadline; `Ok(0)` at the end of the stream.
    fn fill(&mut self, max: usize) -> Result<usize, Stop> {
        let Some((at, expiry)) = self.deadline() else {
            return Ok(0);
        };
        loop {
            let left = at.saturating_duration_since(Instant::now());
            if left < MIN_WAIT {
                return Err(Stop::Expired(expiry));
            }
            self.wait_at_most(left);
            let want = max.clamp(1, READ_CHUNK);
            match self.stream.read(&mut self.scratch[..want]) {
                Ok(0) => {
                    self.eof = true;
                    return Ok(0);
                }
                Ok(n) => {
                    self.pre.extend_from_slice(&self.scratch[..n]);
                    return Ok(n);
                }
                Err(e) if again(&e) => {}
                Err(e) => return Err(Stop::Failed(e)),
            }
        }
    }

    /// Lets a read wait at most `left` (about): the socket's receive timeout is changed only
    /// when it differs from `left` by more than [`TIMEOUT_SLACK`]. One that is shorter ends a
    /// read early, and [`Gate::fill`] reads again.
    fn wait_at_most(&mut self, left: Duration) {
        if self
            .read_timeout
            .is_some_and(|t| t.abs_diff(left) <= TIMEOUT_SLACK)
        {
            return;
        }
        self.read_timeout = self
            .stream
            .tcp()
            .set_read_timeout(Some(left))
            .ok()
            .map(|()| left);
    }

    /// Waits for a whole, checked request head. `Ok(None)`: the connection ended (or idled
    /// out) between requests.
    fn read_head(&mut self) -> io::Result<Option<(usize, Next)>> {
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
                    Ok(Some(head)) => return Ok(Some(head)),
                    Ok(None) => {}
                    Err(r) => return Err(self.refuse(r)),
                }
            }
            if self.eof {
                return Ok(None);
            }
            let room = (self.limits().max_head + 1).saturating_sub(self.pre.len());
            match self.fill(room) {
                Ok(0) => return Ok(None),
                Ok(_) => {}
                Err(Stop::Failed(e)) => return Err(e),
                Err(Stop::Expired(Expiry::Head)) => {
                    return Err(self.refuse(reject(408, "request head not received in time")));
                }
                Err(Stop::Expired(_)) => {
                    self.phase = Phase::Closed;
                    return Ok(None);
                }
            }
        }
    }

    /// After the head has been handed over.
    fn after_head(&mut self, next: Next) {
        if self.first_request {
            self.first_request = false;
            // The connection is no longer waiting for its request.
            self.ticket = None;
        }
        self.yielded = false;
        match next {
            Next::Body(n) => self.enter(Phase::Body { remaining: n }),
            Next::Chunked => self.enter(Phase::Chunked {
                at: Chunk::Size,
                vetted: 0,
            }),
            Next::Answer => self.enter(Phase::Answering),
        }
    }

    /// Reads more of a body into `pre`. Before its first wait it lets hyper write what it
    /// holds (a client sending `Expect: 100-continue` waits for the `100` before the body);
    /// once the service has refused the request it stops: hyper then closes its reading.
    fn poll_more_body(&mut self, cx: &mut Context<'_>) -> Poll<io::Result<usize>> {
        if self.state.linger.load(Ordering::SeqCst) {
            self.phase = Phase::Closed;
            return Poll::Ready(Err(io::Error::other("request refused")));
        }
        if !self.yielded {
            self.yielded = true;
            cx.waker().wake_by_ref();
            return Poll::Pending;
        }
        match self.fill(READ_CHUNK) {
            Ok(n) => Poll::Ready(Ok(n)),
            Err(Stop::Expired(_)) => {
                self.state.body_late.store(true, Ordering::SeqCst);
                self.phase = Phase::Closed;
                Poll::Ready(Err(io::ErrorKind::TimedOut.into()))
            }
            Err(Stop::Failed(e)) => Poll::Ready(Err(e)),
        }
    }

    /// Hands hyper at most `limit` bytes from the front of `pre`.
    fn hand_over(&mut self, buf: &mut ReadBufCursor<'_>, limit: usize) -> usize {
        let n = limit.min(self.pre.len()).min(buf.remaining());
        buf.put_slice(&self.pre[..n]);
        self.pre.advance(n);
        self.scanned = 0;
        n
    }

    /// Passes at most `limit` body bytes (reading the socket when none are here); `Ok(0)`:
    /// the stream ended.
    fn poll_pass(
        &mut self,
        cx: &mut Context<'_>,
        buf: &mut ReadBufCursor<'_>,
        limit: usize,
    ) -> Poll<io::Result<usize>> {
        if self.pre.is_empty() && ready!(self.poll_more_body(cx))? == 0 {
            return Poll::Ready(Ok(0));
        }
        Poll::Ready(Ok(self.hand_over(buf, limit)))
    }

    /// The next unit of a chunked body that is a line: how long it is (with its CRLF) and
    /// what follows it. `Ok(None)`: the stream ended first.
    fn poll_chunk_line(
        &mut self,
        cx: &mut Context<'_>,
        at: Chunk,
    ) -> Poll<io::Result<Option<(usize, Chunk)>>> {
        let malformed = || io::Error::new(io::ErrorKind::InvalidData, "malformed chunked body");
        let max_line = self.limits().max_request_line;
        let len = loop {
            if let Some(eol) = self.pre.iter().position(|&b| b == b'\n') {
                break eol + 1;
            }
            if self.pre.len() > max_line {
                return Poll::Ready(Err(malformed()));
            }
            if ready!(self.poll_more_body(cx))? == 0 {
                return Poll::Ready(Ok(None));
            }
        };
        match chunked::next(
            &self.pre[..len],
            at,
            max_line,
            self.limits().max_header_bytes,
        ) {
            Some(next) => Poll::Ready(Ok(Some((len, next)))),
            None => Poll::Ready(Err(malformed())),
        }
    }

    /// Passes the next checked piece of a chunked body.
    fn poll_chunked(
        &mut self,
        cx: &mut Context<'_>,
        buf: &mut ReadBufCursor<'_>,
        at: Chunk,
        vetted: usize,
    ) -> Poll<io::Result<()>> {
        if vetted > 0 {
            let n = self.hand_over(buf, vetted);
            if n == vetted && at == Chunk::End {
                self.enter(Phase::Answering);
            } else {
                self.phase = Phase::Chunked {
                    at,
                    vetted: vetted - n,
                };
            }
            return Poll::Ready(Ok(()));
        }
        match at {
            Chunk::Data(left) => {
                let limit = usize::try_from(left).unwrap_or(usize::MAX);
                let n = ready!(self.poll_pass(cx, buf, limit))?;
                let left = left - n as u64;
                let at = if left == 0 {
                    Chunk::DataEnd
                } else {
                    Chunk::Data(left)
                };
                self.phase = Phase::Chunked { at, vetted: 0 };
                Poll::Ready(Ok(()))
            }
            Chunk::End => {
                self.enter(Phase::Answering);
                Poll::Ready(Ok(()))
            }
            Chunk::Size | Chunk::DataEnd | Chunk::Trailers(_) => {
                match ready!(self.poll_chunk_line(cx, at)) {
                    Ok(Some((len, next))) => self.poll_chunked(cx, buf, next, len),
                    // The stream ended: hyper sees the body cut short.
                    Ok(None) => Poll::Ready(Ok(())),
                    Err(e) => {
                        self.phase = Phase::Closed;
                        Poll::Ready(Err(e))
                    }
                }
            }
        }
    }

    /// Ends the connection: writes the refusal, if any, and closes lingering when the
    /// request was refused (`linger`), so that the client reads the status.
    pub(super) fn finish(mut self, linger: bool) {
        let mut linger = linger;
        if let Some(r) = self.rejection {
            let _ = self.stream.write_all(&refusal_bytes(r.status, r.message));
            linger = true;
        }
        if linger {
            close_lingering(&mut self.stream);
        } else {
            self.stream.shutdown_write();
        }
    }
}

/// Shuts the write side, then reads and drops what the client still sends (at most 1 MiB,
/// for at most a second), then closes: closing with unread data would reset the connection
/// and could destroy the answer before the client reads it.
pub(super) fn close_lingering(stream: &mut Stream) {
    stream.shutdown_write();
    let until = Instant::now() + LINGER_TIME;
    let mut sink = [0u8; 8 * 1024];
    let mut drained = 0usize;
    while drained < LINGER_BYTES {
        let left = until.saturating_duration_since(Instant::now());
        if left < MIN_WAIT || stream.tcp().set_read_timeout(Some(left)).is_err() {
            break;
        }
        match stream.read(&mut sink) {
            Ok(0) => break,
            Ok(n) => drained += n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(_) => break,
        }
    }
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
                Phase::Head { .. } => match this.read_head() {
                    Ok(Some((len, next))) => this.phase = Phase::Handover { left: len, next },
                    // The end: hyper sees no bytes.
                    Ok(None) => return Poll::Ready(Ok(())),
                    Err(e) => return Poll::Ready(Err(e)),
                },
                Phase::Handover { left, next } => {
                    let n = this.hand_over(&mut buf, left);
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
                Phase::Chunked { at, vetted } => {
                    return this.poll_chunked(cx, &mut buf, at, vetted);
                }
                Phase::Answering => {
                    // hyper looks for the end of the stream while it answers; the next
                    // request waits here until the answer is out, and a client that has
                    // shut its sending side still gets its answer. Nothing to read now: say
                    // so, and be polled again at once (the answer is being produced on this
                    // very thread).
                    this.answering_polls += 1;
                    if this.answering_polls > MAX_ANSWERING_POLLS {
                        this.phase = Phase::Closed;
                        return Poll::Ready(Err(io::Error::other("request framing out of step")));
                    }
                    cx.waker().wake_by_ref();
                    return Poll::Pending;
                }
            }
        }
    }
}

impl hyper::rt::Write for Gate {
    fn poll_write(
        self: Pin<&mut Self>,
        _cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        let this = self.get_mut();
        // An answer is written within `body_timeout`: each write waits at most that long
        // (the socket's send timeout), and none starts after it.
        if matches!(this.phase, Phase::Answering)
            && this.since.elapsed() > this.limits().body_timeout
        {
            this.phase = Phase::Closed;
            return Poll::Ready(Err(io::ErrorKind::TimedOut.into()));
        }
        loop {
            match this.stream.write(buf) {
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) if again(&e) => {
                    this.phase = Phase::Closed;
                    return Poll::Ready(Err(io::ErrorKind::TimedOut.into()));
                }
                done => return Poll::Ready(done),
            }
        }
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        this.stream.flush()?;
        // Everything hyper buffered is written: if that included the end of the answer,
        // the next request head may go to hyper, which reads it once polled again.
        if matches!(this.phase, Phase::Answering)
            && this.state.response_done.swap(false, Ordering::SeqCst)
        {
            this.state.answering.store(false, Ordering::SeqCst);
            this.answering_polls = 0;
            this.enter(Phase::Head { first_byte: None });
            cx.waker().wake_by_ref();
        }
        Poll::Ready(Ok(()))
    }

    fn poll_shutdown(self: Pin<&mut Self>, _cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        this.stream.shutdown_write();
        Poll::Ready(Ok(()))
    }
}
