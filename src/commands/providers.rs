//! `providers`: the built-in presets and the providers of the config file.

use std::fmt::Write as _;

use serde_json::json;

use crate::error::Result;
use crate::oauth::providers::{self, PRESETS};
use crate::output::{Outcome, Report, Theme};
use crate::text::sanitize;

use super::Context;

/// One row of the listing.
#[derive(Debug)]
struct Row {
    name: String,
    kind: &'static str,
    description: String,
    issuer: Option<String>,
    parameter: Option<&'static str>,
    provider: Option<providers::Provider>,
    /// What to know about logging in (redirect URI, `Origin`).
    notes: &'static [&'static str],
}

/// The listing.
#[derive(Debug)]
struct ProvidersReport {
    rows: Vec<Row>,
}

impl Report for ProvidersReport {
    fn to_json(&self) -> serde_json::Value {
        json!({
            "providers": self.rows.iter().map(|r| json!({
                "name": r.name,
                "kind": r.kind,
                "description": r.description,
                "issuer": r.issuer,
                "parameter": r.parameter,
                "details": r.provider,
                "notes": r.notes,
            })).collect::<Vec<_>>()
        })
    }

    fn human(&self, theme: Theme) -> String {
        let width = self.rows.iter().map(|r| r.name.len()).max().unwrap_or(0);
        let mut out = String::new();
        for r in &self.rows {
            let name = format!("{:width$}", r.name);
            let _ = write!(
                out,
                "{}  {:6}  {}",
                theme.bold(&name),
                r.kind,
                sanitize::line(&r.description)
            );
            if let Some(issuer) = &r.issuer {
                let _ = write!(out, "  {}", theme.dim(&sanitize::line(issuer)));
            }
            out.push('\n');
            for note in r.notes {
                let _ = writeln!(out, "{:width$}    {note}", "");
            }
        }
        out
    }
}

/// Lists presets, then configured providers.
pub(crate) fn run(ctx: &Context<'_>) -> Result<Outcome> {
    let mut rows: Vec<Row> = PRESETS
        .iter()
        .map(|p| {
            let resolved = providers::preset(p.name, None).ok();
            Row {
                name: p.name.to_owned(),
                kind: "preset",
                description: p.description.to_owned(),
                issuer: resolved.as_ref().and_then(|r| r.issuer.clone()),
                parameter: p.parameter,
                provider: resolved,
                notes: providers::login_notes(p.name),
            }
        })
        .collect();
    if let Some(file) = ctx.config()? {
        for (name, conf) in &file.providers {
            let resolved = crate::config::resolve_provider(name, Some(file)).ok();
            rows.push(Row {
                name: name.clone(),
                kind: "config",
                description: conf.preset.as_ref().map_or_else(
                    || "configured provider".to_owned(),
                    |p| format!("configured, based on `{p}`"),
                ),
                issuer: resolved.as_ref().and_then(|r| r.issuer.clone()),
                parameter: None,
                provider: resolved,
                notes: &[],
            });
        }
    }
    Ok(Outcome::report(ProvidersReport { rows }))
}
