//! DPoP (RFC 9449) at the dev server, over plain HTTP with proofs the test makes itself:
//! bound tokens from every grant, proof checks at the token endpoint and the resources,
//! nonces, replay, bound refresh tokens and `dpop_jkt`.

use oauthctl::devserver::{DevConfig, DevServer};
use oauthctl::oauth::jose::{SigningAlg, SigningKey};
use oauthctl::oauth::pkce::random_token;
use serde_json::{Value, json};

use super::{CB, authorize, start, url};
use crate::support::{Answer, http, jwt_parts, location_param, pkce};

fn now() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs()
}

/// A DPoP proof by `key` for `method` `url`; `extra` adds or replaces claims (`ath`,
/// `nonce`, …).
pub(crate) fn proof(key: &SigningKey, method: &str, url: &str, extra: &Value) -> String {
    let mut claims = json!({"jti": random_token(), "htm": method, "htu": url, "iat": now()});
    for (k, v) in extra.as_object().unwrap() {
        claims[k] = v.clone();
    }
    key.sign_with_jwk("dpop+jwt", &claims).unwrap()
}

/// The `ath` of an access token.
pub(crate) fn ath(token: &str) -> String {
    oauthctl::oauth::jose::sha256_b64url(token.as_bytes())
}

fn key() -> SigningKey {
    SigningKey::generate(SigningAlg::Es256).unwrap()
}

/// POSTs a form to `/token` with a `DPoP` header (when given) and optional Basic credentials.
pub(crate) fn token_with(
    s: &DevServer,
    dpop: Option<&str>,
    basic: Option<(&str, &str)>,
    form: &[(&str, &str)],
) -> Answer {
    let mut rq = http().post(url(s, "/token")).form(form);
    if let Some(p) = dpop {
        rq = rq.header("DPoP", p);
    }
    if let Some((id, secret)) = basic {
        rq = rq.basic_auth(id, Some(secret));
    }
    Answer::from(rq.send().unwrap())
}

/// A client-credentials token for `demo-service` with a proof by `key`.
fn service_token(s: &DevServer, key: &SigningKey) -> Answer {
    let p = proof(key, "POST", &url(s, "/token"), &json!({}));
    token_with(
        s,
        Some(&p),
        Some(("demo-service", "demo-secret")),
        &[("grant_type", "client_credentials"), ("scope", "api:read")],
    )
}

/// GETs `path` with `Authorization: {scheme} {token}` and an optional proof.
fn resource(s: &DevServer, path: &str, scheme: &str, token: &str, dpop: Option<&str>) -> Answer {
    let mut rq = http()
        .get(url(s, path))
        .header("Authorization", format!("{scheme} {token}"));
    if let Some(p) = dpop {
        rq = rq.header("DPoP", p);
    }
    Answer::from(rq.send().unwrap())
}

/// A proof for GET `path` bound to `token`.
fn resource_proof(s: &DevServer, key: &SigningKey, path: &str, token: &str) -> String {
    proof(key, "GET", &url(s, path), &json!({"ath": ath(token)}))
}

fn error(a: &Answer) -> &str {
    a.json["error"].as_str().unwrap_or_default()
}

#[test]
fn a_proof_binds_the_access_token_to_its_key() {
    let s = start(DevConfig::default());
    let k = key();
    let a = service_token(&s, &k);
    assert_eq!(a.status, 200, "{}", a.text);
    assert_eq!(a.json["token_type"], "DPoP");
    let at = a.json["access_token"].as_str().unwrap();
    let (_, claims) = jwt_parts(at);
    assert_eq!(claims["cnf"], json!({"jkt": k.thumbprint()}));
    // Introspection shows the binding and the type.
    let i = crate::support::post_basic(
        &url(&s, "/introspect"),
        "demo-service",
        "demo-secret",
        &[("token", at)],
    );
    assert_eq!(i.json["active"], true, "{}", i.text);
    assert_eq!(i.json["token_type"], "DPoP");
    assert_eq!(i.json["cnf"]["jkt"], k.thumbprint());
    // The same request without a proof gets a plain bearer token, as before.
    let plain = token_with(
        &s,
        None,
        Some(("demo-service", "demo-secret")),
        &[("grant_type", "client_credentials"), ("scope", "api:read")],
    );
    assert_eq!(plain.json["token_type"], "Bearer");
    let (_, claims) = jwt_parts(plain.json["access_token"].as_str().unwrap());
    assert!(claims.get("cnf").is_none());
}

