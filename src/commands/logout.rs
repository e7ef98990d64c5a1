//! `logout`: revoke the refresh and access tokens (RFC 7009) of every token set the profile
//! owns where the provider supports it, then delete the sets from every store and the
//! profile from the index.

use std::collections::BTreeMap;

use crate::error::{Error, Result};
use crate::flow::client::ClientAuth;
use crate::flow::revocation;
use crate::oauth::errors::OAuthErrorResponse;
use crate::oauth::tokens::CacheKey;
use crate::output::Outcome;
use crate::store::index::OwnedSet;
use crate::store::{StoreChoice, StoreKind, select};

use super::Context;
use super::credentials::{self, DpopUse};
use super::obtained::issuer_label;
use super::session::Session;

/// What `logout` was asked for.
#[derive(Debug, Clone, Default)]
pub(crate) struct Options {
    /// Delete the cached tokens without revoking them at the server.
    pub no_revoke: bool,
    /// `--forget-registration`: forget the client oauthctl registered for the profile too.
    pub forget_registration: bool,
}

/// Why a token was not revoked: the server's OAuth error, if it sent one, and a warning.
struct NotRevoked {
    error: Option<OAuthErrorResponse>,
    warning: String,
}

/// Revokes one token; says why when the server did not confirm it (RFC 7009 §2.2).
fn revoke(
    ctx: &Context<'_>,
    endpoint: &url::Url,
    client: &ClientAuth,
    token: &str,
    hint: &str,
) -> Result<(), NotRevoked> {
    let http = ctx.http().map_err(|e| NotRevoked {
        error: None,
        warning: e.to_string(),
    })?;
    match revocation::revoke(http, endpoint, client, token, Some(hint)) {
        Ok(()) => Ok(()),
        Err(Error::Rejected(e)) => Err(NotRevoked {
            warning: format!("the server did not revoke the {hint}: {e}"),
            error: Some(e),
        }),
        Err(e) => Err(NotRevoked {
            error: None,
            warning: format!("could not revoke the {hint}: {e}"),
        }),
    }
}

/// Revokes one token set's refresh token, then its access token, at the issuer the set came
/// from. Returns whether the server confirmed every revocation, and the warnings to show.
fn revoke_set(ctx: &Context<'_>, set: &OwnedSet) -> Result<(bool, Vec<String>)> {
    let store = select::open_kind(set.store, &ctx.paths)?;
    let Some(tokens) = store.load(&set.cache_key)? else {
        return Ok((false, Vec::new()));
    };
    let mut settings = ctx.settings_for_login(&set.login)?;
    if settings.provider.issuer.is_none() {
        settings.provider.issuer = Some(set.login.issuer.clone());
    }
    let resolved = ctx.resolve_provider(&settings)?;
    // Tokens go back only to the server that issued them, never to the one the profile
    // names now (a re-login may have moved it to another issuer).
    let here = issuer_label(&resolved);
    if here != tokens.issuer {
        return Ok((
            false,
            vec![format!(
                "not revoking the tokens issued by {}: the profile now uses {here}; \
                 deleting the local copy only",
                tokens.issuer
            )],
        ));
    }
    // A DPoP-bound set proves its revocation requests with its own key.
    let credentials::Client {
        auth: client,
        resolved,
    } = credentials::client(
        ctx,
        &settings,
        tokens.client_id.clone(),
        resolved,
        DpopUse::Set(&tokens, Some(false)),
    )?;
    let Some(raw) = resolved.endpoints.revocation_endpoint.as_deref() else {
        return Ok((
            false,
            vec!["the provider has no revocation endpoint; deleting the local copy only".into()],
        ));
    };
    let endpoint = ctx.http()?.checked_url(raw)?;
    // The refresh token first: revoking it also ends its access tokens.
    let mut warnings = Vec::new();
    let mut refresh_revoked = false;
    if let Some(rt) = &tokens.refresh_token {
        match revoke(ctx, &endpoint, &client, rt.expose(), "refresh_token") {
            Ok(()) => refresh_revoked = true,
            Err(not) => warnings.push(not.warning),
        }
    }
    match revoke(
        ctx,
        &endpoint,
        &client,
        tokens.access_token.expose(),
        "access_token",
    ) {
        Ok(()) => {}
        // A server may not revoke access tokens (RFC 7009 §2.2.1; node-oidc-provider for
        // JWT access tokens): with the refresh token revoked, the grant has ended.
        Err(NotRevoked { error: Some(e), .. })
            if refresh_revoked && e.is("unsupported_token_type") => {}
        Err(not) => warnings.push(not.warning),
    }
    Ok((warnings.is_empty(), warnings))
}

