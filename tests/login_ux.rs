//! `oauthctl login` where the provider changes under it or the sign-in goes wrong: key
//! rotation between logins, client authentication spellings, authorization that never comes
//! back, a browser that cannot start, and clocks that disagree (issue #12, group E).

use oauthctl::devserver::{DevConfig, DevServer};
use serde_json::{Value, json};

use crate::support::login::login_as;
use crate::support::stub::{Canned, Stub};
use crate::support::{assert_code, home, oauthctl, run, stderr};

#[test]
fn a_key_rotation_between_two_logins_within_a_minute_refetches_the_key_set() {
    // OpenID RP test rp-key-rotation-op-sign-key: two logins within a minute, the OP
    // rotates its signing key between them (issue #12, item 10).
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
    let out = run(h.path(), &["login", "--auth-method", "client_secret_jwt"]);
    assert_code(&out, 2);
    assert!(
        stderr(&out).contains("client_secret_post"),
        "{}",
        stderr(&out)
    );
}
