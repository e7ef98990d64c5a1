//! `oauthctl revoke` (RFC 7009): against the dev server (the profile's refresh or access
//! token, a token from standard input, `--delete`) and against a stub for the answers a
//! revocation endpoint may give.

use oauthctl::devserver::{DevConfig, DevServer};
use serde_json::Value;

use crate::support::login::{login_as, login_service, secret_file};
use crate::support::stub::{Canned, Stub};
use crate::support::{assert_code, feed, home, oauthctl, run, stderr, stdout};

/// The profile's cached access and refresh tokens.
fn cached(h: &std::path::Path) -> (String, String) {
    let out = run(
        h,
        &[
            "token",
            "--format",
            "json",
            "--include-refresh-token",
            "--no-refresh",
        ],
    );
    assert_code(&out, 0);
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    (
        v["access_token"].as_str().unwrap().to_owned(),
        v["refresh_token"].as_str().unwrap().to_owned(),
    )
}

#[test]
fn by_default_the_refresh_token_is_revoked_and_the_cache_kept() {
    let s = DevServer::start(DevConfig::default()).unwrap();
    let h = home();
    login_as(
        h.path(),
        s.issuer(),
        "alice",
        "openid offline_access api:read",
    );
    let (at, rt) = cached(h.path());
    let out = run(h.path(), &["revoke"]);
    assert_code(&out, 0);
    let err = stderr(&out);
    assert!(
        err.contains("Revoked the refresh token of profile `default`"),
        "{err}"
    );
    assert!(err.contains("cached tokens are kept"), "{err}");
    assert!(!err.contains(&rt) && !err.contains(&at) && stdout(&out).is_empty());
    // Revoking the refresh token ended its access tokens at this server.
    assert_code(&run(h.path(), &["introspect"]), 6);
    // The cache is as it was; the refresh token no longer works.
    let out = run(h.path(), &["token", "--no-refresh"]);
    assert_code(&out, 0);
    assert_eq!(stdout(&out).trim(), at);
    assert_code(&run(h.path(), &["refresh"]), 3);
}

#[test]
fn the_access_token_alone_on_request_then_the_refresh_token_still_works() {
    let s = DevServer::start(DevConfig::default()).unwrap();
    let h = home();
    login_as(
        h.path(),
        s.issuer(),
        "alice",
        "openid offline_access api:read",
    );
    let out = run(
        h.path(),
        &["--json", "revoke", "--token-type-hint", "access_token"],
    );
    assert_code(&out, 0);
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["revoked"], true);
    assert_eq!(v["token_type_hint"], "access_token");
    assert_eq!(v["profile"], "default");
    assert_eq!(v["deleted"], false);
    assert!(v["endpoint"].as_str().unwrap().ends_with("/revoke"));
    assert_code(&run(h.path(), &["introspect"]), 6);
    assert_code(&run(h.path(), &["refresh"]), 0);
    assert_code(&run(h.path(), &["introspect"]), 0);
}

#[test]
fn delete_forgets_the_profile_after_the_server_confirmed() {
    let s = DevServer::start(DevConfig::default()).unwrap();
    let h = home();
    login_as(
        h.path(),
        s.issuer(),
        "alice",
        "openid offline_access api:read",
    );
    let out = run(h.path(), &["revoke", "--delete"]);
    assert_code(&out, 0);
    assert!(
        stderr(&out).contains("cached tokens are deleted"),
        "{}",
        stderr(&out)
    );
    assert_code(&run(h.path(), &["token"]), 3);
    let status = run(h.path(), &["--json", "status"]);
    let v: Value = serde_json::from_slice(&status.stdout).unwrap();
    assert_eq!(v["profiles"], serde_json::json!([]), "{v}");
    // Only the profile's own tokens can be deleted.
    assert_code(&run(h.path(), &["revoke", "--delete", "-"]), 2);
}

