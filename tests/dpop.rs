//! DPoP, strong client authentication and PAR from the client's side, end to end against the
//! development server: `serve --require-dpop --dpop-nonce --require-par` with a
//! `private_key_jwt` client (login, token, refresh, call, userinfo, introspect, decode,
//! logout), the rule that starts DPoP unasked, the nonces kept across processes, and what
//! never leaves the origin or reaches a `-v` trace.

use std::path::{Path, PathBuf};

use oauthctl::devserver::{DevConfig, DevServer, ServerConfigFile};
use oauthctl::oauth::jose::{SigningAlg, SigningKey};
use serde_json::{Value, json};

use crate::support::stub::{Canned, Stub};
use crate::support::{assert_code, home, jwt_parts, login_with, run, stderr, stdout};

/// The claims of a JWT (not verified).
fn jwt_payload(token: &str) -> Value {
    jwt_parts(token).1
}

/// A JSON value as a TOML inline value (the server-config file takes the JWKS inline).
fn toml_inline(v: &Value) -> String {
    match v {
        Value::Object(m) => {
            let parts: Vec<String> = m
                .iter()
                .map(|(k, v)| format!("{k} = {}", toml_inline(v)))
                .collect();
            format!("{{ {} }}", parts.join(", "))
        }
        Value::Array(a) => format!(
            "[{}]",
            a.iter().map(toml_inline).collect::<Vec<_>>().join(", ")
        ),
        other => other.to_string(),
    }
}

/// A `private_key_jwt` client `cli-jwt` (code with the loopback redirect, refresh, client
/// credentials) whose key is `key`, and the built-in `demo-service`, on a server made strict
/// by `strict`.
fn server(key: &SigningKey, strict: impl FnOnce(&mut DevConfig)) -> DevServer {
    let jwks = json!({"keys": [key.jwk()]});
    let toml = format!(
        r#"
[[clients]]
id = "cli-jwt"
redirect_uris = ["http://127.0.0.1/callback"]
grant_types = ["authorization_code", "refresh_token", "client_credentials"]
scopes = ["openid", "profile", "offline_access", "api:read", "api:write"]
roles = ["reader"]
jwks = {jwks}

[[clients]]
id = "demo-service"
secret = "demo-secret"
grant_types = ["client_credentials"]
introspect_any = true
"#,
        jwks = toml_inline(&jwks)
    );
    let file = ServerConfigFile::parse(&toml).unwrap();
    let mut cfg = DevConfig::default().with_file(file);
    strict(&mut cfg);
    DevServer::start(cfg).unwrap()
}

/// The strict server: DPoP required with nonces, PAR required.
fn strict(cfg: &mut DevConfig) {
    cfg.require_dpop = true;
    cfg.dpop_nonce = true;
    cfg.require_par = true;
}

/// Writes the client's private key to `home` (PKCS#8 PEM) and returns its path.
fn key_file(home: &Path, key: &SigningKey) -> PathBuf {
    let path = home.join("client-key.pem");
    std::fs::write(&path, key.private_pem()).unwrap();
    path
}

/// The stored token set of the only profile (file store), as JSON.
fn stored_set(home: &Path) -> Value {
    let dir = home.join("tokens");
    let entry = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.extension().is_some_and(|e| e == "json"))
        .expect("a stored token set");
    serde_json::from_slice(&std::fs::read(entry).unwrap()).unwrap()
}

