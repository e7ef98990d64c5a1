//! `POST /register`: dynamic client registration (RFC 7591) and its limits
//! (docs/serve.md, "Dynamic client registration").

use oauthctl::devserver::{DevConfig, DevServer};
use serde_json::{Value, json};

use super::{CB, authorize, start, url};
use crate::support::{Answer, get, http, jwt_parts, location_param, pkce, post, post_basic};

fn register(s: &DevServer, body: &Value) -> Answer {
    register_with(&http(), s, body)
}

fn register_with(client: &reqwest::blocking::Client, s: &DevServer, body: &Value) -> Answer {
    Answer::from(
        client
            .post(url(s, "/register"))
            .header("Content-Type", "application/json")
            .body(body.to_string())
            .send()
            .unwrap(),
    )
}

/// What a native CLI registers (the shape `oauthctl` itself sends).
fn native() -> Value {
    json!({
        "client_name": "a CLI",
        "application_type": "native",
        "redirect_uris": ["http://127.0.0.1/callback"],
        "grant_types": ["authorization_code", "refresh_token"],
        "response_types": ["code"],
        "token_endpoint_auth_method": "none",
    })
}

/// Runs the code flow (auto-approve) for `client_id`; the token response.
fn code_flow(s: &DevServer, client_id: &str, secret: Option<&str>) -> Answer {
    let (verifier, challenge) = pkce();
    let a = authorize(
        s,
        &[
            ("response_type", "code"),
            ("client_id", client_id),
            ("redirect_uri", CB),
            ("scope", "openid api:read offline_access"),
            ("code_challenge", &challenge),
            ("code_challenge_method", "S256"),
        ],
    );
    assert_eq!(a.status, 302, "{}", a.text);
    let code = location_param(a.header("location").unwrap(), "code").unwrap();
    let mut form = vec![
        ("grant_type", "authorization_code"),
        ("code", code.as_str()),
        ("redirect_uri", CB),
        ("code_verifier", verifier.as_str()),
    ];
    if let Some(secret) = secret {
        post_basic(&url(s, "/token"), client_id, secret, &form)
    } else {
        form.push(("client_id", client_id));
        post(&url(s, "/token"), &form)
    }
}

#[test]
fn a_registered_native_client_logs_in_at_once() {
    let s = start(DevConfig::auto_approve("alice"));
    let meta = get(&url(&s, "/.well-known/oauth-authorization-server"), None);
    assert_eq!(meta.json["registration_endpoint"], url(&s, "/register"));
    let r = register(&s, &native());
    assert_eq!(r.status, 201, "{}", r.text);
    assert_eq!(r.header("cache-control"), Some("no-store"));
    let m = &r.json;
    let id = m["client_id"].as_str().unwrap();
    assert!(id.starts_with("dcr-") && id.len() > 20, "{id}");
    assert!(m["client_id_issued_at"].as_u64().unwrap() > 1_600_000_000);
    assert!(
        m.get("client_secret").is_none(),
        "a public client has no secret"
    );
    assert!(m.get("registration_access_token").is_none());
    assert_eq!(m["redirect_uris"], json!(["http://127.0.0.1/callback"]));
    assert_eq!(
        m["grant_types"],
        json!(["authorization_code", "refresh_token"])
    );
    assert_eq!(m["response_types"], json!(["code"]));
    assert_eq!(m["token_endpoint_auth_method"], "none");
    assert_eq!(m["application_type"], "native");
    assert_eq!(m["client_name"], "a CLI");
    assert_eq!(s.registered_clients(), 1);
    // Any loopback port (RFC 8252 §7.3), and the client is public at /token.
    let t = code_flow(&s, id, None);
    assert_eq!(t.status, 200, "{}", t.text);
    let claims = jwt_parts(t.json["access_token"].as_str().unwrap()).1;
    assert_eq!(claims["client_id"], id);
    let rt = t.json["refresh_token"].as_str().unwrap();
    let renewed = post(
        &url(&s, "/token"),
        &[
            ("grant_type", "refresh_token"),
            ("client_id", id),
            ("refresh_token", rt),
        ],
    );
    assert_eq!(renewed.status, 200, "{}", renewed.text);
    // A second registration is another client.
    let again = register(&s, &native());
    assert_ne!(again.json["client_id"], id);
    assert_eq!(s.registered_clients(), 2);
}

