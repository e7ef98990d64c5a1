//! `status`: the cached profiles from the non-secret index, and the configured profiles that
//! have no login yet. Reads the configuration (its errors are exit 7), never opens a token
//! store and never prints a secret.

use std::fmt::Write as _;

use colored::Color;
use serde_json::{Value, json};

use crate::config::{ConfigFile, Flags, Overrides, Settings};
use crate::error::{Error, Result};
use crate::output::{Outcome, Report, Theme};
use crate::store::index::IndexEntry;
use crate::text::{sanitize, time};

use super::Context;

/// The listing.
#[derive(Debug)]
struct StatusReport {
    profiles: Vec<(String, IndexEntry)>,
    /// Configured profiles without a cached login.
    not_logged_in: Vec<Configured>,
    now: i64,
}

/// A configured profile that has not logged in, as its configuration resolves.
#[derive(Debug)]
struct Configured {
    profile: String,
    /// The issuer, else the token endpoint of a provider without discovery.
    issuer: Option<String>,
    client_id: Option<String>,
    scopes: Vec<String>,
}

impl Configured {
    fn to_json(&self) -> Value {
        json!({
            "profile": self.profile,
            "issuer": self.issuer,
            "client_id": self.client_id,
            "scopes": self.scopes,
            "state": "not logged in",
        })
    }
}

fn state(e: &IndexEntry, now: i64) -> &'static str {
    match e.expires_at {
        None => "no expiry",
        Some(t) if t <= now && e.has_refresh_token => "expired (refreshable)",
        Some(t) if t <= now => "expired",
        Some(t) if t - now <= 300 => "expiring",
        Some(_) => "valid",
    }
}

/// Where an exchanged or JWT bearer profile's tokens come from (its parent, its key).
fn from(e: &IndexEntry) -> Option<String> {
    if let Some(x) = &e.login.exchange {
        return Some(super::exchange::describe(x));
    }
    e.login.assertion.as_ref().map(super::jwt_bearer::describe)
}

impl Report for StatusReport {
    fn to_json(&self) -> Value {
        json!({
            "profiles": self.profiles.iter().map(|(name, e)| json!({
                "profile": name,
                "issuer": e.issuer,
                "client_id": e.client_id,
                "subject": e.subject,
                "scopes": e.scopes,
                "audience": e.audience,
                "resource": e.resource,
                "expires_at": e.expires_at,
                "state": state(e, self.now),
                "refresh_token": e.has_refresh_token,
                "store": e.store.as_str(),
                "token_sets": 1 + e.older.len(),
                "parent": e.login.exchange.as_ref().and_then(|x| x.parent()),
            })).collect::<Vec<_>>(),
            "not_logged_in": self.not_logged_in.iter().map(Configured::to_json).collect::<Vec<_>>(),
        })
    }

    fn human(&self, theme: Theme) -> String {
        if self.profiles.is_empty() && self.not_logged_in.is_empty() {
            return "No cached logins. Run `oauthctl login`.\n".to_owned();
        }
        let mut out = String::new();
        for (name, e) in &self.profiles {
            let st = state(e, self.now);
            let color = match st {
                "valid" | "no expiry" => Color::Green,
                "expiring" | "expired (refreshable)" => Color::Yellow,
                _ => Color::Red,
            };
            let expiry = e.expires_at.map_or_else(String::new, |t| {
                format!(
                    " ({} {})",
                    if t > self.now { "expires" } else { "expired" },
                    time::relative(t, self.now)
                )
            });
            let _ = writeln!(
                out,
                "{}  {}{}",
                theme.bold(&sanitize::line(name)),
                theme.paint(st, color),
                expiry
            );
            let _ = writeln!(out, "  issuer:  {}", sanitize::line(&e.issuer));
            let _ = writeln!(out, "  client:  {}", sanitize::line(&e.client_id));
            if let Some(r) = e
                .resource
                .as_deref()
                .filter(|_| e.login.resource_url.is_some())
            {
                let _ = writeln!(out, "  for:     {}", sanitize::line(r));
            }
            if let Some(s) = &e.subject {
                let _ = writeln!(out, "  subject: {}", sanitize::line(s));
            }
            let _ = writeln!(out, "  scopes:  {}", sanitize::line(&e.scopes.join(" ")));
            if let Some(from) = from(e) {
                let _ = writeln!(out, "  from:    {}", sanitize::line(&from));
            }
            let _ = writeln!(
                out,
                "  store:   {}{}",
                e.store,
                if e.has_refresh_token {
                    ", refresh token kept"
                } else {
                    ""
                }
            );
            if !e.older.is_empty() {
                let _ = writeln!(
                    out,
                    "  older:   {} token set{} of earlier logins (revoked and deleted at logout)",
                    e.older.len(),
                    if e.older.len() == 1 { "" } else { "s" }
                );
            }
        }
        for c in &self.not_logged_in {
            let _ = writeln!(
                out,
                "{}  {}",
                theme.bold(&sanitize::line(&c.profile)),
                theme.paint("not logged in", Color::Red)
            );
            let unset = |v: &Option<String>| {
                v.as_deref().map_or_else(
                    || "not configured".to_owned(),
                    |v| sanitize::line(v).into_owned(),
                )
            };
            let _ = writeln!(out, "  issuer:  {}", unset(&c.issuer));
            let _ = writeln!(out, "  client:  {}", unset(&c.client_id));
            if !c.scopes.is_empty() {
                let _ = writeln!(out, "  scopes:  {}", sanitize::line(&c.scopes.join(" ")));
            }
            let _ = writeln!(
                out,
                "  login:   oauthctl -p {} login",
                sanitize::line(&c.profile)
            );
        }
        out
    }
}

/// Every configured profile, resolved as a command naming it would resolve it (without
/// flags or a remembered login). A profile that does not resolve is a configuration error
/// naming it.
fn configured(file: &ConfigFile) -> Result<Vec<(String, Settings)>> {
    file.profiles
        .keys()
        .map(|name| {
            let global = Flags {
                profile: Some(name.clone()),
                ..Flags::default()
            };
            Settings::resolve(&global, &Overrides::default(), Some(file), None)
                .map(|s| (name.clone(), s))
                .map_err(|e| match e {
                    Error::Config { message, hint } => Error::Config {
                        message: format!("profile `{name}` in the configuration: {message}"),
                        hint,
                    },
                    other => other,
                })
        })
        .collect()
}

/// Runs `status`.
pub(crate) fn run(ctx: &Context<'_>) -> Result<Outcome> {
    let configured = match ctx.config()? {
        Some(file) => configured(file)?,
        None => Vec::new(),
    };
    let (index, warning) = ctx.index().load()?;
    if let Some(w) = warning {
        ctx.ui.warn(&w);
    }
    let not_logged_in = configured
        .into_iter()
        .filter(|(name, _)| !index.profiles.contains_key(name))
        .map(|(profile, s)| Configured {
            profile,
            issuer: s
                .provider
                .issuer
                .clone()
                .or_else(|| s.provider.endpoints.token_endpoint.clone()),
            client_id: s.client_id,
            scopes: s.scopes,
        })
        .collect();
    Ok(Outcome::report(StatusReport {
        profiles: index.profiles.into_iter().collect(),
        not_logged_in,
        now: ctx.clock().now(),
    }))
}
