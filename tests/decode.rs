//! `oauthctl decode`: display, verification, rejection reasons and hostile input.

use std::io::Write as _;
use std::process::Stdio;

use jsonwebtoken::{Algorithm, EncodingKey};
use oauthctl::testing::{Fixture, b64u, sign_with};
use serde_json::{Value, json};

use crate::support::stub::{Canned, Stub};
use crate::support::{assert_code, home, oauthctl, run, stderr, stdout};

fn now() -> i64 {
    i64::try_from(
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_secs(),
    )
    .unwrap()
}

fn claims(iss: &str) -> Value {
    json!({"iss": iss, "sub": "alice", "aud": ["api", "other"], "iat": now() - 5, "exp": now() + 252, "scope": "api:read"})
}

struct Keys {
    f: Fixture,
    dir: tempfile::TempDir,
}

impl Keys {
    fn new() -> Self {
        let f = Fixture::new();
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("jwks.json"), f.jwks()).unwrap();
        std::fs::write(dir.path().join("rsa.pem"), &f.rsa_public_pem).unwrap();
        Self { f, dir }
    }
    fn jwks(&self) -> String {
        self.dir.path().join("jwks.json").display().to_string()
    }
    fn pem(&self) -> String {
        self.dir.path().join("rsa.pem").display().to_string()
    }
    fn token(&self, alg: Algorithm, kid: Option<&str>, claims: &Value) -> String {
        let key: &EncodingKey = match alg {
            Algorithm::RS256 | Algorithm::PS256 => &self.f.rsa,
            Algorithm::ES256 => &self.f.ec,
            Algorithm::EdDSA => &self.f.ed,
            _ => unreachable!(),
        };
        let mut header = json!({"alg": format!("{alg:?}"), "typ": "JWT"});
        if let Some(kid) = kid {
            header["kid"] = json!(kid);
        }
        sign_with(&header, claims, key, alg)
    }
}

#[test]
fn decodes_every_algorithm_family() {
    let keys = Keys::new();
    let h = home();
    let secret_token = sign_with(
        &json!({"alg": "HS256", "typ": "JWT"}),
        &claims("https://as.example"),
        &EncodingKey::from_secret(b"0123456789abcdef0123456789abcdef").unwrap(),
        Algorithm::HS256,
    );
    let tokens = [
        (
            "RS256",
            keys.token(
                Algorithm::RS256,
                Some("rsa1"),
                &claims("https://as.example"),
            ),
        ),
        (
            "PS256",
            keys.token(Algorithm::PS256, None, &claims("https://as.example")),
        ),
        (
            "ES256",
            keys.token(Algorithm::ES256, Some("ec1"), &claims("https://as.example")),
        ),
        (
            "EdDSA",
            keys.token(Algorithm::EdDSA, Some("ed1"), &claims("https://as.example")),
        ),
        ("HS256", secret_token),
    ];
    for (alg, token) in &tokens {
        let out = run(h.path(), &["decode", token]);
        assert_code(&out, 0);
        let text = stdout(&out);
        assert!(text.starts_with("NOT VERIFIED"), "{text}");
        assert!(text.contains(&format!("\"alg\": \"{alg}\"")), "{text}");
        assert!(text.contains("\"sub\": \"alice\""), "{text}");
        assert!(text.contains("expires in 4m"), "{text}");
        assert!(stderr(&out).is_empty(), "{}", stderr(&out));

        let out = run(h.path(), &["decode", "--json", token]);
        assert_code(&out, 0);
        let v: Value = serde_json::from_slice(&out.stdout).unwrap();
        assert_eq!(v["header"]["alg"], *alg);
        assert_eq!(v["claims"]["sub"], "alice");
        assert_eq!(v["verified"], Value::Null);
        assert_eq!(v["times"]["exp"]["state"], "expiring_soon");
        assert!(v["errors"].as_array().unwrap().is_empty());
    }
}