/// Deletes every token set `session`'s profile owns from every store, and the profile from
/// the index; returns the stores' warnings.
pub(crate) fn delete_cached(ctx: &Context<'_>, session: &Session) -> Result<Vec<String>> {
    let sets = session.entry.owned_sets();
    let mut warnings = Vec::new();
    let choice = Session::settings(ctx).map_or(StoreChoice::Auto, |s| s.token_store);
    let mut keys: BTreeMap<&CacheKey, bool> = BTreeMap::new();
    for set in &sets {
        *keys.entry(&set.cache_key).or_default() |= set.store == StoreKind::Keyring;
    }
    for (key, in_keyring) in keys {
        // A set the index places in the keyring is deleted there even under `--token-store
        // file`.
        let choice = if in_keyring && choice == StoreChoice::File {
            StoreChoice::Auto
        } else {
            choice
        };
        let report = select::delete_everywhere(key, &ctx.paths, choice)?;
        warnings.extend(report.warnings);
    }
    ctx.index().remove(&session.profile).map_err(Error::from)?;
    Ok(warnings)
}

/// Runs `logout`: every token set the profile owns (its current one and those of earlier
/// logins with other scopes or parameters) is revoked and deleted. The local copies are
/// deleted even when revocation fails (with a warning): a logout that leaves tokens on disk
/// because the server is unreachable would be worse.
pub(crate) fn run(ctx: &Context<'_>, args: &Options) -> Result<Outcome> {
    // Before anything can fail for want of a login: a killed write's part file holds a
    // whole token set, and must not outlive a logout.
    ctx.config()?;
    select::remove_stale_parts(&ctx.paths)?;
    let session = Session::open(ctx)?;
    select::require(session.entry.store)?;
    let sets = session.entry.owned_sets();
    let mut warnings: Vec<String> = Vec::new();
    let mut note = |w: String| {
        if !warnings.contains(&w) {
            warnings.push(w);
        }
    };
    let mut revoked = !args.no_revoke;
    if !args.no_revoke {
        for set in &sets {
            match revoke_set(ctx, set) {
                Ok((confirmed, set_warnings)) => {
                    revoked &= confirmed;
                    set_warnings.into_iter().for_each(&mut note);
                }
                Err(e) => {
                    revoked = false;
                    note(format!("tokens not revoked at the server: {e}"));
                }
            }
        }
    }
    delete_cached(ctx, &session)?
        .into_iter()
        .for_each(&mut note);
    if args.forget_registration {
        let choice = Session::settings(ctx).map_or(StoreChoice::Auto, |s| s.token_store);
        super::resource_login::forget_registration(ctx, &session.entry.login, choice)
            .into_iter()
            .for_each(&mut note);
    }
    for w in &warnings {
        ctx.ui.warn(w);
    }
    ctx.ui.info(&format!(
        "Logged out of profile `{}`{}; {}.",
        session.profile,
        if revoked {
            ": tokens revoked at the server"
        } else {
            ""
        },
        if sets.len() > 1 {
            format!("{} cached token sets deleted", sets.len())
        } else {
            "cached tokens deleted".to_owned()
        }
    ));
    if ctx.ui.json {
        return Ok(Outcome::data(
            format!(
                "{}\n",
                serde_json::json!({
                    "profile": session.profile,
                    "revoked": revoked,
                    "deleted": true,
                    "token_sets": sets.len(),
                })
            )
            .into_bytes(),
        ));
    }
    Ok(Outcome::default())
}