#[test]
fn every_supported_algorithm_is_accepted_and_others_are_not() {
    let s = start(DevConfig::default());
    for alg in [
        SigningAlg::Es256,
        SigningAlg::EdDsa,
        SigningAlg::Rs256,
        SigningAlg::Ps256,
    ] {
        let k = SigningKey::generate(alg).unwrap();
        let a = service_token(&s, &k);
        assert_eq!(a.json["token_type"], "DPoP", "{alg}: {}", a.text);
    }
    let es384 = SigningKey::generate(SigningAlg::Es384).unwrap();
    let a = service_token(&s, &es384);
    assert_eq!(
        (a.status, error(&a)),
        (400, "invalid_dpop_proof"),
        "{}",
        a.text
    );
}

#[test]
fn the_token_endpoint_refuses_replayed_foreign_and_malformed_proofs() {
    let s = start(DevConfig::default());
    let k = key();
    let form = [("grant_type", "client_credentials"), ("scope", "api:read")];
    let creds = Some(("demo-service", "demo-secret"));
    let p = proof(&k, "POST", &url(&s, "/token"), &json!({}));
    assert_eq!(token_with(&s, Some(&p), creds, &form).status, 200);
    // The same proof again.
    let replay = token_with(&s, Some(&p), creds, &form);
    assert_eq!((replay.status, error(&replay)), (400, "invalid_dpop_proof"));
    assert!(replay.text.contains("used before"), "{}", replay.text);
    // A proof for another URL, another method, too old, with a private key in its header.
    for (why, bad) in [
        (
            "htu",
            proof(&k, "POST", &url(&s, "/introspect"), &json!({})),
        ),
        (
            "htu",
            proof(&k, "POST", "http://localhost:1/token", &json!({})),
        ),
        ("htm", proof(&k, "GET", &url(&s, "/token"), &json!({}))),
        (
            "iat",
            proof(&k, "POST", &url(&s, "/token"), &json!({"iat": now() - 600})),
        ),
        (
            "typ",
            k.sign_with_jwk(
                "JWT",
                &json!({"jti": "x", "htm": "POST",
            "htu": url(&s, "/token"), "iat": now()}),
            )
            .unwrap(),
        ),
        ("JWS", "not-a-proof".to_owned()),
    ] {
        let a = token_with(&s, Some(&bad), creds, &form);
        assert_eq!(
            (a.status, error(&a)),
            (400, "invalid_dpop_proof"),
            "{why}: {}",
            a.text
        );
        assert!(a.text.contains(why), "{why}: {}", a.text);
    }
    // Two DPoP headers.
    let twice = Answer::from(
        http()
            .post(url(&s, "/token"))
            .basic_auth("demo-service", Some("demo-secret"))
            .header("DPoP", proof(&k, "POST", &url(&s, "/token"), &json!({})))
            .header("DPoP", proof(&k, "POST", &url(&s, "/token"), &json!({})))
            .form(&form)
            .send()
            .unwrap(),
    );
    assert_eq!((twice.status, error(&twice)), (400, "invalid_dpop_proof"));
    // The proof's URL may name the server as the request did, in any case, with a query.
    let upper = url(&s, "/token").replace("http://", "HTTP://") + "?x=1";
    let a = token_with(
        &s,
        Some(&proof(&k, "POST", &upper, &json!({}))),
        creds,
        &form,
    );
    assert_eq!(a.status, 200, "{}", a.text);
}

