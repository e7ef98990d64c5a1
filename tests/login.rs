//! `oauthctl login` end to end against the in-process development server and against
//! hostile token endpoints: each failure exits with its documented code, stores nothing and
//! leaks no secret.

use jsonwebtoken::Algorithm;
use oauthctl::devserver::{DevConfig, DevServer};
use oauthctl::testing::{Fixture, sign_with};
use serde_json::{Value, json};

use crate::support::login::login_as;
use crate::support::stub::{Canned, Stub};
use crate::support::{assert_code, home, login_with, oauthctl, run, stderr, stdout};

const SCOPES: &str = "openid profile email offline_access api:read api:write";

fn server() -> DevServer {
    DevServer::start(DevConfig::default()).unwrap()
}

#[test]
fn authorization_code_with_pkce_through_the_real_login_page() {
    let s = server();
    let h = home();
    let login = login_as(h.path(), s.issuer(), "alice", SCOPES);
    // The URL: loopback redirect with an IP literal, S256, state and nonce.
    let url = url::Url::parse(&login.url).unwrap();
    let q: std::collections::BTreeMap<String, String> = url.query_pairs().into_owned().collect();
    assert!(
        q["redirect_uri"].starts_with("http://127.0.0.1:"),
        "{}",
        q["redirect_uri"]
    );
    assert!(q["redirect_uri"].ends_with("/callback"));
    assert_eq!(q["code_challenge_method"], "S256");
    assert!(q["state"].len() >= 43 && q["nonce"].len() >= 43);
    assert!(login.stderr.contains("Signed in to"), "{}", login.stderr);
    assert!(login.stderr.contains("as alice"), "{}", login.stderr);
    assert!(login.stdout.is_empty());
    assert_eq!(s.hits("/token"), 1);

    // The token is cached: `token` prints it without another request.
    let out = run(h.path(), &["token"]);
    assert_code(&out, 0);
    let token = stdout(&out);
    assert_eq!(
        token.matches('.').count(),
        2,
        "a JWT and a newline: {token}"
    );
    assert!(token.ends_with('\n'));
    assert_eq!(s.hits("/token"), 1);
    // The token and secrets never appear on stderr of the login.
    assert!(!login.stderr.contains(token.trim()));

    // status lists the profile without secrets.
    let out = run(h.path(), &["status", "--json"]);
    assert_code(&out, 0);
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["profiles"][0]["subject"], "alice");
    assert_eq!(v["profiles"][0]["issuer"], s.issuer());
    assert_eq!(v["profiles"][0]["store"], "file");
    assert!(!stdout(&out).contains(token.trim()));

    // The second login uses another port.
    let again = login_as(h.path(), s.issuer(), "alice", SCOPES);
    let port = |u: &str| {
        let u = url::Url::parse(u).unwrap();
        let q: std::collections::BTreeMap<String, String> = u.query_pairs().into_owned().collect();
        url::Url::parse(&q["redirect_uri"]).unwrap().port()
    };
    assert_ne!(port(&login.url), port(&again.url));
}

#[test]
fn login_then_bare_token_works_without_a_config_file() {
    let s = server();
    let h = home();
    login_as(h.path(), s.issuer(), "bob", "openid api:read");
    assert!(!h.path().join("config.toml").exists());
    let out = run(h.path(), &["token", "--format", "header"]);
    assert_code(&out, 0);
    assert!(stdout(&out).starts_with("Authorization: Bearer ey"));
    // decode reads the cached tokens and verifies them through the issuer's discovery.
    let out = run(h.path(), &["decode", "--verify", "--access-token"]);
    assert_code(&out, 0);
    assert!(stdout(&out).starts_with("VERIFIED"), "{}", stdout(&out));
    assert!(
        stdout(&out).contains("\"typ\": \"at+jwt\""),
        "{}",
        stdout(&out)
    );
    let out = run(h.path(), &["decode", "--json", "--id-token"]);
    assert_code(&out, 0);
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["claims"]["sub"], "bob");
    assert_eq!(v["claims"]["aud"], "oauthctl");
}

