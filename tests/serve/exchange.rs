//! Token exchange at the token endpoint (RFC 8693): impersonation and delegation (`act`,
//! nested for chains), subject and actor tokens this server issued (verified, live, not
//! revoked), scopes that only narrow, audiences restricted per client, and what
//! `requested_token_type` issues.

use std::time::Duration;

use oauthctl::devserver::{DevConfig, DevServer, ServerConfigFile};
use oauthctl::oauth::jose::{SigningAlg, SigningKey};
use serde_json::{Value, json};

use super::{client_credentials, start, tokens, url, wide};
use crate::support::{Answer, get, jwt_parts, post, post_basic};

const GRANT: &str = "urn:ietf:params:oauth:grant-type:token-exchange";
const AT: &str = "urn:ietf:params:oauth:token-type:access_token";
const ID: &str = "urn:ietf:params:oauth:token-type:id_token";
const JWT: &str = "urn:ietf:params:oauth:token-type:jwt";
const RT: &str = "urn:ietf:params:oauth:token-type:refresh_token";

/// An exchange by the public client `oauthctl` of `subject` (an access token, unless
/// `extra` names its type) with `extra`.
fn exchange(s: &DevServer, subject: &str, extra: &[(&str, &str)]) -> Answer {
    let mut form = vec![
        ("grant_type", GRANT),
        ("client_id", "oauthctl"),
        ("subject_token", subject),
    ];
    if !extra.iter().any(|(k, _)| *k == "subject_token_type") {
        form.push(("subject_token_type", AT));
    }
    form.extend_from_slice(extra);
    post(&url(s, "/token"), &form)
}

/// An exchange by the confidential `demo-service`.
fn exchange_as_service(s: &DevServer, form: &[(&str, &str)]) -> Answer {
    let mut f = vec![("grant_type", GRANT)];
    f.extend_from_slice(form);
    post_basic(&url(s, "/token"), "demo-service", "demo-secret", &f)
}

fn at(v: &Value) -> &str {
    v["access_token"].as_str().unwrap()
}

fn refused(a: &Answer, error: &str, says: &str) {
    assert_eq!(
        (a.status, a.json["error"].as_str()),
        (400, Some(error)),
        "{}",
        a.text
    );
    let d = a.json["error_description"].as_str().unwrap_or_default();
    assert!(d.contains(says), "{d}");
}

#[test]
fn impersonation_narrows_the_subject_token_and_is_about_its_subject() {
    let s = start(DevConfig::auto_approve("alice"));
    let alice = tokens(&s, "openid profile offline_access api:read api:write");
    let narrow = exchange(&s, at(&alice), &[("scope", "api:read")]);
    assert_eq!(narrow.status, 200, "{}", narrow.text);
    let j = &narrow.json;
    assert_eq!(j["issued_token_type"], AT);
    assert_eq!(j["token_type"], "Bearer");
    assert_eq!(j["scope"], "api:read");
    assert!(
        j.get("refresh_token").is_none() && j.get("id_token").is_none(),
        "{j}"
    );
    let (header, claims) = jwt_parts(at(j));
    assert_eq!(header["typ"], "at+jwt");
    assert_eq!(
        (claims["sub"].as_str(), claims["client_id"].as_str()),
        (Some("alice"), Some("oauthctl"))
    );
    assert!(
        claims.get("act").is_none(),
        "impersonation names no actor: {claims}"
    );
    assert_eq!(claims["roles"], json!(["admin"]));
    // The new token works at the API as alice's.
    let me = get(&url(&s, "/api/me"), Some(at(j)));
    assert_eq!((me.status, me.json["sub"].as_str()), (200, Some("alice")));
    // Without `scope`: the subject's, but `offline_access` (no refresh token is issued).
    let all = exchange(&s, at(&alice), &[]);
    assert_eq!(
        all.json["scope"], "openid profile api:read api:write",
        "{}",
        all.text
    );
    // Scope only narrows.
    refused(
        &exchange(&s, at(j), &[("scope", "api:read api:write")]),
        "invalid_scope",
        "exceeds the subject token",
    );
}

