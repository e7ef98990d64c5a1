//! `/token`: codes, error answers and client authentication,
//! duplicate parameters, refresh rotation and reuse detection.

use std::time::Duration;

use oauthctl::devserver::DevConfig;

use super::{CB, active, authorize, code_for, redeem, refresh, start, tokens, url, wide};
use crate::support::{Answer, get, http, location_param, pkce, post, post_basic};

#[test]
fn codes_are_single_use_and_a_replay_revokes_their_tokens() {
    let s = start(DevConfig::auto_approve("alice"));
    let (code, verifier) = code_for(&s, "openid offline_access api:read", None);
    let first = redeem(&s, &code, &verifier);
    assert_eq!(first.status, 200);
    let at = first.json["access_token"].as_str().unwrap();
    let rt = first.json["refresh_token"].as_str().unwrap();
    assert!(active(&s, at));
    let second = redeem(&s, &code, &verifier);
    assert_eq!(second.status, 400);
    assert_eq!(second.json["error"], "invalid_grant");
    assert!(!active(&s, at), "the replay revoked the access token");
    assert!(!active(&s, rt), "and the refresh token");
    assert_eq!(refresh(&s, rt).json["error"], "invalid_grant");
}

#[test]
fn codes_are_bound_to_client_redirect_uri_and_lifetime() {
    let s = start(wide(
        DevConfig::auto_approve("alice").with_code_ttl(Duration::from_secs(1)),
    ));
    // Another client.
    let (code, verifier) = code_for(&s, "openid", None);
    let a = post(
        &url(&s, "/token"),
        &[
            ("grant_type", "authorization_code"),
            ("client_id", "other-cli"),
            ("code", &code),
            ("redirect_uri", CB),
            ("code_verifier", &verifier),
        ],
    );
    assert_eq!(a.json["error"], "invalid_grant");
    // A different redirect_uri, or none.
    for redirect in [Some("http://127.0.0.1:1/callback"), None] {
        let (code, verifier) = code_for(&s, "openid", None);
        let mut form = vec![
            ("grant_type", "authorization_code"),
            ("client_id", "oauthctl"),
            ("code", code.as_str()),
            ("code_verifier", verifier.as_str()),
        ];
        if let Some(r) = redirect {
            form.push(("redirect_uri", r));
        }
        let a = post(&url(&s, "/token"), &form);
        assert_eq!(a.status, 400);
        assert_eq!(a.json["error"], "invalid_grant", "{redirect:?}");
    }
    // Expired.
    let (code, verifier) = code_for(&s, "openid", None);
    std::thread::sleep(Duration::from_millis(1100));
    assert_eq!(redeem(&s, &code, &verifier).json["error"], "invalid_grant");
    assert_eq!(DevConfig::default().code_ttl, Duration::from_secs(60));
}

#[test]
fn token_errors_and_client_authentication() {
    let s = start(wide(DevConfig::default()));
    let t = url(&s, "/token");
    let bad = post(
        &t,
        &[
            ("grant_type", "authorization_code"),
            ("client_id", "oauthctl"),
        ],
    );
    assert_eq!(bad.status, 400);
    assert_eq!(bad.header("cache-control"), Some("no-store"));
    assert_eq!(bad.json["error"], "invalid_request");
    let unknown = post(
        &t,
        &[
            ("grant_type", "client_credentials"),
            ("client_id", "nobody"),
        ],
    );
    assert_eq!(unknown.status, 401);
    assert!(
        unknown
            .header("www-authenticate")
            .unwrap()
            .starts_with("Basic")
    );
    assert_eq!(unknown.json["error"], "invalid_client");
    let wrong = post_basic(
        &t,
        "demo-service",
        "nope",
        &[("grant_type", "client_credentials")],
    );
    assert_eq!(wrong.status, 401);
    assert!(wrong.header("www-authenticate").is_some());
    // Basic credentials are form-urlencoded before base64 (RFC 6749 §2.3.1): reqwest's
    // basic_auth does not encode, so build the header by hand.
    let enc = |s: &str| url::form_urlencoded::byte_serialize(s.as_bytes()).collect::<String>();
    let basic = |id: &str, secret: &str| {
        use base64::Engine as _;
        format!(
            "Basic {}",
            base64::engine::general_purpose::STANDARD.encode(format!("{id}:{secret}"))
        )
    };
    // `web` has the secret `web secret:%+`; grant it a code via the code flow is not needed:
    // an unknown code proves authentication passed (invalid_grant, not invalid_client).
    let form = [
        ("grant_type", "authorization_code"),
        ("code", "x"),
        ("redirect_uri", "https://app.example/cb"),
    ];
    let encoded = Answer::from(
        http()
            .post(&t)
            .header("Authorization", basic(&enc("web"), &enc("web secret:%+")))
            .form(&form)
            .send()
            .unwrap(),
    );
    assert_eq!(encoded.json["error"], "invalid_grant", "{}", encoded.text);
    let raw_secret = Answer::from(
        http()
            .post(&t)
            .header("Authorization", basic("web", "web secret:%+"))
            .form(&form)
            .send()
            .unwrap(),
    );
    assert_eq!(
        raw_secret.status, 401,
        "an unencoded `%+` does not decode to the secret"
    );
    // client_secret_post works too; both methods at once do not.
    let post_auth = post(
        &t,
        &[
            ("grant_type", "client_credentials"),
            ("client_id", "demo-service"),
            ("client_secret", "demo-secret"),
        ],
    );
    assert_eq!(post_auth.status, 200);
    let both = Answer::from(
        http()
            .post(&t)
            .basic_auth("demo-service", Some("demo-secret"))
            .form(&[
                ("grant_type", "client_credentials"),
                ("client_secret", "demo-secret"),
            ])
            .send()
            .unwrap(),
    );
    assert_eq!(both.json["error"], "invalid_request");
    // Public clients: no secret as identity, no client_credentials.
    let public_secret = post(
        &t,
        &[
            ("grant_type", "client_credentials"),
            ("client_id", "oauthctl"),
            ("client_secret", "anything"),
        ],
    );
    assert_eq!(public_secret.status, 401);
    let public_cc = post(
        &t,
        &[
            ("grant_type", "client_credentials"),
            ("client_id", "oauthctl"),
        ],
    );
    assert_eq!(public_cc.json["error"], "unauthorized_client");
    // Not a form / GET / secrets in the query.
    let json_body = Answer::from(
        http()
            .post(&t)
            .header("Content-Type", "application/json")
            .body("{}")
            .send()
            .unwrap(),
    );
    assert_eq!(json_body.json["error"], "invalid_request");
    assert_eq!(get(&t, None).status, 405);
    let unsupported = post_basic(
        &t,
        "demo-service",
        "demo-secret",
        &[("grant_type", "password")],
    );
    assert_eq!(unsupported.json["error"], "unsupported_grant_type");
}