/// Runs the code flow for `oauthctl` with `extra` authorization parameters; returns the code
/// and the verifier.
fn code(s: &DevServer, extra: &[(&str, &str)]) -> (String, String) {
    let (verifier, challenge) = pkce();
    let mut p = vec![
        ("response_type", "code"),
        ("client_id", "oauthctl"),
        ("redirect_uri", CB),
        ("scope", "openid offline_access api:read"),
        ("state", "st"),
        ("code_challenge", challenge.as_str()),
        ("code_challenge_method", "S256"),
    ];
    p.extend_from_slice(extra);
    let a = authorize(s, &p);
    assert_eq!(a.status, 302, "{}", a.text);
    let loc = a.header("location").unwrap().to_owned();
    (location_param(&loc, "code").unwrap(), verifier)
}

fn redeem_with(s: &DevServer, dpop: Option<&str>, code: &str, verifier: &str) -> Answer {
    token_with(
        s,
        dpop,
        None,
        &[
            ("grant_type", "authorization_code"),
            ("client_id", "oauthctl"),
            ("code", code),
            ("redirect_uri", CB),
            ("code_verifier", verifier),
        ],
    )
}

fn refresh_with(s: &DevServer, dpop: Option<&str>, rt: &str) -> Answer {
    token_with(
        s,
        dpop,
        None,
        &[
            ("grant_type", "refresh_token"),
            ("client_id", "oauthctl"),
            ("refresh_token", rt),
        ],
    )
}

#[test]
fn a_public_clients_refresh_token_is_bound_to_its_key() {
    let s = start(DevConfig::auto_approve("alice"));
    let k = key();
    let token_url = url(&s, "/token");
    let (c, v) = code(&s, &[]);
    let a = redeem_with(&s, Some(&proof(&k, "POST", &token_url, &json!({}))), &c, &v);
    assert_eq!(a.status, 200, "{}", a.text);
    assert_eq!(a.json["token_type"], "DPoP");
    let rt = a.json["refresh_token"].as_str().unwrap().to_owned();
    // Without a proof, or with another key: refused, and the refresh token stays usable.
    let bare = refresh_with(&s, None, &rt);
    assert_eq!(
        (bare.status, error(&bare)),
        (400, "invalid_grant"),
        "{}",
        bare.text
    );
    let other = refresh_with(
        &s,
        Some(&proof(&key(), "POST", &token_url, &json!({}))),
        &rt,
    );
    assert_eq!(
        (other.status, error(&other)),
        (400, "invalid_grant"),
        "{}",
        other.text
    );
    // With the key: a new DPoP-bound pair.
    let ok = refresh_with(&s, Some(&proof(&k, "POST", &token_url, &json!({}))), &rt);
    assert_eq!(ok.status, 200, "{}", ok.text);
    assert_eq!(ok.json["token_type"], "DPoP");
    let (_, claims) = jwt_parts(ok.json["access_token"].as_str().unwrap());
    assert_eq!(claims["cnf"]["jkt"], k.thumbprint());
    let next = ok.json["refresh_token"].as_str().unwrap();
    let again = refresh_with(
        &s,
        Some(&proof(&key(), "POST", &token_url, &json!({}))),
        next,
    );
    assert_eq!(
        error(&again),
        "invalid_grant",
        "the rotated token is bound too"
    );
}

