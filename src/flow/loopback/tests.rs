//! Callback handling: pure evaluation and the real socket.

use super::*;
use crate::oauth::redirect_uri::RedirectUri;
use proptest::prelude::*;
use std::fmt::Write as _;
use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::Instant;

const AUTH: &str = "127.0.0.1:5555";

fn expect() -> Expect {
    Expect {
        state: "s-123".into(),
        issuer: Some("https://as.example".into()),
        iss_required: true,
    }
}

fn request(method: &str, target: &str, hosts: &[&str]) -> http::Request<()> {
    let mut req = http::Request::builder()
        .method(http::Method::from_bytes(method.as_bytes()).unwrap())
        .uri(target);
    for host in hosts {
        req = req.header("host", *host);
    }
    req.body(()).unwrap()
}

fn get(target: &str) -> http::Request<()> {
    request("GET", target, &[AUTH])
}

fn eval(req: &http::Request<()>) -> (u16, Option<Callback>) {
    let (r, cb) = evaluate(req, &expect(), AUTH);
    (r.status, cb)
}

#[test]
fn a_valid_callback_ends_the_flow_with_the_code() {
    let (status, cb) = eval(&get(
        "/callback?code=c1&state=s-123&iss=https%3A%2F%2Fas.example",
    ));
    assert_eq!(status, 200);
    assert_eq!(cb, Some(Callback::Code("c1".into())));
}

#[test]
fn strays_are_answered_without_ending_the_flow() {
    let cases: Vec<(http::Request<()>, u16)> = vec![
        (get("/favicon.ico"), 404),
        (get("/callback/../x"), 404),
        (get("/callback2?code=c&state=s-123"), 404),
        (
            request("POST", "/callback?code=c&state=s-123", &[AUTH]),
            405,
        ),
        (request("get", "/callback?code=c&state=s-123", &[AUTH]), 405),
        (get("/callback?code=c1"), 400),             // no state
        (get("/callback?code=c1&state=wrong"), 400), // wrong state
        (get("/callback?error=access_denied"), 400), // error without state
        (get("/callback?error=access_denied&state=nope"), 400), // error with wrong state
        (get("/callback?code=a&code=b&state=s-123"), 400), // duplicates
        (get("/callback?code=a&state=s-123&state=s-123"), 400),
        (get("/callback?code=a&state=s-123&iss=x&iss=y"), 400),
        (
            request(
                "GET",
                "/callback?code=c&state=s-123",
                &["evil.example:5555"],
            ),
            400,
        ),
        (request("GET", "/callback?code=c&state=s-123", &[]), 400),
        (
            request("GET", "/callback?code=c&state=s-123", &[AUTH, AUTH]),
            400,
        ),
        (
            request("HEAD", "/callback?code=c&state=s-123", &[AUTH]),
            200,
        ),
    ];
    for (req, want) in cases {
        let (status, cb) = eval(&req);
        assert_eq!(status, want, "{req:?}");
        assert!(cb.is_none(), "{req:?}");
    }
}
#[test]
fn responses_for_our_state_that_must_not_be_used_end_the_flow() {
    let cases = [
        (
            "/callback?error=access_denied&error_description=no%1b[31m&state=s-123&iss=https%3A%2F%2Fas.example",
            "error",
        ),
        (
            "/callback?code=c&state=s-123&iss=https%3A%2F%2Fevil.example",
            "mix-up",
        ),
        (
            "/callback?code=c&state=s-123&iss=https%3A%2F%2Fas.example%2F",
            "mix-up",
        ), // trailing slash
        ("/callback?code=c&state=s-123", "lacks"),
        (
            "/callback?access_token=t&state=s-123&iss=https%3A%2F%2Fas.example",
            "implicit",
        ),
        (
            "/callback?state=s-123&iss=https%3A%2F%2Fas.example",
            "neither",
        ),
    ];
    for (target, kind) in cases {
        let (status, cb) = eval(&get(target));
        assert_eq!(status, 400, "{target}");
        match (kind, cb) {
            ("error", Some(Callback::Error(e))) => {
                assert_eq!(e.error, "access_denied");
                assert_eq!(e.error_description.as_deref(), Some("no\u{1b}[31m"));
            }
            ("mix-up", Some(Callback::Refused(r))) => assert!(r.contains("mix-up"), "{r}"),
            (k, Some(Callback::Refused(r))) if k != "error" && k != "mix-up" => {
                assert!(r.contains(k), "{r}");
            }
            (k, other) => panic!("{target}: {k}: {other:?}"),
        }
    }
}

#[test]
fn reflected_values_are_escaped_in_pages() {
    let (r, _) = evaluate(
        &get(
            "/callback?error=x&error_description=%3Cscript%3Ealert(1)%3C%2Fscript%3E&state=s-123&iss=https%3A%2F%2Fas.example",
        ),
        &expect(),
        AUTH,
    );
    assert!(!r.body.contains("<script>"), "{}", r.body);
    assert!(r.body.contains("&lt;script&gt;"));
}

