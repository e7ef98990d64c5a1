//! The one HTTP/1.1 server: hyper 1 on tokio runtimes of its own, serving a synchronous
//! handler, with every request bounded before the handler sees it. The dev server
//! (`serve`), the login callback listener and the test stub all run on it. Nothing starts a
//! runtime until a server starts, so commands that do not serve never pay for one.
//!
//! Threads: [`Options::threads`] threads, each with a single-threaded tokio runtime; an
//! accepted connection is handed to the next thread in turn and stays there, and the handler
//! runs on that thread between reading the request and writing the answer (the dev
//! server's handlers are quick and CPU-bound, so they run in place rather than being sent
//! to another thread and back).
//!
//! ```no_run
//! use std::sync::Arc;
//! use oauthctl::httpd::{Body, Limits, Options, Peer, Request, Response, Server};
//! let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
//! let hello = |_req: Request, _peer: &Peer| Response::new(Body::from("hello\n"));
//! let server = Server::start(listener, Options::new(Limits::default()), Arc::new(hello)).unwrap();
//! # let _ = server.local_addr();
//! drop(server); // stops it: connections closed, threads joined, port released
//! ```
//!
//! Layers: each connection's socket is wrapped in a gate (`gate`) that reads the request
//! head itself, checks it against [`Limits`] (`head`: `httparse` tokenises, the rules below
//! decide) and only then hands it to hyper, which does the HTTP/1.1 framing (bodies, keep-alive, pipelining, `100 Continue`,
//! response encoding); the connection driver (`conn`) collects the body under its cap and
//! deadline, calls the handler and answers what was refused. What the gate enforces:
//! - a request line of at most `max_request_line` bytes (`414`), a header section of at most
//!   `max_header_bytes` and a whole head of at most `max_head` bytes and `max_headers` lines
//!   (`431`), checked as the bytes arrive;
//! - one deadline for the whole head, from its first byte (or from the connection's start
//!   for its first request, with `head_timeout_from_connect`), which a client trickling one
//!   byte at a time cannot extend (`408`); a kept-alive connection may sit idle for
//!   `idle_timeout` between requests, then it is closed;
//! - an ASCII head, an origin-form target, exactly one `Host` (HTTP/1.1), and unambiguous
//!   framing: `Content-Length` together with `Transfer-Encoding`, conflicting lengths,
//!   codings other than `chunked` and obsolete line folding get `400`; an expectation other
//!   than `100-continue` gets `417`; a declared body over `max_body` gets `413` without being
//!   read.
//!
//! Chunked request bodies are accepted: hyper decodes them, the driver stops reading at
//! `max_body` (`413`) and at the body deadline (`408`), and the connection closes after the
//! answer. A handler's answer goes out with `Content-Length` (none for 204 and 304, no body
//! after `HEAD`) and `Date`; its headers that belong to the framing or the connection are
//! dropped, except `Connection: close`, which closes the connection after the answer. A
//! handler that panics is answered with `500`, and the server carries on. Every refusal
//! closes the connection after a "lingering close" (the rest of the request is read and
//! dropped for up to a second), so the client reads the status instead of a reset.
//!
//! Connections beyond `max_connections` are answered `503` and closed; with
//! [`WhenFull::CloseOldestWaiting`] (the login listener), the oldest connection still
//! waiting for its request head is closed to make room instead. [`Server::stop`] (and
//! dropping the server) stops accepting, lets an answer already being written finish for
//! at most a second, closes every other connection and joins the server's threads.
//!
//! With [`Options::tls`] (`serve --tls`) every connection first completes a TLS handshake
//! (rustls), within the head deadline; everything above then applies to the decrypted
//! stream, and the client's certificates reach the handler ([`Peer::certificates`]).
//! Connections over the cap are closed without an answer (a plain `503` would not be
//! understood).

mod body;
mod conn;
mod gate;
mod head;
mod reject;

#[cfg(test)]
mod tests;

