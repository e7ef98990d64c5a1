//! Client authentication with JWTs (RFC 7523 §2.2 and §3): `private_key_jwt` with an inline
//! `jwks` or a `jwks_uri`, and `client_secret_jwt`, at every endpoint that authenticates
//! clients; replay, audience, lifetime and signature refusals.

use std::io::{Read as _, Write as _};
use std::net::TcpListener;
use std::sync::{Arc, Mutex};

use oauthctl::devserver::{DevConfig, DevServer, ServerConfigFile};
use oauthctl::oauth::jose::{SigningAlg, SigningKey, sign_hs256};
use oauthctl::oauth::pkce::random_token;
use serde_json::{Value, json};

use super::{start, url};
use crate::support::{Answer, post, toml_inline};

const CAT: &str = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";
const HMAC_SECRET: &str = "an-hmac-secret-of-at-least-32-bytes-0123456789";

fn now() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs()
}

/// Claims of an assertion by `client` for `aud`, valid for a minute; `extra` replaces or
/// (with null) removes claims.
fn claims(client: &str, aud: &str, extra: &Value) -> Value {
    let mut c = json!({"iss": client, "sub": client, "aud": aud, "jti": random_token(),
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

/// A server with `agent` (private_key_jwt, `key` inline), `hmac` (client_secret_jwt only)
/// and the built-in clients.
fn server(key: &SigningKey) -> DevServer {
    let jwks = json!({"keys": [key.jwk()]});
    let toml = format!(
        r#"
[[clients]]
id = "agent"
grant_types = ["client_credentials", "urn:ietf:params:oauth:grant-type:device_code"]
scopes = ["api:read"]
jwks = {jwks}

[[clients]]
id = "hmac"
secret = "{HMAC_SECRET}"
token_endpoint_auth_method = "client_secret_jwt"
grant_types = ["client_credentials"]
scopes = ["api:read"]

[[clients]]
id = "demo-service"
secret = "demo-secret"
grant_types = ["client_credentials"]
introspect_any = true
"#,
        jwks = toml_inline(&jwks)
    );
    let file = ServerConfigFile::parse(&toml).unwrap();
    start(DevConfig::default().with_file(file))
}

fn with_assertion(s: &DevServer, path: &str, assertion: &str, form: &[(&str, &str)]) -> Answer {
    let mut f: Vec<(&str, &str)> = vec![
        ("client_assertion_type", CAT),
        ("client_assertion", assertion),
    ];
    f.extend_from_slice(form);
    post(&url(s, path), &f)
}

fn cc(s: &DevServer, assertion: &str) -> Answer {
    with_assertion(
        s,
        "/token",
        assertion,
        &[("grant_type", "client_credentials"), ("scope", "api:read")],
    )
}

fn error(a: &Answer) -> &str {
    a.json["error"].as_str().unwrap_or_default()
}

#[test]
fn private_key_jwt_authenticates_at_the_token_endpoint() {
    let key = SigningKey::generate(SigningAlg::Es256).unwrap();
    let s = server(&key);
    let a = key
        .sign("JWT", &claims("agent", s.issuer(), &json!({})))
        .unwrap();
    let ok = cc(&s, &a);
    assert_eq!(ok.status, 200, "{}", ok.text);
    assert_eq!(ok.json["token_type"], "Bearer");
    // The token endpoint's URL is an accepted audience too, and so is an array holding the
    // issuer; a client_id in the body must name the same client.
    let at_token = key
        .sign("JWT", &claims("agent", &url(&s, "/token"), &json!({})))
        .unwrap();
    assert_eq!(cc(&s, &at_token).status, 200);
    let array = key
        .sign(
            "JWT",
            &claims(
                "agent",
                "",
                &json!({"aud": ["https://x.example", s.issuer()]}),
            ),
        )
        .unwrap();
    assert_eq!(cc(&s, &array).status, 200);
    let named = key
        .sign("JWT", &claims("agent", s.issuer(), &json!({})))
        .unwrap();
    let mismatch = with_assertion(
        &s,
        "/token",
        &named,
        &[("grant_type", "client_credentials"), ("client_id", "hmac")],
    );
    assert_eq!(mismatch.status, 400, "{}", mismatch.text);
}

#[test]
fn bad_assertions_are_refused_with_invalid_client() {
    let key = SigningKey::generate(SigningAlg::Es256).unwrap();
    let s = server(&key);
    let iss = s.issuer().to_owned();
    let good = key.sign("JWT", &claims("agent", &iss, &json!({}))).unwrap();
    assert_eq!(cc(&s, &good).status, 200);
    let other_key = SigningKey::generate(SigningAlg::Es256).unwrap();
    let cases: Vec<(&str, String)> = vec![
        ("used before", good.clone()),
        (
            "aud",
            key.sign("JWT", &claims("agent", &format!("{iss}/"), &json!({})))
                .unwrap(),
        ),
        (
            "aud",
            key.sign("JWT", &claims("agent", "https://other.example", &json!({})))
                .unwrap(),
        ),
        (
            "expired",
            key.sign(
                "JWT",
                &claims(
                    "agent",
                    &iss,
                    &json!({"exp": now() - 120, "iat": now() - 180}),
                ),
            )
            .unwrap(),
        ),
        (
            "300 seconds",
            key.sign("JWT", &claims("agent", &iss, &json!({"exp": now() + 3600})))
                .unwrap(),
        ),
        (
            "jti",
            key.sign("JWT", &claims("agent", &iss, &json!({"jti": null})))
                .unwrap(),
        ),
        (
            "iss and sub",
            key.sign("JWT", &claims("agent", &iss, &json!({"iss": "hmac"})))
                .unwrap(),
        ),
        (
            "key",
            other_key
                .sign("JWT", &claims("agent", &iss, &json!({})))
                .unwrap(),
        ),
        (
            "signature",
            other_key
                .sign_without_kid("JWT", &claims("agent", &iss, &json!({})))
                .unwrap(),
        ),
    ];
    for (why, assertion) in cases {
        let a = cc(&s, &assertion);
        assert_eq!(
            (a.status, error(&a)),
            (401, "invalid_client"),
            "{why}: {}",
            a.text
        );
        assert!(a.text.contains(why), "{why}: {}", a.text);
    }
    // Without the assertion type, the assertion is no credential.
    let no_type = post(
        &url(&s, "/token"),
        &[
            ("client_assertion", good.as_str()),
            ("grant_type", "client_credentials"),
        ],
    );
    assert_eq!(no_type.status, 400, "{}", no_type.text);
}

#[test]
fn client_secret_jwt_needs_the_right_secret_and_only_it() {
    let key = SigningKey::generate(SigningAlg::Es256).unwrap();
    let s = server(&key);
    let c = claims("hmac", s.issuer(), &json!({}));
    let good = cc(&s, &sign_hs256(HMAC_SECRET.as_bytes(), "JWT", &c).unwrap());
    assert_eq!(good.status, 200, "{}", good.text);
    let wrong = sign_hs256(
        b"not-the-secret-but-as-long-as-it-0123456",
        "JWT",
        &claims("hmac", s.issuer(), &json!({})),
    )
    .unwrap();
    let a = cc(&s, &wrong);
    assert_eq!((a.status, error(&a)), (401, "invalid_client"), "{}", a.text);
    // Registered for client_secret_jwt only: the secret itself is not accepted.
    let basic = crate::support::post_basic(
        &url(&s, "/token"),
        "hmac",
        HMAC_SECRET,
        &[("grant_type", "client_credentials")],
    );
    assert_eq!(
        (basic.status, error(&basic)),
        (401, "invalid_client"),
        "{}",
        basic.text
    );
}

#[test]
fn every_endpoint_that_authenticates_clients_accepts_assertions() {
    let key = SigningKey::generate(SigningAlg::EdDsa).unwrap();
    let s = server(&key);
    let assertion = |path: &str| {
        key.sign("JWT", &claims("agent", &url(&s, path), &json!({})))
            .unwrap()
    };
    let token = cc(&s, &assertion("/token")).json["access_token"]
        .as_str()
        .unwrap()
        .to_owned();
    let i = with_assertion(
        &s,
        "/introspect",
        &assertion("/introspect"),
        &[("token", &token)],
    );
    assert_eq!(i.json["active"], true, "{}", i.text);
    assert_eq!(i.json["client_id"], "agent");
    let d = with_assertion(
        &s,
        "/device_authorization",
        &assertion("/device_authorization"),
        &[("scope", "api:read")],
    );
    assert_eq!(d.status, 200, "{}", d.text);
    let r = with_assertion(&s, "/revoke", &assertion("/revoke"), &[("token", &token)]);
    assert_eq!(r.status, 200, "{}", r.text);
    let i = with_assertion(
        &s,
        "/introspect",
        &assertion("/introspect"),
        &[("token", &token)],
    );
    assert_eq!(i.json["active"], false, "revoked");
    // An assertion for one endpoint is not accepted at another.
    let elsewhere = with_assertion(
        &s,
        "/introspect",
        &assertion("/revoke"),
        &[("token", &token)],
    );
    assert_eq!(elsewhere.status, 401, "{}", elsewhere.text);
}

/// A loopback server answering every request with the JWKS in `doc`; counts requests.
fn jwks_server(doc: Arc<Mutex<Value>>) -> (String, Arc<Mutex<usize>>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let uri = format!("http://{}/jwks.json", listener.local_addr().unwrap());
    let hits = Arc::new(Mutex::new(0));
    let counter = Arc::clone(&hits);
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { break };
            let mut buf = [0u8; 4096];
            let _ = stream.read(&mut buf);
            *counter.lock().unwrap() += 1;
            let body = doc.lock().unwrap().to_string();
            let _ = write!(
                stream,
                "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                body.len()
            );
        }
    });
    (uri, hits)
}

