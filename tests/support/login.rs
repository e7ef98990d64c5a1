//! Cached logins for tests: a user login through the real authorization code flow, with the
//! test playing the browser over plain HTTP on the dev server's login and consent pages, and
//! a client-credentials login.

use std::path::Path;

use super::{LoginRun, assert_code, login_with, oauthctl, run};

/// Logs `user` (password = user name, as the dev server's defaults have it) in to `issuer`
/// with the public `oauthctl` client and `scopes`, caching the tokens in `home`; the
/// built-in agent plays the browser on the real login and consent pages.
pub fn login_as(home: &Path, issuer: &str, user: &str, scopes: &str) -> LoginRun {
    login_as_with(home, &[], issuer, user, scopes)
}

/// [`login_as`] with global arguments (e.g. `["--provider", "x"]`).
pub fn login_as_with(
    home: &Path,
    global: &[&str],
    issuer: &str,
    user: &str,
    scopes: &str,
) -> LoginRun {
    let mut args = global.to_vec();
    args.extend([
        "--issuer",
        issuer,
        "--client-id",
        "oauthctl",
        "--scope",
        scopes,
        "--timeout",
        "30s",
    ]);
    let run = login_with(home, &args, |url| {
        oauthctl::demo::agent::Agent::new(user, user)
            .sign_in(url)
            .expect("sign in");
    });
    assert!(run.success(), "login failed:\n{}", run.stderr);
    run
}

/// A client-credentials login as the dev server's `demo-service`, its secret in a file in
/// `home` (which later refreshes read again).
pub fn login_service(home: &Path, issuer: &str, scopes: &str) {
    let secret = secret_file(home, "demo-secret");
    let out = oauthctl(home)
        .args(["login", "--flow", "client-credentials", "--issuer", issuer])
        .args(["--client-id", "demo-service", "--client-secret-file"])
        .arg(&secret)
        .args(["--scope", scopes])
        .output()
        .expect("run login");
    assert_code(&out, 0);
}

/// Writes `secret` to a file in `home` and returns its path.
pub fn secret_file(home: &Path, secret: &str) -> std::path::PathBuf {
    let path = home.join(format!("secret-{}", secret.len()));
    std::fs::write(&path, format!("{secret}\n")).expect("write secret");
    path
}

/// The profile's access token, as `oauthctl token` prints it.
pub fn token(home: &Path) -> String {
    let out = run(home, &["token"]);
    assert_code(&out, 0);
    super::stdout(&out).trim().to_owned()
}
