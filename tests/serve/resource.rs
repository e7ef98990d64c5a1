//! The demo API as RFC 9728 protected resources: the metadata documents, the challenges
//! that name the metadata and the scope a request needs, and the audience rules of RFC 8707
//! at `/authorize`, `/token` and the API (docs/serve.md, "The demo API as a protected
//! resource").

use oauthctl::devserver::{DevConfig, DevServer};
use serde_json::{Value, json};

use super::{CB, authorize, client_credentials, refresh, start, tokens, url};
use crate::support::{Answer, get, http, jwt_parts, location_param, pkce, post_basic};

/// The value of parameter `name` of a `WWW-Authenticate` challenge (the dev server quotes
/// every value and puts no quote inside the values read here).
fn param<'a>(challenge: &'a str, name: &str) -> Option<&'a str> {
    let start = challenge.find(&format!(" {name}=\""))? + name.len() + 3;
    let len = challenge[start..].find('"')?;
    Some(&challenge[start..start + len])
}

fn challenge(a: &Answer) -> String {
    a.header("www-authenticate")
        .expect("a WWW-Authenticate challenge")
        .to_owned()
}

fn post_json(url: &str, bearer: Option<&str>) -> Answer {
    let mut rq = http().post(url).body("{}");
    if let Some(t) = bearer {
        rq = rq.bearer_auth(t);
    }
    Answer::from(rq.send().unwrap())
}

/// A code-flow token set for alice (auto-approve) with `extra` authorization parameters
/// and `token_extra` token parameters.
fn code_tokens(s: &DevServer, extra: &[(&str, &str)], token_extra: &[(&str, &str)]) -> Answer {
    let (verifier, challenge) = pkce();
    let mut p = vec![
        ("response_type", "code"),
        ("client_id", "oauthctl"),
        ("redirect_uri", CB),
        ("code_challenge", challenge.as_str()),
        ("code_challenge_method", "S256"),
    ];
    p.extend_from_slice(extra);
    let a = authorize(s, &p);
    assert_eq!(a.status, 302, "{}", a.text);
    let loc = a.header("location").unwrap();
    let code = location_param(loc, "code").unwrap_or_else(|| panic!("no code: {loc}"));
    let mut form = vec![
        ("grant_type", "authorization_code"),
        ("client_id", "oauthctl"),
        ("code", code.as_str()),
        ("redirect_uri", CB),
        ("code_verifier", verifier.as_str()),
    ];
    form.extend_from_slice(token_extra);
    Answer::from(http().post(url(s, "/token")).form(&form).send().unwrap())
}

#[test]
fn every_resource_publishes_metadata_naming_the_identifier_of_its_url() {
    let s = start(DevConfig::default());
    let i = s.issuer();
    let api_scopes = json!(["api:read", "api:write", "api:admin"]);
    for (path, resource, scopes) in [
        ("", i.to_owned(), Some(api_scopes.clone())),
        ("/api", format!("{i}/api"), Some(api_scopes.clone())),
        ("/api/me", format!("{i}/api/me"), None),
        (
            "/api/data",
            format!("{i}/api/data"),
            Some(json!(["api:read", "api:write"])),
        ),
        (
            "/api/admin",
            format!("{i}/api/admin"),
            Some(json!(["api:admin"])),
        ),
    ] {
        let doc_url = url(&s, &format!("/.well-known/oauth-protected-resource{path}"));
        let doc = get(&doc_url, None);
        assert_eq!(doc.status, 200, "{doc_url}");
        assert_eq!(doc.header("content-type"), Some("application/json"));
        let m = &doc.json;
        // RFC 9728 §3.3: the identifier the well-known URL was made from.
        assert_eq!(m["resource"], resource.as_str(), "{doc_url}");
        assert_eq!(m["authorization_servers"], json!([i]));
        assert_eq!(m["bearer_methods_supported"], json!(["header"]));
        assert_eq!(m.get("scopes_supported").cloned(), scopes, "{doc_url}");
        assert!(m["resource_name"].as_str().unwrap().contains("demo API"));
    }
    // Nothing else under the well-known prefix, and only GET and HEAD.
    for path in ["/api/other", "/api/", "/api/data/x", "/token"] {
        let doc = get(
            &url(&s, &format!("/.well-known/oauth-protected-resource{path}")),
            None,
        );
        assert_eq!(doc.status, 404, "{path}");
    }
    let post = Answer::from(
        http()
            .post(url(&s, "/.well-known/oauth-protected-resource/api/data"))
            .send()
            .unwrap(),
    );
    assert_eq!(post.status, 405);
}

