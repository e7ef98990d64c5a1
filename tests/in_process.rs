//! Commands run inside the test process through the composition root, with injected
//! effects: a fixed clock decides expiry (no sleeping until a token expires), a temporary
//! home holds the cache, the built-in agent is the browser, and a test's own HTTP client
//! can replace the default one.

use std::net::TcpListener;
use std::sync::Arc;
use std::time::{Duration, Instant};

use jsonwebtoken::Algorithm;
use oauthctl::demo::agent::Agent;
use oauthctl::devserver::{DevConfig, DevServer};
use oauthctl::http::{HttpClient, HttpOptions};
use oauthctl::testing::{Fixture, sign_with};
use serde_json::json;

use crate::support::login::secret_file;
use crate::support::{cached_expiry, home, in_process, in_process_with, now, run, stdout};

#[test]
fn a_login_and_its_renewal_run_in_process_with_an_injected_browser_and_clock() {
    let s = DevServer::start(DevConfig::default()).unwrap();
    let h = home();
    let login = [
        "login",
        "--issuer",
        s.issuer(),
        "--client-id",
        "oauthctl",
        "--scope",
        "openid offline_access api:read",
        "--timeout",
        "30s",
    ];
    let out = in_process_with(h.path(), now(), &login, |deps| {
        deps.browser = Some(Arc::new(Agent::new("alice", "alice")));
    })
    .stdout();
    assert_eq!(out, "", "the summary goes to stderr");
    assert_eq!(s.hits("/token"), 1);
    let first = in_process(h.path(), now(), &["token"]).stdout();
    // The binary reads the same cache.
    assert_eq!(stdout(&run(h.path(), &["token"])), first);
    let expiry = cached_expiry(h.path(), &[]);

    // Two minutes before expiry: outside the 60 s margin, the cached token serves.
    let early = in_process(h.path(), expiry - 120, &["token"]).stdout();
    assert_eq!((early.as_str(), s.hits("/token")), (first.as_str(), 1));
    // 59 s before: inside it, one refresh (with rotation), and the new token is cached.
    let renewed = in_process(h.path(), expiry - 59, &["token"]).stdout();
    assert_ne!(renewed, first);
    assert_eq!(s.hits("/token"), 2);
    let again = in_process(h.path(), expiry - 59, &["token"]).stdout();
    assert_eq!((again.as_str(), s.hits("/token")), (renewed.as_str(), 2));
    // The renewed token works at the API.
    let body = in_process(
        h.path(),
        expiry - 59,
        &["call", "--fail", &format!("{}/api/data", s.issuer())],
    )
    .stdout();
    assert!(body.contains("items"), "{body}");
    assert_eq!(s.hits("/token"), 2);
}

#[test]
fn client_credentials_are_renewed_when_the_clock_says_they_expired() {
    let s = DevServer::start(DevConfig::default()).unwrap();
    let h = home();
    let secret = secret_file(h.path(), "demo-secret");
    let login = [
        "login",
        "--flow",
        "client-credentials",
        "--issuer",
        s.issuer(),
        "--client-id",
        "demo-service",
        "--client-secret-file",
        secret.to_str().unwrap(),
        "--scope",
        "api:read",
    ];
    in_process(h.path(), now(), &login).stdout();
    let first = in_process(h.path(), now(), &["token"]).stdout();
    let expired = cached_expiry(h.path(), &[]) + 1;
    // --no-refresh says what to do next: the grant can be repeated, so a refresh.
    let (code, err) = in_process(h.path(), expired, &["token", "--no-refresh"]).failure();
    assert_eq!(code, 3, "{err}");
    assert!(err.contains("hint: run `oauthctl refresh` first"), "{err}");
    assert_eq!(s.hits("/token"), 1);
    // Without it, the grant is repeated once.
    let renewed = in_process(h.path(), expired, &["token"]).stdout();
    assert_ne!(renewed, first);
    assert_eq!(s.hits("/token"), 2);
}

#[test]
fn decode_checks_the_times_against_the_injected_clock() {
    let keys = Fixture::new();
    let h = home();
    let jwks = h.path().join("jwks.json");
    std::fs::write(&jwks, keys.jwks()).unwrap();
    let exp = 2_000_000_000_i64;
    let token = sign_with(
        &json!({"alg": "ES256", "kid": "ec1"}),
        &json!({"sub": "alice", "iat": exp - 3600, "exp": exp}),
        &keys.ec,
        Algorithm::ES256,
    );
    let decode = [
        "decode",
        "--verify",
        "--jwks",
        jwks.to_str().unwrap(),
        &token,
    ];
    let out = in_process(h.path(), exp - 10, &decode).stdout();
    assert!(out.starts_with("VERIFIED"), "{out}");
    assert!(out.contains("expires in 10s"), "{out}");
    // Within the 60 s leeway after expiry: still good; beyond it: invalid, exit 6.
    assert!(
        in_process(h.path(), exp + 30, &decode)
            .stdout()
            .starts_with("VERIFIED")
    );
    let (code, err) = in_process(h.path(), exp + 120, &decode).failure();
    assert_eq!(code, 6, "{err}");
}

#[test]
fn an_injected_http_client_is_the_one_used() {
    // A server that accepts connections and never answers.
    let silent = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}/jwks", silent.local_addr().unwrap());
    let keys = Fixture::new();
    let token = sign_with(
        &json!({"alg": "ES256", "kid": "ec1"}),
        &json!({"sub": "alice"}),
        &keys.ec,
        Algorithm::ES256,
    );
    let h = home();
    let started = Instant::now();
    // The default client would wait 30 s; this one gives up after 300 ms.
    let (code, err) = in_process_with(
        h.path(),
        now(),
        &["decode", "--verify", "--jwks", &url, &token],
        |deps| {
            let options = HttpOptions {
                timeout: Some(Duration::from_millis(300)),
                ..HttpOptions::default()
            };
            deps.http = Some(HttpClient::new(&options).unwrap());
        },
    )
    .failure();
    assert_eq!(code, 5, "{err}");
    assert!(err.contains("did not answer within 300ms"), "{err}");
    assert!(started.elapsed() < Duration::from_secs(10));
    drop(silent);
}
