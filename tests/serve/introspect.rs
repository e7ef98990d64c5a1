//! `/introspect` (RFC 7662).

use std::time::Duration;

use oauthctl::devserver::DevConfig;

use super::{introspect_as, start, tokens, url, wide};
use crate::support::{get, post, post_basic};

#[test]
fn introspection_requires_auth_and_hides_what_it_must() {
    let s = start(wide(DevConfig::auto_approve("alice")));
    let t = tokens(&s, "openid offline_access api:read");
    let at = t["access_token"].as_str().unwrap();
    let rt = t["refresh_token"].as_str().unwrap();
    let i = url(&s, "/introspect");
    // Client authentication is required; POST only.
    let anon = post(&i, &[("token", at)]);
    assert_eq!(anon.status, 401);
    assert_eq!(get(&i, None).status, 405);
    let wrong = post_basic(&i, "demo-service", "x", &[("token", at)]);
    assert_eq!(wrong.status, 401);
    // Own token by client_id alone (public client), any token for demo-service.
    let own = introspect_as(&s, ("oauthctl", None), at);
    assert_eq!(own["active"], true);
    assert_eq!(own["client_id"], "oauthctl");
    assert_eq!(own["sub"], "alice");
    assert_eq!(own["username"], "alice");
    assert_eq!(introspect_as(&s, ("oauthctl", None), rt)["active"], true);
    assert_eq!(
        introspect_as(&s, ("demo-service", Some("demo-secret")), at)["active"],
        true
    );
    // Foreign: another client sees only {"active": false}.
    for who in [("other-service", Some("other-secret")), ("other-cli", None)] {
        let v = introspect_as(&s, who, at);
        assert_eq!(v, serde_json::json!({"active": false}), "{who:?}");
    }
    // Unknown.
    assert_eq!(
        introspect_as(&s, ("demo-service", Some("demo-secret")), "not-a-token"),
        serde_json::json!({"active": false})
    );
    // Expired (a server with one-second access tokens).
    let short =
        start(DevConfig::auto_approve("alice").with_access_token_ttl(Duration::from_secs(1)));
    let at = tokens(&short, "api:read")["access_token"]
        .as_str()
        .unwrap()
        .to_owned();
    std::thread::sleep(Duration::from_millis(2100));
    assert_eq!(
        introspect_as(&short, ("demo-service", Some("demo-secret")), &at),
        serde_json::json!({"active": false})
    );
}
