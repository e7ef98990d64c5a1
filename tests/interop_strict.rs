//! Interoperability of DPoP, PAR, JWT client authentication and mTLS with a real, certified
//! provider: panva's oidc-provider configured to require DPoP with nonces and PAR
//! (`tests/interop/oidc-server-strict.mjs`), through its real login and consent pages, and its
//! DPoP-protected resource server. Ignored in a plain `cargo test`; scripts/test.sh installs
//! the provider and runs these with `--include-ignored`.

use std::io::BufRead as _;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use oauthctl::demo::agent::Agent;
use serde_json::Value;

use crate::support::{assert_code, home, jwt_parts, login_with, oauthctl, run, stderr, stdout};

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// A running strict oidc-provider with its resource server (and, with mTLS, its https
/// listener); killed on drop. Its key material is in `dir`.
pub struct Strict {
    child: Child,
    pub issuer: String,
    pub resource: String,
    pub mtls: Option<String>,
    pub dir: tempfile::TempDir,
}

impl Strict {
    pub fn start(mtls: bool) -> Self {
        let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/interop");
        assert!(
            fixtures.join("node_modules/oidc-provider").is_dir(),
            "oidc-provider is not installed: run scripts/install-test-deps.sh"
        );
        let dir = tempfile::tempdir().unwrap();
        let port = free_port();
        let mut cmd = Command::new("node");
        cmd.arg("oidc-server-strict.mjs")
            .current_dir(&fixtures)
            .env("PORT", port.to_string())
            .env("RS_PORT", free_port().to_string())
            .env("FIXTURE_DIR", dir.path())
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::null());
        if mtls {
            cmd.env("MTLS_PORT", free_port().to_string());
        }
        let mut child = cmd.spawn().expect("start node");
        let mut out = std::io::BufReader::new(child.stdout.take().unwrap());
        let deadline = Instant::now() + Duration::from_secs(30);
        let mut line = String::new();
        let mut seen = String::new();
        while Instant::now() < deadline {
            line.clear();
            if out.read_line(&mut line).unwrap_or(0) == 0 {
                break;
            }
            seen.push_str(&line);
            if line.contains("listening on") {
                break;
            }
        }
        assert!(
            line.contains("listening on"),
            "oidc-provider did not start: {seen}"
        );
        std::thread::spawn(move || {
            let mut sink = String::new();
            while out.read_line(&mut sink).unwrap_or(0) > 0 {
                sink.clear();
            }
        });
        let fixture: Value =
            serde_json::from_slice(&std::fs::read(dir.path().join("fixture.json")).unwrap())
                .unwrap();
        Self {
            child,
            issuer: fixture["issuer"].as_str().unwrap().to_owned(),
            resource: fixture["resource"].as_str().unwrap().to_owned(),
            mtls: fixture["mtls"].as_str().map(str::to_owned),
            dir,
        }
    }

    /// A file the fixture wrote.
    fn file(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    /// A file the fixture wrote, as a string argument.
    pub fn path(&self, name: &str) -> String {
        self.file(name).to_string_lossy().into_owned()
    }
}