#[test]
fn delegation_names_the_actor_and_earlier_actors_nest_inside() {
    let s = start(DevConfig::auto_approve("alice"));
    let alice = tokens(&s, "openid api:read");
    let service = client_credentials(&s, "api:read").json;
    let delegated = exchange_as_service(
        &s,
        &[
            ("subject_token", at(&alice)),
            ("subject_token_type", AT),
            ("actor_token", at(&service)),
            ("actor_token_type", AT),
        ],
    );
    assert_eq!(delegated.status, 200, "{}", delegated.text);
    // demo-service may ask for api:read and api:write only: the subject's openid is left out.
    assert_eq!(delegated.json["scope"], "api:read");
    let (_, claims) = jwt_parts(at(&delegated.json));
    assert_eq!(claims["sub"], "alice");
    assert_eq!(claims["act"], json!({"sub": "demo-service"}));
    // Introspection and the API say who acts.
    let i = post_basic(
        &url(&s, "/introspect"),
        "demo-service",
        "demo-secret",
        &[("token", at(&delegated.json))],
    );
    assert_eq!(i.json["act"], json!({"sub": "demo-service"}), "{}", i.text);
    let me = get(&url(&s, "/api/me"), Some(at(&delegated.json)));
    assert_eq!(
        me.json["act"],
        json!({"sub": "demo-service"}),
        "{}",
        me.text
    );
    // A chain: the delegated token exchanged again, with an actor, keeps the first actor
    // inside the new one (RFC 8693 §4.1).
    let chained = exchange_as_service(
        &s,
        &[
            ("subject_token", at(&delegated.json)),
            ("subject_token_type", AT),
            ("actor_token", at(&service)),
            ("actor_token_type", AT),
        ],
    );
    let (_, claims) = jwt_parts(at(&chained.json));
    assert_eq!(
        claims["act"],
        json!({"sub": "demo-service", "act": {"sub": "demo-service"}})
    );
    // Impersonation of a delegated token keeps its actor.
    let again = exchange(&s, at(&chained.json), &[]);
    let (_, claims) = jwt_parts(at(&again.json));
    assert_eq!(
        claims["act"]["act"]["sub"], "demo-service",
        "{}",
        again.text
    );
    // The actor and its type go together.
    refused(
        &exchange(&s, at(&alice), &[("actor_token", at(&service))]),
        "invalid_request",
        "go together",
    );
}

#[test]
fn subject_tokens_must_be_live_tokens_this_server_issued() {
    let s = start(DevConfig::auto_approve("alice"));
    let alice = tokens(&s, "openid offline_access api:read");
    refused(
        &exchange(&s, "not-a-token", &[]),
        "invalid_request",
        "subject_token is invalid",
    );
    // A token that looks right but is signed by another key.
    let forger = SigningKey::generate(SigningAlg::Es256).unwrap();
    let (_, claims) = jwt_parts(at(&alice));
    let forged = forger.sign("at+jwt", &claims).unwrap();
    refused(
        &exchange(&s, &forged, &[]),
        "invalid_request",
        "not signed by this server",
    );
    // An access token is not an ID token, and refresh tokens are not exchanged.
    refused(
        &exchange(&s, at(&alice), &[("subject_token_type", ID)]),
        "invalid_request",
        "not an ID token",
    );
    let rt = alice["refresh_token"].as_str().unwrap();
    let mut form = vec![
        ("grant_type", GRANT),
        ("client_id", "oauthctl"),
        ("subject_token", rt),
        ("subject_token_type", RT),
    ];
    refused(
        &post(&url(&s, "/token"), &form),
        "invalid_request",
        "not accepted here",
    );
    form[3] = (
        "subject_token_type",
        "urn:ietf:params:oauth:token-type:saml2",
    );
    refused(
        &post(&url(&s, "/token"), &form),
        "invalid_request",
        "not a token type",
    );
    form.pop();
    refused(
        &post(&url(&s, "/token"), &form),
        "invalid_request",
        "subject_token_type are required",
    );
    // A revoked access token is refused.
    let revoked = post(
        &url(&s, "/revoke"),
        &[("client_id", "oauthctl"), ("token", at(&alice))],
    );
    assert_eq!(revoked.status, 200);
    refused(&exchange(&s, at(&alice), &[]), "invalid_request", "revoked");
}

#[test]
fn an_expired_subject_token_is_refused() {
    let s = start(DevConfig::auto_approve("alice").with_access_token_ttl(Duration::from_secs(1)));
    let alice = tokens(&s, "openid api:read");
    // Live tokens are exchanged (the other tests); a second past `exp`, this one is not.
    std::thread::sleep(Duration::from_millis(2100));
    refused(&exchange(&s, at(&alice), &[]), "invalid_request", "expired");
}

#[test]
fn id_tokens_are_exchanged_until_their_grant_is_revoked() {
    let s = start(DevConfig::auto_approve("alice"));
    let alice = tokens(&s, "openid email offline_access api:read");
    let id = alice["id_token"].as_str().unwrap();
    let from_id = exchange(&s, id, &[("subject_token_type", ID)]);
    assert_eq!(from_id.status, 200, "{}", from_id.text);
    // The ID token stands for its grant: its scopes (without offline_access).
    assert_eq!(from_id.json["scope"], "openid email api:read");
    assert_eq!(jwt_parts(at(&from_id.json)).1["sub"], "alice");
    // `jwt` takes an ID token too.
    assert_eq!(exchange(&s, id, &[("subject_token_type", JWT)]).status, 200);
    // Revoking the refresh token revokes the grant, and with it the ID token.
    let rt = alice["refresh_token"].as_str().unwrap();
    post(
        &url(&s, "/revoke"),
        &[("client_id", "oauthctl"), ("token", rt)],
    );
    refused(
        &exchange(&s, id, &[("subject_token_type", ID)]),
        "invalid_request",
        "revoked",
    );
}

