//! Every command a hint suggests works as printed: it repeats the profile and provider flags
//! the user gave (issue #12, item 24).

use std::path::Path;
use std::process::Output;

use oauthctl::devserver::{DevConfig, DevServer};
use serde_json::Value;

use crate::support::{assert_code, cached_expiry, home, in_process, oauthctl, post, run, stderr};

/// The command in backticks on the `hint:` line.
#[track_caller]
fn suggested(out: &Output) -> String {
    suggested_in(&stderr(out))
}

/// The command in backticks on the `hint:` line of `err`.
#[track_caller]
fn suggested_in(err: &str) -> String {
    let hint = err
        .lines()
        .find_map(|l| l.strip_prefix("hint: "))
        .unwrap_or_else(|| panic!("no hint in\n{err}"));
    let start = hint
        .find('`')
        .unwrap_or_else(|| panic!("no command in {hint}"))
        + 1;
    let end = hint[start..].find('`').unwrap() + start;
    hint[start..end].to_owned()
}

/// The words of a printed command line, without the leading `oauthctl`.
fn words(line: &str) -> Vec<String> {
    let mut w = shlex::split(line).unwrap();
    assert_eq!(w.remove(0), "oauthctl", "{line}");
    w
}

/// Runs a printed command line.
fn run_printed(home: &Path, line: &str) -> Output {
    oauthctl(home).args(words(line)).output().unwrap()
}

#[test]
fn suggested_commands_keep_the_provider_argument_and_work_as_printed() {
    let s = DevServer::start(DevConfig::default()).unwrap();
    let provider = format!("local@{}", s.local_addr().port());
    let h = home();

    // No login yet: the login to run is for this provider, not for a profile of that name.
    let out = run(h.path(), &["--provider", &provider, "token"]);
    assert_code(&out, 3);
    let login = suggested(&out);
    assert_eq!(login, format!("oauthctl --provider {provider} login"));
    // Run it exactly as printed, with the test playing the browser.
    let mut cmd = oauthctl(h.path());
    cmd.args(words(&login))
        .args(["--no-browser", "--timeout", "30s"]);
    let (ran, _) = oauthctl::demo::run_login(cmd, |url| {
        oauthctl::demo::agent::Agent::new("alice", "alice")
            .sign_in(url)
            .unwrap();
    })
    .unwrap();
    assert_eq!(ran.code, Some(0), "{}", ran.stderr);
    assert_code(&run(h.path(), &["--provider", &provider, "token"]), 0);

    // An expired token with --no-refresh (in process, a second after it expires): the next
    // step is a refresh, not a login.
    let expired = cached_expiry(h.path(), &["--provider", &provider]) + 1;
    let (code, err) = in_process(
        h.path(),
        expired,
        &["--provider", &provider, "token", "--no-refresh"],
    )
    .failure();
    assert_eq!(code, 3, "{err}");
    let refresh = suggested_in(&err);
    assert_eq!(refresh, format!("oauthctl --provider {provider} refresh"));
    assert_code(&run_printed(h.path(), &refresh), 0);
    assert_code(
        &run(
            h.path(),
            &["--provider", &provider, "token", "--no-refresh"],
        ),
        0,
    );

    // A refresh token rejected deep in the refresh protocol: the login hint carries the
    // provider too.
    let out = run(
        h.path(),
        &[
            "--provider",
            &provider,
            "token",
            "--format",
            "json",
            "--include-refresh-token",
            "--no-refresh",
        ],
    );
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    let rt = v["refresh_token"].as_str().unwrap();
    let r = post(
        &format!("{}/revoke", s.issuer()),
        &[("token", rt), ("client_id", "oauthctl")],
    );
    assert_eq!(r.status, 200);
    let out = run(h.path(), &["--provider", &provider, "refresh"]);
    assert_code(&out, 3);
    assert_eq!(
        suggested(&out),
        format!("oauthctl --provider {provider} login")
    );
    assert!(!stderr(&out).contains(rt));
}

#[test]
fn suggested_commands_keep_the_profile_and_config_flags() {
    let h = home();
    let config = h.path().join("other config.toml");
    std::fs::write(
        &config,
        "[profiles.work]\nissuer = \"https://as.example\"\nclient_id = \"cli\"\n",
    )
    .unwrap();
    let config = config.to_str().unwrap();
    let out = run(h.path(), &["--config", config, "-p", "work", "token"]);
    assert_code(&out, 3);
    let login = suggested(&out);
    assert_eq!(words(&login), ["--config", config, "-p", "work", "login"]);
    // The configured profile says where to sign in: no "the first time" advice.
    assert!(!stderr(&out).contains("first time"), "{}", stderr(&out));
    // With nothing known, the hint says what a first login needs.
    let out = run(h.path(), &["-p", "new", "token"]);
    assert_code(&out, 3);
    assert_eq!(suggested(&out), "oauthctl -p new login");
    assert!(stderr(&out).contains("--issuer URL --client-id ID"));
    // A secret given on the command line is never repeated in a hint.
    let out = run(
        h.path(),
        &["-p", "new", "--client-secret", "s3cret-value", "token"],
    );
    assert_code(&out, 3);
    assert!(!stderr(&out).contains("s3cret-value"), "{}", stderr(&out));
}