impl Drop for Strict {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The claims of a JWT (not verified).
fn claims(token: &str) -> Value {
    jwt_parts(token).1
}

/// A login through the provider's real login and consent pages as `user`.
fn browser_login(home: &Path, args: &[&str], user: &str) -> crate::support::LoginRun {
    login_with(home, args, |url| {
        Agent::new(user, "any-password")
            .sign_in(url)
            .expect("sign in on oidc-provider's pages");
    })
}

/// The stored token set of the only profile (file store), as JSON.
fn stored_set(home: &Path) -> Value {
    let entry = std::fs::read_dir(home.join("tokens"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.extension().is_some_and(|e| e == "json"))
        .expect("a stored token set");
    serde_json::from_slice(&std::fs::read(entry).unwrap()).unwrap()
}

#[test]
#[ignore = "needs node-oidc-provider (scripts/install-test-deps.sh); run with --include-ignored"]
fn private_key_jwt_dpop_and_par_end_to_end_against_oidc_provider() {
    let op = Strict::start(false);
    let h = home();
    let key = op.path("client-es256.pem");
    let r = browser_login(
        h.path(),
        &[
            "--issuer",
            &op.issuer,
            "--client-id",
            "oauthctl-pkjwt",
            "--client-key-file",
            &key,
            "--dpop",
            "--scope",
            "openid email offline_access api:read",
            "--prompt",
            "consent",
            "--timeout",
            "60s",
        ],
        "alice",
    );
    assert_eq!(r.status, Some(0), "{}", r.stderr);
    // PAR is required there: the browser got client_id and request_uri only.
    let url = url::Url::parse(&r.url).unwrap();
    let names: Vec<String> = url.query_pairs().map(|(k, _)| k.into_owned()).collect();
    assert_eq!(names, ["client_id", "request_uri"], "{}", r.url);
    assert!(r.stderr.contains("as alice"), "{}", r.stderr);
    assert!(r.stderr.contains("bound:   DPoP"), "{}", r.stderr);
    assert_eq!(stored_set(h.path())["token_type"], "DPoP");
    let first = stdout(&run(h.path(), &["token"])).trim().to_owned();
    // userinfo at the provider (401 use_dpop_nonce is answered by itself).
    let out = run(h.path(), &["--json", "userinfo"]);
    assert_code(&out, 0);
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["sub"], "alice");
    // The DPoP-protected resource server, with its own nonces.
    let out = run(h.path(), &["call", "--fail", &op.resource]);
    assert_code(&out, 0);
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["token_type"], "DPoP");
    assert_eq!(v["client_id"], "oauthctl-pkjwt");
    // Refresh: a new assertion and a new proof; the new token is bound too.
    let out = run(h.path(), &["refresh"]);
    assert_code(&out, 0);
    let second = stdout(&run(h.path(), &["token"])).trim().to_owned();
    assert_ne!(first, second);
    assert_code(&run(h.path(), &["call", "--fail", &op.resource]), 0);
    // Introspection with the client's assertion: active, bound to the profile's key.
    let out = run(h.path(), &["--json", "introspect"]);
    assert_code(&out, 0);
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["active"], true, "{v}");
    assert_eq!(v["token_type"], "DPoP");
    let stored_key = stored_set(h.path())["dpop_key"]["key"]
        .as_str()
        .unwrap()
        .to_owned();
    let jkt = oauthctl::oauth::jose::SigningKey::from_pem(&stored_key, None)
        .unwrap()
        .thumbprint()
        .to_owned();
    assert_eq!(v["cnf"]["jkt"], jkt);
    // Logout revokes at the provider; the token is inactive afterwards.
    let out = run(h.path(), &["logout"]);
    assert_code(&out, 0);
    assert!(stderr(&out).contains("revoked"), "{}", stderr(&out));
    assert_code(&run(h.path(), &["token"]), 3);
}

#[test]
#[ignore = "needs node-oidc-provider (scripts/install-test-deps.sh); run with --include-ignored"]
fn a_public_client_learns_that_it_needs_dpop_and_binds_its_next_login() {
    let op = Strict::start(false);
    let h = home();
    let args = [
        "--issuer",
        &op.issuer,
        "--client-id",
        "oauthctl-dpop",
        "--scope",
        "openid offline_access",
        "--prompt",
        "consent",
        "--timeout",
        "60s",
    ];
    // The provider advertises DPoP and refuses the code sent without a proof with a plain
    // invalid_grant: the code is never resent, the client is remembered.
    let r = browser_login(h.path(), &args, "carol");
    assert_eq!(r.status, Some(4), "{}", r.stderr);
    assert!(r.stderr.contains("next login"), "{}", r.stderr);
    // The next login binds from the start (dpop_jkt at PAR, a proof at the token endpoint).
    let r = browser_login(h.path(), &args, "carol");
    assert_eq!(r.status, Some(0), "{}", r.stderr);
    assert_eq!(stored_set(h.path())["token_type"], "DPoP");
    // A public client's refresh token is bound to the key, which survives the refresh.
    let key_before = stored_set(h.path())["dpop_key"]["key"].clone();
    assert_code(&run(h.path(), &["refresh"]), 0);
    assert_eq!(stored_set(h.path())["dpop_key"]["key"], key_before);
    assert_code(&run(h.path(), &["call", "--fail", &op.resource]), 0);
    assert_code(&run(h.path(), &["logout"]), 0);
}

