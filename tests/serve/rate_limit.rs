//! Rate limits: token requests per client, wrong client secrets per client and source.

use std::time::Duration;

use oauthctl::devserver::DevConfig;

use super::{client_credentials, start, url};
use crate::support::{Answer, post};

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
