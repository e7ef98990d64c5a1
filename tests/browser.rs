//! `oauthctl login --browser-command` with a real browser: headless Chromium driven by
//! Playwright (`tests/interop/browser-login.mjs`) types the password on the real login page
//! and clicks approve, against the development server and against oidc-provider. A
//! screenshot of each consent page is kept under `target/e2e/`. Ignored in a plain
//! `cargo test`; scripts/test.sh installs Chromium and playwright-core and runs these.

use std::path::PathBuf;

use oauthctl::devserver::{DevConfig, DevServer};

use crate::interop::Provider;
use crate::support::{assert_code, home, oauthctl, run, stderr, stdout};

fn artifacts() -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target/e2e");
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn browser_command(user: &str) -> String {
    let script = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/interop/browser-login.mjs");
    assert!(
        PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .join("tests/interop/node_modules/playwright-core")
            .is_dir()
            && std::path::Path::new("/usr/bin/chromium").exists(),
        "Chromium and playwright-core are needed: run scripts/install-test-deps.sh"
    );
    format!("node {} {user} {user}", script.display())
}

fn login_in_chromium(
    issuer: &str,
    client_id: &str,
    user: &str,
    scopes: &str,
    shot: &str,
) -> (std::process::Output, String) {
    let h = home();
    let shot = artifacts().join(shot);
    let log = artifacts().join(format!(
        "{}.log",
        shot.file_stem().unwrap().to_string_lossy()
    ));
    let _ = std::fs::remove_file(&shot);
    let _ = std::fs::remove_file(&log);
    let out = oauthctl(h.path())
        .args([
            "login",
            "--issuer",
            issuer,
            "--client-id",
            client_id,
            "--scope",
            scopes,
            "--timeout",
            "90s",
        ])
        .args(["--browser-command", &browser_command(user)])
        .env("OAUTHCTL_E2E_SCREENSHOT", &shot)
        .env("OAUTHCTL_E2E_LOG", &log)
        .output()
        .unwrap();
    let steps = std::fs::read_to_string(&log).unwrap_or_default();
    assert_code(&out, 0);
    assert!(
        stderr(&out).contains(&format!("as {user}")),
        "{}\n{steps}",
        stderr(&out)
    );
    let png = std::fs::read(&shot).expect("a screenshot of the consent page");
    assert_eq!(&png[..8], b"\x89PNG\r\n\x1a\n");
    let token = run(h.path(), &["token"]);
    assert_code(&token, 0);
    assert!(!stdout(&token).trim().is_empty());
    (out, steps)
}

#[test]
#[ignore = "needs Chromium and playwright-core (scripts/install-test-deps.sh); run with --include-ignored"]
fn chromium_signs_in_on_the_dev_servers_pages() {
    let s = DevServer::start(DevConfig::default()).unwrap();
    let (_, steps) = login_in_chromium(
        s.issuer(),
        "oauthctl",
        "alice",
        "openid profile api:read",
        "consent-serve.png",
    );
    assert!(
        steps.contains("login page: typed credentials for alice"),
        "{steps}"
    );
    assert!(
        steps.contains("consent page: clicking \"Allow\""),
        "{steps}"
    );
    assert!(steps.contains("done"), "{steps}");
}

#[test]
#[ignore = "needs Chromium, playwright-core and oidc-provider (scripts/install-test-deps.sh); run with --include-ignored"]
fn chromium_signs_in_on_oidc_providers_pages() {
    let op = Provider::start();
    let (_, steps) = login_in_chromium(
        &op.issuer,
        "oauthctl-native",
        "carol",
        "openid email offline_access",
        "consent-oidc-provider.png",
    );
    assert!(
        steps.contains("login page: typed credentials for carol"),
        "{steps}"
    );
    assert!(steps.contains("consent page"), "{steps}");
}
