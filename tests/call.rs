//! `oauthctl call`: the demo API (RBAC, --fail, -i, -o), transparent refresh, the 401
//! `invalid_token` retry, redirects and credentials, plain http, header injection and
//! secret hygiene in traces.

use std::time::{Duration, Instant};

use oauthctl::devserver::{DevConfig, DevServer};

use crate::support::login::{login_as, login_service, secret_file, token};
use crate::support::stub::{Canned, Stub};
use crate::support::{
    assert_code, cached_expiry, get, home, in_process, oauthctl, run, stderr, stdout,
};

const USER_SCOPES: &str = "openid offline_access api:read api:write";

fn server() -> DevServer {
    DevServer::start(DevConfig::default()).unwrap()
}

fn api(s: &DevServer, path: &str) -> String {
    format!("{}{path}", s.issuer())
}

fn invalid_token() -> Canned {
    Canned::status(401, r#"{"error":"invalid_token"}"#).header(
        "WWW-Authenticate",
        r#"Bearer realm="api", error="invalid_token", error_description="the \"token\" expired""#,
    )
}

#[test]
fn get_pipes_the_body_untouched_and_post_follows_rbac() {
    let s = server();
    let alice = home();
    login_as(alice.path(), s.issuer(), "alice", USER_SCOPES);
    let bob = home();
    login_as(bob.path(), s.issuer(), "bob", USER_SCOPES);

    // POST as alice (admin): 201, with the body inferred as POST from --json.
    let out = run(
        alice.path(),
        &["call", &api(&s, "/api/data"), "--json", r#"{"n":1}"#],
    );
    assert_code(&out, 0);
    let created: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(created["by"], "alice");
    assert_eq!(created["data"]["n"], 1);

    // GET: the bytes are exactly what the server sends (piped, so not pretty-printed).
    let out = run(alice.path(), &["call", "GET", &api(&s, "/api/data")]);
    assert_code(&out, 0);
    let direct = get(&api(&s, "/api/data"), Some(&token(alice.path())));
    assert_eq!(direct.status, 200);
    assert_eq!(stdout(&out), direct.text);
    assert!(
        !stdout(&out).contains("\n  "),
        "not pretty-printed when piped"
    );

    // POST as bob (reader): 403 from RBAC; exit 0 without --fail, 8 with it, body written.
    let out = run(
        bob.path(),
        &["call", "POST", &api(&s, "/api/data"), "--json", "{}"],
    );
    assert_code(&out, 0);
    assert!(
        stdout(&out).contains("insufficient_scope"),
        "{}",
        stdout(&out)
    );
    assert!(stderr(&out).contains("HTTP 403"), "{}", stderr(&out));
    let out = run(
        bob.path(),
        &[
            "call",
            "--fail",
            "POST",
            &api(&s, "/api/data"),
            "--json",
            "{}",
        ],
    );
    assert_code(&out, 8);
    assert!(
        stdout(&out).contains("insufficient_scope"),
        "{}",
        stdout(&out)
    );
    assert!(stderr(&out).contains("HTTP 403"), "{}", stderr(&out));
    // GET with the reader role works.
    assert_code(
        &run(bob.path(), &["call", "--fail", &api(&s, "/api/data")]),
        0,
    );
}

#[test]
fn include_and_output_file() {
    let s = server();
    let h = home();
    login_service(h.path(), s.issuer(), "api:read api:write");
    let out = run(h.path(), &["call", "-i", &api(&s, "/api/me")]);
    assert_code(&out, 0);
    let text = stdout(&out);
    assert!(text.starts_with("HTTP/1.1 200 OK\r\n"), "{text}");
    let (head, body) = text.split_once("\r\n\r\n").unwrap();
    assert!(
        head.to_ascii_lowercase()
            .contains("\r\ncontent-type: application/json"),
        "{head}"
    );
    let me: serde_json::Value = serde_json::from_str(body).unwrap();
    assert_eq!(me["sub"], "demo-service");

    let file = h.path().join("me.json");
    let out = run(
        h.path(),
        &["call", &api(&s, "/api/me"), "-o", file.to_str().unwrap()],
    );
    assert_code(&out, 0);
    assert!(out.stdout.is_empty());
    let saved: serde_json::Value = serde_json::from_slice(&std::fs::read(&file).unwrap()).unwrap();
    assert_eq!(saved["sub"], "demo-service");
    let out = run(
        h.path(),
        &[
            "call",
            "-i",
            "-o",
            file.to_str().unwrap(),
            &api(&s, "/api/nope"),
        ],
    );
    assert_code(&out, 0);
    assert!(
        std::fs::read_to_string(&file)
            .unwrap()
            .starts_with("HTTP/1.1 404")
    );
}

#[test]
fn a_token_about_to_expire_is_refreshed_exactly_once() {
    // In process, with the clock 30 s before the token expires: inside the refresh margin
    // (60 s), so the cached one is refreshed first.
    let s = server();
    let h = home();
    login_as(h.path(), s.issuer(), "alice", USER_SCOPES);
    assert_eq!(s.hits("/token"), 1);
    let before = token_no_refresh(h.path());
    let soon = cached_expiry(h.path(), &[]) - 30;
    let body = in_process(h.path(), soon, &["call", "--fail", &api(&s, "/api/data")]).stdout();
    assert!(body.contains("items"), "{body}");
    assert_eq!(s.hits("/token"), 2, "exactly one refresh");
    assert_eq!(s.hits("/api/data"), 1, "no retry needed");
    assert_ne!(
        token_no_refresh(h.path()),
        before,
        "the refreshed token was cached"
    );
}

#[test]
fn invalid_token_refreshes_once_and_retries_once() {
    let s = server();
    let h = home();
    login_service(h.path(), s.issuer(), "api:read");
    let first = token(h.path());
    let stub = Stub::start();
    stub.sequence(
        "/thing",
        vec![invalid_token(), Canned::json(r#"{"ok":true}"#)],
    );
    // The body comes from stdin and is replayed on the retry.
    let out = crate::support::feed(
        oauthctl(h.path()).args(["call", "PUT", &stub.url("/thing"), "-d", "@-"]),
        b"payload from stdin",
    );
    assert_code(&out, 0);
    assert_eq!(stdout(&out), r#"{"ok":true}"#);
    assert_eq!(s.hits("/token"), 2, "login + exactly one refresh");
    let seen = stub.seen("/thing");
    assert_eq!(seen.len(), 2, "exactly one retry");
    let second = token(h.path());
    assert_ne!(first, second);
    assert_eq!(
        seen[0].header("authorization"),
        Some(format!("Bearer {first}").as_str())
    );
    assert_eq!(
        seen[1].header("authorization"),
        Some(format!("Bearer {second}").as_str())
    );
    for r in &seen {
        assert_eq!(r.method, "PUT");
        assert_eq!(r.body, b"payload from stdin");
    }

    // A server that keeps saying invalid_token gets one retry, not a loop.
    stub.route("/always", invalid_token());
    let out = run(h.path(), &["call", "--fail", &stub.url("/always")]);
    assert_code(&out, 8);
    assert_eq!(stub.hits("/always"), 2);
    assert_eq!(s.hits("/token"), 3);
    // A 401 that does not say invalid_token is not retried.
    stub.route(
        "/plain401",
        Canned::status(401, "{}").header("WWW-Authenticate", r#"Bearer realm="api""#),
    );
    let out = run(h.path(), &["call", &stub.url("/plain401")]);
    assert_code(&out, 0);
    assert_eq!(stub.hits("/plain401"), 1);
    assert_eq!(s.hits("/token"), 3);
}

#[test]
fn redirects_drop_credentials_across_origins_c58() {
    let s = server();
    let h = home();
    login_service(h.path(), s.issuer(), "api:read");
    let at = token(h.path());
    let origin = Stub::start();
    let elsewhere = Stub::start(); // another port: another origin
    let moved =
        |to: &str, status: u16| Canned::status(status, r#"{"moved":true}"#).header("Location", to);
    origin.route("/start", moved(&elsewhere.url("/landing"), 302));
    elsewhere.route("/landing", Canned::json(r#"{"landed":true}"#));
    let creds = [
        "-H",
        "Cookie: session=c00kie",
        "-H",
        "X-Api-Key: k3y",
        "-H",
        "!X-Tenant: t3nant",
        "-H",
        "X-Trace: keep-me",
    ];

    // Without -L nothing is followed.
    let mut args = vec!["call", "GET"];
    let start = origin.url("/start");
    args.push(&start);
    args.extend(creds);
    let out = run(h.path(), &args);
    assert_code(&out, 0);
    assert_eq!(stdout(&out), r#"{"moved":true}"#);
    assert_eq!(elsewhere.requests().len(), 0);

    // With -L the other origin sees none of the credentials.
    args.push("-L");
    let out = run(h.path(), &args);
    assert_code(&out, 0);
    assert_eq!(stdout(&out), r#"{"landed":true}"#);
    let landed = elsewhere.seen("/landing");
    assert_eq!(landed.len(), 1);
    for name in [
        "authorization",
        "cookie",
        "x-api-key",
        "x-tenant",
        "proxy-authorization",
    ] {
        assert_eq!(landed[0].header(name), None, "{name} leaked across origins");
    }
    assert_eq!(landed[0].header("x-trace"), Some("keep-me"));
    for (_, v) in &landed[0].headers {
        assert!(
            !v.contains(&at)
                && !v.contains("c00kie")
                && !v.contains("k3y")
                && !v.contains("t3nant"),
            "{v}"
        );
    }
    let first = origin.seen("/start");
    assert_eq!(
        first[1].header("authorization"),
        Some(format!("Bearer {at}").as_str())
    );
    assert_eq!(first[1].header("cookie"), Some("session=c00kie"));

    // A same-origin redirect keeps them; 307 keeps method and body, 303 turns into GET.
    origin.route("/same", moved("/here", 307));
    origin.route("/here", Canned::json("{}"));
    let out = run(
        h.path(),
        &["call", "-L", &origin.url("/same"), "--json", r#"{"a":1}"#],
    );
    assert_code(&out, 0);
    let here = origin.seen("/here");
    assert_eq!(here[0].method, "POST");
    assert_eq!(here[0].body, br#"{"a":1}"#);
    assert_eq!(
        here[0].header("authorization"),
        Some(format!("Bearer {at}").as_str())
    );
    origin.route("/see-other", moved(&elsewhere.url("/other"), 303));
    elsewhere.route("/other", Canned::json("{}"));
    let out = run(
        h.path(),
        &["call", "-L", &origin.url("/see-other"), "-d", "x=1"],
    );
    assert_code(&out, 0);
    let other = elsewhere.seen("/other");
    assert_eq!(other[0].method, "GET");
    assert!(other[0].body.is_empty());
    assert_eq!(other[0].header("content-type"), None);
    assert_eq!(other[0].header("authorization"), None);
    // A 307 to another origin keeps the body but not the token.
    origin.route("/temp", moved(&elsewhere.url("/temp-landing"), 307));
    elsewhere.route("/temp-landing", Canned::json("{}"));
    let out = run(
        h.path(),
        &["call", "-L", &origin.url("/temp"), "--json", "[1]"],
    );
    assert_code(&out, 0);
    let temp = elsewhere.seen("/temp-landing");
    assert_eq!(
        (temp[0].method.as_str(), temp[0].body.as_slice()),
        ("POST", &b"[1]"[..])
    );
    assert_eq!(temp[0].header("authorization"), None);

    // At most 10 redirects.
    origin.route("/loop", moved("/loop", 302));
    let out = run(h.path(), &["call", "-L", &origin.url("/loop")]);
    assert_code(&out, 5);
    assert_eq!(origin.hits("/loop"), 11);
    assert!(stderr(&out).contains("redirects"), "{}", stderr(&out));
}

#[test]
fn plain_http_to_other_hosts_is_refused_before_connecting_c59() {
    let s = server();
    let h = home();
    login_service(h.path(), s.issuer(), "api:read");
    let hits = s.hits("/token");
    // `.invalid` never resolves: exit 2 (not 5) shows no connection was even attempted.
    let out = run(h.path(), &["call", "http://api.example.invalid/items"]);
    assert_code(&out, 2);
    assert!(
        stderr(&out).contains("refusing to send the access token over plain http"),
        "{}",
        stderr(&out)
    );
    assert!(stderr(&out).contains("--insecure-http"));
    assert_eq!(s.hits("/token"), hits, "no refresh, no request");
    // With the flag it tries, and fails on the name: a network error.
    let out = run(
        h.path(),
        &[
            "--insecure-http",
            "call",
            "http://api.example.invalid/items",
        ],
    );
    assert_code(&out, 5);
    // The token never goes in the query.
    let out = run(h.path(), &["call", &api(&s, "/api/me?access_token=x")]);
    assert_code(&out, 2);
    let at = token(h.path());
    let out = run(h.path(), &["call", &api(&s, &format!("/api/me?t={at}"))]);
    assert_code(&out, 2);
    assert!(!stderr(&out).contains(&at));
    assert_eq!(s.hits("/api/me"), 0);
}

#[test]
fn header_injection_is_refused_c58b() {
    let s = server();
    let h = home();
    login_service(h.path(), s.issuer(), "api:read");
    let url = api(&s, "/api/me");
    // (NUL cannot travel in an argument at all; the unit tests cover it.)
    for header in [
        "X-A: b\r\nX-Injected: 1",
        "X-A: b\nX-Injected: 1",
        "X-A\r\n: b",
        "X-A: b\r",
    ] {
        let out = run(h.path(), &["call", "-H", header, &url]);
        assert_code(&out, 2);
        assert!(stderr(&out).contains("CR, LF and NUL"), "{}", stderr(&out));
    }
    for bad_url in [
        format!("{url}\r\nX-Injected: 1"),
        format!("{url}\n"),
        format!("{url}\r"),
    ] {
        assert_code(&run(h.path(), &["call", &bad_url]), 2);
    }
    assert_code(
        &run(h.path(), &["call", "-H", "Authorization: Basic eDp5", &url]),
        2,
    );
    assert_eq!(s.hits("/api/me"), 0);
}

#[test]
fn verbose_traces_never_show_secrets_c67() {
    let s = DevServer::start(DevConfig::default().with_access_token_ttl(Duration::from_secs(2)))
        .unwrap();
    let h = home();
    login_service(h.path(), s.issuer(), "api:read api:write");
    let before = token_no_refresh(h.path());
    // Inside the refresh margin (half the 2 s lifetime), so the -vv run refreshes too.
    std::thread::sleep(Duration::from_millis(1200));
    let out = run(
        h.path(),
        &[
            "-vv",
            "call",
            &api(&s, "/api/me"),
            "-H",
            "X-Api-Key: k3y-value",
            "-H",
            "!X-Mine: m1ne",
        ],
    );
    assert_code(&out, 0);
    let after = token_no_refresh(h.path());
    assert_ne!(before, after, "the -vv run refreshed");
    let err = stderr(&out);
    assert!(err.contains("Bearer [redacted]"), "{err}");
    assert!(err.contains("> GET"), "{err}");
    for secret in [
        before.as_str(),
        after.as_str(),
        "demo-secret",
        "k3y-value",
        "m1ne",
    ] {
        assert!(!err.contains(secret), "secret in stderr:\n{err}");
        assert!(!stdout(&out).contains(secret), "secret in stdout");
    }
}

fn token_no_refresh(home: &std::path::Path) -> String {
    let out = run(home, &["token", "--no-refresh"]);
    assert_code(&out, 0);
    stdout(&out).trim().to_owned()
}

#[test]
fn usage_and_login_errors() {
    let h = home();
    // No login: exit 3 with the hint.
    let out = run(h.path(), &["call", "https://api.example/x"]);
    assert_code(&out, 3);
    assert!(stderr(&out).contains("oauthctl login"));
    // Bad method, missing URL, conflicting bodies: usage errors.
    assert_code(&run(h.path(), &["call", "https://api.example/x", "GET"]), 2);
    assert_code(&run(h.path(), &["call"]), 2);
    assert_code(
        &run(
            h.path(),
            &["call", "https://a.example/", "-d", "x", "--json", "{}"],
        ),
        2,
    );
    assert_code(&run(h.path(), &["call", "ftp://a.example/"]), 2);
}

/// Issue #12 item 3 and item 24 (part): `--max-time` bounds the whole exchange, body
/// included, however steadily a slow server trickles it; the hint names `--max-time`.
#[test]
fn max_time_covers_a_trickled_body() {
    let s = server();
    let h = home();
    login_service(h.path(), s.issuer(), "api:read");
    let stub = Stub::start();
    // 100 bytes, one every 100 ms: 10 s in all, each read far within any per-read limit.
    stub.route(
        "/slow",
        Canned::json(vec![b'x'; 100]).trickled(Duration::from_millis(100)),
    );
    let file = h.path().join("body");
    let url = stub.url("/slow");
    for extra in [vec![], vec!["-o", file.to_str().unwrap()]] {
        let started = Instant::now();
        let mut args = vec!["call", "--max-time", "1s", url.as_str()];
        args.extend(&extra);
        let out = run(h.path(), &args);
        let took = started.elapsed();
        assert_code(&out, 5);
        assert!(took < Duration::from_secs(5), "{extra:?}: {took:?}");
        let err = stderr(&out);
        assert!(err.contains("within --max-time 1s"), "{err}");
        assert!(err.contains("hint:") && err.contains("--max-time"), "{err}");
        assert!(!err.contains("--timeout"), "call has no --timeout: {err}");
    }
    assert_eq!(stub.hits("/slow"), 2);
}

/// Issue #12 item 4: with `HTTP_PROXY`/`HTTPS_PROXY`/`ALL_PROXY` pointing at a recording
/// "proxy", a login, a refresh and calls to loopback hosts (`127.0.0.1`, `localhost`) all go
/// direct: the bearer token never travels to the proxy.
#[test]
fn loopback_traffic_never_goes_through_the_proxy() {
    let s = DevServer::start(DevConfig::default().with_access_token_ttl(Duration::from_secs(2)))
        .unwrap();
    let proxy = Stub::start();
    let local = Stub::start();
    local.route("/thing", Canned::json(r#"{"ok":true}"#));
    let h = home();
    let with_proxy = |cmd: &mut std::process::Command| {
        for var in ["HTTP_PROXY", "http_proxy", "HTTPS_PROXY", "ALL_PROXY"] {
            cmd.env(var, &proxy.base);
        }
    };
    let secret = secret_file(h.path(), "demo-secret");
    let mut login = oauthctl(h.path());
    login
        .args([
            "login",
            "--flow",
            "client-credentials",
            "--issuer",
            s.issuer(),
        ])
        .args(["--client-id", "demo-service", "--client-secret-file"])
        .arg(&secret)
        .args(["--scope", "api:read"]);
    with_proxy(&mut login);
    assert_code(&login.output().unwrap(), 0);
    // Inside the refresh margin: the call below renews the token first.
    std::thread::sleep(Duration::from_millis(1200));
    for url in [
        local.url("/thing"),
        format!("http://localhost:{}/thing", local.port()),
        api(&s, "/api/me"),
    ] {
        let mut call = oauthctl(h.path());
        call.args(["call", "--fail", &url]);
        with_proxy(&mut call);
        let out = call.output().unwrap();
        assert_code(&out, 0);
    }
    assert_eq!(local.hits("/thing"), 2);
    assert_eq!(s.hits("/api/me"), 1);
    assert!(s.hits("/token") >= 2, "the login and a refresh");
    assert!(proxy.requests().is_empty(), "{:?}", proxy.requests());
}

/// Issue #12 item 8: `-v` redacts response headers named like secrets (`X-Auth-Token`,
/// `X-Api-Key`, `Set-Cookie`) with the rule that redacts request headers; challenges and
/// ordinary headers stay readable.
#[test]
fn verbose_traces_redact_secret_response_headers() {
    let s = server();
    let h = home();
    login_service(h.path(), s.issuer(), "api:read");
    let stub = Stub::start();
    stub.route(
        "/issue",
        Canned::json("{}")
            .header("X-Auth-Token", "resp-t0ken")
            .header("X-Api-Key", "resp-k3y")
            .header("X-Session-Id", "resp-s3ssion")
            .header("Set-Cookie", "sid=resp-c00kie")
            .header("X-Request-Id", "req-1"),
    );
    let out = run(h.path(), &["-v", "call", &stub.url("/issue")]);
    assert_code(&out, 0);
    let err = stderr(&out);
    for secret in ["resp-t0ken", "resp-k3y", "resp-s3ssion", "resp-c00kie"] {
        assert!(!err.contains(secret), "{secret} in the trace:\n{err}");
    }
    assert!(err.contains("< x-auth-token: [redacted]"), "{err}");
    assert!(err.contains("< set-cookie: [redacted]"), "{err}");
    assert!(err.contains("< x-request-id: req-1"), "{err}");
    // `-i` output is the requested artefact, not a trace: it keeps the headers.
    let out = run(h.path(), &["call", "-i", &stub.url("/issue")]);
    assert!(stdout(&out).contains("resp-t0ken"));
}

/// The words of a `hint: … `oauthctl …`` line: the command between the last backticks.
fn hinted_command(stderr: &str) -> Vec<String> {
    let line = stderr
        .lines()
        .find(|l| l.starts_with("hint:") && l.contains("`oauthctl "))
        .unwrap_or_else(|| panic!("no command hint in:\n{stderr}"));
    let start = line.find("`oauthctl ").unwrap() + 1;
    let end = line[start..].find('`').unwrap() + start;
    let words = shlex::split(&line[start..end]).unwrap();
    assert_eq!(words[0], "oauthctl");
    words[1..].to_vec()
}

/// Issue #12 item 22: a 403 `insufficient_scope` is explained (error, description, required
/// scope), not retried, and the hint is a login command that works as printed, with the
/// user's `-p PROFILE`: running it makes the same call succeed.
#[test]
fn insufficient_scope_is_explained_with_a_login_command_that_works() {
    let s = server();
    let h = home();
    let secret = secret_file(h.path(), "demo-secret");
    let out = oauthctl(h.path())
        .args(["-p", "work", "login", "--flow", "client-credentials"])
        .args(["--issuer", s.issuer(), "--client-id", "demo-service"])
        .arg("--client-secret-file")
        .arg(&secret)
        .args(["--scope", "api:write"])
        .output()
        .unwrap();
    assert_code(&out, 0);
    let get = ["-p", "work", "call", &api(&s, "/api/data")];
    let out = run(h.path(), &get);
    assert_code(&out, 0);
    let err = stderr(&out);
    assert!(
        err.contains(
            "The API refused the token (HTTP 403): insufficient_scope: the api:read scope is \
             required (required scope: api:read)"
        ),
        "{err}"
    );
    assert!(!err.contains("refreshing"), "{err}");
    assert_eq!(s.hits("/token"), 1, "no refresh");
    assert_eq!(s.hits("/api/data"), 1, "no retry");
    let words = hinted_command(&err);
    assert_eq!(
        words,
        [
            "-p",
            "work",
            "login",
            "--flow",
            "client-credentials",
            "--scope",
            "api:write api:read"
        ]
    );
    let out = oauthctl(h.path()).args(&words).output().unwrap();
    assert_code(&out, 0);
    let out = run(h.path(), &get);
    assert_code(&out, 0);
    let listed: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(listed["items"].is_array(), "{}", stderr(&out));
    assert!(!stderr(&out).contains("refused"), "{}", stderr(&out));
}

/// Issue #12 item 22: when the token already has the scope the API names (bob is not an
/// admin), the hint does not suggest a login that would change nothing.
#[test]
fn a_scope_the_token_has_is_not_asked_for_again() {
    let s = server();
    let bob = home();
    login_as(bob.path(), s.issuer(), "bob", USER_SCOPES);
    let out = run(
        bob.path(),
        &["call", "POST", &api(&s, "/api/data"), "--json", "{}"],
    );
    assert_code(&out, 0);
    let err = stderr(&out);
    assert!(err.contains("the admin role is required"), "{err}");
    assert!(err.contains("already has scope `api:write`"), "{err}");
    assert!(!err.contains("`oauthctl"), "{err}");
}

/// Issue #12 item 22: an `invalid_token` about the audience is not refreshed and retried (a
/// refresh brings a token for the same audience); the hint is a `--resource` login that
/// works as printed.
#[test]
fn a_token_for_another_audience_is_not_refreshed() {
    let s = server();
    let h = home();
    let secret = secret_file(h.path(), "demo-secret");
    let out = oauthctl(h.path())
        .args([
            "login",
            "--flow",
            "client-credentials",
            "--issuer",
            s.issuer(),
        ])
        .args(["--client-id", "demo-service", "--client-secret-file"])
        .arg(&secret)
        .args(["--scope", "api:read", "--resource"])
        .arg(api(&s, "/api/data"))
        .output()
        .unwrap();
    assert_code(&out, 0);
    let out = run(h.path(), &["call", &api(&s, "/api/me")]);
    assert_code(&out, 0);
    let err = stderr(&out);
    assert!(
        err.contains("The API refused the token (HTTP 401): invalid_token: wrong audience"),
        "{err}"
    );
    assert!(!err.contains("refreshing"), "{err}");
    assert_eq!(s.hits("/token"), 1, "no refresh");
    assert_eq!(s.hits("/api/me"), 1, "no retry");
    // The route's identifier comes from its protected resource metadata (RFC 9728), so the
    // command works as printed.
    let words = hinted_command(&err);
    assert_eq!(
        words,
        [
            "login",
            "--flow",
            "client-credentials",
            "--resource",
            &api(&s, "/api/me")
        ]
    );
    let out = oauthctl(h.path()).args(&words).output().unwrap();
    assert_code(&out, 0);
    let out = run(h.path(), &["call", "--fail", &api(&s, "/api/me")]);
    assert_code(&out, 0);
}

/// Issue #12 item 23: `--token-env VAR` and `--token-file FILE|-` send a token oauthctl did
/// not obtain (here one the dev server issued to someone else), with no login and no
/// configuration; it is never refreshed, and the credential rules still hold.
#[test]
fn tokens_from_the_environment_or_a_file() {
    let s = server();
    let issuer_home = home();
    login_service(issuer_home.path(), s.issuer(), "api:read");
    let at = token(issuer_home.path());
    let h = home(); // no login, no config here
    let me = api(&s, "/api/me");
    let out = oauthctl(h.path())
        .args(["call", "--fail", "--token-env", "API_TOKEN", &me])
        .env("API_TOKEN", format!("Bearer {at}\n"))
        .output()
        .unwrap();
    assert_code(&out, 0);
    let body: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(body["sub"], "demo-service");
    let file = h.path().join("token.txt");
    std::fs::write(&file, format!("{at}\n")).unwrap();
    let out = run(
        h.path(),
        &[
            "call",
            "--fail",
            "--token-file",
            file.to_str().unwrap(),
            &me,
        ],
    );
    assert_code(&out, 0);
    let out = crate::support::feed(
        oauthctl(h.path()).args(["call", "--fail", "--token-file", "-", &me]),
        &at,
    );
    assert_code(&out, 0);
    assert_eq!(s.hits("/api/me"), 3);

    // Never refreshed: an invalid_token is explained, not retried.
    let stub = Stub::start();
    stub.route("/dead", invalid_token());
    let out = oauthctl(h.path())
        .args(["call", "--token-env", "API_TOKEN", &stub.url("/dead")])
        .env("API_TOKEN", &at)
        .output()
        .unwrap();
    assert_code(&out, 0);
    assert_eq!(stub.hits("/dead"), 1);
    let err = stderr(&out);
    assert!(err.contains("invalid_token"), "{err}");
    assert!(
        err.contains("the token from $API_TOKEN is not accepted"),
        "{err}"
    );
    assert!(!err.contains(&at), "{err}");

    // The credential rules still hold: no plain http elsewhere, no token in the URL.
    let out = oauthctl(h.path())
        .args([
            "call",
            "--token-env",
            "API_TOKEN",
            "http://api.example.invalid/",
        ])
        .env("API_TOKEN", &at)
        .output()
        .unwrap();
    assert_code(&out, 2);
    let out = oauthctl(h.path())
        .args(["call", "--token-env", "API_TOKEN", &format!("{me}?t={at}")])
        .env("API_TOKEN", &at)
        .output()
        .unwrap();
    assert_code(&out, 2);

    // The token and the body cannot both come from standard input.
    let out = crate::support::feed(
        oauthctl(h.path()).args(["call", "--token-file", "-", &me, "-d", "@-"]),
        &at,
    );
    assert_code(&out, 2);
    assert!(stderr(&out).contains("standard input"), "{}", stderr(&out));
    // Unset variables, header injection and empty tokens are refused without a request.
    for (value, why) in [
        (None, "not set"),
        (Some("abc\r\nX-Injected: 1"), "control characters"),
        (Some("  "), "empty"),
    ] {
        let mut cmd = oauthctl(h.path());
        cmd.args(["call", "--token-env", "API_TOKEN", &me]);
        match value {
            Some(v) => cmd.env("API_TOKEN", v),
            None => cmd.env_remove("API_TOKEN"),
        };
        let out = cmd.output().unwrap();
        assert_code(&out, 2);
        assert!(stderr(&out).contains(why), "{why}: {}", stderr(&out));
    }
    assert_code(
        &run(
            h.path(),
            &["call", "--token-env", "A", "--token-file", "f", &me],
        ),
        2,
    );
    assert_eq!(s.hits("/api/me"), 3);
}