#[test]
fn reads_the_token_from_stdin() {
    let keys = Keys::new();
    let token = keys.token(Algorithm::ES256, Some("ec1"), &claims("https://as.example"));
    for arg in [None, Some("-")] {
        let h = home();
        let mut cmd = oauthctl(h.path());
        cmd.arg("decode").arg("--json");
        if let Some(a) = arg {
            cmd.arg(a);
        }
        let out = crate::support::feed(&mut cmd, format!("{token}\n").as_bytes());
        assert_code(&out, 0);
        let v: Value = serde_json::from_slice(&out.stdout).unwrap();
        assert_eq!(v["claims"]["sub"], "alice");
    }
}

#[test]
fn verifies_with_each_key_source() {
    let keys = Keys::new();
    let h = home();
    let iss = "https://as.example";
    let es = keys.token(Algorithm::ES256, Some("ec1"), &claims(iss));
    let ps = keys.token(Algorithm::PS256, None, &claims(iss));
    let out = run(
        h.path(),
        &[
            "decode",
            "--verify",
            "--jwks",
            &keys.jwks(),
            "--audience",
            "api",
            "--issuer",
            iss,
            &es,
        ],
    );
    assert_code(&out, 0);
    let text = stdout(&out);
    assert!(
        text.starts_with("VERIFIED signature by key \"ec1\""),
        "{text}"
    );
    let out = run(h.path(), &["decode", "--verify", "--key", &keys.pem(), &ps]);
    assert_code(&out, 0);
    assert!(
        stdout(&out).contains("audience not checked"),
        "{}",
        stdout(&out)
    );
    assert!(
        stdout(&out).contains("issuer not checked"),
        "{}",
        stdout(&out)
    );
    let hs = sign_with(
        &json!({"alg": "HS256"}),
        &claims(iss),
        &EncodingKey::from_secret(b"shared-secret-shared-secret-1234").unwrap(),
        Algorithm::HS256,
    );
    let out = oauthctl(h.path())
        .args([
            "decode",
            "--verify",
            "--secret-env",
            "JWT_SECRET",
            "--json",
            &hs,
        ])
        .env("JWT_SECRET", "shared-secret-shared-secret-1234")
        .output()
        .unwrap();
    assert_code(&out, 0);
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["verified"], true);
}

/// A key set with only these of the fixture's keys.
fn jwks_of(which: &[&Value]) -> String {
    json!({ "keys": which }).to_string()
}

