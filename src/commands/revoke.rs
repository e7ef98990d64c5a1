//! `revoke`: RFC 7009 token revocation with client authentication (as `introspect`: the
//! profile's client, or `--client-id` with its secret).
//!
//! The token is the profile's refresh token when one is cached (revoking it ends the grant,
//! and with it the access tokens at most servers, RFC 7009 §2.1), else its access token;
//! `--token-type-hint` picks one of the two. Or it is the argument, or standard input
//! (`-`). The cache is left as it is, unless `--delete` deletes the profile's tokens after
//! the server confirmed.

use serde_json::{Value, json};

use crate::error::{Error, Result};
use crate::flow::revocation;
use crate::oauth::url_policy;
use crate::output::{Outcome, Report, Theme};
use crate::text::sanitize;

use super::Context;
use super::credentials;
use super::introspect::read_stdin;
use super::logout::delete_cached;
use super::obtained::issuer_label;
use super::session::{Session, provider};

/// `--token-type-hint` (RFC 7009 §2.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Hint {
    AccessToken,
    RefreshToken,
}

impl Hint {
    /// The registered `token_type_hint` value.
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Self::AccessToken => "access_token",
            Self::RefreshToken => "refresh_token",
        }
    }

    /// The token in words.
    fn noun(self) -> &'static str {
        match self {
            Self::AccessToken => "access token",
            Self::RefreshToken => "refresh token",
        }
    }
}

/// What `revoke` was asked for.
#[derive(Debug, Clone, Default)]
pub(crate) struct Options {
    /// The token; `-` reads standard input; `None` is one of the profile's.
    pub token: Option<String>,
    /// Which of the profile's tokens (and the `token_type_hint` sent).
    pub hint: Option<Hint>,
    /// Delete the profile's cached tokens once the server confirmed.
    pub delete: bool,
}

/// What was revoked (never the token).
#[derive(Debug)]
struct RevokeReport {
    profile: Option<String>,
    hint: Option<Hint>,
    endpoint: String,
    deleted: bool,
}

impl Report for RevokeReport {
    fn to_json(&self) -> Value {
        json!({
            "revoked": true,
            "profile": self.profile,
            "token_type_hint": self.hint.map(Hint::as_str),
            "endpoint": self.endpoint,
            "deleted": self.deleted,
        })
    }

    fn human(&self, _theme: Theme) -> String {
        // The narrative goes to stderr; stdout stays empty.
        String::new()
    }
}

/// The profile's token to revoke and its hint: `wanted`, else the refresh token when one is
/// cached, else the access token.
fn pick(
    profile: &str,
    wanted: Option<Hint>,
    access: &str,
    refresh: Option<&str>,
) -> Result<(String, Hint)> {
    match (wanted, refresh) {
        (Some(Hint::RefreshToken) | None, Some(rt)) => Ok((rt.to_owned(), Hint::RefreshToken)),
        (Some(Hint::AccessToken), _) | (None, None) => Ok((access.to_owned(), Hint::AccessToken)),
        (Some(Hint::RefreshToken), None) => Err(Error::usage(
            format!("profile `{profile}` has no cached refresh token"),
            Some(
                "revoke its access token: `oauthctl revoke --token-type-hint access_token`"
                    .to_owned(),
            ),
        )),
    }
}

