//! Handing a URL to the user's browser. `--browser-command CMD` first, then `$BROWSER`
//! (read here, since the `open` crate ignores it), then the platform opener. No shell is
//! ever involved: commands are split into words and the URL is one argument, so a hostile
//! URL cannot inject commands (RUSTSEC-2026-0257, CVE-2022-39327 class). The URL is checked
//! before anything is launched (security.md C21). A browser command that exits
//! unsuccessfully while the flow waits is reported, so a broken `--browser-command` or
//! `$BROWSER` does not look like a sign-in that never finishes.

use std::io;
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use url::Url;

use crate::oauth::url_policy;

/// Something that shows a URL to the user.
pub trait Browser: Send + Sync {
    /// Hands `url` off. `Ok` means "handed off", not "the user finished".
    fn open(&self, url: &str) -> io::Result<()>;

    /// Hands `url` off and, until `done` is set, watches what was launched: `failed` is
    /// called (once) when it cannot be started or exits unsuccessfully. By default, an
    /// error from [`Browser::open`] is reported.
    fn open_watched(&self, url: &str, done: &AtomicBool, failed: &dyn Fn(String)) {
        let _ = done;
        if let Err(e) = self.open(url) {
            failed(e.to_string());
        }
    }
}

/// How often a launched browser command is checked while the flow waits.
const WATCH_INTERVAL: Duration = Duration::from_millis(50);

/// How to open URLs on this system.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SystemBrowser {
    /// `--browser-command`: words, the URL appended as the last argument.
    Command(Vec<String>),
    /// `$BROWSER`: `:`-separated alternatives, each split into words, `%s` replaced by the
    /// URL (or the URL appended).
    Env(Vec<Vec<String>>),
    /// The platform opener (`xdg-open`, `open`, `start` through the `open` crate).
    Default,
    /// `--no-browser`: the URL is only printed.
    PrintOnly,
}

impl SystemBrowser {
    /// Chooses from the flags and the environment.
    pub fn choose(
        no_browser: bool,
        command: Option<&str>,
        env_browser: Option<&str>,
    ) -> Result<Self, String> {
        if no_browser {
            return Ok(Self::PrintOnly);
        }
        if let Some(cmd) = command {
            let words = shlex::split(cmd)
                .filter(|w| !w.is_empty())
                .ok_or_else(|| format!("--browser-command `{cmd}` has unbalanced quotes"))?;
            return Ok(Self::Command(words));
        }
        if let Some(b) = env_browser.filter(|b| !b.trim().is_empty()) {
            let alternatives: Vec<Vec<String>> = b
                .split(':')
                .filter_map(|alt| shlex::split(alt).filter(|w| !w.is_empty()))
                .collect();
            if !alternatives.is_empty() {
                return Ok(Self::Env(alternatives));
            }
        }
        Ok(Self::Default)
    }
}

/// Checks that `raw` is safe to hand to a browser (C21): https (http only on loopback
/// unless allowed), no userinfo, no characters a shell or `cmd.exe` would interpret.
pub fn check_url(raw: &str, insecure_http: bool) -> Result<Url, String> {
    let url = Url::parse(raw).map_err(|e| format!("not a URL: {e}"))?;
    url_policy::check_url(&url, insecure_http)?;
    // Checked on the text as given: the URL parser would percent-encode some of these.
    if let Some(c) = raw.chars().find(|c| {
        c.is_control()
            || matches!(
                c,
                ' ' | '"' | '\'' | '`' | '$' | '|' | ';' | '<' | '>' | '\\' | '^'
            )
    }) {
        return Err(format!(
            "the URL contains {c:?}, which is refused for browsers"
        ));
    }
    Ok(url)
}

/// A started browser command and its program name (for messages).
struct Launched {
    child: Child,
    program: String,
}

fn spawn(words: &[String]) -> io::Result<Launched> {
    let (program, args) = words
        .split_first()
        .ok_or_else(|| io::Error::new(io::ErrorKind::InvalidInput, "empty browser command"))?;
    let child = Command::new(program)
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .spawn()
        .map_err(|e| io::Error::new(e.kind(), format!("cannot run `{program}`: {e}")))?;
    Ok(Launched {
        child,
        program: program.clone(),
    })
}

/// Reaps `child` whenever it exits; the flow does not wait for the browser.
fn reap_later(mut child: Child) {
    std::thread::spawn(move || {
        let _ = child.wait();
    });
}

/// "`firefox` exited with status 3" (or the signal that ended it).
fn exit_failure(program: &str, status: ExitStatus) -> String {
    match status.code() {
        Some(code) => format!("`{program}` exited with status {code}"),
        None => format!("`{program}` was ended by a signal ({status})"),
    }
}

