//! RP-initiated logout (OpenID Connect RP-Initiated Logout 1.0) at `/logout`: a checked
//! request ends the user's grants to the client and goes back to a registered
//! `post_logout_redirect_uri` with `state`; anything untrusted is an error page.

use oauthctl::devserver::{DevConfig, DevServer, Misbehave, ServerConfigFile};

use super::claims::{CONFIG, config};
use super::{active, refresh, session_cookie, start, tokens, url};
use crate::support::{Answer, get, hidden, http, location_param};

const BYE: &str = "https://app.example/signed-out";

fn logout(s: &DevServer, params: &[(&str, &str)]) -> Answer {
    let mut u = url::Url::parse(&url(s, "/logout")).unwrap();
    u.query_pairs_mut().extend_pairs(params);
    Answer::from(http().get(u.as_str()).send().unwrap())
}

fn assert_refused(a: &Answer, why: &str) {
    assert_eq!(a.status, 400, "{}", a.text);
    assert!(a.header("location").is_none(), "never a redirect");
    assert!(a.text.contains(why), "{}", a.text);
}

#[test]
fn discovery_names_the_end_session_endpoint() {
    let s = start(DevConfig::default());
    let m = get(&url(&s, "/.well-known/openid-configuration"), None).json;
    assert_eq!(m["end_session_endpoint"], format!("{}/logout", s.issuer()));
}

#[test]
fn a_valid_logout_redirects_with_state_and_ends_the_grant() {
    let s = start(config());
    let t = tokens(&s, "openid offline_access");
    let (id_token, rt, at) = (
        t["id_token"].as_str().unwrap(),
        t["refresh_token"].as_str().unwrap(),
        t["access_token"].as_str().unwrap(),
    );
    assert!(active(&s, at));
    let a = logout(
        &s,
        &[
            ("id_token_hint", id_token),
            ("post_logout_redirect_uri", BYE),
            ("state", "s t&1"),
        ],
    );
    assert_eq!(a.status, 302, "{}", a.text);
    let loc = a.header("location").unwrap();
    assert!(loc.starts_with(&format!("{BYE}?")), "{loc}");
    assert_eq!(location_param(loc, "state").as_deref(), Some("s t&1"));
    let r = refresh(&s, rt);
    assert_eq!(r.status, 400, "{}", r.text);
    assert_eq!(r.json["error"], "invalid_grant");
    assert!(!active(&s, at), "the grant's access token is revoked too");
    // client_id that agrees with the hint, and no state: the URI as registered.
    let a = logout(
        &s,
        &[
            ("id_token_hint", id_token),
            ("client_id", "oauthctl"),
            ("post_logout_redirect_uri", BYE),
        ],
    );
    assert_eq!(a.status, 302, "{}", a.text);
    assert_eq!(a.header("location"), Some(BYE));
    // Without a redirect URI: a page.
    let a = logout(&s, &[("id_token_hint", id_token)]);
    assert_eq!(a.status, 200, "{}", a.text);
    assert!(a.text.contains("signed out"), "{}", a.text);
}

#[test]
fn an_unregistered_redirect_uri_is_refused() {
    let s = start(config());
    let t = tokens(&s, "openid offline_access");
    let id_token = t["id_token"].as_str().unwrap();
    for uri in [
        "https://evil.example/signed-out",
        "https://app.example/signed-out/",
        "https://app.example/signed-out?x=1",
        "http://127.0.0.1/callback",
    ] {
        let a = logout(
            &s,
            &[
                ("id_token_hint", id_token),
                ("post_logout_redirect_uri", uri),
                ("state", "x"),
            ],
        );
        assert_refused(&a, "not registered for client `oauthctl`");
    }
    let a = logout(&s, &[("post_logout_redirect_uri", BYE)]);
    assert_refused(&a, "needs client_id or id_token_hint");
    let a = logout(
        &s,
        &[("client_id", "nobody"), ("post_logout_redirect_uri", BYE)],
    );
    assert_refused(&a, "unknown");
    // Nothing was ended by the refused requests.
    let r = refresh(&s, t["refresh_token"].as_str().unwrap());
    assert_eq!(r.status, 200, "{}", r.text);
}

#[test]
fn a_foreign_id_token_hint_is_refused() {
    let s = start(config());
    let other = start(config());
    let t = tokens(&s, "openid offline_access");
    let foreign = tokens(&other, "openid")["id_token"]
        .as_str()
        .unwrap()
        .to_owned();
    for hint in [
        foreign.as_str(),
        t["access_token"].as_str().unwrap(),
        "not.a.token",
    ] {
        let a = logout(
            &s,
            &[("id_token_hint", hint), ("post_logout_redirect_uri", BYE)],
        );
        assert_refused(&a, "not an ID token this server issued");
    }
    // Signed here, but for another client than client_id.
    let a = logout(
        &s,
        &[
            ("id_token_hint", t["id_token"].as_str().unwrap()),
            ("client_id", "demo-service"),
            ("post_logout_redirect_uri", BYE),
        ],
    );
    assert_refused(&a, "issued to another client than client_id");
    let r = refresh(&s, t["refresh_token"].as_str().unwrap());
    assert_eq!(r.status, 200, "{}", r.text);
}

