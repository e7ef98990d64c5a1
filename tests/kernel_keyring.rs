//! The kernel keyring copy of keyring-stored tokens (README, "Token storage"), against the
//! real session keyring and the real Secret Service.
//!
//! Each test runs its scenario in a child copy of this test binary started by `keyctl
//! session` (from the keyutils package): `keyctl session -` gives the child a fresh
//! session keyring of its own, which every `oauthctl` it runs shares, as in a login
//! session; `keyctl session _uid_ses.UID` gives it the user-session keyring, which is what
//! a process without a session keyring of its own gets. The Secret Service comes from the
//! environment, so the tests are `#[ignore]`d in a plain `cargo test` and run under
//! scripts/test.sh:
//!
//! ```sh
//! scripts/with-secret-service.sh cargo test --test integration kernel_keyring -- --include-ignored
//! ```
//!
//! That a token came from the copy is shown by taking the Secret Service away: the
//! session bus address of that one `oauthctl` points at a socket that does not exist, so
//! any attempt to read the keyring fails (exit 7).
#![allow(clippy::print_stderr)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::Duration;

use linux_keyutils::{KeyRing, KeyRingIdentifier, Permission};
use oauthctl::devserver::{DevConfig, DevServer};
use serde_json::Value;

use crate::support::{assert_code, home, oauthctl, stderr, stdout};

const SCOPES: &str = "openid offline_access api:read";

/// Set in the child processes.
const CHILD: &str = "OAUTHCTL_KERNEL_KEYRING_CHILD";

/// Runs the test `name` of this module in a child process under `keyctl session SESSION`.
fn run_child(name: &str, session: &str) {
    let exe = std::env::current_exe().unwrap();
    let out = Command::new("keyctl")
        .args(["session", session])
        .arg(exe)
        .args([
            "--exact",
            &format!("kernel_keyring::{name}"),
            "--ignored",
            "--nocapture",
            "--test-threads=1",
        ])
        .env(CHILD, "1")
        .output()
        .unwrap_or_else(|e| {
            panic!("cannot run keyctl ({e}): install keyutils (scripts/install-test-deps.sh)")
        });
    let (so, se) = (stdout(&out), stderr(&out));
    assert!(
        out.status.success() && so.contains("1 passed"),
        "child {name} failed:\n{so}\n{se}"
    );
}

/// Whether this is the child process; the child tests do nothing elsewhere.
fn in_child(name: &str) -> bool {
    let here = std::env::var_os(CHILD).is_some();
    if !here {
        eprintln!("{name}: not run: only meaningful in the child process its parent test starts");
    }
    here
}

/// `oauthctl` in `home` with time for a busy Secret Service to answer.
fn octl(home: &Path) -> Command {
    let mut cmd = oauthctl(home);
    cmd.env("OAUTHCTL_KEYRING_TIMEOUT", "15s");
    cmd
}

/// A session bus address where nothing listens: the Secret Service cannot be reached.
fn no_bus(home: &Path) -> String {
    format!("unix:path={}", home.join("no-such-bus").display())
}

fn run(cmd: &mut Command) -> Output {
    cmd.output().expect("run oauthctl")
}

/// `oauthctl -p PROFILE token` as an `Output`, with or without the Secret Service.
fn token_run(home: &Path, profile: &str, bus: bool) -> Output {
    let mut cmd = octl(home);
    if !bus {
        cmd.env("DBUS_SESSION_BUS_ADDRESS", no_bus(home));
    }
    run(cmd.args(["-p", profile, "token"]))
}

/// The access token `token` prints, with or without the Secret Service.
fn token(home: &Path, profile: &str, bus: bool) -> String {
    let out = token_run(home, profile, bus);
    assert_code(&out, 0);
    stdout(&out).trim().to_owned()
}

/// The access token in the store of record (the copy turned off).
fn recorded_token(home: &Path, profile: &str) -> String {
    let out = run(octl(home)
        .env("OAUTHCTL_KERNEL_KEYRING", "off")
        .args(["-p", profile, "token"]));
    assert_code(&out, 0);
    stdout(&out).trim().to_owned()
}