#[test]
fn verifies_through_the_issuers_discovery_and_refetches_for_a_rotated_key() {
    let keys = Keys::new();
    let stub = Stub::start();
    let iss = stub.base.clone();
    stub.route(
        "/.well-known/openid-configuration",
        Canned::json(json!({"issuer": iss, "jwks_uri": stub.url("/jwks")}).to_string()),
    );
    // Before the rotation only the EC key is published.
    stub.route("/jwks", Canned::json(jwks_of(&[&keys.f.ec_jwk])));
    let h = home();
    let token = keys.token(Algorithm::ES256, Some("ec1"), &claims(&iss));
    let out = run(h.path(), &["decode", "--verify", &token]);
    assert_code(&out, 0);
    assert!(
        stdout(&out).contains("keys from the discovery document"),
        "{}",
        stdout(&out)
    );
    // A second run uses the cache.
    assert_code(&run(h.path(), &["decode", "--verify", &token]), 0);
    assert_eq!(stub.hits("/jwks"), 1);
    assert_eq!(stub.hits("/.well-known/openid-configuration"), 1);
    // Seconds later the issuer rotates to a new key: the set in hand
    // was not fetched for that kid, so it is refetched once and the token verifies.
    stub.route(
        "/jwks",
        Canned::json(jwks_of(&[&keys.f.ec_jwk, &keys.f.rsa_jwk])),
    );
    let rotated = keys.token(Algorithm::RS256, Some("rsa1"), &claims(&iss));
    let out = run(h.path(), &["decode", "--verify", &rotated]);
    assert_code(&out, 0);
    assert!(
        stdout(&out).contains("refetched the key set for an unknown kid"),
        "{}",
        stdout(&out)
    );
    assert_eq!(stub.hits("/jwks"), 2, "one refetch for the new kid");
    assert_code(&run(h.path(), &["decode", "--verify", &rotated]), 0);
    assert_eq!(stub.hits("/jwks"), 2, "the refetched set is cached");
    // A kid the issuer does not publish: one refetch, then rejected.
    let unknown = keys.token(Algorithm::RS256, Some("unknown"), &claims(&iss));
    let out = run(h.path(), &["decode", "--verify", &unknown]);
    assert_code(&out, 6);
    assert!(
        stdout(&out).contains("no key has kid \"unknown\""),
        "{}",
        stdout(&out)
    );
    assert_eq!(stub.hits("/jwks"), 3);
    // The same unknown kid again within the cooldown: the set in hand was fetched for it.
    assert_code(&run(h.path(), &["decode", "--verify", &unknown]), 6);
    assert_eq!(stub.hits("/jwks"), 3, "no second refetch for the same kid");
    // In a fresh home (cold cache) the unknown kid costs one fetch and no refetch.
    let h2 = home();
    assert_code(&run(h2.path(), &["decode", "--verify", &unknown]), 6);
    assert_eq!(
        stub.hits("/jwks"),
        4,
        "one fetch, no refetch of a set just fetched"
    );
}

#[test]
fn a_named_jwks_url_is_fetched_fresh_so_a_retired_key_no_longer_verifies() {
    // `--jwks URL` must not trust a cached key set.
    let keys = Keys::new();
    let stub = Stub::start();
    stub.route("/jwks", Canned::json(keys.f.jwks()));
    let h = home();
    let token = keys.token(Algorithm::RS256, Some("rsa1"), &claims(&stub.base));
    let url = stub.url("/jwks");
    let out = run(h.path(), &["decode", "--verify", "--jwks", &url, &token]);
    assert_code(&out, 0);
    assert!(stdout(&out).starts_with("VERIFIED"), "{}", stdout(&out));
    // The issuer retires the RSA key.
    stub.route("/jwks", Canned::json(jwks_of(&[&keys.f.ec_jwk])));
    let out = run(h.path(), &["decode", "--verify", "--jwks", &url, &token]);
    assert_code(&out, 6);
    assert!(stdout(&out).starts_with("INVALID"), "{}", stdout(&out));
    assert!(
        stdout(&out).contains("no key has kid \"rsa1\""),
        "{}",
        stdout(&out)
    );
    assert_eq!(
        stub.hits("/jwks"),
        2,
        "fetched on every run, one fetch each"
    );
}

#[test]
fn discovery_issuer_mismatch_is_refused() {
    let keys = Keys::new();
    let stub = Stub::start();
    stub.route(
        "/.well-known/openid-configuration",
        Canned::json(
            json!({"issuer": format!("{}/", stub.base), "jwks_uri": stub.url("/jwks")}).to_string(),
        ),
    );
    let h = home();
    let token = keys.token(Algorithm::RS256, Some("rsa1"), &claims(&stub.base));
    let out = run(h.path(), &["decode", "--verify", &token]);
    assert_code(&out, 5);
    assert!(
        stderr(&out).contains("issuers must match exactly"),
        "{}",
        stderr(&out)
    );
    assert_eq!(stub.hits("/jwks"), 0);
}

