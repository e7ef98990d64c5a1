//! `doctor`: checks what a login and the token cache depend on, and says for each problem
//! the command that fixes it. Checks: the configuration file and the profile's settings,
//! the home and the file store's permissions, the OS keyring (reachable, writable, entry
//! size), the browser a login would open (without opening it), a loopback port for the
//! redirect, and, when the profile names an issuer, its metadata (issuer match, PKCE S256,
//! DPoP and PAR, https endpoints), the clock against the server's `Date`, and the TLS chain
//! of the issuer or of URL.
//!
//! Findings are reported, not raised: the command exits 0 when nothing is wrong and 9
//! ([`Error::Unhealthy`]) when something is; a warning (something that works, but not as
//! well as it could) does not fail it.

use std::fmt::Write as _;
use std::path::Path;

use serde_json::{Value, json};

use crate::config::Overrides;
use crate::error::{Error, NetworkKind, Result};
use crate::oauth::discovery;
use crate::oauth::url_policy;
use crate::output::{Outcome, Report, Theme};
use crate::store::StoreChoice;
use crate::store::fsutil::{self, Exposure};
use crate::store::keyring::{CHUNK_LEN, KeyringStore, probe_timeout};
use crate::text::sanitize;

use super::Context;

/// What `doctor` was asked for.
#[derive(Debug, Clone, Default)]
pub(crate) struct Options {
    /// Check the TLS chain of this URL too.
    pub url: Option<String>,
}

/// How far the server's clock may be from ours before it is a problem (the default
/// `--leeway`).
const MAX_SKEW: i64 = 60;

/// How a check came out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Status {
    Ok,
    /// Works, with a caveat.
    Warn,
    /// Something a login or the cache will trip over.
    Problem,
    /// Not applicable here (the reason is the message).
    Skipped,
}

impl Status {
    fn as_str(self) -> &'static str {
        match self {
            Self::Ok => "ok",
            Self::Warn => "warn",
            Self::Problem => "problem",
            Self::Skipped => "skipped",
        }
    }
}

/// One finding.
#[derive(Debug, Clone)]
struct Finding {
    check: &'static str,
    status: Status,
    message: String,
    /// The command (or edit) that fixes it.
    fix: Option<String>,
}

fn finding(check: &'static str, status: Status, message: impl Into<String>) -> Finding {
    Finding {
        check,
        status,
        message: message.into(),
        fix: None,
    }
}

impl Finding {
    fn fix(mut self, fix: impl Into<String>) -> Self {
        self.fix = Some(fix.into());
        self
    }
}

/// Every finding, for the terminal or `--json`.
#[derive(Debug)]
struct DoctorReport {
    profile: Option<String>,
    findings: Vec<Finding>,
}

impl DoctorReport {
    fn problems(&self) -> usize {
        self.findings
            .iter()
            .filter(|f| f.status == Status::Problem)
            .count()
    }
}

impl Report for DoctorReport {
    fn to_json(&self) -> Value {
        json!({
            "ok": self.problems() == 0,
            "profile": self.profile,
            "checks": self.findings.iter().map(|f| json!({
                "check": f.check,
                "status": f.status.as_str(),
                "message": f.message,
                "fix": f.fix,
            })).collect::<Vec<_>>(),
        })
    }

    fn human(&self, theme: Theme) -> String {
        use colored::Color;
        let mut out = String::new();
        for f in &self.findings {
            let (label, color) = match f.status {
                Status::Ok => ("ok     ", Color::Green),
                Status::Warn => ("warn   ", Color::Yellow),
                Status::Problem => ("PROBLEM", Color::Red),
                Status::Skipped => ("skipped", Color::White),
            };
            let _ = writeln!(
                out,
                "{} {:<9} {}",
                theme.paint(label, color),
                f.check,
                sanitize::line(&f.message)
            );
            if let Some(fix) = &f.fix {
                let _ = writeln!(
                    out,
                    "        {} {}",
                    theme.bold("fix:"),
                    sanitize::line(fix)
                );
            }
        }
        let problems = self.problems();
        if problems == 0 {
            out.push_str("No problems found.\n");
        } else {
            let _ = writeln!(out, "{problems} problem(s) found.");
        }
        out
    }
}