#[test]
fn an_expired_id_token_hint_is_still_a_hint() {
    let mut cfg = config();
    cfg.misbehave = vec![Misbehave::IdTokenExpired];
    let s = start(cfg);
    let t = tokens(&s, "openid offline_access");
    let a = logout(
        &s,
        &[
            ("id_token_hint", t["id_token"].as_str().unwrap()),
            ("post_logout_redirect_uri", BYE),
        ],
    );
    assert_eq!(a.status, 302, "{}", a.text);
    assert_eq!(
        refresh(&s, t["refresh_token"].as_str().unwrap()).json["error"],
        "invalid_grant"
    );
}

#[test]
fn without_auto_approve_the_user_confirms() {
    let s = start(DevConfig::default().with_file(ServerConfigFile::parse(CONFIG).unwrap()));
    let params = [
        ("client_id", "oauthctl"),
        ("post_logout_redirect_uri", BYE),
        ("state", "st\"><b>&"),
    ];
    let page = logout(&s, &params);
    assert_eq!(page.status, 200, "{}", page.text);
    assert!(page.header("location").is_none());
    assert!(
        page.text.contains("Sign out of <strong>oauthctl</strong>"),
        "{}",
        page.text
    );
    assert_eq!(hidden(&page.text, "post_logout_redirect_uri"), BYE);
    assert_eq!(hidden(&page.text, "state"), "st&quot;&gt;&lt;b&gt;&amp;");
    assert!(!page.text.contains("<b>"), "reflected values are escaped");
    let cookie = session_cookie(&page);
    let csrf = hidden(&page.text, "csrf");
    let confirm = |decision: &str, csrf: &str, cookie: Option<&str>| {
        let mut form: Vec<(&str, &str)> = params.to_vec();
        form.extend([("decision", decision), ("csrf", csrf)]);
        let mut rq = http().post(url(&s, "/logout")).form(&form);
        if let Some(c) = cookie {
            rq = rq.header("Cookie", c);
        }
        Answer::from(rq.send().unwrap())
    };
    // Without the cookie (a cross-site form): the page again, no redirect.
    let a = confirm("logout", &csrf, None);
    assert_eq!(a.status, 200, "{}", a.text);
    assert!(a.header("location").is_none());
    let a = confirm("stay", &csrf, Some(&cookie));
    assert_eq!(a.status, 200, "{}", a.text);
    assert!(a.text.contains("Still signed in"), "{}", a.text);
    assert!(a.header("location").is_none());
    let a = confirm("logout", &csrf, Some(&cookie));
    assert_eq!(a.status, 303, "{}", a.text);
    let loc = a.header("location").unwrap();
    assert!(loc.starts_with(&format!("{BYE}?state=")), "{loc}");
    assert_eq!(location_param(loc, "state").as_deref(), Some("st\"><b>&"));
    // An unregistered URI is refused before any page.
    let a = logout(
        &s,
        &[
            ("client_id", "oauthctl"),
            ("post_logout_redirect_uri", "https://evil.example/"),
        ],
    );
    assert_refused(&a, "not registered");
}

#[test]
fn a_jwt_from_a_token_exchange_is_no_hint() {
    let s = start(DevConfig::auto_approve("alice"));
    let t = tokens(&s, "openid api:read");
    let jwt = crate::support::post(
        &url(&s, "/token"),
        &[
            (
                "grant_type",
                "urn:ietf:params:oauth:grant-type:token-exchange",
            ),
            ("client_id", "oauthctl"),
            ("subject_token", t["access_token"].as_str().unwrap()),
            (
                "subject_token_type",
                "urn:ietf:params:oauth:token-type:access_token",
            ),
            (
                "requested_token_type",
                "urn:ietf:params:oauth:token-type:jwt",
            ),
        ],
    );
    assert_eq!(jwt.status, 200, "{}", jwt.text);
    // Signed by this server with typ JWT, but for the API, with no azp.
    let a = logout(
        &s,
        &[("id_token_hint", jwt.json["access_token"].as_str().unwrap())],
    );
    assert_refused(&a, "not an ID token this server issued");
    // The login's own ID token is a hint.
    let a = logout(&s, &[("id_token_hint", t["id_token"].as_str().unwrap())]);
    assert_eq!(a.status, 200, "{}", a.text);
}
