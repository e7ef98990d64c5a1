//! `token --format exec-credential`: oauthctl as kubectl's exec credential plugin. The
//! ExecCredential schema and the interactive rule are checked against the binary; the real
//! kubectl (`scripts/install-test-deps.sh` installs Debian's kubernetes-client where there is
//! none) then calls it and sends the token to an HTTPS stand-in for the API server.

use std::path::Path;
use std::process::Command;

use oauthctl::devserver::{DevConfig, DevServer};
use serde_json::Value;

use crate::support::certs::{BearerApi, PrivateCa};
use crate::support::{assert_code, home, oauthctl, stderr, stdout};

const V1: &str = "client.authentication.k8s.io/v1";
const V1BETA1: &str = "client.authentication.k8s.io/v1beta1";

/// Logs `profile` in with the dev server's confidential client (client credentials).
pub fn client_credentials_login(home: &Path, issuer: &str, profile: &str) {
    let out = oauthctl(home)
        .args([
            "-p",
            profile,
            "login",
            "--flow",
            "client-credentials",
            "--issuer",
            issuer,
        ])
        .args([
            "--client-id",
            "demo-service",
            "--client-secret-env",
            "DEMO_SECRET",
        ])
        .env("DEMO_SECRET", "demo-secret")
        .output()
        .unwrap();
    assert_code(&out, 0);
}

fn exec_info(api_version: &str, interactive: bool) -> String {
    format!(
        r#"{{"kind":"ExecCredential","apiVersion":"{api_version}","spec":{{"interactive":{interactive}}}}}"#
    )
}

#[test]
fn exec_credential_has_kubectls_schema() {
    let server = DevServer::start(DevConfig::default()).unwrap();
    let h = home();
    client_credentials_login(h.path(), server.issuer(), "k8s");
    let token = stdout(
        &oauthctl(h.path())
            .args(["-p", "k8s", "token"])
            .output()
            .unwrap(),
    );
    let doc: Value = serde_json::from_slice(
        &oauthctl(h.path())
            .args(["-p", "k8s", "token", "--json", "--no-refresh"])
            .output()
            .unwrap()
            .stdout,
    )
    .unwrap();
    let expires_at = doc["expires_at"].as_i64().unwrap();
    for (api_version, info) in [
        (V1, Some(exec_info(V1, false))),
        (V1BETA1, Some(exec_info(V1BETA1, true))),
        (V1, None),
    ] {
        let mut cmd = oauthctl(h.path());
        cmd.args(["-p", "k8s", "token", "--format", "exec-credential"]);
        if let Some(info) = &info {
            cmd.env("KUBERNETES_EXEC_INFO", info);
        }
        let out = cmd.output().unwrap();
        assert_code(&out, 0);
        let cred: Value = serde_json::from_slice(&out.stdout).unwrap();
        let keys: Vec<&String> = cred.as_object().unwrap().keys().collect();
        assert_eq!(keys, ["kind", "apiVersion", "status"], "{cred}");
        assert_eq!(cred["kind"], "ExecCredential");
        assert_eq!(cred["apiVersion"], api_version);
        assert_eq!(cred["status"]["token"], token.trim());
        // RFC 3339, in UTC, the token's own expiry.
        let stamp = cred["status"]["expirationTimestamp"].as_str().unwrap();
        let at = humantime::parse_rfc3339(stamp).unwrap();
        let secs = at.duration_since(std::time::UNIX_EPOCH).unwrap().as_secs();
        assert_eq!(i64::try_from(secs).unwrap(), expires_at, "{stamp}");
        assert!(stamp.ends_with('Z'), "{stamp}");
    }
}

#[test]
fn without_a_login_kubectl_is_told_the_interactive_rule() {
    let h = home();
    for (interactive, says) in [
        (false, "kubectl ran oauthctl non-interactively"),
        (true, "kubectl would let oauthctl interact"),
    ] {
        let out = oauthctl(h.path())
            .args(["-p", "k8s", "token", "--format", "exec-credential"])
            .env("KUBERNETES_EXEC_INFO", exec_info(V1, interactive))
            .output()
            .unwrap();
        assert_code(&out, 3);
        assert!(out.stdout.is_empty());
        let err = stderr(&out);
        assert!(err.contains(says), "{err}");
        assert!(
            err.contains("`oauthctl token` never opens a browser"),
            "{err}"
        );
        assert!(err.contains("hint: run `oauthctl -p k8s login`"), "{err}");
        assert!(
            err.contains("in a terminal, then run kubectl again"),
            "{err}"
        );
    }
    // A kubeconfig asking for another API version is a configuration error.
    let out = oauthctl(h.path())
        .args(["-p", "k8s", "token", "--format", "exec-credential"])
        .env(
            "KUBERNETES_EXEC_INFO",
            exec_info("client.authentication.k8s.io/v1alpha1", false),
        )
        .output()
        .unwrap();
    assert_code(&out, 7);
    assert!(stderr(&out).contains("v1alpha1"), "{}", stderr(&out));
}

