//! Pushed authorization requests (RFC 9126): `/par`, `/authorize` with `request_uri`,
//! single use, expiry, `--require-par` and the per-client requirement, and DPoP at `/par`.

use std::time::Duration;

use oauthctl::devserver::{DevConfig, DevServer, ServerConfigFile};
use oauthctl::oauth::jose::{SigningAlg, SigningKey};
use serde_json::json;

use super::dpop::{proof, token_with};
use super::{CB, authorize, start, url};
use crate::support::{Answer, http, location_param, pkce, post, post_basic};

/// The authorization request of the public client `oauthctl`, with `challenge`.
fn request(challenge: &str) -> Vec<(&'static str, String)> {
    vec![
        ("response_type", "code".to_owned()),
        ("client_id", "oauthctl".to_owned()),
        ("redirect_uri", CB.to_owned()),
        ("scope", "openid api:read".to_owned()),
        ("state", "st-par".to_owned()),
        ("code_challenge", challenge.to_owned()),
        ("code_challenge_method", "S256".to_owned()),
    ]
}

fn push(s: &DevServer, form: &[(&str, String)], dpop: Option<&str>) -> Answer {
    let mut rq = http().post(url(s, "/par")).form(form);
    if let Some(p) = dpop {
        rq = rq.header("DPoP", p);
    }
    Answer::from(rq.send().unwrap())
}

/// `/authorize` with `client_id` and `request_uri` only.
fn authorize_pushed(s: &DevServer, client_id: &str, uri: &str) -> Answer {
    authorize(s, &[("client_id", client_id), ("request_uri", uri)])
}

