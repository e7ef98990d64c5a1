//! Cached logins for tests: a user login through the real authorization code flow, with the
//! test playing the browser over plain HTTP on the dev server's login and consent pages, and
//! a client-credentials login.

use std::io::{BufRead, BufReader, Read};
use std::path::Path;
use std::process::Stdio;
use std::time::Duration;

use super::{Answer, assert_code, hidden, http, oauthctl, run};

const PREFIX: &str = "Open this URL to sign in: ";

/// Logs `user` (password = user name, as the dev server's defaults have it) in to `issuer`
/// with the public `oauthctl` client and `scopes`, caching the tokens in `home`. Extra
/// arguments (`--provider x`, `-p name`) go before `login`.
pub fn login_as(home: &Path, issuer: &str, user: &str, scopes: &str) {
    login_as_with(home, &[], issuer, user, scopes);
}

/// [`login_as`] with global arguments (e.g. `["--provider", "x"]`).
pub fn login_as_with(home: &Path, global: &[&str], issuer: &str, user: &str, scopes: &str) {
    let mut child = oauthctl(home)
        .args(global)
        .args(["login", "--issuer", issuer, "--client-id", "oauthctl"])
        .args(["--no-browser", "--timeout", "30s", "--scope", scopes])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn login");
    let mut stderr = BufReader::new(child.stderr.take().expect("stderr"));
    let mut seen = String::new();
    let url = loop {
        let mut line = String::new();
        assert!(
            stderr.read_line(&mut line).expect("read stderr") > 0,
            "login ended before printing the URL:\n{seen}"
        );
        seen.push_str(&line);
        if let Some(rest) = line.trim_end().strip_prefix(PREFIX) {
            break rest.to_owned();
        }
    };
    // Keep draining stderr so the child never blocks on a full pipe.
    let rest = std::thread::spawn(move || {
        let mut s = String::new();
        let _ = stderr.read_to_string(&mut s);
        s
    });
    sign_in(&url, user);
    let out = child.wait_with_output().expect("wait for login");
    let tail = rest.join().unwrap_or_default();
    assert_eq!(out.status.code(), Some(0), "login failed:\n{seen}{tail}");
}

/// Plays the browser: the login form, the consent form, then the redirect to the loopback.
fn sign_in(authorize_url: &str, user: &str) {
    let page = Answer::from(http().get(authorize_url).send().expect("authorize page"));
    assert_eq!(page.status, 200, "{}", page.text);
    let cookie = page
        .header("set-cookie")
        .expect("session cookie")
        .split(';')
        .next()
        .unwrap()
        .to_owned();
    let base = url::Url::parse(authorize_url)
        .unwrap()
        .origin()
        .ascii_serialization();
    let txn = hidden(&page.text, "txn");
    let consent = Answer::from(
        http()
            .post(format!("{base}/authorize/login"))
            .header("Cookie", &cookie)
            .form(&[
                ("txn", txn.as_str()),
                ("csrf", hidden(&page.text, "csrf").as_str()),
                ("username", user),
                ("password", user),
            ])
            .send()
            .expect("login form"),
    );
    assert_eq!(consent.status, 200, "{}", consent.text);
    let back = Answer::from(
        http()
            .post(format!("{base}/authorize/consent"))
            .header("Cookie", &cookie)
            .form(&[
                ("txn", txn.as_str()),
                ("csrf", hidden(&consent.text, "csrf").as_str()),
                ("decision", "approve"),
            ])
            .send()
            .expect("consent form"),
    );
    assert_eq!(back.status, 303, "{}", back.text);
    let callback = back.header("location").expect("redirect").to_owned();
    let done = Answer::from(
        http()
            .get(&callback)
            .timeout(Duration::from_secs(10))
            .send()
            .expect("loopback callback"),
    );
    assert_eq!(done.status, 200, "{}", done.text);
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
