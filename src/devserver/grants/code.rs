//! The authorization code grant (RFC 6749 §4.1.3): the code is single use (a replay
//! revokes what it produced), bound to its client and redirect URI, and checked against
//! the PKCE challenge of its authorization request (RFC 7636 §4.6; no downgrade).

use super::too_many_revoked_grants;
use crate::devserver::access;
use crate::devserver::back_channel::err;
use crate::devserver::binding::Binding;
use crate::devserver::issue::{Issue, TokenResponse, issue};
use crate::devserver::pkce::{s256, valid_pkce_value};
use crate::devserver::scope::token_audience;
use crate::devserver::state::Family;
use crate::devserver::wire::{Params, Resp, fingerprint, secrets_equal};
use crate::devserver::{App, Client};

/// Redeems an authorization code: the token set of the user who approved it.
pub(super) fn redeem(
    app: &App,
    client: &Client,
    form: &Params,
    binding: &Binding,
) -> Result<TokenResponse, Resp> {
    let code = form
        .get("code")
        .ok_or_else(|| err("invalid_request", "code is required"))?;
    let fp = fingerprint(code);
    let now = app.now_ms();
    let mut store = app.store();
    let bad = |d: &str| err("invalid_grant", d);
    let Some(record) = store.codes.get(&fp).cloned() else {
        return Err(bad("unknown authorization code"));
    };
    if record.client_id != client.id {
        return Err(bad("the code was issued to another client"));
    }
    if record.used {
        // A replayed code revokes what it produced (RFC 6749 §4.1.2).
        if let Some(family) = record.family {
            access::revoke_grant(app, &mut store, family);
        }
        return Err(bad(
            "the code was already used; the tokens issued from it are revoked",
        ));
    }
    // From here on the code is spent, whatever the outcome.
    if let Some(c) = store.codes.get_mut(&fp) {
        c.used = true;
    }
    if record.expires_ms <= now {
        return Err(bad("the authorization code expired"));
    }
    if form.get("redirect_uri") != Some(record.redirect_uri.as_str()) {
        return Err(bad(
            "redirect_uri is missing or differs from the authorization request",
        ));
    }
    match (&record.code_challenge, form.get("code_verifier")) {
        (Some(challenge), Some(verifier)) => {
            if !valid_pkce_value(verifier) {
                return Err(bad(
                    "code_verifier must be 43-128 characters of [A-Za-z0-9-._~]",
                ));
            }
            if !secrets_equal(&s256(verifier), challenge) {
                return Err(bad("code_verifier does not match the code_challenge"));
            }
        }
        (Some(_), None) => return Err(bad("code_verifier is required")),
        (None, Some(_)) => {
            // RFC 9700 §4.8.2 (PKCE downgrade).
            return Err(bad(
                "code_verifier sent, but the authorization request had no code_challenge",
            ));
        }
        (None, None) => {}
    }
    // RFC 8707 §2.2: the resource of the authorization request, or one it may be narrowed to.
    let audience = token_audience(form, &app.issuer, record.audience.as_deref())
        .map_err(|e| err("invalid_target", e))?;
    // RFC 9449 §10: a code bound to a DPoP key is redeemed with a proof by that key.
    if let Some(jkt) = &record.dpop_jkt
        && binding.jkt.as_ref() != Some(jkt)
    {
        return Err(bad(
            "the code is bound to a DPoP key (dpop_jkt): send a DPoP proof by that key",
        ));
    }
    let user = app
        .cfg
        .registry
        .user(&record.user)
        .ok_or_else(|| bad("the user no longer exists"))?;
    let family = store
        .new_family(
            Family {
                client_id: client.id.clone(),
                user: user.username.clone(),
                scope: record.scope.clone(),
                audience: audience.clone(),
                auth_time: record.auth_time,
                revoked: false,
                // Until its first refresh token expires, which `issue` records (none: now).
                expires_ms: app.now_ms(),
                jkt: super::refresh_binding(client, binding),
            },
            app.now_ms() / 1000,
        )
        .ok_or_else(too_many_revoked_grants)?;
    if let Some(c) = store.codes.get_mut(&fp) {
        c.family = Some(family);
    }
    issue(
        app,
        &mut store,
        &Issue {
            client,
            user: Some(user),
            scope: record.scope.clone(),
            audience,
            auth_time: Some(record.auth_time),
            nonce: record.nonce.clone(),
            family: Some(family),
            refreshed: false,
            cnf: binding.cnf(),
        },
    )
}