use std::collections::VecDeque;
use std::future::poll_fn;
use std::io;
use std::net::SocketAddr;
use std::pin::pin;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::task::Poll;
use std::thread::JoinHandle;
use std::time::Duration;

use tokio::sync::{oneshot, watch};
use tokio::task::JoinSet;

pub use body::Body;

/// A request as the handler sees it: the head as parsed by hyper (method and target as
/// sent, header names in lower case) and the whole body.
pub type Request = http::Request<bytes::Bytes>;

/// A handler's answer.
pub type Response = http::Response<Body>;

/// What answers every request that passed the checks, given the request and the connection
/// it came on. It runs on one of the server's threads and should be quick: it holds that
/// thread while it runs.
pub type Handler = Arc<dyn Fn(Request, &Peer) -> Response + Send + Sync>;

/// The other end of a request's connection. It is handed to the handler beside the request
/// rather than in the request's extensions: it is the same for every request on the
/// connection, and an extensions map would be allocated and dropped for each one.
#[derive(Debug, Clone)]
pub struct Peer {
    /// The address the connection came from.
    pub addr: SocketAddr,
    /// The certificate chain the client presented in the TLS handshake, if any.
    pub certificates: Option<Arc<PeerCertificates>>,
}

/// The certificate chain a TLS client presented, the end-entity certificate first, each as
/// DER ([`Peer::certificates`]).
#[derive(Clone, PartialEq, Eq)]
pub struct PeerCertificates(pub Vec<Vec<u8>>);

impl std::fmt::Debug for PeerCertificates {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "PeerCertificates({} certificates)", self.0.len())
    }
}

impl PeerCertificates {
    /// The end-entity certificate (DER).
    pub fn leaf(&self) -> Option<&[u8]> {
        self.0.first().map(Vec::as_slice)
    }

    /// The certificates after the first.
    pub fn intermediates(&self) -> &[Vec<u8>] {
        self.0.get(1..).unwrap_or_default()
    }
}

/// Hard limits of the server.
#[derive(Debug, Clone)]
pub struct Limits {
    /// Longest request line (method, target, version), in bytes.
    pub max_request_line: usize,
    /// Largest header section (the header lines after the request line), in bytes.
    pub max_header_bytes: usize,
    /// Largest whole request head (request line and header section), in bytes.
    pub max_head: usize,
    /// Most header lines (at most 256).
    pub max_headers: usize,
    /// Largest request body, in bytes.
    pub max_body: usize,
    /// Time allowed to receive a whole request head, from its first byte.
    pub head_timeout: Duration,
    /// Count `head_timeout` for a connection's first request from the moment the connection
    /// was accepted, so that a connection has that long in all to send its request.
    pub head_timeout_from_connect: bool,
    /// Time allowed to receive a request body, and to write an answer.
    pub body_timeout: Duration,
    /// Time a kept-alive connection may sit idle before the next request.
    pub idle_timeout: Duration,
    /// Most client connections open at once (see [`WhenFull`]).
    pub max_connections: usize,
    /// What a new connection beyond `max_connections` meets.
    pub when_full: WhenFull,
}

/// What happens to a new connection when `max_connections` are open.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WhenFull {
    /// It is answered `503` and closed; every open connection counts.
    Refuse,
    /// Only connections still waiting for their first request head count, and the oldest
    /// of them is closed to make room: turning newcomers away instead would let a few slow
    /// clients that keep reconnecting shut everyone else out.
    CloseOldestWaiting,
}

impl Default for Limits {
    /// The dev server's limits.
    fn default() -> Self {
        Self {
            max_request_line: 8 * 1024,
            max_header_bytes: 32 * 1024,
            max_head: 40 * 1024,
            max_headers: 100,
            max_body: 64 * 1024,
            head_timeout: Duration::from_secs(10),
            head_timeout_from_connect: false,
            body_timeout: Duration::from_secs(10),
            idle_timeout: Duration::from_secs(5),
            max_connections: 256,
            when_full: WhenFull::Refuse,
        }
    }
}

