//! The server's bounds, framing and life cycle, over real sockets; the head checks alone.

use std::fmt::Write as _;
use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::time::Instant;

use proptest::prelude::*;

use super::head::check_head_for_tests;
use super::*;

fn quick() -> Limits {
    Limits {
        head_timeout: Duration::from_secs(1),
        body_timeout: Duration::from_secs(1),
        idle_timeout: Duration::from_secs(1),
        ..Limits::default()
    }
}

fn start(limits: Limits, handler: impl Fn(Request) -> Response + Send + Sync + 'static) -> Server {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let options = Options {
        ..Options::new(limits)
    };
    let handler = move |req: Request, _peer: &Peer| handler(req);
    Server::start(listener, options, Arc::new(handler)).unwrap()
}

/// Answers `METHOD PATH BODY-LENGTH`, and panics for `/panic`.
#[allow(clippy::needless_pass_by_value)]
fn echo(req: Request) -> Response {
    assert_ne!(req.uri().path(), "/panic", "a handler bug");
    Response::new(Body::from(format!(
        "{} {} {}",
        req.method(),
        req.uri().path(),
        req.body().len()
    )))
}

fn connect(addr: SocketAddr) -> TcpStream {
    let c = TcpStream::connect(addr).unwrap();
    c.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
    c
}

/// Sends `bytes`, returns everything the server sends until it closes (or 5 s pass).
fn exchange(addr: SocketAddr, bytes: &[u8]) -> String {
    let mut c = connect(addr);
    // The server may answer and close before reading everything.
    let _ = c.write_all(bytes);
    read_all(&mut c)
}

fn read_all(c: &mut TcpStream) -> String {
    let mut out = Vec::new();
    let _ = c.read_to_end(&mut out);
    String::from_utf8_lossy(&out).into_owned()
}

fn status(answer: &str) -> &str {
    answer.split(' ').nth(1).unwrap_or_default()
}

#[test]
fn one_connection_serves_requests_in_turn_and_survives_a_panicking_handler() {
    let server = start(Limits::default(), echo);
    let addr = server.local_addr();
    let out = exchange(
        addr,
        b"POST /a HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n\r\nabc\
          HEAD /b HTTP/1.1\r\nHost: x\r\n\r\n\
          \r\nGET /c?q HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
    );
    let answers: Vec<&str> = out.split("HTTP/1.1 ").skip(1).collect();
    assert_eq!(answers.len(), 3, "{out}");
    assert!(answers[0].starts_with("200 OK\r\n"), "{out}");
    assert!(answers[0].contains("\r\ncontent-length: 9\r\n"), "{out}");
    assert!(answers[0].contains("\r\ndate: "), "{out}");
    assert!(answers[0].ends_with("\r\n\r\nPOST /a 3"), "{out}");
    assert!(!answers[0].contains("connection:"), "{out}");
    // HEAD: the length GET would have, no body.
    assert!(answers[1].contains("content-length: 9\r\n"), "{out}"); // "HEAD /b 0"
    assert!(answers[1].ends_with("\r\n\r\n"), "{out}");
    assert!(answers[2].contains("connection: close\r\n"), "{out}");
    assert!(answers[2].ends_with("\r\n\r\nGET /c 0"), "{out}");
    let out = exchange(addr, b"GET /panic HTTP/1.1\r\nHost: x\r\n\r\n");
    assert!(out.starts_with("HTTP/1.1 500 "), "{out}");
    assert!(out.contains("connection: close\r\n"), "{out}");
    let out = exchange(
        addr,
        b"GET /after HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
    );
    assert!(out.ends_with("GET /after 0"), "{out}");
}

#[test]
fn the_handler_learns_the_connections_peer() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let options = Options {
        ..Options::new(quick())
    };
    let handler = |_req: Request, peer: &Peer| {
        let certs = peer.certificates.as_ref().map_or(0, |c| c.0.len());
        Response::new(Body::from(format!("{} {certs}", peer.addr)))
    };
    let server = Server::start(listener, options, Arc::new(handler)).unwrap();
    let mut c = connect(server.local_addr());
    let local = c.local_addr().unwrap();
    c.write_all(b"GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        .unwrap();
    let out = read_all(&mut c);
    assert!(out.ends_with(&format!("\r\n\r\n{local} 0")), "{out}");
}

