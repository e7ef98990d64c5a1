//! Shared helpers: an environment-isolated `oauthctl` command and a canned-response HTTP
//! server on 127.0.0.1 for the error paths real servers do not produce.
#![allow(dead_code)]

pub mod stub;

use std::path::Path;
use std::process::{Command, Output};

/// `oauthctl` with a private `OAUTHCTL_HOME`, the file token store, no colour and no
/// inherited `OAUTHCTL_*`, `BROWSER` or proxy settings.
pub fn oauthctl(home: &Path) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_oauthctl"));
    for (name, _) in std::env::vars_os() {
        let name = name.to_string_lossy().into_owned();
        if name.starts_with("OAUTHCTL_") || name.to_ascii_lowercase().ends_with("_proxy") {
            cmd.env_remove(&name);
        }
    }
    cmd.env("OAUTHCTL_HOME", home)
        .env("OAUTHCTL_TOKEN_STORE", "file")
        .env("NO_COLOR", "1")
        .env("XDG_CONFIG_HOME", home.join("xdg-config"))
        .env("XDG_STATE_HOME", home.join("xdg-state"))
        .env("XDG_CACHE_HOME", home.join("xdg-cache"))
        .env_remove("BROWSER")
        .stdin(std::process::Stdio::null());
    cmd
}

/// Runs `oauthctl ARGS` in `home` and returns its output.
pub fn run(home: &Path, args: &[&str]) -> Output {
    oauthctl(home).args(args).output().expect("run oauthctl")
}

/// stdout as text.
pub fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// stderr as text.
pub fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// Asserts the exit code, showing stderr on failure.
#[track_caller]
pub fn assert_code(out: &Output, code: i32) {
    assert_eq!(
        out.status.code(),
        Some(code),
        "expected exit {code}\n--- stdout\n{}\n--- stderr\n{}",
        stdout(out),
        stderr(out)
    );
}

/// A fresh temporary home.
pub fn home() -> tempfile::TempDir {
    tempfile::tempdir().expect("tempdir")
}
