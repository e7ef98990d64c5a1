//! `POST /introspect` (RFC 7662): an authenticated client learns whether a token is
//! active; it sees the details of its own tokens only, unless it may introspect any.

use serde_json::json;

use super::App;
use super::Misbehave;
use super::back_channel::{err, form};
use super::claims;
use super::client_auth::authenticate_client;
use super::lookup::{Known, family_revoked, lookup};
use super::wire::{Req, Resp};

/// `POST /introspect` (RFC 7662).
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
    let now = app.now_ms();
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
                "active": active, "token_type": a.cnf.token_type(),
                "scope": a.scope.join(" "),
                "client_id": a.client_id, "sub": a.sub, "aud": a.aud, "iss": app.issuer,
                "exp": a.exp, "iat": a.iat, "nbf": a.iat, "jti": a.jti,
            });
            if let Some(u) = &a.username {
                body["username"] = json!(u);
            }
            // RFC 7662 §2.2 with RFC 9449 §6.2 and RFC 8705 §3.2: what binds the token.
            if !a.cnf.is_empty() {
                body["cnf"] = json!(a.cnf);
            }
            // RFC 8693 §4.1: who acts for the subject of a delegated token.
            if let Some(act) = &a.act {
                body["act"] = act.clone();
            }
            // The access token's custom claims (docs/serve.md), as issuance made them.
            if let Some(client) = app.cfg.registry.client(&a.client_id) {
                let user = a.username.as_deref().and_then(|u| app.cfg.registry.user(u));
                let custom = claims::for_token(&app.issuer, client, user, &a.sub, &a.scope);
                claims::add_to(&mut body, custom);
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
            let mut body = json!({
                "active": active, "token_type": "refresh_token", "scope": f.scope.join(" "),
                "client_id": f.client_id, "sub": f.user, "username": f.user,
                "iss": app.issuer, "exp": r.expires_ms / 1000, "iat": r.issued_s,
            });
            if let Some(jkt) = &f.jkt {
                body["cnf"] = json!({ "jkt": jkt });
            }
            Resp::json(200, &body)
        }
        _ => inactive(),
    }
}
