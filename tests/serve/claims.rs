//! Custom claims per user and per client, with templates (docs/serve.md, "Custom
//! claims"): in the access token, the ID token, userinfo and introspection.

use oauthctl::devserver::{DevConfig, ServerConfigFile};
use serde_json::{Value, json};

use super::{client_credentials, refresh, start, tokens, url};
use crate::support::{get, jwt_parts, post_basic};

/// The built-in clients and users with custom claims: the `oauthctl` client and `alice`
/// both set `shared`, `demo-service` has templates that need no user.
pub(super) const CONFIG: &str = r#"
[[clients]]
id = "oauthctl"
redirect_uris = ["http://127.0.0.1/callback"]
grant_types = ["authorization_code", "refresh_token"]
post_logout_redirect_uris = ["https://app.example/signed-out"]

[clients.claims]
tenant = "{client_id}"
shared = "from the client"

[[clients]]
id = "demo-service"
secret = "demo-secret"
grant_types = ["client_credentials"]
introspect_any = true

[clients.claims]
service = "{sub}@{issuer}"
who = "user:{username}"
literal = "{{client_id}}"

[[users]]
username = "alice"
password = "alice"
roles = ["admin"]
email = "alice@example.com"

[users.claims]
department = "eng"
level = 3
groups = ["dev", "ops"]
shared = "from the user"
granted = "{scope}"
"#;

pub(super) fn config() -> DevConfig {
    DevConfig::auto_approve("alice").with_file(ServerConfigFile::parse(CONFIG).unwrap())
}

fn custom(doc: &Value) -> Value {
    json!({
        "tenant": doc["tenant"], "shared": doc["shared"], "department": doc["department"],
        "level": doc["level"], "groups": doc["groups"], "granted": doc["granted"],
    })
}

#[test]
fn user_and_client_claims_reach_every_token_and_endpoint() {
    let s = start(config());
    let scope = "openid email offline_access";
    let want = json!({
        "tenant": "oauthctl", "shared": "from the user", "department": "eng", "level": 3,
        "groups": ["dev", "ops"], "granted": scope,
    });
    let t = tokens(&s, scope);
    let at = t["access_token"].as_str().unwrap();
    let (_, access) = jwt_parts(at);
    assert_eq!(custom(&access), want, "{access}");
    assert_eq!(access["sub"], "alice");
    assert_eq!(
        access["roles"],
        json!(["admin"]),
        "the registered claims stay"
    );
    let (_, id) = jwt_parts(t["id_token"].as_str().unwrap());
    assert_eq!(custom(&id), want, "{id}");
    assert_eq!(id["aud"], "oauthctl");
    assert_eq!(id["email"], "alice@example.com");
    let info = get(&url(&s, "/userinfo"), Some(at));
    assert_eq!(info.status, 200, "{}", info.text);
    assert_eq!(custom(&info.json), want, "{}", info.text);
    let intro = post_basic(
        &url(&s, "/introspect"),
        "demo-service",
        "demo-secret",
        &[("token", at)],
    );
    assert_eq!(intro.json["active"], true, "{}", intro.text);
    assert_eq!(custom(&intro.json), want, "{}", intro.text);
    // A refreshed access token carries them too.
    let r = refresh(&s, t["refresh_token"].as_str().unwrap());
    assert_eq!(r.status, 200, "{}", r.text);
    let (_, refreshed) = jwt_parts(r.json["access_token"].as_str().unwrap());
    assert_eq!(custom(&refreshed), want, "{refreshed}");
}

#[test]
fn client_credentials_tokens_carry_the_client_claims() {
    let s = start(config());
    let a = client_credentials(&s, "");
    assert_eq!(a.status, 200, "{}", a.text);
    let (_, claims) = jwt_parts(a.json["access_token"].as_str().unwrap());
    assert_eq!(claims["sub"], "demo-service");
    assert_eq!(
        claims["service"],
        format!("demo-service@{}", s.issuer()),
        "{claims}"
    );
    assert_eq!(claims["who"], "user:", "no user: {{username}} is empty");
    assert_eq!(claims["literal"], "{client_id}", "{{{{ and }}}} escape");
    assert!(claims.get("department").is_none(), "{claims}");
}

#[test]
fn without_custom_claims_tokens_are_as_before() {
    let s = start(DevConfig::auto_approve("alice"));
    let t = tokens(&s, "openid");
    let (_, access) = jwt_parts(t["access_token"].as_str().unwrap());
    let mut names: Vec<&str> = access
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    names.sort_unstable();
    assert_eq!(
        names,
        [
            "aud",
            "auth_time",
            "client_id",
            "exp",
            "grant_id",
            "iat",
            "iss",
            "jti",
            "nbf",
            "roles",
            "scope",
            "sub",
            "username"
        ]
    );
}

#[test]
fn discovery_lists_the_custom_claims() {
    let s = start(config());
    let m = get(&url(&s, "/.well-known/openid-configuration"), None).json;
    let names: Vec<&str> = m["claims_supported"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(serde_json::Value::as_str)
        .collect();
    for want in [
        "sub",
        "roles",
        "tenant",
        "shared",
        "service",
        "department",
        "granted",
    ] {
        assert!(names.contains(&want), "{want}: {names:?}");
    }
    assert_eq!(
        names.iter().filter(|n| **n == "shared").count(),
        1,
        "once each: {names:?}"
    );
}