#[test]
fn keys_at_a_jwks_uri_are_fetched_and_refetched_for_a_new_kid() {
    let first = SigningKey::generate(SigningAlg::Rs256).unwrap();
    let doc = Arc::new(Mutex::new(json!({"keys": [first.jwk()]})));
    let (uri, hits) = jwks_server(Arc::clone(&doc));
    let file = ServerConfigFile::parse(&format!(
        "[[clients]]\nid = \"agent\"\njwks_uri = \"{uri}\"\ngrant_types = [\"client_credentials\"]\n"
    ))
    .unwrap();
    let s = start(DevConfig::default().with_file(file));
    let a = cc(
        &s,
        &first
            .sign("JWT", &claims("agent", s.issuer(), &json!({})))
            .unwrap(),
    );
    assert_eq!(a.status, 200, "{}", a.text);
    let b = cc(
        &s,
        &first
            .sign("JWT", &claims("agent", s.issuer(), &json!({})))
            .unwrap(),
    );
    assert_eq!(b.status, 200, "{}", b.text);
    let fetched = *hits.lock().unwrap();
    assert_eq!(fetched, 1, "fetched once, then cached");
    // The client rotates its key. A set fetched less than 10 s ago is not fetched again for
    // a kid it lacks (the unit tests of the key cache cover the refetch after that).
    let second = SigningKey::generate(SigningAlg::Es256).unwrap();
    *doc.lock().unwrap() = json!({"keys": [second.jwk(), first.jwk()]});
    let b = second
        .sign("JWT", &claims("agent", s.issuer(), &json!({})))
        .unwrap();
    let ok = cc(&s, &b);
    assert_eq!(ok.status, 401, "{}", ok.text);
    assert!(ok.text.contains("key"), "{}", ok.text);
    assert_eq!(*hits.lock().unwrap(), 1);
}

