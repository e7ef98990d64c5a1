//! The one HTTP/1.1 server: hyper 1 serving a synchronous handler, with every request
//! bounded before the handler sees it. The dev server (`serve`), the login callback
//! listener and the test stub all run on it. Nothing starts until a server starts, so
//! commands that do not serve never pay for it.
//!
//! Threads: one accepts (on a small tokio runtime of its own, which only waits for
//! connections and for the stop signal), and each connection has a thread of its own with
//! a blocking socket, on which hyper reads, the handler runs and the answer is written. A
//! request then costs one `recv` and one `send` and no hand-over between threads: the
//! handlers are quick and CPU-bound, and a thread that sleeps in `recv` between requests
//! is what the scheduler serves best (BENCHMARKS.md).
//!
//! ```no_run
//! use std::sync::Arc;
//! use oauthctl::httpd::{Body, Limits, Options, Peer, Request, Response, Server};
//! let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
//! let hello = |_req: Request, _peer: &Peer| Response::new(Body::from("hello\n"));
//! let server = Server::start(listener, Options::new(Limits::default()), Arc::new(hello)).unwrap();
//! # let _ = server.local_addr();
//! drop(server); // stops it: connections closed, threads ended, port released
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
//! Chunked request bodies are accepted: the gate checks their framing as it passes, hyper
//! decodes them, and the driver stops reading at `max_body` (`413`) and at the body deadline
//! (`408`). A handler's answer goes out with `Content-Length` (none for 204 and 304, no body
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
//! at most a second, closes every other connection and waits for the server's threads to end.
//!
//! With [`Options::tls`] (`serve --tls`) every connection first completes a TLS handshake
//! (rustls), within the head deadline; everything above then applies to the decrypted
//! stream, and the client's certificates reach the handler ([`Peer::certificates`]).
//! Connections over the cap are closed without an answer (a plain `503` would not be
//! understood).
//!
//! The deadlines are the sockets' receive timeouts, set to what is left of each (an answer
//! is written within `body_timeout`: no write starts after it, and each waits at most that
//! long). Stopping and eviction shut the sockets down, which ends any read a connection
//! waits in.

mod body;
mod chunked;
mod conn;
mod gate;
mod head;
mod reject;
mod state;
mod stream;

#[cfg(test)]
mod tests;

use std::collections::{HashMap, VecDeque};
use std::future::poll_fn;
use std::io;
use std::net::{Shutdown, SocketAddr, TcpStream};
use std::pin::pin;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Condvar, Mutex, PoisonError};
use std::task::Poll;
use std::thread::JoinHandle;
use std::time::Duration;

use tokio::sync::watch;

use state::ConnState;

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
    /// `limits`, threads named `httpd`, `Date` headers added, origin-form targets only.
    pub fn new(limits: Limits) -> Self {
        Self {
            limits,
            name: "httpd",
            date: true,
            absolute_form: false,
            tls: None,
        }
    }
}

/// How long an answer already being written may take to finish when the server stops.
const STOP_GRACE: Duration = Duration::from_secs(1);
/// Most refused connections (`503`) being answered at once; beyond it they are just closed.
const MAX_REFUSING: usize = 64;

