//! The refresh token grant (RFC 6749 §6): rotation with reuse detection (RFC 9700
//! §4.14.2), an optional reuse grace, and a scope that may only narrow.

use crate::devserver::access;
use crate::devserver::back_channel::err;
use crate::devserver::binding::Binding;
use crate::devserver::issue::{Issue, TokenResponse, issue};
use crate::devserver::scope::{has, split_scope, token_audience};
use crate::devserver::state::ms;
use crate::devserver::wire::{Params, Resp, fingerprint};
use crate::devserver::{App, Client};

/// Redeems a refresh token: a new token set, the presented refresh token rotated.
pub(super) fn redeem(
    app: &App,
    client: &Client,
    form: &Params,
    binding: &Binding,
) -> Result<TokenResponse, Resp> {
    let rt = form
        .get("refresh_token")
        .ok_or_else(|| err("invalid_request", "refresh_token is required"))?;
    let fp = fingerprint(rt);
    let now = app.now_ms();
    let bad = |d: &str| err("invalid_grant", d);
    let mut store = app.store();
    let Some(record) = store.refresh.get(&fp).cloned() else {
        return Err(bad("unknown refresh token"));
    };
    let Some(family) = store.families.get(&record.family).cloned() else {
        return Err(bad("unknown refresh token"));
    };
    if family.client_id != client.id {
        return Err(bad("the refresh token was issued to another client"));
    }
    if record.revoked || family.revoked {
        return Err(bad("the refresh token was revoked"));
    }
    if record.expires_ms <= now {
        return Err(bad("the refresh token expired"));
    }
    // RFC 9449 §5: a public client's refresh token is bound to its DPoP key.
    if let Some(jkt) = &family.jkt
        && binding.jkt.as_ref() != Some(jkt)
    {
        return Err(bad(
            "the refresh token is bound to a DPoP key: send a DPoP proof by that key",
        ));
    }
    if let Some(rotated) = record.rotated_ms {
        let grace = app.cfg.refresh_reuse_grace.map_or(0, ms);
        if now.saturating_sub(rotated) > grace || app.cfg.refresh_reuse_grace.is_none() {
            // Reuse of a rotated token revokes the whole family (RFC 9700 §4.14.2).
            access::revoke_grant(app, &mut store, record.family);
            return Err(bad(
                "refresh token reuse detected; every token of this grant is revoked",
            ));
        }
    }
    let requested = split_scope(form.get("scope"));
    let scope = if requested.is_empty() {
        family.scope.clone()
    } else if let Some(extra) = requested.iter().find(|s| !has(&family.scope, s)) {
        return Err(err(
            "invalid_scope",
            &format!("scope `{extra}` exceeds the original grant"),
        ));
    } else {
        requested
    };
    let audience = token_audience(form, &app.issuer, family.audience.as_deref())
        .map_err(|e| err("invalid_target", e))?;
    let user = app
        .cfg
        .registry
        .user(&family.user)
        .ok_or_else(|| bad("the user no longer exists"))?;
    if let Some(r) = store.refresh.get_mut(&fp) {
        r.rotated_ms.get_or_insert(now);
    }
    issue(
        app,
        &mut store,
        &Issue {
            client,
            user: Some(user),
            scope,
            audience,
            auth_time: Some(family.auth_time),
            nonce: None,
            family: Some(record.family),
            refreshed: true,
            cnf: binding.cnf(),
        },
    )
}
