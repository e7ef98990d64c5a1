//! `login --flow jwt-bearer` (RFC 7523 §2.1) against the dev server: an assertion signed from
//! a key file and renewed by signing a new one, or given in a file or on standard input and
//! then used once.

use oauthctl::devserver::{Client, DevConfig, DevServer, Registry};
use oauthctl::oauth::grant::Grant;
use oauthctl::oauth::jose::{SigningAlg, SigningKey};
use serde_json::{Value, json};

use crate::support::stub::{Canned, Stub};
use crate::support::{
    assert_code, cached_expiry, feed, home, in_process, jwt_parts, now, oauthctl, run, stderr,
    stdout,
};

/// A dev server where `agent` (private_key_jwt with `key`) may use the JWT bearer grant,
/// and `key` written to a PEM file in `dir`.
fn server(dir: &std::path::Path) -> (DevServer, SigningKey, String) {
    let key = SigningKey::generate(SigningAlg::Es256).unwrap();
    let mut registry = Registry::default();
    registry.clients.push(Client {
        id: "agent".into(),
        grant_types: vec![Grant::JwtBearer],
        jwks: Some(json!({"keys": [key.jwk()]})),
        ..Client::default()
    });
    let s = DevServer::start(DevConfig {
        registry,
        ..DevConfig::default()
    })
    .unwrap();
    let pem = dir.join("agent.pem");
    std::fs::write(&pem, key.private_pem()).unwrap();
    (s, key, pem.to_string_lossy().into_owned())
}

fn login<'a>(issuer: &'a str, pem: &'a str, extra: &[&'a str]) -> Vec<&'a str> {
    let mut args = vec![
        "-p",
        "bot",
        "login",
        "--flow",
        "jwt-bearer",
        "--issuer",
        issuer,
        "--client-id",
        "agent",
        "--client-key-file",
        pem,
    ];
    args.extend_from_slice(extra);
    args
}

#[test]
fn an_assertion_signed_from_a_key_file_is_signed_anew_at_each_renewal() {
    let h = home();
    let (s, _key, pem) = server(h.path());
    let out = run(
        h.path(),
        &login(
            s.issuer(),
            &pem,
            &[
                "--assertion-key",
                &pem,
                "--assertion-sub",
                "alice",
                "--scope",
                "openid api:read",
            ],
        ),
    );
    assert_code(&out, 0);
    let err = stderr(&out);
    assert!(
        err.contains("as alice (profile `bot`, jwt_bearer)"),
        "{err}"
    );
    assert!(
        err.contains(&format!(
            "from:    a JWT bearer assertion signed with {pem}"
        )),
        "{err}"
    );
    let out = run(h.path(), &["-p", "bot", "--json", "userinfo"]);
    assert_code(&out, 0);
    let info: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(info["sub"], "alice");
    // The key's path is remembered, never the key.
    let index = std::fs::read_to_string(h.path().join("index.json")).unwrap();
    assert!(
        index.contains("agent.pem") && !index.contains("PRIVATE KEY"),
        "{index}"
    );
    let first = stdout(&run(h.path(), &["-p", "bot", "token"]));
    let expired = cached_expiry(h.path(), &["-p", "bot"]) + 1;
    let hits = s.hits("/token");
    let renewed = in_process(h.path(), expired, &["-p", "bot", "token"]).stdout();
    assert_ne!(renewed, first);
    assert_eq!(s.hits("/token"), hits + 1);
    let (_, claims) = jwt_parts(renewed.trim());
    assert_eq!(
        (claims["sub"].as_str(), claims["scope"].as_str()),
        (Some("alice"), Some("api:read openid"))
    );
    // Again: each renewal signs an assertion with a new jti (a repeat would be refused).
    assert_code(&run(h.path(), &["-p", "bot", "refresh"]), 0);
    assert_code(&run(h.path(), &["-p", "bot", "refresh"]), 0);
    // A later login without assertion flags signs as the last one did.
    let out = run(h.path(), &login(s.issuer(), &pem, &[]));
    assert_code(&out, 0);
    assert!(stderr(&out).contains("as alice"), "{}", stderr(&out));
}

/// An assertion of `agent` for `sub`, valid five minutes, signed with `key`.
fn assertion(key: &SigningKey, issuer: &str, sub: &str) -> String {
    let now = now();
    let jti = oauthctl::oauth::pkce::random_token();
    key.sign("JWT", &json!({"iss": "agent", "sub": sub, "aud": issuer, "iat": now, "exp": now + 300, "jti": jti}))
        .unwrap()
}