fn send(addr: SocketAddr, raw: &[u8]) -> String {
    let mut s = TcpStream::connect(addr).unwrap();
    s.write_all(raw).unwrap();
    let mut out = String::new();
    let _ = s.read_to_string(&mut out);
    out
}

#[test]
fn the_real_listener_survives_strays_and_slow_clients_then_closes() {
    let listener = Listener::bind(0).unwrap();
    let addr = listener.addr();
    assert!(addr.ip().is_loopback());
    assert!(listener.redirect_uri().starts_with("http://127.0.0.1:"));
    // A second bind of the same port fails while we listen.
    assert!(TcpListener::bind(addr).is_err());
    let authority = format!("127.0.0.1:{}", addr.port());
    let waiter = std::thread::spawn(move || listener.wait(&expect(), Duration::from_secs(20)));
    // A connection that sends nothing, and one that sends a megabyte.
    let _idle = TcpStream::connect(addr).unwrap();
    let mut big = TcpStream::connect(addr).unwrap();
    let _ = big.write_all(&vec![b'a'; 1024 * 1024]);
    let stray = send(
        addr,
        format!("GET /favicon.ico HTTP/1.1\r\nHost: {authority}\r\n\r\n").as_bytes(),
    );
    assert!(stray.starts_with("HTTP/1.1 404"), "{stray}");
    let wrong = send(
        addr,
        format!("GET /callback?code=x&state=bad HTTP/1.1\r\nHost: {authority}\r\n\r\n").as_bytes(),
    );
    assert!(wrong.starts_with("HTTP/1.1 400"), "{wrong}");
    let ok = send(
        addr,
        format!("GET /callback?code=real&state=s-123&iss=https%3A%2F%2Fas.example HTTP/1.1\r\nHost: {authority}\r\n\r\n")
            .as_bytes(),
    );
    assert!(ok.starts_with("HTTP/1.1 200"), "{ok}");
    assert!(ok.contains("cache-control: no-store") && ok.contains("referrer-policy: no-referrer"));
    assert!(ok.contains("You can close this tab"));
    let cb = waiter.join().unwrap().unwrap();
    assert_eq!(cb, Callback::Code("real".into()));
    // The port is closed once the flow ended.
    std::thread::sleep(Duration::from_millis(50));
    assert!(TcpStream::connect(addr).is_err());
}

/// The listener's own bounds hold on the socket: request line, header count, head size,
/// malformed and bodied requests are answered and closed, and the flow keeps waiting.
#[test]
fn the_real_listener_refuses_what_is_out_of_bounds() {
    let listener = Listener::bind(0).unwrap();
    let addr = listener.addr();
    let authority = format!("127.0.0.1:{}", addr.port());
    let waiter = std::thread::spawn(move || listener.wait(&expect(), Duration::from_secs(20)));
    let status = |raw: &[u8]| {
        let out = send(addr, raw);
        out.split(' ').nth(1).unwrap_or_default().to_owned()
    };
    let long_line = format!(
        "GET /callback?{} HTTP/1.1\r\nHost: {authority}\r\n\r\n",
        "a".repeat(MAX_REQUEST_LINE)
    );
    assert_eq!(status(long_line.as_bytes()), "414");
    let mut many = "GET /callback HTTP/1.1\r\n".to_owned();
    for i in 0..=MAX_HEADERS {
        let _ = write!(many, "X-{i}: y\r\n");
    }
    many.push_str("\r\n");
    assert_eq!(status(many.as_bytes()), "431");
    // Under 100 headers, but over 16 KiB in all; and just under it, which is served.
    let sized = |total: usize| {
        let mut head = format!("GET /favicon.ico HTTP/1.1\r\nHost: {authority}\r\n");
        let mut i = 0;
        while head.len() + 4 < total {
            let room = (total - head.len() - 4).min(1000);
            let _ = write!(
                head,
                "X-{i:02}: {}\r\n",
                "v".repeat(room.saturating_sub(8).max(1))
            );
            i += 1;
        }
        head.push_str("\r\n");
        head
    };
    assert_eq!(status(sized(MAX_HEAD + 200).as_bytes()), "431");
    assert_eq!(status(sized(MAX_HEAD - 200).as_bytes()), "404");
    assert_eq!(status(b"garbage\r\n\r\n"), "400");
    assert_eq!(status(b"\xff\xfe\r\n\r\n"), "400");
    assert_eq!(status(b"GET /callback HTTP/1.1\r\n\r\n"), "400");
    let body =
        format!("POST /callback HTTP/1.1\r\nHost: {authority}\r\nContent-Length: 5\r\n\r\nhello");
    assert_eq!(status(body.as_bytes()), "413");
    let ok = send(
        addr,
        format!("GET /callback?code=real&state=s-123&iss=https%3A%2F%2Fas.example HTTP/1.1\r\nHost: {authority}\r\n\r\n")
            .as_bytes(),
    );
    assert!(ok.starts_with("HTTP/1.1 200"), "{ok}");
    assert_eq!(
        waiter.join().unwrap().unwrap(),
        Callback::Code("real".into())
    );
}

