//! The request log.

use std::sync::{Arc, Mutex};

use oauthctl::devserver::{DevConfig, Logger};

use super::{client_credentials, code_for, introspect_as, redeem, refresh, start};

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