/// A code + PKCE login of alice into the keyring store for `profile`.
fn login(home: &Path, issuer: &str, profile: &str, scopes: &str, env: &[(&str, &str)]) {
    let mut cmd = octl(home);
    cmd.envs(env.iter().copied())
        .args(["-p", profile, "--token-store", "keyring", "login"])
        .args([
            "--issuer",
            issuer,
            "--client-id",
            "oauthctl",
            "--scope",
            scopes,
        ])
        .args(["--timeout", "30s", "--no-browser"]);
    let (ran, _) = oauthctl::demo::run_login(cmd, |url| {
        oauthctl::demo::agent::Agent::new("alice", "alice")
            .sign_in(url)
            .expect("sign in");
    })
    .expect("run login");
    assert_eq!(ran.code, Some(0), "login failed:\n{}", ran.stderr);
}

fn index(home: &Path) -> Value {
    serde_json::from_slice(&std::fs::read(home.join("index.json")).unwrap()).unwrap()
}

/// The cache key of the profile's current set.
fn cache_key(home: &Path, profile: &str) -> String {
    index(home)["profiles"][profile]["cache_key"]
        .as_str()
        .expect("an indexed profile")
        .to_owned()
}

/// The generation the index records for the set under `key`.
fn generation(home: &Path, key: &str) -> Option<String> {
    index(home)["keyring_generations"][key]
        .as_str()
        .map(str::to_owned)
}

fn description(key: &str) -> String {
    format!("oauthctl:{key}")
}

/// This process's session keyring (as the kernel resolves `@s`).
fn session() -> KeyRing {
    KeyRing::from_special_id(KeyRingIdentifier::Session, false).unwrap()
}

/// The payload of the copy of `key` in this session, if there is one.
fn copy_payload(key: &str) -> Option<Vec<u8>> {
    let k = session().search(&description(key)).ok()?;
    Some(k.read_to_vec().unwrap())
}

/// The line of `/proc/keys` for the copy of `key`, if the kernel lists one.
fn proc_keys_line(key: &str) -> Option<String> {
    let wanted = description(key);
    std::fs::read_to_string("/proc/keys")
        .unwrap()
        .lines()
        .find(|l| {
            l.split_whitespace()
                .nth(8)
                .is_some_and(|d| d.trim_end_matches(':') == wanted)
        })
        .map(str::to_owned)
}

/// Another `oauthctl ARGS` in a login session of its own (a fresh session keyring).
fn in_other_session(home: &Path, args: &[&str]) -> Output {
    let template = octl(home);
    let mut cmd = Command::new("keyctl");
    cmd.args(["session", "-", env!("CARGO_BIN_EXE_oauthctl")])
        .args(args);
    for (name, value) in template.get_envs() {
        match value {
            Some(v) => cmd.env(name, v),
            None => cmd.env_remove(name),
        };
    }
    cmd.stdin(std::process::Stdio::null());
    run(&mut cmd)
}

#[test]
#[ignore = "needs a Secret Service and keyutils: run under scripts/with-secret-service.sh with --include-ignored"]
fn kernel_keyring_token_is_served_from_the_session_copy_and_never_a_stale_one() {
    run_child("copy_child", "-");
}

