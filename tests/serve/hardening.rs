//! Hostile HTTP: foreign `Host` headers, oversized or ambiguous requests, slow and
//! idle clients, the connection cap; keep-alive and pipelining still work.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};

use base64::Engine as _;
use oauthctl::devserver::{DevConfig, Limits};
use serde_json::Value;

use super::{client_credentials, start, url};
use crate::support::{get, post_basic, raw};

#[test]
fn foreign_host_headers_are_refused() {
    let s = start(DevConfig::default());
    let port = s.local_addr().port();
    let req = |host: &str| {
        raw(
            s.local_addr(),
            format!("GET /jwks HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n").as_bytes(),
        )
    };
    assert!(req(&format!("127.0.0.1:{port}")).starts_with("HTTP/1.1 200"));
    assert!(req(&format!("localhost:{port}")).starts_with("HTTP/1.1 200"));
    assert!(req(&format!("[::1]:{port}")).starts_with("HTTP/1.1 200"));
    for bad in [
        format!("evil.example:{port}"),
        "127.0.0.1".to_owned(),
        format!("127.0.0.1:{}", port.wrapping_add(1)),
        format!("localhost.evil.example:{port}"),
    ] {
        let r = req(&bad);
        assert!(r.starts_with("HTTP/1.1 421"), "{bad}: {r}");
    }
    let r = raw(
        s.local_addr(),
        b"GET /jwks HTTP/1.1\r\nConnection: close\r\n\r\n",
    );
    assert!(r.starts_with("HTTP/1.1 400"), "{r}");
}

fn fast_limits() -> Limits {
    Limits {
        head_timeout: Duration::from_secs(2),
        body_timeout: Duration::from_secs(2),
        idle_timeout: Duration::from_secs(2),
        ..Limits::default()
    }
}

#[test]
fn hostile_requests_get_4xx_while_normal_ones_are_served() {
    let s = start(DevConfig {
        limits: fast_limits(),
        ..DevConfig::default()
    });
    let addr = s.local_addr();
    let host = format!("127.0.0.1:{}", addr.port());
    // Slow clients first: they hold connections while the rest runs.
    let mut slow: Vec<TcpStream> = (0..20)
        .map(|_| {
            let mut c = TcpStream::connect(addr).unwrap();
            c.write_all(b"GET /jwks HTTP/1.1\r\nHo").unwrap();
            c
        })
        .collect();
    let idle: Vec<TcpStream> = (0..20).map(|_| TcpStream::connect(addr).unwrap()).collect();
    let line = format!(
        "GET /{} HTTP/1.1\r\nHost: {host}\r\n\r\n",
        "a".repeat(1 << 20)
    );
    assert!(raw(addr, line.as_bytes()).starts_with("HTTP/1.1 414"));
    let mut many = format!("GET /jwks HTTP/1.1\r\nHost: {host}\r\n");
    for i in 0..1000 {
        many.push_str("X-H");
        many.push_str(&i.to_string());
        many.push_str(": v\r\n");
    }
    many.push_str("\r\n");
    assert!(raw(addr, many.as_bytes()).starts_with("HTTP/1.1 431"));
    let huge = format!(
        "POST /token HTTP/1.1\r\nHost: {host}\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 100000000\r\n\r\n{}",
        "a=b&".repeat(1000)
    );
    assert!(raw(addr, huge.as_bytes()).starts_with("HTTP/1.1 413"));
    let cl_te = format!(
        "POST /token HTTP/1.1\r\nHost: {host}\r\nContent-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n"
    );
    assert!(raw(addr, cl_te.as_bytes()).starts_with("HTTP/1.1 400"));
    let te_te = format!(
        "POST /token HTTP/1.1\r\nHost: {host}\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: identity\r\n\r\n0\r\n\r\n"
    );
    assert!(raw(addr, te_te.as_bytes()).starts_with("HTTP/1.1 4"));
    let smuggle = format!(
        "POST /token HTTP/1.1\r\nHost: {host}\r\nContent-Length: 4\r\nContent-Length: 40\r\n\r\n"
    );
    assert!(raw(addr, smuggle.as_bytes()).starts_with("HTTP/1.1 400"));
    // A form body over 64 KiB through a normal client.
    let big = "x".repeat(70 * 1024);
    let a = post_basic(
        &url(&s, "/token"),
        "demo-service",
        "demo-secret",
        &[("big", &big)],
    );
    assert_eq!(a.status, 413);
    // Meanwhile, ordinary requests are answered quickly.
    let t = Instant::now();
    for _ in 0..5 {
        assert_eq!(get(&url(&s, "/jwks"), None).status, 200);
    }
    assert!(t.elapsed() < Duration::from_secs(2), "{:?}", t.elapsed());
    assert_eq!(client_credentials(&s, "api:read").status, 200);
    // The slowloris connections are cut off by the head deadline.
    std::thread::sleep(Duration::from_millis(2300));
    for c in &mut slow {
        c.set_read_timeout(Some(Duration::from_secs(3))).unwrap();
        let mut buf = String::new();
        let _ = c.read_to_string(&mut buf);
        assert!(buf.is_empty() || buf.starts_with("HTTP/1.1 408"), "{buf}");
    }
    for mut c in idle {
        c.set_read_timeout(Some(Duration::from_secs(3))).unwrap();
        let mut buf = [0u8; 16];
        assert_eq!(
            c.read(&mut buf).unwrap_or(0),
            0,
            "idle connections are closed"
        );
    }
}

