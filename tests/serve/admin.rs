//! The settable clock (`--clock-offset`, `/admin/clock`) and minting without a flow
//! (`/admin/mint`), docs/serve.md "The settable clock" and "The admin endpoint".

use oauthctl::devserver::DevConfig;
use serde_json::{Value, json};

use super::{code_for, introspect_as, redeem, start, tokens, url};
use crate::support::{Answer, get, http, jwt_parts, now};

/// POSTs `body` as JSON to the admin endpoint `path`.
fn admin(s: &oauthctl::devserver::DevServer, path: &str, body: &Value) -> Answer {
    Answer::from(
        http()
            .post(url(s, path))
            .header("Content-Type", "application/json")
            .body(body.to_string())
            .send()
            .unwrap(),
    )
}

fn claims(token: &str) -> Value {
    jwt_parts(token).1
}

#[test]
fn the_clock_offset_shows_in_token_times_and_the_date_header() {
    let s = start(DevConfig::auto_approve("alice").with_clock_offset(-3600));
    let t = tokens(&s, "openid api:read");
    let at = claims(t["access_token"].as_str().unwrap());
    let id = claims(t["id_token"].as_str().unwrap());
    let real = now();
    let iat = at["iat"].as_i64().unwrap();
    assert!((real - 3600 - iat).abs() <= 5, "iat {iat}, real {real}");
    assert_eq!(at["exp"].as_i64().unwrap(), iat + 3600);
    assert_eq!(at["nbf"].as_i64().unwrap(), iat);
    assert_eq!(id["iat"].as_i64().unwrap(), iat);
    assert!((id["auth_time"].as_i64().unwrap() - iat).abs() <= 5);
    // The Date header follows the clock too.
    let answer = get(&url(&s, "/jwks"), None);
    assert_eq!(answer.headers.get_all("date").iter().count(), 1);
    let date = httpdate::parse_http_date(answer.header("date").unwrap()).unwrap();
    let date = date
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs();
    let date = i64::try_from(date).unwrap();
    assert!((real - 3600 - date).abs() <= 5, "date {date}, real {real}");
    // The token is still valid for the server: its now is an hour ago as well.
    assert_eq!(
        get(&url(&s, "/api/me"), t["access_token"].as_str()).status,
        200
    );
    assert_eq!(s.clock_offset(), -3600);
}

#[test]
fn turning_the_clock_back_makes_a_token_not_yet_valid() {
    let s = start(DevConfig::auto_approve("alice"));
    let t = tokens(&s, "openid api:read");
    let at = t["access_token"].as_str().unwrap();
    let moved = admin(&s, "/admin/clock", &json!({"offset": "-1h"}));
    assert_eq!(moved.status, 200, "{}", moved.text);
    // Its `nbf` lies an hour in the server's future now: refused everywhere.
    let api = get(&url(&s, "/api/me"), Some(at));
    assert_eq!(api.status, 401, "{}", api.text);
    assert!(
        api.header("www-authenticate")
            .is_some_and(|c| c.contains("not valid yet")),
        "{:?}",
        api.header("www-authenticate")
    );
    assert_eq!(get(&url(&s, "/userinfo"), Some(at)).status, 401);
    let back = admin(&s, "/admin/clock", &json!({"offset": "0s"}));
    assert_eq!(back.status, 200, "{}", back.text);
    assert_eq!(get(&url(&s, "/api/me"), Some(at)).status, 200);
}

