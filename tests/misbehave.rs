//! The real `oauthctl` client against the development server in misbehave mode
//! (docs/serve.md): for each hostile case the client refuses with its documented exit
//! code (README: "Output and exit codes":
//! 4 = an OAuth error response, 5 = a malformed or unsafe response or a timeout, 6 = the
//! token is not valid), stores nothing, and leaks no token on stderr.

use std::path::Path;

use oauthctl::devserver::{DevConfig, DevServer, Misbehave, SLOW_DOWN_POLLS};
use serde_json::Value;

use crate::support::{LoginRun, assert_code, home, login_with, post, run, stderr, stdout};

const SCOPES: &str = "openid profile offline_access api:read";

fn server(cases: &[Misbehave]) -> DevServer {
    let cfg = cases
        .iter()
        .fold(DevConfig::default(), |cfg, case| cfg.with_misbehave(*case));
    DevServer::start(cfg).unwrap()
}

/// `oauthctl login` with alice playing the browser on the real login page. The agent's own
/// result is ignored: in several cases the client refuses the redirect it is sent to.
fn login(s: &DevServer, home: &Path, timeout: &str) -> LoginRun {
    login_with(
        home,
        &[
            "--issuer",
            s.issuer(),
            "--client-id",
            "oauthctl",
            "--scope",
            SCOPES,
            "--timeout",
            timeout,
        ],
        |url| {
            let _ = oauthctl::demo::agent::Agent::new("alice", "alice").sign_in(url);
        },
    )
}

/// No JWT (every one starts with `eyJ`) and no well-known credential in the output.
#[track_caller]
fn assert_no_secrets(r: &LoginRun) {
    for text in [&r.stdout, &r.stderr] {
        assert!(!text.contains("eyJ"), "a token leaked:\n{text}");
        assert!(!text.contains("demo-secret"), "{text}");
    }
}

/// Nothing cached: `token` says login required (exit 3).
#[track_caller]
fn assert_nothing_stored(home: &Path) {
    let out = run(home, &["token"]);
    assert_code(&out, 3);
}

/// Logs in against a server with `case`; asserts `code`, `expect` in stderr, no secrets, and
/// (for failures) nothing stored.
#[track_caller]
fn refused(case: Misbehave, code: i32, expect: &str) -> DevServer {
    let s = server(&[case]);
    let h = home();
    let r = login(&s, h.path(), "20s");
    let name = case.name();
    assert_eq!(r.status, Some(code), "{name}:\n{}", r.stderr);
    assert!(
        r.stderr.contains(expect),
        "{name}: expected {expect:?} in\n{}",
        r.stderr
    );
    assert_no_secrets(&r);
    if code != 0 {
        assert_nothing_stored(h.path());
    }
    s
}

#[test]
fn id_tokens_that_fail_validation_are_refused_with_exit_5() {
    let cases = [
        (Misbehave::IdTokenBadSignature, "does not verify"),
        (Misbehave::IdTokenAlgNone, "alg: none"),
        (Misbehave::IdTokenHs256WithRsaPubkey, "HS256"),
        (Misbehave::IdTokenWrongIss, "issuer"),
        (Misbehave::IdTokenWrongAud, "does not include this client"),
        (Misbehave::IdTokenExtraAud, "other parties"),
        (Misbehave::IdTokenNoSub, "`sub` is missing"),
        (Misbehave::IdTokenNoIat, "`iat` is missing"),
        (Misbehave::IdTokenExpired, "expired"),
        (Misbehave::IdTokenNonceMismatch, "nonce"),
    ];
    for (case, expect) in cases {
        let s = refused(case, 5, expect);
        // The code was redeemed once; nothing else was asked for (no userinfo call).
        assert_eq!(s.hits("/token"), 1, "{}", case.name());
        assert_eq!(s.hits("/userinfo"), 0, "{}", case.name());
    }
}