fn redeem(s: &DevServer, code: &str, verifier: &str, dpop: Option<&str>) -> Answer {
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

#[test]
fn a_pushed_request_is_authorized_once_by_its_request_uri() {
    let s = start(DevConfig::auto_approve("alice"));
    let (verifier, challenge) = pkce();
    let pushed = push(&s, &request(&challenge), None);
    assert_eq!(pushed.status, 201, "{}", pushed.text);
    assert_eq!(pushed.json["expires_in"], 60);
    assert_eq!(pushed.header("cache-control"), Some("no-store"));
    let uri = pushed.json["request_uri"].as_str().unwrap().to_owned();
    assert!(
        uri.starts_with("urn:ietf:params:oauth:request_uri:"),
        "{uri}"
    );
    assert_eq!(s.store_sizes().pushed_authorization_requests, 1);
    let a = authorize_pushed(&s, "oauthctl", &uri);
    assert_eq!(a.status, 302, "{}", a.text);
    let loc = a.header("location").unwrap().to_owned();
    assert!(loc.starts_with(CB), "{loc}");
    assert_eq!(location_param(&loc, "state").as_deref(), Some("st-par"));
    let code = location_param(&loc, "code").unwrap();
    let t = redeem(&s, &code, &verifier, None);
    assert_eq!(t.status, 200, "{}", t.text);
    // Used once: the second use is an error page, never a redirect.
    let again = authorize_pushed(&s, "oauthctl", &uri);
    assert_eq!(again.status, 400, "{}", again.text);
    assert!(again.header("location").is_none());
    assert!(
        again.text.contains("unknown, expired or was used"),
        "{}",
        again.text
    );
    assert_eq!(s.store_sizes().pushed_authorization_requests, 0);
}

#[test]
fn a_request_uri_expires() {
    let s = start(DevConfig::auto_approve("alice").with_par_ttl(Duration::from_secs(1)));
    let (_, challenge) = pkce();
    let pushed = push(&s, &request(&challenge), None);
    assert_eq!(pushed.json["expires_in"], 1);
    let uri = pushed.json["request_uri"].as_str().unwrap().to_owned();
    std::thread::sleep(Duration::from_millis(1100));
    let late = authorize_pushed(&s, "oauthctl", &uri);
    assert_eq!(late.status, 400, "{}", late.text);
    assert!(late.header("location").is_none());
}

#[test]
fn request_uri_requests_carry_nothing_else_and_belong_to_their_client() {
    let s = start(super::wide(DevConfig::auto_approve("alice")));
    let (_, challenge) = pkce();
    let uri = push(&s, &request(&challenge), None).json["request_uri"]
        .as_str()
        .unwrap()
        .to_owned();
    // Another parameter beside request_uri (RFC 9126 §4).
    let mixed = authorize(
        &s,
        &[
            ("client_id", "oauthctl"),
            ("request_uri", &uri),
            ("scope", "openid"),
        ],
    );
    assert_eq!(mixed.status, 400, "{}", mixed.text);
    assert!(mixed.text.contains("scope"), "{}", mixed.text);
    // Without client_id, or with another client's.
    assert_eq!(authorize(&s, &[("request_uri", &uri)]).status, 400);
    let other = authorize_pushed(&s, "other-cli", &uri);
    assert_eq!(other.status, 400);
    assert!(other.text.contains("another client"), "{}", other.text);
    // The refusals did not use it up: its own client still can.
    assert_eq!(authorize_pushed(&s, "oauthctl", &uri).status, 302);
    let made_up = authorize_pushed(&s, "oauthctl", "urn:example:not-ours");
    assert_eq!(made_up.status, 400);
}

#[test]
fn par_validates_like_authorize_and_authenticates_like_token() {
    let s = start(super::wide(DevConfig::default()));
    let (_, challenge) = pkce();
    let mut unregistered = request(&challenge);
    unregistered[2].1 = "http://127.0.0.1:1/elsewhere".to_owned();
    let a = push(&s, &unregistered, None);
    assert_eq!(
        (a.status, a.json["error"].as_str()),
        (400, Some("invalid_request")),
        "{}",
        a.text
    );
    let no_pkce: Vec<_> = request(&challenge)
        .into_iter()
        .filter(|(k, _)| !k.starts_with("code_challenge"))
        .collect();
    let a = push(&s, &no_pkce, None);
    assert_eq!(a.json["error"], "invalid_request", "{}", a.text);
    let mut nested = request(&challenge);
    nested.push((
        "request_uri",
        "urn:ietf:params:oauth:request_uri:x".to_owned(),
    ));
    assert_eq!(push(&s, &nested, None).json["error"], "invalid_request");
    // A confidential client authenticates at /par; without its secret it is refused.
    let web = [
        ("response_type", "code"),
        ("client_id", "web"),
        ("redirect_uri", "https://app.example/cb"),
        ("scope", "openid"),
    ];
    let anonymous = post(&url(&s, "/par"), &web);
    assert_eq!(anonymous.status, 401, "{}", anonymous.text);
    let with_secret = post_basic(&url(&s, "/par"), "web", "web secret:%+", &web);
    assert_eq!(with_secret.status, 201, "{}", with_secret.text);
    assert_eq!(http().get(url(&s, "/par")).send().unwrap().status(), 405);
    let meta = crate::support::get(&url(&s, "/.well-known/openid-configuration"), None).json;
    assert_eq!(
        meta["pushed_authorization_request_endpoint"],
        url(&s, "/par")
    );
    assert_eq!(meta["require_pushed_authorization_requests"], false);
}

#[test]
fn require_par_refuses_requests_that_were_not_pushed() {
    let s = start(DevConfig::auto_approve("alice").with_require_par());
    let (_, challenge) = pkce();
    let plain: Vec<(&str, String)> = request(&challenge);
    let plain: Vec<(&str, &str)> = plain.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let a = authorize(&s, &plain);
    assert_eq!(a.status, 302, "{}", a.text);
    let loc = a.header("location").unwrap();
    assert_eq!(
        location_param(loc, "error").as_deref(),
        Some("invalid_request")
    );
    assert!(location_param(loc, "code").is_none());
    assert!(
        location_param(loc, "error_description")
            .unwrap()
            .contains("pushed authorization requests are required")
    );
    let uri = push(&s, &request(&challenge), None).json["request_uri"]
        .as_str()
        .unwrap()
        .to_owned();
    let ok = authorize_pushed(&s, "oauthctl", &uri);
    assert!(location_param(ok.header("location").unwrap(), "code").is_some());
    let meta = crate::support::get(&url(&s, "/.well-known/oauth-authorization-server"), None);
    assert_eq!(meta.json["require_pushed_authorization_requests"], true);
}

#[test]
fn a_client_may_require_par_for_itself() {
    let file = ServerConfigFile::parse(
        "[[clients]]\nid = \"strict\"\nredirect_uris = [\"http://127.0.0.1/callback\"]\n\
         grant_types = [\"authorization_code\"]\nrequire_pushed_authorization_requests = true\n\
         [[clients]]\nid = \"oauthctl\"\nredirect_uris = [\"http://127.0.0.1/callback\"]\n\
         grant_types = [\"authorization_code\"]\n",
    )
    .unwrap();
    let s = start(DevConfig::auto_approve("alice").with_file(file));
    let (_, challenge) = pkce();
    for (client, refused) in [("strict", true), ("oauthctl", false)] {
        let a = authorize(
            &s,
            &[
                ("response_type", "code"),
                ("client_id", client),
                ("redirect_uri", CB),
                ("code_challenge", &challenge),
                ("code_challenge_method", "S256"),
            ],
        );
        let loc = a.header("location").unwrap();
        assert_eq!(
            location_param(loc, "error").is_some(),
            refused,
            "{client}: {loc}"
        );
    }
}

#[test]
fn a_proof_at_par_binds_the_code_to_its_key() {
    let s = start(DevConfig::auto_approve("alice"));
    let k = SigningKey::generate(SigningAlg::Es256).unwrap();
    let (verifier, challenge) = pkce();
    let p = proof(&k, "POST", &url(&s, "/par"), &json!({}));
    let pushed = push(&s, &request(&challenge), Some(&p));
    assert_eq!(pushed.status, 201, "{}", pushed.text);
    let uri = pushed.json["request_uri"].as_str().unwrap().to_owned();
    let loc = authorize_pushed(&s, "oauthctl", &uri)
        .header("location")
        .unwrap()
        .to_owned();
    let code = location_param(&loc, "code").unwrap();
    let other = SigningKey::generate(SigningAlg::Es256).unwrap();
    let wrong = redeem(
        &s,
        &code,
        &verifier,
        Some(&proof(&other, "POST", &url(&s, "/token"), &json!({}))),
    );
    assert_eq!(wrong.json["error"], "invalid_grant", "{}", wrong.text);
    // A proof for another URL is refused at /par itself, and a dpop_jkt that contradicts
    // the proof too.
    let bad = push(
        &s,
        &request(&challenge),
        Some(&proof(&k, "POST", &url(&s, "/token"), &json!({}))),
    );
    assert_eq!(bad.json["error"], "invalid_dpop_proof", "{}", bad.text);
    let mut contradicting = request(&challenge);
    contradicting.push(("dpop_jkt", other.thumbprint().to_owned()));
    let c = push(
        &s,
        &contradicting,
        Some(&proof(&k, "POST", &url(&s, "/par"), &json!({}))),
    );
    assert_eq!(c.json["error"], "invalid_dpop_proof", "{}", c.text);
}