/// Runs `doctor`.
#[allow(clippy::unnecessary_wraps)] // every command returns a Result to the dispatcher
pub(crate) fn run(ctx: &Context<'_>, args: &Options) -> Result<Outcome> {
    let mut findings = Vec::new();
    let rerun = |args: &str| ctx.ui.rerun.command(args);

    // The configuration, and what it resolves to for the profile.
    let config_path = ctx
        .flags
        .config
        .clone()
        .unwrap_or_else(|| ctx.paths.config_file());
    let settings = match ctx.config() {
        Err(e) => {
            findings.push(error_finding("config", &e));
            None
        }
        Ok(file) => {
            findings.push(finding(
                "config",
                Status::Ok,
                match file {
                    Some(f) => format!(
                        "{} is valid ({} profile(s), {} provider(s))",
                        config_path.display(),
                        f.profiles.len(),
                        f.providers.len()
                    ),
                    None => format!(
                        "no configuration file ({}); flags and presets only",
                        config_path.display()
                    ),
                },
            ));
            match ctx.settings(&Overrides::default()) {
                Ok(s) => Some(s),
                Err(e) => {
                    findings.push(error_finding("profile", &e));
                    None
                }
            }
        }
    };
    let profile = settings.as_ref().map(|s| s.profile.clone());

    findings.extend(file_store(ctx));
    let choice = settings
        .as_ref()
        .map_or(ctx.flags.token_store.unwrap_or_default(), |s| s.token_store);
    findings.push(keyring(choice));
    findings.push(browser());
    findings.push(loopback(&rerun("login --flow device")));

    // The provider.
    let issuer = settings.as_ref().and_then(|s| s.provider.issuer.clone());
    match &issuer {
        None => findings.push(finding(
            "provider",
            Status::Skipped,
            "no issuer known for this profile (pass -p PROFILE, --provider NAME or --issuer URL)",
        )),
        Some(issuer) => findings.extend(provider(
            ctx,
            issuer,
            profile.as_deref().unwrap_or("default"),
        )),
    }
    // The TLS chain of URL, or of the issuer.
    match args.url.as_deref().or(issuer.as_deref()) {
        Some(url) => findings.push(tls(ctx, url)),
        None => findings.push(finding(
            "tls",
            Status::Skipped,
            "no URL to check (give one: `oauthctl doctor URL`)",
        )),
    }

    let report = DoctorReport { profile, findings };
    let problems = report.problems();
    let outcome = Outcome::report(report);
    Ok(if problems > 0 {
        outcome.then_fail(Error::Unhealthy { problems })
    } else {
        outcome
    })
}

/// A problem made of an error and its hint.
fn error_finding(check: &'static str, e: &Error) -> Finding {
    let f = finding(check, Status::Problem, e.to_string());
    match e.hint() {
        Some(h) => f.fix(h),
        None => f,
    }
}

