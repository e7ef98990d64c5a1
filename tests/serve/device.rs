//! The device flow: `/device_authorization`, polling, the verification pages.

use std::time::Duration;

use oauthctl::devserver::{DevConfig, DevServer};
use serde_json::Value;

use super::{assert_page_headers, session_cookie, start, url};
use crate::support::{Answer, get, hidden, http, jwt_parts, post, post_basic};

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