/// The child half of the test above.
#[test]
#[ignore = "run by kernel_keyring_token_is_served_from_the_session_copy_and_never_a_stale_one"]
fn copy_child() {
    if !in_child("copy_child") {
        return;
    }
    let s = DevServer::start(DevConfig::default()).unwrap();
    let h = home();
    let dir = h.path();
    login(dir, s.issuer(), "default", SCOPES, &[]);
    let key = cache_key(dir, "default");

    // The login left a copy in this session's keyring, under the generation the index
    // records, private to the session's processes, with a timeout.
    let g1 = generation(dir, &key).expect("a generation");
    let payload = copy_payload(&key).expect("a copy in the session keyring");
    let head = format!("oauthctl-kernel-copy-v1\n{g1}\n");
    assert!(payload.starts_with(head.as_bytes()));
    let meta = session()
        .search(&description(&key))
        .unwrap()
        .metadata()
        .unwrap();
    let perms = meta.get_perms().bits();
    let possessor = Permission::from_bits_truncate(perms.to_be_bytes()[0]);
    let user = Permission::from_bits_truncate(perms.to_be_bytes()[1]);
    assert!(possessor.contains(Permission::READ | Permission::SEARCH));
    assert!(!possessor.contains(Permission::LINK), "{perms:08x}");
    assert_eq!(
        user.bits(),
        Permission::VIEW.bits(),
        "the owner outside the session only sees it exists"
    );
    assert_eq!(
        perms & 0xffff,
        0,
        "nothing for group and others: {perms:08x}"
    );
    let line = proc_keys_line(&key).expect("listed in /proc/keys");
    let timeout = line.split_whitespace().nth(3).unwrap();
    assert!(
        timeout != "perm" && (timeout.ends_with('m') || timeout == "1h"),
        "an expiry within the hour: {line}"
    );

    // `token` answers from the copy: with the Secret Service out of reach it still prints
    // the cached token, while with the copy turned off the same call cannot.
    let t1 = token(dir, "default", true);
    assert_eq!(token(dir, "default", false), t1);
    let out = run(octl(dir)
        .env("DBUS_SESSION_BUS_ADDRESS", no_bus(dir))
        .env("OAUTHCTL_KERNEL_KEYRING", "off")
        .arg("token"));
    assert_code(&out, 7);
    assert!(stderr(&out).contains("OS keyring"), "{}", stderr(&out));
    assert!(!stderr(&out).contains(&t1));

    // A refresh here replaces the copy.
    assert_code(&run(octl(dir).arg("refresh")), 0);
    let t2 = token(dir, "default", false);
    assert_ne!(t2, t1);
    assert_eq!(t2, recorded_token(dir, "default"));
    assert_ne!(generation(dir, &key), Some(g1));

    // A refresh by a process that does not keep copies (turned off there) leaves this
    // session's copy behind: it is never served again. Without the Secret Service `token`
    // now fails rather than print the older token; with it, `token` prints the new one
    // and copies it.
    assert_code(
        &run(octl(dir)
            .env("OAUTHCTL_KERNEL_KEYRING", "off")
            .arg("refresh")),
        0,
    );
    let out = token_run(dir, "default", false);
    assert_code(&out, 7);
    assert!(!stdout(&out).contains(&t2));
    let t3 = token(dir, "default", true);
    assert_ne!(t3, t2);
    assert_eq!(t3, recorded_token(dir, "default"));
    assert_eq!(token(dir, "default", false), t3, "copied by the read");

    // The same for a refresh in another login session (with a session keyring, and so a
    // copy, of its own).
    assert_code(&in_other_session(dir, &["refresh"]), 0);
    assert_code(&token_run(dir, "default", false), 7);
    let t4 = token(dir, "default", true);
    assert_ne!(t4, t3);
    assert_eq!(t4, recorded_token(dir, "default"));
    assert_eq!(token(dir, "default", false), t4);

    // Several profiles: a copy per token set.
    login(dir, s.issuer(), "api", "openid api:read", &[]);
    let api_key = cache_key(dir, "api");
    assert_ne!(api_key, key);
    assert!(copy_payload(&api_key).is_some());
    let api = token(dir, "api", false);
    assert_ne!(api, t4);
    assert_eq!(token(dir, "default", false), t4);

    // Logout needs the keyring itself, where the tokens are: without it, it changes
    // nothing (the copy does not stand in for the store of record).
    let out = run(octl(dir)
        .env("DBUS_SESSION_BUS_ADDRESS", no_bus(dir))
        .arg("logout"));
    assert_code(&out, 7);
    assert_eq!(token(dir, "default", false), t4);
    assert_eq!(recorded_token(dir, "default"), t4);

    // Logout removes the copy and its generation, and leaves the other profile's.
    assert_code(&run(octl(dir).arg("logout")), 0);
    assert_eq!(copy_payload(&key), None);
    assert_eq!(proc_keys_line(&key), None);
    assert_eq!(generation(dir, &key), None);
    assert_code(&token_run(dir, "default", false), 3);
    assert_eq!(token(dir, "api", false), api);
    assert_code(&run(octl(dir).args(["-p", "api", "logout"])), 0);
    assert_eq!(copy_payload(&api_key), None);
}

