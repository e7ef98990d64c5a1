//! `oauthctl exchange` (RFC 8693 token exchange) against the dev server: the exchanged token
//! cached as its own profile that remembers its parent, renewed by exchanging the parent's
//! current token again (the parent renewed first), subjects from files and standard input,
//! delegation with an actor profile, non-access-token results, and what is refused.

use oauthctl::devserver::{DevConfig, DevServer};
use serde_json::Value;

use crate::support::login::{login_as, secret_file};
use crate::support::stub::{Canned, Stub};
use crate::support::{
    assert_code, cached_expiry, feed, home, in_process, jwt_parts, oauthctl, run, stderr, stdout,
};

/// `oauthctl ARGS` in `home`, expecting success; its stdout.
fn ok(home: &std::path::Path, args: &[&str]) -> String {
    let out = run(home, args);
    assert_code(&out, 0);
    stdout(&out)
}

fn json(home: &std::path::Path, args: &[&str]) -> Value {
    serde_json::from_str(&ok(home, args)).unwrap()
}

/// A dev server with alice logged in as profile `default`.
fn alice() -> (DevServer, tempfile::TempDir) {
    let s = DevServer::start(DevConfig::default()).unwrap();
    let h = home();
    login_as(
        h.path(),
        s.issuer(),
        "alice",
        "openid offline_access api:read api:write",
    );
    (s, h)
}

