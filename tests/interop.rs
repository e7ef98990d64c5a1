//! Interoperability with a real, certified OpenID provider: panva's oidc-provider from npm
//! (`tests/interop/oidc-server.mjs`), through its real login and consent pages. Ignored in a
//! plain `cargo test`; scripts/test.sh installs the provider and runs these with
//! `--include-ignored`.

use std::io::BufRead as _;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use oauthctl::demo::agent::Agent;
use serde_json::Value;

use crate::support::{assert_code, home, login_with, oauthctl, run, stderr, stdout};

/// A running oidc-provider; killed on drop.
pub struct Provider {
    child: Child,
    pub issuer: String,
    /// The strict fixture's `FIXTURE_DIR`, removed on drop.
    _fixture_dir: Option<tempfile::TempDir>,
}

impl Provider {
    /// The lenient fixture, `oidc-server.mjs`.
    pub fn start() -> Self {
        Self::start_script("oidc-server.mjs", &[])
    }

    /// The strict fixture, `oidc-server-strict.mjs` (DPoP, PAR, JWT client authentication,
    /// the `oauthctl-localhost` client, …), with `env` (e.g. `REQUIRE_PAR=0`).
    pub fn start_strict(env: &[(&str, &str)]) -> Self {
        Self::start_script("oidc-server-strict.mjs", env)
    }

    fn start_script(script: &str, env: &[(&str, &str)]) -> Self {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/interop");
        assert!(
            dir.join("node_modules/oidc-provider").is_dir(),
            "oidc-provider is not installed: run scripts/install-test-deps.sh"
        );
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let fixture_dir = (script != "oidc-server.mjs").then(|| tempfile::tempdir().unwrap());
        let mut node = Command::new("node");
        node.arg(script)
            .current_dir(&dir)
            .env("PORT", port.to_string())
            .envs(env.iter().copied());
        if let Some(d) = &fixture_dir {
            node.env("FIXTURE_DIR", d.path());
        }
        let mut child = node
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("start node");
        let mut out = std::io::BufReader::new(child.stdout.take().unwrap());
        let deadline = Instant::now() + Duration::from_secs(20);
        let mut line = String::new();
        while Instant::now() < deadline {
            line.clear();
            if out.read_line(&mut line).unwrap_or(0) == 0 {
                break;
            }
            if line.contains("listening on") {
                break;
            }
        }
        assert!(
            line.contains("listening on"),
            "oidc-provider did not start: {line}"
        );
        std::thread::spawn(move || {
            let mut sink = String::new();
            while out.read_line(&mut sink).unwrap_or(0) > 0 {
                sink.clear();
            }
        });
        Self {
            child,
            issuer: format!("http://127.0.0.1:{port}"),
            _fixture_dir: fixture_dir,
        }
    }
}

impl Drop for Provider {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[test]
#[ignore = "needs node-oidc-provider (scripts/install-test-deps.sh); run with --include-ignored"]
fn authorization_code_pkce_refresh_and_logout_against_oidc_provider() {
    let op = Provider::start();
    let h = home();
    let r = login_with(
        h.path(),
        &[
            "--issuer",
            &op.issuer,
            "--client-id",
            "oauthctl-native",
            "--scope",
            "openid email offline_access",
            "--prompt",
            "consent",
            "--timeout",
            "60s",
        ],
        |url| {
            Agent::new("alice", "any-password")
                .sign_in(url)
                .expect("sign in on oidc-provider's pages");
        },
    );
    assert_eq!(r.status, Some(0), "{}", r.stderr);
    assert!(r.stderr.contains("as alice"), "{}", r.stderr);
    let first = stdout(&run(h.path(), &["token"]));
    assert!(!first.trim().is_empty());
    // The ID token was verified at login; decode it again against the provider's keys.
    let out = run(
        h.path(),
        &[
            "decode",
            "--verify",
            "--id-token",
            "--audience",
            "oauthctl-native",
        ],
    );
    assert_code(&out, 0);
    assert!(stdout(&out).starts_with("VERIFIED"), "{}", stdout(&out));
    // userinfo: the provider's claims for the same subject as the ID token.
    let out = run(h.path(), &["userinfo", "--json"]);
    assert_code(&out, 0);
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["sub"], "alice");
    assert_eq!(v["email"], "alice@example.test");
    // Refresh with rotation.
    let out = run(h.path(), &["refresh"]);
    assert_code(&out, 0);
    let second = stdout(&run(h.path(), &["token"]));
    assert_ne!(first, second);
    let out = run(h.path(), &["refresh"]);
    assert_code(&out, 0);
    // Introspection (RFC 7662) by the public client itself: active.
    let out = run(h.path(), &["introspect", "--json"]);
    assert_code(&out, 0);
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["active"], true, "{v}");
    assert_eq!(v["sub"], "alice");
    // Logout revokes at the provider and deletes everything; the token is then inactive.
    let current = stdout(&run(h.path(), &["token"]));
    let out = run(h.path(), &["logout"]);
    assert_code(&out, 0);
    assert!(stderr(&out).contains("revoked"), "{}", stderr(&out));
    assert_code(&run(h.path(), &["token"]), 3);
    let out = crate::support::feed(
        oauthctl(h.path()).args([
            "introspect",
            "--issuer",
            &op.issuer,
            "--client-id",
            "oauthctl-native",
            "-",
        ]),
        current.trim(),
    );
    assert_code(&out, 6);
}

