//! The front channel: `/authorize` (the request validated by `authorization_request`, then
//! the login page, the consent page, or `--auto-approve`) and the authorization response:
//! errors and codes go back to the client with `iss` (RFC 9207) and the verbatim `state`.
//! The device verification pages are `device_pages`.
//!
//! A pushed request (RFC 9126 §4) arrives as `client_id` and `request_uri` alone and is
//! taken from the store of pushed requests (`par`), once; with `--require-par`, or for a
//! client registered with `require_pushed_authorization_requests`, nothing else is accepted.

use super::authorization_request::{AuthorizationRequest, Refusal};
use super::directory::Directory;
use super::form_checks::{authenticate, csrf_for, csrf_ok};
use super::pages;
use super::par::{REQUEST_URI_PREFIX, Refused};
use super::state::{CodeRecord, PendingAuth, ms};
use super::wire::{Params, Req, Resp, fingerprint, random_token};
use super::{App, Misbehave};
use crate::oauth::secret::{AuthorizationCode, State};

/// How long a login/consent page stays usable.
const PENDING_TTL_MS: u64 = 10 * 60 * 1000;

/// Appends `params` to `uri`'s query.
pub(crate) fn append_query(uri: &str, params: &[(&str, &str)]) -> String {
    let mut ser = url::form_urlencoded::Serializer::new(String::new());
    for (k, v) in params {
        ser.append_pair(k, v);
    }
    let sep = if uri.contains('?') { '&' } else { '?' };
    format!("{uri}{sep}{}", ser.finish())
}

/// Where and how to send an authorization response.
struct Back<'a> {
    redirect_uri: &'a str,
    state: Option<&'a str>,
    /// The `iss` parameter (RFC 9207), unless a misbehaviour drops it.
    issuer: Option<String>,
    /// `duplicate-callback-params`: every parameter twice.
    duplicate: bool,
    status: u16,
}

impl<'a> Back<'a> {
    fn new(app: &App, redirect_uri: &'a str, state: Option<&'a str>, status: u16) -> Self {
        let issuer = if app.cfg.misbehaves(Misbehave::CallbackMissingIss) {
            None
        } else if app.cfg.misbehaves(Misbehave::CallbackWrongIss) {
            Some(format!("{}/", app.issuer))
        } else {
            Some(app.issuer.clone())
        };
        Self {
            redirect_uri,
            state,
            issuer,
            duplicate: app.cfg.misbehaves(Misbehave::DuplicateCallbackParams),
            status,
        }
    }

    fn send(&self, params: &[(&str, &str)]) -> Resp {
        let mut p = params.to_vec();
        if let Some(s) = self.state {
            p.push(("state", s));
        }
        if let Some(iss) = &self.issuer {
            p.push(("iss", iss.as_str()));
        }
        if self.duplicate {
            p.extend(p.clone());
        }
        Resp::redirect(self.status, &append_query(self.redirect_uri, &p))
    }

    fn error(&self, error: &str, description: &str) -> Resp {
        self.send(&[("error", error), ("error_description", description)])
    }

    fn code(&self, code: &AuthorizationCode) -> Resp {
        self.send(&[("code", code.expose())])
    }
}

/// `GET|POST /authorize`.
pub(crate) fn authorize(app: &App, req: &Req) -> Resp {
    let raw = match pages::get_or_form(req) {
        Ok(raw) => raw,
        Err(page) => return page,
    };
    let pushed = match pushed_request(app, raw) {
        Ok(pushed) => pushed,
        Err(page) => return page,
    };
    let raw = pushed.as_deref().unwrap_or(raw);
    let (to, request) = match AuthorizationRequest::parse(&Directory::of(app, req.peer), raw) {
        Ok(request) => (request.return_to.clone(), Ok(request)),
        Err(Refusal::Redirect {
            to,
            error,
            description,
        }) => (to, Err((error, description))),
        Err(Refusal::Page {
            status,
            title,
            message,
        }) => return pages::error(status, title, &message),
    };
    let back = Back::new(
        app,
        &to.redirect_uri,
        to.state.as_ref().map(State::expose),
        if req.method == "POST" { 303 } else { 302 },
    );
    if app.cfg.misbehaves(Misbehave::ErrorWithoutState) {
        let stateless = Back {
            state: None,
            ..back
        };
        return stateless.error(
            "access_denied",
            "an error response without state (misbehave)",
        );
    }
    let request = match request {
        Ok(request) => request,
        Err((error, description)) => return back.error(error, &description),
    };
    if pushed.is_none()
        && (app.cfg.require_par || request.client.require_pushed_authorization_requests)
    {
        return back.error(
            "invalid_request",
            "pushed authorization requests are required: POST the request to the \
             pushed_authorization_request_endpoint, then send client_id and request_uri",
        );
    }
    let now = app.now_ms();
    let pending = PendingAuth {
        client_id: request.client.id.clone(),
        redirect_uri: request.return_to.redirect_uri,
        scope: request.scope,
        state: request.return_to.state,
        nonce: request.nonce,
        code_challenge: request.code_challenge,
        audience: request.audience,
        csrf: csrf_for(req),
        user: None,
        auth_time: None,
        expires_ms: now + PENDING_TTL_MS,
        dpop_jkt: request.dpop_jkt,
    };
    if let Some(user) = &app.cfg.auto_approve {
        // Only when the operator asked for it.
        let code = issue_code(app, &pending, user, now / 1000);
        return back.code(&code);
    }
    if request.prompt_none {
        return back.error("login_required", "the user is not signed in");
    }
    let txn = random_token();
    let csrf = pending.csrf.clone();
    {
        let mut store = app.store();
        store.maybe_prune(now);
        store.pending.insert(txn.clone(), pending);
    }
    pages::login(
        &app.base,
        &request.client.id,
        &app.cfg.registry.users,
        &txn,
        &csrf,
        false,
    )
}

