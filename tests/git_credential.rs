//! `git-credential`: the real git asks oauthctl for credentials (`git credential fill`,
//! `git clone` over smart HTTP from a server that wants the profile's access token), hosts
//! map to profiles by configuration, and `erase` renews a token the server refused.

use std::path::Path;
use std::process::{Command, Output};

use oauthctl::devserver::{DevConfig, DevServer};

use crate::kubectl::client_credentials_login;
use crate::support::git_http::GitHttp;
use crate::support::{assert_code, feed, home, oauthctl, stderr, stdout};

/// `git ARGS` isolated from the user's configuration, with oauthctl as its only credential
/// helper (unless `helper` is false) and the test's home.
fn git(home: &Path, helper: bool) -> Command {
    let template = oauthctl(home);
    let mut cmd = Command::new("git");
    for (name, value) in template.get_envs() {
        match value {
            Some(v) => cmd.env(name, v),
            None => cmd.env_remove(name),
        };
    }
    cmd.env("HOME", home)
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("GIT_TERMINAL_PROMPT", "0")
        .env("GIT_ASKPASS", "")
        .env("SSH_ASKPASS", "")
        .env("DEMO_SECRET", "demo-secret")
        .args(["-c", "credential.helper="]);
    if helper {
        cmd.args([
            "-c",
            &format!(
                "credential.helper=!{} git-credential",
                env!("CARGO_BIN_EXE_oauthctl")
            ),
        ]);
    }
    cmd
}