#[test]
fn a_confidential_registration_gets_a_secret_that_authenticates_it() {
    let s = start(DevConfig::auto_approve("alice"));
    let r = register(
        &s,
        &json!({
            "redirect_uris": ["https://app.example/cb", CB],
            "grant_types": ["authorization_code", "client_credentials"],
            "scope": "openid offline_access api:read api:write",
        }),
    );
    assert_eq!(r.status, 201, "{}", r.text);
    // RFC 7591 §2: client_secret_basic and web are the defaults.
    assert_eq!(r.json["token_endpoint_auth_method"], "client_secret_basic");
    assert_eq!(r.json["application_type"], "web");
    assert_eq!(r.json["client_secret_expires_at"], 0);
    assert_eq!(r.json["scope"], "openid offline_access api:read api:write");
    let id = r.json["client_id"].as_str().unwrap();
    let secret = r.json["client_secret"].as_str().unwrap();
    assert!(secret.len() >= 43);
    let t = code_flow(&s, id, Some(secret));
    assert_eq!(t.status, 200, "{}", t.text);
    let token = |secret: &str, scope: &str| {
        post_basic(
            &url(&s, "/token"),
            id,
            secret,
            &[("grant_type", "client_credentials"), ("scope", scope)],
        )
    };
    assert_eq!(token(secret, "api:read").status, 200);
    let wrong = token("not-the-secret", "api:read");
    assert_eq!(wrong.status, 401);
    assert_eq!(wrong.json["error"], "invalid_client");
    // The registered scope limits what the client may ask for.
    assert_eq!(token(secret, "api:admin").json["error"], "invalid_scope");
    // Without its secret, the client is not authenticated.
    let anonymous = post(
        &url(&s, "/token"),
        &[("grant_type", "client_credentials"), ("client_id", id)],
    );
    assert_eq!(anonymous.status, 401);
}

/// RFC 7591 §3.2.2: `invalid_redirect_uri` for redirect URIs this server refuses,
/// `invalid_client_metadata` for the rest; nothing is registered.
#[test]
fn bad_registrations_get_rfc_7591_errors() {
    let s = start(DevConfig::default());
    let cases = [
        (
            json!({"redirect_uris": ["http://app.example/cb"]}),
            "invalid_redirect_uri",
            "loopback",
        ),
        (
            json!({"redirect_uris": ["https://app.example/cb"], "application_type": "native"}),
            "invalid_redirect_uri",
            "native",
        ),
        (
            json!({"redirect_uris": ["com.example.app:/cb"]}),
            "invalid_redirect_uri",
            "https",
        ),
        (
            json!({"redirect_uris": ["https://app.example/cb#f"]}),
            "invalid_redirect_uri",
            "fragment",
        ),
        (
            json!({"client_name": "no redirect"}),
            "invalid_redirect_uri",
            "required",
        ),
        (
            json!({"redirect_uris": [CB], "grant_types": ["authorization_code"], "response_types": ["token"]}),
            "invalid_client_metadata",
            "only code",
        ),
        (
            json!({"grant_types": ["client_credentials"], "response_types": ["code"]}),
            "invalid_client_metadata",
            "disagree",
        ),
        (
            json!({"grant_types": ["client_credentials"], "token_endpoint_auth_method": "none"}),
            "invalid_client_metadata",
            "without a secret",
        ),
        (
            json!({"redirect_uris": [CB], "token_endpoint_auth_method": "private_key_jwt"}),
            "invalid_client_metadata",
            "not supported",
        ),
        (
            json!({"redirect_uris": [CB], "application_type": "tv"}),
            "invalid_client_metadata",
            "web or native",
        ),
        (
            json!({"redirect_uris": [CB], "scope": "openid root"}),
            "invalid_client_metadata",
            "`root`",
        ),
        (
            json!(["not", "an", "object"]),
            "invalid_client_metadata",
            "JSON object",
        ),
    ];
    for (body, error, needle) in cases {
        let r = register(&s, &body);
        assert_eq!(r.status, 400, "{body}: {}", r.text);
        assert_eq!(r.json["error"], error, "{body}: {}", r.text);
        let d = r.json["error_description"].as_str().unwrap();
        assert!(d.contains(needle), "{body}: {d}");
    }
    // Not JSON, duplicate members, the wrong media type.
    for (body, content_type) in [
        ("{", "application/json"),
        (
            r#"{"redirect_uris":["http://127.0.0.1/cb"],"redirect_uris":[]}"#,
            "application/json",
        ),
        (
            r#"{"redirect_uris":["http://127.0.0.1/cb"]}"#,
            "application/x-www-form-urlencoded",
        ),
    ] {
        let r = Answer::from(
            http()
                .post(url(&s, "/register"))
                .header("Content-Type", content_type)
                .body(body)
                .send()
                .unwrap(),
        );
        assert_eq!(r.status, 400, "{body}");
        assert_eq!(r.json["error"], "invalid_client_metadata", "{body}");
    }
    assert_eq!(s.registered_clients(), 0);
    let get_it = get(&url(&s, "/register"), None);
    assert_eq!(get_it.status, 405);
}

