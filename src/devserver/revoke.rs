//! `POST /revoke` (RFC 7009).

use super::App;
use super::access;
use super::back_channel::{err, form};
use super::client_auth::authenticate_client;
use super::lookup::refresh_token;
use super::wire::{Req, Resp};

/// `POST /revoke` (RFC 7009): 200 whatever the token was; only the caller's own tokens
/// are revoked; revoking a refresh token revokes its whole grant, access tokens included.
/// An access token is revoked by putting its `jti` on the denylist until it expires; when
/// the denylist is full of live entries the answer is `503` with `Retry-After`, and the
/// client must assume the token still exists (RFC 7009 §2.2.1).
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
    // Signature checks happen before the store is locked.
    let access = access::verify(app, token, None).ok();
    let now_s = app.now_ms() / 1000;
    let mut store = app.store();
    store.maybe_prune(app.now_ms());
    if let Some(claims) = access {
        if claims.client_id == caller.id
            && let Err(wait) = store.revoked_tokens.insert(claims.jti, claims.exp, now_s)
        {
            return Resp::oauth_error(
                503,
                "temporarily_unavailable",
                "too many revoked tokens are remembered; retry later",
            )
            .with("Retry-After", &wait.to_string());
        }
    } else if let Some((r, f)) = refresh_token(&store, token)
        && f.client_id == caller.id
    {
        access::revoke_grant(app, &mut store, r.family);
    }
    Resp::new(200)
}