#[test]
fn an_unusable_jwks_is_a_configuration_error() {
    let file = ServerConfigFile::parse(
        "[[clients]]\nid = \"agent\"\njwks = { keys = \"none\" }\ngrant_types = [\"client_credentials\"]\n",
    )
    .unwrap();
    let err = DevServer::start(DevConfig::default().with_file(file)).unwrap_err();
    assert!(err.to_string().contains("agent"), "{err}");
    let err = ServerConfigFile::parse(
        "[[clients]]\nid = \"agent\"\njwks_uri = \"http://keys.example/jwks\"\n",
    )
    .unwrap_err();
    assert!(err.contains("https"), "{err}");
}

#[test]
fn metadata_lists_the_methods_and_algorithms() {
    let key = SigningKey::generate(SigningAlg::Es256).unwrap();
    let s = server(&key);
    let m = crate::support::get(&url(&s, "/.well-known/oauth-authorization-server"), None).json;
    for member in [
        "token_endpoint_auth_methods_supported",
        "introspection_endpoint_auth_methods_supported",
        "revocation_endpoint_auth_methods_supported",
    ] {
        let methods = m[member].as_array().unwrap();
        for method in [
            "private_key_jwt",
            "client_secret_jwt",
            "client_secret_basic",
            "none",
        ] {
            assert!(methods.contains(&json!(method)), "{member}: {method}");
        }
        assert!(
            !methods.contains(&json!("tls_client_auth")),
            "no TLS, no mTLS"
        );
    }
    let algs = m["token_endpoint_auth_signing_alg_values_supported"]
        .as_array()
        .unwrap();
    for alg in ["HS256", "ES256", "EdDSA", "RS256", "PS256"] {
        assert!(algs.contains(&json!(alg)), "{alg}");
    }
}