#[test]
fn a_token_from_standard_input() {
    let s = DevServer::start(DevConfig::default()).unwrap();
    let h = home();
    login_as(
        h.path(),
        s.issuer(),
        "alice",
        "openid offline_access api:read",
    );
    let (at, _) = cached(h.path());
    let out = feed(oauthctl(h.path()).args(["revoke", "-"]), format!("{at}\n"));
    assert_code(&out, 0);
    assert!(
        stderr(&out).contains("Revoked the token given"),
        "{}",
        stderr(&out)
    );
    assert_code(&run(h.path(), &["introspect"]), 6);
    // A profile without a refresh token cannot revoke one.
    let svc = home();
    login_service(svc.path(), s.issuer(), "api:read");
    let out = run(
        svc.path(),
        &["revoke", "--token-type-hint", "refresh_token"],
    );
    assert_code(&out, 2);
    assert!(
        stderr(&out).contains("--token-type-hint access_token"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn what_a_revocation_endpoint_may_answer() {
    let stub = Stub::start();
    let h = home();
    let config = |revocation: bool| {
        let mut text = format!(
            "[providers.stubby]\ntoken_endpoint = \"{}\"\n",
            stub.url("/token")
        );
        if revocation {
            text.push_str(&format!(
                "revocation_endpoint = \"{}\"\n",
                stub.url("/revoke")
            ));
        }
        std::fs::write(h.path().join("config.toml"), text).unwrap();
    };
    config(true);
    let secret = secret_file(h.path(), "rs-secret");
    let base = [
        "--provider",
        "stubby",
        "--client-id",
        "rs",
        "--client-secret-file",
        secret.to_str().unwrap(),
    ];
    let revoke = |extra: &[&str]| {
        let mut args = base.to_vec();
        args.push("revoke");
        args.extend_from_slice(extra);
        run(h.path(), &args)
    };
    // 200: revoked; an authenticated POST with the token in the form body.
    stub.route("/revoke", Canned::json("{}"));
    let out = revoke(&["opaque-1", "--token-type-hint", "refresh_token"]);
    assert_code(&out, 0);
    let seen = stub.seen("/revoke").pop().unwrap();
    assert_eq!(
        (seen.method.as_str(), seen.query.as_deref()),
        ("POST", None)
    );
    assert!(seen.header("authorization").unwrap().starts_with("Basic "));
    assert_eq!(
        String::from_utf8(seen.body).unwrap(),
        "token=opaque-1&token_type_hint=refresh_token"
    );
    // An OAuth error is exit 4 (also with HTTP 200), with what it means.
    stub.route(
        "/revoke",
        Canned::status(
            400,
            r#"{"error":"unsupported_token_type","error_description":"Structured JWT Tokens cannot be revoked"}"#,
        ),
    );
    let out = revoke(&["t"]);
    assert_code(&out, 4);
    assert!(
        stderr(&out).contains("revoke the refresh token instead"),
        "{}",
        stderr(&out)
    );
    stub.route("/revoke", Canned::json(r#"{"error":"invalid_client"}"#));
    assert_code(&revoke(&["t"]), 4);
    // Unavailable, redirected or garbage: exit 5.
    stub.route(
        "/revoke",
        Canned::status(503, "").header("Retry-After", "30"),
    );
    let out = revoke(&["t"]);
    assert_code(&out, 5);
    assert!(
        stderr(&out).contains("retry after 30 s"),
        "{}",
        stderr(&out)
    );
    stub.route(
        "/revoke",
        Canned::status(307, "").header("Location", "http://127.0.0.1:1/x"),
    );
    assert_code(&revoke(&["t"]), 5);
    stub.route("/revoke", Canned::status(500, "<html>"));
    assert_code(&revoke(&["t"]), 5);
    // No revocation endpoint: a configuration error.
    config(false);
    let out = revoke(&["t"]);
    assert_code(&out, 7);
    assert!(
        stderr(&out).contains("revocation_endpoint"),
        "{}",
        stderr(&out)
    );
}
