//! `status`: the cached profiles from the non-secret index. Never opens a token store and
//! never prints a secret.

use std::fmt::Write as _;

use colored::Color;
use serde_json::{Value, json};

use crate::error::Result;
use crate::oauth::jwt;
use crate::output::{Outcome, Report, Theme, sanitize};
use crate::store::index::IndexEntry;

use super::Context;

/// The listing.
#[derive(Debug)]
struct StatusReport {
    profiles: Vec<(String, IndexEntry)>,
    now: i64,
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
            })).collect::<Vec<_>>()
        })
    }

    fn human(&self, theme: Theme) -> String {
        if self.profiles.is_empty() {
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
                    jwt::relative(t, self.now)
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
            if let Some(s) = &e.subject {
                let _ = writeln!(out, "  subject: {}", sanitize::line(s));
            }
            let _ = writeln!(out, "  scopes:  {}", sanitize::line(&e.scopes.join(" ")));
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
        out
    }
}

/// Runs `status`.
pub fn run(ctx: &Context<'_>) -> Result<Outcome> {
    let (index, warning) = ctx.index().load()?;
    if let Some(w) = warning {
        ctx.ui.warn(&w);
    }
    Ok(Outcome::report(StatusReport {
        profiles: index.profiles.into_iter().collect(),
        now: ctx.clock().now(),
    }))
}