#[test]
fn the_requested_token_type_decides_what_is_issued() {
    let s = start(DevConfig::auto_approve("alice"));
    let alice = tokens(&s, "openid api:read");
    let id = exchange(&s, at(&alice), &[("requested_token_type", ID)]);
    assert_eq!(id.status, 200, "{}", id.text);
    // RFC 8693 §2.2.1: not an access token, so no token type.
    assert_eq!(
        (
            id.json["issued_token_type"].as_str(),
            id.json["token_type"].as_str()
        ),
        (Some(ID), Some("N_A"))
    );
    let (header, claims) = jwt_parts(at(&id.json));
    assert_eq!(header["typ"], "JWT");
    assert_eq!(
        (claims["sub"].as_str(), claims["aud"].as_str()),
        (Some("alice"), Some("oauthctl"))
    );
    assert!(id.json["expires_in"].as_u64().is_some());
    // The issued ID token can be exchanged in turn.
    assert_eq!(
        exchange(&s, at(&id.json), &[("subject_token_type", ID)]).status,
        200
    );
    let jwt = exchange(&s, at(&alice), &[("requested_token_type", JWT)]);
    assert_eq!(
        (
            jwt.json["issued_token_type"].as_str(),
            jwt.json["token_type"].as_str()
        ),
        (Some(JWT), Some("N_A"))
    );
    let (header, claims) = jwt_parts(at(&jwt.json));
    assert_eq!(header["typ"], "JWT");
    assert_eq!(claims["aud"], format!("{}/api", s.issuer()));
    // It is no access token: the API says so.
    let me = get(&url(&s, "/api/me"), Some(at(&jwt.json)));
    assert_eq!(me.status, 401, "{}", me.text);
    refused(
        &exchange(&s, at(&alice), &[("requested_token_type", RT)]),
        "invalid_request",
        "no refresh token",
    );
    refused(
        &exchange(
            &s,
            at(&alice),
            &[("requested_token_type", "urn:x:kerberos")],
        ),
        "invalid_request",
        "requested_token_type",
    );
}

#[test]
fn audiences_are_restricted_per_client() {
    let file = ServerConfigFile::parse(
        r#"
[[clients]]
id = "broker"
secret = "broker-secret"
grant_types = ["urn:ietf:params:oauth:grant-type:token-exchange"]
token_exchange_audiences = ["https://orders.example", "urn:example:billing"]

[[clients]]
id = "oauthctl"
redirect_uris = ["http://127.0.0.1/callback"]
grant_types = ["authorization_code", "urn:ietf:params:oauth:grant-type:token-exchange"]
"#,
    )
    .unwrap();
    let s = start(DevConfig::auto_approve("alice").with_file(file));
    let alice = tokens(&s, "openid api:read");
    let broker = |extra: &[(&str, &str)]| {
        let mut f = vec![
            ("grant_type", GRANT),
            ("subject_token", at(&alice)),
            ("subject_token_type", AT),
        ];
        f.extend_from_slice(extra);
        post_basic(&url(&s, "/token"), "broker", "broker-secret", &f)
    };
    let orders = broker(&[("audience", "https://orders.example")]);
    assert_eq!(orders.status, 200, "{}", orders.text);
    assert_eq!(
        jwt_parts(at(&orders.json)).1["aud"],
        "https://orders.example"
    );
    // `resource` names a target the same way; naming it twice is one target.
    let billing = broker(&[
        ("resource", "urn:example:billing"),
        ("audience", "urn:example:billing"),
    ]);
    assert_eq!(billing.status, 200, "{}", billing.text);
    // The demo API is every client's to ask for.
    let api = format!("{}/api", s.issuer());
    assert_eq!(broker(&[("audience", &api)]).status, 200);
    refused(
        &broker(&[("audience", "https://elsewhere.example")]),
        "invalid_target",
        "token_exchange_audiences",
    );
    refused(
        &broker(&[
            ("audience", "https://orders.example"),
            ("audience", "urn:example:billing"),
        ]),
        "invalid_target",
        "one audience at a time",
    );
    refused(
        &broker(&[("resource", "not a uri")]),
        "invalid_target",
        "absolute URI",
    );
    // Another client has its own list (none here).
    refused(
        &exchange(&s, at(&alice), &[("audience", "https://orders.example")]),
        "invalid_target",
        "token_exchange_audiences",
    );
}

#[test]
fn only_clients_registered_for_the_grant_may_exchange() {
    let s = start(wide(DevConfig::auto_approve("alice")));
    let alice = tokens(&s, "openid api:read");
    let a = post_basic(
        &url(&s, "/token"),
        "other-service",
        "other-secret",
        &[
            ("grant_type", GRANT),
            ("subject_token", at(&alice)),
            ("subject_token_type", AT),
        ],
    );
    assert_eq!(
        (a.status, a.json["error"].as_str()),
        (400, Some("unauthorized_client")),
        "{}",
        a.text
    );
}