#[test]
fn two_profiles_with_the_same_client_and_scopes_keep_their_own_tokens() {
    let s = server();
    let h = home();
    let sign_in = |user: &str| {
        crate::support::login_with(
            h.path(),
            &[
                "-p",
                user,
                "--issuer",
                s.issuer(),
                "--client-id",
                "oauthctl",
                "--scope",
                "openid api:read",
            ],
            |url| {
                oauthctl::demo::agent::Agent::new(user, user)
                    .sign_in(url)
                    .unwrap();
            },
        )
    };
    assert!(sign_in("alice").success());
    assert!(sign_in("bob").success());
    for user in ["alice", "bob"] {
        let out = run(
            h.path(),
            &["-p", user, "decode", "--json", "--access-token"],
        );
        assert_code(&out, 0);
        let v: Value = serde_json::from_slice(&out.stdout).unwrap();
        assert_eq!(v["claims"]["sub"], user);
    }
}

/// The listening sockets on `port`, as `ss` reports them.
fn listening(port: u16) -> String {
    let out = std::process::Command::new("ss")
        .args(["-ltnH", &format!("sport = :{port}")])
        .output()
        .expect("ss (iproute2) is needed");
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[test]
fn the_socket_table_shows_a_loopback_only_listener_that_goes_away() {
    let s = server();
    let h = home();
    let mut port = 0;
    let r = login_with(
        h.path(),
        &[
            "--issuer",
            s.issuer(),
            "--client-id",
            "oauthctl",
            "--scope",
            "openid",
            "--timeout",
            "30s",
        ],
        |url| {
            let u = url::Url::parse(url).unwrap();
            let q: std::collections::BTreeMap<String, String> =
                u.query_pairs().into_owned().collect();
            port = url::Url::parse(&q["redirect_uri"]).unwrap().port().unwrap();
            let table = listening(port);
            // Exactly one listener, on 127.0.0.1 — never 0.0.0.0 or [::].
            assert_eq!(table.lines().count(), 1, "{table}");
            let local = table.split_whitespace().nth(3).unwrap_or_default();
            assert_eq!(local, format!("127.0.0.1:{port}"), "{table}");
            oauthctl::demo::agent::Agent::new("alice", "alice")
                .sign_in(url)
                .unwrap();
        },
    );
    assert!(r.success(), "{}", r.stderr);
    assert!(
        listening(port).trim().is_empty(),
        "the listener is gone after the flow"
    );
}

#[test]
fn the_listener_closes_after_the_flow() {
    let s = server();
    let h = home();
    let login = login_as(h.path(), s.issuer(), "alice", "openid");
    let u = url::Url::parse(&login.url).unwrap();
    let q: std::collections::BTreeMap<String, String> = u.query_pairs().into_owned().collect();
    let cb = url::Url::parse(&q["redirect_uri"]).unwrap();
    let addr = format!("127.0.0.1:{}", cb.port().unwrap());
    assert!(
        std::net::TcpStream::connect(addr).is_err(),
        "the port must be closed"
    );
}

#[test]
fn denied_consent_exits_4_and_stores_nothing() {
    let s = server();
    let h = home();
    let run_ = login_with(
        h.path(),
        &[
            "--issuer",
            s.issuer(),
            "--client-id",
            "oauthctl",
            "--scope",
            "openid",
            "--timeout",
            "30s",
        ],
        |url| {
            let mut agent = oauthctl::demo::agent::Agent::new("alice", "alice");
            agent.deny = true;
            let _ = agent.sign_in(url);
        },
    );
    assert_eq!(run_.status, Some(4), "{}", run_.stderr);
    assert!(run_.stderr.contains("access_denied"), "{}", run_.stderr);
    assert_eq!(s.hits("/token"), 0);
    assert_code(&run(h.path(), &["token"]), 3);
}

#[test]
fn no_callback_times_out_with_exit_5() {
    let s = server();
    let h = home();
    let r = login_with(
        h.path(),
        &[
            "--issuer",
            s.issuer(),
            "--client-id",
            "oauthctl",
            "--timeout",
            "1s",
        ],
        |_| {},
    );
    assert_eq!(r.status, Some(5), "{}", r.stderr);
    assert!(
        r.stderr.contains("no authorization response within 1s"),
        "{}",
        r.stderr
    );
}

#[test]
fn client_credentials_with_the_secret_from_the_environment() {
    let s = server();
    let h = home();
    let out = oauthctl(h.path())
        .args([
            "login",
            "--flow",
            "client-credentials",
            "--issuer",
            s.issuer(),
        ])
        .args([
            "--client-id",
            "demo-service",
            "--client-secret-env",
            "DEMO_SECRET",
            "--scope",
            "api:read",
            "--json",
        ])
        .env("DEMO_SECRET", "demo-secret")
        .output()
        .unwrap();
    assert_code(&out, 0);
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["grant"], "client_credentials");
    assert_eq!(v["client_id"], "demo-service");
    assert!(!stdout(&out).contains("demo-secret") && !stderr(&out).contains("demo-secret"));
    let token = run(h.path(), &["token"]);
    assert_code(&token, 0);
    assert!(
        !stdout(&out).contains(stdout(&token).trim()),
        "the JSON summary has no token"
    );

    // The secret from stdin works too; a wrong one is the server's invalid_client (exit 4).
    let out = oauthctl(h.path())
        .args([
            "login",
            "--flow",
            "client-credentials",
            "--issuer",
            s.issuer(),
        ])
        .args(["--client-id", "demo-service", "--client-secret-file", "-"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .and_then(|mut c| {
            use std::io::Write as _;
            c.stdin.take().unwrap().write_all(b"wrong-secret\n")?;
            c.wait_with_output()
        })
        .unwrap();
    assert_code(&out, 4);
    assert!(stderr(&out).contains("invalid_client"), "{}", stderr(&out));
    assert!(!stderr(&out).contains("wrong-secret"));

    // A secret on the command line works but warns.
    let out = run(
        h.path(),
        &[
            "login",
            "--flow",
            "client-credentials",
            "--issuer",
            s.issuer(),
            "--client-id",
            "demo-service",
            "--client-secret",
            "demo-secret",
        ],
    );
    assert_code(&out, 0);
    assert!(stderr(&out).contains("visible to other users"));
}

#[test]
fn device_flow_approved_on_the_verification_page() {
    let s = DevServer::start(DevConfig::default().with_device_timing(
        std::time::Duration::from_secs(60),
        std::time::Duration::from_secs(1),
    ))
    .unwrap();
    let h = home();
    let r = crate::support::device_login(
        h.path(),
        &[
            "--issuer",
            s.issuer(),
            "--client-id",
            "oauthctl",
            "--scope",
            "openid api:read",
            "--timeout",
            "60s",
        ],
        "alice",
        "alice",
    );
    assert_eq!(r.status, Some(0), "{}", r.stderr);
    assert!(r.stderr.contains("enter the code"), "{}", r.stderr);
    assert!(!r.url.is_empty(), "{}", r.stderr);
    assert!(r.stderr.contains("as alice"), "{}", r.stderr);
    assert!(
        r.stderr
            .contains("Only enter this code on a page you opened yourself"),
        "{}",
        r.stderr
    );
    assert_code(&run(h.path(), &["token"]), 0);
}

/// A hostile authorization server: discovery and JWKS from `keys`, a token endpoint that
/// answers `token_response`. The test plays the redirect itself.
struct Hostile {
    stub: Stub,
    keys: Fixture,
}

impl Hostile {
    fn new() -> Self {
        let stub = Stub::start();
        let keys = Fixture::new();
        stub.route(
            "/.well-known/openid-configuration",
            Canned::json(
                json!({
                    "issuer": stub.base,
                    "authorization_endpoint": stub.url("/authorize"),
                    "token_endpoint": stub.url("/token"),
                    "jwks_uri": stub.url("/jwks"),
                    "code_challenge_methods_supported": ["S256"],
                    "id_token_signing_alg_values_supported": ["ES256"],
                    "authorization_response_iss_parameter_supported": true
                })
                .to_string(),
            ),
        );
        stub.route("/jwks", Canned::json(keys.jwks()));
        Self { stub, keys }
    }

    fn id_token(&self, patch: &Value, header: &Value) -> String {
        let now = i64::try_from(
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .unwrap()
                .as_secs(),
        )
        .unwrap();
        let mut claims = json!({"iss": self.stub.base, "sub": "alice", "aud": "cli", "iat": now, "exp": now + 300, "nonce": "NONCE"});
        for (k, v) in patch.as_object().unwrap() {
            if v.is_null() {
                claims.as_object_mut().unwrap().remove(k);
            } else {
                claims[k] = v.clone();
            }
        }
        sign_with(header, &claims, &self.keys.ec, Algorithm::ES256)
    }

    /// Runs a login whose callback carries a code; `token` is the /token answer, in which
    /// the string NONCE is replaced by the nonce oauthctl sent (unless `keep_nonce`).
    fn login(
        &self,
        token: &Canned,
        keep_nonce: bool,
    ) -> (crate::support::LoginRun, tempfile::TempDir) {
        let h = home();
        let stub = &self.stub;
        let r = login_with(
            h.path(),
            &[
                "--issuer",
                &stub.base,
                "--client-id",
                "cli",
                "--scope",
                "openid",
                "--timeout",
                "20s",
            ],
            |url| {
                let u = url::Url::parse(url).unwrap();
                let q: std::collections::BTreeMap<String, String> =
                    u.query_pairs().into_owned().collect();
                let mut answer = token.clone();
                if !keep_nonce {
                    let body = String::from_utf8(answer.body.clone()).unwrap();
                    // Re-sign with the real nonce: the canned ID token carries a placeholder.
                    let v: Value = serde_json::from_str(&body).unwrap_or(Value::Null);
                    if let Some(id) = v.get("id_token").and_then(Value::as_str) {
                        let (hdr, claims) = crate::support::jwt_parts(id);
                        let mut claims = claims;
                        if claims["nonce"] == "NONCE" {
                            claims["nonce"] = json!(q["nonce"]);
                        }
                        let resigned = sign_with(&hdr, &claims, &self.keys.ec, Algorithm::ES256);
                        let mut v = v.clone();
                        v["id_token"] = json!(resigned);
                        answer.body = v.to_string().into_bytes();
                    }
                }
                stub.route("/token", answer);
                let cb = format!(
                    "{}?code=the-code&state={}&iss={}",
                    q["redirect_uri"],
                    q["state"],
                    url::form_urlencoded::byte_serialize(stub.base.as_bytes()).collect::<String>()
                );
                let _ = crate::support::http().get(cb).send();
            },
        );
        (r, h)
    }
}

#[test]
fn hostile_token_responses_are_refused_and_nothing_is_stored() {
    let hostile = Hostile::new();
    let good_header = json!({"alg": "ES256", "kid": "ec1"});
    let ok_id = hostile.id_token(&json!({}), &good_header);
    let token = |extra: Value| {
        let mut v = json!({"access_token": "SECRET-AT-123", "token_type": "Bearer", "expires_in": 3600, "refresh_token": "SECRET-RT-456", "id_token": ok_id});
        for (k, val) in extra.as_object().unwrap() {
            if val.is_null() {
                v.as_object_mut().unwrap().remove(k);
            } else {
                v[k] = val.clone();
            }
        }
        Canned::json(v.to_string())
    };
    // The baseline succeeds, so each case below fails for its own reason.
    let (r, h) = hostile.login(&token(json!({})), false);
    assert_eq!(r.status, Some(0), "{}", r.stderr);
    assert_code(&run(h.path(), &["token"]), 0);
    let none = format!("{}.", {
        let parts: Vec<&str> = ok_id.split('.').collect();
        format!(
            "{}.{}",
            oauthctl::testing::b64u(br#"{"alg":"none"}"#),
            parts[1]
        )
    });
    let cases: Vec<(&str, Canned, bool, i32, &str)> = vec![
        (
            "200 with an error",
            Canned::json(r#"{"error":"invalid_grant","error_description":"nope"}"#),
            false,
            4,
            "invalid_grant",
        ),
        (
            "400 invalid_client",
            Canned::status(400, r#"{"error":"invalid_client"}"#),
            false,
            4,
            "invalid_client",
        ),
        (
            "no access_token",
            token(json!({"access_token": null})),
            false,
            5,
            "no `access_token`",
        ),
        (
            "wrong token_type",
            token(json!({"token_type": "mac"})),
            false,
            5,
            "only Bearer",
        ),
        (
            "huge expires_in",
            token(json!({"expires_in": 18_446_744_073_709_551_615_u64})),
            false,
            0,
            "",
        ),
        (
            "not JSON",
            Canned::status(200, "<html>"),
            false,
            5,
            "not a JSON object",
        ),
        (
            "307 to elsewhere",
            Canned::status(307, "").header("Location", "http://127.0.0.1:9/token"),
            false,
            5,
            "redirect",
        ),
        (
            "alg none ID token",
            token(json!({"id_token": none})),
            false,
            5,
            "alg: none",
        ),
        (
            "wrong issuer",
            token(
                json!({"id_token": hostile.id_token(&json!({"iss": "https://evil.example"}), &good_header)}),
            ),
            false,
            5,
            "issuer",
        ),
        (
            "wrong audience",
            token(
                json!({"id_token": hostile.id_token(&json!({"aud": "someone-else"}), &good_header)}),
            ),
            false,
            5,
            "audience",
        ),
        (
            "expired",
            token(
                json!({"id_token": hostile.id_token(&json!({"exp": 1_000_000_000}), &good_header)}),
            ),
            false,
            5,
            "expired",
        ),
        (
            "nonce mismatch",
            token(json!({"id_token": hostile.id_token(&json!({"nonce": "other"}), &good_header)})),
            false,
            5,
            "nonce",
        ),
        (
            "unknown kid",
            token(
                json!({"id_token": hostile.id_token(&json!({}), &json!({"alg": "ES256", "kid": "nope"}))}),
            ),
            false,
            5,
            "kid",
        ),
        (
            "no ID token",
            token(json!({"id_token": null})),
            false,
            5,
            "no ID token",
        ),
    ];
    for (name, answer, keep_nonce, code, expect) in cases {
        let (r, h) = hostile.login(&answer, keep_nonce);
        assert_eq!(r.status, Some(code), "{name}: {}", r.stderr);
        if code == 0 {
            continue;
        }
        assert!(
            r.stderr.contains(expect),
            "{name}: expected {expect:?} in {}",
            r.stderr
        );
        assert!(
            !r.stderr.contains("SECRET-AT-123") && !r.stderr.contains("SECRET-RT-456"),
            "{name}: leak"
        );
        assert!(!r.stderr.contains("the-code"), "{name}: the code leaked");
        assert!(!r.stdout.contains("SECRET"), "{name}");
        let t = run(h.path(), &["token"]);
        assert_code(&t, 3);
        assert!(
            !h.path().join("tokens").exists()
                || std::fs::read_dir(h.path().join("tokens")).unwrap().count() == 0,
            "{name}: something was stored"
        );
    }
}

#[test]
fn a_redirected_token_request_is_not_followed() {
    let hostile = Hostile::new();
    let elsewhere = Stub::start();
    let (r, _h) = hostile.login(
        &Canned::status(307, "").header("Location", &elsewhere.url("/token")),
        true,
    );
    assert_eq!(r.status, Some(5), "{}", r.stderr);
    assert!(
        elsewhere.requests().is_empty(),
        "the second server must see nothing"
    );
    // What oauthctl sent to the real token endpoint: a form POST with the verifier, the
    // same redirect_uri, and nothing secret in the URL.
    let token_req = hostile
        .stub
        .requests()
        .into_iter()
        .find(|q| q.path == "/token")
        .unwrap();
    assert_eq!(token_req.method, "POST");
    let form: std::collections::BTreeMap<String, String> =
        url::form_urlencoded::parse(&token_req.body)
            .into_owned()
            .collect();
    assert_eq!(form["grant_type"], "authorization_code");
    assert_eq!(form["code"], "the-code");
    let v = &form["code_verifier"];
    assert!((43..=128).contains(&v.len()));
    let u = url::Url::parse(&r.url).unwrap();
    let q: std::collections::BTreeMap<String, String> = u.query_pairs().into_owned().collect();
    assert_eq!(form["redirect_uri"], q["redirect_uri"]);
    assert_eq!(
        q["code_challenge"],
        oauthctl::oauth::pkce::s256_challenge(v)
    );
}

/// `GET` on the loopback listener with a raw query; returns the status line.
fn poke(redirect_uri: &str, query: &str) -> String {
    let u = url::Url::parse(redirect_uri).unwrap();
    let addr: std::net::SocketAddr = format!("127.0.0.1:{}", u.port().unwrap()).parse().unwrap();
    let req = format!(
        "GET {}?{query} HTTP/1.1\r\nHost: 127.0.0.1:{}\r\n\r\n",
        u.path(),
        u.port().unwrap()
    );
    crate::support::raw(addr, req.as_bytes())
        .lines()
        .next()
        .unwrap_or_default()
        .to_owned()
}

fn query(url: &str) -> std::collections::BTreeMap<String, String> {
    url::Url::parse(url)
        .unwrap()
        .query_pairs()
        .into_owned()
        .collect()
}

#[test]
fn stray_and_forged_callbacks_do_not_end_the_flow() {
    let s = server();
    let h = home();
    let r = login_with(
        h.path(),
        &[
            "--issuer",
            s.issuer(),
            "--client-id",
            "oauthctl",
            "--scope",
            "openid",
            "--timeout",
            "30s",
        ],
        |url| {
            let q = query(url);
            let cb = &q["redirect_uri"];
            let state = &q["state"];
            let iss =
                url::form_urlencoded::byte_serialize(s.issuer().as_bytes()).collect::<String>();
            // A slow client that never finishes its request, and a huge one.
            let u = url::Url::parse(cb).unwrap();
            let addr: std::net::SocketAddr =
                format!("127.0.0.1:{}", u.port().unwrap()).parse().unwrap();
            let _slow = std::net::TcpStream::connect(addr).unwrap();
            let huge = crate::support::raw(addr, &vec![b'A'; 1024 * 1024]);
            assert!(
                huge.starts_with("HTTP/1.1 414")
                    || huge.starts_with("HTTP/1.1 431")
                    || huge.is_empty(),
                "{huge}"
            );
            for (q, why) in [
                ("code=forged&state=wrong".to_owned(), "wrong state"),
                ("code=forged".to_owned(), "missing state"),
                ("error=access_denied".to_owned(), "error without state"),
                (
                    format!("error=access_denied&state=nope&iss={iss}"),
                    "error with a wrong state",
                ),
                (
                    format!("code=a&code=b&state={state}&iss={iss}"),
                    "duplicate code",
                ),
            ] {
                let status = poke(cb, &q);
                assert!(status.starts_with("HTTP/1.1 400"), "{why}: {status}");
            }
            oauthctl::demo::agent::Agent::new("alice", "alice")
                .sign_in(url)
                .unwrap();
        },
    );
    assert!(r.success(), "{}", r.stderr);
    assert_eq!(s.hits("/token"), 1, "only the real code was redeemed");
}

#[test]
fn a_callback_from_another_issuer_ends_the_flow_without_a_token_request() {
    let s = server();
    let h = home();
    let r = login_with(
        h.path(),
        &[
            "--issuer",
            s.issuer(),
            "--client-id",
            "oauthctl",
            "--scope",
            "openid",
            "--timeout",
            "30s",
        ],
        |url| {
            let q = query(url);
            let status = poke(
                &q["redirect_uri"],
                &format!("code=c&state={}&iss=https%3A%2F%2Fevil.example", q["state"]),
            );
            assert!(status.starts_with("HTTP/1.1 400"), "{status}");
        },
    );
    assert_eq!(r.status, Some(5), "{}", r.stderr);
    assert!(r.stderr.contains("mix-up"), "{}", r.stderr);
    assert_eq!(s.hits("/token"), 0, "no token request");
    assert_code(&run(h.path(), &["token"]), 3);
}

#[test]
fn a_login_that_cannot_open_a_browser_says_what_to_do_instead() {
    let s = server();
    let h = home();
    let mut cmd = oauthctl(h.path());
    cmd.args(["login", "--issuer", s.issuer(), "--client-id", "oauthctl"])
        .args(["--scope", "openid api:read", "--timeout", "30s"])
        .args([
            "--browser-command",
            "oauthctl-test-no-such-browser --new-window",
        ]);
    // The user does what the hint says: opens the printed URL (the agent plays the browser).
    let (ran, url) = oauthctl::demo::run_login(cmd, |url| {
        oauthctl::demo::agent::Agent::new("alice", "alice")
            .sign_in(url)
            .unwrap();
    })
    .unwrap();
    assert!(url.is_some());
    assert_eq!(ran.code, Some(0), "{}", ran.stderr);
    for expected in [
        "oauthctl: warning: could not open a browser: cannot run `oauthctl-test-no-such-browser`",
        "hint: open the URL above in a browser on this machine",
        "keeps waiting until the --timeout",
        "`--flow device`",
        "`--browser-command CMD`",
    ] {
        assert!(
            ran.stderr.contains(expected),
            "{expected:?} in:\n{}",
            ran.stderr
        );
    }
    assert!(ran.stderr.contains("as alice"), "{}", ran.stderr);
}

/// 64 slow clients that trickle requests that never end and reconnect
/// whenever they are closed cannot keep the real callback out: the login completes at once,
/// long before `--timeout`.
#[test]
fn sixty_four_slow_connections_do_not_keep_the_callback_out() {
    use std::io::Write as _;
    use std::sync::Arc;
    use std::sync::atomic::{AtomicBool, Ordering};
    use std::time::{Duration, Instant};

    let s = server();
    let h = home();
    let stop = Arc::new(AtomicBool::new(false));
    let mut signed_in = None;
    let r = login_with(
        h.path(),
        &[
            "--issuer",
            s.issuer(),
            "--client-id",
            "oauthctl",
            "--scope",
            "openid",
            "--timeout",
            "20s",
        ],
        |url| {
            let q = query(url);
            let cb = url::Url::parse(&q["redirect_uri"]).unwrap();
            let addr: std::net::SocketAddr =
                format!("127.0.0.1:{}", cb.port().unwrap()).parse().unwrap();
            let slow: Vec<_> = (0..64)
                .map(|_| {
                    let stop = stop.clone();
                    std::thread::spawn(move || {
                        while !stop.load(Ordering::SeqCst) {
                            let Ok(mut conn) = std::net::TcpStream::connect(addr) else {
                                std::thread::sleep(Duration::from_millis(20));
                                continue;
                            };
                            // A request head that never ends: one byte every 200 ms.
                            for byte in b"GET /callback?state=x HTTP/1.1\r\nX-Slow: "
                                .iter()
                                .chain(std::iter::repeat(&b'a'))
                            {
                                if stop.load(Ordering::SeqCst)
                                    || conn.write_all(std::slice::from_ref(byte)).is_err()
                                {
                                    break;
                                }
                                std::thread::sleep(Duration::from_millis(200));
                            }
                        }
                    })
                })
                .collect();
            // Long enough for them to hold every connection the listener serves at once.
            std::thread::sleep(Duration::from_secs(1));
            let started = Instant::now();
            let result = oauthctl::demo::agent::Agent::new("alice", "alice").sign_in(url);
            signed_in = Some((result, started.elapsed()));
            stop.store(true, Ordering::SeqCst);
            for t in slow {
                t.join().unwrap();
            }
        },
    );
    let (result, took) = signed_in.expect("the browser ran");
    assert!(result.is_ok(), "{result:?}\n{}", r.stderr);
    assert!(took < Duration::from_secs(5), "{took:?}");
    assert!(r.success(), "{}", r.stderr);
    assert_eq!(s.hits("/token"), 1);
}
