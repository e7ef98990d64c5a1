//! Callback handling: pure evaluation (C6–C12, C15, C23, C24; F5) and the real socket.

use super::*;
use proptest::prelude::*;
use std::fmt::Write as _;

const AUTH: &str = "127.0.0.1:5555";

fn expect() -> Expect {
    Expect {
        state: "s-123".into(),
        issuer: Some("https://as.example".into()),
        iss_required: true,
    }
}

fn get(target: &str) -> Vec<u8> {
    format!("GET {target} HTTP/1.1\r\nHost: {AUTH}\r\n\r\n").into_bytes()
}

fn eval(head: &[u8]) -> (u16, Option<Callback>) {
    let (r, cb) = evaluate(head, &expect(), AUTH);
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
    let cases: Vec<(Vec<u8>, u16)> = vec![
        (get("/favicon.ico"), 404),
        (get("/callback/../x"), 404),
        (get("/callback2?code=c&state=s-123"), 404),
        (
            b"POST /callback?code=c&state=s-123 HTTP/1.1\r\nHost: 127.0.0.1:5555\r\n\r\n".to_vec(),
            405,
        ),
        (get("/callback?code=c1"), 400),             // no state (C6)
        (get("/callback?code=c1&state=wrong"), 400), // wrong state (C6)
        (get("/callback?error=access_denied"), 400), // error without state (C7)
        (get("/callback?error=access_denied&state=nope"), 400), // error with wrong state (C7)
        (get("/callback?code=a&code=b&state=s-123"), 400), // duplicates (C9)
        (get("/callback?code=a&state=s-123&state=s-123"), 400),
        (get("/callback?code=a&state=s-123&iss=x&iss=y"), 400),
        (
            b"GET /callback?code=c&state=s-123 HTTP/1.1\r\nHost: evil.example:5555\r\n\r\n"
                .to_vec(),
            400,
        ), // C11
        (
            b"GET /callback?code=c&state=s-123 HTTP/1.1\r\n\r\n".to_vec(),
            400,
        ),
        (
            b"HEAD /callback?code=c&state=s-123 HTTP/1.1\r\nHost: 127.0.0.1:5555\r\n\r\n".to_vec(),
            200,
        ),
        (b"garbage".to_vec(), 400),
        (b"\xff\xfe".to_vec(), 400),
    ];
    for (head, want) in cases {
        let (status, cb) = eval(&head);
        assert_eq!(status, want, "{}", String::from_utf8_lossy(&head));
        assert!(cb.is_none(), "{}", String::from_utf8_lossy(&head));
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
        ), // C23
        (
            "/callback?code=c&state=s-123&iss=https%3A%2F%2Fas.example%2F",
            "mix-up",
        ), // trailing slash
        ("/callback?code=c&state=s-123", "lacks"), // C24
        (
            "/callback?access_token=t&state=s-123&iss=https%3A%2F%2Fas.example",
            "implicit",
        ), // C15
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

#[test]
fn oversized_heads_are_refused() {
    let long = format!(
        "GET /callback?{} HTTP/1.1\r\nHost: {AUTH}\r\n\r\n",
        "a".repeat(MAX_REQUEST_LINE)
    );
    assert_eq!(eval(long.as_bytes()).0, 414);
    let mut many = "GET /callback HTTP/1.1\r\n".to_owned();
    for i in 0..=MAX_HEADERS {
        let _ = write!(many, "X-{i}: y\r\n");
    }
    many.push_str("\r\n");
    assert_eq!(eval(many.as_bytes()).0, 431);
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
    // A second bind of the same port fails while we listen (C3).
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
    assert!(ok.contains("Cache-Control: no-store") && ok.contains("Referrer-Policy: no-referrer"));
    assert!(ok.contains("You can close this tab"));
    let cb = waiter.join().unwrap().unwrap();
    assert_eq!(cb, Callback::Code("real".into()));
    // The port is closed once the flow ended (C4).
    std::thread::sleep(Duration::from_millis(50));
    assert!(TcpStream::connect(addr).is_err());
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

/// Issue #12 item 5: the request head has one deadline; a client that trickles a byte at a
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
    // F5: any bytes: no panic, and nothing without our exact state ends the flow with a code.
    #[test]
    fn arbitrary_heads_never_panic_or_yield_a_code_without_state(head in proptest::collection::vec(any::<u8>(), 0..600)) {
        let (_, cb) = evaluate(&head, &expect(), AUTH);
        if let Some(Callback::Code(_)) = cb {
            let text = String::from_utf8_lossy(&head);
            prop_assert!(text.contains("state=s-123"));
        }
    }

    #[test]
    fn query_mutations_never_panic(q in "[a-z_=&%0-9A-F.-]{0,80}") {
        let _ = evaluate(&get(&format!("/callback?{q}")), &expect(), AUTH);
    }
}