/// How to run a server.
#[derive(Debug, Clone)]
pub struct Options {
    /// The limits every request is held to.
    pub limits: Limits,
    /// Threads that run connections and the handler; 0: eight per available CPU (at most
    /// 64). Each serves the connections it is given; new connections go round them in turn.
    pub threads: usize,
    /// A short name for the server's threads.
    pub name: &'static str,
    /// Add a `Date` header to answers that have none (RFC 9110 §6.6.1).
    pub date: bool,
    /// Accept absolute-form request targets (`GET http://host/path`), as a forward proxy
    /// receives them (RFC 9112 §3.2.2); otherwise only origin-form ones (`GET /path`).
    pub absolute_form: bool,
    /// Serve TLS with this configuration (`serve --tls`): the handshake must complete
    /// within `head_timeout`, and the client's certificates, if it sent any, reach the
    /// handler in [`Peer::certificates`].
    pub tls: Option<Arc<rustls::ServerConfig>>,
}

impl Options {
    /// `limits`, the default number of threads (`threads: 0`), threads named `httpd`,
    /// `Date` headers added, origin-form targets only.
    pub fn new(limits: Limits) -> Self {
        Self {
            limits,
            threads: 0,
            name: "httpd",
            date: true,
            absolute_form: false,
            tls: None,
        }
    }
}

/// Server threads per CPU when [`Options::threads`] is 0, and at most this many in all.
/// Each thread runs the handler for its connections itself, so a request waits for the
/// handlers of the other connections on its thread. With few threads each one is always
/// busy, and on a CPU shared with other work the scheduler then gives it less time than
/// threads that sleep between requests (as one per connection do): with four per CPU the
/// dev server answered about half the `/api/data` requests per second of the
/// thread-per-connection server it replaced, with eight about as many (BENCHMARKS.md).
const THREADS_PER_CPU: usize = 8;
const MAX_THREADS: usize = 64;

/// How long an answer already being written may take to finish when the server stops.
const STOP_GRACE: Duration = Duration::from_secs(1);
/// Most refused connections (`503`) being answered at once; beyond it they are just closed.
const MAX_REFUSING: usize = 64;

/// Everything the connections share.
pub(crate) struct Shared {
    limits: Limits,
    absolute_form: bool,
    tls: Option<tokio_rustls::TlsAcceptor>,
    handler: Handler,
    http: hyper::server::conn::http1::Builder,
    waiting: Waiting,
}

impl std::fmt::Debug for Shared {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Shared")
            .field("limits", &self.limits)
            .finish_non_exhaustive()
    }
}

/// A running server. Dropping it stops it.
#[derive(Debug)]
pub struct Server {
    addr: SocketAddr,
    stop: watch::Sender<bool>,
    thread: Option<JoinHandle<()>>,
}

