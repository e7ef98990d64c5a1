//! `/authorize`: the login and consent forms (CSRF), the sign-in page, redirect URI
//! matching, error pages and escaping, PKCE.

use oauthctl::devserver::{DevConfig, DevServer};

use super::{
    CB, assert_page_headers, authorize, code_for, redeem, session_cookie, start, url, wide,
};
use crate::support::{Answer, hidden, http, location_param, pkce, post, post_basic};

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
    // Deny: error redirect with state and iss.
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

/// The server-config example of docs/serve.md, as a user would copy it.
fn documented_server_config() -> oauthctl::devserver::ServerConfigFile {
    let doc = include_str!("../../docs/serve.md");
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

#[test]
fn the_consent_page_shows_where_the_code_goes() {
    let s = start(DevConfig::default());
    let (_, challenge) = pkce();
    let page = authorize(
        &s,
        &[
            ("response_type", "code"),
            ("client_id", "oauthctl"),
            ("redirect_uri", "http://localhost:41235/callback"),
            ("state", "s"),
            ("code_challenge", &challenge),
            ("code_challenge_method", "S256"),
        ],
    );
    assert_eq!(page.status, 200, "{}", page.text);
    let consent = Answer::from(
        http()
            .post(url(&s, "/authorize/login"))
            .header("Cookie", session_cookie(&page))
            .form(&[
                ("txn", hidden(&page.text, "txn").as_str()),
                ("csrf", hidden(&page.text, "csrf").as_str()),
                ("username", "alice"),
                ("password", "alice"),
            ])
            .send()
            .unwrap(),
    );
    assert_eq!(consent.status, 200, "{}", consent.text);
    assert!(consent.text.contains("Allow access?"), "{}", consent.text);
    assert!(
        consent.text.contains("<strong>localhost:41235</strong>")
            && consent.text.contains("path <code>/callback</code>")
            && consent.text.contains("an application on this computer"),
        "{}",
        consent.text
    );
}

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
        // The built-in client opts in to any port on `localhost` too.
        "http://localhost/callback",
        "http://localhost:61000/callback",
    ] {
        let a = try_uri(ok);
        assert_eq!(a.status, 302, "{ok}");
        assert!(a.header("location").unwrap().starts_with(ok));
    }
    for bad in [
        "HTTP://127.0.0.1:61000/callback",
        "http://LOCALHOST:61000/callback",
        "http://localhost:61000/cb",
        "http://localhost.evil.example:61000/callback",
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
        assert!(a.header("location").is_none(), "never redirect ({bad})");
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
    // The state reaches the client verbatim, encoded in the Location.
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
    // PKCE downgrade. `web` is confidential and may skip PKCE; a verifier for a code issued
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