#[test]
fn dpop_jkt_binds_the_authorization_code() {
    let s = start(DevConfig::auto_approve("alice"));
    let k = key();
    let token_url = url(&s, "/token");
    // Each failed redemption spends its code, as any failed redemption does.
    let (c, v) = code(&s, &[("dpop_jkt", k.thumbprint())]);
    let without = redeem_with(&s, None, &c, &v);
    assert_eq!(
        (without.status, error(&without)),
        (400, "invalid_grant"),
        "{}",
        without.text
    );
    assert!(without.text.contains("dpop_jkt"), "{}", without.text);
    let (c, v) = code(&s, &[("dpop_jkt", k.thumbprint())]);
    let other = redeem_with(
        &s,
        Some(&proof(&key(), "POST", &token_url, &json!({}))),
        &c,
        &v,
    );
    assert_eq!(
        (other.status, error(&other)),
        (400, "invalid_grant"),
        "{}",
        other.text
    );
    let (c, v) = code(&s, &[("dpop_jkt", k.thumbprint())]);
    let ok = redeem_with(&s, Some(&proof(&k, "POST", &token_url, &json!({}))), &c, &v);
    assert_eq!(ok.status, 200, "{}", ok.text);
    assert_eq!(ok.json["token_type"], "DPoP");
    // A malformed dpop_jkt is refused at the authorization request.
    let (_, challenge) = pkce();
    let bad = authorize(
        &s,
        &[
            ("response_type", "code"),
            ("client_id", "oauthctl"),
            ("redirect_uri", CB),
            ("code_challenge", &challenge),
            ("code_challenge_method", "S256"),
            ("dpop_jkt", "not-a-thumbprint"),
        ],
    );
    let loc = bad.header("location").unwrap();
    assert_eq!(
        location_param(loc, "error").as_deref(),
        Some("invalid_request")
    );
}

#[test]
fn the_device_grant_issues_bound_tokens() {
    let s = start(DevConfig::default().with_device_timing(
        std::time::Duration::from_secs(600),
        std::time::Duration::from_millis(1),
    ));
    let k = key();
    let start_at = crate::support::post(
        &url(&s, "/device_authorization"),
        &[("client_id", "oauthctl"), ("scope", "api:read")],
    );
    let device_code = start_at.json["device_code"].as_str().unwrap().to_owned();
    let poll = token_with(
        &s,
        Some(&proof(&k, "POST", &url(&s, "/token"), &json!({}))),
        None,
        &[
            ("grant_type", "urn:ietf:params:oauth:grant-type:device_code"),
            ("client_id", "oauthctl"),
            ("device_code", &device_code),
        ],
    );
    // Still pending, but the proof was checked first: a bad one is refused as such.
    assert_eq!(error(&poll), "authorization_pending", "{}", poll.text);
    let bad = token_with(
        &s,
        Some(&proof(&k, "GET", &url(&s, "/token"), &json!({}))),
        None,
        &[
            ("grant_type", "urn:ietf:params:oauth:grant-type:device_code"),
            ("client_id", "oauthctl"),
            ("device_code", &device_code),
        ],
    );
    assert_eq!(error(&bad), "invalid_dpop_proof", "{}", bad.text);
}

#[test]
fn require_dpop_refuses_token_requests_without_a_proof() {
    let s = start(DevConfig::default().with_require_dpop());
    let a = token_with(
        &s,
        None,
        Some(("demo-service", "demo-secret")),
        &[("grant_type", "client_credentials")],
    );
    assert_eq!(
        (a.status, error(&a)),
        (400, "invalid_dpop_proof"),
        "{}",
        a.text
    );
    assert!(a.text.contains("DPoP"), "{}", a.text);
    assert_eq!(service_token(&s, &key()).status, 200);
    let meta = crate::support::get(&url(&s, "/.well-known/oauth-protected-resource/api"), None);
    assert_eq!(meta.json["dpop_bound_access_tokens_required"], true);
}