#[test]
fn an_oversized_registration_is_refused() {
    let s = start(DevConfig::default());
    let mut body = native();
    body["client_name"] = json!("x".repeat(400));
    body["software_statement_padding"] = json!("y".repeat(8 * 1024));
    let r = register(&s, &body);
    assert_eq!(r.status, 413, "{}", r.text);
    assert_eq!(r.json["error"], "invalid_client_metadata");
    assert!(
        r.json["error_description"]
            .as_str()
            .unwrap()
            .contains("8 KiB")
    );
    assert_eq!(s.registered_clients(), 0);
    // Just under the limit is fine (unknown members are ignored, RFC 7591 §2).
    let mut fits = native();
    fits["padding"] = json!("y".repeat(7 * 1024));
    assert_eq!(register(&s, &fits).status, 201);
}

/// At most 1,024 registered clients: the oldest is dropped first.
#[test]
fn registered_clients_are_bounded_oldest_first() {
    let s = start(DevConfig::auto_approve("alice").with_rate_limit(0));
    let client = http();
    let first = register_with(&client, &s, &native()).json["client_id"]
        .as_str()
        .unwrap()
        .to_owned();
    let mut last = String::new();
    for _ in 0..1024 {
        let r = register_with(&client, &s, &native());
        assert_eq!(r.status, 201);
        last = r.json["client_id"].as_str().unwrap().to_owned();
    }
    assert_eq!(s.registered_clients(), 1024);
    let (_, challenge) = pkce();
    let gone = authorize(
        &s,
        &[
            ("response_type", "code"),
            ("client_id", &first),
            ("redirect_uri", CB),
            ("code_challenge", &challenge),
            ("code_challenge_method", "S256"),
        ],
    );
    assert_eq!(gone.status, 400);
    assert!(gone.text.contains("Unknown client"), "{}", gone.text);
    assert_eq!(code_flow(&s, &last, None).status, 200);
}

#[test]
fn registrations_are_rate_limited_per_source() {
    let s = start(DevConfig::default().with_rate_limit(3));
    for _ in 0..3 {
        assert_eq!(register(&s, &native()).status, 201);
    }
    let r = register(&s, &native());
    assert_eq!(r.status, 429);
    assert!(r.header("retry-after").is_some());
    assert_eq!(s.registered_clients(), 3);
}

#[test]
fn registration_can_be_switched_off() {
    let s = start(DevConfig::default().with_registration(false));
    let meta = get(&url(&s, "/.well-known/openid-configuration"), None);
    assert!(
        meta.json.get("registration_endpoint").is_none(),
        "{}",
        meta.text
    );
    assert_eq!(register(&s, &native()).status, 404);
}

/// The banner of `serve`, on stderr, up to its last line.
fn banner_of(args: &[&str]) -> String {
    let h = crate::support::home();
    let mut child = crate::support::oauthctl(h.path())
        .args(["serve", "--port", "0"])
        .args(args)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut err = std::io::BufReader::new(child.stderr.take().unwrap());
    let mut seen = String::new();
    for _ in 0..40 {
        let mut line = String::new();
        if std::io::BufRead::read_line(&mut err, &mut line).unwrap_or(0) == 0 {
            break;
        }
        seen.push_str(&line);
        if line.contains("press Ctrl-C") {
            break;
        }
    }
    let _ = child.kill();
    let _ = child.wait();
    seen
}

/// `serve` says what anyone may do without a configured client, and the flags take it away.
#[test]
fn the_banner_names_registration_and_metadata_documents_unless_switched_off() {
    let on = banner_of(&[]);
    assert!(on.contains("/register"), "{on}");
    assert!(on.contains("metadata document URLs"), "{on}");
    let off = banner_of(&["--no-registration", "--no-client-id-metadata-documents"]);
    assert!(off.contains("press Ctrl-C"), "{off}");
    assert!(
        !off.contains("/register") && !off.contains("metadata document"),
        "{off}"
    );
}
