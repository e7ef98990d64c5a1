//! `oauthctl serve` / `devserver`, tested from outside over plain HTTP, row by row against
//! docs/serve.md. Every server binds 127.0.0.1:0. One module per part of
//! `src/devserver`; the helpers they share are here.

mod admin;
mod api;
mod authorize;
mod cimd;
mod claims;
mod client_jwt;
mod clients;
mod device;
mod dpop;
mod exchange;
mod flow;
mod hardening;
mod introspect;
mod jwt_bearer;
mod keys;
mod lifecycle;
mod log;
mod logout;
mod memory;
mod metadata;
mod par;
mod rate_limit;
mod registration;
mod resource;
mod revoke;
mod state;
mod tenants;
mod tls;
mod token;

use oauthctl::devserver::{Client, DevConfig, DevServer, Registry};
use oauthctl::oauth::grant::Grant;
use serde_json::Value;

use crate::support::{Answer, http, location_param, pkce, post, post_basic};

const CB: &str = "http://127.0.0.1:53682/callback";

fn start(cfg: DevConfig) -> DevServer {
    DevServer::start(cfg).unwrap()
}

fn url(s: &DevServer, path: &str) -> String {
    format!("{}{path}", s.issuer())
}

/// The default registry plus a confidential code-flow client `web` (no PKCE required), a
/// second public client `other-cli`, and a plain confidential client `other-service`.
fn wide_registry() -> Registry {
    let mut r = Registry::default();
    r.clients.push(Client {
        id: "web".into(),
        secret: Some("web secret:%+".into()),
        redirect_uris: vec!["https://app.example/cb".into()],
        grant_types: vec![Grant::AuthorizationCode, Grant::RefreshToken],
        scopes: vec![],
        roles: vec![],
        introspect_any: false,
        ..Client::default()
    });
    r.clients.push(Client {
        id: "other-cli".into(),
        secret: None,
        redirect_uris: vec!["http://127.0.0.1/callback".into()],
        grant_types: vec![Grant::AuthorizationCode, Grant::RefreshToken],
        scopes: vec![],
        roles: vec![],
        introspect_any: false,
        ..Client::default()
    });
    r.clients.push(Client {
        id: "other-service".into(),
        secret: Some("other-secret".into()),
        redirect_uris: vec![],
        grant_types: vec![Grant::ClientCredentials],
        scopes: vec!["api:read".into()],
        roles: vec![],
        introspect_any: false,
        ..Client::default()
    });
    r
}

fn wide(cfg: DevConfig) -> DevConfig {
    DevConfig {
        registry: wide_registry(),
        ..cfg
    }
}

/// GET /authorize and return the answer (no redirect followed).
fn authorize(s: &DevServer, params: &[(&str, &str)]) -> Answer {
    let mut u = url::Url::parse(&url(s, "/authorize")).unwrap();
    u.query_pairs_mut().extend_pairs(params);
    Answer::from(http().get(u.as_str()).send().unwrap())
}

/// An authorization code for `oauthctl` from an auto-approving server; returns
/// (code, verifier).
fn code_for(s: &DevServer, scope: &str, nonce: Option<&str>) -> (String, String) {
    let (verifier, challenge) = pkce();
    let mut p = vec![
        ("response_type", "code"),
        ("client_id", "oauthctl"),
        ("redirect_uri", CB),
        ("scope", scope),
        ("state", "st-1"),
        ("code_challenge", challenge.as_str()),
        ("code_challenge_method", "S256"),
    ];
    if let Some(n) = nonce {
        p.push(("nonce", n));
    }
    let a = authorize(s, &p);
    assert_eq!(a.status, 302, "{}", a.text);
    let loc = a.header("location").unwrap().to_owned();
    (location_param(&loc, "code").unwrap(), verifier)
}

fn redeem(s: &DevServer, code: &str, verifier: &str) -> Answer {
    post(
        &url(s, "/token"),
        &[
            ("grant_type", "authorization_code"),
            ("client_id", "oauthctl"),
            ("code", code),
            ("redirect_uri", CB),
            ("code_verifier", verifier),
        ],
    )
}

/// Tokens for alice through auto-approve.
fn tokens(s: &DevServer, scope: &str) -> Value {
    let (code, verifier) = code_for(s, scope, Some("n-1"));
    let a = redeem(s, &code, &verifier);
    assert_eq!(a.status, 200, "{}", a.text);
    a.json
}

fn introspect_as(s: &DevServer, who: (&str, Option<&str>), token: &str) -> Value {
    let u = url(s, "/introspect");
    match who {
        (id, Some(secret)) => post_basic(&u, id, secret, &[("token", token)]).json,
        (id, None) => post(&u, &[("client_id", id), ("token", token)]).json,
    }
}

fn active(s: &DevServer, token: &str) -> bool {
    introspect_as(s, ("demo-service", Some("demo-secret")), token)["active"] == Value::Bool(true)
}

fn refresh(s: &DevServer, rt: &str) -> Answer {
    post(
        &url(s, "/token"),
        &[
            ("grant_type", "refresh_token"),
            ("client_id", "oauthctl"),
            ("refresh_token", rt),
        ],
    )
}

fn client_credentials(s: &DevServer, scope: &str) -> Answer {
    post_basic(
        &url(s, "/token"),
        "demo-service",
        "demo-secret",
        &[("grant_type", "client_credentials"), ("scope", scope)],
    )
}

fn session_cookie(a: &Answer) -> String {
    let c = a.header("set-cookie").expect("a CSRF cookie");
    c.split(';').next().unwrap().to_owned()
}

fn assert_page_headers(a: &Answer) {
    let csp = a.header("content-security-policy").unwrap_or_default();
    assert!(csp.contains("frame-ancestors 'none'"), "{csp}");
    assert_eq!(a.header("x-frame-options"), Some("DENY"));
    assert_eq!(a.header("referrer-policy"), Some("no-referrer"));
    assert!(
        a.headers
            .keys()
            .all(|k| !k.as_str().starts_with("access-control-")),
        "no CORS headers"
    );
}
