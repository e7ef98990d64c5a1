//! `oauthctl introspect` (RFC 7662): against the dev server (resource-server client, the
//! profile's own public client, revocation, bad credentials) and against a stub answering
//! non-boolean `active` values.

use oauthctl::devserver::{DevConfig, DevServer};

use crate::support::login::{login_as, secret_file, token};
use crate::support::stub::{Canned, Stub};
use crate::support::{assert_code, home, oauthctl, post, run, stderr, stdout};

#[test]
fn introspection_against_the_dev_server() {
    let s = DevServer::start(DevConfig::default()).unwrap();
    let h = home();
    login_as(
        h.path(),
        s.issuer(),
        "alice",
        "openid offline_access api:read",
    );
    let rs_secret = secret_file(h.path(), "demo-secret");
    let rs = [
        "--client-id",
        "demo-service",
        "--client-secret-file",
        rs_secret.to_str().unwrap(),
    ];

    // As the resource-server client, which may introspect any token.
    let mut args = vec!["--json"];
    args.extend(rs);
    args.push("introspect");
    let out = run(h.path(), &args);
    assert_code(&out, 0);
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(doc["active"], true);
    assert_eq!(doc["sub"], "alice");
    assert_eq!(doc["client_id"], "oauthctl");

    // As the profile's own public client: human output with humanized times.
    let out = run(h.path(), &["introspect"]);
    assert_code(&out, 0);
    let text = stdout(&out);
    assert!(text.starts_with("active: true\n"), "{text}");
    assert!(text.contains("sub") && text.contains("alice"), "{text}");
    assert!(
        text.contains("(in 59m") || text.contains("(in 1h"),
        "{text}"
    );

    // Bad client credentials: the server's OAuth error, exit 4.
    let wrong = secret_file(h.path(), "not-the-secret");
    let out = run(
        h.path(),
        &[
            "--client-id",
            "demo-service",
            "--client-secret-file",
            wrong.to_str().unwrap(),
            "introspect",
        ],
    );
    assert_code(&out, 4);
    assert!(stderr(&out).contains("invalid_client"), "{}", stderr(&out));
    assert!(!stderr(&out).contains("not-the-secret"));

    // Revoked: inactive, exit 6, nothing but `active: false`.
    let at = token(h.path());
    let r = post(
        &format!("{}/revoke", s.issuer()),
        &[("token", at.as_str()), ("client_id", "oauthctl")],
    );
    assert_eq!(r.status, 200);
    let out = run(h.path(), &["introspect"]);
    assert_code(&out, 6);
    assert_eq!(stdout(&out), "active: false\n");
    let mut args = vec!["--json"];
    args.extend(rs);
    args.push("introspect");
    let out = run(h.path(), &args);
    assert_code(&out, 6);
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(doc, serde_json::json!({"active": false}));
}

#[test]
fn only_json_true_means_active_c60() {
    let stub = Stub::start();
    let h = home();
    std::fs::write(
        h.path().join("config.toml"),
        format!(
            "[providers.stubby]\ntoken_endpoint = \"{}\"\nintrospection_endpoint = \"{}\"\n",
            stub.url("/token"),
            stub.url("/introspect")
        ),
    )
    .unwrap();
    let secret = secret_file(h.path(), "rs-secret");
    let base = [
        "--provider",
        "stubby",
        "--client-id",
        "rs",
        "--client-secret-file",
        secret.to_str().unwrap(),
    ];
    for body in [
        r#"{"active":"true","sub":"mallory"}"#,
        r#"{"active":1,"sub":"mallory"}"#,
        r#"{"sub":"mallory"}"#,
        r#"{"active":false,"sub":"mallory","scope":"admin"}"#,
    ] {
        stub.route("/introspect", Canned::json(body));
        let mut args = base.to_vec();
        args.extend(["introspect", "opaque-token-1"]);
        let out = run(h.path(), &args);
        assert_code(&out, 6);
        assert_eq!(stdout(&out), "active: false\n", "{body}");
        assert!(!stderr(&out).contains("mallory"), "{body}");
        let mut args = base.to_vec();
        args.extend(["--json", "introspect", "opaque-token-1"]);
        let out = run(h.path(), &args);
        assert_code(&out, 6);
        assert_eq!(
            serde_json::from_slice::<serde_json::Value>(&out.stdout).unwrap(),
            serde_json::json!({"active": false}),
            "{body}"
        );
    }
    // The request is an authenticated POST with the token in the form body, from stdin here.
    stub.route(
        "/introspect",
        Canned::json(r#"{"active":true,"sub":"svc"}"#),
    );
    let mut args = base.to_vec();
    args.extend(["introspect", "-", "--token-type-hint", "refresh_token"]);
    let out = crate::support::feed(oauthctl(h.path()).args(&args), b"opaque-token-2\n");
    assert_code(&out, 0);
    let last = stub.seen("/introspect").pop().unwrap();
    assert_eq!(last.method, "POST");
    assert_eq!(last.query, None);
    assert!(last.header("authorization").unwrap().starts_with("Basic "));
    let form = String::from_utf8(last.body).unwrap();
    assert_eq!(form, "token=opaque-token-2&token_type_hint=refresh_token");
    // An OAuth error answered with HTTP 200 is still an error (exit 4); garbage is exit 5.
    stub.route("/introspect", Canned::json(r#"{"error":"invalid_client"}"#));
    let mut args = base.to_vec();
    args.extend(["introspect", "t"]);
    assert_code(&run(h.path(), &args), 4);
    stub.route("/introspect", Canned::status(200, "<html>"));
    assert_code(&run(h.path(), &args), 5);
}
