//! The client credentials grant (RFC 6749 §4.4): an access token for the client itself, with
//! no refresh token and no ID token.

use crate::devserver::back_channel::err;
use crate::devserver::binding::Binding;
use crate::devserver::issue::{Issue, TokenResponse, sign_access};
use crate::devserver::scope::{bad_scope, requested_audience, split_scope};
use crate::devserver::wire::{Params, Resp};
use crate::devserver::{App, Client};

/// Issues an access token for the client itself, for the requested or its default scopes.
pub(super) fn redeem(
    app: &App,
    client: &Client,
    form: &Params,
    binding: &Binding,
) -> Result<TokenResponse, Resp> {
    let requested = split_scope(form.get("scope"));
    let scope = if requested.is_empty() {
        client
            .scopes
            .iter()
            .filter(|s| !matches!(s.as_str(), "openid" | "offline_access"))
            .cloned()
            .collect()
    } else {
        requested
    };
    if let Some(bad) = bad_scope(&app.cfg.registry, client, &scope).or_else(|| {
        scope
            .iter()
            .find(|s| *s == "openid" || *s == "offline_access")
            .map(String::as_str)
    }) {
        return Err(err(
            "invalid_scope",
            &format!("scope `{bad}` is not available to this client"),
        ));
    }
    let audience = requested_audience(form, &app.issuer).map_err(|e| err("invalid_target", e))?;
    // No refresh token, no ID token: nothing is kept, so the store is not locked.
    let signed = sign_access(
        app,
        &Issue::without_grant(client, None, scope, audience, binding.cnf()),
    )?;
    Ok(signed.response())
}