#[test]
#[ignore = "needs node-oidc-provider (scripts/install-test-deps.sh); run with --include-ignored"]
fn client_credentials_start_dpop_by_themselves_and_client_secret_jwt_works() {
    let op = Strict::start(false);
    let h = home();
    // oauthctl-pkjwt must use DPoP; nothing says so but a plain invalid_grant.
    let out = run(
        h.path(),
        &[
            "login",
            "--flow",
            "client-credentials",
            "--issuer",
            &op.issuer,
            "--client-id",
            "oauthctl-pkjwt",
            "--client-key-file",
            &op.path("client-rs256.pem"),
            "--client-key-id",
            "rs256",
            "--scope",
            "api:read",
        ],
    );
    assert_code(&out, 0);
    assert_eq!(stored_set(h.path())["token_type"], "DPoP");
    assert_code(&run(h.path(), &["call", "--fail", &op.resource]), 0);
    // token --dpop-proof prints what curl needs for one request at the resource server.
    let out = run(h.path(), &["token", "--dpop-proof", "GET", &op.resource]);
    assert_code(&out, 0);
    let text = stdout(&out);
    assert!(text.starts_with("Authorization: DPoP "), "{text}");
    let proof = text.lines().nth(1).unwrap().strip_prefix("DPoP: ").unwrap();
    assert_eq!(claims(proof)["htu"], op.resource);

    // client_secret_jwt: HS256 assertions with the secret.
    let h2 = home();
    let out = oauthctl(h2.path())
        .args([
            "login",
            "--flow",
            "client-credentials",
            "--issuer",
            &op.issuer,
            "--client-id",
            "oauthctl-csjwt",
            "--client-secret-env",
            "CSJWT",
            "--auth-method",
            "client_secret_jwt",
            "--scope",
            "api:read",
        ])
        .env("CSJWT", "oauthctl-csjwt-secret-0123456789abcdef-0123456789")
        .output()
        .unwrap();
    assert_code(&out, 0);
    assert_eq!(stored_set(h2.path())["token_type"], "Bearer");
    let out = oauthctl(h2.path())
        .args(["--json", "introspect", "--client-secret-env", "CSJWT"])
        .env("CSJWT", "oauthctl-csjwt-secret-0123456789abcdef-0123456789")
        .output()
        .unwrap();
    assert_code(&out, 0);
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["active"], true, "{v}");
    assert_eq!(v["client_id"], "oauthctl-csjwt");
    // A wrong secret is the provider's invalid_client: exit 4.
    let out = oauthctl(h2.path())
        .args([
            "login",
            "--flow",
            "client-credentials",
            "--issuer",
            &op.issuer,
            "--client-id",
            "oauthctl-csjwt",
            "--client-secret-env",
            "CSJWT",
            "--auth-method",
            "client_secret_jwt",
        ])
        .env("CSJWT", "wrong-secret-0123456789abcdef-0123456789-0123")
        .output()
        .unwrap();
    assert_code(&out, 4);
}

