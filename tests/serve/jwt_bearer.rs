//! The JWT bearer grant at the token endpoint (RFC 7523 §2.1 and §3): an assertion the
//! client signed with one of its registered keys stands for its `sub`; audience, lifetime,
//! issuer, signature and single use are checked, each refusal `invalid_grant` with its
//! reason.

use oauthctl::devserver::{Client, DevConfig, DevServer, Registry};
use oauthctl::oauth::grant::Grant;
use oauthctl::oauth::jose::{SigningAlg, SigningKey, sign_hs256};
use oauthctl::oauth::pkce::random_token;
use serde_json::{Value, json};

use super::{start, url};
use crate::support::{Answer, get, jwt_parts, post, post_basic};

const GRANT: &str = "urn:ietf:params:oauth:grant-type:jwt-bearer";
const CAT: &str = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";

fn now() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs()
}

/// A server with `agent` (private_key_jwt with `key`; JWT bearer, client credentials),
/// `keyless` (a secret, the grant, no keys), and the built-in clients.
fn server(key: &SigningKey) -> DevServer {
    let mut registry = Registry::default();
    registry.clients.push(Client {
        id: "agent".into(),
        grant_types: vec![Grant::JwtBearer, Grant::ClientCredentials],
        jwks: Some(json!({"keys": [key.jwk()]})),
        ..Client::default()
    });
    registry.clients.push(Client {
        id: "keyless".into(),
        secret: Some("keyless-secret".into()),
        grant_types: vec![Grant::JwtBearer],
        ..Client::default()
    });
    start(DevConfig {
        registry,
        ..DevConfig::default()
    })
}

/// Assertion claims by `agent` for `sub`, valid a minute; `extra` replaces or (null)
/// removes claims.
fn claims(s: &DevServer, sub: &str, extra: &Value) -> Value {
    let mut c = json!({"iss": "agent", "sub": sub, "aud": s.issuer(), "jti": random_token(),
                       "iat": now(), "exp": now() + 60});
    for (k, v) in extra.as_object().unwrap() {
        if v.is_null() {
            c.as_object_mut().unwrap().remove(k);
        } else {
            c[k] = v.clone();
        }
    }
    c
}

/// The grant request by `agent` (authenticated by its own client assertion).
fn grant(s: &DevServer, key: &SigningKey, assertion: &str, extra: &[(&str, &str)]) -> Answer {
    let auth = key.sign("JWT", &claims(s, "agent", &json!({}))).unwrap();
    let mut form = vec![
        ("grant_type", GRANT),
        ("assertion", assertion),
        ("client_assertion_type", CAT),
        ("client_assertion", auth.as_str()),
    ];
    form.extend_from_slice(extra);
    post(&url(s, "/token"), &form)
}

fn refused(a: &Answer, says: &str) {
    assert_eq!(
        (a.status, a.json["error"].as_str()),
        (400, Some("invalid_grant")),
        "{}",
        a.text
    );
    let d = a.json["error_description"].as_str().unwrap_or_default();
    assert!(d.contains(says), "{says}: {d}");
}

#[test]
fn an_assertion_signed_with_the_clients_key_is_a_grant_for_its_subject() {
    let key = SigningKey::generate(SigningAlg::Es256).unwrap();
    let s = server(&key);
    let assertion = key.sign("JWT", &claims(&s, "alice", &json!({}))).unwrap();
    let a = grant(&s, &key, &assertion, &[]);
    assert_eq!(a.status, 200, "{}", a.text);
    assert_eq!(
        (a.json["token_type"].as_str(), a.json["scope"].as_str()),
        (Some("Bearer"), Some("openid"))
    );
    assert!(a.json.get("refresh_token").is_none() && a.json.get("id_token").is_none());
    let token = a.json["access_token"].as_str().unwrap();
    let (_, c) = jwt_parts(token);
    assert_eq!(
        (c["sub"].as_str(), c["client_id"].as_str()),
        (Some("alice"), Some("agent"))
    );
    assert_eq!(c["roles"], json!(["admin"]));
    let info = get(&url(&s, "/userinfo"), Some(token));
    assert_eq!(info.json["sub"], "alice", "{}", info.text);
    // Scopes as asked; the token endpoint's URL is an audience too, in an array as well.
    let at_token = key
        .sign(
            "JWT",
            &claims(&s, "bob", &json!({"aud": [url(&s, "/token")]})),
        )
        .unwrap();
    let b = grant(&s, &key, &at_token, &[("scope", "api:read")]);
    assert_eq!(b.json["scope"], "api:read", "{}", b.text);
    let me = get(&url(&s, "/api/me"), b.json["access_token"].as_str());
    assert_eq!(
        (me.json["sub"].as_str(), me.json["roles"].clone()),
        (Some("bob"), json!(["reader"]))
    );
    // The client may stand for itself; an RSA key of its own works as well.
    let itself = key
        .sign_without_kid("JWT", &claims(&s, "agent", &json!({})))
        .unwrap();
    let c = grant(&s, &key, &itself, &[]);
    assert_eq!(
        jwt_parts(c.json["access_token"].as_str().unwrap()).1["sub"],
        "agent",
        "{}",
        c.text
    );
}

