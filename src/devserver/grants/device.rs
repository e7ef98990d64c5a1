//! The device code grant (RFC 8628 §3.4–3.5): polling answers `authorization_pending`,
//! `slow_down`, `access_denied` or `expired_token` until the user approved on the
//! verification pages; the device code is then spent.

use super::too_many_revoked_grants;
use crate::devserver::back_channel::err;
use crate::devserver::binding::Binding;
use crate::devserver::issue::{Issue, TokenResponse, issue};
use crate::devserver::misbehave::SLOW_DOWN_POLLS;
use crate::devserver::scope::token_audience;
use crate::devserver::state::{DeviceStatus, Family};
use crate::devserver::wire::{Params, Resp, fingerprint};
use crate::devserver::{App, Client, Misbehave};

/// Polls a device code: the token set once the user approved, an error until then.
pub(super) fn redeem(
    app: &App,
    client: &Client,
    form: &Params,
    binding: &Binding,
) -> Result<TokenResponse, Resp> {
    let code = form
        .get("device_code")
        .ok_or_else(|| err("invalid_request", "device_code is required"))?;
    let fp = fingerprint(code);
    let now = app.now_ms();
    let mut store = app.store();
    let Some(d) = store.devices.get_mut(&fp) else {
        return Err(err("invalid_grant", "unknown device code"));
    };
    if d.client_id != client.id {
        return Err(err(
            "invalid_grant",
            "the device code belongs to another client",
        ));
    }
    if d.status == DeviceStatus::Done {
        return Err(err("invalid_grant", "the device code was already used"));
    }
    if d.expires_ms <= now {
        return Err(err("expired_token", "the device code expired"));
    }
    if app.cfg.misbehaves(Misbehave::DeviceSlowDown) && d.polls < SLOW_DOWN_POLLS {
        d.polls += 1;
        d.last_poll_ms = Some(now);
        d.interval_ms += 5000;
        return Err(err(
            "slow_down",
            "polling too fast; add 5 seconds (misbehave)",
        ));
    }
    let (user, auth_time) = match d.status.clone() {
        DeviceStatus::Denied => return Err(err("access_denied", "the user denied the request")),
        DeviceStatus::Pending => {
            let too_fast = d
                .last_poll_ms
                .is_some_and(|last| now.saturating_sub(last) < d.interval_ms);
            d.last_poll_ms = Some(now);
            if too_fast {
                // RFC 8628 §3.5: slow down by 5 seconds for this and all later polls.
                d.interval_ms += 5000;
                return Err(err("slow_down", "polling too fast; add 5 seconds"));
            }
            return Err(err(
                "authorization_pending",
                "the user has not approved yet",
            ));
        }
        DeviceStatus::Approved { user, auth_time } => (user, auth_time),
        DeviceStatus::Done => return Err(err("invalid_grant", "already used")),
    };
    // RFC 8707 §2.2, checked before the device code is spent.
    let audience = token_audience(form, &app.issuer, d.audience.as_deref())
        .map_err(|e| err("invalid_target", e))?;
    d.status = DeviceStatus::Done;
    let scope = d.scope.clone();
    let user = app
        .cfg
        .registry
        .user(&user)
        .ok_or_else(|| err("invalid_grant", "the user no longer exists"))?;
    let family = store
        .new_family(
            Family {
                client_id: client.id.clone(),
                user: user.username.clone(),
                scope: scope.clone(),
                audience: audience.clone(),
                auth_time,
                revoked: false,
                // Until its first refresh token expires, which `issue` records (none: now).
                expires_ms: app.now_ms(),
                jkt: super::refresh_binding(client, binding),
            },
            app.now_ms() / 1000,
        )
        .ok_or_else(too_many_revoked_grants)?;
    issue(
        app,
        &mut store,
        &Issue {
            client,
            user: Some(user),
            scope,
            audience,
            auth_time: Some(auth_time),
            nonce: None,
            family: Some(family),
            refreshed: false,
            cnf: binding.cnf(),
        },
    )
}
