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
use crate::support::{assert_code, home, jwt_parts, login_with, run, stderr, stdout, toml_inline};

/// The claims of a JWT (not verified).
fn jwt_payload(token: &str) -> Value {
    jwt_parts(token).1
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
        Canned::status(307, "").header("Location", &format!("{}/next?page=2", api.base)),
    );
    api.route(
        "/next",
        Canned::status(302, "").header("Location", &format!("{}/landing", elsewhere.base)),
    );
    let start = format!("{}/start", api.base);
    let out = oauthctl_v(h.path(), &["call", "-L", "POST", &start, "-d", "x=1"]);
    assert_code(&out, 0);
    // Each hop on the origin gets a proof of its own: its method, its URL, a new jti.
    let first = &api.seen("/start")[0];
    assert!(first.header("authorization").unwrap().starts_with("DPoP "));
    let proof = jwt_payload(first.header("dpop").unwrap());
    assert_eq!(proof["htu"], start);
    assert_eq!(proof["htm"], "POST");
    let hop = &api.seen("/next")[0];
    assert!(hop.header("authorization").unwrap().starts_with("DPoP "));
    let hop_proof = jwt_payload(hop.header("dpop").unwrap());
    assert_eq!(
        hop_proof["htu"],
        format!("{}/next", api.base),
        "no query in htu"
    );
    assert_eq!(hop_proof["htm"], "POST", "a 307 keeps the method");
    assert_ne!(hop_proof["jti"], proof["jti"]);
    assert_eq!(hop_proof["ath"], proof["ath"]);
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

