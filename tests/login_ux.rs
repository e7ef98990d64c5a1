//! `oauthctl login` where the provider changes under it or the sign-in goes wrong: key
//! rotation between logins, client authentication spellings, authorization that never comes
//! back, a browser that cannot start, and clocks that disagree.

use std::collections::BTreeMap;
use std::path::Path;
use std::time::Duration;

use jsonwebtoken::Algorithm;
use oauthctl::devserver::{DevConfig, DevServer};
use oauthctl::testing::{Fixture, sign_with};
use serde_json::{Value, json};

use crate::support::login::login_as;
use crate::support::stub::{Canned, Stub};
use crate::support::{LoginRun, assert_code, home, login_with, oauthctl, run, stderr};

#[test]
fn a_key_rotation_between_two_logins_within_a_minute_refetches_the_key_set() {
    // OpenID RP test rp-key-rotation-op-sign-key: two logins within a minute, the OP
    // rotates its signing key between them.
    let s = DevServer::start(DevConfig::default()).unwrap();
    let h = home();
    login_as(h.path(), s.issuer(), "alice", "openid api:read");
    assert_eq!(s.hits("/jwks"), 1);
    let new_kid = s.rotate_keys().unwrap();
    let second = login_as(h.path(), s.issuer(), "alice", "openid api:read");
    assert!(second.stderr.contains("as alice"), "{}", second.stderr);
    assert_eq!(s.hits("/jwks"), 2, "exactly one refetch for the new kid");
    let out = run(h.path(), &["decode", "--json", "--id-token"]);
    assert_code(&out, 0);
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["header"]["kid"], new_kid.as_str());
    // A third login with the same key needs no fetch at all.
    login_as(h.path(), s.issuer(), "alice", "openid api:read");
    assert_eq!(s.hits("/jwks"), 2);
}

