//! A tiny HTTP/1.1 server on 127.0.0.1:0 that answers each path with a canned response and
//! counts requests. For the hostile and odd cases a real server never produces.

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::Duration;

/// A canned response.
#[derive(Clone, Debug)]
pub struct Canned {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
    /// Sends the body one byte at a time, with this pause before each byte.
    pub trickle: Option<Duration>,
}

impl Canned {
    /// `200` with a JSON body.
    pub fn json(body: impl Into<Vec<u8>>) -> Self {
        Self {
            status: 200,
            headers: vec![("Content-Type".into(), "application/json".into())],
            body: body.into(),
            trickle: None,
        }
    }

    /// Any status with a JSON body.
    pub fn status(status: u16, body: impl Into<Vec<u8>>) -> Self {
        Self {
            status,
            ..Self::json(body)
        }
    }

    /// Adds a header.
    pub fn header(mut self, name: &str, value: &str) -> Self {
        self.headers.push((name.into(), value.into()));
        self
    }

    /// Sends the head at once, then the body a byte every `pause` (a server that is slow,
    /// but never silent for long).
    pub fn trickled(mut self, pause: Duration) -> Self {
        self.trickle = Some(pause);
        self
    }
}

impl Seen {
    /// A request header by case-insensitive name.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// A recorded request.
#[derive(Clone, Debug)]
pub struct Seen {
    pub method: String,
    pub path: String,
    /// The query string, if any.
    pub query: Option<String>,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

/// Per path, the responses still to give; the last one repeats.
type Routes = Arc<Mutex<HashMap<String, Vec<Canned>>>>;

/// The running stub; stops on drop.
pub struct Stub {
    pub base: String,
    routes: Routes,
    seen: Arc<Mutex<Vec<Seen>>>,
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
    port: u16,
}

impl Stub {
    /// Starts a stub with no routes (every path answers 404).
    pub fn start() -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind stub");
        let port = listener.local_addr().expect("addr").port();
        listener.set_nonblocking(true).expect("nonblocking");
        let routes: Routes = Arc::default();
        let seen: Arc<Mutex<Vec<Seen>>> = Arc::default();
        let stop = Arc::new(AtomicBool::new(false));
        let (r, s, st) = (routes.clone(), seen.clone(), stop.clone());
        let thread = std::thread::spawn(move || {
            while !st.load(Ordering::SeqCst) {
                match listener.accept() {
                    Ok((stream, _)) => {
                        let (r, s) = (r.clone(), s.clone());
                        std::thread::spawn(move || handle(stream, &r, &s));
                    }
                    Err(_) => std::thread::sleep(Duration::from_millis(5)),
                }
            }
        });
        Self {
            base: format!("http://127.0.0.1:{port}"),
            routes,
            seen,
            stop,
            thread: Some(thread),
            port,
        }
    }

    /// The port.
    pub fn port(&self) -> u16 {
        self.port
    }

    /// Answers `path` with `response`.
    pub fn route(&self, path: &str, response: Canned) -> &Self {
        self.sequence(path, vec![response])
    }

    /// Answers `path` with these responses in turn, repeating the last one.
    pub fn sequence(&self, path: &str, responses: Vec<Canned>) -> &Self {
        assert!(!responses.is_empty());
        self.routes
            .lock()
            .expect("routes")
            .insert(path.to_owned(), responses);
        self
    }

    /// The requests that reached `path`.
    pub fn seen(&self, path: &str) -> Vec<Seen> {
        self.requests()
            .into_iter()
            .filter(|s| s.path == path)
            .collect()
    }

    /// `base + path`.
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// How many requests reached `path`.
    pub fn hits(&self, path: &str) -> usize {
        self.seen
            .lock()
            .expect("seen")
            .iter()
            .filter(|s| s.path == path)
            .count()
    }

    /// Every request so far.
    pub fn requests(&self) -> Vec<Seen> {
        self.seen.lock().expect("seen").clone()
    }
}

impl Drop for Stub {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

fn handle(stream: TcpStream, routes: &Routes, seen: &Arc<Mutex<Vec<Seen>>>) {
    let _ = stream.set_read_timeout(Some(Duration::from_secs(5)));
    let mut reader = BufReader::new(stream.try_clone().expect("clone"));
    let mut line = String::new();
    if reader.read_line(&mut line).is_err() {
        return;
    }
    let mut parts = line.split_whitespace();
    let method = parts.next().unwrap_or_default().to_owned();
    let target = parts.next().unwrap_or_default().to_owned();
    let (path, query) = match target.split_once('?') {
        Some((p, q)) => (p.to_owned(), Some(q.to_owned())),
        None => (target.clone(), None),
    };
    let mut headers = Vec::new();
    let mut length = 0usize;
    loop {
        let mut h = String::new();
        if reader.read_line(&mut h).is_err() || h.trim().is_empty() {
            break;
        }
        if let Some((k, v)) = h.trim_end().split_once(':') {
            if k.eq_ignore_ascii_case("content-length") {
                length = v.trim().parse().unwrap_or(0);
            }
            headers.push((k.to_owned(), v.trim().to_owned()));
        }
    }
    let mut body = vec![0; length];
    let _ = reader.read_exact(&mut body);
    seen.lock().expect("seen").push(Seen {
        method,
        path: path.clone(),
        query,
        headers,
        body,
    });
    let canned = {
        let mut routes = routes.lock().expect("routes");
        match routes.get_mut(&path) {
            Some(list) if list.len() > 1 => list.remove(0),
            Some(list) => list[0].clone(),
            None => Canned::status(404, "{\"error\":\"not_found\"}"),
        }
    };
    let mut out = stream;
    let mut head = format!(
        "HTTP/1.1 {} X\r\nContent-Length: {}\r\nConnection: close\r\n",
        canned.status,
        canned.body.len()
    );
    for (k, v) in &canned.headers {
        head.push_str(&format!("{k}: {v}\r\n"));
    }
    head.push_str("\r\n");
    let _ = out.write_all(head.as_bytes());
    match canned.trickle {
        None => {
            let _ = out.write_all(&canned.body);
        }
        Some(pause) => {
            let _ = out.flush();
            for byte in &canned.body {
                std::thread::sleep(pause);
                if out.write_all(std::slice::from_ref(byte)).is_err() {
                    return; // the client gave up
                }
            }
        }
    }
}