impl Server {
    /// Starts serving `listener` with `handler`. The runtime and its threads exist from here
    /// until [`Server::stop`].
    pub fn start(
        listener: std::net::TcpListener,
        options: Options,
        handler: Handler,
    ) -> io::Result<Self> {
        let addr = listener.local_addr()?;
        listener.set_nonblocking(true)?;
        let threads = match options.threads {
            0 => {
                let cpus = std::thread::available_parallelism().map_or(1, std::num::NonZero::get);
                (cpus * THREADS_PER_CPU).min(MAX_THREADS)
            }
            n => n,
        };
        // One single-threaded runtime per thread, each serving the connections it is given
        // from start to end: no work stealing and no waking of other threads per request,
        // which costs more than it balances for handlers this quick (BENCHMARKS.md).
        let mut runtimes = (0..threads)
            .map(|_| {
                tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
            })
            .collect::<io::Result<VecDeque<_>>>()?;
        let handles: Vec<_> = runtimes.iter().map(|rt| rt.handle().clone()).collect();
        let Some(accepting) = runtimes.pop_front() else {
            return Err(io::Error::other("no runtime"));
        };
        let listener = {
            let _context = accepting.enter();
            tokio::net::TcpListener::from_std(listener)?
        };
        let shared = Arc::new(Shared {
            http: hyper_builder(&options),
            absolute_form: options.absolute_form,
            tls: options.tls.map(tokio_rustls::TlsAcceptor::from),
            limits: options.limits,
            handler,
            waiting: Waiting::default(),
        });
        let (stop, stopped) = watch::channel(false);
        let (done, finished) = watch::channel(false);
        let mut workers = Vec::new();
        for (i, runtime) in runtimes.into_iter().enumerate() {
            let mut finished = finished.clone();
            let spawned = thread(options.name, i + 1, move || {
                runtime.block_on(async {
                    let _ = finished.wait_for(|d| *d).await;
                });
            });
            match spawned {
                Ok(worker) => workers.push(worker),
                Err(e) => {
                    let _ = done.send(true);
                    for worker in workers {
                        let _ = worker.join();
                    }
                    return Err(e);
                }
            }
        }
        let accept = move || {
            accepting.block_on(run(listener, shared, stopped, handles));
            // Every connection task is gone: the other threads may end.
            let _ = done.send(true);
            for worker in workers {
                let _ = worker.join();
            }
        };
        let thread = thread(options.name, 0, accept)?;
        Ok(Self {
            addr,
            stop,
            thread: Some(thread),
        })
    }

    /// The bound address.
    pub fn local_addr(&self) -> SocketAddr {
        self.addr
    }

    /// Stops accepting (the port is released), lets answers already being written finish
    /// for at most a second, closes every connection and joins the server's threads.
    pub fn stop(&mut self) {
        let _ = self.stop.send(true);
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.stop();
    }
}

/// A server thread. The handlers run on these threads (JSON bodies nest up to serde_json's
/// limit of 128): the standard 2 MiB stack, which is only reserved, not committed.
fn thread(name: &str, i: usize, f: impl FnOnce() + Send + 'static) -> io::Result<JoinHandle<()>> {
    std::thread::Builder::new()
        .name(format!("{name}-{i}"))
        .stack_size(2 * 1024 * 1024)
        .spawn(f)
}

/// hyper's own limits, as a second line behind the gate's (which hyper never reaches).
fn hyper_builder(options: &Options) -> hyper::server::conn::http1::Builder {
    let limits = &options.limits;
    let mut http = hyper::server::conn::http1::Builder::new();
    http.auto_date_header(options.date)
        .keep_alive(true)
        // Answers are small: one buffer and one `send` per answer cost less than `writev`
        // with the head and the body apart (no I/O vector to import and check).
        .writev(false)
        .max_header_size(limits.max_head + 1)
        .max_buf_size((limits.max_head + 1024).max(8 * 1024));
    if limits.max_headers != 100 {
        // 100 is hyper's default, kept on the stack; any other number is allocated.
        http.max_headers(limits.max_headers);
    }
    http
}