/// A provider with discovery and a token endpoint that issues an opaque token.
fn token_stub() -> Stub {
    let stub = Stub::start();
    stub.route(
        "/.well-known/openid-configuration",
        Canned::json(
            json!({"issuer": stub.base, "token_endpoint": stub.url("/token")}).to_string(),
        ),
    );
    stub.route(
        "/token",
        Canned::json(r#"{"access_token":"opaque-at","token_type":"Bearer","expires_in":600}"#),
    );
    stub
}

#[test]
fn auth_method_takes_the_rfc_spelling_and_the_kebab_form() {
    // Issue #12, item 25: `client_secret_post` as in RFC 7591 and the config file.
    for spelling in ["client_secret_post", "client-secret-post"] {
        let stub = token_stub();
        let h = home();
        let out = oauthctl(h.path())
            .args([
                "login",
                "--flow",
                "client-credentials",
                "--issuer",
                &stub.base,
            ])
            .args(["--client-id", "svc", "--client-secret-env", "SVC_SECRET"])
            .args(["--auth-method", spelling])
            .env("SVC_SECRET", "s3cret")
            .output()
            .unwrap();
        assert_code(&out, 0);
        let seen = stub.seen("/token");
        assert_eq!(seen.len(), 1, "{spelling}");
        let body = String::from_utf8_lossy(&seen[0].body).into_owned();
        assert!(body.contains("client_secret=s3cret"), "{spelling}: {body}");
        assert!(body.contains("client_id=svc"), "{spelling}: {body}");
        assert!(seen[0].header("authorization").is_none(), "{spelling}");
    }
    // Basic is the default and has both spellings too; anything else is a usage error.
    let stub = token_stub();
    let h = home();
    let out = oauthctl(h.path())
        .args([
            "login",
            "--flow",
            "client-credentials",
            "--issuer",
            &stub.base,
        ])
        .args(["--client-id", "svc", "--client-secret-env", "SVC_SECRET"])
        .args(["--auth-method", "client_secret_basic"])
        .env("SVC_SECRET", "s3cret")
        .output()
        .unwrap();
    assert_code(&out, 0);
    let seen = stub.seen("/token");
    assert!(
        seen[0]
            .header("authorization")
            .unwrap()
            .starts_with("Basic ")
    );
    let out = run(h.path(), &["login", "--auth-method", "client_secret_magic"]);
    assert_code(&out, 2);
    for listed in ["client_secret_post", "private_key_jwt", "tls_client_auth"] {
        assert!(stderr(&out).contains(listed), "{listed}: {}", stderr(&out));
    }
}

fn unix_now() -> i64 {
    i64::try_from(
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_secs(),
    )
    .unwrap()
}

/// An OpenID provider whose clock runs `ahead` seconds ahead of this computer's: its ID
/// tokens are issued "in the future", and its token endpoint's `Date` header says so when
/// `date` is set.
struct FastClock {
    stub: Stub,
    keys: Fixture,
    ahead: i64,
    date: bool,
}

impl FastClock {
    fn new(ahead: i64, date: bool) -> Self {
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
                    "id_token_signing_alg_values_supported": ["ES256"]
                })
                .to_string(),
            ),
        );
        stub.route("/jwks", Canned::json(keys.jwks()));
        Self {
            stub,
            keys,
            ahead,
            date,
        }
    }

    /// The token endpoint's answer: an ID token for `nonce` issued by the fast clock.
    fn token_response(&self, nonce: &str) -> Canned {
        let t = unix_now() + self.ahead;
        let claims = json!({"iss": self.stub.base, "sub": "alice", "aud": "cli", "iat": t,
                            "exp": t + 3600, "nonce": nonce});
        let id = sign_with(
            &json!({"alg": "ES256", "kid": "ec1"}),
            &claims,
            &self.keys.ec,
            Algorithm::ES256,
        );
        let body = json!({"access_token": "opaque-at", "token_type": "Bearer",
                          "expires_in": 1, "refresh_token": "rt-1", "id_token": id});
        let mut canned = Canned::json(body.to_string());
        if self.date {
            let date = std::time::UNIX_EPOCH + Duration::from_secs(u64::try_from(t).unwrap());
            canned = canned.header("Date", &httpdate::fmt_http_date(date));
        }
        canned
    }

    /// `login` with `extra` flags; the test plays the browser and the provider's redirect.
    fn login(&self, home: &Path, extra: &[&str]) -> LoginRun {
        let mut args = vec![
            "--issuer",
            self.stub.base.as_str(),
            "--client-id",
            "cli",
            "--scope",
            "openid",
            "--timeout",
            "20s",
        ];
        args.extend(extra);
        login_with(home, &args, |url| {
            let q: BTreeMap<String, String> = url::Url::parse(url)
                .unwrap()
                .query_pairs()
                .into_owned()
                .collect();
            self.stub.route("/token", self.token_response(&q["nonce"]));
            let cb = format!("{}?code=c&state={}", q["redirect_uri"], q["state"]);
            let _ = crate::support::http().get(cb).send();
        })
    }
}

#[test]
fn an_id_token_from_a_clock_five_minutes_ahead_names_clock_skew() {
    // Issue #12, item 27.
    let p = FastClock::new(300, true);
    let h = home();
    let r = p.login(h.path(), &[]);
    assert_eq!(r.status, Some(5), "{}", r.stderr);
    assert!(r.stderr.contains("issued in the future"), "{}", r.stderr);
    assert!(r.stderr.contains("clock skew"), "{}", r.stderr);
    assert!(
        r.stderr
            .contains("the provider's clock (its Date header) is")
            && r.stderr.contains("ahead of this computer's"),
        "{}",
        r.stderr
    );
    // The hint: fix the clock first, or log in again with enough leeway.
    let hint = r.stderr.lines().find(|l| l.starts_with("hint: ")).unwrap();
    assert!(hint.contains("clock right"), "{hint}");
    assert!(hint.contains("--leeway 6m"), "{hint}");
    assert!(!r.stderr.contains("eyJ"), "{}", r.stderr);
    assert_code(&run(h.path(), &["token"]), 3);
}

