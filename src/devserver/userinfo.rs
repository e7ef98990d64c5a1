//! `GET|POST /userinfo` (OIDC Core §5.3): the claims of the user an access token was issued
//! for, limited by its scopes; the token in the `Authorization` header only (RFC 6750 §2).

use serde_json::json;

use super::access;
use super::api::check_binding;
use super::back_channel::REALM;
use super::binding::with_nonce;
use super::claims;
use super::issue::add_profile_claims;
use super::sender;
use super::wire::{Req, Resp};
use super::{App, Misbehave};
use crate::oauth::token_type::TokenType;

/// `GET|POST /userinfo` (OIDC Core §5.3): the token in the header only, held to its
/// binding as at the demo API (a DPoP proof, a client certificate).
pub(crate) fn userinfo(app: &App, req: &Req) -> Resp {
    with_nonce(app, answer(app, req))
}

fn answer(app: &App, req: &Req) -> Resp {
    let challenge = |status: u16, error: &str, desc: &str| {
        Resp::oauth_error(status, error, desc).with(
            "WWW-Authenticate",
            &TokenType::Bearer.challenge(&[
                ("realm", REALM),
                ("error", error),
                ("error_description", desc),
            ]),
        )
    };
    if req.query.contains("access_token")
        || (req.is_form() && req.form().is_ok_and(|f| f.has("access_token")))
    {
        return challenge(
            400,
            "invalid_request",
            "send the token in the Authorization header",
        );
    }
    let (scheme, token) = match sender::presented(req) {
        Ok(Some(presented)) => presented,
        Ok(None) => {
            return Resp::error_code(401, "invalid_token")
                .with(
                    "WWW-Authenticate",
                    &TokenType::Bearer.challenge(&[("realm", REALM)]),
                )
                .with(
                    "WWW-Authenticate",
                    &TokenType::DPoP.challenge(&[("realm", REALM), ("algs", &sender::dpop_algs())]),
                );
        }
        Err(d) => return d.into_resp(REALM, None),
    };
    let Ok(at) = access::check(app, token, None) else {
        return challenge(
            401,
            "invalid_token",
            "the access token is invalid or expired",
        );
    };
    if let Err(d) = check_binding(app, req, token, scheme, &at.binding()) {
        return d.into_resp(REALM, None);
    }
    if !at.has_scope("openid") {
        return challenge(403, "insufficient_scope", "the openid scope is required");
    }
    let Some(user) = at
        .username
        .as_deref()
        .and_then(|u| app.cfg.registry.user(u))
    else {
        return challenge(401, "invalid_token", "the token has no user");
    };
    let sub = if app.cfg.misbehaves(Misbehave::UserinfoSubMismatch) {
        format!("{}-other", user.username)
    } else {
        user.username.clone()
    };
    let scopes = at.scopes();
    let mut body = json!({"sub": sub});
    add_profile_claims(&mut body, user, &scopes);
    if let Some(client) = app.cfg.registry.client(&at.client_id) {
        let custom = claims::for_token(&app.issuer, client, Some(user), &user.username, &scopes);
        claims::add_to(&mut body, custom);
    }
    Resp::json(200, &body)
}