#[test]
fn hs256_with_the_rsa_public_key_is_served_with_rs256_keys() {
    let s = server(&[Misbehave::IdTokenHs256WithRsaPubkey]);
    let doc = crate::support::get(&format!("{}/jwks", s.issuer()), None);
    assert_eq!(doc.json["keys"][0]["kty"], "RSA");
    let meta = crate::support::get(
        &format!("{}/.well-known/openid-configuration", s.issuer()),
        None,
    );
    assert_eq!(
        meta.json["id_token_signing_alg_values_supported"],
        serde_json::json!(["RS256"])
    );
}

/// The cached key sets in `home`, aged by `secs` (still fresh, but past the cooldown).
fn age_key_cache(home: &Path, secs: i64) -> usize {
    let mut aged = 0;
    let mut dirs = vec![home.to_path_buf()];
    while let Some(dir) = dirs.pop() {
        for entry in std::fs::read_dir(&dir).unwrap().flatten() {
            let path = entry.path();
            let name = entry.file_name().to_string_lossy().into_owned();
            if path.is_dir() {
                dirs.push(path);
            } else if name.starts_with("jwks-") && path.extension().is_some_and(|e| e == "json") {
                let mut doc: Value =
                    serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
                doc["fetched_at"] = (doc["fetched_at"].as_i64().unwrap() - secs).into();
                std::fs::write(&path, doc.to_string()).unwrap();
                aged += 1;
            }
        }
    }
    aged
}

#[test]
fn an_unknown_kid_causes_exactly_one_refetch_per_cooldown() {
    let s = server(&[Misbehave::UnknownKid]);
    let h = home();
    // A cold cache: one fetch, no immediate refetch of a key set fetched moments ago.
    let r = login(&s, h.path(), "20s");
    assert_eq!(r.status, Some(5), "{}", r.stderr);
    assert!(r.stderr.contains("no key has kid"), "{}", r.stderr);
    assert!(r.stderr.contains(s.decoy_kid().unwrap()), "{}", r.stderr);
    assert_eq!(s.hits("/jwks"), 1);
    // Key rotation as a client sees it: a cached key set older than the cooldown, and a
    // kid it does not know. Exactly one refetch, then the token is still refused.
    assert_eq!(age_key_cache(h.path(), 120), 1);
    let r = login(&s, h.path(), "20s");
    assert_eq!(r.status, Some(5), "{}", r.stderr);
    assert_eq!(s.hits("/jwks"), 2, "exactly one refetch");
    // Right after that refetch, the same unknown kid causes no fetch at all.
    let r = login(&s, h.path(), "20s");
    assert_eq!(r.status, Some(5), "{}", r.stderr);
    assert_eq!(s.hits("/jwks"), 2, "no refetch within the cooldown");
    assert_no_secrets(&r);
    assert_nothing_stored(h.path());
}

#[test]
fn no_kid_with_two_published_keys_is_verified_by_trying_each_fitting_key() {
    // oauthctl tries every published key of the token's algorithm family and accepts
    // the one that verifies; a forged signature would fail on all of them.
    let s = refused(Misbehave::KidAbsentMultiKey, 0, "Signed in to");
    let doc = crate::support::get(&format!("{}/jwks", s.issuer()), None);
    assert_eq!(doc.json["keys"].as_array().unwrap().len(), 2);
}

#[test]
fn an_unparseable_jwk_is_skipped_and_the_good_key_verifies() {
    let s = refused(Misbehave::JwksUnparseableKey, 0, "Signed in to");
    assert_eq!(s.hits("/jwks"), 1);
    let doc = crate::support::get(&format!("{}/jwks", s.issuer()), None);
    assert_eq!(doc.json["keys"][0]["kid"], "unparseable");
}

#[test]
fn a_discovery_issuer_mismatch_stops_before_the_browser() {
    let s = refused(
        Misbehave::DiscoveryIssuerMismatch,
        5,
        "issuers must match exactly",
    );
    assert_eq!(s.hits("/authorize"), 0);
    assert_eq!(s.hits("/token"), 0);
}

#[test]
fn callbacks_with_a_wrong_or_missing_iss_are_refused_without_a_token_request() {
    for (case, expect) in [
        (Misbehave::CallbackWrongIss, "RFC 9207"),
        (Misbehave::CallbackMissingIss, "lacks the `iss` parameter"),
    ] {
        let s = refused(case, 5, expect);
        assert_eq!(s.hits("/token"), 0, "{}", case.name());
    }
}