#[test]
fn the_listener_times_out_and_closes() {
    let listener = Listener::bind(0).unwrap();
    let addr = listener.addr();
    let start = Instant::now();
    let err = listener
        .wait(&expect(), Duration::from_millis(300))
        .unwrap_err();
    assert!(matches!(err, WaitError::Timeout(_)));
    assert!(start.elapsed() < Duration::from_secs(2));
    assert!(TcpStream::connect(addr).is_err());
}

/// The request head has one deadline; a client that trickles a byte at a
/// time cannot extend it, is answered 408 and closed, and the flow keeps waiting.
#[test]
fn a_trickled_request_head_cannot_extend_its_deadline() {
    let listener = Listener::bind(0).unwrap();
    let addr = listener.addr();
    let authority = format!("127.0.0.1:{}", addr.port());
    let waiter = std::thread::spawn(move || listener.wait(&expect(), Duration::from_secs(30)));
    let mut slow = TcpStream::connect(addr).unwrap();
    slow.set_read_timeout(Some(Duration::from_millis(20)))
        .unwrap();
    let started = Instant::now();
    let mut answer = Vec::new();
    let mut buf = [0u8; 1024];
    'trickle: for byte in b"GET /callback?state=s-123".iter().cycle() {
        assert!(
            started.elapsed() < READ_TIMEOUT * 3,
            "still reading after {:?}",
            started.elapsed()
        );
        if slow.write_all(std::slice::from_ref(byte)).is_err() {
            break;
        }
        std::thread::sleep(Duration::from_millis(250));
        loop {
            match slow.read(&mut buf) {
                Ok(0) => break 'trickle,
                Ok(n) => answer.extend_from_slice(&buf[..n]),
                Err(e)
                    if matches!(
                        e.kind(),
                        io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut
                    ) =>
                {
                    break;
                }
                Err(_) => break 'trickle,
            }
        }
    }
    let took = started.elapsed();
    assert!(
        took + Duration::from_millis(300) >= READ_TIMEOUT && took < READ_TIMEOUT * 2,
        "{took:?}"
    );
    let answer = String::from_utf8_lossy(&answer);
    assert!(answer.starts_with("HTTP/1.1 408"), "{answer}");
    let ok = send(
        addr,
        format!("GET /callback?code=real&state=s-123&iss=https%3A%2F%2Fas.example HTTP/1.1\r\nHost: {authority}\r\n\r\n")
            .as_bytes(),
    );
    assert!(ok.starts_with("HTTP/1.1 200"), "{ok}");
    assert_eq!(
        waiter.join().unwrap().unwrap(),
        Callback::Code("real".into())
    );
}

#[test]
fn ports_differ_between_runs() {
    let a = Listener::bind(0).unwrap().addr().port();
    let b = Listener::bind(0).unwrap().addr().port();
    assert_ne!(a, b);
}

proptest! {
    // Any request: no panic, and nothing without our exact state ends the flow with a code.
    #[test]
    fn arbitrary_requests_never_panic_or_yield_a_code_without_state(
        method in prop::sample::select(vec!["GET", "HEAD", "POST", "get", "OPTIONS"]),
        target in "/[a-z/]{0,12}(\\?[a-z_=&%0-9A-F.+-]{0,60})?",
        host in prop::sample::select(vec![AUTH, "evil.example:5555", "127.0.0.1"]),
    ) {
        let Ok(req) = http::Request::builder().method(method).uri(&target).header("host", host).body(()) else {
            return Ok(());
        };
        let (_, cb) = evaluate(&req, &expect(), AUTH);
        if let Some(Callback::Code(_)) = cb {
            let query = req.uri().query().unwrap_or_default();
            prop_assert!(
                url::form_urlencoded::parse(query.as_bytes()).any(|(k, v)| k == "state" && v == "s-123"),
                "{target}"
            );
        }
    }

    #[test]
    fn query_mutations_never_panic(q in "[a-z_=&%0-9A-F.-]{0,80}") {
        let _ = evaluate(&get(&format!("/callback?{q}")), &expect(), AUTH);
    }
}