/// kubectl's minor version (`kubectl version --client`).
fn kubectl_minor() -> u32 {
    let out = Command::new("kubectl")
        .args(["version", "--client", "-o", "json"])
        .output()
        .expect("kubectl (scripts/install-test-deps.sh installs kubernetes-client)");
    let doc: Value = serde_json::from_slice(&out.stdout).expect("kubectl version -o json");
    doc["clientVersion"]["minor"]
        .as_str()
        .and_then(|m| m.trim_end_matches('+').parse().ok())
        .expect("a minor version")
}

fn kubeconfig(dir: &Path, ca: &PrivateCa, port: u16, api_version: &str, args: &[&str]) -> String {
    let home = dir.display();
    let args: Vec<String> = args.iter().map(|a| format!("\"{a}\"")).collect();
    let text = format!(
        "apiVersion: v1
kind: Config
clusters:
- name: local
  cluster:
    server: https://127.0.0.1:{port}
    certificate-authority: {ca}
users:
- name: oauthctl
  user:
    exec:
      apiVersion: {api_version}
      command: {bin}
      args: [{args}]
      env:
      - {{name: OAUTHCTL_HOME, value: \"{home}\"}}
      - {{name: OAUTHCTL_TOKEN_STORE, value: file}}
      interactiveMode: Never
contexts:
- name: local
  context: {{cluster: local, user: oauthctl}}
current-context: local
",
        ca = ca.path("ca.pem").display(),
        bin = env!("CARGO_BIN_EXE_oauthctl"),
        args = args.join(", "),
    );
    let path = dir.join(format!("kubeconfig-{}", args.len()));
    std::fs::write(&path, text).unwrap();
    path.display().to_string()
}

fn kubectl(home: &Path, kubeconfig: &str) -> std::process::Output {
    Command::new("kubectl")
        .args(["--kubeconfig", kubeconfig, "get", "--raw", "/"])
        // kubectl's own caches go to the throw-away home.
        .env("HOME", home)
        .env_remove("KUBECONFIG")
        .output()
        .unwrap()
}

#[test]
#[ignore = "needs kubectl, openssl and node (scripts/install-test-deps.sh); run with --include-ignored"]
fn kubectl_gets_the_token_through_the_exec_plugin() {
    let server = DevServer::start(DevConfig::default()).unwrap();
    let h = home();
    client_credentials_login(h.path(), server.issuer(), "k8s");
    let token = stdout(
        &oauthctl(h.path())
            .args(["-p", "k8s", "token"])
            .output()
            .unwrap(),
    );
    let ca = PrivateCa::new();
    let mut api = BearerApi::start(&ca, token.trim());
    // v1 from kubectl 1.22 on; v1beta1 everywhere (Debian bookworm ships kubectl 1.20).
    let mut versions = vec![V1BETA1];
    if kubectl_minor() >= 22 {
        versions.push(V1);
    }
    for api_version in versions {
        let config = kubeconfig(
            h.path(),
            &ca,
            api.port,
            api_version,
            &["-p", "k8s", "token", "--format", "exec-credential"],
        );
        let out = kubectl(h.path(), &config);
        assert_code(&out, 0);
        let body: Value = serde_json::from_slice(&out.stdout).unwrap();
        assert_eq!(body["paths"][0], "/api", "{api_version}");
        // kubectl may ask for /version first; every request carried the token.
        loop {
            let seen = api.next_request();
            assert!(seen.starts_with("ok /"), "{api_version}: {seen}");
            if seen == "ok /" {
                break;
            }
        }
    }
    // A profile without a login: kubectl fails with oauthctl's explanation, no browser, and
    // the API server sees no token.
    let config = kubeconfig(
        h.path(),
        &ca,
        api.port,
        V1BETA1,
        &[
            "-p",
            "nobody",
            "token",
            "--format",
            "exec-credential",
            "--min-ttl",
            "1m",
        ],
    );
    let out = kubectl(h.path(), &config);
    assert_ne!(out.status.code(), Some(0));
    let err = stderr(&out);
    assert!(
        err.contains("no cached tokens for profile `nobody`"),
        "{err}"
    );
    assert!(err.contains("never opens a browser"), "{err}");
    assert!(err.contains("oauthctl -p nobody login"), "{err}");
}
