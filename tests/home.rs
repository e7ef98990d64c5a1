//! What oauthctl trusts in its home: `OAUTHCTL_HOME`, the discovery/JWKS
//! cache and the configuration file follow the token files' rule: owned by the current
//! user, not writable by group or others, no symbolic links. Anything else is refused with
//! exit 7 and a `chmod`/`chown` hint, before anything in it is used.

use std::os::unix::fs::{PermissionsExt as _, symlink};
use std::path::{Path, PathBuf};
use std::process::Output;

use oauthctl::devserver::{DevConfig, DevServer};

use crate::support::{assert_code, home, oauthctl, run, stderr, stdout};

/// Another local user (tests run as root in CI, and root can hand files to anyone).
const OTHER_UID: u32 = 4321;

fn is_root() -> bool {
    rustix::process::geteuid().is_root()
}

fn set_mode(path: &Path, mode: u32) {
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).unwrap();
}

fn give_away(path: &Path) {
    std::os::unix::fs::chown(path, Some(OTHER_UID), Some(OTHER_UID)).unwrap();
}

/// A client-credentials login as the dev server's `demo-service` (uses discovery, the
/// cache, the token store and the index).
fn service_login(home: &Path, issuer: &str) -> Output {
    oauthctl(home)
        .args(["login", "--flow", "client-credentials", "--issuer", issuer])
        .args(["--client-id", "demo-service", "--client-secret-env", "S"])
        .env("S", "demo-secret")
        .output()
        .unwrap()
}

/// Exit 7, the reason and the hint in stderr, nothing on stdout.
#[track_caller]
fn refused(out: &Output, reason: &str, hint: &str) {
    assert_code(out, 7);
    let err = stderr(out);
    assert!(err.contains(reason), "expected {reason:?} in\n{err}");
    let hint_line = err
        .lines()
        .find(|l| l.starts_with("hint: "))
        .unwrap_or_default();
    assert!(hint_line.contains(hint), "expected hint {hint:?} in\n{err}");
    assert!(out.stdout.is_empty(), "{}", stdout(out));
}