#[test]
fn advancing_the_clock_expires_access_tokens_at_the_demo_api() {
    let s = start(DevConfig::auto_approve("alice"));
    let t = tokens(&s, "api:read");
    let at = t["access_token"].as_str().unwrap();
    assert_eq!(get(&url(&s, "/api/me"), Some(at)).status, 200);
    let clock = get(&url(&s, "/admin/clock"), None);
    assert_eq!(clock.status, 200, "{}", clock.text);
    assert_eq!(clock.json["offset_seconds"], 0);
    let moved = admin(&s, "/admin/clock", &json!({"advance": "59m"}));
    assert_eq!(moved.status, 200, "{}", moved.text);
    assert_eq!(moved.json["offset_seconds"], 3540);
    assert_eq!(moved.json["offset"], "+59m");
    assert!((moved.json["now"].as_i64().unwrap() - now() - 3540).abs() <= 5);
    assert_eq!(get(&url(&s, "/api/me"), Some(at)).status, 200);
    let moved = admin(&s, "/admin/clock", &json!({"advance": 120}));
    assert_eq!(moved.json["offset_seconds"], 3660);
    let expired = get(&url(&s, "/api/me"), Some(at));
    assert_eq!(expired.status, 401);
    assert!(
        expired
            .header("www-authenticate")
            .unwrap()
            .contains("invalid_token")
    );
    assert_eq!(
        introspect_as(&s, ("demo-service", Some("demo-secret")), at)["active"],
        false
    );
    // Setting the offset back makes it valid again: the clock is all that changed.
    let back = admin(&s, "/admin/clock", &json!({"offset": "-0s"}));
    assert_eq!(back.json["offset_seconds"], 0, "{}", back.text);
    assert_eq!(get(&url(&s, "/api/me"), Some(at)).status, 200);
}

#[test]
fn advancing_the_clock_expires_authorization_codes() {
    let s = start(DevConfig::auto_approve("alice"));
    let (code, verifier) = code_for(&s, "openid", None);
    s.advance_clock(std::time::Duration::from_secs(61));
    let late = redeem(&s, &code, &verifier);
    assert_eq!(late.status, 400, "{}", late.text);
    assert_eq!(late.json["error"], "invalid_grant");
    // A code within its minute is redeemed.
    let (code, verifier) = code_for(&s, "openid", None);
    s.advance_clock(std::time::Duration::from_secs(50));
    assert_eq!(redeem(&s, &code, &verifier).status, 200);
}

#[test]
fn clock_changes_are_checked() {
    let s = start(DevConfig::default());
    for (body, says) in [
        (json!({}), "one of"),
        (json!({"advance": "1m", "offset": "1m"}), "one of"),
        (json!({"advance": "soon"}), "advance"),
        (json!({"offset": "--1h"}), "one sign"),
        (json!({"speed": 2}), "unknown field"),
        (json!("1h"), "invalid type"),
    ] {
        let a = admin(&s, "/admin/clock", &body);
        assert_eq!(a.status, 400, "{body}: {}", a.text);
        assert_eq!(a.json["error"], "invalid_request");
        let d = a.json["error_description"].as_str().unwrap();
        assert!(d.contains(says), "{body}: {d}");
    }
    assert_eq!(s.clock_offset(), 0);
    let put = http().put(url(&s, "/admin/clock")).send().unwrap();
    assert_eq!(put.status(), 405);
}

#[test]
fn the_admin_endpoint_refuses_browser_requests() {
    let s = start(DevConfig::default());
    let send = |headers: &[(&str, &str)], body: &str| {
        let mut rq = http().post(url(&s, "/admin/clock")).body(body.to_owned());
        for (n, v) in headers {
            rq = rq.header(*n, *v);
        }
        Answer::from(rq.send().unwrap())
    };
    let advance = r#"{"advance":"1h"}"#;
    let from_page = send(
        &[
            ("Content-Type", "application/json"),
            ("Origin", "http://evil.example"),
        ],
        advance,
    );
    assert_eq!(from_page.status, 403, "{}", from_page.text);
    let same_origin = send(
        &[("Content-Type", "application/json"), ("Origin", s.issuer())],
        advance,
    );
    assert_eq!(same_origin.status, 403);
    let form = send(
        &[("Content-Type", "application/x-www-form-urlencoded")],
        "advance=1h",
    );
    assert_eq!(form.status, 415);
    let text = send(&[("Content-Type", "text/plain")], advance);
    assert_eq!(text.status, 415);
    let mint_form = Answer::from(
        http()
            .post(url(&s, "/admin/mint"))
            .form(&[("user", "alice")])
            .send()
            .unwrap(),
    );
    assert_eq!(mint_form.status, 415);
    let preflight = http()
        .request(reqwest::Method::OPTIONS, url(&s, "/admin/mint"))
        .header("Origin", "http://evil.example")
        .header("Access-Control-Request-Method", "POST")
        .send()
        .unwrap();
    assert!(preflight.status().is_client_error());
    assert!(
        preflight
            .headers()
            .keys()
            .all(|k| !k.as_str().starts_with("access-control-"))
    );
    assert_eq!(s.clock_offset(), 0, "nothing moved the clock");
}