#[test]
fn an_assertion_and_a_proof_never_follow_a_redirected_token_request() {
    let key = SigningKey::generate(SigningAlg::Es256).unwrap();
    let h = home();
    let pem = key_file(h.path(), &key);
    let elsewhere = Stub::start();
    elsewhere.route(
        "/token",
        Canned::json(r#"{"access_token":"x","token_type":"DPoP"}"#),
    );
    let issuer = Stub::start();
    issuer.route(
        "/.well-known/openid-configuration",
        Canned::json(
            json!({
                "issuer": issuer.base,
                "token_endpoint": format!("{}/token", issuer.base),
                "dpop_signing_alg_values_supported": ["ES256"],
            })
            .to_string(),
        ),
    );
    issuer.route(
        "/token",
        Canned::status(307, "").header("Location", &format!("{}/token", elsewhere.base)),
    );
    let out = run(
        h.path(),
        &[
            "login",
            "--flow",
            "client-credentials",
            "--dpop",
            "--issuer",
            &issuer.base,
            "--client-id",
            "cli",
            "--client-key-file",
            pem.to_str().unwrap(),
        ],
    );
    assert_code(&out, 5);
    let sent = &issuer.seen("/token")[0];
    assert!(sent.header("dpop").is_some());
    let body = String::from_utf8_lossy(&sent.body).into_owned();
    assert!(body.contains("client_assertion="), "{body}");
    assert!(
        elsewhere.seen("/token").is_empty(),
        "nothing went to the other origin"
    );
}

#[test]
fn scripts_get_a_proof_per_request_from_token_and_exec() {
    let key = SigningKey::generate(SigningAlg::Es256).unwrap();
    let s = server(&key, |cfg| cfg.require_dpop = true);
    let h = home();
    let pem = key_file(h.path(), &key);
    let out = run(
        h.path(),
        &[
            "-p",
            "agent",
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
    let api = format!("{}/api/data", s.issuer());
    // As the README shows it: the two headers for one request, read by curl.
    let out = crate::support::shell(
        h.path(),
        &format!("oauthctl -p agent token --dpop-proof GET '{api}' | curl -sf -H @- '{api}'"),
    )
    .output()
    .unwrap();
    assert_code(&out, 0);
    assert!(stdout(&out).contains("items"), "{}", stderr(&out));
    // A proof is for one method and URL: the same headers for a POST are refused.
    let out = crate::support::shell(
        h.path(),
        &format!(
            "oauthctl -p agent token --dpop-proof GET '{api}' | curl -s -o /dev/null -w '%{{http_code}}' -X POST -H @- '{api}'"
        ),
    )
    .output()
    .unwrap();
    assert_eq!(stdout(&out), "401", "{}", stderr(&out));
    // exec: the child knows the token needs proofs, and which profile makes them.
    let out = crate::support::shell(
        h.path(),
        &format!(
            "oauthctl -p agent exec -- sh -c 'echo \"$OAUTHCTL_TOKEN_TYPE $OAUTHCTL_PROFILE\"; \
             oauthctl token --dpop-proof GET {api} | curl -sf -H @- {api}'"
        ),
    )
    .output()
    .unwrap();
    assert_code(&out, 0);
    let text = stdout(&out);
    assert!(text.starts_with("DPoP agent\n"), "{text}");
    assert!(
        stderr(&out).contains("--dpop-proof METHOD URL"),
        "{}",
        stderr(&out)
    );
    assert!(text.contains("items"), "{text}");
}

#[test]
fn bad_keys_and_certificates_are_one_line_configuration_errors() {
    let h = home();
    let s = DevServer::start(DevConfig::default()).unwrap();
    let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures");
    let cert = fixtures.join("client-cert.pem");
    let cert_key = fixtures.join("client-cert.key");
    let cc = |extra: &[&str]| {
        let mut args = vec![
            "login",
            "--flow",
            "client-credentials",
            "--issuer",
            s.issuer(),
            "--client-id",
            "svc",
        ];
        args.extend_from_slice(extra);
        run(h.path(), &args)
    };
    let check = |out: &std::process::Output, code: i32, says: &str| {
        assert_code(out, code);
        let err = stderr(out);
        assert!(err.contains(says), "{says}: {err}");
        assert!(
            err.lines().any(|l| l.starts_with("hint: ")) || code == 2,
            "{err}"
        );
        assert!(!err.contains("BEGIN") && !err.contains("panicked"), "{err}");
    };
    let missing = h.path().join("nope.pem");
    check(
        &cc(&["--client-key-file", missing.to_str().unwrap()]),
        7,
        "--client-key-file",
    );
    // A certificate where the private key belongs: no key found, nothing quoted.
    let out = cc(&["--client-key-file", cert.to_str().unwrap()]);
    assert_code(&out, 7);
    assert!(
        stderr(&out).contains("no private key found"),
        "{}",
        stderr(&out)
    );
    check(
        &cc(&["--auth-method", "private_key_jwt"]),
        7,
        "private_key_jwt needs the client's private key",
    );
    check(
        &cc(&["--auth-method", "tls_client_auth"]),
        7,
        "tls_client_auth needs the client certificate",
    );
    // The certificate with a key that is not its own: refused before anything is sent.
    let other = SigningKey::generate(SigningAlg::Es256).unwrap();
    let wrong = key_file(h.path(), &other);
    let before = s.hits("/token");
    check(
        &cc(&[
            "--client-cert",
            cert.to_str().unwrap(),
            "--client-key",
            wrong.to_str().unwrap(),
        ]),
        7,
        "the client certificate cannot be used",
    );
    assert_eq!(s.hits("/token"), before);
    // Half a pair is a usage error.
    let out = cc(&["--client-cert", cert.to_str().unwrap()]);
    assert_code(&out, 2);
    // An unknown assertion algorithm in the profile.
    std::fs::write(
        h.path().join("config.toml"),
        format!(
            "[profiles.default]\nclient_key_file = {:?}\nclient_key_alg = \"HS256\"\n",
            wrong.to_str().unwrap()
        ),
    )
    .unwrap();
    check(&cc(&[]), 7, "client_key_alg");
    std::fs::remove_file(h.path().join("config.toml")).unwrap();
    // The matching pair loads (the dev server then refuses the unknown client).
    let out = cc(&[
        "--client-cert",
        cert.to_str().unwrap(),
        "--client-key",
        cert_key.to_str().unwrap(),
    ]);
    assert_code(&out, 4);
}

#[test]
fn mtls_client_authentication_and_certificate_bound_tokens_at_the_dev_server() {
    let h = home();
    let toml = r#"
[[clients]]
id = "mtls-app"
tls_client_auth_subject_dn = "CN=mtls-app"
grant_types = ["client_credentials"]
scopes = ["api:read"]
"#;
    let cfg = DevConfig::default()
        .with_tls(h.path().join("serve-tls"))
        .with_file(ServerConfigFile::parse(toml).unwrap());
    let s = DevServer::start(cfg).unwrap();
    assert!(s.issuer().starts_with("https://"));
    let ca = s.ca_cert_path().unwrap().to_str().unwrap().to_owned();
    let (cert, key) = s.client_certificate("mtls-app").unwrap().unwrap();
    let cert_file = h.path().join("mtls-app.pem");
    let key_file = h.path().join("mtls-app.key");
    std::fs::write(&cert_file, &cert).unwrap();
    std::fs::write(&key_file, &key).unwrap();
    // A certificate alone: tls_client_auth.
    let out = run(
        h.path(),
        &[
            "--cacert",
            &ca,
            "login",
            "--flow",
            "client-credentials",
            "--issuer",
            s.issuer(),
            "--client-id",
            "mtls-app",
            "--client-cert",
            cert_file.to_str().unwrap(),
            "--client-key",
            key_file.to_str().unwrap(),
            "--scope",
            "api:read",
        ],
    );
    assert_code(&out, 0);
    let at = stdout(&run(h.path(), &["--cacert", &ca, "token"]))
        .trim()
        .to_owned();
    let x5t = oauthctl::oauth::mtls::x5t_s256(&cert).unwrap();
    assert_eq!(jwt_payload(&at)["cnf"]["x5t#S256"], x5t);
    // decode: the binding is this profile's certificate (remembered by the login).
    let out = run(h.path(), &["--json", "decode", "--access-token"]);
    assert_code(&out, 0);
    let doc: Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(doc["binding"]["matches_profile_certificate"], true, "{doc}");
    // call presents the remembered certificate with the bound token.
    let api = format!("{}/api/data", s.issuer());
    let out = run(h.path(), &["--cacert", &ca, "call", "--fail", &api]);
    assert_code(&out, 0);
    // The same token without the certificate is refused.
    let out = crate::support::oauthctl(h.path())
        .args(["--cacert", &ca, "call", "--fail", "--token-env", "AT", &api])
        .env("AT", &at)
        .output()
        .unwrap();
    assert_code(&out, 8);
    // Introspection and revocation authenticate with the certificate too.
    let out = run(h.path(), &["--cacert", &ca, "--json", "introspect"]);
    assert_code(&out, 0);
    let v: Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(v["active"], true, "{v}");
    let out = run(h.path(), &["--cacert", &ca, "logout"]);
    assert_code(&out, 0);
    assert!(stderr(&out).contains("revoked"), "{}", stderr(&out));
}
