//! `introspect`: RFC 7662 token introspection with client authentication.
//!
//! The token is the argument, standard input (`-`), or the profile's cached access token
//! (as cached: introspection is how to find out whether it still works, so it is not
//! refreshed first). The client is the profile's, or `--client-id` / `--client-secret-file`
//! for a resource-server client. `active` counts only when it is the JSON value `true`;
//! otherwise the token is inactive, nothing else of the response is shown, and the exit
//! status is 6.

use std::fmt::Write as _;
use std::io::Read as _;

use colored::Color;
use reqwest::header::HeaderMap;
use serde_json::{Value, json};

use crate::error::{Error, Result};
use crate::flow::client::post_authenticated;
use crate::oauth::introspection::Introspection;
use crate::oauth::jwt;
use crate::oauth::url_policy;
use crate::output::{Outcome, Report, Theme, json as out_json};
use crate::text::{sanitize, time};

use super::Context;
use super::credentials;
use super::session::{Session, provider};

/// The longest token read from standard input.
const MAX_TOKEN: u64 = 256 * 1024;

/// What `introspect` was asked for.
#[derive(Debug, Clone, Default)]
pub(crate) struct Options {
    /// The token; `-` reads standard input; `None` is the profile's access token.
    pub token: Option<String>,
    /// `token_type_hint` (default: `access_token` for the profile's token, none otherwise).
    pub token_type_hint: Option<String>,
}

/// Runs `introspect`.
pub(crate) fn run(ctx: &Context<'_>, args: &Options) -> Result<Outcome> {
    let profile = ctx.profile_name()?;
    let (token, hint, issuer, own) = match args.token.as_deref() {
        Some("-") => (read_stdin()?, args.token_type_hint.clone(), None, None),
        Some(token) => {
            ctx.ui.warn(
                "a token on the command line is visible to other users (ps, shell history); \
                 prefer `-` and standard input",
            );
            (token.to_owned(), args.token_type_hint.clone(), None, None)
        }
        None => {
            let session = Session::open(ctx)?;
            let tokens = session.tokens()?;
            (
                tokens.access_token.expose().to_owned(),
                Some(
                    args.token_type_hint
                        .clone()
                        .unwrap_or_else(|| "access_token".to_owned()),
                ),
                Some(session.entry.issuer),
                Some(tokens),
            )
        }
    };
    let issuer = issuer.or_else(|| ctx.indexed(&profile).map(|e| e.issuer));
    let (settings, resolved) = provider(ctx, issuer.as_deref())?;
    let client_id = settings.client_id.clone();
    let credentials::Client {
        auth: client,
        resolved,
    } = credentials::for_cached(ctx, &settings, client_id, resolved, own.as_ref())?;
    let raw = resolved.require(
        "introspection_endpoint",
        resolved.endpoints.introspection_endpoint.as_ref(),
    )?;
    let endpoint = ctx.http()?.checked_url(raw)?;
    let mut params = vec![("token", token.as_str())];
    if let Some(h) = hint.as_deref() {
        params.push(("token_type_hint", h));
    }
    let resp = post_authenticated(ctx.http()?, &endpoint, &client, &params, &HeaderMap::new())?;
    let answer = Introspection::parse(
        resp.status,
        &resp.body,
        &url_policy::display_base(&endpoint),
    )?;
    let report = IntrospectReport {
        answer,
        now: ctx.clock().now(),
    };
    if report.answer.is_active() {
        Ok(Outcome::report(report))
    } else {
        Ok(Outcome::report(report).then_fail(Error::InvalidToken(
            "the authorization server says the token is not active".to_owned(),
        )))
    }
}

pub(crate) fn read_stdin() -> Result<String> {
    let mut buf = String::new();
    std::io::stdin()
        .lock()
        .take(MAX_TOKEN + 1)
        .read_to_string(&mut buf)
        .map_err(|e| Error::Other(format!("cannot read the token from stdin: {e}")))?;
    if buf.len() as u64 > MAX_TOKEN {
        return Err(Error::usage(
            "the token on stdin is larger than 256 KiB",
            None,
        ));
    }
    let token = buf.trim();
    if token.is_empty() {
        return Err(Error::usage("no token on standard input", None));
    }
    Ok(token.to_owned())
}

