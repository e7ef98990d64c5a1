//! A git smart-HTTP server on 127.0.0.1:0 for the credential helper tests: every request
//! must carry `Authorization: Basic` with the expected password (else 401 and a `Basic`
//! challenge, which makes git ask its credential helpers), and is then answered by
//! `git http-backend` run as a CGI program (git-http-backend(1)) over the repositories in
//! one directory.

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use base64::Engine as _;

/// The running server; stops on drop.
pub struct GitHttp {
    pub port: u16,
    password: Arc<Mutex<String>>,
    seen: Arc<Mutex<Vec<(String, bool)>>>,
    stop: Arc<AtomicBool>,
}

impl GitHttp {
    /// Serves the repositories under `root`, accepting `password` (any username).
    pub fn start(root: &Path, password: &str) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        listener.set_nonblocking(true).unwrap();
        let password = Arc::new(Mutex::new(password.to_owned()));
        let seen: Arc<Mutex<Vec<(String, bool)>>> = Arc::default();
        let stop = Arc::new(AtomicBool::new(false));
        let (p, s, st, root) = (
            password.clone(),
            seen.clone(),
            stop.clone(),
            root.to_owned(),
        );
        std::thread::spawn(move || {
            while !st.load(Ordering::SeqCst) {
                match listener.accept() {
                    Ok((stream, _)) => {
                        let (p, s, root) = (p.clone(), s.clone(), root.clone());
                        std::thread::spawn(move || handle(stream, &root, &p, &s));
                    }
                    Err(_) => std::thread::sleep(Duration::from_millis(5)),
                }
            }
        });
        Self {
            port,
            password,
            seen,
            stop,
        }
    }

    /// `http://127.0.0.1:PORT/NAME`.
    pub fn url(&self, name: &str) -> String {
        format!("http://127.0.0.1:{}/{name}", self.port)
    }

    /// Accepts `password` from now on (the old one is refused).
    pub fn set_password(&self, password: &str) {
        password.clone_into(&mut self.password.lock().unwrap());
    }

    /// Every request's path and whether its credentials were accepted.
    pub fn seen(&self) -> Vec<(String, bool)> {
        self.seen.lock().unwrap().clone()
    }
}

impl Drop for GitHttp {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
    }
}

fn handle(
    stream: TcpStream,
    root: &PathBuf,
    password: &Mutex<String>,
    seen: &Mutex<Vec<(String, bool)>>,
) {
    let _ = stream.set_read_timeout(Some(Duration::from_secs(10)));
    let mut reader = BufReader::new(stream.try_clone().unwrap());
    let mut line = String::new();
    if reader.read_line(&mut line).is_err() {
        return;
    }
    let mut parts = line.split_whitespace();
    let method = parts.next().unwrap_or_default().to_owned();
    let target = parts.next().unwrap_or_default().to_owned();
    let mut headers = HashMap::new();
    loop {
        let mut h = String::new();
        if reader.read_line(&mut h).is_err() || h.trim().is_empty() {
            break;
        }
        if let Some((k, v)) = h.trim_end().split_once(':') {
            headers.insert(k.to_ascii_lowercase(), v.trim().to_owned());
        }
    }
    let length: usize = headers
        .get("content-length")
        .and_then(|v| v.parse().ok())
        .unwrap_or(0);
    let mut body = vec![0; length];
    let _ = reader.read_exact(&mut body);
    let (path, query) = target.split_once('?').unwrap_or((&target, ""));
    let expected = password.lock().unwrap().clone();
    let user = headers
        .get("authorization")
        .and_then(|v| v.strip_prefix("Basic "))
        .and_then(|b| base64::engine::general_purpose::STANDARD.decode(b).ok())
        .and_then(|b| String::from_utf8(b).ok())
        .and_then(|pair| {
            let (user, pass) = pair.split_once(':')?;
            (pass == expected).then(|| user.to_owned())
        });
    seen.lock().unwrap().push((path.to_owned(), user.is_some()));
    let mut out = stream;
    let Some(user) = user else {
        let _ = out.write_all(
            b"HTTP/1.1 401 Unauthorized\r\nWWW-Authenticate: Basic realm=\"git\"\r\n\
              Content-Length: 0\r\nConnection: close\r\n\r\n",
        );
        return;
    };
    let mut cgi = Command::new("git")
        .arg("http-backend")
        .env("GIT_PROJECT_ROOT", root)
        .env("GIT_HTTP_EXPORT_ALL", "1")
        .env("REQUEST_METHOD", &method)
        .env("PATH_INFO", path)
        .env("QUERY_STRING", query)
        .env(
            "CONTENT_TYPE",
            headers.get("content-type").cloned().unwrap_or_default(),
        )
        .env("CONTENT_LENGTH", length.to_string())
        .env("REMOTE_USER", user)
        .env("REMOTE_ADDR", "127.0.0.1")
        .env(
            "GIT_PROTOCOL",
            headers.get("git-protocol").cloned().unwrap_or_default(),
        )
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("git http-backend");
    let mut stdin = cgi.stdin.take().unwrap();
    let writer = std::thread::spawn(move || {
        let _ = stdin.write_all(&body);
    });
    let output = cgi.wait_with_output().unwrap();
    let _ = writer.join();
    // CGI output: header lines, a blank line, the body.
    let raw = output.stdout;
    let split = raw
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .map(|i| (i, 4))
        .or_else(|| raw.windows(2).position(|w| w == b"\n\n").map(|i| (i, 2)));
    let Some((end, sep)) = split else {
        let _ =
            out.write_all(b"HTTP/1.1 500 CGI\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
        return;
    };
    let head = String::from_utf8_lossy(&raw[..end]).into_owned();
    let content = &raw[end + sep..];
    let mut status = "200 OK".to_owned();
    let mut response_headers = String::new();
    for h in head.lines() {
        match h.split_once(':') {
            Some((k, v)) if k.eq_ignore_ascii_case("status") => v.trim().clone_into(&mut status),
            Some(_) => {
                response_headers.push_str(h.trim_end());
                response_headers.push_str("\r\n");
            }
            None => {}
        }
    }
    let _ = out.write_all(
        format!(
            "HTTP/1.1 {status}\r\n{response_headers}Content-Length: {}\r\nConnection: close\r\n\r\n",
            content.len()
        )
        .as_bytes(),
    );
    let _ = out.write_all(content);
}
