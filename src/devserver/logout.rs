//! `GET|POST /logout`, the `end_session_endpoint` (OpenID Connect RP-Initiated Logout 1.0):
//! `id_token_hint`, `client_id`, `post_logout_redirect_uri` and `state`.
//!
//! The server keeps no sign-in session (every authorization signs the user in again, or
//! `--auto-approve` does), so what a logout ends is the user's grants to the client: every
//! refresh token (with the access tokens of its grant) that the client holds for the user
//! the `id_token_hint` names. A request that cannot be trusted is an error page, never a
//! redirect: an `id_token_hint` this server did not sign, one for another client than
//! `client_id`, a `post_logout_redirect_uri` not registered for the client (exact match).
//! The user confirms on a page, unless `--auto-approve`.

use serde_json::{Map, Value};

use super::App;
use super::access;
use super::authorize::append_query;
use super::directory::Directory;
use super::form_checks::{csrf_for, csrf_ok};
use super::keys::Own;
use super::pages;
use super::pages::CSRF_COOKIE;
use super::wire::{Params, Req, Resp};

/// A checked logout request.
#[derive(Debug)]
struct Logout {
    /// The client the logout is for, if the request names one.
    client_id: Option<String>,
    /// The user the `id_token_hint` names.
    user: Option<String>,
    /// Where to send the browser afterwards (registered for the client).
    redirect: Option<String>,
}

fn refused(message: &str) -> Resp {
    pages::error(400, "Logout refused", message)
}

/// `GET|POST /logout`.
pub(crate) fn logout(app: &App, req: &Req) -> Resp {
    let params = match pages::get_or_form(req) {
        Ok(raw) => Params::parse(raw),
        Err(page) => return page,
    };
    let params = match params {
        Ok(p) => p,
        Err(e) => return pages::error(400, "Invalid request", &e),
    };
    let logout = match check(app, req, &params) {
        Ok(l) => l,
        Err(page) => return page,
    };
    let decision = params.get("decision").filter(|_| req.method == "POST");
    if app.cfg.auto_approve.is_none() {
        // Double submit: the form's field must equal the page's cookie (SameSite=Strict).
        // No server-side copy is kept, as nothing is pending between the two requests.
        let csrf = req.cookie(CSRF_COOKIE).unwrap_or_default();
        if decision.is_none() || !csrf_ok(req, &params, &csrf) {
            return pages::logout_confirm(
                &app.base,
                logout.client_id.as_deref(),
                logout.user.as_deref(),
                &params,
                &csrf_for(req),
            );
        }
        if decision != Some("logout") {
            return pages::logged_out(false);
        }
    }
    if let (Some(client_id), Some(user)) = (&logout.client_id, &logout.user) {
        end_grants(app, client_id, user);
    }
    match &logout.redirect {
        Some(uri) => {
            let location = match params.get("state") {
                Some(state) => append_query(uri, &[("state", state)]),
                None => uri.clone(),
            };
            Resp::redirect(if req.method == "POST" { 303 } else { 302 }, &location)
        }
        None => pages::logged_out(true),
    }
}

/// Revokes every grant (refresh token family, with its access tokens) `client_id` holds for
/// `user`.
fn end_grants(app: &App, client_id: &str, user: &str) {
    let mut store = app.store();
    let families: Vec<u64> = store
        .families
        .iter()
        .filter(|(_, f)| !f.revoked && f.client_id == client_id && f.user == user)
        .map(|(id, _)| *id)
        .collect();
    for id in families {
        access::revoke_grant(app, &mut store, id);
    }
}

/// Checks the request's parameters (see the module documentation).
fn check(app: &App, req: &Req, params: &Params) -> Result<Logout, Resp> {
    let hint = params
        .get("id_token_hint")
        .map(|t| id_token_hint(app, t))
        .transpose()?;
    let hinted_client = hint.as_ref().map(|h| h.client_id.clone());
    let client_id = match (params.get("client_id"), &hint) {
        (Some(id), Some(h)) if !h.audience.iter().any(|a| a == id) => {
            return Err(refused(
                "The id_token_hint was issued to another client than client_id.",
            ));
        }
        (Some(id), _) => Some(id.to_owned()),
        (None, _) => hinted_client,
    };
    let client = match &client_id {
        Some(id) => Some(
            Directory::of(app, req.peer)
                .client(id)
                .map_err(|_| refused("The client is unknown to this server."))?
                .into_owned(),
        ),
        None => None,
    };
    let redirect = match (params.get("post_logout_redirect_uri"), &client) {
        (None, _) => None,
        (Some(_), None) => {
            return Err(refused(
                "A post_logout_redirect_uri needs client_id or id_token_hint, to know whose \
                 registered URIs to check it against.",
            ));
        }
        (Some(uri), Some(c)) if c.post_logout_redirect_uris.iter().any(|r| r == uri) => {
            Some(uri.to_owned())
        }
        (Some(_), Some(c)) => {
            return Err(refused(&format!(
                "The post_logout_redirect_uri is not registered for client `{}` \
                 (post_logout_redirect_uris in the server config; exact match).",
                c.id
            )));
        }
    };
    Ok(Logout {
        client_id,
        user: hint.map(|h| h.sub),
        redirect,
    })
}

/// What an `id_token_hint` says.
struct Hint {
    sub: String,
    /// The client it was issued to (`azp`, one of its audiences).
    client_id: String,
    audience: Vec<String>,
}

/// Checks an ID token this server signed: one of its keys, its `iss`, an ID token (`typ`
/// `JWT` and an `azp` among its audiences: not an access token, nor a JWT a token exchange
/// issued for an API). An expired one is accepted, as RP-Initiated Logout 1.0 §2 asks.
fn id_token_hint(app: &App, token: &str) -> Result<Hint, Resp> {
    let foreign = || refused("The id_token_hint is not an ID token this server issued.");
    // Expired hints are still hints (RP-Initiated Logout §2): no time claim is checked.
    let own = Own {
        issuer: &app.issuer,
        typ: Some("JWT"),
        required: &["iss", "sub", "aud"],
        audiences: None,
    };
    let (_, claims): (_, Map<String, Value>) =
        app.keys().verify_own(token, &own).map_err(|_| foreign())?;
    let sub = claims
        .get("sub")
        .and_then(Value::as_str)
        .ok_or_else(foreign)?;
    let audience: Vec<String> = match claims.get("aud") {
        Some(Value::String(a)) => vec![a.clone()],
        Some(Value::Array(a)) => a
            .iter()
            .filter_map(Value::as_str)
            .map(str::to_owned)
            .collect(),
        _ => Vec::new(),
    };
    // Every ID token of this server names its client in `azp`; a JWT without it (one a
    // token exchange issued for an API) is no ID token.
    let client_id = claims
        .get("azp")
        .and_then(Value::as_str)
        .filter(|azp| audience.iter().any(|a| a == azp))
        .ok_or_else(foreign)?
        .to_owned();
    Ok(Hint {
        sub: sub.to_owned(),
        client_id,
        audience,
    })
}
