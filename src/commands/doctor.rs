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

use serde_json::{Value, json};

use crate::config::Overrides;
use crate::error::{Error, Result};
use crate::output::{Outcome, Report, Theme};
use crate::text::sanitize;

use super::Context;

mod local;
mod remote;

use local::{browser, file_store, keyring, loopback};
use remote::{provider, tls};

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
