//! The JWT bearer grant (RFC 7523 §2.1 and §3): an assertion for a token.
//!
//! This server trusts a client's own registered keys (its `jwks` or `jwks_uri`): the
//! assertion's `iss` is the authenticated client's id and it is signed (asymmetrically)
//! with one of the client's keys. Its `sub` is the subject of the new token: a user of this
//! server, or the client itself. Its `aud` is the issuer identifier or the token endpoint's
//! URL (a string or an array holding one); `exp` is required, not passed and at most
//! [`MAX_AHEAD_S`] ahead; `iat` and `nbf`, when present, are not in the future; its `jti`
//! is required and single use (remembered per client until `exp`, in the bounded cache of
//! client assertions). Times allow [`LEEWAY_S`] of clock skew. Errors are `invalid_grant`
//! with the reason (§3.1). No refresh token and no ID token are issued: the client signs a
//! new assertion.

use serde_json::Value;

use crate::devserver::assertion::PRIVATE_KEY_ALGS;
use crate::devserver::back_channel::err;
use crate::devserver::binding::Binding;
use crate::devserver::issue::{Issue, TokenResponse, sign_access};
use crate::devserver::replay::Refusal;
use crate::devserver::scope::{bad_scope, requested_audience, split_scope};
use crate::devserver::state::now_ms;
use crate::devserver::wire::{Params, Resp};
use crate::devserver::{App, Client};
use crate::oauth::jose::SigningAlg;
use crate::oauth::jwt::{self, Jws, SignatureError};

/// How far ahead an assertion's `exp` may lie, in seconds.
pub(crate) const MAX_AHEAD_S: u64 = 3600;
/// Clock skew allowed on `exp`, `iat` and `nbf`, in seconds.
const LEEWAY_S: u64 = 30;
/// The longest `jti` accepted.
const MAX_JTI: usize = 256;

fn invalid_grant(why: &str) -> Resp {
    err("invalid_grant", &format!("invalid assertion: {why}"))
}

/// The claims checks: everything but the signature and replay. Returns `(sub, jti, exp)`.
fn check_claims(
    jws: &Jws,
    client: &Client,
    audiences: &[&str],
    now: u64,
) -> Result<(String, String, u64), String> {
    let claim = |name: &str| jws.claims.get(name);
    if claim("iss").and_then(Value::as_str) != Some(client.id.as_str()) {
        return Err(format!(
            "its iss must be the client id `{}` (this server trusts a client's own keys)",
            client.id
        ));
    }
    let aud_ok = match claim("aud") {
        Some(Value::String(a)) => audiences.contains(&a.as_str()),
        Some(Value::Array(list)) => list
            .iter()
            .filter_map(Value::as_str)
            .any(|a| audiences.contains(&a)),
        _ => false,
    };
    if !aud_ok {
        return Err(format!(
            "its aud must be the issuer identifier {} or the token endpoint's URL",
            audiences[0]
        ));
    }
    let time = |name: &str| -> Result<Option<u64>, String> {
        claim(name).map_or(Ok(None), |v| {
            v.as_u64()
                .map(Some)
                .ok_or_else(|| format!("its {name} must be an integer"))
        })
    };
    let exp = time("exp")?.ok_or("it needs an exp")?;
    if exp + LEEWAY_S <= now {
        return Err("it has expired".to_owned());
    }
    if exp > now + MAX_AHEAD_S + LEEWAY_S {
        return Err(format!("its exp is more than {MAX_AHEAD_S} seconds ahead"));
    }
    for name in ["iat", "nbf"] {
        if time(name)?.is_some_and(|t| t > now + LEEWAY_S) {
            return Err(format!("its {name} is in the future"));
        }
    }
    let sub = claim("sub")
        .and_then(Value::as_str)
        .filter(|s| !s.is_empty())
        .ok_or("it needs a sub")?;
    let jti = claim("jti")
        .and_then(Value::as_str)
        .filter(|j| !j.is_empty() && j.len() <= MAX_JTI)
        .ok_or("it needs a jti (at most 256 bytes)")?;
    Ok((sub.to_owned(), jti.to_owned(), exp))
}

/// Redeems an assertion (see the module documentation).
pub(super) fn redeem(
    app: &App,
    client: &Client,
    form: &Params,
    binding: &Binding,
) -> Result<TokenResponse, Resp> {
    let Some(raw) = form.get("assertion") else {
        return Err(err("invalid_request", "assertion is required"));
    };
    let jws = jwt::parse(raw).map_err(|e| invalid_grant(&format!("not a JWS: {e}")))?;
    let now = app.now_ms() / 1000;
    let token_endpoint = format!("{}/token", app.issuer);
    let (sub, jti, exp) = check_claims(&jws, client, &[&app.issuer, &token_endpoint], now)
        .map_err(|e| invalid_grant(&e))?;
    let allowed = PRIVATE_KEY_ALGS.map(SigningAlg::algorithm);
    let verify = |refetch: bool| -> Result<(), (bool, String)> {
        let keys = app
            .client_keys
            .get(&client.id, client.jwks_uri.as_deref(), refetch, now_ms())
            .map_err(|e| (false, e))?;
        jwt::verify_signature(&jws, &keys.keys, &allowed)
            .map(|_| ())
            .map_err(|e| match e {
                SignatureError::NoKey(why) => (true, format!("no registered key fits: {why}")),
                other => (false, format!("its signature: {other}")),
            })
    };
    match verify(false) {
        // A key the cached set lacks: the client may have rotated its keys.
        Err((true, _)) if client.jwks_uri.is_some() => verify(true),
        other => other,
    }
    .map_err(|(_, why)| invalid_grant(&why))?;
    let user = app.cfg.registry.user(&sub);
    if user.is_none() && sub != client.id {
        return Err(invalid_grant(
            "its sub names neither a user of this server nor the client",
        ));
    }
    let requested = split_scope(form.get("scope"));
    let scope: Vec<String> = if requested.is_empty() {
        if user.is_some() {
            vec!["openid".to_owned()]
        } else {
            Vec::new()
        }
    } else {
        if let Some(bad) = bad_scope(&app.cfg.registry, client, &requested) {
            return Err(err(
                "invalid_scope",
                &format!("scope `{bad}` is not available to this client"),
            ));
        }
        // No refresh token is issued, so `offline_access` grants nothing.
        requested
            .into_iter()
            .filter(|s| s != "offline_access")
            .collect()
    };
    let audience = requested_audience(form, &app.issuer).map_err(|e| err("invalid_target", e))?;
    // RFC 7523 §3 item 7: the jti once, spent only by an assertion that checks out.
    app.store()
        .assertions
        .use_once(
            &format!("jwt-bearer {} {jti}", client.id),
            exp + LEEWAY_S + 1,
            now,
        )
        .map_err(|r| match r {
            Refusal::Replayed => invalid_grant("its jti was used before"),
            Refusal::TooOld => invalid_grant("it is too old; sign a fresh one"),
        })?;
    let signed = sign_access(
        app,
        &Issue::without_grant(client, user, scope, audience, binding.cnf()),
    )?;
    Ok(signed.response())
}