#[test]
fn without_a_date_header_the_skew_is_still_named_and_leeway_accepts_it() {
    let p = FastClock::new(300, false);
    let h = home();
    let r = p.login(h.path(), &[]);
    assert_eq!(r.status, Some(5), "{}", r.stderr);
    assert!(r.stderr.contains("clock skew"), "{}", r.stderr);
    assert!(
        r.stderr
            .contains("compare this computer's clock with the provider's"),
        "{}",
        r.stderr
    );
    // `login --leeway` accepts the token, and refreshes keep that leeway: the refreshed
    // ID token comes from the same fast clock.
    let r = p.login(h.path(), &["--leeway", "10m"]);
    assert_eq!(r.status, Some(0), "{}", r.stderr);
    assert_code(&run(h.path(), &["token", "--no-refresh"]), 0);
    let out = run(h.path(), &["refresh"]);
    assert_code(&out, 0);
    assert_eq!(p.stub.hits("/token"), 3);
    // A too small leeway still fails, with the skew named.
    let r = p.login(h.path(), &["--leeway", "2m"]);
    assert_eq!(r.status, Some(5), "{}", r.stderr);
    assert!(
        r.stderr.contains("more than the 120s leeway"),
        "{}",
        r.stderr
    );
}

#[test]
fn an_authorization_refused_on_the_providers_page_is_explained_before_the_timeout() {
    // Issue #12, item 26: an unknown client gets an error page and no redirect, so nothing
    // ever reaches the loopback listener.
    let s = DevServer::start(DevConfig::default()).unwrap();
    let h = home();
    let started = std::time::Instant::now();
    let r = login_with(
        h.path(),
        &[
            "--issuer",
            s.issuer(),
            "--client-id",
            "nobody",
            "--scope",
            "openid",
            "--timeout",
            "4s",
        ],
        |url| {
            let page = crate::support::http().get(url).send().unwrap();
            assert!(
                !page.status().is_redirection(),
                "the server must not redirect"
            );
        },
    );
    assert_eq!(r.status, Some(5), "{}", r.stderr);
    assert!(started.elapsed() >= Duration::from_secs(4));
    let q: BTreeMap<String, String> = url::Url::parse(&r.url)
        .unwrap()
        .query_pairs()
        .into_owned()
        .collect();
    let redirect_uri = &q["redirect_uri"];
    // Halfway through the wait, the likely causes are shown.
    let reminder = r
        .stderr
        .lines()
        .find(|l| l.starts_with("Still waiting for the browser."))
        .unwrap_or_else(|| panic!("no reminder in\n{}", r.stderr));
    assert!(reminder.contains("client id `nobody`"), "{reminder}");
    assert!(reminder.contains(redirect_uri.as_str()), "{reminder}");
    // The error names the redirect URI; the hint names client id and redirect URI first,
    // and --timeout only after them.
    let error = r
        .stderr
        .lines()
        .find(|l| l.starts_with("oauthctl: error:"))
        .unwrap();
    assert!(error.contains(redirect_uri.as_str()), "{error}");
    let hint = r.stderr.lines().find(|l| l.starts_with("hint: ")).unwrap();
    let port = redirect_uri
        .rsplit(':')
        .next()
        .unwrap()
        .trim_end_matches("/callback");
    for part in [
        "client id `nobody`",
        redirect_uri.as_str(),
        "http://127.0.0.1/callback",
        &format!("--port {port}"),
        "--timeout",
    ] {
        assert!(hint.contains(part), "{part} missing in {hint}");
    }
    assert!(hint.find("client id").unwrap() < hint.find("--timeout").unwrap());
}

#[cfg(unix)]
#[test]
fn a_browser_command_that_fails_is_reported_while_waiting() {
    // Issue #12, item 26: the launcher's own failure is shown, not only the timeout.
    let s = DevServer::start(DevConfig::default()).unwrap();
    let h = home();
    let out = oauthctl(h.path())
        .args(["login", "--issuer", s.issuer(), "--client-id", "oauthctl"])
        .args([
            "--timeout",
            "2s",
            "--browser-command",
            "sh -c 'sleep 0.3; exit 3'",
        ])
        .output()
        .unwrap();
    assert_code(&out, 5);
    let err = stderr(&out);
    assert!(
        err.contains("could not open a browser: `sh` exited with status 3"),
        "{err}"
    );
    assert!(
        err.find("could not open a browser").unwrap() < err.find("oauthctl: error:").unwrap(),
        "{err}"
    );
}
