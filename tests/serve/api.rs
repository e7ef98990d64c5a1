//! The demo API (RFC 6750) and its protected resource metadata (RFC 9728).

use std::time::Duration;

use oauthctl::devserver::DevConfig;

use super::{CB, authorize, client_credentials, redeem, start, tokens, url};
use crate::support::{Answer, get, http, jwt_parts, location_param, pkce};

#[test]
fn demo_api_checks_token_scope_and_role() {
    let s = start(DevConfig::auto_approve("alice"));
    let me = url(&s, "/api/me");
    let none = get(&me, None);
    assert_eq!(none.status, 401);
    let challenge = none.header("www-authenticate").unwrap();
    assert!(challenge.starts_with("Bearer realm="), "{challenge}");
    assert!(!challenge.contains("error="));
    let junk = get(&me, Some("not.a.jwt"));
    assert_eq!(junk.status, 401);
    assert!(
        junk.header("www-authenticate")
            .unwrap()
            .contains("error=\"invalid_token\"")
    );
    // An ID token is not an access token.
    let t = tokens(&s, "openid api:read");
    let id = get(&me, t["id_token"].as_str());
    assert_eq!(id.status, 401);
    // A token for another audience (here a name, which `audience` takes as it is).
    let (verifier, challenge) = pkce();
    let a = authorize(
        &s,
        &[
            ("response_type", "code"),
            ("client_id", "oauthctl"),
            ("redirect_uri", CB),
            ("audience", "https://other.example/"),
            ("code_challenge", &challenge),
            ("code_challenge_method", "S256"),
        ],
    );
    let code = location_param(a.header("location").unwrap(), "code").unwrap();
    let other = redeem(&s, &code, &verifier);
    let other_at = other.json["access_token"].as_str().unwrap();
    assert_eq!(jwt_parts(other_at).1["aud"], "https://other.example/");
    let wrong_aud = get(&me, Some(other_at));
    assert_eq!(wrong_aud.status, 401);
    assert!(
        wrong_aud
            .header("www-authenticate")
            .unwrap()
            .contains("invalid_token")
    );
    // Scope and role.
    let read_only = t["access_token"].as_str().unwrap();
    assert_eq!(get(&url(&s, "/api/data"), Some(read_only)).status, 200);
    let write = Answer::from(
        http()
            .post(url(&s, "/api/data"))
            .bearer_auth(read_only)
            .body("{}")
            .send()
            .unwrap(),
    );
    assert_eq!(write.status, 403);
    assert!(
        write
            .header("www-authenticate")
            .unwrap()
            .contains("error=\"insufficient_scope\"")
    );
    let cc = client_credentials(&s, "api:write");
    let no_read = get(&url(&s, "/api/data"), cc.json["access_token"].as_str());
    assert_eq!(no_read.status, 403);
    // The token in the query is refused.
    let q = get(&format!("{me}?access_token={read_only}"), None);
    assert_eq!(q.status, 400);
    // Expired (a server with one-second access tokens).
    let short =
        start(DevConfig::auto_approve("alice").with_access_token_ttl(Duration::from_secs(1)));
    let soon = tokens(&short, "api:read")["access_token"]
        .as_str()
        .unwrap()
        .to_owned();
    std::thread::sleep(Duration::from_millis(2100));
    let expired = get(&url(&short, "/api/me"), Some(&soon));
    assert_eq!(expired.status, 401);
    assert!(
        expired
            .header("www-authenticate")
            .unwrap()
            .contains("invalid_token")
    );
}

#[test]
fn demo_api_enforces_the_admin_role() {
    let s = start(DevConfig::auto_approve("bob"));
    let t = tokens(&s, "api:read api:write");
    let at = t["access_token"].as_str().unwrap();
    let post_data = Answer::from(
        http()
            .post(url(&s, "/api/data"))
            .bearer_auth(at)
            .body("{}")
            .send()
            .unwrap(),
    );
    assert_eq!(post_data.status, 403, "bob is a reader");
    assert!(
        post_data
            .header("www-authenticate")
            .unwrap()
            .contains("insufficient_scope")
    );
    assert_eq!(get(&url(&s, "/api/data"), Some(at)).status, 200);
}

/// The demo API's challenges point to the route's protected resource metadata (RFC 9728
/// §5.1), which names the resource identifier its tokens may carry as `aud` (`call` builds
/// its `--resource` hint from it); the API as a whole has a document too.
#[test]
fn demo_api_publishes_its_protected_resource_metadata() {
    let s = start(DevConfig::auto_approve("alice"));
    let me_meta = url(&s, "/.well-known/oauth-protected-resource/api/me");
    let data_meta = url(&s, "/.well-known/oauth-protected-resource/api/data");
    let none = get(&url(&s, "/api/me"), None);
    let junk = get(&url(&s, "/api/me"), Some("not.a.jwt"));
    let cc = client_credentials(&s, "api:write");
    let scope = get(&url(&s, "/api/data"), cc.json["access_token"].as_str());
    for (status, answer, meta_url) in [
        (401, none, &me_meta),
        (401, junk, &me_meta),
        (403, scope, &data_meta),
    ] {
        assert_eq!(answer.status, status);
        let challenge = answer.header("www-authenticate").unwrap();
        let expected = format!("resource_metadata=\"{meta_url}\"");
        assert!(challenge.contains(&expected), "{challenge}");
    }
    let meta = get(&url(&s, "/.well-known/oauth-protected-resource/api"), None);
    assert_eq!(meta.status, 200);
    assert_eq!(meta.json["resource"], s.api_audience());
    assert_eq!(meta.json["authorization_servers"][0], s.issuer());
    assert_eq!(meta.json["bearer_methods_supported"][0], "header");
}

#[test]
fn deeply_nested_json_bodies_are_handled_without_exhausting_the_stack() {
    let s = start(DevConfig::auto_approve("alice"));
    let t = tokens(&s, "api:read api:write");
    let at = t["access_token"].as_str().unwrap();
    // serde_json refuses deeper nesting than 128 itself.
    for (depth, status) in [(127, 201), (200, 400)] {
        let body = format!("{}{}", "[".repeat(depth), "]".repeat(depth));
        let a = Answer::from(
            http()
                .post(url(&s, "/api/data"))
                .bearer_auth(at)
                .body(body)
                .send()
                .unwrap(),
        );
        assert_eq!(a.status, status, "depth {depth}");
    }
    assert_eq!(get(&url(&s, "/api/data"), Some(at)).status, 200);
}