impl SystemBrowser {
    /// Starts the browser command for `url`: `--browser-command`, or the first `$BROWSER`
    /// alternative that can be started. `None` for the platform opener and `--no-browser`.
    fn launch(&self, url: &str) -> Option<io::Result<Launched>> {
        match self {
            Self::PrintOnly | Self::Default => None,
            Self::Command(words) => {
                let mut all = words.clone();
                all.push(url.to_owned());
                Some(spawn(&all))
            }
            Self::Env(alternatives) => {
                let mut last = io::Error::new(io::ErrorKind::NotFound, "no browser in $BROWSER");
                for alt in alternatives {
                    let words: Vec<String> = if alt.iter().any(|w| w.contains("%s")) {
                        alt.iter().map(|w| w.replace("%s", url)).collect()
                    } else {
                        let mut w = alt.clone();
                        w.push(url.to_owned());
                        w
                    };
                    match spawn(&words) {
                        Ok(launched) => return Some(Ok(launched)),
                        Err(e) => last = e,
                    }
                }
                Some(Err(last))
            }
        }
    }
}

impl Browser for SystemBrowser {
    fn open(&self, url: &str) -> io::Result<()> {
        match self.launch(url) {
            Some(launched) => {
                reap_later(launched?.child);
                Ok(())
            }
            None if *self == Self::Default => open::that_detached(url).map_err(|e| {
                if e.kind() == io::ErrorKind::NotFound {
                    io::Error::new(
                        e.kind(),
                        "no program to open URLs with was found (such as xdg-open or gio)",
                    )
                } else {
                    e
                }
            }),
            None => Ok(()),
        }
    }

    fn open_watched(&self, url: &str, done: &AtomicBool, failed: &dyn Fn(String)) {
        let mut launched = match self.launch(url) {
            None => {
                if let Err(e) = self.open(url) {
                    failed(e.to_string());
                }
                return;
            }
            Some(Err(e)) => return failed(e.to_string()),
            Some(Ok(launched)) => launched,
        };
        loop {
            match launched.child.try_wait() {
                Ok(Some(status)) if status.success() => return,
                Ok(Some(status)) => return failed(exit_failure(&launched.program, status)),
                Ok(None) if done.load(Ordering::SeqCst) => return reap_later(launched.child),
                Ok(None) => std::thread::sleep(WATCH_INTERVAL),
                Err(e) => {
                    reap_later(launched.child);
                    return failed(format!("cannot watch `{}`: {e}", launched.program));
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn choice_order_and_splitting() {
        assert_eq!(
            SystemBrowser::choose(true, Some("x"), Some("y")).unwrap(),
            SystemBrowser::PrintOnly
        );
        assert_eq!(
            SystemBrowser::choose(false, Some("firefox --new-window 'a b'"), Some("y")).unwrap(),
            SystemBrowser::Command(vec!["firefox".into(), "--new-window".into(), "a b".into()])
        );
        assert_eq!(
            SystemBrowser::choose(false, None, Some("w3m %s:lynx")).unwrap(),
            SystemBrowser::Env(vec![vec!["w3m".into(), "%s".into()], vec!["lynx".into()]])
        );
        assert_eq!(
            SystemBrowser::choose(false, None, Some(" ")).unwrap(),
            SystemBrowser::Default
        );
        assert!(SystemBrowser::choose(false, Some("a 'b"), None).is_err());
    }

    #[cfg(unix)]
    #[test]
    fn a_browser_command_that_fails_is_reported() {
        let failures = std::sync::Mutex::new(Vec::new());
        let report = |m: String| failures.lock().unwrap().push(m);
        let done = AtomicBool::new(false);
        let words = |cmd: &str| SystemBrowser::choose(false, Some(cmd), None).unwrap();
        words("sh -c 'exit 3'").open_watched("http://127.0.0.1:1/", &done, &report);
        words("no-such-browser-xyz").open_watched("http://127.0.0.1:1/", &done, &report);
        words("true").open_watched("http://127.0.0.1:1/", &done, &report);
        // Still running when the flow ends: handed off, not a failure.
        done.store(true, Ordering::SeqCst);
        // (`sleep 5 URL` would fail at once on the URL, racing the check.)
        words("sh -c 'sleep 5'").open_watched("http://127.0.0.1:1/", &done, &report);
        let failures = failures.into_inner().unwrap();
        assert_eq!(failures.len(), 2, "{failures:?}");
        assert_eq!(failures[0], "`sh` exited with status 3");
        assert!(
            failures[1].starts_with("cannot run `no-such-browser-xyz`"),
            "{failures:?}"
        );
        let env = SystemBrowser::choose(false, None, Some("no-such-browser-xyz:true")).unwrap();
        assert!(env.open("http://127.0.0.1:1/").is_ok());
    }

    #[test]
    fn urls_are_checked_before_launch() {
        assert!(check_url("https://as.example/authorize?a=1&b=2", false).is_ok());
        assert!(check_url("http://127.0.0.1:9400/authorize", false).is_ok());
        for bad in [
            "javascript:alert(1)",
            "file:///etc/passwd",
            "http://evil.example/authorize",
            "https://user:pw@as.example/",
            "https://as.example/a`id`",
            "https://as.example/$(id)",
        ] {
            assert!(check_url(bad, false).is_err(), "{bad}");
        }
    }
}