#[test]
fn a_private_key_jwt_client_logs_in_and_uses_dpop_bound_tokens_at_a_strict_dev_server() {
    let key = SigningKey::generate(SigningAlg::Es256).unwrap();
    let s = server(&key, strict);
    let h = home();
    let pem = key_file(h.path(), &key);
    let pem = pem.to_str().unwrap();
    let global = [
        "--issuer",
        s.issuer(),
        "--client-id",
        "cli-jwt",
        "--client-key-file",
        pem,
    ];
    let mut args = global.to_vec();
    args.extend([
        "--scope",
        "openid offline_access api:read",
        "--dpop",
        "--timeout",
        "30s",
    ]);
    let login = login_with(h.path(), &args, |url| {
        oauthctl::demo::agent::Agent::new("alice", "alice")
            .sign_in(url)
            .expect("sign in");
    });
    assert!(login.success(), "{}", login.stderr);
    // PAR: the browser saw only client_id and request_uri.
    let url = url::Url::parse(&login.url).unwrap();
    let q: Vec<String> = url.query_pairs().map(|(k, _)| k.into_owned()).collect();
    assert_eq!(q, ["client_id", "request_uri"], "{}", login.url);
    assert!(s.hits("/par") >= 1);
    assert!(login.stderr.contains("bound:   DPoP"), "{}", login.stderr);
    // The key is stored beside the tokens (file store), and the token is bound to it.
    let set = stored_set(h.path());
    assert_eq!(set["token_type"], "DPoP");
    let stored_key = set["dpop_key"]["key"].as_str().unwrap();
    let dpop_key = SigningKey::from_pem(stored_key, None).unwrap();
    assert_ne!(dpop_key.thumbprint(), key.thumbprint(), "its own key");
    let at = stdout(&run(h.path(), &["token"])).trim().to_owned();
    let claims = jwt_payload(&at);
    assert_eq!(claims["cnf"]["jkt"], dpop_key.thumbprint());
    // No key material anywhere else: not in the index, not in `status`.
    let index = std::fs::read_to_string(h.path().join("index.json")).unwrap();
    assert!(!index.contains("PRIVATE KEY"), "{index}");
    let status = run(h.path(), &["status"]);
    assert!(!stdout(&status).contains("PRIVATE") && !stderr(&status).contains("PRIVATE"));

    // A header alone cannot carry it.
    let out = run(h.path(), &["token", "--format", "header"]);
    assert_code(&out, 2);
    assert!(stderr(&out).contains("--dpop-proof"), "{}", stderr(&out));
    // Both headers for one request, as curl takes them.
    let api = format!("{}/api/data", s.issuer());
    let out = run(h.path(), &["token", "--dpop-proof", "get", &api]);
    assert_code(&out, 0);
    let text = stdout(&out);
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 2, "{text}");
    assert_eq!(lines[0], format!("Authorization: DPoP {at}"));
    let proof = lines[1].strip_prefix("DPoP: ").expect("a DPoP header");
    let p = jwt_payload(proof);
    assert_eq!(p["htm"], "GET");
    assert_eq!(p["htu"], api);
    assert_eq!(
        p["ath"],
        oauthctl::oauth::jose::sha256_b64url(at.as_bytes())
    );

    // The demo API: proofs with the server's nonce (one 401 at most, then 200).
    let out = run(h.path(), &["call", "--fail", &api]);
    assert_code(&out, 0);
    assert!(stdout(&out).contains("items"), "{}", stdout(&out));
    let out = run(h.path(), &["userinfo"]);
    assert_code(&out, 0);
    assert!(stdout(&out).contains("alice"), "{}", stdout(&out));
    // decode compares the binding with the profile's key.
    let out = run(h.path(), &["--json", "decode", "--access-token"]);
    assert_code(&out, 0);
    let doc: Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(doc["binding"]["jkt"], dpop_key.thumbprint());
    assert_eq!(doc["binding"]["matches_profile_dpop_key"], true);

    // A refresh keeps the key (and the binding).
    let before = s.hits("/token");
    let out = run(h.path(), &["refresh"]);
    assert_code(&out, 0);
    assert!(s.hits("/token") > before);
    let renewed = stdout(&run(h.path(), &["token"])).trim().to_owned();
    assert_ne!(renewed, at);
    assert_eq!(jwt_payload(&renewed)["cnf"]["jkt"], dpop_key.thumbprint());
    assert_eq!(stored_set(h.path())["dpop_key"]["key"], stored_key);
    let out = run(h.path(), &["call", "--fail", &api]);
    assert_code(&out, 0);

    // Introspection with the client's own assertion.
    let out = run(h.path(), &["--json", "introspect"]);
    assert_code(&out, 0);
    let doc: Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(doc["active"], true, "{doc}");

    // Logout revokes and deletes the set, key included.
    let out = run(h.path(), &["logout"]);
    assert_code(&out, 0);
    assert!(stderr(&out).contains("revoked"), "{}", stderr(&out));
    assert!(
        std::fs::read_dir(h.path().join("tokens"))
            .unwrap()
            .all(|e| !e.unwrap().path().to_string_lossy().ends_with(".json")),
        "the set and its key are gone"
    );
    assert_code(&run(h.path(), &["token"]), 3);
}