#[test]
fn handler_headers_that_belong_to_the_server_are_dropped() {
    let server = start(Limits::default(), |req: Request| {
        let mut resp = Response::new(Body::from("{\"a\":1}"));
        let h = resp.headers_mut();
        for (name, value) in [
            ("content-length", "999"),
            ("transfer-encoding", "chunked"),
            ("connection", "keep-alive"),
            ("keep-alive", "timeout=99"),
            ("upgrade", "h2c"),
            ("trailer", "x"),
            ("x-fine", "ok"),
        ] {
            h.append(name, http::HeaderValue::from_static(value));
        }
        if req.uri().path() == "/close" {
            h.append("connection", http::HeaderValue::from_static("close"));
        }
        resp
    });
    let addr = server.local_addr();
    let out = exchange(
        addr,
        b"GET / HTTP/1.1\r\nHost: x\r\n\r\nGET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
    );
    assert_eq!(out.matches("HTTP/1.1 200").count(), 2, "{out}");
    let first = out.split("HTTP/1.1 ").nth(1).unwrap();
    for gone in [
        "999",
        "chunked",
        "keep-alive",
        "timeout=99",
        "h2c",
        "trailer",
    ] {
        assert!(!first.contains(gone), "{gone} in {first}");
    }
    assert!(first.contains("\r\ncontent-length: 7\r\n"), "{first}");
    assert!(first.contains("\r\nx-fine: ok\r\n"), "{first}");
    // The handler's `Connection: close` is honoured: the second request is never read.
    let out = exchange(
        addr,
        b"GET /close HTTP/1.1\r\nHost: x\r\n\r\nGET / HTTP/1.1\r\nHost: x\r\n\r\n",
    );
    assert_eq!(out.matches("HTTP/1.1 200").count(), 1, "{out}");
    assert!(out.contains("\r\nconnection: close\r\n"), "{out}");
}

#[test]
fn bodiless_statuses_have_neither_body_nor_length() {
    let server = start(Limits::default(), |req: Request| {
        let mut resp = Response::new(Body::from("ignored"));
        *resp.status_mut() =
            http::StatusCode::from_u16(req.uri().path()[1..].parse().unwrap()).unwrap();
        resp
    });
    for code in ["204", "304"] {
        let out = exchange(
            server.local_addr(),
            format!("GET /{code} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n").as_bytes(),
        );
        assert_eq!(status(&out), code, "{out}");
        assert!(!out.contains("content-length"), "{out}");
        assert!(out.ends_with("\r\n\r\n"), "{out}");
    }
}

#[test]
fn heads_are_checked_before_hyper_sees_them() {
    let l = Limits::default();
    let check = |raw: &str| check_head_for_tests(raw.as_bytes(), &l).map_err(|r| r.status);
    let plain = "POST /token HTTP/1.1\r\nHost: x\r\nContent-Length: 12\r\n\r\n";
    assert_eq!(
        check(&format!("{plain}twelve bytes")),
        Ok(Some(plain.len()))
    );
    assert_eq!(check("GET / HTTP/1.1\r\nHost: x\r\n"), Ok(None));
    let refused = [
        (
            "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n",
            400,
        ),
        (
            "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nContent-Length: 3\r\n\r\n",
            400,
        ),
        (
            "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n",
            400,
        ),
        (
            "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip, chunked\r\n\r\n",
            400,
        ),
        (
            "POST / HTTP/1.0\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n",
            400,
        ),
        (
            "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\nContent-Length: 4\r\n\r\n",
            400,
        ),
        (
            "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 3, 4\r\n\r\n",
            400,
        ),
        (
            "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: +3\r\n\r\n",
            400,
        ),
        (
            "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 65537\r\n\r\n",
            413,
        ),
        (
            "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 99999999999999999999999\r\n\r\n",
            413,
        ),
        ("GET / HTTP/1.1\r\nHost: x\r\n folded\r\n\r\n", 400),
        ("GET / HTTP/1.1\r\n\r\n", 400),
        ("GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n", 400),
        ("GET http://x/ HTTP/1.1\r\nHost: x\r\n\r\n", 400),
        ("GET * HTTP/1.1\r\nHost: x\r\n\r\n", 400),
        ("GET / HTTP/2.0\r\nHost: x\r\n\r\n", 400),
        ("GET / HTTP/1.1\r\nHost: x\r\nExpect: magic\r\n\r\n", 417),
        ("GET / HTTP/1.1\r\nHost : x\r\n\r\n", 400),
        ("GET /caf\u{e9} HTTP/1.1\r\nHost: x\r\n\r\n", 400),
        ("GET / HTTP/1.1\r\nHost: x\r\nX: caf\u{e9}\r\n\r\n", 400),
        ("GET / HTTP/1.1\r\nHost: x\r\nX: a\0b\r\n\r\n", 400),
        ("garbage\r\n\r\n", 400),
    ];
    for (raw, want) in refused {
        assert_eq!(check(raw), Err(want), "{raw:?}");
    }
    // HTTP/1.0 may leave out Host; one 100-continue is fine; equal lengths are one length.
    for fine in [
        "GET / HTTP/1.0\r\n\r\n",
        "POST / HTTP/1.1\r\nHost: x\r\nExpect: 100-Continue\r\nContent-Length: 1\r\n\r\n",
        "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\nContent-Length: 3\r\n\r\n",
        "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: Chunked\r\n\r\n",
    ] {
        assert!(matches!(check(fine), Ok(Some(_))), "{fine:?}");
    }
}