/// RFC 6750 §3 and RFC 9728 §5.1: a request without a token gets the route's metadata URL
/// and the scope its method needs; a bad token gets the same plus `invalid_token`.
#[test]
fn challenges_name_the_metadata_and_the_scope_the_request_needs() {
    let s = start(DevConfig::default());
    let i = s.issuer().to_owned();
    let cases = [
        ("GET", "/api/me", None),
        ("GET", "/api/data", Some("api:read")),
        ("POST", "/api/data", Some("api:write")),
        ("GET", "/api/admin", Some("api:admin")),
    ];
    for (method, path, scope) in cases {
        let meta = format!("{i}/.well-known/oauth-protected-resource{path}");
        for token in [None, Some("not.a.jwt")] {
            let a = if method == "POST" {
                post_json(&url(&s, path), token)
            } else {
                get(&url(&s, path), token)
            };
            assert_eq!(a.status, 401, "{method} {path}");
            let c = challenge(&a);
            assert!(c.starts_with("Bearer "), "{c}");
            assert_eq!(param(&c, "resource_metadata"), Some(meta.as_str()), "{c}");
            assert_eq!(param(&c, "scope"), scope, "{c}");
            assert_eq!(
                param(&c, "error"),
                token.map(|_| "invalid_token"),
                "{method} {path}: {c}"
            );
        }
    }
}

/// A token without the scope a request needs gets `403 insufficient_scope` naming that
/// scope, so that a client can ask for it (step-up): here a default login's token at
/// `/api/admin`, and a read-only token for a POST.
#[test]
fn a_403_insufficient_scope_carries_the_needed_scope() {
    let s = start(DevConfig::auto_approve("alice"));
    let default_login = tokens(&s, "openid profile email offline_access api:read api:write");
    let at = default_login["access_token"].as_str().unwrap();
    let admin = get(&url(&s, "/api/admin"), Some(at));
    assert_eq!(admin.status, 403, "{}", admin.text);
    let c = challenge(&admin);
    assert_eq!(param(&c, "error"), Some("insufficient_scope"), "{c}");
    assert_eq!(param(&c, "scope"), Some("api:admin"), "{c}");
    assert_eq!(
        param(&c, "resource_metadata"),
        Some(url(&s, "/.well-known/oauth-protected-resource/api/admin").as_str())
    );
    assert_eq!(admin.json["scope"], "api:admin");
    let read_only = tokens(&s, "api:read");
    let write = post_json(&url(&s, "/api/data"), read_only["access_token"].as_str());
    assert_eq!(write.status, 403);
    assert_eq!(param(&challenge(&write), "scope"), Some("api:write"));
    // After stepping up, the same route answers.
    let stepped = tokens(&s, "api:read api:write api:admin");
    let ok = get(&url(&s, "/api/admin"), stepped["access_token"].as_str());
    assert_eq!(ok.status, 200, "{}", ok.text);
    assert_eq!(ok.json["sub"], "alice");
}

/// RFC 8707: the resource of the authorization request becomes the token's `aud`; the
/// token request may repeat it, but not name another; a resource the server does not host
/// is `invalid_target` at both endpoints.
#[test]
fn the_resource_of_the_authorization_request_is_the_audience() {
    let s = start(DevConfig::auto_approve("alice"));
    let data = url(&s, "/api/data");
    let resource = [("resource", data.as_str()), ("scope", "api:read")];
    for token_extra in [&[][..], &[("resource", data.as_str())][..]] {
        let t = code_tokens(&s, &resource, token_extra);
        assert_eq!(t.status, 200, "{}", t.text);
        let at = t.json["access_token"].as_str().unwrap();
        assert_eq!(jwt_parts(at).1["aud"], data.as_str());
        assert_eq!(get(&data, Some(at)).status, 200);
    }
    let other = url(&s, "/api/me");
    let t = code_tokens(&s, &resource, &[("resource", other.as_str())]);
    assert_eq!(t.status, 400);
    assert_eq!(t.json["error"], "invalid_target", "{}", t.text);
    // Not hosted: refused back to the client at /authorize …
    let (_, challenge) = pkce();
    for foreign in ["https://other.example/api", "http://127.0.0.1:1/api"] {
        let a = authorize(
            &s,
            &[
                ("response_type", "code"),
                ("client_id", "oauthctl"),
                ("redirect_uri", CB),
                ("state", "st"),
                ("resource", foreign),
                ("code_challenge", &challenge),
                ("code_challenge_method", "S256"),
            ],
        );
        assert_eq!(a.status, 302);
        let loc = a.header("location").unwrap();
        assert!(loc.starts_with(CB), "{loc}");
        assert_eq!(
            location_param(loc, "error").as_deref(),
            Some("invalid_target")
        );
        assert_eq!(location_param(loc, "state").as_deref(), Some("st"));
        assert!(location_param(loc, "code").is_none());
    }
    // … and at the token endpoint.
    let cc = post_basic(
        &url(&s, "/token"),
        "demo-service",
        "demo-secret",
        &[
            ("grant_type", "client_credentials"),
            ("resource", "https://other.example/api"),
        ],
    );
    assert_eq!(cc.status, 400);
    assert_eq!(cc.json["error"], "invalid_target");
    let relative = post_basic(
        &url(&s, "/token"),
        "demo-service",
        "demo-secret",
        &[("grant_type", "client_credentials"), ("resource", "/api")],
    );
    assert_eq!(relative.json["error"], "invalid_target");
}

