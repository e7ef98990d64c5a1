//! `oauthctl serve` / `devserver`, tested from outside over plain HTTP, row by row against
//! security.md §6 (S1–S25). Every server binds 127.0.0.1:0.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use base64::Engine as _;
use oauthctl::devserver::{
    Client, DevConfig, DevServer, Limits, Logger, Registry, SigningAlg, User,
};
use oauthctl::oauth::grant::Grant;
use serde_json::Value;

use crate::support::{
    Answer, get, hidden, http, jwt_parts, location_param, pkce, post, post_basic, raw,
};

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
    });
    r.clients.push(Client {
        id: "other-cli".into(),
        secret: None,
        redirect_uris: vec!["http://127.0.0.1/callback".into()],
        grant_types: vec![Grant::AuthorizationCode, Grant::RefreshToken],
        scopes: vec![],
        roles: vec![],
        introspect_any: false,
    });
    r.clients.push(Client {
        id: "other-service".into(),
        secret: Some("other-secret".into()),
        redirect_uris: vec![],
        grant_types: vec![Grant::ClientCredentials],
        scopes: vec!["api:read".into()],
        roles: vec![],
        introspect_any: false,
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

// ---------------------------------------------------------------------------------------
// S1, S3: binding and metadata

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
            "urn:ietf:params:oauth:grant-type:device_code"
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

#[test]
fn stops_on_drop_and_frees_the_port() {
    let s = start(DevConfig::default());
    let addr = s.local_addr();
    // A pooled keep-alive connection must not keep it alive.
    let c = http();
    assert_eq!(c.get(url(&s, "/jwks")).send().unwrap().status(), 200);
    let t = Instant::now();
    drop(s);
    assert!(t.elapsed() < Duration::from_secs(3), "{:?}", t.elapsed());
    assert!(TcpStream::connect_timeout(&addr, Duration::from_secs(1)).is_err());
    let again = DevServer::start(DevConfig {
        port: addr.port(),
        ..DevConfig::default()
    });
    assert!(again.is_ok(), "the port is free again");
}

// S2
#[test]
fn foreign_host_headers_are_refused() {
    let s = start(DevConfig::default());
    let port = s.local_addr().port();
    let req = |host: &str| {
        raw(
            s.local_addr(),
            format!("GET /jwks HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n").as_bytes(),
        )
    };
    assert!(req(&format!("127.0.0.1:{port}")).starts_with("HTTP/1.1 200"));
    assert!(req(&format!("localhost:{port}")).starts_with("HTTP/1.1 200"));
    assert!(req(&format!("[::1]:{port}")).starts_with("HTTP/1.1 200"));
    for bad in [
        format!("evil.example:{port}"),
        "127.0.0.1".to_owned(),
        format!("127.0.0.1:{}", port.wrapping_add(1)),
        format!("localhost.evil.example:{port}"),
    ] {
        let r = req(&bad);
        assert!(r.starts_with("HTTP/1.1 421"), "{bad}: {r}");
    }
    let r = raw(
        s.local_addr(),
        b"GET /jwks HTTP/1.1\r\nConnection: close\r\n\r\n",
    );
    assert!(r.starts_with("HTTP/1.1 400"), "{r}");
}

// ---------------------------------------------------------------------------------------
// The full flow as an independent client would drive it: real login and consent pages.

#[test]
fn independent_client_authorization_code_refresh_and_client_credentials() {
    let s = start(DevConfig::default());
    let (verifier, challenge) = pkce();
    // 1. The authorization request shows the login page (S23: no auto-approve by default).
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
    // 3. Consent, then the redirect (303 after POST; S10).
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
    // ID token (S13).
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
    // 6. Refresh: rotated, auth_time kept (S13), no nonce.
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

#[test]
fn login_and_consent_forms_are_csrf_protected() {
    let s = start(DevConfig::default());
    let (_, challenge) = pkce();
    let page = authorize(
        &s,
        &[
            ("response_type", "code"),
            ("client_id", "oauthctl"),
            ("redirect_uri", CB),
            ("state", "s"),
            ("code_challenge", &challenge),
            ("code_challenge_method", "S256"),
        ],
    );
    let cookie = session_cookie(&page);
    let txn = hidden(&page.text, "txn");
    let csrf = hidden(&page.text, "csrf");
    let login = |cookie: Option<&str>, csrf: &str, password: &str| {
        let mut rq = http().post(url(&s, "/authorize/login"));
        if let Some(c) = cookie {
            rq = rq.header("Cookie", c);
        }
        Answer::from(
            rq.form(&[
                ("txn", txn.as_str()),
                ("csrf", csrf),
                ("username", "alice"),
                ("password", password),
            ])
            .send()
            .unwrap(),
        )
    };
    assert_eq!(login(None, &csrf, "alice").status, 403, "no cookie");
    assert_eq!(
        login(Some(&cookie), "forged", "alice").status,
        403,
        "wrong field"
    );
    let wrong = login(Some(&cookie), &csrf, "nope");
    assert_eq!(wrong.status, 401);
    assert!(wrong.text.contains("Wrong username or password"));
    // Consent before login is refused.
    let early = Answer::from(
        http()
            .post(url(&s, "/authorize/consent"))
            .header("Cookie", &cookie)
            .form(&[
                ("txn", txn.as_str()),
                ("csrf", csrf.as_str()),
                ("decision", "approve"),
            ])
            .send()
            .unwrap(),
    );
    assert_eq!(early.status, 403);
    // Deny: error redirect with state and iss (S10).
    assert_eq!(login(Some(&cookie), &csrf, "alice").status, 200);
    let denied = Answer::from(
        http()
            .post(url(&s, "/authorize/consent"))
            .header("Cookie", &cookie)
            .form(&[
                ("txn", txn.as_str()),
                ("csrf", csrf.as_str()),
                ("decision", "deny"),
            ])
            .send()
            .unwrap(),
    );
    assert_eq!(denied.status, 303);
    let loc = denied.header("location").unwrap();
    assert_eq!(
        location_param(loc, "error").as_deref(),
        Some("access_denied")
    );
    assert_eq!(location_param(loc, "state").as_deref(), Some("s"));
    assert_eq!(location_param(loc, "iss").as_deref(), Some(s.issuer()));
}

/// The most pending authorization requests (and codes, and device authorizations) the
/// server keeps; docs/serve.md states it.
const MAX_PENDING: usize = 1024;

#[test]
fn unauthenticated_requests_keep_a_bounded_number_of_records() {
    let s = start(DevConfig::default());
    let client = http(); // one keep-alive connection for the whole flood
    let (_, challenge) = pkce();
    let big_state = "s".repeat(7 * 1024);
    let authorize_url = |state: &str| {
        let mut u = url::Url::parse(&url(&s, "/authorize")).unwrap();
        u.query_pairs_mut().extend_pairs([
            ("response_type", "code"),
            ("client_id", "oauthctl"),
            ("redirect_uri", CB),
            ("scope", "openid api:read"),
            ("state", state),
            ("code_challenge", challenge.as_str()),
            ("code_challenge_method", "S256"),
        ]);
        u.to_string()
    };
    let page = |state: &str| Answer::from(client.get(authorize_url(state)).send().unwrap());
    let first = page("first");
    assert_eq!(first.status, 200);
    let login = |page: &Answer| {
        Answer::from(
            client
                .post(url(&s, "/authorize/login"))
                .header("Cookie", session_cookie(page))
                .form(&[
                    ("txn", hidden(&page.text, "txn").as_str()),
                    ("csrf", hidden(&page.text, "csrf").as_str()),
                    ("username", "alice"),
                    ("password", "alice"),
                ])
                .send()
                .unwrap(),
        )
    };
    // A flood of sign-in pages, each with about 7 KiB of parameters: before the cap, each
    // stayed for ten minutes (20,000 of them took 162 MB).
    for _ in 0..MAX_PENDING + 200 {
        assert_eq!(page(&big_state).status, 200);
    }
    assert_eq!(s.store_sizes().pending_authorizations, MAX_PENDING);
    // The oldest went first; the newest still works.
    let expired = login(&first);
    assert_eq!(expired.status, 400);
    assert!(
        expired.text.contains("unknown or expired"),
        "{}",
        expired.text
    );
    let last = page("last");
    assert_eq!(login(&last).status, 200, "the consent page");
    assert_eq!(s.store_sizes().pending_authorizations, MAX_PENDING);
    // Parameters the server would keep are bounded too (GET is, by the request line).
    let huge = format!(
        "response_type=code&client_id=oauthctl&state={}",
        "s".repeat(9 * 1024)
    );
    let a = Answer::from(
        client
            .post(url(&s, "/authorize"))
            .header("Content-Type", "application/x-www-form-urlencoded")
            .body(huge)
            .send()
            .unwrap(),
    );
    assert_eq!(a.status, 413, "{}", a.text);

    // With --auto-approve, every GET /authorize leaves a code instead.
    let auto = start(DevConfig::auto_approve("alice"));
    let oldest = code_for(&auto, "api:read", None);
    let mut u = url::Url::parse(&url(&auto, "/authorize")).unwrap();
    u.query_pairs_mut().extend_pairs([
        ("response_type", "code"),
        ("client_id", "oauthctl"),
        ("redirect_uri", CB),
        ("state", big_state.as_str()),
        ("code_challenge", challenge.as_str()),
        ("code_challenge_method", "S256"),
    ]);
    for _ in 0..MAX_PENDING {
        assert_eq!(client.get(u.as_str()).send().unwrap().status(), 302);
    }
    let newest = code_for(&auto, "api:read", None);
    assert_eq!(auto.store_sizes().authorization_codes, MAX_PENDING);
    assert_eq!(redeem(&auto, &oldest.0, &oldest.1).status, 400, "evicted");
    assert_eq!(redeem(&auto, &newest.0, &newest.1).status, 200);

    // Device authorizations by the public client, which anyone can make.
    let mut user_codes = Vec::new();
    for _ in 0..MAX_PENDING + 100 {
        let d = Answer::from(
            client
                .post(url(&s, "/device_authorization"))
                .form(&[("client_id", "oauthctl"), ("scope", "api:read")])
                .send()
                .unwrap(),
        );
        assert_eq!(d.status, 200, "{}", d.text);
        user_codes.push(d.json["user_code"].as_str().unwrap().to_owned());
    }
    assert_eq!(s.store_sizes().device_authorizations, MAX_PENDING);
    let big = "x".repeat(9 * 1024);
    let too_big = Answer::from(
        client
            .post(url(&s, "/device_authorization"))
            .form(&[("client_id", "oauthctl"), ("resource", big.as_str())])
            .send()
            .unwrap(),
    );
    assert_eq!(too_big.status, 400, "{}", too_big.text);
    // The verification page knows the newest user code and no longer the oldest.
    let entry = get(&url(&s, "/device"), None);
    let cookie = session_cookie(&entry);
    let csrf = hidden(&entry.text, "csrf");
    let enter = |code: &str| {
        Answer::from(
            client
                .post(url(&s, "/device"))
                .header("Cookie", &cookie)
                .form(&[("csrf", csrf.as_str()), ("user_code", code)])
                .send()
                .unwrap(),
        )
    };
    assert!(enter(&user_codes[0]).text.contains("unknown or expired"));
    assert!(
        enter(user_codes.last().unwrap())
            .text
            .contains("Approve device")
    );
}

/// The server-config example of docs/serve.md, as a user would copy it.
fn documented_server_config() -> oauthctl::devserver::ServerConfigFile {
    let doc = include_str!("../docs/serve.md");
    let start = doc.find("```toml\n").unwrap() + "```toml\n".len();
    let end = doc[start..].find("```").unwrap() + start;
    oauthctl::devserver::ServerConfigFile::parse(&doc[start..end]).unwrap()
}

/// The text of the sign-in page for an authorization request of `oauthctl`.
fn sign_in_page(s: &DevServer) -> String {
    let (_, challenge) = pkce();
    let page = authorize(
        s,
        &[
            ("response_type", "code"),
            ("client_id", "oauthctl"),
            ("redirect_uri", CB),
            ("code_challenge", &challenge),
            ("code_challenge_method", "S256"),
        ],
    );
    assert_eq!(page.status, 200, "{}", page.text);
    page.text
}

#[test]
fn the_sign_in_page_lists_the_users_the_server_has() {
    let builtin = sign_in_page(&start(DevConfig::default()));
    assert!(
        builtin
            .contains("<code>alice</code>/<code>alice</code>, <code>bob</code>/<code>bob</code>"),
        "{builtin}"
    );
    // The documented example replaces alice and bob with carol, whose password it does not
    // show (the banner does not either).
    let configured = sign_in_page(&start(
        DevConfig::default().with_file(documented_server_config()),
    ));
    assert!(
        configured.contains("Users on this server: <code>carol</code>."),
        "{configured}"
    );
    for gone in ["alice", "bob", "carol</code>/"] {
        assert!(!configured.contains(gone), "{gone} in {configured}");
    }
    let mut nobody = DevConfig::default();
    nobody.registry.users.clear();
    assert!(sign_in_page(&start(nobody)).contains("This server has no users"));
}

// ---------------------------------------------------------------------------------------
// S4, S5, S6: redirect URIs, error pages, escaping

#[test]
fn redirect_uris_match_exactly_except_loopback_ports() {
    let s = start(DevConfig::auto_approve("alice"));
    let (_, challenge) = pkce();
    let try_uri = |uri: &str| {
        authorize(
            &s,
            &[
                ("response_type", "code"),
                ("client_id", "oauthctl"),
                ("redirect_uri", uri),
                ("code_challenge", challenge.as_str()),
                ("code_challenge_method", "S256"),
            ],
        )
    };
    for ok in [
        "http://127.0.0.1/callback",
        "http://127.0.0.1:1/callback",
        "http://127.0.0.1:61000/callback",
        "http://[::1]:61000/callback",
    ] {
        let a = try_uri(ok);
        assert_eq!(a.status, 302, "{ok}");
        assert!(a.header("location").unwrap().starts_with(ok));
    }
    for bad in [
        "HTTP://127.0.0.1:61000/callback",
        "http://LOCALHOST:61000/callback",
        "http://localhost:61000/callback",
        "http://127.000.000.001:61000/callback",
        "http://127.0.0.1:61000/x/../callback",
        "http://127.0.0.1:61000/callback?extra=1",
        "http://user@127.0.0.1:61000/callback",
        "http://127.0.0.1:61000/callback#frag",
        "https://127.0.0.1:61000/callback",
        "http://127.0.0.1:61000/callback/",
        "http://127.0.0.1:061000/callback",
        "https://evil.example/callback",
    ] {
        let a = try_uri(bad);
        assert_eq!(a.status, 400, "{bad}");
        assert!(a.header("location").is_none(), "S5: never redirect ({bad})");
        assert_page_headers(&a);
    }
}

#[test]
fn unknown_clients_get_an_escaped_error_page_never_a_redirect() {
    let s = start(DevConfig::auto_approve("alice"));
    let xss = "<script>alert(1)</script>";
    let a = authorize(
        &s,
        &[
            ("response_type", "code"),
            ("client_id", xss),
            ("redirect_uri", CB),
            ("state", xss),
        ],
    );
    assert_eq!(a.status, 400);
    assert!(a.header("location").is_none());
    assert!(!a.text.contains("<script>"), "{}", a.text);
    assert!(a.text.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
    assert_page_headers(&a);
    let b = authorize(
        &s,
        &[
            ("response_type", "code"),
            ("client_id", "oauthctl"),
            ("redirect_uri", "http://evil.example/\"><script>x</script>"),
        ],
    );
    assert_eq!(b.status, 400);
    assert!(!b.text.contains("<script>"));
    assert!(b.text.contains("&quot;&gt;&lt;script&gt;"));
    // Missing client_id / redirect_uri, repeated client_id: pages too.
    assert_eq!(authorize(&s, &[("response_type", "code")]).status, 400);
    let rep = authorize(
        &s,
        &[
            ("client_id", "oauthctl"),
            ("client_id", "oauthctl"),
            ("redirect_uri", CB),
        ],
    );
    assert_eq!(rep.status, 400);
    assert!(rep.header("location").is_none());
    // The state reaches the client verbatim (S10), encoded in the Location.
    let (_, challenge) = pkce();
    let ok = authorize(
        &s,
        &[
            ("response_type", "code"),
            ("client_id", "oauthctl"),
            ("redirect_uri", CB),
            ("state", xss),
            ("code_challenge", &challenge),
            ("code_challenge_method", "S256"),
        ],
    );
    let loc = ok.header("location").unwrap();
    assert!(!loc.contains('<'));
    assert_eq!(location_param(loc, "state").as_deref(), Some(xss));
}

#[test]
fn device_page_escapes_the_user_code() {
    let s = start(DevConfig::default());
    let a = get(
        &url(&s, "/device?user_code=%22%3E%3Cscript%3Ex%3C%2Fscript%3E"),
        None,
    );
    assert_eq!(a.status, 200);
    assert!(!a.text.contains("<script>"));
    assert!(a.text.contains("&quot;&gt;&lt;script&gt;"));
    assert_page_headers(&a);
}

// ---------------------------------------------------------------------------------------
// S7, S8: PKCE

#[test]
fn pkce_is_required_s256_only_and_verified() {
    let s = start(wide(DevConfig::auto_approve("alice")));
    let (verifier, challenge) = pkce();
    let err_of = |params: &[(&str, &str)]| {
        let mut p = vec![
            ("response_type", "code"),
            ("client_id", "oauthctl"),
            ("redirect_uri", CB),
            ("state", "s1"),
        ];
        p.extend_from_slice(params);
        let a = authorize(&s, &p);
        assert_eq!(a.status, 302, "{}", a.text);
        let loc = a.header("location").unwrap().to_owned();
        assert_eq!(location_param(&loc, "state").as_deref(), Some("s1"));
        assert_eq!(location_param(&loc, "iss").as_deref(), Some(s.issuer()));
        location_param(&loc, "error")
    };
    assert_eq!(
        err_of(&[]).as_deref(),
        Some("invalid_request"),
        "public client without PKCE"
    );
    assert_eq!(
        err_of(&[
            ("code_challenge", &challenge),
            ("code_challenge_method", "plain")
        ])
        .as_deref(),
        Some("invalid_request")
    );
    assert_eq!(
        err_of(&[("code_challenge", &challenge)]).as_deref(),
        Some("invalid_request"),
        "no method means plain"
    );
    assert_eq!(
        err_of(&[
            ("code_challenge", "short"),
            ("code_challenge_method", "S256")
        ])
        .as_deref(),
        Some("invalid_request")
    );
    assert_eq!(
        err_of(&[
            ("code_challenge", &format!("{challenge}!")),
            ("code_challenge_method", "S256")
        ])
        .as_deref(),
        Some("invalid_request")
    );
    // Verifier mismatch and absence: invalid_grant.
    let (code, _) = code_for(&s, "openid", None);
    let (other, _) = pkce();
    let a = redeem(&s, &code, &other);
    assert_eq!(a.status, 400);
    assert_eq!(a.json["error"], "invalid_grant");
    let (code, _) = code_for(&s, "openid", None);
    let a = post(
        &url(&s, "/token"),
        &[
            ("grant_type", "authorization_code"),
            ("client_id", "oauthctl"),
            ("code", &code),
            ("redirect_uri", CB),
        ],
    );
    assert_eq!(a.json["error"], "invalid_grant");
    let _ = verifier;
    // S8: downgrade. `web` is confidential and may skip PKCE; a verifier for a code issued
    // without a challenge is refused.
    let a = authorize(
        &s,
        &[
            ("response_type", "code"),
            ("client_id", "web"),
            ("redirect_uri", "https://app.example/cb"),
        ],
    );
    let code = location_param(a.header("location").unwrap(), "code").unwrap();
    let (v, _) = pkce();
    let a = post_basic(
        &url(&s, "/token"),
        "web",
        "web secret:%+",
        &[
            ("grant_type", "authorization_code"),
            ("code", &code),
            ("redirect_uri", "https://app.example/cb"),
            ("code_verifier", &v),
        ],
    );
    assert_eq!(a.status, 400);
    assert_eq!(a.json["error"], "invalid_grant");
}

// ---------------------------------------------------------------------------------------
// S9, S24: codes

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
    // A different redirect_uri, or none (S24).
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

// ---------------------------------------------------------------------------------------
// S11, S18: token endpoint responses and client authentication

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

// S20
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

// ---------------------------------------------------------------------------------------
// S12: refresh rotation and reuse detection

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

// ---------------------------------------------------------------------------------------
// S13, S14: signatures, keys, rotation

fn verify_with_jwks(s: &DevServer, token: &str) -> Value {
    let jwks: jsonwebtoken::jwk::JwkSet =
        serde_json::from_str(&get(&url(s, "/jwks"), None).text).unwrap();
    let header = jsonwebtoken::decode_header(token).unwrap();
    let jwk = jwks
        .find(header.kid.as_deref().unwrap())
        .expect("kid published");
    let key = jsonwebtoken::DecodingKey::from_jwk(jwk).unwrap();
    let mut v = jsonwebtoken::Validation::new(header.alg);
    v.validate_aud = false;
    v.set_issuer(&[s.issuer()]);
    jsonwebtoken::decode::<Value>(token, &key, &v)
        .unwrap()
        .claims
}

#[test]
fn tokens_verify_against_the_published_keys_es256_and_rs256() {
    for alg in [SigningAlg::Es256, SigningAlg::Rs256] {
        let s = start(DevConfig::auto_approve("alice").with_alg(alg));
        let t = tokens(&s, "openid api:read");
        for token in [&t["access_token"], &t["id_token"]] {
            let token = token.as_str().unwrap();
            assert_eq!(jwt_parts(token).0["alg"], alg.as_str());
            verify_with_jwks(&s, token);
        }
        let discovery = get(&url(&s, "/.well-known/openid-configuration"), None);
        assert_eq!(
            discovery.json["id_token_signing_alg_values_supported"],
            serde_json::json!([alg.as_str()])
        );
    }
}

#[test]
fn key_rotation_publishes_old_and_new_keys() {
    let s = start(DevConfig::auto_approve("alice"));
    let old = tokens(&s, "api:read")["access_token"]
        .as_str()
        .unwrap()
        .to_owned();
    let old_kid = s.signing_kid();
    let new_kid = s.rotate_keys().unwrap();
    assert_ne!(old_kid, new_kid);
    let jwks = get(&url(&s, "/jwks"), None).json;
    let kids: Vec<&str> = jwks["keys"]
        .as_array()
        .unwrap()
        .iter()
        .map(|k| k["kid"].as_str().unwrap())
        .collect();
    assert_eq!(kids, vec![new_kid.as_str(), old_kid.as_str()]);
    assert_eq!(
        get(&url(&s, "/api/me"), Some(&old)).status,
        200,
        "old tokens still verify"
    );
    let new = tokens(&s, "api:read")["access_token"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(jwt_parts(&new).0["kid"].as_str(), Some(new_kid.as_str()));
    verify_with_jwks(&s, &new);
}

#[cfg(unix)]
#[test]
fn key_file_is_created_0600_and_reused() {
    use std::os::unix::fs::PermissionsExt as _;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("serve-key.pem");
    let cfg = || DevConfig {
        key_file: Some(path.clone()),
        ..DevConfig::default()
    };
    let kid = start(cfg()).signing_kid();
    let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o600);
    assert_eq!(
        start(cfg()).signing_kid(),
        kid,
        "the persisted key is reused"
    );
    let rotated = start(DevConfig {
        rotate_key_on_start: true,
        ..cfg()
    });
    assert_ne!(rotated.signing_kid(), kid);
    drop(rotated);
    let s = start(cfg());
    let jwks = get(&url(&s, "/jwks"), None).json;
    assert_eq!(jwks["keys"].as_array().unwrap().len(), 2);
    // No other file was written (S25: state stays in memory).
    let names: Vec<_> = std::fs::read_dir(dir.path()).unwrap().collect();
    assert_eq!(names.len(), 1);
}

// ---------------------------------------------------------------------------------------
// S15, S16: introspection and revocation

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

// ---------------------------------------------------------------------------------------
// S17: device flow

fn device_start(s: &DevServer) -> Value {
    let a = post(
        &url(s, "/device_authorization"),
        &[
            ("client_id", "oauthctl"),
            ("scope", "openid offline_access api:read"),
        ],
    );
    assert_eq!(a.status, 200, "{}", a.text);
    a.json
}

fn device_poll(s: &DevServer, device_code: &str) -> Answer {
    post(
        &url(s, "/token"),
        &[
            ("grant_type", "urn:ietf:params:oauth:grant-type:device_code"),
            ("client_id", "oauthctl"),
            ("device_code", device_code),
        ],
    )
}

/// Goes through the verification pages; returns the final page.
fn device_verify(s: &DevServer, typed_code: &str, decision: &str, password: &str) -> Answer {
    let entry = get(&url(s, "/device"), None);
    let cookie = session_cookie(&entry);
    let csrf = hidden(&entry.text, "csrf");
    let approve = Answer::from(
        http()
            .post(url(s, "/device"))
            .header("Cookie", &cookie)
            .form(&[("csrf", csrf.as_str()), ("user_code", typed_code)])
            .send()
            .unwrap(),
    );
    assert_eq!(approve.status, 200, "{}", approve.text);
    assert_page_headers(&approve);
    Answer::from(
        http()
            .post(url(s, "/device/approve"))
            .header("Cookie", &cookie)
            .form(&[
                ("csrf", hidden(&approve.text, "csrf").as_str()),
                ("user_code", hidden(&approve.text, "user_code").as_str()),
                ("username", "bob"),
                ("password", password),
                ("decision", decision),
            ])
            .send()
            .unwrap(),
    )
}

#[test]
fn device_flow_pending_slow_down_approval() {
    let s = start(
        DevConfig::default().with_device_timing(Duration::from_secs(60), Duration::from_secs(1)),
    );
    let d = device_start(&s);
    let user_code = d["user_code"].as_str().unwrap();
    let letters: String = user_code.chars().filter(|c| *c != '-').collect();
    assert_eq!(letters.len(), 8);
    assert!(
        letters.chars().all(|c| "BCDFGHJKLMNPQRSTVWXZ".contains(c)),
        "{user_code}"
    );
    assert_eq!(d["interval"], 1);
    assert!(
        d["verification_uri"]
            .as_str()
            .unwrap()
            .starts_with(s.issuer())
    );
    assert!(d["device_code"].as_str().unwrap().len() >= 43);
    let dc = d["device_code"].as_str().unwrap();
    assert_eq!(device_poll(&s, dc).json["error"], "authorization_pending");
    assert_eq!(
        device_poll(&s, dc).json["error"],
        "slow_down",
        "polled at once"
    );
    // The interval is now 6 s: a poll 1.1 s later is still too fast.
    std::thread::sleep(Duration::from_millis(1100));
    assert_eq!(device_poll(&s, dc).json["error"], "slow_down");
    // Another client cannot use the device code.
    let foreign = post_basic(
        &url(&s, "/token"),
        "demo-service",
        "demo-secret",
        &[
            ("grant_type", "urn:ietf:params:oauth:grant-type:device_code"),
            ("device_code", dc),
        ],
    );
    assert_ne!(foreign.status, 200);
    // Wrong password, then approval, typed in lower case without the hyphen.
    let typed = letters.to_lowercase();
    assert_eq!(device_verify(&s, &typed, "approve", "wrong").status, 401);
    let done = device_verify(&s, &typed, "approve", "bob");
    assert_eq!(done.status, 200);
    assert!(done.text.contains("Device connected"));
    let t = device_poll(&s, dc);
    assert_eq!(t.status, 200, "{}", t.text);
    let (_, claims) = jwt_parts(t.json["access_token"].as_str().unwrap());
    assert_eq!(claims["sub"], "bob");
    assert_eq!(claims["roles"], serde_json::json!(["reader"]));
    assert!(t.json["refresh_token"].is_string());
    assert_eq!(device_poll(&s, dc).json["error"], "invalid_grant", "spent");
}

#[test]
fn device_flow_denial_expiry_csrf_and_attempt_limit() {
    let s = start(
        DevConfig::default().with_device_timing(Duration::from_secs(60), Duration::from_secs(0)),
    );
    // Denied.
    let d = device_start(&s);
    let denied = device_verify(&s, d["user_code"].as_str().unwrap(), "deny", "");
    assert!(denied.text.contains("denied"));
    assert_eq!(
        device_poll(&s, d["device_code"].as_str().unwrap()).json["error"],
        "access_denied"
    );
    // Expired (a server with one-second device codes).
    let short = start(
        DevConfig::default().with_device_timing(Duration::from_secs(1), Duration::from_secs(0)),
    );
    let d = device_start(&short);
    std::thread::sleep(Duration::from_millis(1100));
    assert_eq!(
        device_poll(&short, d["device_code"].as_str().unwrap()).json["error"],
        "expired_token"
    );
    // CSRF: a form without the cookie is refused.
    let forged = post(
        &url(&s, "/device"),
        &[("csrf", "x"), ("user_code", "BCDFGHJK")],
    );
    assert_eq!(forged.status, 403);
    // Wrong codes: rate limited.
    let entry = get(&url(&s, "/device"), None);
    let cookie = session_cookie(&entry);
    let csrf = hidden(&entry.text, "csrf");
    let mut statuses = Vec::new();
    for _ in 0..25 {
        let a = Answer::from(
            http()
                .post(url(&s, "/device"))
                .header("Cookie", &cookie)
                .form(&[("csrf", csrf.as_str()), ("user_code", "ZZZZ-ZZZZ")])
                .send()
                .unwrap(),
        );
        statuses.push(a.status);
        if a.status == 429 {
            assert!(a.header("retry-after").is_some());
            break;
        }
    }
    assert_eq!(statuses.last(), Some(&429), "{statuses:?}");
    assert!(statuses.contains(&400), "wrong codes were refused first");
}

// ---------------------------------------------------------------------------------------
// The demo API (RFC 6750)

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
    // A token for another audience.
    let (verifier, challenge) = pkce();
    let a = authorize(
        &s,
        &[
            ("response_type", "code"),
            ("client_id", "oauthctl"),
            ("redirect_uri", CB),
            ("resource", "https://other.example/"),
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

/// The demo API's challenges point to its protected resource metadata (RFC 9728 §5.1),
/// which names the resource identifier its tokens must carry as `aud` (`call` builds its
/// `--resource` hint from it).
#[test]
fn demo_api_publishes_its_protected_resource_metadata() {
    let s = start(DevConfig::auto_approve("alice"));
    let meta_url = url(&s, "/.well-known/oauth-protected-resource/api");
    let expected = format!("resource_metadata=\"{meta_url}\"");
    let none = get(&url(&s, "/api/me"), None);
    let junk = get(&url(&s, "/api/me"), Some("not.a.jwt"));
    let cc = client_credentials(&s, "api:write");
    let scope = get(&url(&s, "/api/data"), cc.json["access_token"].as_str());
    for (status, answer) in [(401, none), (401, junk), (403, scope)] {
        assert_eq!(answer.status, status);
        let challenge = answer.header("www-authenticate").unwrap();
        assert!(challenge.contains(&expected), "{challenge}");
    }
    let meta = get(&meta_url, None);
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

// ---------------------------------------------------------------------------------------
// Rate limit

#[test]
fn token_endpoint_is_rate_limited_per_client() {
    let s = start(DevConfig::default().with_rate_limit(5));
    let mut statuses = Vec::new();
    for _ in 0..8 {
        statuses.push(client_credentials(&s, "api:read").status);
    }
    assert_eq!(&statuses[..5], &[200; 5]);
    let limited = client_credentials(&s, "api:read");
    assert_eq!(limited.status, 429);
    let retry: u64 = limited.header("retry-after").unwrap().parse().unwrap();
    assert!((1..=60).contains(&retry));
    // Another client has its own budget.
    let other = post(
        &url(&s, "/token"),
        &[
            ("grant_type", "refresh_token"),
            ("client_id", "oauthctl"),
            ("refresh_token", "x"),
        ],
    );
    assert_eq!(other.status, 400);
    assert_eq!(DevConfig::default().rate_limit_per_minute, 120);
    let off = start(DevConfig::default().with_rate_limit(0));
    for _ in 0..20 {
        assert_eq!(client_credentials(&off, "api:read").status, 200);
    }
}

/// POSTs a form to the token endpoint from `local` (every 127.0.0.0/8 address is loopback
/// on Linux), with `client_secret_basic` when `basic` is given.
fn post_from(local: &str, url: &str, basic: Option<(&str, &str)>, form: &[(&str, &str)]) -> Answer {
    let client = reqwest::blocking::Client::builder()
        .local_address(local.parse::<std::net::IpAddr>().unwrap())
        .redirect(reqwest::redirect::Policy::none())
        .timeout(Duration::from_secs(15))
        .build()
        .unwrap();
    let mut rq = client.post(url).form(form);
    if let Some((id, secret)) = basic {
        rq = rq.basic_auth(id, Some(secret));
    }
    Answer::from(rq.send().unwrap())
}

#[test]
fn failed_client_authentications_are_limited_per_source_and_spare_the_client() {
    let s = start(DevConfig::default().with_rate_limit(5));
    let token = url(&s, "/token");
    let cc = [("grant_type", "client_credentials"), ("scope", "api:read")];
    let service =
        |from: &str, secret: &str| post_from(from, &token, Some(("demo-service", secret)), &cc);
    // A guesser at 127.0.0.2: five wrong secrets are answered 401, then 429, and then even
    // the right secret is not checked, so guessing stays slow.
    for _ in 0..5 {
        assert_eq!(service("127.0.0.2", "guess").status, 401);
    }
    let limited = service("127.0.0.2", "guess");
    assert_eq!(limited.status, 429, "{}", limited.text);
    let retry: u64 = limited.header("retry-after").unwrap().parse().unwrap();
    assert!((1..=60).contains(&retry));
    assert!(
        limited.text.contains("failed authentications"),
        "{}",
        limited.text
    );
    assert_eq!(service("127.0.0.2", "demo-secret").status, 429);
    // The same budget guards every endpoint that authenticates clients.
    let introspect = post_from(
        "127.0.0.2",
        &url(&s, "/introspect"),
        Some(("demo-service", "demo-secret")),
        &[("token", "x")],
    );
    assert_eq!(introspect.status, 429);
    // Requests naming the client without any secret guess nothing and count nowhere.
    for _ in 0..20 {
        let junk = post_from(
            "127.0.0.1",
            &token,
            None,
            &[
                ("grant_type", "client_credentials"),
                ("client_id", "demo-service"),
            ],
        );
        assert_eq!(junk.status, 401, "{}", junk.text);
    }
    // The real client, from its own address, still has its whole budget: the failures
    // were counted apart from its authenticated requests.
    for _ in 0..5 {
        let a = service("127.0.0.1", "demo-secret");
        assert_eq!(a.status, 200, "{}", a.text);
    }
    let spent = service("127.0.0.1", "demo-secret");
    assert_eq!(spent.status, 429);
    assert!(
        spent.text.contains("too many token requests"),
        "{}",
        spent.text
    );
    // A public client proves nothing by its client_id: junk naming it from one address
    // does not use up the budget of another.
    let junk_refresh = [
        ("grant_type", "refresh_token"),
        ("client_id", "oauthctl"),
        ("refresh_token", "x"),
    ];
    for _ in 0..5 {
        assert_eq!(
            post_from("127.0.0.2", &token, None, &junk_refresh).status,
            400
        );
    }
    assert_eq!(
        post_from("127.0.0.2", &token, None, &junk_refresh).status,
        429
    );
    assert_eq!(
        post_from("127.0.0.1", &token, None, &junk_refresh).status,
        400
    );
}

// ---------------------------------------------------------------------------------------
// S19: hostile HTTP

fn fast_limits() -> Limits {
    Limits {
        head_timeout: Duration::from_secs(2),
        body_timeout: Duration::from_secs(2),
        idle_timeout: Duration::from_secs(2),
        ..Limits::default()
    }
}

#[test]
fn hostile_requests_get_4xx_while_normal_ones_are_served() {
    let s = start(DevConfig {
        limits: fast_limits(),
        ..DevConfig::default()
    });
    let addr = s.local_addr();
    let host = format!("127.0.0.1:{}", addr.port());
    // Slow clients first: they hold connections while the rest runs.
    let mut slow: Vec<TcpStream> = (0..20)
        .map(|_| {
            let mut c = TcpStream::connect(addr).unwrap();
            c.write_all(b"GET /jwks HTTP/1.1\r\nHo").unwrap();
            c
        })
        .collect();
    let idle: Vec<TcpStream> = (0..20).map(|_| TcpStream::connect(addr).unwrap()).collect();
    let line = format!(
        "GET /{} HTTP/1.1\r\nHost: {host}\r\n\r\n",
        "a".repeat(1 << 20)
    );
    assert!(raw(addr, line.as_bytes()).starts_with("HTTP/1.1 414"));
    let mut many = format!("GET /jwks HTTP/1.1\r\nHost: {host}\r\n");
    for i in 0..1000 {
        many.push_str("X-H");
        many.push_str(&i.to_string());
        many.push_str(": v\r\n");
    }
    many.push_str("\r\n");
    assert!(raw(addr, many.as_bytes()).starts_with("HTTP/1.1 431"));
    let huge = format!(
        "POST /token HTTP/1.1\r\nHost: {host}\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 100000000\r\n\r\n{}",
        "a=b&".repeat(1000)
    );
    assert!(raw(addr, huge.as_bytes()).starts_with("HTTP/1.1 413"));
    let cl_te = format!(
        "POST /token HTTP/1.1\r\nHost: {host}\r\nContent-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n"
    );
    assert!(raw(addr, cl_te.as_bytes()).starts_with("HTTP/1.1 400"));
    let te_te = format!(
        "POST /token HTTP/1.1\r\nHost: {host}\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: identity\r\n\r\n0\r\n\r\n"
    );
    assert!(raw(addr, te_te.as_bytes()).starts_with("HTTP/1.1 4"));
    let smuggle = format!(
        "POST /token HTTP/1.1\r\nHost: {host}\r\nContent-Length: 4\r\nContent-Length: 40\r\n\r\n"
    );
    assert!(raw(addr, smuggle.as_bytes()).starts_with("HTTP/1.1 400"));
    // A form body over 64 KiB through a normal client.
    let big = "x".repeat(70 * 1024);
    let a = post_basic(
        &url(&s, "/token"),
        "demo-service",
        "demo-secret",
        &[("big", &big)],
    );
    assert_eq!(a.status, 413);
    // Meanwhile, ordinary requests are answered quickly.
    let t = Instant::now();
    for _ in 0..5 {
        assert_eq!(get(&url(&s, "/jwks"), None).status, 200);
    }
    assert!(t.elapsed() < Duration::from_secs(2), "{:?}", t.elapsed());
    assert_eq!(client_credentials(&s, "api:read").status, 200);
    // The slowloris connections are cut off by the head deadline.
    std::thread::sleep(Duration::from_millis(2300));
    for c in &mut slow {
        c.set_read_timeout(Some(Duration::from_secs(3))).unwrap();
        let mut buf = String::new();
        let _ = c.read_to_string(&mut buf);
        assert!(buf.is_empty() || buf.starts_with("HTTP/1.1 408"), "{buf}");
    }
    for mut c in idle {
        c.set_read_timeout(Some(Duration::from_secs(3))).unwrap();
        let mut buf = [0u8; 16];
        assert_eq!(
            c.read(&mut buf).unwrap_or(0),
            0,
            "idle connections are closed"
        );
    }
}

/// Issue #13: a chunked request body is accepted (decoded, within the same cap as any
/// body), and a chunked body over the cap is refused.
#[test]
fn chunked_token_requests_are_answered_and_capped() {
    let s = start(DevConfig {
        limits: fast_limits(),
        ..DevConfig::default()
    });
    let addr = s.local_addr();
    let head = format!(
        "POST /token HTTP/1.1\r\nHost: 127.0.0.1:{}\r\nAuthorization: Basic {}\r\n\
         Content-Type: application/x-www-form-urlencoded\r\nTransfer-Encoding: chunked\r\n\
         Connection: close\r\n\r\n",
        addr.port(),
        base64::engine::general_purpose::STANDARD.encode("demo-service:demo-secret"),
    );
    let form = "grant_type=client_credentials&scope=api%3Aread";
    let (a, b) = form.split_at(20);
    let chunked = format!(
        "{head}{:x}\r\n{a}\r\n{:x}\r\n{b}\r\n0\r\n\r\n",
        a.len(),
        b.len()
    );
    let out = raw(addr, chunked.as_bytes());
    assert!(out.starts_with("HTTP/1.1 200 "), "{out}");
    let body: Value = serde_json::from_str(out.split("\r\n\r\n").nth(1).unwrap()).unwrap();
    assert!(
        body["access_token"].as_str().is_some_and(|t| !t.is_empty()),
        "{out}"
    );
    assert_eq!(body["token_type"], "Bearer");
    // The same 64 KiB cap as for a body with Content-Length, in small chunks or one big one.
    let piece = format!("{form}&pad={}", "x".repeat(4000));
    let mut over = head.clone();
    for _ in 0..17 {
        over.push_str(&format!("{:x}\r\n{piece}\r\n", piece.len()));
    }
    over.push_str("0\r\n\r\n");
    assert!(raw(addr, over.as_bytes()).starts_with("HTTP/1.1 413 "));
    let one = format!(
        "{head}{:x}\r\n{}\r\n0\r\n\r\n",
        70 * 1024,
        "y".repeat(70 * 1024)
    );
    assert!(raw(addr, one.as_bytes()).starts_with("HTTP/1.1 413 "));
    assert_eq!(s.hits("/token"), 1);
}

#[test]
fn the_connection_cap_holds_and_recovers() {
    let s = start(DevConfig {
        limits: Limits {
            max_connections: 4,
            ..fast_limits()
        },
        ..DevConfig::default()
    });
    let addr = s.local_addr();
    let held: Vec<TcpStream> = (0..4).map(|_| TcpStream::connect(addr).unwrap()).collect();
    std::thread::sleep(Duration::from_millis(200));
    let over = raw(
        addr,
        format!(
            "GET /jwks HTTP/1.1\r\nHost: 127.0.0.1:{}\r\n\r\n",
            addr.port()
        )
        .as_bytes(),
    );
    assert!(over.starts_with("HTTP/1.1 503"), "{over}");
    drop(held);
    std::thread::sleep(Duration::from_millis(300));
    assert_eq!(get(&url(&s, "/jwks"), None).status, 200);
}

#[test]
fn keep_alive_and_pipelining_work() {
    let s = start(DevConfig::default());
    let host = format!("127.0.0.1:{}", s.local_addr().port());
    let one = format!("GET /jwks HTTP/1.1\r\nHost: {host}\r\n\r\n");
    let last = format!("GET /jwks HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n");
    let out = raw(s.local_addr(), format!("{one}{one}{last}").as_bytes());
    assert_eq!(out.matches("HTTP/1.1 200").count(), 3, "{out}");
    assert_eq!(s.hits("/jwks"), 3);
}

// ---------------------------------------------------------------------------------------
// S21: logging

#[test]
fn the_request_log_holds_no_secrets() {
    let lines = Arc::new(Mutex::new(Vec::<String>::new()));
    let sink = Arc::clone(&lines);
    let s = start(DevConfig {
        log: Some(Logger(Arc::new(move |l: &str| {
            sink.lock().unwrap().push(l.to_owned());
        }))),
        ..DevConfig::auto_approve("alice")
    });
    let (code, verifier) = code_for(&s, "openid offline_access api:read", Some("nonce-secret"));
    let t = redeem(&s, &code, &verifier).json;
    let rt = t["refresh_token"].as_str().unwrap();
    let r = refresh(&s, rt).json;
    client_credentials(&s, "api:read");
    introspect_as(&s, ("demo-service", Some("demo-secret")), rt);
    let log = lines.lock().unwrap().join("\n");
    assert!(log.contains("POST /token 200"), "{log}");
    for secret in [
        code.as_str(),
        verifier.as_str(),
        rt,
        t["access_token"].as_str().unwrap(),
        r["refresh_token"].as_str().unwrap(),
        "demo-secret",
        "nonce-secret",
        "st-1",
    ] {
        assert!(!log.contains(secret), "log leaks {secret}");
    }
}

// ---------------------------------------------------------------------------------------
// The binary

#[test]
fn oauthctl_serve_prints_the_issuer_first() {
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_oauthctl"))
        .args(["serve", "--port", "0"])
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdout = BufReader::new(child.stdout.take().unwrap());
    let mut issuer = String::new();
    stdout.read_line(&mut issuer).unwrap();
    let issuer = issuer.trim_end().to_owned();
    assert!(issuer.starts_with("http://127.0.0.1:"), "{issuer}");
    let d = get(&format!("{issuer}/.well-known/openid-configuration"), None);
    assert_eq!(d.status, 200);
    assert_eq!(d.json["issuer"].as_str(), Some(issuer.as_str()));
    child.kill().unwrap();
    let out = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("development server"), "{stderr}");
    assert!(stderr.contains("demo-service"));
    assert!(stderr.contains("alice"));
    let mut rest = String::new();
    stdout.read_to_string(&mut rest).unwrap();
    assert!(rest.is_empty(), "stdout carries only the issuer: {rest:?}");
}

#[test]
fn server_config_files_replace_defaults() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("server.toml");
    std::fs::write(
        &path,
        "[[users]]\nusername = \"carol\"\npassword = \"pw\"\nroles = [\"admin\"]\n\
         [lifetimes]\naccess_token = \"2m\"\n",
    )
    .unwrap();
    let file = oauthctl::devserver::ServerConfigFile::load(&path).unwrap();
    let s = start(
        DevConfig::auto_approve("alice")
            .with_file(file)
            .with_auto_approve("carol"),
    );
    let t = tokens(&s, "api:read");
    assert_eq!(t["expires_in"], 120);
    assert_eq!(
        jwt_parts(t["access_token"].as_str().unwrap()).1["sub"],
        "carol"
    );
    assert!(s.registry().user("alice").is_none());
    let _: Option<&User> = s.registry().user("carol");
    let bad = dir.path().join("bad.toml");
    std::fs::write(&bad, "[[users]]\nusername = \"x\"\npasword = \"typo\"\n").unwrap();
    let err = oauthctl::devserver::ServerConfigFile::load(&bad).unwrap_err();
    assert!(err.contains("pasword") && err.contains("line"), "{err}");
    // Unknown auto-approve users are refused at start.
    assert!(DevServer::start(DevConfig::auto_approve("mallory")).is_err());
}