#[test]
#[ignore = "needs node-oidc-provider (scripts/install-test-deps.sh); run with --include-ignored"]
fn device_flow_against_oidc_provider() {
    let op = Provider::start();
    let h = home();
    // The verification page, then login and consent; the last page says "Sign-in Success".
    let r = crate::support::device_login(
        h.path(),
        &[
            "--issuer",
            &op.issuer,
            "--client-id",
            "oauthctl-native",
            "--scope",
            "openid offline_access",
            "--timeout",
            "90s",
        ],
        "bob",
        "any-password",
    );
    assert_eq!(r.status, Some(0), "{}", r.stderr);
    assert!(r.stderr.contains("as bob"), "{}", r.stderr);
    assert_code(&run(h.path(), &["token"]), 0);
}

#[test]
#[ignore = "needs node-oidc-provider (scripts/install-test-deps.sh); run with --include-ignored"]
fn client_credentials_against_oidc_provider() {
    let op = Provider::start();
    let h = home();
    let out = oauthctl(h.path())
        .args([
            "login",
            "--flow",
            "client-credentials",
            "--issuer",
            &op.issuer,
            "--client-id",
            "oauthctl-test",
        ])
        .args([
            "--client-secret-env",
            "OP_SECRET",
            "--scope",
            "api:read",
            "--resource",
            "urn:oauthctl:api",
            "--json",
        ])
        .env("OP_SECRET", "oauthctl-secret")
        .output()
        .unwrap();
    assert_code(&out, 0);
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["grant"], "client_credentials");
    // With a resource indicator the provider issues an RFC 9068 JWT access token.
    let token = stdout(&run(h.path(), &["token"]));
    let out = run(
        h.path(),
        &[
            "decode",
            "--verify",
            "--audience",
            "urn:oauthctl:api",
            token.trim(),
        ],
    );
    assert_code(&out, 0);
    assert!(stdout(&out).contains("at+jwt"), "{}", stdout(&out));
    // Introspection with wrong client credentials: the provider's invalid_client, exit 4.
    let out = crate::support::feed(
        oauthctl(h.path())
            .args([
                "introspect",
                "--issuer",
                &op.issuer,
                "--client-id",
                "oauthctl-test",
            ])
            .args(["--client-secret-env", "OP_SECRET", "-"])
            .env("OP_SECRET", "wrong"),
        token.trim(),
    );
    assert_code(&out, 4);
    assert!(stderr(&out).contains("invalid_client"), "{}", stderr(&out));
    // A wrong secret is the provider's invalid_client: exit 4.
    let out = oauthctl(h.path())
        .args([
            "login",
            "--flow",
            "client-credentials",
            "--issuer",
            &op.issuer,
            "--client-id",
            "oauthctl-test",
            "--client-secret-env",
            "OP_SECRET",
        ])
        .env("OP_SECRET", "wrong")
        .output()
        .unwrap();
    assert_code(&out, 4);
    assert!(stderr(&out).contains("invalid_client"), "{}", stderr(&out));
}

/// A client registered only as `http://localhost:8765/oauth/cb` (the strict
/// fixture's `oauthctl-localhost`, a native client: oidc-provider accepts any port on its
/// loopback redirect URI, host and path as registered) logs in with `--redirect-uri
/// http://localhost/oauth/cb` on a free port, and refreshes.
#[test]
#[ignore = "needs node-oidc-provider (scripts/install-test-deps.sh); run with --include-ignored"]
fn a_client_registered_only_with_a_localhost_redirect_uri_against_oidc_provider() {
    let op = Provider::start_strict(&[("REQUIRE_PAR", "0")]);
    let h = home();
    let r = login_with(
        h.path(),
        &[
            "--issuer",
            &op.issuer,
            "--client-id",
            "oauthctl-localhost",
            "--scope",
            "openid offline_access",
            "--prompt",
            "consent",
            "--redirect-uri",
            "http://localhost/oauth/cb",
            "--timeout",
            "60s",
        ],
        |url| {
            Agent::new("alice", "any-password")
                .sign_in(url)
                .expect("sign in on oidc-provider's pages");
        },
    );
    assert_eq!(r.status, Some(0), "{}", r.stderr);
    let sent: String = url::Url::parse(&r.url)
        .unwrap()
        .query_pairs()
        .find(|(k, _)| k == "redirect_uri")
        .map(|(_, v)| v.into_owned())
        .unwrap();
    let port = url::Url::parse(&sent).unwrap().port().unwrap();
    assert_eq!(sent, format!("http://localhost:{port}/oauth/cb"));
    assert!(r.stderr.contains("as alice"), "{}", r.stderr);
    assert_code(&run(h.path(), &["refresh"]), 0);
    // The same client with the path it did not register: the provider shows an error page
    // and never redirects, so the login runs out of time with the URI to register.
    let h = home();
    let r = login_with(
        h.path(),
        &[
            "--issuer",
            &op.issuer,
            "--client-id",
            "oauthctl-localhost",
            "--scope",
            "openid",
            "--redirect-uri",
            "http://localhost/callback",
            "--timeout",
            "4s",
        ],
        |url| {
            let page = reqwest::blocking::Client::builder()
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .unwrap()
                .get(url)
                .send()
                .unwrap();
            assert_eq!(page.status().as_u16(), 400);
        },
    );
    assert_eq!(r.status, Some(5), "{}", r.stderr);
    assert!(
        r.stderr.contains("register http://localhost/callback"),
        "{}",
        r.stderr
    );
}
