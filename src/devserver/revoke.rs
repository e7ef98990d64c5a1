//! `POST /revoke` (RFC 7009).

use super::App;
use super::back_channel::{err, form};
use super::client_auth::authenticate_client;
use super::lookup::{Known, lookup};
use super::wire::{Req, Resp, fingerprint};

/// `POST /revoke` (RFC 7009): 200 whatever the token was; only the caller's own tokens
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
