//! The device grant's polling discipline (RFC 8628 §3.5, security.md C55–C57), with the
//! flow's sleep seam recording every pause instead of waiting.

use std::sync::Mutex;
use std::time::Duration;

use oauthctl::flow::client::ClientAuth;
use oauthctl::flow::device;
use oauthctl::flow::events::Silent;
use oauthctl::flow::provider::Resolved;
use oauthctl::http::{HttpClient, HttpOptions};
use oauthctl::oauth::providers::{Endpoints, Provider};

use crate::support::stub::{Canned, Stub};

fn resolved(stub: &Stub) -> Resolved {
    let endpoints = Endpoints {
        device_authorization_endpoint: Some(stub.url("/device")),
        token_endpoint: Some(stub.url("/token")),
        ..Endpoints::default()
    };
    Resolved {
        provider: Provider {
            name: "stub".into(),
            issuer: Some(stub.base.clone()),
            endpoints: endpoints.clone(),
            ..Provider::default()
        },
        endpoints,
        metadata: None,
    }
}

fn poll(
    stub: &Stub,
    device_response: &str,
    answers: Vec<Canned>,
) -> (
    oauthctl::Result<oauthctl::oauth::token_response::TokenResponse>,
    Vec<u64>,
) {
    stub.route("/device", Canned::json(device_response.to_owned()));
    stub.sequence("/token", answers);
    let http = HttpClient::new(&HttpOptions::default()).unwrap();
    let client = ClientAuth::new("cli".into(), None, None);
    let pauses = Mutex::new(Vec::new());
    let sleep = |d: Duration| pauses.lock().unwrap().push(d.as_secs());
    let result = device::run(
        &http,
        &resolved(stub),
        &client,
        &["openid".to_owned()],
        None,
        None,
        Duration::from_secs(600),
        &Silent,
        &sleep,
    );
    (result, pauses.into_inner().unwrap())
}

fn error(code: &str) -> Canned {
    Canned::status(400, format!(r#"{{"error":"{code}"}}"#))
}

const DEVICE: &str = r#"{"device_code":"dc","user_code":"BCDF-GHJK","verification_uri":"https://as.example/device","expires_in":600}"#;

#[test]
fn polls_every_5s_by_default_and_5s_slower_after_each_slow_down() {
    let stub = Stub::start();
    let ok = Canned::json(r#"{"access_token":"at","token_type":"Bearer"}"#);
    let (result, pauses) = poll(
        &stub,
        DEVICE,
        vec![
            error("authorization_pending"),
            error("slow_down"),
            error("authorization_pending"),
            error("slow_down"),
            ok,
        ],
    );
    assert!(result.is_ok(), "{result:?}");
    assert_eq!(
        pauses,
        [5, 5, 10, 10, 15],
        "C55: +5 s after every slow_down, for all later polls"
    );
    // The device code went to the token endpoint in a form body.
    let last = stub.seen("/token").pop().unwrap();
    let form: std::collections::BTreeMap<String, String> = url::form_urlencoded::parse(&last.body)
        .into_owned()
        .collect();
    assert_eq!(
        form["grant_type"],
        "urn:ietf:params:oauth:grant-type:device_code"
    );
    assert_eq!(form["device_code"], "dc");
}

#[test]
fn the_servers_interval_is_honoured_and_absurd_ones_clamped() {
    for (interval, want) in [
        ("7", 7),
        ("0", 5),
        ("-3", 5),
        ("1000000000000", device::MAX_INTERVAL),
        ("\"soon\"", 5),
    ] {
        let stub = Stub::start();
        let body = DEVICE.replace(
            r#""expires_in":600"#,
            &format!(r#""expires_in":600,"interval":{interval}"#),
        );
        let ok = Canned::json(r#"{"access_token":"at","token_type":"Bearer"}"#);
        let (result, pauses) = poll(&stub, &body, vec![error("authorization_pending"), ok]);
        assert!(result.is_ok(), "{interval}: {result:?}");
        assert_eq!(pauses, [want, want], "interval {interval}");
    }
}

#[test]
fn denial_expiry_and_unknown_errors_stop_polling() {
    for (code, exit) in [
        ("access_denied", 4),
        ("expired_token", 4),
        ("something_else", 4),
    ] {
        let stub = Stub::start();
        let (result, pauses) = poll(
            &stub,
            DEVICE,
            vec![error("authorization_pending"), error(code)],
        );
        let err = result.unwrap_err();
        assert_eq!(err.exit_code(), exit, "{code}: {err}");
        assert_eq!(pauses.len(), 2, "{code}: stops at once");
    }
}

#[test]
fn the_code_expiring_ends_the_wait_with_a_timeout() {
    let stub = Stub::start();
    let body = DEVICE.replace(r#""expires_in":600"#, r#""expires_in":12"#);
    let (result, pauses) = poll(&stub, &body, vec![error("authorization_pending")]);
    let err = result.unwrap_err();
    assert_eq!(err.exit_code(), 5, "{err}");
    assert!(err.to_string().contains("not approved"), "{err}");
    // Pauses stay within the device code's lifetime (no busy loop, no overrun).
    assert!(pauses.iter().sum::<u64>() <= 12, "{pauses:?}");
}

#[test]
fn server_trouble_backs_off_exponentially_then_recovers() {
    let stub = Stub::start();
    let down = Canned::status(503, "<html>busy</html>");
    let ok = Canned::json(r#"{"access_token":"at","token_type":"Bearer"}"#);
    let (result, pauses) = poll(
        &stub,
        DEVICE,
        vec![down.clone(), down, error("authorization_pending"), ok],
    );
    assert!(result.is_ok(), "{result:?}");
    assert_eq!(
        pauses,
        [5, 10, 20, 5],
        "C56: exponential back-off while the server fails"
    );
}
