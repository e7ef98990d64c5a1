//! `POST /introspect` (RFC 7662): an authenticated client learns whether a token is
//! active; it sees the details of its own tokens only, unless it may introspect any.
//! Access tokens are verified (`super::access`) and checked against the revocation
//! denylists; refresh tokens are looked up.

use serde_json::json;

use super::App;
use super::Misbehave;
use super::access;
use super::back_channel::{err, form};
use super::claims;
use super::client_auth::authenticate_client;
use super::lookup::refresh_token;
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
    let may_see = |owner: &str| caller.introspect_any || caller.id == owner;
    let active = if app.cfg.misbehaves(Misbehave::IntrospectionActiveString) {
        json!("true")
    } else {
        json!(true)
    };
    if let Ok(a) = access::verify(app, token, None) {
        let now_s = app.now_ms() / 1000;
        if access::revoked(&app.store(), &a, now_s) || !may_see(&a.client_id) {
            return inactive();
        }
        let cnf = a.binding();
        let mut body = json!({
            "active": active, "token_type": cnf.token_type(),
            "scope": a.scope,
            "client_id": a.client_id, "sub": a.sub, "aud": a.aud, "iss": app.issuer,
            "exp": a.exp, "iat": a.iat, "nbf": a.nbf.unwrap_or(a.iat), "jti": a.jti,
        });
        if let Some(u) = &a.username {
            body["username"] = json!(u);
        }
        // RFC 7662 §2.2 with RFC 9449 §6.2 and RFC 8705 §3.2: what binds the token.
        if !cnf.is_empty() {
            body["cnf"] = json!(cnf);
        }
        // RFC 8693 §4.1: who acts for the subject of a delegated token.
        if let Some(act) = &a.act {
            body["act"] = act.clone();
        }
        // The access token's custom claims (docs/serve.md), as issuance made them.
        if let Some(client) = app.cfg.registry.client(&a.client_id) {
            let user = a.username.as_deref().and_then(|u| app.cfg.registry.user(u));
            let custom = claims::for_token(&app.issuer, client, user, &a.sub, &a.scopes());
            claims::add_to(&mut body, custom);
        }
        return Resp::json(200, &body);
    }
    let now = app.now_ms();
    let store = app.store();
    match refresh_token(&store, token) {
        Some((r, f))
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
