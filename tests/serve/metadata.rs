//! The server binds loopback and serves matching metadata (RFC 8414, OIDC
//! Discovery) and its keys.

use oauthctl::devserver::DevConfig;

use super::{start, url};
use crate::support::get;

#[test]
fn binds_loopback_and_serves_matching_metadata() {
    let s = start(DevConfig::default());
    assert!(s.local_addr().ip().is_loopback());
    assert!(s.issuer().starts_with("http://127.0.0.1:"));
    assert!(!s.issuer().ends_with('/'));
    let oidc = get(&url(&s, "/.well-known/openid-configuration"), None);
    let oauth = get(&url(&s, "/.well-known/oauth-authorization-server"), None);
    assert_eq!(oidc.status, 200);
    assert_eq!(oidc.json, oauth.json);
    let m = &oidc.json;
    assert_eq!(m["issuer"].as_str(), Some(s.issuer()));
    assert_eq!(
        m["code_challenge_methods_supported"],
        serde_json::json!(["S256"])
    );
    assert_eq!(m["authorization_response_iss_parameter_supported"], true);
    // Every grant of the model, by its grant_type value, in the order of earlier releases.
    assert_eq!(
        m["grant_types_supported"],
        serde_json::json!([
            "authorization_code",
            "refresh_token",
            "client_credentials",
            "urn:ietf:params:oauth:grant-type:device_code",
            "urn:ietf:params:oauth:grant-type:token-exchange",
            "urn:ietf:params:oauth:grant-type:jwt-bearer"
        ])
    );
    for ep in [
        "authorization_endpoint",
        "token_endpoint",
        "device_authorization_endpoint",
        "introspection_endpoint",
        "revocation_endpoint",
        "userinfo_endpoint",
        "jwks_uri",
    ] {
        let v = m[ep].as_str().unwrap();
        assert!(v.starts_with(&format!("{}/", s.issuer())), "{ep}: {v}");
    }
    assert_eq!(s.hits("/.well-known/openid-configuration"), 1);
    let jwks = get(&url(&s, "/jwks"), None);
    assert_eq!(
        jwks.json["keys"][0]["kid"].as_str().unwrap(),
        s.signing_kid()
    );
    assert_eq!(jwks.json["keys"][0]["alg"], "ES256");
}