/// Accepts until told to stop, then winds the connections down.
async fn run(
    listener: tokio::net::TcpListener,
    shared: Arc<Shared>,
    mut stopped: watch::Receiver<bool>,
    runtimes: Vec<tokio::runtime::Handle>,
) {
    let conns_stop = stopped.clone();
    let open = Arc::new(AtomicUsize::new(0));
    let refusing = Arc::new(AtomicUsize::new(0));
    let mut conns = JoinSet::new();
    let mut next = 0usize;
    {
        let mut stopping = pin!(stopped.wait_for(|s| *s));
        loop {
            let accepted = poll_fn(|cx| {
                if stopping.as_mut().poll(cx).is_ready() {
                    return Poll::Ready(None);
                }
                listener.poll_accept(cx).map(Some)
            })
            .await;
            // Reap finished connections so the set only holds live ones.
            while conns.try_join_next().is_some() {}
            let (stream, peer) = match accepted {
                None => break,
                Some(Ok(accepted)) => accepted,
                Some(Err(_)) => {
                    // EMFILE and friends: back off instead of spinning.
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            };
            let ticket = match shared.limits.when_full {
                WhenFull::Refuse => {
                    if open.load(Ordering::SeqCst) >= shared.limits.max_connections {
                        refuse(stream, shared.tls.is_some(), &refusing, &mut conns);
                        continue;
                    }
                    None
                }
                WhenFull::CloseOldestWaiting => {
                    Some(shared.waiting.admit(shared.limits.max_connections, &shared))
                }
            };
            let slot = OpenSlot::take(&open);
            // The connections go round the runtimes; each moves to its own.
            let Ok(stream) = stream.into_std() else {
                continue;
            };
            let (shared, stop) = (Arc::clone(&shared), conns_stop.clone());
            let task = async move {
                let _slot = slot;
                if let Ok(stream) = tokio::net::TcpStream::from_std(stream) {
                    conn::serve(stream, peer, shared, stop, ticket).await;
                }
            };
            conns.spawn_on(task, &runtimes[next % runtimes.len()]);
            next = next.wrapping_add(1);
        }
    }
    drop(listener);
    let _ = tokio::time::timeout(STOP_GRACE + Duration::from_millis(500), async {
        while conns.join_next().await.is_some() {}
    })
    .await;
    conns.abort_all();
    while conns.join_next().await.is_some() {}
}

/// Answers a connection over the cap with `503` and closes it, unless too many are being
/// refused already. Under TLS it is only closed: a plain answer would not be understood,
/// and a handshake is what the cap is there to spare.
fn refuse(
    stream: tokio::net::TcpStream,
    tls: bool,
    refusing: &Arc<AtomicUsize>,
    conns: &mut JoinSet<()>,
) {
    if tls || refusing.load(Ordering::SeqCst) >= MAX_REFUSING {
        return;
    }
    let slot = OpenSlot::take(refusing);
    conns.spawn(async move {
        let _slot = slot;
        conn::refuse(stream, 503, "too many connections").await;
    });
}

/// One counted connection; the count drops with it, however its task ends.
struct OpenSlot(Arc<AtomicUsize>);

impl OpenSlot {
    fn take(count: &Arc<AtomicUsize>) -> Self {
        count.fetch_add(1, Ordering::SeqCst);
        Self(Arc::clone(count))
    }
}

impl Drop for OpenSlot {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::SeqCst);
    }
}

/// The connections still waiting for their first request head, oldest first, each with a
/// way to close it ([`WhenFull::CloseOldestWaiting`]).
#[derive(Debug, Default)]
struct Waiting {
    next_id: AtomicU64,
    queue: Mutex<VecDeque<(u64, oneshot::Sender<()>)>>,
}

impl Waiting {
    /// Registers a new connection, closing the oldest waiting ones while `max` wait.
    fn admit(&self, max: usize, shared: &Arc<Shared>) -> Ticket {
        let id = self.next_id.fetch_add(1, Ordering::SeqCst);
        let (close, closed) = oneshot::channel();
        let mut queue = self.queue.lock().unwrap_or_else(PoisonError::into_inner);
        while queue.len() >= max.max(1) {
            if let Some((_, oldest)) = queue.pop_front() {
                let _ = oldest.send(());
            }
        }
        queue.push_back((id, close));
        Ticket {
            id,
            shared: Arc::clone(shared),
            closed: Some(closed),
        }
    }

    fn release(&self, id: u64) {
        self.queue
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .retain(|(i, _)| *i != id);
    }
}

/// A connection's place among the waiting ones; it leaves when the request head has
/// arrived or the connection ends.
#[derive(Debug)]
pub(crate) struct Ticket {
    id: u64,
    shared: Arc<Shared>,
    /// Fires when the connection is closed to make room.
    closed: Option<oneshot::Receiver<()>>,
}

impl Ticket {
    /// The signal that this connection must close, once.
    fn take_closed(&mut self) -> Option<oneshot::Receiver<()>> {
        self.closed.take()
    }
}

impl Drop for Ticket {
    fn drop(&mut self) {
        self.shared.waiting.release(self.id);
    }
}