#[test]
#[ignore = "needs a Secret Service and keyutils: run under scripts/with-secret-service.sh with --include-ignored"]
fn kernel_keyring_without_a_session_keyring_falls_back_to_the_secret_service() {
    let uid = rustix::process::getuid().as_raw();
    run_child("no_session_child", &format!("_uid_ses.{uid}"));
}

/// The child half of the test above: its session keyring is the user-session keyring,
/// as for a process without a session keyring of its own.
#[test]
#[ignore = "run by kernel_keyring_without_a_session_keyring_falls_back_to_the_secret_service"]
fn no_session_child() {
    if !in_child("no_session_child") {
        return;
    }
    let user_session = KeyRing::from_special_id(KeyRingIdentifier::UserSession, false).unwrap();
    assert_eq!(
        session(),
        user_session,
        "run under the user-session keyring"
    );
    let s = DevServer::start(DevConfig::default()).unwrap();
    let h = home();
    let dir = h.path();
    login(dir, s.issuer(), "default", SCOPES, &[]);
    let key = cache_key(dir, "default");
    // Nothing in the keyring every session-less process of the user shares.
    assert_eq!(copy_payload(&key), None);
    assert_eq!(proc_keys_line(&key), None);
    // Everything works from the Secret Service, silently.
    let out = token_run(dir, "default", true);
    assert_code(&out, 0);
    assert!(stderr(&out).is_empty(), "{}", stderr(&out));
    assert_code(&run(octl(dir).arg("refresh")), 0);
    let t = token(dir, "default", true);
    assert_eq!(t, recorded_token(dir, "default"));
    // There is no copy to answer without it.
    assert_code(&token_run(dir, "default", false), 7);
    assert_eq!(proc_keys_line(&key), None);
    assert_code(&run(octl(dir).arg("logout")), 0);
}

#[test]
#[ignore = "needs a Secret Service and keyutils: run under scripts/with-secret-service.sh with --include-ignored"]
fn kernel_keyring_copy_is_switched_off_and_expires() {
    run_child("switch_and_ttl_child", "-");
}

/// The child half of the test above.
#[test]
#[ignore = "run by kernel_keyring_copy_is_switched_off_and_expires"]
fn switch_and_ttl_child() {
    if !in_child("switch_and_ttl_child") {
        return;
    }
    let s = DevServer::start(DevConfig::default()).unwrap();
    let h = home();
    let dir = h.path();
    // Turned off: no copy is written.
    login(
        dir,
        s.issuer(),
        "default",
        SCOPES,
        &[("OAUTHCTL_KERNEL_KEYRING", "off")],
    );
    let key = cache_key(dir, "default");
    assert_eq!(copy_payload(&key), None);
    assert!(
        generation(dir, &key).is_some(),
        "generations are kept regardless"
    );
    let out = run(octl(dir).env("OAUTHCTL_KERNEL_KEYRING", "off").arg("token"));
    assert_code(&out, 0);
    assert_eq!(copy_payload(&key), None);

    // A two-second lifetime: the kernel drops the copy by itself.
    let t = token_run_with(dir, &[("OAUTHCTL_KERNEL_KEYRING_TTL", "2s")]);
    assert!(copy_payload(&key).is_some());
    let line = proc_keys_line(&key).unwrap();
    let timeout = line.split_whitespace().nth(3).unwrap();
    assert!(timeout == "2s" || timeout == "1s", "{line}");
    assert_eq!(token(dir, "default", false), t);
    std::thread::sleep(Duration::from_millis(3200));
    assert_eq!(copy_payload(&key), None, "expired");
    assert_code(&token_run(dir, "default", false), 7);
    assert_eq!(token(dir, "default", true), t);
    assert_code(&run(octl(dir).arg("logout")), 0);
}

/// `token` with extra environment, through the Secret Service.
fn token_run_with(home: &Path, env: &[(&str, &str)]) -> String {
    let out = run(octl(home).envs(env.iter().copied()).arg("token"));
    assert_code(&out, 0);
    stdout(&out).trim().to_owned()
}

#[test]
#[ignore = "needs a Secret Service and keyutils: run under scripts/with-secret-service.sh with --include-ignored"]
fn kernel_keyring_large_sets_are_not_copied() {
    run_child("large_set_child", "-");
}

