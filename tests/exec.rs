//! `oauthctl exec`: the token in the child's environment and nowhere in its arguments, exit
//! status passthrough, and a missing command.

use oauthctl::devserver::{DevConfig, DevServer};

use crate::support::login::{login_service, token};
use crate::support::{assert_code, home, run, stderr, stdout};

#[test]
fn the_token_is_in_the_environment_and_not_in_argv() {
    let s = DevServer::start(DevConfig::default()).unwrap();
    let h = home();
    login_service(h.path(), s.issuer(), "api:read");
    let at = token(h.path());
    let out = run(
        h.path(),
        &[
            "exec",
            "--",
            "sh",
            "-c",
            r#"printf %s "$OAUTHCTL_ACCESS_TOKEN""#,
        ],
    );
    assert_code(&out, 0);
    assert_eq!(stdout(&out), at);
    let out = run(
        h.path(),
        &["exec", "sh", "-c", r#"printf %s "$OAUTHCTL_TOKEN_TYPE""#],
    );
    assert_code(&out, 0);
    assert_eq!(stdout(&out), "Bearer");
    // The child's arguments are exactly the ones given.
    let out = run(
        h.path(),
        &[
            "exec",
            "--",
            "sh",
            "-c",
            r#"printf '%s|' "$0" "$@""#,
            "zero",
            "-x",
            "--y",
        ],
    );
    assert_code(&out, 0);
    assert_eq!(stdout(&out), "zero|-x|--y|");
    assert!(!stdout(&out).contains(&at) && !stderr(&out).contains(&at));
}

#[test]
fn exit_status_passes_through() {
    let s = DevServer::start(DevConfig::default()).unwrap();
    let h = home();
    login_service(h.path(), s.issuer(), "api:read");
    let out = run(h.path(), &["exec", "--", "sh", "-c", "exit 42"]);
    assert_code(&out, 42);
    assert!(stderr(&out).is_empty(), "silent: {}", stderr(&out));
    let out = run(h.path(), &["exec", "--", "sh", "-c", "kill -TERM $$"]);
    assert_code(&out, 128 + 15);
    let out = run(
        h.path(),
        &["exec", "--", "oauthctl-no-such-command-xyz", "a"],
    );
    assert_code(&out, 1);
    assert!(
        stderr(&out).contains("command not found: oauthctl-no-such-command-xyz"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn no_login_means_exit_3() {
    let h = home();
    let out = run(h.path(), &["exec", "--", "true"]);
    assert_code(&out, 3);
    assert_code(&run(h.path(), &["exec"]), 2);
}