#[test]
#[ignore = "needs node-oidc-provider (scripts/install-test-deps.sh); run with --include-ignored"]
fn the_device_flow_starts_dpop_while_polling() {
    let op = Strict::start(false);
    let h = home();
    let r = crate::support::device_login(
        h.path(),
        &[
            "--issuer",
            &op.issuer,
            "--client-id",
            "oauthctl-dpop",
            "--scope",
            "openid offline_access",
            "--timeout",
            "120s",
        ],
        "erin",
        "any-password",
    );
    assert_eq!(r.status, Some(0), "{}", r.stderr);
    assert_eq!(stored_set(h.path())["token_type"], "DPoP");
    assert_code(&run(h.path(), &["call", "--fail", &op.resource]), 0);
}

#[test]
#[ignore = "needs node-oidc-provider and openssl (scripts/install-test-deps.sh); run with --include-ignored"]
fn mtls_client_authentication_and_certificate_bound_tokens_through_the_aliases() {
    let op = Strict::start(true);
    let mtls = op.mtls.clone().expect("the mTLS listener");
    let h = home();
    let ca = op.path("ca.pem");
    let cert = op.path("mtls-client.pem");
    let key = op.path("mtls-client.key");
    // tls_client_auth (a certificate alone): the token endpoint's alias, a certificate-bound
    // JWT access token for the API.
    let out = run(
        h.path(),
        &[
            "--cacert",
            &ca,
            "login",
            "--flow",
            "client-credentials",
            "--issuer",
            &op.issuer,
            "--client-id",
            "oauthctl-mtls",
            "--client-cert",
            &cert,
            "--client-key",
            &key,
            "--scope",
            "api:read",
            "--resource",
            "urn:oauthctl:api",
        ],
    );
    assert_code(&out, 0);
    let set = stored_set(h.path());
    assert_eq!(
        set["token_type"], "Bearer",
        "certificate-bound tokens stay Bearer"
    );
    let at = set["access_token"].as_str().unwrap();
    let x5t = oauthctl::oauth::mtls::x5t_s256(
        &std::fs::read_to_string(op.file("mtls-client.pem")).unwrap(),
    )
    .unwrap();
    assert_eq!(claims(at)["cnf"]["x5t#S256"], x5t);
    // decode compares the binding with the profile's certificate.
    let out = run(h.path(), &["--json", "decode", "--access-token"]);
    assert_code(&out, 0);
    let doc: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(doc["binding"]["matches_profile_certificate"], true, "{doc}");
    // The resource server on the mTLS listener accepts it with the same certificate, which
    // `call` presents because the login had it.
    let api = format!("{mtls}/api/resource");
    let out = run(h.path(), &["--cacert", &ca, "call", "--fail", &api]);
    assert_code(&out, 0);
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["cnf"]["x5t#S256"], x5t);
    // Without the certificate the same token is refused there.
    let out = oauthctl(h.path())
        .args(["--cacert", &ca, "call", "--token-env", "AT", &api])
        .env("AT", at)
        .output()
        .unwrap();
    assert_code(&out, 0);
    assert!(stderr(&out).contains("HTTP 401"), "{}", stderr(&out));

    // self_signed_tls_client_auth.
    let h2 = home();
    let out = run(
        h2.path(),
        &[
            "--cacert",
            &ca,
            "login",
            "--flow",
            "client-credentials",
            "--issuer",
            &op.issuer,
            "--client-id",
            "oauthctl-mtls-self",
            "--auth-method",
            "self_signed_tls_client_auth",
            "--client-cert",
            &op.path("mtls-self.pem"),
            "--client-key",
            &op.path("mtls-self.key"),
            "--scope",
            "api:read",
        ],
    );
    assert_code(&out, 0);
    // The wrong certificate for tls_client_auth: the provider's invalid_client.
    let h3 = home();
    let out = run(
        h3.path(),
        &[
            "--cacert",
            &ca,
            "login",
            "--flow",
            "client-credentials",
            "--issuer",
            &op.issuer,
            "--client-id",
            "oauthctl-mtls",
            "--client-cert",
            &op.path("mtls-self.pem"),
            "--client-key",
            &op.path("mtls-self.key"),
        ],
    );
    assert_code(&out, 4);
    assert!(stderr(&out).contains("invalid_client"), "{}", stderr(&out));
}