#[test]
fn an_exchanged_profile_remembers_its_parent_and_renews_from_its_current_token() {
    let (s, h) = alice();
    let out = run(
        h.path(),
        &[
            "-p",
            "api",
            "exchange",
            "--subject-profile",
            "default",
            "--scope",
            "api:read",
        ],
    );
    assert_code(&out, 0);
    let err = stderr(&out);
    assert!(err.contains("(profile `api`, token_exchange)"), "{err}");
    assert!(
        err.contains(
            "from:    a token exchange of profile `default`'s access token (renewed from it)"
        ),
        "{err}"
    );
    assert!(err.contains("refresh: no refresh token"), "{err}");
    assert_eq!(stdout(&out), "", "the summary goes to stderr");
    // The token is alice's, narrowed, and works at the API.
    let me = json(
        h.path(),
        &[
            "-p",
            "api",
            "call",
            "--fail",
            &format!("{}/api/me", s.issuer()),
        ],
    );
    assert_eq!(
        (me["sub"].as_str(), me["scope"].as_str()),
        (Some("alice"), Some("api:read"))
    );
    let doc = json(h.path(), &["-p", "api", "token", "--format", "json"]);
    assert_eq!(
        doc["issued_token_type"],
        "urn:ietf:params:oauth:token-type:access_token"
    );
    // status shows the parent.
    let status = json(h.path(), &["--json", "status"]);
    let api = status["profiles"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["profile"] == "api")
        .unwrap();
    assert_eq!(
        (api["parent"].as_str(), api["subject"].as_str()),
        (Some("default"), Some("alice"))
    );
    let human = ok(h.path(), &["status"]);
    assert!(
        human.contains("from:    a token exchange of profile `default`'s access token"),
        "{human}"
    );

    // Renewal: once the exchanged token expires (the injected clock says so), the parent's
    // current token is exchanged again. The parent expired as well: it is refreshed first,
    // through its own renewal, and its new token is the one exchanged.
    let first = ok(h.path(), &["-p", "api", "token"]);
    let parent_before = ok(h.path(), &["token"]);
    let expired = cached_expiry(h.path(), &["-p", "api"]) + 1;
    let hits = s.hits("/token");
    let renewed = in_process(h.path(), expired, &["-p", "api", "token"]).stdout();
    assert_ne!(renewed, first);
    assert_eq!(
        s.hits("/token"),
        hits + 2,
        "one refresh of the parent, one exchange"
    );
    let parent_after = in_process(h.path(), expired, &["token"]).stdout();
    assert_ne!(parent_after, parent_before, "the parent was refreshed");
    assert_eq!(s.hits("/token"), hits + 2, "and is cached");
    let (_, claims) = jwt_parts(renewed.trim());
    assert_eq!(
        (claims["sub"].as_str(), claims["scope"].as_str()),
        (Some("alice"), Some("api:read"))
    );
    // `refresh` exchanges again too, the parent still valid: one request.
    ok(h.path(), &["-p", "api", "refresh"]);
    assert_eq!(s.hits("/token"), hits + 3);
    // A later `exchange` without a subject repeats the remembered one.
    let out = run(h.path(), &["-p", "api", "exchange"]);
    assert_code(&out, 0);
    assert!(
        stderr(&out).contains("scopes:  api:read"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn a_subject_file_is_read_again_at_renewal_and_standard_input_is_not_kept() {
    let (s, h) = alice();
    let token = ok(h.path(), &["token"]);
    let file = h.path().join("subject.txt");
    std::fs::write(&file, &token).unwrap();
    let f = file.to_str().unwrap();
    ok(
        h.path(),
        &[
            "-p",
            "fromfile",
            "exchange",
            "--issuer",
            s.issuer(),
            "--client-id",
            "oauthctl",
            "--subject-token-file",
            f,
        ],
    );
    let expired = cached_expiry(h.path(), &["-p", "fromfile"]) + 1;
    // The file is read again: what it holds now is what is exchanged.
    std::fs::write(&file, "not-a-token-of-this-server").unwrap();
    let (code, err) = in_process(h.path(), expired, &["-p", "fromfile", "token"]).failure();
    assert_eq!(code, 4, "{err}");
    assert!(err.contains("subject_token is invalid"), "{err}");
    std::fs::write(&file, &token).unwrap();
    in_process(h.path(), expired, &["-p", "fromfile", "token"]).stdout();

    // Standard input: exchanged once, and the renewal says why it cannot repeat it.
    let out = feed(
        oauthctl(h.path()).args([
            "-p",
            "piped",
            "exchange",
            "--issuer",
            s.issuer(),
            "--client-id",
            "oauthctl",
            "--subject-token-file",
            "-",
        ]),
        &token,
    );
    assert_code(&out, 0);
    assert!(
        stderr(&out).contains("read from standard input (not kept"),
        "{}",
        stderr(&out)
    );
    let expired = cached_expiry(h.path(), &["-p", "piped"]) + 1;
    let (code, err) = in_process(h.path(), expired, &["-p", "piped", "token"]).failure();
    assert_eq!(code, 3, "{err}");
    assert!(
        err.contains("was read from standard input and is not kept"),
        "{err}"
    );
    assert!(
        err.contains("hint: run `oauthctl -p piped exchange --subject-token-file -` again"),
        "{err}"
    );
}

#[test]
fn delegation_names_the_actor_profile() {
    let (s, h) = alice();
    let secret = secret_file(h.path(), "demo-secret");
    let secret = secret.to_str().unwrap();
    ok(
        h.path(),
        &[
            "-p",
            "svc",
            "login",
            "--flow",
            "client-credentials",
            "--issuer",
            s.issuer(),
            "--client-id",
            "demo-service",
            "--client-secret-file",
            secret,
        ],
    );
    let out = run(
        h.path(),
        &[
            "-p",
            "agent",
            "exchange",
            "--client-id",
            "demo-service",
            "--client-secret-file",
            secret,
            "--subject-profile",
            "default",
            "--actor-profile",
            "svc",
        ],
    );
    assert_code(&out, 0);
    assert!(
        stderr(&out).contains("acted for by profile `svc`'s access token"),
        "{}",
        stderr(&out)
    );
    let me = json(
        h.path(),
        &[
            "-p",
            "agent",
            "call",
            "--fail",
            &format!("{}/api/me", s.issuer()),
        ],
    );
    assert_eq!(me["sub"], "alice");
    assert_eq!(me["act"]["sub"], "demo-service", "{me}");
    assert_eq!(me["client_id"], "demo-service");
    // Renewed with the same actor, and the client secret from the remembered file.
    let expired = cached_expiry(h.path(), &["-p", "agent"]) + 1;
    let renewed = in_process(h.path(), expired, &["-p", "agent", "token"]).stdout();
    assert_eq!(jwt_parts(renewed.trim()).1["act"]["sub"], "demo-service");
}

#[test]
fn an_id_token_result_is_stored_and_printed_in_place_of_the_access_token() {
    let (s, h) = alice();
    let out = run(
        h.path(),
        &[
            "-p",
            "id",
            "exchange",
            "--subject-profile",
            "default",
            "--requested-token-type",
            "id_token",
        ],
    );
    assert_code(&out, 0);
    assert!(
        stderr(&out).contains("issued:  id_token"),
        "{}",
        stderr(&out)
    );
    let printed = ok(h.path(), &["-p", "id", "token"]);
    let (header, claims) = jwt_parts(printed.trim());
    assert_eq!(
        (header["typ"].as_str(), claims["aud"].as_str()),
        (Some("JWT"), Some("oauthctl"))
    );
    let doc = json(h.path(), &["-p", "id", "token", "--format", "json"]);
    assert_eq!(
        doc["issued_token_type"],
        "urn:ietf:params:oauth:token-type:id_token"
    );
    assert_eq!(doc["token_type"], "Bearer");
    // `call` sends it as a bearer token; the demo API takes access tokens only.
    let out = run(
        h.path(),
        &[
            "-p",
            "id",
            "call",
            "--fail",
            &format!("{}/api/me", s.issuer()),
        ],
    );
    assert_code(&out, 8);
    // The parent's ID token as the subject.
    let out = run(
        h.path(),
        &[
            "-p",
            "fromid",
            "exchange",
            "--subject-profile",
            "default",
            "--subject-token-type",
            "id_token",
            "--scope",
            "openid",
        ],
    );
    assert_code(&out, 0);
    assert!(
        stderr(&out).contains("profile `default`'s id token"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn exchanges_need_a_profile_of_their_own_and_never_loop() {
    let (_s, h) = alice();
    let out = run(h.path(), &["exchange", "--subject-profile", "default"]);
    assert_code(&out, 2);
    assert!(stderr(&out).contains("-p NAME"), "{}", stderr(&out));
    let out = run(
        h.path(),
        &["-p", "default", "exchange", "--subject-profile", "default"],
    );
    assert_code(&out, 2);
    ok(
        h.path(),
        &["-p", "a", "exchange", "--subject-profile", "default"],
    );
    ok(h.path(), &["-p", "b", "exchange", "--subject-profile", "a"]);
    let out = run(
        h.path(),
        &["-p", "default", "exchange", "--subject-profile", "b"],
    );
    assert_code(&out, 2);
    assert!(
        stderr(&out).contains("in a loop (default ← b ← a ← default)"),
        "{}",
        stderr(&out)
    );
    // A chain renews from its root: b from a from default.
    let expired = cached_expiry(h.path(), &["-p", "b"]) + 1;
    in_process(h.path(), expired, &["-p", "b", "token"]).stdout();
    // A parent that never logged in: its login is the hint.
    let out = run(
        h.path(),
        &["-p", "c", "exchange", "--subject-profile", "nobody"],
    );
    assert_code(&out, 3);
    let err = stderr(&out);
    assert!(err.contains("profile `nobody`"), "{err}");
    assert!(err.contains("hint: run `oauthctl -p nobody login"), "{err}");
    // Without a subject and nothing remembered: say what to give.
    let out = run(h.path(), &["-p", "d", "exchange"]);
    assert_code(&out, 2);
    assert!(
        stderr(&out).contains("--subject-profile NAME"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn the_subject_token_never_shows_in_traces() {
    let (s, h) = alice();
    let token = ok(h.path(), &["token"]);
    let file = h.path().join("subject.txt");
    std::fs::write(&file, &token).unwrap();
    let out = run(
        h.path(),
        &[
            "-v",
            "-p",
            "t",
            "exchange",
            "--issuer",
            s.issuer(),
            "--client-id",
            "oauthctl",
            "--subject-token-file",
            file.to_str().unwrap(),
        ],
    );
    assert_code(&out, 0);
    let err = stderr(&out);
    assert!(err.contains("subject_token=%5Bredacted%5D"), "{err}");
    let exchanged = ok(h.path(), &["-p", "t", "token"]);
    for secret in [token.trim(), exchanged.trim()] {
        assert!(!err.contains(secret), "a token leaked into the trace");
    }
}

#[test]
fn an_answer_that_does_not_say_what_it_issued_is_refused() {
    let stub = Stub::start();
    stub.route(
        "/.well-known/openid-configuration",
        Canned::json(
            serde_json::json!({"issuer": stub.base, "token_endpoint": stub.url("/token")})
                .to_string(),
        ),
    );
    let h = home();
    let file = h.path().join("subject.txt");
    std::fs::write(&file, "subject-token").unwrap();
    let exchange = |extra: &[&str]| {
        let mut args = vec![
            "-p",
            "x",
            "exchange",
            "--issuer",
            stub.base.as_str(),
            "--client-id",
            "cli",
            "--subject-token-file",
            file.to_str().unwrap(),
        ];
        args.extend_from_slice(extra);
        run(h.path(), &args)
    };
    stub.route(
        "/token",
        Canned::json(r#"{"access_token":"at","token_type":"Bearer"}"#),
    );
    let out = exchange(&[]);
    assert_code(&out, 5);
    assert!(
        stderr(&out).contains("no `issued_token_type`"),
        "{}",
        stderr(&out)
    );
    stub.route(
        "/token",
        Canned::json(r#"{"access_token":"a.b.c","token_type":"N_A","issued_token_type":"urn:ietf:params:oauth:token-type:jwt"}"#),
    );
    let out = exchange(&["--requested-token-type", "id_token"]);
    assert_code(&out, 5);
    assert!(
        stderr(&out).contains("asked for id_token and issued jwt"),
        "{}",
        stderr(&out)
    );
    // Nothing was cached.
    let status = json(h.path(), &["--json", "status"]);
    assert_eq!(status["profiles"], serde_json::json!([]));
    // The request itself: the RFC 8693 parameters, repeated audiences included.
    stub.route(
        "/token",
        Canned::json(r#"{"access_token":"at","token_type":"Bearer","issued_token_type":"urn:ietf:params:oauth:token-type:access_token"}"#),
    );
    let out = exchange(&[
        "--audience",
        "a1",
        "--audience",
        "a2",
        "--resource",
        "https://r.example",
        "--subject-token-type",
        "jwt",
        "--scope",
        "s1 s2",
    ]);
    assert_code(&out, 0);
    let seen = stub.seen("/token").pop().unwrap();
    let form: Vec<(String, String)> = url::form_urlencoded::parse(&seen.body)
        .into_owned()
        .collect();
    let values = |k: &str| {
        form.iter()
            .filter(|(n, _)| n == k)
            .map(|(_, v)| v.as_str())
            .collect::<Vec<_>>()
    };
    assert_eq!(
        values("grant_type"),
        ["urn:ietf:params:oauth:grant-type:token-exchange"]
    );
    assert_eq!(values("subject_token"), ["subject-token"]);
    assert_eq!(
        values("subject_token_type"),
        ["urn:ietf:params:oauth:token-type:jwt"]
    );
    assert_eq!(values("audience"), ["a1", "a2"]);
    assert_eq!(values("resource"), ["https://r.example"]);
    assert_eq!(values("scope"), ["s1 s2"]);
    assert_eq!(values("client_id"), ["cli"]);
    assert!(values("actor_token").is_empty());
}

#[test]
fn login_flow_token_exchange_is_the_same_exchange() {
    let (s, h) = alice();
    let out = run(
        h.path(),
        &[
            "-p",
            "viaLogin",
            "login",
            "--flow",
            "token-exchange",
            "--subject-profile",
            "default",
            "--audience",
            &format!("{}/api", s.issuer()),
            "--scope",
            "api:write",
        ],
    );
    assert_code(&out, 0);
    let (_, claims) = jwt_parts(ok(h.path(), &["-p", "viaLogin", "token"]).trim());
    assert_eq!(
        (claims["scope"].as_str(), claims["sub"].as_str()),
        (Some("api:write"), Some("alice"))
    );
    // Other flows take one audience.
    let out = run(
        h.path(),
        &[
            "login",
            "--flow",
            "client-credentials",
            "--audience",
            "a",
            "--audience",
            "b",
        ],
    );
    assert_code(&out, 2);
}