#[test]
fn each_rejection_names_its_reason_and_exits_6() {
    let keys = Keys::new();
    let h = home();
    let iss = "https://as.example";
    let good = keys.token(Algorithm::RS256, Some("rsa1"), &claims(iss));
    let parts: Vec<&str> = good.split('.').collect();
    let mut tampered_sig: Vec<char> = parts[2].chars().collect();
    tampered_sig[10] = if tampered_sig[10] == 'A' { 'B' } else { 'A' };
    let tampered = format!(
        "{}.{}.{}",
        parts[0],
        parts[1],
        tampered_sig.into_iter().collect::<String>()
    );
    let none = format!("{}.{}.", b64u(br#"{"alg":"none"}"#), parts[1]);
    let hs_with_pubkey = sign_with(
        &json!({"alg": "HS256", "kid": "rsa1"}),
        &claims(iss),
        &EncodingKey::from_secret(keys.f.rsa_public_pem.as_bytes()).unwrap(),
        Algorithm::HS256,
    );
    let mut expired = claims(iss);
    expired["exp"] = json!(now() - 3 * 3600);
    let mut string_exp = claims(iss);
    string_exp["exp"] = json!(format!("{}", now() + 600));
    let ps_with_rs_key = keys.token(Algorithm::PS256, Some("rsa1"), &claims(iss));
    let jwks = keys.jwks();
    let cases: Vec<(&str, String, Vec<&str>, &str)> = vec![
        ("bad signature", tampered, vec![], "does not verify"),
        ("alg none", none, vec![], "alg: none"),
        (
            "HS256 with the RSA public key",
            hs_with_pubkey.clone(),
            vec![],
            "may not be used with HS256",
        ),
        (
            "HS256 with the RSA public key via PEM",
            hs_with_pubkey,
            vec!["--key", "PEM"],
            "fits HS256",
        ),
        (
            "wrong issuer",
            good.clone(),
            vec!["--issuer", "https://evil.example"],
            "not the expected",
        ),
        (
            "wrong audience",
            good.clone(),
            vec!["--audience", "billing"],
            "does not include `billing`",
        ),
        (
            "expired",
            keys.token(Algorithm::RS256, Some("rsa1"), &expired),
            vec![],
            "expired 3h",
        ),
        (
            "exp as string",
            keys.token(Algorithm::RS256, Some("rsa1"), &string_exp),
            vec![],
            "`exp` is a string",
        ),
        (
            "key alg does not fit",
            ps_with_rs_key,
            vec![],
            "may not be used with PS256",
        ),
        (
            "alg not allowed",
            good,
            vec!["--alg", "ES256"],
            "not in the allowed list",
        ),
    ];
    for (name, token, extra, expect) in cases {
        let mut args = vec!["decode", "--verify"];
        let pem = keys.pem();
        if extra.first() == Some(&"--key") {
            args.extend(["--key", pem.as_str()]);
        } else {
            args.extend(["--jwks", jwks.as_str()]);
            args.extend(extra.iter().copied());
        }
        args.push(&token);
        let out = run(h.path(), &args);
        assert_code(&out, 6);
        let text = stdout(&out);
        assert!(text.starts_with("INVALID"), "{name}: {text}");
        assert!(
            text.contains(expect),
            "{name}: expected {expect:?} in {text}"
        );
        assert!(
            stderr(&out).contains("oauthctl: error: the token is INVALID"),
            "{name}"
        );
        // The JSON shape reports the same.
        args.insert(1, "--json");
        let out = run(h.path(), &args);
        assert_code(&out, 6);
        let v: Value = serde_json::from_slice(&out.stdout).unwrap();
        assert_eq!(v["verified"], false, "{name}");
        assert!(v["errors"].to_string().contains(expect), "{name}: {v}");
    }
}

#[test]
fn jwks_with_a_wrong_use_is_not_used() {
    let keys = Keys::new();
    let h = home();
    let mut jwk = keys.f.ec_jwk.clone();
    jwk["use"] = json!("enc");
    let path = keys.dir.path().join("enc.json");
    std::fs::write(&path, json!({"keys": [jwk]}).to_string()).unwrap();
    let token = keys.token(Algorithm::ES256, Some("ec1"), &claims("https://as.example"));
    let out = run(
        h.path(),
        &[
            "decode",
            "--verify",
            "--jwks",
            path.to_str().unwrap(),
            &token,
        ],
    );
    assert_code(&out, 6);
    let text = stdout(&out);
    assert!(
        text.contains("skipped key \"ec1\": `use` is \"enc\""),
        "{text}"
    );
}

#[test]
fn malformed_input_gets_a_clear_error_and_no_panic() {
    let h = home();
    let many_dots = ".".repeat(1_000_000);
    let cases: Vec<(String, &str)> = vec![
        ("abc".into(), "opaque token"),
        ("a.b.c.d".into(), "this has 4"),
        ("e30.e30.e30.e30.e30".into(), "encrypted JWT"),
        ("e30.e30=.".into(), "base64url"),
        ("bm90IGpzb24.e30.".into(), "header is not a JSON object"),
        (
            format!("e30.{}.", b64u(b"[1,2]")),
            "payload is not a JSON object",
        ),
    ];
    for (input, expect) in cases {
        let out = run(h.path(), &["decode", &input]);
        assert_code(&out, 6);
        assert!(out.stdout.is_empty());
        let err = stderr(&out);
        assert!(err.contains(expect), "{input:.30}: {err}");
        assert_eq!(
            err.lines()
                .filter(|l| l.starts_with("oauthctl: error:"))
                .count(),
            1
        );
    }
    // A million dots and a 50 MB line arrive through stdin: bounded reads, clean error.
    for input in [many_dots.into_bytes(), vec![b'a'; 50 * 1024 * 1024]] {
        let mut child = oauthctl(h.path())
            .arg("decode")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let mut stdin = child.stdin.take().unwrap();
        let writer = std::thread::spawn(move || {
            let _ = stdin.write_all(&input); // the reader stops early: a broken pipe is fine
        });
        let out = child.wait_with_output().unwrap();
        writer.join().unwrap();
        assert_code(&out, 6);
        assert!(stderr(&out).contains("bytes long"), "{}", stderr(&out));
    }
}

#[test]
fn terminal_escapes_in_claims_never_reach_the_output_raw() {
    let keys = Keys::new();
    let h = home();
    let mut c = claims("https://as.example");
    c["name"] = json!("Mallory\u{1b}]8;;https://evil.example\u{7}\u{202e}txt");
    let token = keys.token(Algorithm::ES256, Some("ec1"), &c);
    for args in [
        vec!["decode"],
        vec!["decode", "--json"],
        vec!["decode", "--color", "always"],
    ] {
        let mut a = args.clone();
        a.push(&token);
        let out = run(h.path(), &a);
        assert_code(&out, 0);
        let text = stdout(&out);
        assert!(
            !text.contains('\u{202e}') && !text.contains('\u{7}'),
            "{text}"
        );
        assert!(!text.contains("\u{1b}]8"), "{text}");
    }
}

#[test]
fn no_color_and_color_never_emit_no_escape_codes() {
    let keys = Keys::new();
    let h = home();
    let token = keys.token(Algorithm::ES256, Some("ec1"), &claims("https://as.example"));
    let out = run(h.path(), &["decode", "--color", "never", &token]);
    assert!(!out.stdout.contains(&0x1b));
    let out = run(h.path(), &["decode", &token]); // NO_COLOR=1 from the helper
    assert!(!out.stdout.contains(&0x1b));
    let out = oauthctl(h.path())
        .args(["decode", "--color", "always", &token])
        .output()
        .unwrap();
    assert!(
        out.stdout.contains(&0x1b),
        "--color always colours even when piped"
    );
}

#[test]
fn usage_errors() {
    let h = home();
    let out = run(
        h.path(),
        &["decode", "--alg", "none", "--verify", "e30.e30."],
    );
    assert_code(&out, 2);
    let out = run(h.path(), &["decode", "--jwks", "x.json", "e30.e30."]);
    assert_code(&out, 2); // --jwks requires --verify (clap)
}

#[test]
fn key_sets_are_fetched_through_the_proxy_from_the_environment() {
    let keys = Keys::new();
    let proxy = Stub::start();
    // A proxied request names the absolute URL in its request line.
    proxy.route("http://keys.invalid/jwks", Canned::json(keys.f.jwks()));
    let token = keys.token(Algorithm::ES256, Some("ec1"), &claims("https://as.example"));
    let h = home();
    let out = oauthctl(h.path())
        .args([
            "decode",
            "--verify",
            "--insecure-http",
            "--jwks",
            "http://keys.invalid/jwks",
            &token,
        ])
        .env("HTTP_PROXY", &proxy.base)
        .output()
        .unwrap();
    assert_code(&out, 0);
    assert_eq!(proxy.hits("http://keys.invalid/jwks"), 1);
    // NO_PROXY exempts the host: the (unresolvable) host is then contacted directly.
    let fresh = home();
    let out = oauthctl(fresh.path())
        .args([
            "decode",
            "--verify",
            "--insecure-http",
            "--jwks",
            "http://keys.invalid/jwks",
            &token,
        ])
        .env("HTTP_PROXY", &proxy.base)
        .env("NO_PROXY", "keys.invalid")
        .output()
        .unwrap();
    assert_code(&out, 5);
    assert_eq!(proxy.hits("http://keys.invalid/jwks"), 1);
    // Without --insecure-http, plain http to a non-loopback host is refused up front.
    let out = run(
        h.path(),
        &[
            "decode",
            "--verify",
            "--jwks",
            "http://keys.invalid/jwks",
            &token,
        ],
    );
    assert_code(&out, 5);
    assert!(stderr(&out).contains("--insecure-http"), "{}", stderr(&out));
}

/// One deadline covers connect, head and body of a protocol request, so a
/// key set or discovery document trickled byte by byte cannot keep `decode` waiting;
/// `OAUTHCTL_HTTP_TIMEOUT` sets it (30 s by default), and the hint names it.
#[test]
fn a_trickled_key_set_or_discovery_document_runs_into_the_deadline() {
    let keys = Keys::new();
    let stub = Stub::start();
    // 100 bytes, one every 100 ms: 10 s in all, each read far within any per-read limit.
    let slow = || Canned::json(vec![b' '; 100]).trickled(std::time::Duration::from_millis(100));
    stub.route("/jwks", slow());
    stub.route("/.well-known/openid-configuration", slow());
    let token = keys.token(Algorithm::ES256, Some("ec1"), &claims(&stub.base));
    let jwks = stub.url("/jwks");
    for args in [
        vec!["decode", "--verify", "--jwks", &jwks, &token],
        vec!["decode", "--verify", &token],
    ] {
        let h = home();
        let started = std::time::Instant::now();
        let out = oauthctl(h.path())
            .args(&args)
            .env("OAUTHCTL_HTTP_TIMEOUT", "1s")
            .output()
            .unwrap();
        let took = started.elapsed();
        assert_code(&out, 5);
        assert!(
            took < std::time::Duration::from_secs(5),
            "{args:?}: {took:?}"
        );
        let err = stderr(&out);
        assert!(err.contains("within 1s"), "{err}");
        assert!(
            err.contains("hint:") && err.contains("OAUTHCTL_HTTP_TIMEOUT"),
            "{err}"
        );
        assert!(!err.contains("--timeout"), "decode has no --timeout: {err}");
    }
    assert_eq!(stub.hits("/jwks"), 1);
    assert_eq!(stub.hits("/.well-known/openid-configuration"), 1);
    // A value that is not a duration is a configuration error.
    let h = home();
    let out = oauthctl(h.path())
        .args(["decode", "--verify", "--jwks", &jwks, &token])
        .env("OAUTHCTL_HTTP_TIMEOUT", "soon")
        .output()
        .unwrap();
    assert_code(&out, 7);
    assert!(
        stderr(&out).contains("OAUTHCTL_HTTP_TIMEOUT"),
        "{}",
        stderr(&out)
    );
}

/// Requests to loopback hosts never go through `HTTP_PROXY`/`ALL_PROXY`
/// (the key set below is on 127.0.0.1 and on `localhost`), while other hosts still do
/// (`key_sets_are_fetched_through_the_proxy_from_the_environment`).
#[test]
fn loopback_key_sets_are_fetched_directly_whatever_the_proxy_settings() {
    let keys = Keys::new();
    let proxy = Stub::start();
    let api = Stub::start();
    api.route("/jwks", Canned::json(keys.f.jwks()));
    let token = keys.token(Algorithm::ES256, Some("ec1"), &claims("https://as.example"));
    for url in [
        api.url("/jwks"),
        format!("http://localhost:{}/jwks", api.port()),
    ] {
        let h = home();
        let out = oauthctl(h.path())
            .args(["decode", "--verify", "--jwks", &url, &token])
            .env("HTTP_PROXY", &proxy.base)
            .env("http_proxy", &proxy.base)
            .env("ALL_PROXY", &proxy.base)
            .output()
            .unwrap();
        assert_code(&out, 0);
    }
    assert_eq!(api.hits("/jwks"), 2);
    assert!(proxy.requests().is_empty(), "{:?}", proxy.requests());
}

/// `-v` redacts response headers named like secrets, with the rule that
/// redacts request headers.
#[test]
fn verbose_traces_redact_secret_response_headers() {
    let keys = Keys::new();
    let api = Stub::start();
    api.route(
        "/jwks",
        Canned::json(keys.f.jwks())
            .header("X-Auth-Token", "resp-t0ken")
            .header("X-Api-Key", "resp-k3y")
            .header("Set-Cookie", "sid=resp-c00kie")
            .header("X-Request-Id", "req-1"),
    );
    let token = keys.token(Algorithm::ES256, Some("ec1"), &claims("https://as.example"));
    let h = home();
    let out = run(
        h.path(),
        &[
            "-v",
            "decode",
            "--verify",
            "--jwks",
            &api.url("/jwks"),
            &token,
        ],
    );
    assert_code(&out, 0);
    let err = stderr(&out);
    for secret in ["resp-t0ken", "resp-k3y", "resp-c00kie"] {
        assert!(!err.contains(secret), "{secret} in the trace:\n{err}");
    }
    assert!(err.contains("x-auth-token: [redacted]"), "{err}");
    assert!(err.contains("x-request-id: req-1"), "{err}");
}

/// A token copied with its scheme (`Bearer eyJ…`, as a tutorial's
/// `/login` or an `Authorization` header shows it) decodes, as an argument or on stdin.
#[test]
fn a_leading_bearer_is_ignored() {
    let keys = Keys::new();
    let token = keys.token(Algorithm::ES256, Some("ec1"), &claims("https://as.example"));
    let h = home();
    for arg in [format!("Bearer {token}"), format!("bearer  {token}\n")] {
        let out = run(h.path(), &["decode", "--json", &arg]);
        assert_code(&out, 0);
        let doc: Value = serde_json::from_slice(&out.stdout).unwrap();
        assert_eq!(doc["claims"]["sub"], "alice");
    }
    let out = crate::support::feed(
        oauthctl(h.path()).args(["decode", "--verify", "--jwks", &keys.jwks()]),
        format!("Bearer {token}\n"),
    );
    assert_code(&out, 0);
    assert!(stdout(&out).starts_with("VERIFIED"), "{}", stdout(&out));
    // Only the scheme is dropped: other words still make it malformed.
    assert_code(&run(h.path(), &["decode", &format!("Basic {token}")]), 6);
}