#[test]
fn head_sizes_are_bounded_while_they_arrive() {
    let l = Limits::default();
    let check = |raw: &[u8]| check_head_for_tests(raw, &l).map_err(|r| r.status);
    // A request line without its end yet, over the limit.
    assert_eq!(check(&vec![b'a'; l.max_request_line + 1]), Err(414));
    assert_eq!(check(&vec![b'a'; l.max_request_line]), Ok(None));
    let mut line = format!("GET /{} HTTP/1.1\r\n", "a".repeat(l.max_request_line));
    assert_eq!(check(line.as_bytes()), Err(414));
    line = "GET / HTTP/1.1\r\n".to_owned();
    let mut many = line.clone();
    for i in 0..=l.max_headers {
        let _ = write!(many, "X-{i}: y\r\n");
    }
    assert_eq!(check(many.as_bytes()), Err(431));
    let mut big = line.clone();
    let _ = write!(big, "X: {}\r\n", "v".repeat(l.max_header_bytes));
    assert_eq!(check(big.as_bytes()), Err(431));
    let total = Limits {
        max_head: 1024,
        ..Limits::default()
    };
    let head = format!(
        "GET / HTTP/1.1\r\nHost: x\r\nX: {}\r\n\r\n",
        "v".repeat(1000)
    );
    assert_eq!(
        check_head_for_tests(head.as_bytes(), &total).map_err(|r| r.status),
        Err(431)
    );
}

#[test]
fn refusals_close_lingering_so_the_client_reads_the_status() {
    let server = start(quick(), echo);
    let addr = server.local_addr();
    // A megabyte of request line, and a declared 100 MB body sent along: the client writes
    // all of it before it reads, and still reads the status.
    let line = format!("GET /{} HTTP/1.1\r\nHost: x\r\n\r\n", "a".repeat(1 << 20));
    let out = exchange(addr, line.as_bytes());
    assert!(out.starts_with("HTTP/1.1 414 URI Too Long\r\n"), "{out}");
    assert!(out.contains("connection: close\r\n"), "{out}");
    assert!(out.ends_with("request line too long\n"), "{out}");
    let huge = format!(
        "POST /token HTTP/1.1\r\nHost: x\r\nContent-Length: 100000000\r\n\r\n{}",
        "a".repeat(512 * 1024)
    );
    assert_eq!(status(&exchange(addr, huge.as_bytes())), "413");
    let smuggle = "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\nGET /smuggled HTTP/1.1\r\nHost: x\r\n\r\n";
    let out = exchange(addr, smuggle.as_bytes());
    assert_eq!(status(&out), "400", "{out}");
    assert!(!out.contains("smuggled"), "{out}");
}