#[test]
fn a_localhost_listener_binds_both_loopback_addresses_on_one_port_and_its_path_only() {
    let r = RedirectUri::parse("http://localhost/oauth/cb").unwrap();
    let listener = Listener::bind_for(&r).unwrap();
    let port = listener.port();
    let addrs = listener.addrs();
    assert_eq!(addrs.len(), 2, "{addrs:?}");
    assert!(addrs.iter().any(SocketAddr::is_ipv4) && addrs.iter().any(SocketAddr::is_ipv6));
    assert!(
        addrs
            .iter()
            .all(|a| a.ip().is_loopback() && a.port() == port)
    );
    assert_eq!(
        listener.redirect_uri(),
        format!("http://localhost:{port}/oauth/cb")
    );
    let waiter = std::thread::spawn(move || listener.wait(&expect(), Duration::from_secs(20)));
    for addr in &addrs {
        let stray = send(
            *addr,
            format!(
                "GET /callback?code=x&state=s-123&iss=https%3A%2F%2Fas.example HTTP/1.1\r\n\
                 Host: localhost:{port}\r\n\r\n"
            )
            .as_bytes(),
        );
        assert!(stray.starts_with("HTTP/1.1 404"), "{addr}: {stray}");
        // The name it was registered with, not the address.
        let literal = send(
            *addr,
            format!(
                "GET /oauth/cb?code=x&state=s-123&iss=https%3A%2F%2Fas.example HTTP/1.1\r\n\
                 Host: 127.0.0.1:{port}\r\n\r\n"
            )
            .as_bytes(),
        );
        assert!(literal.starts_with("HTTP/1.1 400"), "{addr}: {literal}");
    }
    let v6 = addrs.iter().find(|a| a.is_ipv6()).unwrap();
    let ok = send(
        *v6,
        format!(
            "GET /oauth/cb?code=real&state=s-123&iss=https%3A%2F%2Fas.example HTTP/1.1\r\n\
             Host: localhost:{port}\r\n\r\n"
        )
        .as_bytes(),
    );
    assert!(ok.starts_with("HTTP/1.1 200"), "{ok}");
    assert_eq!(
        waiter.join().unwrap().unwrap(),
        Callback::Code("real".into())
    );
    std::thread::sleep(Duration::from_millis(50));
    for addr in addrs {
        assert!(TcpStream::connect(addr).is_err(), "{addr} still open");
    }
}

#[test]
fn an_ip_literal_redirect_uri_binds_that_address_only_on_its_port() {
    let v6 = Listener::bind_for(&RedirectUri::parse("http://[::1]/cb").unwrap()).unwrap();
    assert_eq!(v6.addrs().len(), 1);
    assert!(v6.addr().is_ipv6());
    assert!(v6.redirect_uri().starts_with("http://[::1]:"));
    let free = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let fixed = RedirectUri::parse(&format!("http://127.0.0.1:{free}/x")).unwrap();
    let l = Listener::bind_for(&fixed).unwrap();
    assert_eq!(l.addrs(), [SocketAddr::from(([127, 0, 0, 1], free))]);
    assert_eq!(l.redirect_uri(), format!("http://127.0.0.1:{free}/x"));
    // The port is taken now: a second login with it fails instead of sharing it.
    assert!(Listener::bind_for(&fixed).is_err());
}

#[test]
fn pasted_addresses_are_classified_like_requests() {
    let listener = Listener::bind(0).unwrap();
    let port = listener.port();
    let waiting = listener.start(&expect()).unwrap();
    let sink = waiting.paste_sink();
    let at = |path: &str, state: &str| {
        format!(
            "http://127.0.0.1:{port}{path}?code=real&state={state}&iss=https%3A%2F%2Fas.example"
        )
    };
    for line in [
        "not an address".to_owned(),
        at("/callback", "wrong"),
        at("/elsewhere", "s-123"),
        at("/callback", "s-123").replace(&port.to_string(), &(port ^ 1).to_string()),
        at("/callback", "s-123") + "&code=again",
        at("/callback", "s-123"),
    ] {
        assert!(sink.paste(line));
    }
    let refused = std::sync::Mutex::new(Vec::<String>::new());
    let cb = waiting
        .wait(Duration::from_secs(20), &|why| {
            refused.lock().unwrap().push(why.to_owned());
        })
        .unwrap();
    assert_eq!(cb, Callback::Code("real".into()));
    let refused = refused.into_inner().unwrap();
    assert_eq!(refused.len(), 5, "{refused:?}");
    assert!(refused[0].contains("no query"), "{refused:?}");
    assert!(refused[1].contains("does not belong"), "{refused:?}");
    assert!(refused[2].contains("redirect URI"), "{refused:?}");
    assert!(refused[3].contains("redirect URI"), "{refused:?}");
    assert!(refused[4].contains("repeated"), "{refused:?}");
    // The flow is over: nothing more is taken.
    assert!(!sink.paste(at("/callback", "s-123")));
}
