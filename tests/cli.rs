//! The CLI surface: generated files, help, configuration errors, providers.

use std::path::PathBuf;

use serde_json::Value;

use crate::support::{assert_code, home, run, stderr, stdout};

fn repo(path: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(path)
}

/// The committed completions and man page equal what the binary generates.
/// `OAUTHCTL_BLESS=1 cargo test` rewrites them.
#[test]
fn completions_and_man_page_match_the_cli() {
    let h = home();
    let targets = [
        ("bash", "completions/oauthctl.bash"),
        ("zsh", "completions/_oauthctl"),
        ("fish", "completions/oauthctl.fish"),
        ("powershell", "completions/_oauthctl.ps1"),
        ("elvish", "completions/oauthctl.elv"),
        ("man", "doc/oauthctl.1"),
    ];
    let bless = std::env::var_os("OAUTHCTL_BLESS").is_some();
    for (target, file) in targets {
        let out = run(h.path(), &["generate", target]);
        assert_code(&out, 0);
        let path = repo(file);
        if bless {
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(&path, &out.stdout).unwrap();
            continue;
        }
        let committed = std::fs::read(&path).unwrap_or_default();
        assert!(
            committed == out.stdout,
            "{file} is out of date: run `OAUTHCTL_BLESS=1 cargo test --test integration completions`"
        );
    }
    // The visible alias prints the same scripts.
    let out = run(h.path(), &["completions", "bash"]);
    assert_eq!(
        out.stdout,
        std::fs::read(repo("completions/oauthctl.bash")).unwrap()
    );
}

#[test]
fn help_lists_exit_codes_and_version_works() {
    let h = home();
    let out = run(h.path(), &["--help"]);
    assert_code(&out, 0);
    assert!(stdout(&out).contains("130  interrupted"));
    let out = run(h.path(), &["--version"]);
    assert_code(&out, 0);
    assert!(stdout(&out).starts_with("oauthctl "));
    let out = run(h.path(), &["no-such-command"]);
    assert_code(&out, 2);
}

#[test]
fn providers_lists_presets_and_configured_ones() {
    let h = home();
    std::fs::write(
        h.path().join("config.toml"),
        "[providers.corp]\nissuer = \"https://login.corp.example\"\n",
    )
    .unwrap();
    let out = run(h.path(), &["providers", "--json"]);
    assert_code(&out, 0);
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    let names: Vec<&str> = v["providers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["name"].as_str().unwrap())
        .collect();
    for want in [
        "google",
        "github",
        "microsoft",
        "gitlab",
        "facebook",
        "okta",
        "auth0",
        "keycloak",
        "local",
        "corp",
    ] {
        assert!(names.contains(&want), "{want} missing from {names:?}");
    }
    let google = &v["providers"][0];
    assert_eq!(google["details"]["params"]["access_type"], "offline");
    let out = run(h.path(), &["providers"]);
    assert_code(&out, 0);
    assert!(stdout(&out).contains("https://login.corp.example"));
}

#[test]
fn config_errors_name_file_line_and_key_and_exit_7() {
    let h = home();
    let path = h.path().join("config.toml");
    std::fs::write(
        &path,
        "[profiles.work]\nclient_id = \"x\"\ncolour = \"red\"\n",
    )
    .unwrap();
    let out = run(h.path(), &["providers"]);
    assert_code(&out, 7);
    let err = stderr(&out);
    assert!(err.contains("config.toml:3:1"), "{err}");
    assert!(err.contains("colour"), "{err}");
    assert!(err.contains("hint:"), "{err}");
    assert!(out.stdout.is_empty());

    let missing = h.path().join("nope.toml");
    let out = run(
        h.path(),
        &["--config", missing.to_str().unwrap(), "providers"],
    );
    assert_code(&out, 7);
    assert!(stderr(&out).contains("does not exist"));
}

#[test]
fn bad_flag_values_are_usage_errors() {
    let h = home();
    let out = run(h.path(), &["decode", "--leeway", "soon", "e30.e30."]);
    assert_code(&out, 2);
    assert!(stderr(&out).contains("30s"), "{}", stderr(&out));
    let out = run(h.path(), &["--token-store", "cloud", "providers"]);
    assert_code(&out, 2);
}

/// Runs `oauthctl ARGS` with stderr a pipe whose reading end is already closed, so every
/// write to stderr fails with a broken pipe.
fn with_stderr_gone(home: &std::path::Path, args: &[&str]) -> std::process::Output {
    let (reader, writer) = std::io::pipe().unwrap();
    drop(reader);
    crate::support::oauthctl(home)
        .args(args)
        .stderr(writer)
        .output()
        .unwrap()
}

#[test]
fn a_closed_stderr_keeps_each_commands_exit_code() {
    // A failed write to stderr used to panic ("failed printing to
    // stderr") and exit 101 whatever the command's own outcome.
    let h = home();
    let out = with_stderr_gone(h.path(), &["token"]);
    assert_eq!(out.status.code(), Some(3), "login required");
    assert!(out.stdout.is_empty());
    let out = with_stderr_gone(h.path(), &["--config", "/nonexistent/c.toml", "providers"]);
    assert_eq!(out.status.code(), Some(7), "configuration error");
    let out = with_stderr_gone(h.path(), &["decode", "not-a-jwt"]);
    assert_eq!(out.status.code(), Some(6), "not a token");
    // A warning before the error takes the same path: a corrupt index is ignored with one.
    let warned = home();
    std::fs::write(warned.path().join("index.json"), "{").unwrap();
    let out = run(warned.path(), &["token"]);
    assert_code(&out, 3);
    assert!(stderr(&out).contains("warning: ignoring the token index"));
    let out = with_stderr_gone(warned.path(), &["token"]);
    assert_eq!(out.status.code(), Some(3));
    // Success stays success, and stdout is unaffected.
    let out = with_stderr_gone(h.path(), &["providers", "--json"]);
    assert_eq!(out.status.code(), Some(0));
    assert!(serde_json::from_slice::<Value>(&out.stdout).is_ok());
}