#[test]
fn bad_assertions_are_refused_with_the_reason() {
    let key = SigningKey::generate(SigningAlg::Es256).unwrap();
    let s = server(&key);
    let signed = |extra: Value| key.sign("JWT", &claims(&s, "alice", &extra)).unwrap();
    // Single use.
    let once = signed(json!({}));
    assert_eq!(grant(&s, &key, &once, &[]).status, 200);
    refused(&grant(&s, &key, &once, &[]), "jti was used before");
    let now = now();
    for (extra, says) in [
        (
            json!({"aud": "https://elsewhere.example"}),
            "aud must be the issuer",
        ),
        (
            json!({"aud": format!("{}/", s.issuer())}),
            "aud must be the issuer",
        ),
        (json!({"iss": "demo-service"}), "iss must be the client id"),
        (json!({"exp": now - 120}), "expired"),
        (json!({"exp": now + 7200}), "more than 3600 seconds ahead"),
        (json!({"exp": null}), "needs an exp"),
        (json!({"iat": now + 600}), "iat is in the future"),
        (json!({"jti": null}), "needs a jti"),
        (json!({"sub": null}), "needs a sub"),
        (json!({"sub": "mallory"}), "neither a user"),
    ] {
        refused(&grant(&s, &key, &signed(extra.clone()), &[]), says);
    }
    // Signed by another key, or with a MAC: not the client's registered key.
    let other = SigningKey::generate(SigningAlg::Es256).unwrap();
    let foreign = other.sign("JWT", &claims(&s, "alice", &json!({}))).unwrap();
    refused(&grant(&s, &key, &foreign, &[]), "no registered key fits");
    let mac = sign_hs256(
        b"0123456789abcdef0123456789abcdef",
        "JWT",
        &claims(&s, "alice", &json!({})),
    )
    .unwrap();
    refused(&grant(&s, &key, &mac, &[]), "signature");
    refused(&grant(&s, &key, "not.a.jwt", &[]), "not a JWS");
    let missing = grant(&s, &key, "", &[]);
    assert_eq!(missing.json["error"], "invalid_request", "{}", missing.text);
    // A refused assertion does not spend its jti.
    let late_jti = random_token();
    let wrong_aud = signed(json!({"jti": late_jti, "aud": "https://elsewhere.example"}));
    refused(&grant(&s, &key, &wrong_aud, &[]), "aud");
    assert_eq!(
        grant(&s, &key, &signed(json!({"jti": late_jti})), &[]).status,
        200
    );
}

#[test]
fn only_a_client_with_keys_and_the_grant_may_use_it() {
    let key = SigningKey::generate(SigningAlg::Es256).unwrap();
    let s = server(&key);
    let mut c = claims(&s, "alice", &json!({}));
    c["iss"] = json!("keyless");
    let assertion = key.sign("JWT", &c).unwrap();
    let a = post_basic(
        &url(&s, "/token"),
        "keyless",
        "keyless-secret",
        &[("grant_type", GRANT), ("assertion", &assertion)],
    );
    refused(&a, "no registered keys");
    let a = post_basic(
        &url(&s, "/token"),
        "demo-service",
        "demo-secret",
        &[("grant_type", GRANT), ("assertion", &assertion)],
    );
    assert_eq!(a.json["error"], "unauthorized_client", "{}", a.text);
}