#[test]
fn duplicate_parameters_are_invalid_requests() {
    let s = start(DevConfig::auto_approve("alice"));
    let (_, challenge) = pkce();
    let a = authorize(
        &s,
        &[
            ("response_type", "code"),
            ("client_id", "oauthctl"),
            ("redirect_uri", CB),
            ("scope", "openid"),
            ("scope", "api:read"),
            ("code_challenge", &challenge),
            ("code_challenge_method", "S256"),
        ],
    );
    assert_eq!(a.status, 302);
    assert_eq!(
        location_param(a.header("location").unwrap(), "error").as_deref(),
        Some("invalid_request")
    );
    let dup = [
        ("grant_type", "client_credentials"),
        ("grant_type", "client_credentials"),
        ("token", "x"),
        ("token", "y"),
    ];
    for path in ["/token", "/introspect", "/revoke"] {
        let a = post_basic(&url(&s, path), "demo-service", "demo-secret", &dup);
        assert_eq!(a.status, 400, "{path}");
        assert_eq!(a.json["error"], "invalid_request", "{path}");
    }
}

#[test]
fn refresh_tokens_rotate_and_reuse_revokes_the_family() {
    let s = start(wide(DevConfig::auto_approve("alice")));
    let t = tokens(&s, "openid offline_access api:read");
    let rt1 = t["refresh_token"].as_str().unwrap().to_owned();
    let r2 = refresh(&s, &rt1);
    assert_eq!(r2.status, 200);
    let rt2 = r2.json["refresh_token"].as_str().unwrap().to_owned();
    let at2 = r2.json["access_token"].as_str().unwrap().to_owned();
    assert_ne!(rt1, rt2);
    assert!(!active(&s, &rt1), "a rotated token is spent");
    // Scope can only narrow.
    let grow = post(
        &url(&s, "/token"),
        &[
            ("grant_type", "refresh_token"),
            ("client_id", "oauthctl"),
            ("refresh_token", &rt2),
            ("scope", "api:write"),
        ],
    );
    assert_eq!(grow.json["error"], "invalid_scope");
    // Bound to the client.
    let other = post(
        &url(&s, "/token"),
        &[
            ("grant_type", "refresh_token"),
            ("client_id", "other-cli"),
            ("refresh_token", &rt2),
        ],
    );
    assert_eq!(other.json["error"], "invalid_grant");
    // Reuse of rt1: the whole family goes.
    let reuse = refresh(&s, &rt1);
    assert_eq!(reuse.status, 400);
    assert_eq!(reuse.json["error"], "invalid_grant");
    assert_eq!(refresh(&s, &rt2).json["error"], "invalid_grant");
    assert!(!active(&s, &at2));
    assert!(!active(&s, t["access_token"].as_str().unwrap()));
    // Narrowing works on a fresh grant.
    let t = tokens(&s, "openid offline_access api:read");
    let narrow = post(
        &url(&s, "/token"),
        &[
            ("grant_type", "refresh_token"),
            ("client_id", "oauthctl"),
            ("refresh_token", t["refresh_token"].as_str().unwrap()),
            ("scope", "api:read"),
        ],
    );
    assert_eq!(narrow.json["scope"], "api:read");
}

#[test]
fn refresh_reuse_grace_is_opt_in() {
    assert!(DevConfig::default().refresh_reuse_grace.is_none());
    let s =
        start(DevConfig::auto_approve("alice").with_refresh_reuse_grace(Duration::from_secs(10)));
    let t = tokens(&s, "openid offline_access");
    let rt1 = t["refresh_token"].as_str().unwrap();
    assert_eq!(refresh(&s, rt1).status, 200);
    let again = refresh(&s, rt1);
    assert_eq!(again.status, 200, "within the grace window: {}", again.text);
}
