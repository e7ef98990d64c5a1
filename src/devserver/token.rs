//! The back channel: `/token` (authorization_code + PKCE, refresh_token with rotation and
//! reuse detection, client_credentials, device_code), `/device_authorization`,
//! `/introspect` (RFC 7662), `/revoke` (RFC 7009) and `/userinfo`. Client authentication is
//! `client_auth`, token issuance `issue`.

use serde_json::json;

use super::authorize::MAX_KEPT_REQUEST;
use super::back_channel::{REALM, err, form, ok, too_many};
use super::client_auth::authenticate_client;
use super::grants;
use super::issue::add_profile_claims;
use super::misbehave;
use super::scope::{bad_scope, has, requested_audience, split_scope};
use super::state::{
    AccessRecord, DeviceRecord, DeviceStatus, Family, RefreshRecord, Store, bucket, ms, now_ms,
    source,
};
use super::wire::{Req, Resp, bearer, fingerprint, random_bytes, random_token};
use super::{App, Client, Misbehave};
use crate::oauth::grant::Grant;
use crate::oauth::secret::{AccessToken, DeviceCode};
use crate::oauth::token_type::TokenType;

/// The user-code alphabet: 20 consonants, no vowels (no words), no look-alikes
/// (RFC 8628 §6.1).
const USER_CODE_ALPHABET: &[u8; 20] = b"BCDFGHJKLMNPQRSTVWXZ";

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

/// A random user code over [`USER_CODE_ALPHABET`], 8 characters (≈34.6 bits; attempts are
/// rate limited), by rejection sampling so every letter is equally likely.
fn user_code() -> String {
    let mut out = String::with_capacity(8);
    while out.len() < 8 {
        for b in random_bytes(16) {
            // 240 = 12 × 20: bytes at or above it would bias the result.
            if b < 240 && out.len() < 8 {
                out.push(char::from(USER_CODE_ALPHABET[usize::from(b % 20)]));
            }
        }
    }
    out
}

/// `POST /device_authorization` (RFC 8628 §3.1–3.2).
pub(crate) fn device_authorization(app: &App, req: &Req) -> Resp {
    if req.body.len() > MAX_KEPT_REQUEST {
        return err("invalid_request", "the request is larger than 8 KiB");
    }
    let form = match form(req) {
        Ok(f) => f,
        Err(r) => return r,
    };
    let client = match authenticate_client(app, req, &form) {
        Ok(c) => c,
        Err(r) => return r,
    };
    if !client.allows(Grant::DeviceCode) {
        return err(
            "unauthorized_client",
            "this client may not use the device grant",
        );
    }
    let scope = split_scope(form.get("scope"));
    if let Some(bad) = bad_scope(app, client, &scope) {
        return err("invalid_scope", &format!("scope `{bad}` is not available"));
    }
    let audience = match requested_audience(&form) {
        Ok(a) => a,
        Err(e) => return err("invalid_target", e),
    };
    let device_code = DeviceCode::new(random_token());
    let now = now_ms();
    let mut store = app.store();
    store.maybe_prune(now);
    let mut code = user_code();
    while store.user_codes.contains_key(&code) {
        code = user_code();
    }
    let interval_ms = ms(app.cfg.device_interval);
    let fp = fingerprint(device_code.expose());
    store.insert_device(
        fp,
        code.clone(),
        DeviceRecord {
            client_id: client.id.clone(),
            scope,
            audience,
            user_code: format!("{}-{}", &code[..4], &code[4..]),
            expires_ms: now + ms(app.cfg.device_code_ttl),
            interval_ms,
            last_poll_ms: None,
            polls: 0,
            status: DeviceStatus::Pending,
            csrf: String::new(),
        },
    );
    let display = format!("{}-{}", &code[..4], &code[4..]);
    let verification_uri = format!("{}/device", app.issuer);
    ok(&json!({
        "device_code": device_code,
        "user_code": display,
        "verification_uri": verification_uri,
        "verification_uri_complete": format!("{verification_uri}?user_code={display}"),
        "expires_in": app.cfg.device_code_ttl.as_secs(),
        "interval": interval_ms.div_ceil(1000),
    }))
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

#[cfg(test)]
mod tests {
    use super::*;
    #[test]
    fn user_codes_use_the_consonant_alphabet() {
        for _ in 0..100 {
            let c = user_code();
            assert_eq!(c.len(), 8);
            assert!(c.bytes().all(|b| USER_CODE_ALPHABET.contains(&b)), "{c}");
        }
    }
}