/// A grant authorized without a resource may be narrowed to a hosted one at the token
/// endpoint; a refresh keeps the grant's resource and refuses another.
#[test]
fn token_requests_narrow_but_never_switch_the_resource() {
    let s = start(DevConfig::auto_approve("alice"));
    let admin = url(&s, "/api/admin");
    let t = code_tokens(
        &s,
        &[("scope", "offline_access api:admin")],
        &[("resource", admin.as_str())],
    );
    assert_eq!(t.status, 200, "{}", t.text);
    assert_eq!(
        jwt_parts(t.json["access_token"].as_str().unwrap()).1["aud"],
        admin.as_str()
    );
    let data = url(&s, "/api/data");
    let t = code_tokens(
        &s,
        &[
            ("scope", "offline_access api:read"),
            ("resource", data.as_str()),
        ],
        &[],
    );
    let rt = t.json["refresh_token"].as_str().unwrap();
    let switched = Answer::from(
        http()
            .post(url(&s, "/token"))
            .form(&[
                ("grant_type", "refresh_token"),
                ("client_id", "oauthctl"),
                ("refresh_token", rt),
                ("resource", admin.as_str()),
            ])
            .send()
            .unwrap(),
    );
    assert_eq!(switched.status, 400);
    assert_eq!(switched.json["error"], "invalid_target");
    // The refused request did not spend the refresh token.
    let renewed = refresh(&s, rt);
    assert_eq!(renewed.status, 200, "{}", renewed.text);
    let at = renewed.json["access_token"].as_str().unwrap();
    assert_eq!(jwt_parts(at).1["aud"], data.as_str());
}

/// The API refuses a token whose audience names another resource, and accepts tokens for
/// the origin and the API as a whole at every route.
#[test]
fn a_token_for_another_resource_is_refused_at_the_api() {
    let s = start(DevConfig::auto_approve("alice"));
    let i = s.issuer().to_owned();
    let token_for = |resource: &str| -> String {
        let t = code_tokens(&s, &[("scope", "api:read"), ("resource", resource)], &[]);
        assert_eq!(t.status, 200, "{}", t.text);
        t.json["access_token"].as_str().unwrap().to_owned()
    };
    let for_me = token_for(&format!("{i}/api/me"));
    let refused = get(&url(&s, "/api/data"), Some(&for_me));
    assert_eq!(refused.status, 401);
    let c = challenge(&refused);
    assert_eq!(param(&c, "error"), Some("invalid_token"), "{c}");
    assert!(c.contains("wrong audience"), "{c}");
    assert_eq!(get(&url(&s, "/api/me"), Some(&for_me)).status, 200);
    for whole in [i.clone(), format!("{i}/"), format!("{i}/api")] {
        let t = token_for(&whole);
        for path in ["/api/me", "/api/data"] {
            assert_eq!(
                get(&url(&s, path), Some(&t)).status,
                200,
                "{whole} at {path}"
            );
        }
    }
    // Client credentials for a route, used at another.
    let cc = post_basic(
        &url(&s, "/token"),
        "demo-service",
        "demo-secret",
        &[
            ("grant_type", "client_credentials"),
            ("scope", "api:read"),
            ("resource", &format!("{i}/api/data")),
        ],
    );
    let at = cc.json["access_token"].as_str().unwrap();
    assert_eq!(get(&url(&s, "/api/data"), Some(at)).status, 200);
    assert_eq!(get(&url(&s, "/api/me"), Some(at)).status, 401);
    // Without a resource the audience stays the API as a whole.
    let plain = client_credentials(&s, "api:read");
    let aud: Value = jwt_parts(plain.json["access_token"].as_str().unwrap()).1["aud"].clone();
    assert_eq!(aud, s.api_audience().as_str());
}