#[test]
fn an_error_without_state_is_ignored_and_the_login_times_out() {
    // State is checked before error, so this cannot abort the pending sign-in.
    let s = server(&[Misbehave::ErrorWithoutState]);
    let h = home();
    let r = login(&s, h.path(), "3s");
    assert_eq!(r.status, Some(5), "{}", r.stderr);
    assert!(
        r.stderr.contains("no authorization response within 3s"),
        "{}",
        r.stderr
    );
    assert!(!r.stderr.contains("access_denied"), "{}", r.stderr);
    assert_eq!(s.hits("/authorize"), 1);
    assert_eq!(s.hits("/token"), 0);
    assert_nothing_stored(h.path());
}

#[test]
fn duplicate_callback_parameters_are_ignored_and_the_login_times_out() {
    let s = server(&[Misbehave::DuplicateCallbackParams]);
    let h = home();
    let r = login(&s, h.path(), "3s");
    assert_eq!(r.status, Some(5), "{}", r.stderr);
    assert!(
        r.stderr.contains("no authorization response within 3s"),
        "{}",
        r.stderr
    );
    assert_eq!(s.hits("/token"), 0, "no token request");
    assert_no_secrets(&r);
    assert_nothing_stored(h.path());
}

#[test]
fn a_redirected_token_endpoint_is_not_followed() {
    let s = refused(Misbehave::Token307, 5, "redirect");
    assert_eq!(s.hits("/token"), 1);
    assert!(s.decoy_addr().is_some());
    assert_eq!(s.decoy_connections(), 0, "the second port sees nothing");
    // The decoy does count: a client that followed would show up.
    let _ = std::net::TcpStream::connect(s.decoy_addr().unwrap());
    for _ in 0..50 {
        if s.decoy_connections() == 1 {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    assert_eq!(s.decoy_connections(), 1);
}

#[test]
fn an_error_with_http_200_exits_4() {
    let s = refused(Misbehave::Token200WithError, 4, "invalid_grant");
    assert_eq!(s.hits("/token"), 1);
}

#[test]
fn a_huge_expires_in_is_clamped_without_a_panic() {
    let s = server(&[Misbehave::HugeExpiresIn]);
    let h = home();
    let r = login(&s, h.path(), "20s");
    assert_eq!(r.status, Some(0), "{}", r.stderr);
    let out = run(h.path(), &["token", "--format", "json"]);
    assert_code(&out, 0);
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    let ten_years = 10 * 365 * 24 * 3600;
    let left = v["expires_in"].as_i64().unwrap();
    assert!(
        (ten_years - 60..=ten_years).contains(&left),
        "clamped to ten years: {v}"
    );
    assert_code(&run(h.path(), &["status"]), 0);
}

#[test]
fn a_wrong_token_type_is_refused_and_nothing_is_stored() {
    refused(Misbehave::WrongTokenType, 5, "only Bearer");
}

/// A successful login in `home` against `s`.
fn signed_in(s: &DevServer, home: &Path) {
    let r = login(s, home, "20s");
    assert_eq!(r.status, Some(0), "{}", r.stderr);
}

#[test]
fn introspection_with_active_as_a_string_means_inactive() {
    // Only the JSON value true counts; nothing else of the answer is shown.
    let s = server(&[Misbehave::IntrospectionActiveString]);
    let h = home();
    signed_in(&s, h.path());
    let out = run(h.path(), &["introspect", "--json"]);
    assert_code(&out, 6);
    assert_eq!(s.hits("/introspect"), 1);
    assert!(!stdout(&out).contains("alice"), "{}", stdout(&out));
    assert!(!stderr(&out).contains("eyJ"));
}

#[test]
fn a_userinfo_sub_mismatch_is_refused_with_exit_5() {
    let s = server(&[Misbehave::UserinfoSubMismatch]);
    let h = home();
    signed_in(&s, h.path());
    let out = run(h.path(), &["userinfo"]);
    assert_code(&out, 5);
    assert!(stderr(&out).contains("sub"), "{}", stderr(&out));
    assert!(!stdout(&out).contains("alice-other"), "{}", stdout(&out));
    assert_eq!(s.hits("/userinfo"), 1);
}

#[test]
fn a_refreshed_id_token_for_another_sub_is_refused_and_the_old_tokens_are_kept() {
    let s = server(&[Misbehave::RefreshNewSub]);
    let h = home();
    signed_in(&s, h.path());
    let before = |flag: &[&str]| {
        let mut args = vec!["token", "--no-refresh"];
        args.extend_from_slice(flag);
        let out = run(h.path(), &args);
        assert_code(&out, 0);
        stdout(&out)
    };
    let (at, id) = (before(&[]), before(&["--id-token"]));
    let out = run(h.path(), &["refresh"]);
    assert_code(&out, 5);
    assert!(
        stderr(&out).contains("`sub` differs from the original"),
        "{}",
        stderr(&out)
    );
    assert!(!stderr(&out).contains("eyJ"), "{}", stderr(&out));
    assert_eq!(s.hits("/token"), 2);
    assert_eq!(before(&[]), at, "the old access token is kept");
    assert_eq!(before(&["--id-token"]), id, "the old ID token is kept");
}

#[test]
fn device_polls_get_slow_down_first_however_slow_they_are() {
    let poll_twice = |s: &DevServer| {
        let token = format!("{}/token", s.issuer());
        let auth = post(
            &format!("{}/device_authorization", s.issuer()),
            &[("client_id", "oauthctl"), ("scope", "openid")],
        );
        assert_eq!(auth.status, 200, "{}", auth.text);
        let device_code = auth.json["device_code"].as_str().unwrap().to_owned();
        (0..SLOW_DOWN_POLLS)
            .map(|_| {
                post(
                    &token,
                    &[
                        ("grant_type", "urn:ietf:params:oauth:grant-type:device_code"),
                        ("client_id", "oauthctl"),
                        ("device_code", &device_code),
                    ],
                )
                .json["error"]
                    .as_str()
                    .unwrap_or_default()
                    .to_owned()
            })
            .collect::<Vec<_>>()
    };
    let normal = DevServer::start(DevConfig::default()).unwrap();
    assert_eq!(poll_twice(&normal)[0], "authorization_pending");
    let s = server(&[Misbehave::DeviceSlowDown]);
    assert!(
        poll_twice(&s).iter().all(|e| e == "slow_down"),
        "even the first poll"
    );
}

#[test]
fn misbehaviour_is_never_on_by_default_and_the_banner_says_which_is() {
    assert!(DevConfig::default().misbehave.is_empty());
    let cfg = DevConfig::default()
        .with_misbehave(Misbehave::IdTokenAlgNone)
        .with_misbehave(Misbehave::Token307)
        .with_misbehave(Misbehave::IdTokenAlgNone);
    assert_eq!(
        cfg.misbehave,
        vec![Misbehave::IdTokenAlgNone, Misbehave::Token307]
    );
    assert!(cfg.misbehaves(Misbehave::Token307));
    assert!(!cfg.misbehaves(Misbehave::WrongTokenType));
    // The CLI: repeatable, and loud on stderr.
    let h = home();
    let mut child = crate::support::oauthctl(h.path())
        .args(["serve", "--port", "0", "--misbehave", "id-token-alg-none"])
        .args(["--misbehave", "token-307"])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut err = std::io::BufReader::new(child.stderr.take().unwrap());
    let mut seen = String::new();
    for _ in 0..20 {
        let mut line = String::new();
        if std::io::BufRead::read_line(&mut err, &mut line).unwrap_or(0) == 0 {
            break;
        }
        seen.push_str(&line);
        if line.contains("press Ctrl-C") {
            break;
        }
    }
    let _ = child.kill();
    let _ = child.wait();
    assert!(
        seen.contains("MISBEHAVING ON PURPOSE: id-token-alg-none, token-307"),
        "{seen}"
    );
    assert!(seen.contains("decoy port 127.0.0.1:"), "{seen}");
}

/// What oauthctl says about `token-control-chars`.
const CONTROL_CHARS: &str = "`access_token` contains a control character (0x0d)";

/// Nothing of the hostile token reaches the output: no smuggled header, no escape.
#[track_caller]
fn assert_nothing_injected(text: &str) {
    assert!(!text.contains("X-Injected"), "{text}");
    assert!(!text.contains("smuggled"), "{text}");
    assert!(!text.contains('\u{1b}') && !text.contains('\0'), "{text:?}");
}

#[test]
fn a_code_login_with_control_characters_in_the_access_token_stores_nothing() {
    // Authorization code grant.
    let s = refused(Misbehave::TokenControlChars, 5, CONTROL_CHARS);
    assert_eq!(s.hits("/token"), 1);
}

#[test]
fn a_device_login_with_control_characters_in_the_access_token_stores_nothing() {
    // Device grant.
    let s = DevServer::start(
        DevConfig::default()
            .with_device_timing(
                std::time::Duration::from_secs(60),
                std::time::Duration::from_secs(1),
            )
            .with_misbehave(Misbehave::TokenControlChars),
    )
    .unwrap();
    let h = home();
    let r = crate::support::device_login(
        h.path(),
        &["--issuer", s.issuer(), "--client-id", "oauthctl"],
        "alice",
        "alice",
    );
    assert_eq!(r.status, Some(5), "{}", r.stderr);
    assert!(r.stderr.contains(CONTROL_CHARS), "{}", r.stderr);
    assert_no_secrets(&r);
    assert_nothing_injected(&r.stderr);
    assert_nothing_stored(h.path());
}

#[test]
fn a_client_credentials_login_with_control_characters_stores_nothing() {
    // Client credentials grant.
    let s = server(&[Misbehave::TokenControlChars]);
    let h = home();
    let out = crate::support::oauthctl(h.path())
        .args([
            "login",
            "--flow",
            "client-credentials",
            "--issuer",
            s.issuer(),
        ])
        .args(["--client-id", "demo-service", "--client-secret-env", "S"])
        .env("S", "demo-secret")
        .output()
        .unwrap();
    assert_code(&out, 5);
    assert!(stderr(&out).contains(CONTROL_CHARS), "{}", stderr(&out));
    assert!(!stderr(&out).contains("eyJ") && out.stdout.is_empty());
    assert_nothing_injected(&stderr(&out));
    assert_nothing_stored(h.path());
    assert_eq!(s.hits("/token"), 1);
}

#[test]
fn a_refresh_with_control_characters_keeps_the_previous_tokens() {
    // Refresh token grant: `refresh`, and `token` when it refreshes.
    let s = DevServer::start(
        DevConfig::default()
            .with_access_token_ttl(std::time::Duration::from_secs(3))
            .with_misbehave(Misbehave::RefreshControlChars),
    )
    .unwrap();
    let refused = |h: &Path, args: &[&str]| {
        let out = run(h, args);
        assert_code(&out, 5);
        assert!(stderr(&out).contains(CONTROL_CHARS), "{}", stderr(&out));
        assert!(out.stdout.is_empty(), "{args:?}: {}", stdout(&out));
        assert!(!stderr(&out).contains("eyJ"), "{}", stderr(&out));
        assert_nothing_injected(&stderr(&out));
    };
    // Two logins (each refresh token is single-use, and the server rotated it).
    let (forced, expired) = (home(), home());
    signed_in(&s, forced.path());
    signed_in(&s, expired.path());
    let cached = || {
        run(
            forced.path(),
            &["token", "--no-refresh", "--format", "header"],
        )
    };
    let header = cached();
    assert_code(&header, 0);
    refused(forced.path(), &["refresh"]);
    let again = cached();
    assert_code(&again, 0);
    assert_eq!(
        again.stdout, header.stdout,
        "the previous access token is kept"
    );
    // Once the access token has expired, `token` refreshes first, and refuses the same way.
    std::thread::sleep(std::time::Duration::from_secs(3));
    refused(expired.path(), &["token", "--format", "header"]);
    assert_eq!(s.hits("/token"), 4, "two code exchanges and two refreshes");
}