#[test]
fn a_given_assertion_is_used_once_and_renewing_says_so() {
    let h = home();
    let (s, key, pem) = server(h.path());
    let file = h.path().join("assertion.jwt");
    std::fs::write(&file, assertion(&key, s.issuer(), "bob")).unwrap();
    let f = file.to_str().unwrap();
    let out = run(h.path(), &login(s.issuer(), &pem, &["--assertion-file", f]));
    assert_code(&out, 0);
    assert!(stderr(&out).contains("as bob"), "{}", stderr(&out));
    assert!(
        stderr(&out).contains(&format!("read from {f} (used once")),
        "{}",
        stderr(&out)
    );
    // The server remembers its jti.
    let out = run(h.path(), &login(s.issuer(), &pem, &["--assertion-file", f]));
    assert_code(&out, 4);
    assert!(
        stderr(&out).contains("jti was used before"),
        "{}",
        stderr(&out)
    );
    let expired = cached_expiry(h.path(), &["-p", "bot"]) + 1;
    let (code, err) = in_process(h.path(), expired, &["-p", "bot", "token"]).failure();
    assert_eq!(code, 3, "{err}");
    assert!(err.contains("a server accepts an assertion once"), "{err}");
    assert!(err.contains("--assertion-file FILE"), "{err}");
    // Standard input, and the assertion kept out of the trace.
    let piped = assertion(&key, s.issuer(), "alice");
    let mut args = login(s.issuer(), &pem, &["--assertion-file", "-"]);
    args.insert(0, "-v");
    let out = feed(oauthctl(h.path()).args(&args), &piped);
    assert_code(&out, 0);
    let err = stderr(&out);
    assert!(err.contains("assertion=%5Bredacted%5D"), "{err}");
    assert!(!err.contains(&piped), "the assertion leaked into the trace");
    let status = stdout(&run(h.path(), &["status"]));
    assert!(
        status.contains("a JWT bearer assertion read from standard input"),
        "{status}"
    );
}

#[test]
fn the_jwt_bearer_flow_needs_an_assertion() {
    let h = home();
    let (s, _key, pem) = server(h.path());
    let out = run(h.path(), &login(s.issuer(), &pem, &[]));
    assert_code(&out, 2);
    assert!(
        stderr(&out).contains("--assertion-file FILE"),
        "{}",
        stderr(&out)
    );
    let out = run(
        h.path(),
        &login(
            s.issuer(),
            &pem,
            &["--assertion-key", &pem, "--assertion-exp", "0s"],
        ),
    );
    assert_code(&out, 2);
    // A key that does not parse is a configuration error naming the file.
    let bad = h.path().join("bad.pem");
    std::fs::write(&bad, "not a key").unwrap();
    let out = run(
        h.path(),
        &login(
            s.issuer(),
            &pem,
            &["--assertion-key", bad.to_str().unwrap()],
        ),
    );
    assert_code(&out, 7);
    assert!(stderr(&out).contains("bad.pem"), "{}", stderr(&out));
    let hint = "hint: give a readable, unencrypted PEM private key with --assertion-key FILE";
    assert!(stderr(&out).contains(hint), "{}", stderr(&out));
    let out = run(
        h.path(),
        &login(s.issuer(), &pem, &["--assertion-key", "missing.pem"]),
    );
    assert_code(&out, 7);
    assert!(stderr(&out).contains(hint), "{}", stderr(&out));
}

#[test]
fn a_refused_renewal_is_the_servers_answer_not_a_dead_refresh_token() {
    let stub = Stub::start();
    stub.route(
        "/.well-known/openid-configuration",
        Canned::json(
            json!({"issuer": stub.base, "token_endpoint": stub.url("/token")}).to_string(),
        ),
    );
    stub.sequence(
        "/token",
        vec![
            Canned::json(r#"{"access_token":"at-1","token_type":"Bearer","expires_in":60}"#),
            Canned::status(
                400,
                r#"{"error":"invalid_grant","error_description":"the subject is disabled"}"#,
            ),
        ],
    );
    let h = home();
    let key = SigningKey::generate(SigningAlg::Es256).unwrap();
    let pem = h.path().join("k.pem");
    std::fs::write(&pem, key.private_pem()).unwrap();
    let pem = pem.to_str().unwrap();
    let out = run(
        h.path(),
        &[
            "-p",
            "bot",
            "login",
            "--flow",
            "jwt-bearer",
            "--issuer",
            &stub.base,
            "--client-id",
            "svc",
            "--assertion-key",
            pem,
        ],
    );
    assert_code(&out, 0);
    let form: std::collections::BTreeMap<String, String> =
        url::form_urlencoded::parse(&stub.seen("/token")[0].body)
            .into_owned()
            .collect();
    assert_eq!(
        form["grant_type"],
        "urn:ietf:params:oauth:grant-type:jwt-bearer"
    );
    assert_eq!(form["client_id"], "svc", "a public client names itself");
    let (_, claims) = jwt_parts(&form["assertion"]);
    assert_eq!(
        (claims["iss"].as_str(), claims["sub"].as_str()),
        (Some("svc"), Some("svc"))
    );
    assert_eq!(claims["aud"].as_str(), Some(stub.base.as_str()));
    // The renewal's refusal: exit 4 with the server's reason (there is no refresh token to
    // blame, and nothing to drop).
    let (code, err) = in_process(h.path(), now() + 120, &["-p", "bot", "token"]).failure();
    assert_eq!(code, 4, "{err}");
    assert!(
        err.contains("invalid_grant: the subject is disabled"),
        "{err}"
    );
    assert!(!err.contains("the refresh token was rejected"), "{err}");
}