/// The child half of the test above, at the store's interface.
#[test]
#[ignore = "run by kernel_keyring_large_sets_are_not_copied"]
fn large_set_child() {
    use oauthctl::oauth::grant::Grant;
    use oauthctl::oauth::secret::{AccessToken, IdToken, RefreshToken};
    use oauthctl::oauth::token_type::TokenType;
    use oauthctl::oauth::tokens::{CacheKey, TokenSet};
    use oauthctl::paths::Paths;
    use oauthctl::store::StoreChoice;
    use oauthctl::store::select::open_store_with_timeout;

    if !in_child("large_set_child") {
        return;
    }
    let h = home();
    let paths = Paths::resolve(Some(PathBuf::from(h.path())), None, None, None);
    let (store, _) =
        open_store_with_timeout(StoreChoice::Keyring, &paths, Duration::from_secs(15)).unwrap();
    let key = CacheKey::new(
        &format!("https://kernel-keyring-test.invalid/{}", std::process::id()),
        "oauthctl-tests",
        &["openid"],
        None,
        None,
    );
    let set = |id_token_len: usize| TokenSet {
        access_token: AccessToken::new("at-kernel-test"),
        token_type: TokenType::Bearer,
        expires_at: Some(4_000_000_000),
        refresh_token: Some(RefreshToken::new("rt-kernel-test")),
        id_token: Some(IdToken::new("i".repeat(id_token_len))),
        scope: vec!["openid".into()],
        grant: Grant::AuthorizationCode,
        issuer: "https://kernel-keyring-test.invalid".into(),
        client_id: "oauthctl-tests".into(),
        obtained_at: 1,
        dpop_key: None,
        issued_token_type: None,
    };
    store.save(&key, &set(2000)).unwrap();
    assert!(copy_payload(key.as_str()).is_some());
    // 20 KiB: more than a copy may hold; the old copy goes too.
    store.save(&key, &set(20 * 1024)).unwrap();
    assert_eq!(copy_payload(key.as_str()), None);
    assert_eq!(store.load(&key).unwrap(), Some(set(20 * 1024)));
    assert_eq!(copy_payload(key.as_str()), None);
    store.delete(&key).unwrap();
    assert_eq!(store.load(&key).unwrap(), None);
}

#[test]
#[ignore = "needs a Secret Service and keyutils: run under scripts/with-secret-service.sh with --include-ignored"]
fn kernel_keyring_parallel_token_calls_with_an_expired_token_refresh_once() {
    run_child("parallel_child", "-");
}

/// The child half of the test above.
#[test]
#[ignore = "run by kernel_keyring_parallel_token_calls_with_an_expired_token_refresh_once"]
fn parallel_child() {
    if !in_child("parallel_child") {
        return;
    }
    // Single-use rotating refresh tokens with reuse detection: a refresh with a refresh
    // token from a stale copy would revoke the whole family.
    let s = DevServer::start(DevConfig::default().with_access_token_ttl(Duration::from_secs(4)))
        .unwrap();
    let h = home();
    let dir = h.path();
    login(dir, s.issuer(), "default", SCOPES, &[]);
    let key = cache_key(dir, "default");
    let first = token(dir, "default", false);
    // The copy lives no longer than the access token in it.
    std::thread::sleep(Duration::from_millis(4200));
    assert_eq!(copy_payload(&key), None);
    let children: Vec<_> = (0..12)
        .map(|_| {
            octl(dir)
                .arg("token")
                .stdout(std::process::Stdio::piped())
                .stderr(std::process::Stdio::piped())
                .spawn()
                .unwrap()
        })
        .collect();
    let outputs: Vec<_> = children
        .into_iter()
        .map(|c| c.wait_with_output().unwrap())
        .collect();
    for out in &outputs {
        assert_code(out, 0);
    }
    let renewed = stdout(&outputs[0]).trim().to_owned();
    assert_ne!(renewed, first);
    assert!(outputs.iter().all(|o| stdout(o).trim() == renewed));
    assert_eq!(
        s.hits("/token"),
        2,
        "the login's exchange and exactly one refresh"
    );
    // The renewed set is the copy now, and its refresh token is the live one.
    assert_eq!(token(dir, "default", false), renewed);
    assert_code(&run(octl(dir).arg("refresh")), 0);
    assert_code(&run(octl(dir).arg("logout")), 0);
}