#[test]
fn the_connection_cap_holds_and_recovers() {
    let s = start(DevConfig {
        limits: Limits {
            max_connections: 4,
            ..fast_limits()
        },
        ..DevConfig::default()
    });
    let addr = s.local_addr();
    let held: Vec<TcpStream> = (0..4).map(|_| TcpStream::connect(addr).unwrap()).collect();
    std::thread::sleep(Duration::from_millis(200));
    let over = raw(
        addr,
        format!(
            "GET /jwks HTTP/1.1\r\nHost: 127.0.0.1:{}\r\n\r\n",
            addr.port()
        )
        .as_bytes(),
    );
    assert!(over.starts_with("HTTP/1.1 503"), "{over}");
    drop(held);
    std::thread::sleep(Duration::from_millis(300));
    assert_eq!(get(&url(&s, "/jwks"), None).status, 200);
}

#[test]
fn keep_alive_and_pipelining_work() {
    let s = start(DevConfig::default());
    let host = format!("127.0.0.1:{}", s.local_addr().port());
    let one = format!("GET /jwks HTTP/1.1\r\nHost: {host}\r\n\r\n");
    let last = format!("GET /jwks HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n");
    let out = raw(s.local_addr(), format!("{one}{one}{last}").as_bytes());
    assert_eq!(out.matches("HTTP/1.1 200").count(), 3, "{out}");
    assert_eq!(s.hits("/jwks"), 3);
}

/// A chunked request body is accepted (decoded, within the same cap as any
/// body), and a chunked body over the cap is refused.
#[test]
fn chunked_token_requests_are_answered_and_capped() {
    let s = start(DevConfig {
        limits: fast_limits(),
        ..DevConfig::default()
    });
    let addr = s.local_addr();
    let head = format!(
        "POST /token HTTP/1.1\r\nHost: 127.0.0.1:{}\r\nAuthorization: Basic {}\r\n\
         Content-Type: application/x-www-form-urlencoded\r\nTransfer-Encoding: chunked\r\n\
         Connection: close\r\n\r\n",
        addr.port(),
        base64::engine::general_purpose::STANDARD.encode("demo-service:demo-secret"),
    );
    let form = "grant_type=client_credentials&scope=api%3Aread";
    let (a, b) = form.split_at(20);
    let chunked = format!(
        "{head}{:x}\r\n{a}\r\n{:x}\r\n{b}\r\n0\r\n\r\n",
        a.len(),
        b.len()
    );
    let out = raw(addr, chunked.as_bytes());
    assert!(out.starts_with("HTTP/1.1 200 "), "{out}");
    let body: Value = serde_json::from_str(out.split("\r\n\r\n").nth(1).unwrap()).unwrap();
    assert!(
        body["access_token"].as_str().is_some_and(|t| !t.is_empty()),
        "{out}"
    );
    assert_eq!(body["token_type"], "Bearer");
    // The same 64 KiB cap as for a body with Content-Length, in small chunks or one big one.
    let piece = format!("{form}&pad={}", "x".repeat(4000));
    let mut over = head.clone();
    for _ in 0..17 {
        over.push_str(&format!("{:x}\r\n{piece}\r\n", piece.len()));
    }
    over.push_str("0\r\n\r\n");
    assert!(raw(addr, over.as_bytes()).starts_with("HTTP/1.1 413 "));
    let one = format!(
        "{head}{:x}\r\n{}\r\n0\r\n\r\n",
        70 * 1024,
        "y".repeat(70 * 1024)
    );
    assert!(raw(addr, one.as_bytes()).starts_with("HTTP/1.1 413 "));
    assert_eq!(s.hits("/token"), 1);
}