/// Everything the connections share.
pub(crate) struct Shared {
    limits: Limits,
    absolute_form: bool,
    tls: Option<Arc<rustls::ServerConfig>>,
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
    /// Starts serving `listener` with `handler`. Its accepting thread exists from here until
    /// [`Server::stop`], and each connection's thread while the connection is open.
    pub fn start(
        listener: std::net::TcpListener,
        options: Options,
        handler: Handler,
    ) -> io::Result<Self> {
        let addr = listener.local_addr()?;
        listener.set_nonblocking(true)?;
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()?;
        let listener = {
            let _context = runtime.enter();
            tokio::net::TcpListener::from_std(listener)?
        };
        let name = options.name;
        let shared = Arc::new(Shared {
            http: hyper_builder(&options),
            absolute_form: options.absolute_form,
            tls: options.tls,
            limits: options.limits,
            handler,
            waiting: Waiting::default(),
        });
        let (stop, stopped) = watch::channel(false);
        let accept = move || {
            let conns = Arc::new(Registry::default());
            runtime.block_on(run(listener, shared, stopped, &conns, name));
            conns.close_all();
        };
        let thread = std::thread::Builder::new()
            .name(format!("{name}-accept"))
            .spawn(accept)?;
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
    /// for at most a second, closes every connection and waits for their threads to end.
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

/// hyper's own limits, as a second line behind the gate's (which hyper never reaches).
fn hyper_builder(options: &Options) -> hyper::server::conn::http1::Builder {
    let limits = &options.limits;
    let mut http = hyper::server::conn::http1::Builder::new();
    http.auto_date_header(options.date)
        .keep_alive(true)
        // Answers are small: one buffer and one `send` per answer cost less than `writev`
        // with the head and the body apart (no I/O vector to import and check).
        .writev(false)
        // While an answer is produced, hyper would otherwise try a read to notice a client
        // that hung up, reserving read buffer space first: with the request's header
        // values still sharing its buffer, that is a fresh 8 KiB allocation per request.
        // The gate has nothing to give then anyway, and a client that only shut its
        // sending side still gets its answer.
        .half_close(true)
        .max_header_size(limits.max_head + 1)
        .max_buf_size((limits.max_head + 1024).max(8 * 1024));
    if limits.max_headers != 100 {
        // 100 is hyper's default, kept on the stack; any other number is allocated.
        http.max_headers(limits.max_headers);
    }
    http
}

/// Accepts until told to stop; each connection gets a thread of its own.
async fn run(
    listener: tokio::net::TcpListener,
    shared: Arc<Shared>,
    mut stopped: watch::Receiver<bool>,
    conns: &Arc<Registry>,
    name: &'static str,
) {
    let open = Arc::new(AtomicUsize::new(0));
    let refusing = Arc::new(AtomicUsize::new(0));
    let mut stopping = pin!(stopped.wait_for(|s| *s));
    loop {
        let accepted = poll_fn(|cx| {
            if stopping.as_mut().poll(cx).is_ready() {
                return Poll::Ready(None);
            }
            listener.poll_accept(cx).map(Some)
        })
        .await;
        let (stream, peer) = match accepted {
            None => break,
            Some(Ok(accepted)) => accepted,
            Some(Err(_)) => {
                // EMFILE and friends: back off instead of spinning.
                tokio::time::sleep(Duration::from_millis(50)).await;
                continue;
            }
        };
        let Ok(stream) = stream.into_std() else {
            continue;
        };
        if stream.set_nonblocking(false).is_err() {
            continue;
        }
        let ticket = match shared.limits.when_full {
            WhenFull::Refuse => {
                if open.load(Ordering::SeqCst) >= shared.limits.max_connections {
                    refuse(stream, shared.tls.is_some(), &refusing, conns, name);
                    continue;
                }
                None
            }
            WhenFull::CloseOldestWaiting => {
                let Ok(closer) = stream.try_clone() else {
                    continue;
                };
                Some(
                    shared
                        .waiting
                        .admit(shared.limits.max_connections, &shared, closer),
                )
            }
        };
        let Ok(socket) = stream.try_clone() else {
            continue;
        };
        let slot = OpenSlot::take(&open);
        let state = Arc::new(ConnState::default());
        let shared = Arc::clone(&shared);
        let serving = Arc::clone(&state);
        conns.spawn(name, socket, Some(state), move || {
            let _slot = slot;
            conn::serve(stream, peer, &shared, &serving, ticket);
        });
    }
}

/// Answers a connection over the cap with `503` and closes it, unless too many are being
/// refused already. Under TLS it is only closed: a plain answer would not be understood,
/// and a handshake is what the cap is there to spare.
fn refuse(
    stream: TcpStream,
    tls: bool,
    refusing: &Arc<AtomicUsize>,
    conns: &Arc<Registry>,
    name: &'static str,
) {
    if tls || refusing.load(Ordering::SeqCst) >= MAX_REFUSING {
        return;
    }
    let Ok(socket) = stream.try_clone() else {
        return;
    };
    let slot = OpenSlot::take(refusing);
    conns.spawn(name, socket, None, move || {
        let _slot = slot;
        conn::refuse(stream, 503, "too many connections");
    });
}

/// One counted connection; the count drops with it, however its thread ends.
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

/// The open connections' sockets, so that stopping can close them, and a way to wait until
/// their threads are done.
#[derive(Debug, Default)]
struct Registry {
    next_id: AtomicU64,
    open: Mutex<HashMap<u64, Registered>>,
    left: Condvar,
}

/// A registered connection: a second handle on its socket, and its state when it is
/// served (a refused one has none).
#[derive(Debug)]
struct Registered {
    socket: TcpStream,
    state: Option<Arc<ConnState>>,
}

impl Registry {
    /// Runs `serve` on a thread of its own, with `socket` (a second handle on the
    /// connection's socket) registered until it returns. If the thread cannot be started,
    /// the connection is closed.
    fn spawn(
        self: &Arc<Self>,
        name: &str,
        socket: TcpStream,
        state: Option<Arc<ConnState>>,
        serve: impl FnOnce() + Send + 'static,
    ) {
        let id = self.next_id.fetch_add(1, Ordering::SeqCst);
        self.lock().insert(id, Registered { socket, state });
        let registry = Arc::clone(self);
        let spawned = std::thread::Builder::new()
            .name(format!("{name}-conn"))
            // The handlers run on these threads (JSON bodies nest up to serde_json's limit
            // of 128): the standard 2 MiB stack, which is only reserved, not committed.
            .stack_size(2 * 1024 * 1024)
            .spawn(move || {
                // Declared first, so dropped last: everything the connection held is gone
                // when it leaves the registry.
                let _leave = Leave(registry, id);
                serve();
            });
        if spawned.is_err()
            && let Some(gone) = self.lock().remove(&id)
        {
            let _ = gone.socket.shutdown(Shutdown::Both);
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<u64, Registered>> {
        self.open.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Closes every connection, letting those writing an answer finish it for at most
    /// [`STOP_GRACE`], and waits until their threads are done.
    fn close_all(&self) {
        for conn in self.lock().values() {
            let answering = conn
                .state
                .as_ref()
                .is_some_and(|s| s.answering.load(Ordering::SeqCst));
            // An answer in flight is still written; reading ends either way.
            let how = if answering {
                Shutdown::Read
            } else {
                Shutdown::Both
            };
            let _ = conn.socket.shutdown(how);
        }
        let open = self.lock();
        let (open, _) = self
            .left
            .wait_timeout_while(open, STOP_GRACE, |open| !open.is_empty())
            .unwrap_or_else(PoisonError::into_inner);
        for conn in open.values() {
            let _ = conn.socket.shutdown(Shutdown::Both);
        }
        // A handler still running keeps its thread until it returns.
        drop(
            self.left
                .wait_while(open, |open| !open.is_empty())
                .unwrap_or_else(PoisonError::into_inner),
        );
    }
}

/// Takes a connection out of the registry when its thread ends. The socket's second handle
/// goes with it, so the connection is closed by then.
struct Leave(Arc<Registry>, u64);

impl Drop for Leave {
    fn drop(&mut self) {
        let gone = self.0.lock().remove(&self.1);
        drop(gone);
        self.0.left.notify_all();
    }
}

/// The connections still waiting for their first request head, oldest first, each with a
/// handle on its socket to close it by ([`WhenFull::CloseOldestWaiting`]).
#[derive(Debug, Default)]
struct Waiting {
    next_id: AtomicU64,
    queue: Mutex<VecDeque<(u64, TcpStream)>>,
}

impl Waiting {
    /// Registers a new connection, closing the oldest waiting ones while `max` wait.
    fn admit(&self, max: usize, shared: &Arc<Shared>, closer: TcpStream) -> Ticket {
        let id = self.next_id.fetch_add(1, Ordering::SeqCst);
        let mut queue = self.queue.lock().unwrap_or_else(PoisonError::into_inner);
        while queue.len() >= max.max(1) {
            if let Some((_, oldest)) = queue.pop_front() {
                // Its thread's read ends; it closes without a word.
                let _ = oldest.shutdown(Shutdown::Both);
            }
        }
        queue.push_back((id, closer));
        Ticket {
            id,
            shared: Arc::clone(shared),
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
}

impl Drop for Ticket {
    fn drop(&mut self) {
        self.shared.waiting.release(self.id);
    }
}
