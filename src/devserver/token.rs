//! `POST /token` (RFC 6749 §3.2): parses the form, authenticates the client
//! (`client_auth`), applies the per-client rate limit and hands the request to the handler
//! of its grant (`grants`), which issues through `issue`.

use serde_json::json;

use super::back_channel::{err, form, ok, too_many};
use super::client_auth::authenticate_client;
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
    if let Some(elsewhere) = &app.decoy_token_url {
        // `token-307`: a client that follows this resends the code, verifier or secret.
        return Resp::new(307).with("Location", elsewhere);
    }
    let form = match form(req) {
        Ok(f) => f,
        Err(r) => return r,
    };
    // Authentication first: only authenticated requests spend a client's budget.
    let client = match authenticate_client(app, req, &form) {
        Ok(c) => c,
        Err(r) => return r,
    };
    if let Some(r) = rate_limited(app, req, &client) {
        return r;
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
    match grants::redeem(app, &client, grant, &form) {
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