/// The pushed request a `request_uri` names (RFC 9126 §4), taken from the store: `Ok(None)`
/// for a request that names none. Such a request carries only `client_id` and
/// `request_uri`; every refusal is an error page, as no redirect URI is established yet.
fn pushed_request(app: &App, raw: &[u8]) -> Result<Option<Vec<u8>>, Resp> {
    if !url::form_urlencoded::parse(raw).any(|(k, _)| k == "request_uri") {
        return Ok(None);
    }
    let page = |message: &str| pages::error(400, "Invalid request", message);
    let params = Params::parse(raw).map_err(|e| page(&e))?;
    if let Some((name, _)) = params
        .iter()
        .find(|(k, _)| !matches!(*k, "client_id" | "request_uri"))
    {
        return Err(page(&format!(
            "A request with request_uri carries only client_id and request_uri; `{name}` \
             belongs in the pushed request."
        )));
    }
    let (Some(client_id), Some(uri)) = (params.get("client_id"), params.get("request_uri")) else {
        return Err(page("A request with request_uri needs the client_id too."));
    };
    if !uri.starts_with(REQUEST_URI_PREFIX) {
        return Err(page(
            "This server knows only request_uri values it issued at /par.",
        ));
    }
    match app.store().pushed.take(uri, client_id, app.now_ms()) {
        Ok(pushed) => Ok(Some(pushed.raw)),
        Err(Refused::Unknown) => Err(page(
            "The request_uri is unknown, expired or was used already. Push the authorization \
             request again.",
        )),
        Err(Refused::OtherClient) => Err(page("The request_uri was pushed by another client.")),
    }
}

/// Stores a new authorization code and returns it.
fn issue_code(app: &App, p: &PendingAuth, user: &str, auth_time: u64) -> AuthorizationCode {
    let code = AuthorizationCode::new(random_token());
    let record = CodeRecord {
        client_id: p.client_id.clone(),
        redirect_uri: p.redirect_uri.clone(),
        scope: p.scope.clone(),
        nonce: p.nonce.clone(),
        code_challenge: p.code_challenge.clone(),
        audience: p.audience.clone(),
        user: user.to_owned(),
        auth_time,
        expires_ms: app.now_ms() + ms(app.cfg.code_ttl),
        used: false,
        family: None,
        dpop_jkt: p.dpop_jkt.clone(),
    };
    let mut store = app.store();
    store.maybe_prune(app.now_ms());
    store.codes.insert(fingerprint(code.expose()), record);
    code
}

/// Looks up the pending request of a login/consent form after the CSRF check.
fn pending_for(app: &App, req: &Req) -> Result<(Params, String, PendingAuth), Resp> {
    if !req.is_form() {
        return Err(pages::error(
            400,
            "Invalid request",
            "Expected a form submission.",
        ));
    }
    let form = req
        .form()
        .map_err(|e| pages::error(400, "Invalid request", &e))?;
    let txn = form.get("txn").unwrap_or_default().to_owned();
    let pending = app
        .store()
        .pending
        .get(&txn)
        .filter(|p| p.expires_ms > app.now_ms())
        .cloned()
        .ok_or_else(|| {
            pages::error(
                400,
                "Request expired",
                "This sign-in request is unknown or expired. Start again from the application.",
            )
        })?;
    if !csrf_ok(req, &form, &pending.csrf) {
        return Err(pages::error(
            403,
            "Forbidden",
            "The form could not be verified (CSRF check failed). Start again from the application.",
        ));
    }
    Ok((form, txn, pending))
}

/// `POST /authorize/login`.
pub(crate) fn login(app: &App, req: &Req) -> Resp {
    let (form, txn, pending) = match pending_for(app, req) {
        Ok(v) => v,
        Err(r) => return r,
    };
    let username = form.get("username").unwrap_or_default();
    if !authenticate(app, username, form.get("password").unwrap_or_default()) {
        return pages::login(
            &app.base,
            &pending.client_id,
            &app.cfg.registry.users,
            &txn,
            &pending.csrf,
            true,
        );
    }
    let mut store = app.store();
    let Some(p) = store.pending.get_mut(&txn) else {
        return pages::error(400, "Request expired", "Start again from the application.");
    };
    p.user = Some(username.to_owned());
    p.auth_time = Some(app.now_ms() / 1000);
    pages::consent(
        &app.base,
        &p.client_id,
        username,
        &p.scope,
        &p.redirect_uri,
        &txn,
        &p.csrf,
    )
}

/// `POST /authorize/consent`.
pub(crate) fn consent(app: &App, req: &Req) -> Resp {
    let (form, txn, pending) = match pending_for(app, req) {
        Ok(v) => v,
        Err(r) => return r,
    };
    let (Some(user), Some(auth_time)) = (&pending.user, pending.auth_time) else {
        return pages::error(403, "Forbidden", "Sign in first.");
    };
    app.store().pending.remove(&txn);
    let back = Back::new(
        app,
        &pending.redirect_uri,
        pending.state.as_ref().map(State::expose),
        303,
    );
    match form.get("decision") {
        Some("approve") => back.code(&issue_code(app, &pending, user, auth_time)),
        _ => back.error("access_denied", "the user denied the request"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn queries_are_appended() {
        assert_eq!(
            append_query("http://x/cb", &[("code", "a b"), ("state", "&")]),
            "http://x/cb?code=a+b&state=%26"
        );
        assert_eq!(
            append_query("http://x/cb?k=v", &[("a", "1")]),
            "http://x/cb?k=v&a=1"
        );
    }
}