/// The answer: the whole document when active, only `active: false` otherwise.
#[derive(Debug)]
struct IntrospectReport {
    answer: Introspection,
    now: i64,
}

const TIME_CLAIMS: [&str; 3] = ["exp", "iat", "nbf"];

impl Report for IntrospectReport {
    fn to_json(&self) -> Value {
        match self.answer.active_claims() {
            Some(claims) => Value::Object(claims.clone()),
            None => json!({"active": false}),
        }
    }

    fn human(&self, theme: Theme) -> String {
        let Some(claims) = self.answer.active_claims() else {
            return format!("active: {}\n", theme.paint("false", Color::Red));
        };
        let mut out = format!("active: {}\n", theme.paint("true", Color::Green));
        let rest: Vec<(&String, &Value)> = claims.iter().filter(|(k, _)| *k != "active").collect();
        let width = rest
            .iter()
            .map(|(k, _)| k.chars().count())
            .max()
            .unwrap_or(0);
        for (k, v) in rest {
            let key = sanitize::line(k);
            let shown = match v {
                Value::Number(_) if TIME_CLAIMS.contains(&k.as_str()) => match jwt::numeric_date(v)
                {
                    Ok(t) => {
                        let rel = time::relative(t, self.now);
                        let rel = if k == "exp" && t <= self.now {
                            theme.paint(&rel, Color::Red)
                        } else {
                            rel
                        };
                        format!("{}  ({rel})", time::iso(t))
                    }
                    Err(_) => out_json::to_string(v, false).trim_end().to_owned(),
                },
                Value::String(s) => sanitize::line(s).into_owned(),
                other => out_json::to_string(other, false).trim_end().to_owned(),
            };
            let _ = writeln!(out, "  {key:width$}  {shown}");
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn answer(text: &str) -> Introspection {
        Introspection::parse(200, text.as_bytes(), "e").unwrap()
    }

    #[test]
    fn inactive_reports_show_nothing_else() {
        let r = IntrospectReport {
            answer: answer(r#"{"active":"true","sub":"mallory","scope":"admin"}"#),
            now: 0,
        };
        assert_eq!(r.human(Theme::PLAIN), "active: false\n");
        assert_eq!(r.to_json(), json!({"active": false}));
    }

    #[test]
    fn active_reports_humanize_times_and_sanitise() {
        let r = IntrospectReport {
            answer: answer(
                r#"{"active":true,"sub":"al\u001b[2Jice","exp":1090,"iat":1000,"aud":["a","b"]}"#,
            ),
            now: 1030,
        };
        let h = r.human(Theme::PLAIN);
        assert!(h.starts_with("active: true\n"), "{h}");
        assert!(h.contains("sub  al\\u{1b}[2Jice"), "{h}");
        assert!(h.contains("exp  1970-01-01T00:18:10Z  (in 1m)"), "{h}");
        assert!(h.contains("iat  1970-01-01T00:16:40Z  (30s ago)"), "{h}");
        assert!(h.contains(r#"aud  ["a","b"]"#), "{h}");
        assert_eq!(r.to_json()["sub"], "al\u{1b}[2Jice");
    }

    #[test]
    fn endpoint_errors_keep_their_exit_codes() {
        let e: Error = Introspection::parse(401, br#"{"error":"invalid_client"}"#, "e")
            .unwrap_err()
            .into();
        assert_eq!(e.exit_code(), 4);
        let e: Error = Introspection::parse(200, br#"{"error":"invalid_request"}"#, "e")
            .unwrap_err()
            .into();
        assert_eq!(e.exit_code(), 4, "an error with HTTP 200 is still an error");
        for (status, body) in [
            (200, &b"nope"[..]),
            (500, b"{}"),
            (302, b""),
            (200, b"[true]"),
            (200, br#"{"active":true,"active":true}"#),
        ] {
            let e: Error = Introspection::parse(status, body, "e").unwrap_err().into();
            assert_eq!(e.exit_code(), 5, "{status}");
        }
    }
}
