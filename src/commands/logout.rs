//! `logout`: revoke the refresh and access tokens (RFC 7009) where the provider supports it,
//! then delete the cached set from every store and the profile from the index.

use reqwest::header::HeaderMap;

use crate::cli::LogoutArgs;
use crate::error::{Error, Result};
use crate::flow::client::{ClientAuth, post_authenticated};
use crate::oauth::token_response::oauth_error;
use crate::output::Outcome;
use crate::store::select;

use super::Context;
use super::session::Session;

/// Revokes one token; returns a warning when the server did not confirm it (C61).
fn revoke(
    ctx: &Context<'_>,
    endpoint: &url::Url,
    client: &ClientAuth,
    token: &str,
    hint: &str,
) -> Option<String> {
    let http = match ctx.http() {
        Ok(h) => h,
        Err(e) => return Some(e.to_string()),
    };
    let params = [("token", token), ("token_type_hint", hint)];
    match post_authenticated(http, endpoint, client, &params, &HeaderMap::new()) {
        Ok(r) if r.status == 200 => None,
        Ok(r) => {
            let detail = crate::oauth::strict_json::object_from_slice(&r.body)
                .ok()
                .and_then(|o| oauth_error(&o))
                .map_or_else(|| format!("HTTP {}", r.status), |e| e.to_string());
            Some(format!("the server did not revoke the {hint}: {detail}"))
        }
        Err(e) => Some(format!("could not revoke the {hint}: {e}")),
    }
}

/// Revokes the refresh token, then the access token; `Ok(true)` when the server confirmed
/// both, `Ok(false)` when there was nothing to revoke at or warnings were shown.
fn revoke_all(ctx: &Context<'_>, session: &Session) -> Result<bool> {
    let Ok(tokens) = session.tokens() else {
        return Ok(false);
    };
    let mut settings = Session::settings(ctx)?;
    if settings.provider.issuer.is_none() {
        settings.provider.issuer = Some(session.entry.issuer.clone());
    }
    let resolved = ctx.resolve_provider(&settings)?;
    let Some(raw) = resolved.endpoints.revocation_endpoint.as_deref() else {
        ctx.ui
            .warn("the provider has no revocation endpoint; deleting the local copy only");
        return Ok(false);
    };
    let endpoint = ctx.http()?.checked_url(raw)?;
    let secret = ctx.client_secret(&settings.client_secret)?;
    let client = ClientAuth::new(tokens.client_id.clone(), secret, settings.auth_method);
    // The refresh token first: revoking it also ends its access tokens.
    let mut warnings = Vec::new();
    if let Some(rt) = &tokens.refresh_token {
        warnings.extend(revoke(
            ctx,
            &endpoint,
            &client,
            rt.expose(),
            "refresh_token",
        ));
    }
    warnings.extend(revoke(
        ctx,
        &endpoint,
        &client,
        tokens.access_token.expose(),
        "access_token",
    ));
    for w in &warnings {
        ctx.ui.warn(w);
    }
    Ok(warnings.is_empty())
}

/// Runs `logout`. The local copy is deleted even when revocation fails (with a warning):
/// a logout that leaves tokens on disk because the server is unreachable would be worse.
pub fn run(ctx: &Context<'_>, args: &LogoutArgs) -> Result<Outcome> {
    // Before anything can fail for want of a login: a killed write's part file holds a
    // whole token set, and must not outlive a logout (issue #12 item 9).
    ctx.config()?;
    select::remove_stale_parts(&ctx.paths)?;
    let session = Session::open(ctx)?;
    let revoked = if args.no_revoke {
        false
    } else {
        revoke_all(ctx, &session).unwrap_or_else(|e| {
            ctx.ui
                .warn(&format!("tokens not revoked at the server: {e}"));
            false
        })
    };
    let choice =
        Session::settings(ctx).map_or(crate::cli::TokenStoreChoice::Auto, |s| s.token_store);
    let report = select::delete_everywhere(&session.entry.cache_key, &ctx.paths, choice)?;
    for w in &report.warnings {
        ctx.ui.warn(w);
    }
    ctx.index().remove(&session.profile).map_err(Error::from)?;
    ctx.ui.info(&format!(
        "Logged out of profile `{}`{}; cached tokens deleted.",
        session.profile,
        if revoked {
            ": tokens revoked at the server"
        } else {
            ""
        }
    ));
    if ctx.ui.json {
        return Ok(Outcome::data(
            format!(
                "{}\n",
                serde_json::json!({"profile": session.profile, "revoked": revoked, "deleted": true})
            )
            .into_bytes(),
        ));
    }
    Ok(Outcome::default())
}
