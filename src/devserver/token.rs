//! The back channel: `/token` (the grants are `grants`), `/introspect` (RFC 7662),
//! `/revoke` (RFC 7009) and `/userinfo`. Client authentication is `client_auth`, token
//! issuance `issue`, `/device_authorization` is `device_authorization`.

use serde_json::json;

use super::back_channel::{REALM, err, form, ok, too_many};
use super::client_auth::authenticate_client;
use super::grants;
use super::issue::add_profile_claims;
use super::misbehave;
use super::scope::has;
use super::state::{AccessRecord, Family, RefreshRecord, Store, bucket, now_ms, source};
use super::wire::{Req, Resp, bearer, fingerprint};
use super::{App, Client, Misbehave};
use crate::oauth::grant::Grant;
use crate::oauth::secret::AccessToken;
use crate::oauth::token_type::TokenType;

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
    if let Some(r) = rate_limited(app, req, client) {
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
    match grants::redeem(app, client, grant, &form) {
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

/// What a token string is, as far as this server knows.
enum Known {
    Access(AccessRecord),
    Refresh(RefreshRecord, Family),
}

fn lookup(store: &Store, token: &str) -> Option<Known> {
    let fp = fingerprint(token);
    if let Some(a) = store.access.get(&fp) {
        return Some(Known::Access(a.clone()));
    }
    let r = store.refresh.get(&fp)?;
    let f = store.families.get(&r.family)?;
    Some(Known::Refresh(r.clone(), f.clone()))
}

fn family_revoked(store: &Store, family: Option<u64>) -> bool {
    family.is_some_and(|f| store.families.get(&f).is_none_or(|f| f.revoked))
}

/// `POST /introspect` (RFC 7662; S15).
pub(crate) fn introspect(app: &App, req: &Req) -> Resp {
    let form = match form(req) {
        Ok(f) => f,
        Err(r) => return r,
    };
    let caller = match authenticate_client(app, req, &form) {
        Ok(c) => c,
        Err(r) => return r,
    };
    let Some(token) = form.get("token") else {
        return err("invalid_request", "token is required");
    };
    let inactive = || Resp::json(200, &json!({"active": false}));
    let now = now_ms();
    let store = app.store();
    let may_see = |owner: &str| caller.introspect_any || caller.id == owner;
    let active = if app.cfg.misbehaves(Misbehave::IntrospectionActiveString) {
        json!("true")
    } else {
        json!(true)
    };
    match lookup(&store, token) {
        Some(Known::Access(a))
            if !a.revoked
                && a.exp > now / 1000
                && !family_revoked(&store, a.family)
                && may_see(&a.client_id) =>
        {
            let mut body = json!({
                "active": active, "token_type": TokenType::Bearer.as_str(),
                "scope": a.scope.join(" "),
                "client_id": a.client_id, "sub": a.sub, "aud": a.aud, "iss": app.issuer,
                "exp": a.exp, "iat": a.iat, "nbf": a.iat, "jti": a.jti,
            });
            if let Some(u) = &a.username {
                body["username"] = json!(u);
            }
            Resp::json(200, &body)
        }
        Some(Known::Refresh(r, f))
            if !r.revoked
                && !f.revoked
                && r.rotated_ms.is_none()
                && r.expires_ms > now
                && may_see(&f.client_id) =>
        {
            Resp::json(
                200,
                &json!({
                    "active": active, "token_type": "refresh_token", "scope": f.scope.join(" "),
                    "client_id": f.client_id, "sub": f.user, "username": f.user,
                    "iss": app.issuer, "exp": r.expires_ms / 1000, "iat": r.issued_s,
                }),
            )
        }
        _ => inactive(),
    }
}

/// `POST /revoke` (RFC 7009; S16): 200 whatever the token was; only the caller's own tokens
/// are revoked; revoking a refresh token revokes its whole grant, access tokens included.
pub(crate) fn revoke(app: &App, req: &Req) -> Resp {
    let form = match form(req) {
        Ok(f) => f,
        Err(r) => return r,
    };
    let caller = match authenticate_client(app, req, &form) {
        Ok(c) => c,
        Err(r) => return r,
    };
    let Some(token) = form.get("token") else {
        return err("invalid_request", "token is required");
    };
    let mut store = app.store();
    match lookup(&store, token) {
        Some(Known::Access(a)) if a.client_id == caller.id => {
            if let Some(rec) = store.access.get_mut(&fingerprint(token)) {
                rec.revoked = true;
            }
        }
        Some(Known::Refresh(r, f)) if f.client_id == caller.id => store.revoke_family(r.family),
        _ => {}
    }
    Resp::new(200)
}

/// `GET|POST /userinfo` (OIDC Core §5.3): the bearer token in the header only.
pub(crate) fn userinfo(app: &App, req: &Req) -> Resp {
    let challenge = |status: u16, error: &str, desc: &str| {
        Resp::json(status, &json!({"error": error, "error_description": desc})).with(
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
    let Some(token) = req.header("authorization").and_then(bearer) else {
        return Resp::json(401, &json!({"error": "invalid_token"})).with(
            "WWW-Authenticate",
            &TokenType::Bearer.challenge(&[("realm", REALM)]),
        );
    };
    let store = app.store();
    let now_s = now_ms() / 1000;
    let record = match lookup(&store, token) {
        Some(Known::Access(a))
            if !a.revoked && a.exp > now_s && !family_revoked(&store, a.family) =>
        {
            a
        }
        _ => {
            return challenge(
                401,
                "invalid_token",
                "the access token is invalid or expired",
            );
        }
    };
    if !has(&record.scope, "openid") {
        return challenge(403, "insufficient_scope", "the openid scope is required");
    }
    let Some(user) = record
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
    let mut claims = json!({"sub": sub});
    add_profile_claims(&mut claims, user, &record.scope);
    Resp::json(200, &claims)
}
