//! `/revoke` (RFC 7009).

use oauthctl::devserver::DevConfig;

use super::{active, refresh, start, tokens, url, wide};
use crate::support::{get, post, post_basic};

#[test]
fn revocation_is_authenticated_idempotent_and_cascades() {
    let s = start(wide(DevConfig::auto_approve("alice")));
    let r = url(&s, "/revoke");
    let t = tokens(&s, "openid offline_access api:read");
    let at = t["access_token"].as_str().unwrap();
    let rt = t["refresh_token"].as_str().unwrap();
    assert_eq!(
        post(&r, &[("token", at)]).status,
        401,
        "client authentication required"
    );
    assert_eq!(
        post(&r, &[("client_id", "oauthctl"), ("token", "unknown")]).status,
        200
    );
    // Another client cannot revoke it.
    assert_eq!(
        post_basic(&r, "other-service", "other-secret", &[("token", rt)]).status,
        200
    );
    assert!(active(&s, rt));
    // Revoking the refresh token revokes its access tokens.
    assert_eq!(
        post(&r, &[("client_id", "oauthctl"), ("token", rt)]).status,
        200
    );
    assert!(!active(&s, rt));
    assert!(!active(&s, at));
    assert_eq!(refresh(&s, rt).json["error"], "invalid_grant");
    // Access tokens alone.
    let t = tokens(&s, "api:read");
    let at = t["access_token"].as_str().unwrap();
    assert_eq!(
        post(
            &r,
            &[
                ("client_id", "oauthctl"),
                ("token", at),
                ("token_type_hint", "access_token")
            ]
        )
        .status,
        200
    );
    assert!(!active(&s, at));
    let userinfo = get(&url(&s, "/userinfo"), Some(at));
    assert_eq!(userinfo.status, 401);
}