/// Runs `revoke`.
pub(crate) fn run(ctx: &Context<'_>, args: &Options) -> Result<Outcome> {
    let profile = ctx.profile_name()?;
    let mut session = None;
    let (token, hint, cached) = match args.token.as_deref() {
        Some("-") => (read_stdin()?, args.hint, None),
        Some(token) => {
            ctx.ui.warn(
                "a token on the command line is visible to other users (ps, shell history); \
                 prefer `-` and standard input",
            );
            (token.to_owned(), args.hint, None)
        }
        None => {
            let open = Session::open(ctx)?;
            let tokens = open.tokens()?;
            let (token, hint) = pick(
                &profile,
                args.hint,
                tokens.access_token.expose(),
                tokens
                    .refresh_token
                    .as_ref()
                    .map(crate::oauth::secret::RefreshToken::expose),
            )?;
            session = Some(open);
            (token, Some(hint), Some(tokens))
        }
    };
    let issuer = cached
        .as_ref()
        .map(|t| t.issuer.clone())
        .or_else(|| ctx.indexed(&profile).map(|e| e.issuer));
    let (settings, resolved) = provider(ctx, issuer.as_deref())?;
    if let Some(tokens) = &cached {
        // Tokens go back only to the server that issued them.
        let here = issuer_label(&resolved);
        if here != tokens.issuer {
            return Err(Error::config(
                format!(
                    "profile `{profile}`'s tokens were issued by {}, and the profile now uses \
                     {here}; not sending them there",
                    tokens.issuer
                ),
                Some("name the issuer that issued them with --issuer".to_owned()),
            ));
        }
    }
    // The client the token was issued to, unless another one is named on the command line.
    let client_id = match (&ctx.flags.client_id, &cached) {
        (None, Some(tokens)) => Some(tokens.client_id.clone()),
        _ => settings.client_id.clone(),
    };
    let credentials::Client {
        auth: client,
        resolved,
    } = credentials::for_cached(ctx, &settings, client_id, resolved, cached.as_ref())?;
    let raw = resolved.require(
        "revocation_endpoint",
        resolved.endpoints.revocation_endpoint.as_ref(),
    )?;
    let endpoint = ctx.http()?.checked_url(raw)?;
    revocation::revoke(
        ctx.http()?,
        &endpoint,
        &client,
        &token,
        hint.map(Hint::as_str),
    )?;
    let shown = url_policy::display_base(&endpoint);
    let what = match (hint, &session) {
        (Some(h), Some(_)) => format!("the {} of profile `{profile}`", h.noun()),
        (Some(h), None) => format!("the {} given", h.noun()),
        (None, _) => "the token given".to_owned(),
    };
    let mut deleted = false;
    if args.delete
        && let Some(session) = &session
    {
        for w in delete_cached(ctx, session)? {
            ctx.ui.warn(&w);
        }
        deleted = true;
    }
    ctx.ui.info(&format!(
        "Revoked {what} at {} (the server answers the same for a token it did not know, \
         RFC 7009 §2.2); {}.",
        sanitize::line(&shown),
        if deleted {
            "the profile's cached tokens are deleted"
        } else {
            "the cached tokens are kept (`--delete` deletes them)"
        }
    ));
    let report = RevokeReport {
        profile: session.as_ref().map(|s| s.profile.clone()),
        hint,
        endpoint: shown,
        deleted,
    };
    if ctx.ui.json {
        Ok(Outcome::report(report))
    } else {
        Ok(Outcome::default())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_refresh_token_is_revoked_unless_the_access_token_is_asked_for() {
        let (t, h) = pick("p", None, "at", Some("rt")).unwrap();
        assert_eq!((t.as_str(), h), ("rt", Hint::RefreshToken));
        let (t, h) = pick("p", None, "at", None).unwrap();
        assert_eq!((t.as_str(), h), ("at", Hint::AccessToken));
        let (t, h) = pick("p", Some(Hint::AccessToken), "at", Some("rt")).unwrap();
        assert_eq!((t.as_str(), h), ("at", Hint::AccessToken));
        let (t, h) = pick("p", Some(Hint::RefreshToken), "at", Some("rt")).unwrap();
        assert_eq!((t.as_str(), h), ("rt", Hint::RefreshToken));
        let e = pick("p", Some(Hint::RefreshToken), "at", None).unwrap_err();
        assert_eq!(e.exit_code(), 2);
        assert!(e.hint().unwrap().contains("access_token"));
    }
}
