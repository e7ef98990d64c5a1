//! `POST /token` (RFC 6749 §3.2): parses the form, checks a DPoP proof (`binding`),
//! authenticates the client (`client_auth`), applies the per-client rate limit and hands the
//! request to the handler of its grant (`grants`), which issues through `issue`, bound to
//! the proof's key or the client's certificate.

use serde_json::json;

use super::back_channel::{err, form, ok, too_many};
use super::binding::{self, Binding};
use super::client_auth::authenticate;
use super::grants;
use super::misbehave;
use super::state::{bucket, now_ms, source};
use super::wire::{Req, Resp};
use super::{App, Client, Misbehave};
use crate::oauth::grant::Grant;
use crate::oauth::secret::AccessToken;

/// Applies the token-endpoint rate limit to an authenticated client: per client, or for a
/// public client (which anyone can name) per client and source.
fn rate_limited(app: &App, req: &Req, client: &Client) -> Option<Resp> {
    let limit = app.cfg.rate_limit_per_minute;
    if limit == 0 {
        return None;
    }
    let now = now_ms();
    let key = (
        client.id.clone(),
        client.is_public().then(|| source(req.peer)),
    );
    let mut store = app.store();
    bucket(&mut store.rate, key, limit, now)
        .take(limit, now)
        .err()
        .map(|retry| {
            too_many(
                "too many token requests for this client; retry later",
                retry,
            )
        })
}

/// `POST /token`.
pub(crate) fn token(app: &App, req: &Req) -> Resp {
    binding::with_nonce(app, answer(app, req))
}

fn answer(app: &App, req: &Req) -> Resp {
    if let Some(elsewhere) = &app.decoy_token_url {
        // `token-307`: a client that follows this resends the code, verifier or secret.
        return Resp::new(307).with("Location", elsewhere);
    }
    let form = match form(req) {
        Ok(f) => f,
        Err(r) => return r,
    };
    // The proof before the client's credentials: a proof refused for its nonce must not
    // spend a client assertion (the retry brings a fresh proof, and need not bring a fresh
    // assertion).
    let proof = match binding::proof(app, req) {
        Ok(p) => p,
        Err(r) => return r,
    };
    // Authentication next: only authenticated requests spend a client's budget.
    let auth = match authenticate(app, req, &form) {
        Ok(a) => a,
        Err(r) => return r,
    };
    let by_certificate = auth.by_certificate();
    let client = auth.client;
    if let Some(r) = rate_limited(app, req, &client) {
        return r;
    }
    if proof.is_none() && (app.cfg.require_dpop || client.dpop_bound_access_tokens) {
        return err(
            "invalid_dpop_proof",
            "DPoP is required: send a DPoP proof (RFC 9449) with the token request",
        );
    }
    if let Some(p) = &proof
        && let Err(r) = binding::spend(app, p)
    {
        return r;
    }
    let mut bound = Binding {
        jkt: proof.map(|p| p.jkt),
        x5t_s256: None,
    };
    if by_certificate {
        bound = bound.with_certificate(req);
    }
    if app.cfg.misbehaves(Misbehave::Token200WithError) {
        return ok(&json!({"error": "invalid_grant",
                          "error_description": "an error with HTTP 200 (misbehave)"}));
    }
    let Some(grant_type) = form.get("grant_type") else {
        return err("invalid_request", "grant_type is required");
    };
    let Some(grant) = Grant::from_grant_type(grant_type) else {
        return err("unsupported_grant_type", "unsupported grant_type");
    };
    if !client.allows(grant) || (grant.needs_client_authentication() && client.is_public()) {
        return err(
            "unauthorized_client",
            "this client may not use this grant type",
        );
    }
    match grants::redeem(app, &client, grant, &form, &bound) {
        Ok(mut body) => {
            if app.cfg.misbehaves(Misbehave::TokenControlChars)
                || (grant == Grant::RefreshToken
                    && app.cfg.misbehaves(Misbehave::RefreshControlChars))
            {
                body.access_token = AccessToken::new(format!(
                    "{}{}",
                    body.access_token.expose(),
                    misbehave::INJECTED
                ));
            }
            ok(&body)
        }
        Err(r) => r,
    }
}