#[test]
fn chunked_bodies_are_accepted_up_to_the_cap_and_the_deadline() {
    let limits = Limits {
        max_body: 16,
        ..quick()
    };
    let server = start(limits, |req: Request| {
        Response::new(Body::from(req.into_body()))
    });
    let addr = server.local_addr();
    let out = exchange(
        addr,
        b"POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n6;ext=1\r\n world\r\n0\r\n\r\n",
    );
    assert!(out.starts_with("HTTP/1.1 200 OK\r\n"), "{out}");
    assert!(out.contains("content-length: 11\r\n"), "{out}");
    assert!(out.ends_with("\r\n\r\nhello world"), "{out}");
    // The gate finds where a chunked body ends (trailers included): the connection is kept,
    // and the next head is checked like any other.
    let out = exchange(
        addr,
        b"POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nhi\r\n0\r\nX-T: 1\r\n\r\n\
          POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n\r\nbye\
          GET / HTTP/1.1\r\n\r\n",
    );
    assert_eq!(out.matches("HTTP/1.1 200 OK\r\n").count(), 2, "{out}");
    assert!(
        out.contains("\r\n\r\nhi") && out.contains("\r\n\r\nbye"),
        "{out}"
    );
    assert!(out.contains("HTTP/1.1 400 "), "{out}");
    // A framing line not ended by CRLF could be read two ways: refused.
    for bare_lf in [
        &b"2\nhi\r\n0\r\n\r\n"[..],
        b"2\r\nhi\n0\r\n\r\n",
        b"2;a\nb\r\nhi\r\n0\r\n\r\n",
        b"0\r\nX-T: 1\n\r\n",
    ] {
        let mut request =
            b"POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n".to_vec();
        request.extend_from_slice(bare_lf);
        request.extend_from_slice(b"GET /smuggled HTTP/1.1\r\nHost: x\r\n\r\n");
        let out = exchange(addr, &request);
        assert_eq!(status(&out), "400", "{out}");
        assert!(!out.contains("/smuggled"), "{out}");
    }
    let over = exchange(
        addr,
        b"POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n10\r\n0123456789abcdef\r\n1\r\n!\r\n0\r\n\r\n",
    );
    assert!(over.starts_with("HTTP/1.1 413 "), "{over}");
    let bad = exchange(
        addr,
        b"POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",
    );
    assert_eq!(status(&bad), "400", "{bad}");
    // A chunked body that never ends runs into the body deadline.
    let mut slow = connect(addr);
    slow.write_all(b"POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n1\r\na\r\n")
        .unwrap();
    let started = Instant::now();
    let out = read_all(&mut slow);
    assert!(out.starts_with("HTTP/1.1 408 "), "{out}");
    assert!(
        started.elapsed() < Duration::from_secs(3),
        "{:?}",
        started.elapsed()
    );
}

#[test]
fn expect_100_continue_is_answered_before_the_body() {
    let server = start(quick(), echo);
    let mut c = connect(server.local_addr());
    c.write_all(
        b"POST /e HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: 2\r\n\r\n",
    )
    .unwrap();
    let mut buf = [0u8; 64];
    let n = c.read(&mut buf).unwrap();
    assert_eq!(&buf[..n], b"HTTP/1.1 100 Continue\r\n\r\n");
    c.write_all(b"ok").unwrap();
    c.shutdown(std::net::Shutdown::Write).unwrap();
    let out = read_all(&mut c);
    assert!(out.ends_with("POST /e 2"), "{out}");
}

/// Trickles `bytes` a byte every `pause` until the server answers or closes; returns the
/// answer and how long it took.
fn trickle(addr: SocketAddr, bytes: &[u8], pause: Duration) -> (String, Duration) {
    let mut c = connect(addr);
    c.set_read_timeout(Some(Duration::from_millis(1))).unwrap();
    let started = Instant::now();
    let mut out = Vec::new();
    let mut buf = [0u8; 1024];
    for byte in bytes.iter().cycle() {
        assert!(started.elapsed() < Duration::from_secs(10), "never cut off");
        if c.write_all(std::slice::from_ref(byte)).is_err() {
            break;
        }
        std::thread::sleep(pause);
        match c.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => out.extend_from_slice(&buf[..n]),
            Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {}
            Err(_) => break,
        }
    }
    c.set_read_timeout(Some(Duration::from_secs(2))).unwrap();
    let _ = c.read_to_end(&mut out);
    (
        String::from_utf8_lossy(&out).into_owned(),
        started.elapsed(),
    )
}

#[test]
fn a_trickled_head_or_body_cannot_extend_its_deadline() {
    let server = start(quick(), echo);
    let addr = server.local_addr();
    let (out, took) = trickle(
        addr,
        b"GET / HTTP/1.1\r\nX-Slow: aaaa",
        Duration::from_millis(50),
    );
    assert!(out.starts_with("HTTP/1.1 408 "), "{out}");
    assert!(
        took >= Duration::from_millis(900) && took < Duration::from_secs(3),
        "{took:?}"
    );
    let mut head = b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\n\r\n".to_vec();
    head.extend(std::iter::repeat_n(b'a', 1000));
    let (out, took) = trickle(addr, &head, Duration::from_millis(5));
    assert!(out.starts_with("HTTP/1.1 408 "), "{out}");
    assert!(took < Duration::from_secs(4), "{took:?}");
}