fn ok(out: &Output) {
    assert!(
        out.status.success(),
        "git failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// A bare repository `repo.git` under `root` with one commit holding `README`.
fn bare_repo(root: &Path, home: &Path) {
    let work = root.join("work");
    ok(&git(home, false)
        .args(["init", "-q", "-b", "main"])
        .arg(&work)
        .output()
        .unwrap());
    std::fs::write(work.join("README"), "hello from the test server\n").unwrap();
    let in_work = |args: &[&str]| {
        git(home, false)
            .arg("-C")
            .arg(&work)
            .args(["-c", "user.name=Test", "-c", "user.email=test@example.com"])
            .args(args)
            .output()
            .unwrap()
    };
    ok(&in_work(&["add", "README"]));
    ok(&in_work(&["commit", "-q", "-m", "first"]));
    ok(&git(home, false)
        .args(["clone", "-q", "--bare"])
        .arg(&work)
        .arg(root.join("repo.git"))
        .output()
        .unwrap());
}

/// A home whose config maps `host` to profile `git` (the dev server's confidential client),
/// logged in.
fn logged_in(server: &DevServer, git_hosts: &str) -> tempfile::TempDir {
    let h = home();
    std::fs::write(
        h.path().join("config.toml"),
        format!(
            "[profiles.git]\nissuer = \"{}\"\nclient_id = \"demo-service\"\n\
             client_secret_env = \"DEMO_SECRET\"\ngit_hosts = [{git_hosts}]\n",
            server.issuer()
        ),
    )
    .unwrap();
    client_credentials_login(h.path(), server.issuer(), "git");
    h
}

fn token(home: &Path) -> String {
    let out = oauthctl(home)
        .args(["-p", "git", "token"])
        .output()
        .unwrap();
    assert_code(&out, 0);
    stdout(&out).trim().to_owned()
}

/// `key=value` lines of a credential answer.
fn answer(text: &str, key: &str) -> Option<String> {
    text.lines()
        .find_map(|l| l.strip_prefix(&format!("{key}=")).map(str::to_owned))
}

#[test]
fn git_clones_with_the_profiles_token() {
    let server = DevServer::start(DevConfig::default()).unwrap();
    let root = tempfile::tempdir().unwrap();
    let probe = home();
    bare_repo(root.path(), probe.path());
    let git_server = GitHttp::start(root.path(), "not yet");
    let host = format!("127.0.0.1:{}", git_server.port);
    let h = logged_in(&server, &format!("\"{host}\""));
    let at = token(h.path());
    git_server.set_password(&at);

    // git credential fill asks oauthctl.
    let out = feed(
        git(h.path(), true).args(["credential", "fill"]),
        format!("protocol=http\nhost={host}\n\n"),
    );
    ok(&out);
    let text = stdout(&out);
    assert_eq!(
        answer(&text, "username").as_deref(),
        Some("oauth2"),
        "{text}"
    );
    assert_eq!(answer(&text, "password").as_deref(), Some(at.as_str()));
    let expiry: i64 = answer(&text, "password_expiry_utc")
        .unwrap()
        .parse()
        .unwrap();
    assert!(expiry > crate::support::now());

    // A clone over smart HTTP from the server that wants the token.
    let dest = h.path().join("clone");
    let out = git(h.path(), true)
        .args(["clone", "-q", &git_server.url("repo.git")])
        .arg(&dest)
        .output()
        .unwrap();
    ok(&out);
    assert_eq!(
        std::fs::read_to_string(dest.join("README")).unwrap(),
        "hello from the test server\n"
    );
    let seen = git_server.seen();
    assert!(
        seen.iter()
            .any(|(path, accepted)| path.ends_with("/info/refs") && *accepted),
        "{seen:?}"
    );
    assert!(
        seen.iter()
            .any(|(path, accepted)| path.ends_with("/git-upload-pack") && *accepted),
        "{seen:?}"
    );

    // Without the helper the same clone is refused.
    let out = git(h.path(), false)
        .args(["clone", "-q", &git_server.url("repo.git")])
        .arg(h.path().join("refused"))
        .output()
        .unwrap();
    assert!(!out.status.success());
}

#[test]
fn a_refused_token_is_renewed_for_the_next_attempt() {
    let server = DevServer::start(DevConfig::default()).unwrap();
    let root = tempfile::tempdir().unwrap();
    let probe = home();
    bare_repo(root.path(), probe.path());
    let git_server = GitHttp::start(root.path(), "a token the server no longer knows");
    let host = format!("127.0.0.1:{}", git_server.port);
    let h = logged_in(&server, &format!("\"{host}/repo.git\""));
    let first = token(h.path());
    // The server refuses the cached token: git reports it with `erase`, and fails.
    let out = git(h.path(), true)
        .args([
            "-c",
            "credential.useHttpPath=true",
            "clone",
            "-q",
            &git_server.url("repo.git"),
        ])
        .arg(h.path().join("first"))
        .output()
        .unwrap();
    assert!(!out.status.success());
    // oauthctl renewed the token at `erase` (a new client-credentials grant): a server that
    // now knows the new one lets the next clone through without any login.
    let second = token(h.path());
    assert_ne!(first, second, "erase renews the refused token");
    git_server.set_password(&second);
    let out = git(h.path(), true)
        .args([
            "-c",
            "credential.useHttpPath=true",
            "clone",
            "-q",
            &git_server.url("repo.git"),
        ])
        .arg(h.path().join("second"))
        .output()
        .unwrap();
    ok(&out);
    // An erase for a password that is not the cached token changes nothing.
    let out = feed(
        oauthctl(h.path()).args(["git-credential", "erase"]),
        format!("protocol=http\nhost={host}\npath=repo.git\nusername=oauth2\npassword=other\n\n"),
    );
    assert_code(&out, 0);
    assert_eq!(token(h.path()), second);
    // `store` keeps nothing and says nothing.
    let out = feed(
        oauthctl(h.path()).args(["git-credential", "store"]),
        format!("protocol=http\nhost={host}\nusername=oauth2\npassword={second}\n\n"),
    );
    assert_code(&out, 0);
    assert!(out.stdout.is_empty() && out.stderr.is_empty());
}

#[test]
fn hosts_map_to_profiles_and_nothing_else_gets_a_token() {
    let server = DevServer::start(DevConfig::default()).unwrap();
    let h = logged_in(&server, "\"git.example\", \"code.example/team-a\"");
    let at = token(h.path());
    let get = |global: &[&str], request: &str| {
        let out = feed(
            oauthctl(h.path())
                .args(global)
                .args(["git-credential", "get"]),
            request,
        );
        (out.status.code(), stdout(&out), stderr(&out))
    };
    // A mapped host, and a mapped path prefix (git sends the path with useHttpPath).
    for request in [
        "protocol=https\nhost=git.example\n\n",
        "protocol=https\nhost=GIT.example\npath=org/repo.git\n\n",
        "protocol=https\nhost=code.example\npath=team-a/app.git\n\n",
    ] {
        let (code, out, err) = get(&[], request);
        assert_eq!(code, Some(0), "{err}");
        assert_eq!(
            answer(&out, "password").as_deref(),
            Some(at.as_str()),
            "{request}"
        );
    }
    // Other hosts, other paths, no path: no answer at all, so git asks its next helper.
    for request in [
        "protocol=https\nhost=evil.example\n\n",
        "protocol=https\nhost=code.example\npath=team-b/app.git\n\n",
        "protocol=https\nhost=code.example\n\n",
        "protocol=https\nhost=git.example:8443\n\n",
    ] {
        let (code, out, _) = get(&[], request);
        assert_eq!((code, out.as_str()), (Some(0), ""), "{request}");
    }
    // A profile named on the helper line is still bound by its git_hosts.
    let (code, out, _) = get(&["-p", "git"], "protocol=https\nhost=evil.example\n\n");
    assert_eq!((code, out.as_str()), (Some(0), ""));
    // Plain http to a host that is not loopback never carries the token.
    let (code, out, err) = get(&["-p", "git"], "protocol=http\nhost=git.example\n\n");
    assert_eq!(code, Some(7), "{err}");
    assert!(out.is_empty());
    assert!(
        err.contains("not sending profile `git`'s access token"),
        "{err}"
    );
    assert!(!err.contains(&at));
    // A mapped host without a login: exit 3 and the login command.
    let other = home();
    std::fs::write(
        other.path().join("config.toml"),
        "[profiles.work]\nissuer = \"https://login.example\"\nclient_id = \"c\"\ngit_hosts = [\"git.example\"]\n",
    )
    .unwrap();
    let out = feed(
        oauthctl(other.path()).args(["git-credential", "get"]),
        "protocol=https\nhost=git.example\n\n",
    );
    assert_code(&out, 3);
    assert!(
        stderr(&out).contains("oauthctl -p work login"),
        "{}",
        stderr(&out)
    );
    // Garbage from git.
    let out = feed(
        oauthctl(h.path()).args(["git-credential", "get"]),
        "nonsense\n\n",
    );
    assert_code(&out, 2);
}
