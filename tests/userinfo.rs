//! `oauthctl userinfo`: against the dev server, and against a stub userinfo endpoint whose
//! `sub` differs from the cached ID token's.

use oauthctl::devserver::{DevConfig, DevServer};

use crate::support::login::{login_as, login_as_with, token};
use crate::support::stub::{Canned, Stub};
use crate::support::{assert_code, home, run, stderr, stdout};

#[test]
fn userinfo_from_the_dev_server() {
    let s = DevServer::start(DevConfig::default()).unwrap();
    let h = home();
    login_as(
        h.path(),
        s.issuer(),
        "alice",
        "openid profile email offline_access",
    );
    let out = run(h.path(), &["--json", "userinfo"]);
    assert_code(&out, 0);
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(doc["sub"], "alice");
    assert_eq!(doc["email"], "alice@example.com");
    let out = run(h.path(), &["-v", "userinfo"]);
    assert_code(&out, 0);
    assert!(
        stdout(&out).contains("\"sub\": \"alice\""),
        "{}",
        stdout(&out)
    );
    let at = token(h.path());
    assert!(
        stderr(&out).contains("Bearer [redacted]"),
        "{}",
        stderr(&out)
    );
    assert!(
        !stderr(&out).contains(&at) && !stdout(&out).contains(&at),
        "the access token never appears in the output"
    );
}

#[test]
fn a_different_subject_is_refused_c47() {
    let s = DevServer::start(DevConfig::default()).unwrap();
    let stub = Stub::start();
    let h = home();
    // The real login (ID token for alice) at the dev server; userinfo at the stub.
    std::fs::write(
        h.path().join("config.toml"),
        format!(
            "[providers.x]\nissuer = \"{}\"\nuserinfo_endpoint = \"{}\"\n",
            s.issuer(),
            stub.url("/userinfo")
        ),
    )
    .unwrap();
    login_as_with(
        h.path(),
        &["--provider", "x"],
        s.issuer(),
        "alice",
        "openid offline_access",
    );
    stub.route(
        "/userinfo",
        Canned::json(r#"{"sub":"mallory","email":"m@evil.example"}"#),
    );
    let out = run(h.path(), &["--provider", "x", "userinfo"]);
    assert_code(&out, 5);
    assert!(stdout(&out).is_empty(), "{}", stdout(&out));
    assert!(!stderr(&out).contains("m@evil"), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("differs from the ID token"),
        "{}",
        stderr(&out)
    );
    // The token went in the header, never the query.
    let seen = stub.seen("/userinfo");
    assert_eq!(seen.len(), 1);
    assert_eq!(seen[0].query, None);
    assert_eq!(
        seen[0].header("authorization"),
        Some(format!("Bearer {}", token_for(h.path())).as_str())
    );
    // The same stub with the right subject is accepted.
    stub.route(
        "/userinfo",
        Canned::json(r#"{"sub":"alice","nickname":"al"}"#),
    );
    let out = run(h.path(), &["--provider", "x", "--json", "userinfo"]);
    assert_code(&out, 0);
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(doc["nickname"], "al");
    // No `sub` at all is refused too.
    stub.route("/userinfo", Canned::json(r#"{"email":"x@y"}"#));
    assert_code(&run(h.path(), &["--provider", "x", "userinfo"]), 5);
}

fn token_for(home: &std::path::Path) -> String {
    let out = run(home, &["--provider", "x", "token"]);
    assert_code(&out, 0);
    stdout(&out).trim().to_owned()
}