#[test]
fn a_minted_token_works_at_the_demo_api_userinfo_and_introspection() {
    let s = start(DevConfig::default());
    let minted = admin(
        &s,
        "/admin/mint",
        &json!({"user": "alice", "scope": "openid profile api:read", "ttl": "15m"}),
    );
    assert_eq!(minted.status, 200, "{}", minted.text);
    assert_eq!(minted.header("cache-control"), Some("no-store"));
    assert_eq!(minted.json["token_type"], "Bearer");
    assert_eq!(minted.json["expires_in"], 900);
    assert_eq!(minted.json["scope"], "openid profile api:read");
    assert!(minted.json.get("refresh_token").is_none());
    let at = minted.json["access_token"].as_str().unwrap();
    let c = claims(at);
    assert_eq!(c["sub"], "alice");
    assert_eq!(c["client_id"], "oauthctl");
    assert_eq!(c["iss"], s.issuer());
    assert_eq!(c["aud"], s.api_audience());
    assert_eq!(c["exp"].as_i64().unwrap() - c["iat"].as_i64().unwrap(), 900);
    let id = claims(minted.json["id_token"].as_str().unwrap());
    assert_eq!(
        (&id["sub"], &id["aud"]),
        (&json!("alice"), &json!("oauthctl"))
    );
    assert_eq!(id["preferred_username"], "alice");
    let me = get(&url(&s, "/api/me"), Some(at));
    assert_eq!(me.status, 200, "{}", me.text);
    assert_eq!(me.json["sub"], "alice");
    let info = get(&url(&s, "/userinfo"), Some(at));
    assert_eq!(info.status, 200, "{}", info.text);
    assert_eq!(info.json["sub"], "alice");
    let seen = introspect_as(&s, ("demo-service", Some("demo-secret")), at);
    assert_eq!(seen["active"], true, "{seen}");
    assert_eq!(seen["sub"], "alice");
    // Minting for the client itself, as client credentials would.
    let service = admin(&s, "/admin/mint", &json!({"scope": "api:read"}));
    assert_eq!(service.status, 200, "{}", service.text);
    let c = claims(service.json["access_token"].as_str().unwrap());
    assert_eq!(
        (&c["sub"], &c["client_id"]),
        (&json!("demo-service"), &json!("demo-service"))
    );
    assert!(service.json.get("id_token").is_none());
    // A minted token expires with the clock, like any other.
    s.advance_clock(std::time::Duration::from_secs(901));
    assert_eq!(get(&url(&s, "/api/me"), Some(at)).status, 401);
}