#[test]
fn nonces_are_challenged_at_the_token_endpoint_and_the_api() {
    let s = start(DevConfig::auto_approve("alice").with_dpop_nonce());
    let k = key();
    let token_url = url(&s, "/token");
    let (c, v) = code(&s, &[]);
    let first = redeem_with(&s, Some(&proof(&k, "POST", &token_url, &json!({}))), &c, &v);
    assert_eq!(
        (first.status, error(&first)),
        (400, "use_dpop_nonce"),
        "{}",
        first.text
    );
    assert!(first.header("www-authenticate").is_none());
    let nonce = first.header("dpop-nonce").unwrap().to_owned();
    let wrong = redeem_with(
        &s,
        Some(&proof(&k, "POST", &token_url, &json!({"nonce": "made-up"}))),
        &c,
        &v,
    );
    assert_eq!(error(&wrong), "use_dpop_nonce");
    // The code survived the challenges.
    let ok = redeem_with(
        &s,
        Some(&proof(&k, "POST", &token_url, &json!({ "nonce": nonce }))),
        &c,
        &v,
    );
    assert_eq!(ok.status, 200, "{}", ok.text);
    assert!(
        ok.header("dpop-nonce").is_some(),
        "answers carry the current nonce"
    );
    let at = ok.json["access_token"].as_str().unwrap();
    // The API challenges a proof without the nonce with 401 and the nonce.
    let api = "/api/me";
    let p = resource_proof(&s, &k, api, at);
    let a = resource(&s, api, "DPoP", at, Some(&p));
    assert_eq!(a.status, 401, "{}", a.text);
    let challenge = a.header("www-authenticate").unwrap();
    assert!(challenge.starts_with("DPoP "), "{challenge}");
    assert!(
        challenge.contains(r#"error="use_dpop_nonce""#),
        "{challenge}"
    );
    let nonce = a.header("dpop-nonce").unwrap();
    let p = proof(
        &k,
        "GET",
        &url(&s, api),
        &json!({"ath": ath(at), "nonce": nonce}),
    );
    let a = resource(&s, api, "DPoP", at, Some(&p));
    assert_eq!(a.status, 200, "{}", a.text);
    assert!(a.header("dpop-nonce").is_some());
}

#[test]
fn the_api_holds_a_bound_token_to_its_key() {
    let s = start(DevConfig::default());
    let k = key();
    let at = service_token(&s, &k).json["access_token"]
        .as_str()
        .unwrap()
        .to_owned();
    let data = "/api/data";
    let ok = resource(
        &s,
        data,
        "DPoP",
        &at,
        Some(&resource_proof(&s, &k, data, &at)),
    );
    assert_eq!(ok.status, 200, "{}", ok.text);
    // The same proof again.
    let p = resource_proof(&s, &k, data, &at);
    assert_eq!(resource(&s, data, "DPoP", &at, Some(&p)).status, 200);
    let replay = resource(&s, data, "DPoP", &at, Some(&p));
    assert_eq!(replay.status, 401);
    assert!(
        replay
            .header("www-authenticate")
            .unwrap()
            .contains(r#"error="invalid_dpop_proof""#)
    );
    // As Bearer, without a proof, with another key's proof, for another URL or method.
    let cases = [
        ("as Bearer", "Bearer", None, "invalid_token"),
        ("no proof", "DPoP", None, "invalid_dpop_proof"),
        (
            "another key",
            "DPoP",
            Some(resource_proof(&s, &key(), data, &at)),
            "invalid_token",
        ),
        (
            "another URL",
            "DPoP",
            Some(resource_proof(&s, &k, "/api/me", &at)),
            "invalid_dpop_proof",
        ),
        (
            "another method",
            "DPoP",
            Some(proof(&k, "POST", &url(&s, data), &json!({"ath": ath(&at)}))),
            "invalid_dpop_proof",
        ),
        (
            "another token's ath",
            "DPoP",
            Some(proof(
                &k,
                "GET",
                &url(&s, data),
                &json!({"ath": ath("other")}),
            )),
            "invalid_dpop_proof",
        ),
    ];
    for (why, scheme, p, expected) in cases {
        let a = resource(&s, data, scheme, &at, p.as_deref());
        assert_eq!(a.status, 401, "{why}: {}", a.text);
        let challenge = a.header("www-authenticate").unwrap();
        assert!(challenge.starts_with("DPoP "), "{why}: {challenge}");
        assert!(
            challenge.contains(&format!("error=\"{expected}\"")),
            "{why}: {challenge}"
        );
        assert!(challenge.contains("algs="), "{why}: {challenge}");
    }
    // An unbound token with the DPoP scheme is refused; as Bearer it works as before.
    let plain = token_with(
        &s,
        None,
        Some(("demo-service", "demo-secret")),
        &[("grant_type", "client_credentials"), ("scope", "api:read")],
    );
    let bearer = plain.json["access_token"].as_str().unwrap();
    let a = resource(
        &s,
        data,
        "DPoP",
        bearer,
        Some(&resource_proof(&s, &k, data, bearer)),
    );
    assert_eq!(a.status, 401);
    assert!(a.header("www-authenticate").unwrap().starts_with("Bearer "));
    assert_eq!(resource(&s, data, "Bearer", bearer, None).status, 200);
    // A request without a token is offered both schemes.
    let none = Answer::from(http().get(url(&s, data)).send().unwrap());
    let schemes: Vec<&str> = none
        .headers
        .get_all("www-authenticate")
        .iter()
        .map(|v| v.to_str().unwrap())
        .collect();
    assert!(schemes[0].starts_with("Bearer "), "{schemes:?}");
    assert!(
        schemes.iter().any(|c| c.starts_with("DPoP ")),
        "{schemes:?}"
    );
}

#[test]
fn userinfo_holds_a_bound_token_to_its_key() {
    let s = start(DevConfig::auto_approve("alice"));
    let k = key();
    let (c, v) = code(&s, &[]);
    let a = redeem_with(
        &s,
        Some(&proof(&k, "POST", &url(&s, "/token"), &json!({}))),
        &c,
        &v,
    );
    let at = a.json["access_token"].as_str().unwrap().to_owned();
    let ui = "/userinfo";
    let ok = resource(&s, ui, "DPoP", &at, Some(&resource_proof(&s, &k, ui, &at)));
    assert_eq!(ok.status, 200, "{}", ok.text);
    assert_eq!(ok.json["sub"], "alice");
    let bearer = resource(&s, ui, "Bearer", &at, None);
    assert_eq!(bearer.status, 401);
    assert!(
        bearer
            .header("www-authenticate")
            .unwrap()
            .starts_with("DPoP ")
    );
    let other = resource(
        &s,
        ui,
        "DPoP",
        &at,
        Some(&resource_proof(&s, &key(), ui, &at)),
    );
    assert_eq!(other.status, 401);
}

#[test]
fn metadata_lists_the_proof_algorithms() {
    let s = start(DevConfig::default());
    let m = crate::support::get(&url(&s, "/.well-known/openid-configuration"), None).json;
    assert_eq!(
        m["dpop_signing_alg_values_supported"],
        json!(["ES256", "EdDSA", "RS256", "PS256"])
    );
}

#[test]
fn a_client_registered_for_dpop_needs_a_proof_and_others_do_not() {
    let file = oauthctl::devserver::ServerConfigFile::parse(
        "[[clients]]\nid = \"bound-svc\"\nsecret = \"s1\"\ngrant_types = [\"client_credentials\"]\n\
         dpop_bound_access_tokens = true\n\
         [[clients]]\nid = \"demo-service\"\nsecret = \"demo-secret\"\ngrant_types = [\"client_credentials\"]\n",
    )
    .unwrap();
    let s = start(DevConfig::default().with_file(file));
    let form = [("grant_type", "client_credentials")];
    let bare = token_with(&s, None, Some(("bound-svc", "s1")), &form);
    assert_eq!(
        (bare.status, error(&bare)),
        (400, "invalid_dpop_proof"),
        "{}",
        bare.text
    );
    let p = proof(&key(), "POST", &url(&s, "/token"), &json!({}));
    let bound = token_with(&s, Some(&p), Some(("bound-svc", "s1")), &form);
    assert_eq!(bound.json["token_type"], "DPoP", "{}", bound.text);
    let other = token_with(&s, None, Some(("demo-service", "demo-secret")), &form);
    assert_eq!(other.json["token_type"], "Bearer", "{}", other.text);
}
