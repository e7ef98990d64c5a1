//! What `doctor` checks on this computer: the file store's permissions, the OS keyring, the
//! browser a login would open, a loopback port.

use std::path::Path;

use crate::error::Result;
use crate::store::StoreChoice;
use crate::store::fsutil::{self, Exposure};
use crate::store::keyring::{CHUNK_LEN, KeyringStore, probe_timeout};

use super::{Finding, Status, error_finding, finding};
use crate::commands::Context;

/// The home, the token directory and every token file: ours, private, no symlinks.
pub(super) fn file_store(ctx: &Context<'_>) -> Vec<Finding> {
    let mut out = Vec::new();
    if let Err(e) = crate::store::check_home(&ctx.paths) {
        out.push(error_finding("files", &e.into()));
        return out;
    }
    let dir = ctx.paths.tokens_dir();
    match fsutil::check_dir_if_exists(&dir, Exposure::Secret) {
        Err(e) => {
            out.push(error_finding("files", &e.into()));
            return out;
        }
        Ok(false) => {
            out.push(finding(
                "files",
                Status::Ok,
                format!("no token files yet ({})", dir.display()),
            ));
            return out;
        }
        Ok(true) => {}
    }
    let mut files: Vec<std::path::PathBuf> = std::fs::read_dir(&dir)
        .map(|entries| {
            entries
                .flatten()
                .map(|e| e.path())
                .filter(|p| p.extension().is_some_and(|x| x == "json"))
                .collect()
        })
        .unwrap_or_default();
    files.push(ctx.paths.state_dir.join("index.json"));
    files.sort();
    let mut checked = 0;
    for path in &files {
        match check_secret_file(path) {
            Ok(true) => checked += 1,
            Ok(false) => {}
            Err(e) => out.push(error_finding("files", &e)),
        }
    }
    if out.is_empty() {
        out.push(finding(
            "files",
            Status::Ok,
            format!(
                "{} and its {checked} file(s) are private (0700/0600)",
                dir.display()
            ),
        ));
    }
    out
}

/// `Ok(false)` when the file does not exist.
fn check_secret_file(path: &Path) -> Result<bool> {
    match fsutil::read_private(path, Exposure::Secret, 1 << 20)? {
        fsutil::ReadOutcome::Missing => Ok(false),
        _ => Ok(true),
    }
}

/// The OS keyring: reachable, writable (a probe entry written, read back, deleted), and
/// keeping entries of the chunk size.
pub(super) fn keyring(choice: StoreChoice) -> Finding {
    if choice == StoreChoice::File {
        return finding("keyring", Status::Skipped, "the token store is `file`");
    }
    let store = match KeyringStore::open(probe_timeout()) {
        Ok(store) => store,
        Err(e) => {
            let (status, then) = if choice == StoreChoice::Keyring {
                (Status::Problem, "and --token-store keyring requires it")
            } else {
                (Status::Warn, "so tokens go to private files instead")
            };
            return finding("keyring", status, format!("{e}, {then}")).fix(
                "start a Secret Service in your D-Bus session (e.g. gnome-keyring-daemon), or \
                 keep tokens in files: export OAUTHCTL_TOKEN_STORE=file",
            );
        }
    };
    match store.probe_entry(CHUNK_LEN) {
        Ok(()) => finding(
            "keyring",
            Status::Ok,
            format!(
                "{} answers; a probe entry of {CHUNK_LEN} bytes was written, read back and \
                 deleted (larger token sets are split into entries of that size)",
                store.vendor()
            ),
        ),
        Err(e) => finding("keyring", Status::Problem, e.to_string())
            .fix("keep tokens in files: export OAUTHCTL_TOKEN_STORE=file"),
    }
}

/// Whether `program` can be run: a path to a file, or a name found on `PATH`.
fn runnable(program: &str) -> bool {
    let p = Path::new(program);
    if p.components().count() > 1 {
        return p.is_file();
    }
    std::env::var_os("PATH")
        .is_some_and(|path| std::env::split_paths(&path).any(|dir| dir.join(program).is_file()))
}

/// The browser a login would open, found but not run.
pub(super) fn browser() -> Finding {
    let env = std::env::var("BROWSER").ok();
    let fix = "oauthctl login --no-browser (then open the printed URL yourself), or \
               oauthctl login --flow device";
    match crate::browser::SystemBrowser::choose(false, None, env.as_deref()) {
        Ok(crate::browser::SystemBrowser::Env(alternatives)) => {
            let programs: Vec<&str> = alternatives
                .iter()
                .filter_map(|a| a.first().map(String::as_str))
                .collect();
            match programs.iter().find(|p| runnable(p)) {
                Some(p) => finding(
                    "browser",
                    Status::Ok,
                    format!("$BROWSER: a login would run `{p}`"),
                ),
                None => finding(
                    "browser",
                    Status::Problem,
                    format!(
                        "$BROWSER names {}, which cannot be found",
                        programs.join(", ")
                    ),
                )
                .fix(format!(
                    "unset BROWSER, or set it to an installed browser; or {fix}"
                )),
            }
        }
        Ok(_) => {
            let openers: &[&str] = if cfg!(target_os = "macos") {
                &["open"]
            } else if cfg!(windows) {
                return finding(
                    "browser",
                    Status::Ok,
                    "a login would use the system's default browser",
                );
            } else {
                &["xdg-open", "gio", "gnome-open", "kde-open"]
            };
            match openers.iter().find(|p| runnable(p)) {
                Some(p) => finding(
                    "browser",
                    Status::Ok,
                    format!("a login would run `{p}` (no $BROWSER)"),
                ),
                None => finding(
                    "browser",
                    Status::Warn,
                    format!(
                        "no $BROWSER and no program to open URLs ({}): a login prints the URL to \
                         open by hand",
                        openers.join(", ")
                    ),
                )
                .fix(fix),
            }
        }
        Err(e) => finding("browser", Status::Problem, e).fix(format!("fix $BROWSER; or {fix}")),
    }
}

/// A loopback port for the authorization code redirect.
pub(super) fn loopback(device_login: &str) -> Finding {
    match std::net::TcpListener::bind(("127.0.0.1", 0)) {
        Ok(l) => finding(
            "loopback",
            Status::Ok,
            format!(
                "a redirect listener can bind 127.0.0.1 (got port {})",
                l.local_addr().map_or(0, |a| a.port())
            ),
        ),
        Err(e) => finding(
            "loopback",
            Status::Problem,
            format!("cannot bind 127.0.0.1: {e}"),
        )
        .fix(device_login.to_owned()),
    }
}