#[test]
fn dpop_starts_by_itself_when_the_server_refuses_tokens_without_it() {
    let key = SigningKey::generate(SigningAlg::Es256).unwrap();
    let s = server(&key, |cfg| cfg.require_dpop = true);
    let h = home();
    let pem = key_file(h.path(), &key);
    let out = run(
        h.path(),
        &[
            "login",
            "--flow",
            "client-credentials",
            "--issuer",
            s.issuer(),
            "--client-id",
            "cli-jwt",
            "--client-key-file",
            pem.to_str().unwrap(),
            "--scope",
            "api:read",
        ],
    );
    assert_code(&out, 0);
    assert_eq!(
        s.hits("/token"),
        2,
        "refused once without a proof, then bound"
    );
    assert_eq!(stored_set(h.path())["token_type"], "DPoP");
    let out = run(
        h.path(),
        &["call", "--fail", &format!("{}/api/data", s.issuer())],
    );
    assert_code(&out, 0);
    // The client is remembered as needing DPoP; the profile binds again next time.
    let state: Value =
        serde_json::from_slice(&std::fs::read(h.path().join("dpop.json")).unwrap()).unwrap();
    assert_eq!(state["required"][0]["client_id"], "cli-jwt", "{state}");
}

#[test]
fn a_server_nonce_is_kept_so_the_next_process_is_not_refused_first() {
    let key = SigningKey::generate(SigningAlg::Es256).unwrap();
    let s = server(&key, |cfg| {
        cfg.require_dpop = true;
        cfg.dpop_nonce = true;
    });
    let h = home();
    let pem = key_file(h.path(), &key);
    let out = run(
        h.path(),
        &[
            "login",
            "--flow",
            "client-credentials",
            "--dpop",
            "--issuer",
            s.issuer(),
            "--client-id",
            "cli-jwt",
            "--client-key-file",
            pem.to_str().unwrap(),
            "--scope",
            "api:read",
        ],
    );
    assert_code(&out, 0);
    // One use_dpop_nonce answer, then the token (with a new assertion: the first is spent).
    assert_eq!(s.hits("/token"), 2);
    let api = format!("{}/api/data", s.issuer());
    assert_code(&run(h.path(), &["call", "--fail", &api]), 0);
    let after_first = s.hits("/api/data");
    assert!(after_first <= 2, "{after_first}");
    // A new process starts with the nonce it kept: one request, no refusal.
    assert_code(&run(h.path(), &["call", "--fail", &api]), 0);
    assert_eq!(s.hits("/api/data"), after_first + 1);
    let state: Value =
        serde_json::from_slice(&std::fs::read(h.path().join("dpop.json")).unwrap()).unwrap();
    assert!(state["nonces"][s.issuer()]["nonce"].is_string(), "{state}");
}

#[test]
fn proofs_and_tokens_never_go_to_another_origin_and_never_into_a_trace() {
    let key = SigningKey::generate(SigningAlg::Es256).unwrap();
    let s = server(&key, |cfg| cfg.require_dpop = true);
    let h = home();
    let pem = key_file(h.path(), &key);
    let out = oauthctl_v(
        h.path(),
        &[
            "login",
            "--flow",
            "client-credentials",
            "--dpop",
            "--issuer",
            s.issuer(),
            "--client-id",
            "cli-jwt",
            "--client-key-file",
            pem.to_str().unwrap(),
            "--scope",
            "api:read",
        ],
    );
    assert_code(&out, 0);
    let trace = stderr(&out);
    assert!(
        trace.contains("client_assertion=%5Bredacted%5D")
            || trace.contains("client_assertion=[redacted]"),
        "{trace}"
    );
    assert!(
        trace.to_ascii_lowercase().contains("dpop: [redacted]"),
        "{trace}"
    );
    assert!(!trace.contains("eyJ"), "no JWT in the trace:\n{trace}");
    // An API on one origin redirects to another: the first gets the token and a proof for
    // its own URL, the second neither.
    let elsewhere = Stub::start();
    elsewhere.route("/landing", Canned::json("{}".to_owned()));
    let api = Stub::start();
    api.route(
        "/start",
        Canned::status(302, "").header("Location", &format!("{}/landing", elsewhere.base)),
    );
    let start = format!("{}/start", api.base);
    let out = oauthctl_v(h.path(), &["call", "-L", &start]);
    assert_code(&out, 0);
    let first = &api.seen("/start")[0];
    assert!(first.header("authorization").unwrap().starts_with("DPoP "));
    let proof = jwt_payload(first.header("dpop").unwrap());
    assert_eq!(proof["htu"], start);
    assert_eq!(proof["htm"], "GET");
    let second = &elsewhere.seen("/landing")[0];
    assert!(second.header("authorization").is_none());
    assert!(second.header("dpop").is_none());
    let trace = stderr(&out);
    assert!(
        !trace.contains("eyJ"),
        "no token or proof in the trace:\n{trace}"
    );
}

/// `oauthctl -v ARGS` in `home`.
fn oauthctl_v(home: &Path, args: &[&str]) -> std::process::Output {
    let mut all = vec!["-v"];
    all.extend_from_slice(args);
    run(home, &all)
}