/// The home, the token directory and every token file: ours, private, no symlinks.
fn file_store(ctx: &Context<'_>) -> Vec<Finding> {
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
fn keyring(choice: StoreChoice) -> Finding {
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
fn browser() -> Finding {
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
fn loopback(device_login: &str) -> Finding {
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

/// The issuer's metadata, fetched fresh: issuer match, endpoints, PKCE, DPoP, PAR, and the
/// clock against its `Date`.
fn provider(ctx: &Context<'_>, issuer: &str, profile: &str) -> Vec<Finding> {
    let mut out = Vec::new();
    let http = match ctx.http() {
        Ok(h) => h,
        Err(e) => return vec![error_finding("provider", &e)],
    };
    let candidates = [discovery::oidc_url(issuer), discovery::oauth_url(issuer)];
    let mut found = None;
    for url in candidates.into_iter().flatten() {
        match http
            .checked_url(url.as_str())
            .and_then(|u| http.get_json(&u))
        {
            Ok(resp) if resp.status == 200 => {
                found = Some((url, resp));
                break;
            }
            Ok(_) => {}
            Err(e) => {
                let check = if matches!(
                    e,
                    Error::Network {
                        kind: NetworkKind::Certificate | NetworkKind::Tls,
                        ..
                    }
                ) {
                    "tls"
                } else {
                    "provider"
                };
                out.push(error_finding(check, &e));
                return out;
            }
        }
    }
    let Some((url, resp)) = found else {
        out.push(
            finding("provider", Status::Problem, format!("`{issuer}` publishes no discovery document"))
                .fix(format!("check the issuer URL of profile `{profile}` (`oauthctl providers` lists the presets)")),
        );
        return out;
    };
    // The clock, from the server's Date header.
    let date = resp
        .headers
        .get("date")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| httpdate::parse_http_date(v).ok())
        .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
        .and_then(|d| i64::try_from(d.as_secs()).ok());
    out.push(match date {
        None => finding("clock", Status::Skipped, "the server sent no Date header"),
        Some(date) => {
            let skew = date - ctx.clock().now();
            let how = if skew > 0 { "ahead of" } else { "behind" };
            let amount = humantime::format_duration(std::time::Duration::from_secs(skew.unsigned_abs()));
            if skew.abs() > MAX_SKEW {
                finding(
                    "clock",
                    Status::Problem,
                    format!("the authorization server's clock is {amount} {how} this computer's; tokens will look issued in the future or already expired"),
                )
                .fix("set the clock right: sudo timedatectl set-ntp true (or run an NTP client)")
            } else {
                finding("clock", Status::Ok, format!("within {MAX_SKEW}s of the authorization server's ({skew:+}s)"))
            }
        }
    });
    let doc: Value = if let Ok(Value::Object(m)) = serde_json::from_slice(&resp.body) {
        Value::Object(m)
    } else {
        out.push(finding(
            "metadata",
            Status::Problem,
            format!("{} is not a JSON object", url_policy::display_base(&url)),
        ));
        return out;
    };
    let s = |name: &str| doc.get(name).and_then(Value::as_str);
    let list = |name: &str| -> Vec<String> {
        doc.get(name)
            .and_then(Value::as_array)
            .map(|a| {
                a.iter()
                    .filter_map(Value::as_str)
                    .map(str::to_owned)
                    .collect()
            })
            .unwrap_or_default()
    };
    match s("issuer") {
        Some(found) if found == issuer => out.push(finding("metadata", Status::Ok, format!("issuer `{issuer}` matches {}", url_policy::display_base(&url)))),
        found => out.push(
            finding(
                "metadata",
                Status::Problem,
                format!(
                    "{} names issuer `{}`, but `{issuer}` was asked for (issuers must match exactly)",
                    url_policy::display_base(&url),
                    found.unwrap_or("(none)")
                ),
            )
            .fix(match found {
                Some(f) => format!("use the issuer exactly as published: issuer = \"{f}\" in [profiles.{profile}] of the configuration, or --issuer {f}"),
                None => "the server's metadata has no `issuer`: check the issuer URL".to_owned(),
            }),
        ),
    }
    let mut unsafe_endpoints = Vec::new();
    for name in [
        "authorization_endpoint",
        "token_endpoint",
        "device_authorization_endpoint",
        "introspection_endpoint",
        "revocation_endpoint",
        "userinfo_endpoint",
        "jwks_uri",
        "pushed_authorization_request_endpoint",
    ] {
        if let Some(v) = s(name)
            && let Err(why) = url_policy::check(v, ctx.flags.insecure_http)
        {
            unsafe_endpoints.push(format!("{name} ({why})"));
        }
    }
    out.push(if unsafe_endpoints.is_empty() {
        finding("endpoints", Status::Ok, "every endpoint is https (or http on loopback)")
    } else {
        finding("endpoints", Status::Problem, format!("refused: {}", unsafe_endpoints.join("; ")))
            .fix("the provider must publish https endpoints; for a test server reached over plain http, add --insecure-http")
    });
    let pkce = list("code_challenge_methods_supported");
    out.push(if pkce.iter().any(|m| m == "S256") {
        finding("pkce", Status::Ok, "PKCE S256 advertised")
    } else {
        finding(
            "pkce",
            Status::Warn,
            "PKCE S256 is not advertised (code_challenge_methods_supported); oauthctl sends it anyway",
        )
    });
    let dpop = list("dpop_signing_alg_values_supported");
    out.push(if dpop.is_empty() {
        finding(
            "dpop",
            Status::Ok,
            "DPoP not advertised: tokens are bearer tokens",
        )
    } else {
        finding(
            "dpop",
            Status::Ok,
            format!("DPoP advertised ({})", dpop.join(", ")),
        )
    });
    out.push(
        match (
            s("pushed_authorization_request_endpoint"),
            doc.get("require_pushed_authorization_requests"),
        ) {
            (Some(_), Some(Value::Bool(true))) => {
                finding("par", Status::Ok, "PAR advertised and required")
            }
            (Some(_), _) => finding("par", Status::Ok, "PAR advertised"),
            (None, _) => finding("par", Status::Ok, "PAR not advertised"),
        },
    );
    out
}

/// The TLS chain of `raw` (an https URL): a HEAD request through the same trust as every
/// other request (system roots, `SSL_CERT_FILE`, `--cacert`).
fn tls(ctx: &Context<'_>, raw: &str) -> Finding {
    let url = match url::Url::parse(raw) {
        Ok(u) => u,
        Err(e) => return finding("tls", Status::Problem, format!("`{raw}` is not a URL: {e}")),
    };
    if url.scheme() != "https" {
        return finding(
            "tls",
            Status::Skipped,
            format!("{} is not https", url_policy::display_base(&url)),
        );
    }
    let http = match ctx.http() {
        Ok(h) => h,
        Err(e) => return error_finding("tls", &e),
    };
    let sent = http
        .client_for(&url)
        .and_then(|c| http.send(c.head(url.clone()), &url, 0));
    match sent {
        Ok(_) | Err(Error::BadResponse(_)) => finding(
            "tls",
            Status::Ok,
            format!(
                "the certificate chain of {} is trusted",
                url_policy::display_base(&url)
            ),
        ),
        Err(
            e @ Error::Network {
                kind: NetworkKind::Certificate,
                ..
            },
        ) => finding("tls", Status::Problem, e.to_string()).fix(format!(
            "trust the CA that issued it: {} (or export SSL_CERT_FILE=CA.pem)",
            ctx.ui.rerun.command("--cacert CA.pem doctor")
        )),
        Err(e) => error_finding("tls", &e),
    }
}