#[test]
fn silent_and_idle_connections_are_closed() {
    let server = start(quick(), echo);
    let addr = server.local_addr();
    let mut silent = connect(addr);
    let mut kept = connect(addr);
    kept.write_all(b"GET /k HTTP/1.1\r\nHost: x\r\n\r\n")
        .unwrap();
    let started = Instant::now();
    // The silent one is closed without a word; the kept-alive one after its answer.
    assert_eq!(read_all(&mut silent), "");
    let out = read_all(&mut kept);
    assert!(
        out.starts_with("HTTP/1.1 200 ") && out.ends_with("GET /k 0"),
        "{out}"
    );
    let took = started.elapsed();
    assert!(
        took >= Duration::from_millis(900) && took < Duration::from_secs(3),
        "{took:?}"
    );
}

#[test]
fn connections_over_the_cap_get_503_until_one_closes() {
    let server = start(
        Limits {
            max_connections: 2,
            ..quick()
        },
        echo,
    );
    let addr = server.local_addr();
    let held: Vec<TcpStream> = (0..2).map(|_| connect(addr)).collect();
    std::thread::sleep(Duration::from_millis(100));
    let over = exchange(addr, b"GET / HTTP/1.1\r\nHost: x\r\n\r\n");
    assert!(over.starts_with("HTTP/1.1 503 "), "{over}");
    drop(held);
    std::thread::sleep(Duration::from_millis(200));
    let out = exchange(
        addr,
        b"GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
    );
    assert!(out.starts_with("HTTP/1.1 200 "), "{out}");
}

#[test]
fn the_oldest_waiting_connection_makes_room() {
    let server = start(
        Limits {
            max_connections: 3,
            when_full: WhenFull::CloseOldestWaiting,
            ..Limits::default()
        },
        echo,
    );
    let addr = server.local_addr();
    let mut waiting: Vec<TcpStream> = (0..3)
        .map(|_| {
            let c = connect(addr);
            std::thread::sleep(Duration::from_millis(50));
            c
        })
        .collect();
    // A fourth closes the first; it is served at once.
    let out = exchange(
        addr,
        b"GET /new HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
    );
    assert!(out.ends_with("GET /new 0"), "{out}");
    assert_eq!(read_all(&mut waiting[0]), "");
    // The others are still open and served.
    waiting[1]
        .write_all(b"GET /old HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        .unwrap();
    assert!(read_all(&mut waiting[1]).ends_with("GET /old 0"));
}

#[test]
fn stopping_finishes_answers_in_flight_closes_the_rest_and_frees_the_port() {
    let mut server = start(quick(), |req: Request| {
        if req.uri().path() == "/slow" {
            std::thread::sleep(Duration::from_millis(300));
        }
        echo(req)
    });
    let addr = server.local_addr();
    let mut idle = connect(addr);
    let mut slow = connect(addr);
    slow.write_all(b"GET /slow HTTP/1.1\r\nHost: x\r\n\r\n")
        .unwrap();
    std::thread::sleep(Duration::from_millis(100));
    let started = Instant::now();
    server.stop();
    assert!(
        started.elapsed() < Duration::from_secs(2),
        "{:?}",
        started.elapsed()
    );
    assert!(read_all(&mut slow).ends_with("GET /slow 0"));
    assert_eq!(read_all(&mut idle), "");
    assert!(TcpStream::connect(addr).is_err());
    assert!(
        std::net::TcpListener::bind(addr).is_ok(),
        "the port is free again"
    );
}

proptest! {
    // Any bytes: the head checks never panic, and a head they pass is one httparse parses.
    #[test]
    fn arbitrary_heads_never_panic(head in proptest::collection::vec(any::<u8>(), 0..600)) {
        if let Ok(Some(len)) = check_head_for_tests(&head, &Limits::default()) {
            let mut headers = [httparse::EMPTY_HEADER; 100];
            let parsed = httparse::Request::new(&mut headers).parse(&head);
            prop_assert_eq!(parsed.ok(), Some(httparse::Status::Complete(len)));
        }
    }

    #[test]
    fn mutated_requests_never_panic(
        line in "(GET|POST|HEAD|get) /[a-z?=&%]{0,20} HTTP/1\\.[01]",
        headers in proptest::collection::vec("[A-Za-z-]{1,12}: [ -~]{0,20}", 0..8),
    ) {
        let raw = format!("{line}\r\n{}\r\n\r\n", headers.join("\r\n"));
        let _ = check_head_for_tests(raw.as_bytes(), &Limits::default());
    }
}
