//! The in-memory store: what unauthenticated requests can make the server keep is
//! bounded.

use oauthctl::devserver::DevConfig;

use super::{CB, code_for, redeem, session_cookie, start, url};
use crate::support::{Answer, get, hidden, http, pkce};

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