/// The cached discovery document of the dev server (after one login).
fn cached_metadata(home: &Path) -> PathBuf {
    std::fs::read_dir(home.join("cache/discovery"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| {
            p.file_name()
                .unwrap()
                .to_string_lossy()
                .starts_with("meta-")
        })
        .expect("a cached discovery document")
}

#[test]
fn a_home_others_can_write_is_refused_before_anything_is_used() {
    let s = DevServer::start(DevConfig::default()).unwrap();
    for mode in [0o777, 0o775, 0o1777] {
        let h = home();
        set_mode(h.path(), mode);
        let hint = format!("chmod go-w {}", h.path().display());
        let reason = format!("it is writable by group or others (mode {mode:04o})");
        for args in [&["token"][..], &["status"], &["providers"]] {
            refused(&run(h.path(), args), &reason, &hint);
        }
        refused(&service_login(h.path(), s.issuer()), &reason, &hint);
        assert_eq!(s.hits("/token"), 0);
        let left: Vec<_> = std::fs::read_dir(h.path()).unwrap().collect();
        assert!(left.is_empty(), "nothing is created in it: {left:?}");
    }
    // Readable by others is fine (the token directory inside stays 0700).
    let h = home();
    set_mode(h.path(), 0o755);
    assert_code(&service_login(h.path(), s.issuer()), 0);
    assert_code(&run(h.path(), &["token"]), 0);
}

#[test]
fn a_home_owned_by_another_user_is_refused() {
    let s = DevServer::start(DevConfig::default()).unwrap();
    let h = home();
    let (path, owner) = if is_root() {
        // The case: another user's world-writable directory, and a private one.
        give_away(h.path());
        (h.path().to_path_buf(), OTHER_UID)
    } else {
        // Without root, the root directory is a home owned by someone else.
        (PathBuf::from("/"), 0)
    };
    let me = rustix::process::geteuid().as_raw();
    for mode in [0o777, 0o700] {
        if is_root() {
            set_mode(&path, mode);
        }
        let reason = format!("it is owned by uid {owner}, not by you (uid {me})");
        let hint = format!("sudo chown -R {me} {}", path.display());
        for args in [&["token"][..], &["status"]] {
            refused(&run(&path, args), &reason, &hint);
        }
        refused(&service_login(&path, s.issuer()), &reason, &hint);
    }
    assert_eq!(s.hits("/token"), 0);
}

#[test]
fn a_symlinked_home_is_refused() {
    let h = home();
    let real = h.path().join("real");
    std::fs::create_dir(&real).unwrap();
    set_mode(&real, 0o700);
    let link = h.path().join("link");
    symlink(&real, &link).unwrap();
    let out = run(&link, &["token"]);
    refused(&out, "it is a symbolic link", "replace the link");
}

#[test]
fn a_planted_discovery_document_is_never_used() {
    // The attack: another user plants (or rewrites) the cached discovery document so that
    // the next login sends the code, the PKCE verifier or the client secret to their token
    // endpoint. Here that endpoint is a second server that counts its requests.
    let s = DevServer::start(DevConfig::default()).unwrap();
    let decoy = DevServer::start(DevConfig::default()).unwrap();
    let h = home();
    assert_code(&service_login(h.path(), s.issuer()), 0);
    let doc = cached_metadata(h.path());
    let text = std::fs::read_to_string(&doc).unwrap();
    let planted = text.replace(
        &format!("{}/token", s.issuer()),
        &format!("{}/token", decoy.issuer()),
    );
    assert_ne!(planted, text);
    std::fs::write(&doc, planted).unwrap();
    // Writable by others: refused.
    set_mode(&doc, 0o666);
    refused(
        &service_login(h.path(), s.issuer()),
        "writable by group or others (mode 0666)",
        &format!("chmod go-w {}", doc.display()),
    );
    // A symbolic link to it: refused.
    let aside = h.path().join("aside.json");
    std::fs::rename(&doc, &aside).unwrap();
    set_mode(&aside, 0o600);
    symlink(&aside, &doc).unwrap();
    refused(
        &service_login(h.path(), s.issuer()),
        "symbolic link",
        "replace the link",
    );
    std::fs::remove_file(&doc).unwrap();
    std::fs::rename(&aside, &doc).unwrap();
    // Owned by someone else: refused (root can hand it over; others cannot test this).
    if is_root() {
        give_away(&doc);
        refused(
            &service_login(h.path(), s.issuer()),
            &format!("owned by uid {OTHER_UID}"),
            "sudo chown -R",
        );
        // And a cache directory owned by someone else, with a fresh document of theirs.
        std::fs::remove_file(&doc).unwrap();
        give_away(&h.path().join("cache/discovery"));
        refused(
            &service_login(h.path(), s.issuer()),
            &format!("owned by uid {OTHER_UID}"),
            "sudo chown -R",
        );
    }
    assert_eq!(decoy.hits("/token"), 0, "the planted endpoint saw nothing");
    assert_eq!(s.hits("/token"), 1);
}

#[test]
fn a_config_file_others_can_write_is_refused_and_a_readable_one_is_fine() {
    // Like ssh with ~/.ssh/config: group/world-writable or foreign-owned is refused, a
    // world-readable one is fine (it holds no secret). The same for `--config FILE`.
    let h = home();
    let default = h.path().join("config.toml");
    let explicit = h.path().join("elsewhere.toml");
    for path in [&default, &explicit] {
        std::fs::write(
            path,
            "[providers.corp]\nissuer = \"https://login.corp.example\"\n",
        )
        .unwrap();
    }
    let providers = |config: &Path| {
        let mut args = vec!["providers"];
        if config == explicit {
            args.splice(0..0, ["--config", explicit.to_str().unwrap()]);
        }
        run(h.path(), &args)
    };
    for path in [&default, &explicit] {
        set_mode(path, 0o644);
        let out = providers(path);
        assert_code(&out, 0);
        assert!(stdout(&out).contains("login.corp.example"));
        for mode in [0o666, 0o620, 0o602] {
            set_mode(path, mode);
            refused(
                &providers(path),
                &format!("writable by group or others (mode {mode:04o})"),
                &format!("chmod go-w {}", path.display()),
            );
        }
        set_mode(path, 0o600);
        if is_root() {
            give_away(path);
            refused(
                &providers(path),
                &format!("owned by uid {OTHER_UID}"),
                &format!("sudo chown -R 0 {}", path.display()),
            );
            std::os::unix::fs::chown(path, Some(0), Some(0)).unwrap();
        }
        let target = h
            .path()
            .join(format!("target-{}", path.file_name().unwrap().display()));
        std::fs::rename(path, &target).unwrap();
        symlink(&target, path).unwrap();
        refused(&providers(path), "symbolic link", "replace the link");
    }
}
