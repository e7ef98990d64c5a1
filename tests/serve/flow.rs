//! The full flow as an independent client would drive it: real login and consent pages,
//! the token exchange, the demo API, userinfo, refresh and client credentials.

use oauthctl::devserver::DevConfig;

use super::{
    CB, assert_page_headers, authorize, client_credentials, redeem, refresh, session_cookie, start,
    url,
};
use crate::support::{Answer, get, hidden, http, jwt_parts, location_param, pkce};

#[test]
fn independent_client_authorization_code_refresh_and_client_credentials() {
    let s = start(DevConfig::default());
    let (verifier, challenge) = pkce();
    // 1. The authorization request shows the login page (no auto-approve by default).
    let page = authorize(
        &s,
        &[
            ("response_type", "code"),
            ("client_id", "oauthctl"),
            ("redirect_uri", CB),
            (
                "scope",
                "openid profile email offline_access api:read api:write",
            ),
            ("state", "xyz state/+="),
            ("nonce", "nonce-123"),
            ("code_challenge", &challenge),
            ("code_challenge_method", "S256"),
        ],
    );
    assert_eq!(page.status, 200);
    assert!(page.text.contains("<form"), "{}", page.text);
    assert_page_headers(&page);
    let cookie = session_cookie(&page);
    let txn = hidden(&page.text, "txn");
    let csrf = hidden(&page.text, "csrf");
    // 2. Credentials.
    let consent = Answer::from(
        http()
            .post(url(&s, "/authorize/login"))
            .header("Cookie", &cookie)
            .form(&[
                ("txn", txn.as_str()),
                ("csrf", csrf.as_str()),
                ("username", "alice"),
                ("password", "alice"),
            ])
            .send()
            .unwrap(),
    );
    assert_eq!(consent.status, 200, "{}", consent.text);
    assert!(consent.text.contains("Allow"));
    assert!(consent.text.contains("api:write"));
    assert_page_headers(&consent);
    // 3. Consent, then the redirect (303 after POST).
    let back = Answer::from(
        http()
            .post(url(&s, "/authorize/consent"))
            .header("Cookie", &cookie)
            .form(&[
                ("txn", txn.as_str()),
                ("csrf", hidden(&consent.text, "csrf").as_str()),
                ("decision", "approve"),
            ])
            .send()
            .unwrap(),
    );
    assert_eq!(back.status, 303);
    let loc = back.header("location").unwrap();
    assert!(loc.starts_with(CB));
    assert_eq!(
        location_param(loc, "state").as_deref(),
        Some("xyz state/+=")
    );
    assert_eq!(location_param(loc, "iss").as_deref(), Some(s.issuer()));
    let code = location_param(loc, "code").unwrap();
    assert!(code.len() >= 22, "≥128 bits");
    // 4. Token exchange.
    let t = redeem(&s, &code, &verifier);
    assert_eq!(t.status, 200, "{}", t.text);
    assert_eq!(t.header("cache-control"), Some("no-store"));
    assert_eq!(t.json["token_type"], "Bearer");
    let at = t.json["access_token"].as_str().unwrap();
    let (h, c) = jwt_parts(at);
    assert_eq!(h["typ"], "at+jwt");
    assert_eq!(h["alg"], "ES256");
    assert_eq!(h["kid"].as_str(), Some(s.signing_kid().as_str()));
    assert_eq!(c["iss"].as_str(), Some(s.issuer()));
    assert_eq!(c["sub"], "alice");
    assert_eq!(c["aud"].as_str(), Some(s.api_audience().as_str()));
    assert_eq!(c["client_id"], "oauthctl");
    assert_eq!(c["roles"], serde_json::json!(["admin"]));
    for claim in ["exp", "iat", "jti", "scope"] {
        assert!(!c[claim].is_null(), "{claim}");
    }
    // ID token.
    let (ih, ic) = jwt_parts(t.json["id_token"].as_str().unwrap());
    assert!(ih["kid"].is_string());
    assert_eq!(ic["aud"], "oauthctl");
    assert_eq!(ic["azp"], "oauthctl");
    assert_eq!(ic["nonce"], "nonce-123");
    assert_eq!(ic["sub"], "alice");
    assert_eq!(ic["email"], "alice@example.com");
    let auth_time = ic["auth_time"].as_u64().unwrap();
    assert!(ic["iat"].is_u64() && ic["exp"].is_u64());
    // 5. The demo API and userinfo.
    let me = get(&url(&s, "/api/me"), Some(at));
    assert_eq!(me.status, 200, "{}", me.text);
    assert_eq!(me.json["sub"], "alice");
    assert_eq!(me.json["roles"], serde_json::json!(["admin"]));
    let posted = Answer::from(
        http()
            .post(url(&s, "/api/data"))
            .bearer_auth(at)
            .body(r#"{"hello":"world"}"#)
            .send()
            .unwrap(),
    );
    assert_eq!(posted.status, 201, "{}", posted.text);
    let listed = get(&url(&s, "/api/data"), Some(at));
    assert_eq!(listed.json["items"][0]["data"]["hello"], "world");
    let ui = get(&url(&s, "/userinfo"), Some(at));
    assert_eq!(ui.status, 200);
    assert_eq!(ui.json["sub"], "alice");
    // 6. Refresh: rotated, auth_time kept, no nonce.
    let rt = t.json["refresh_token"].as_str().unwrap();
    let r = refresh(&s, rt);
    assert_eq!(r.status, 200, "{}", r.text);
    assert_ne!(r.json["refresh_token"].as_str().unwrap(), rt);
    let (_, ric) = jwt_parts(r.json["id_token"].as_str().unwrap());
    assert_eq!(ric["auth_time"].as_u64(), Some(auth_time));
    assert_eq!(ric["sub"], "alice");
    assert!(ric["nonce"].is_null());
    // 7. Client credentials.
    let cc = client_credentials(&s, "api:read");
    assert_eq!(cc.status, 200, "{}", cc.text);
    assert!(cc.json["refresh_token"].is_null());
    let (_, ccc) = jwt_parts(cc.json["access_token"].as_str().unwrap());
    assert_eq!(ccc["sub"], "demo-service");
    assert_eq!(ccc["scope"], "api:read");
    let data = get(&url(&s, "/api/data"), cc.json["access_token"].as_str());
    assert_eq!(data.status, 200);
    assert_eq!(s.hits("/token"), 3);
}