#[test]
fn minting_binds_to_a_dpop_key_and_checks_what_it_is_asked() {
    let s = start(DevConfig::default());
    let jkt = "0ZcOCORZNYy-DWpqq30jZyJGHTN0d2HglBV3uiguA4I";
    let bound = admin(
        &s,
        "/admin/mint",
        &json!({"user": "alice", "client_id": "oauthctl", "scope": "api:read", "jkt": jkt}),
    );
    assert_eq!(bound.status, 200, "{}", bound.text);
    assert_eq!(bound.json["token_type"], "DPoP");
    let at = bound.json["access_token"].as_str().unwrap();
    assert_eq!(claims(at)["cnf"]["jkt"], jkt);
    // Presented as a bearer token, a DPoP-bound token is refused.
    assert_eq!(get(&url(&s, "/api/me"), Some(at)).status, 401);
    for (body, error, says) in [
        (
            json!({"user": "mallory"}),
            "invalid_request",
            "no such user",
        ),
        (
            json!({"user": "alice", "client_id": "nobody"}),
            "invalid_request",
            "no such client",
        ),
        (
            json!({"user": "alice", "scope": "root"}),
            "invalid_request",
            "`root`",
        ),
        (
            json!({"user": "alice", "scope": "offline_access"}),
            "invalid_request",
            "refresh",
        ),
        (
            json!({"scope": "openid"}),
            "invalid_request",
            "needs a `user`",
        ),
        (
            json!({"user": "alice", "ttl": "0s"}),
            "invalid_request",
            "ttl",
        ),
        (
            json!({"user": "alice", "ttl": "-5m"}),
            "invalid_request",
            "ttl",
        ),
        (
            json!({"user": "alice", "jkt": "short"}),
            "invalid_request",
            "thumbprint",
        ),
        (
            json!({"user": "alice", "resource": "https://elsewhere.example/api"}),
            "invalid_target",
            "no such resource",
        ),
        (
            json!({"user": "alice", "password": "x"}),
            "invalid_request",
            "unknown field",
        ),
    ] {
        let a = admin(&s, "/admin/mint", &body);
        assert_eq!(a.status, 400, "{body}: {}", a.text);
        assert_eq!(a.json["error"], error, "{body}");
        let d = a.json["error_description"].as_str().unwrap();
        assert!(d.contains(says), "{body}: {d}");
    }
    // An audience by name, and a resource this server hosts.
    let named = admin(
        &s,
        "/admin/mint",
        &json!({"user": "alice", "audience": "orders"}),
    );
    assert_eq!(
        claims(named.json["access_token"].as_str().unwrap())["aud"],
        "orders"
    );
    let hosted = admin(
        &s,
        "/admin/mint",
        &json!({"user": "alice", "resource": s.api_audience()}),
    );
    assert_eq!(hosted.status, 200, "{}", hosted.text);
}

#[test]
fn oauthctl_serve_clock_offset_starts_the_clock_away_from_the_real_time() {
    use std::io::BufRead as _;
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_oauthctl"))
        .args(["serve", "--port", "0", "--clock-offset", "-1h30m"])
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let mut stdout = std::io::BufReader::new(child.stdout.take().unwrap());
    let mut issuer = String::new();
    stdout.read_line(&mut issuer).unwrap();
    let clock = get(&format!("{}/admin/clock", issuer.trim_end()), None);
    child.kill().unwrap();
    child.wait().unwrap();
    assert_eq!(clock.status, 200, "{}", clock.text);
    assert_eq!(clock.json["offset_seconds"], -5400);
    assert_eq!(clock.json["offset"], "-1h 30m");
}

#[test]
fn oauthctl_serve_mint_prints_a_token_from_the_running_server() {
    let s = start(DevConfig::default());
    let home = crate::support::home();
    let port = s.local_addr().port().to_string();
    let out = crate::support::run(
        home.path(),
        &[
            "serve",
            "--mint",
            "--port",
            &port,
            "--user",
            "alice",
            "--scope",
            "openid api:read",
            "--ttl",
            "15m",
        ],
    );
    crate::support::assert_code(&out, 0);
    let token = crate::support::stdout(&out);
    let token = token.trim_end();
    assert_eq!(token.lines().count(), 1, "{token}");
    let me = get(&url(&s, "/api/me"), Some(token));
    assert_eq!(me.status, 200, "{}", me.text);
    assert_eq!(me.json["sub"], "alice");
    let c = claims(token);
    assert_eq!(c["exp"].as_i64().unwrap() - c["iat"].as_i64().unwrap(), 900);
    // --json prints the token response; --client-id names the client.
    let out = crate::support::run(
        home.path(),
        &[
            "serve",
            "--mint",
            "--port",
            &port,
            "--client-id",
            "demo-service",
            "--scope",
            "api:read",
            "--json",
        ],
    );
    crate::support::assert_code(&out, 0);
    let doc: Value = serde_json::from_str(&crate::support::stdout(&out)).unwrap();
    assert_eq!(doc["token_type"], "Bearer");
    assert_eq!(
        claims(doc["access_token"].as_str().unwrap())["sub"],
        "demo-service"
    );
    // The server's refusal is an OAuth error (exit 4) that says why.
    let out = crate::support::run(
        home.path(),
        &["serve", "--mint", "--port", &port, "--user", "mallory"],
    );
    crate::support::assert_code(&out, 4);
    assert!(crate::support::stderr(&out).contains("no such user"));
    // The mint flags need --mint.
    let out = crate::support::run(home.path(), &["serve", "--user", "alice"]);
    crate::support::assert_code(&out, 2);
}
