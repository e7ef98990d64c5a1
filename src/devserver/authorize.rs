//! The front channel: `/authorize` (validation, login page, consent page, or
//! `--auto-approve`) and the device verification pages (`/device`, RFC 8628 §3.3).
//!
//! Order of checks (RFC 6749 §4.1.2.1, RFC 9700 §4.11.2): the client and the redirect URI
//! are established first; until both are, errors are shown as a page and never redirected
//! (S5). After that, errors go back to the client with `iss` and the verbatim `state` (S10).

use std::collections::HashSet;

use crate::oauth::grant::Grant;
use crate::oauth::secret::{AuthorizationCode, Nonce, State};

use super::clients::redirect_uri_matches;
use super::pages::{self, CSRF_COOKIE};
use super::state::{CodeRecord, DeviceStatus, PendingAuth, ms, now_ms};
use super::wire::{Params, Req, Resp, fingerprint, random_token, secrets_equal};
use super::{App, Misbehave};

/// How long a login/consent page stays usable.
const PENDING_TTL_MS: u64 = 10 * 60 * 1000;

/// Device verification attempts per minute (all users together; S17).
pub(crate) const DEVICE_ATTEMPTS_PER_MINUTE: u32 = 20;

/// Largest request whose parameters the server keeps until a user acts (an authorization
/// request, a device authorization request): with at most `state::MAX_PENDING` of each
/// kept, this bounds their memory.
pub(crate) const MAX_KEPT_REQUEST: usize = 8 * 1024;

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

/// RFC 7636 §4.2: 43–128 characters of `[A-Za-z0-9-._~]`.
pub(crate) fn valid_pkce_value(v: &str) -> bool {
    (43..=128).contains(&v.len())
        && v.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-._~".contains(&b))
}

/// The CSRF value for a new page: the browser's existing cookie, else a fresh one.
fn csrf_for(req: &Req) -> String {
    req.cookie(CSRF_COOKIE)
        .filter(|c| {
            c.len() == 43
                && c.bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        })
        .unwrap_or_else(random_token)
}

/// Double-submit check: the hidden field, the cookie and the server's copy all agree.
fn csrf_ok(req: &Req, form: &Params, expected: &str) -> bool {
    let field = form.get("csrf").unwrap_or_default();
    let cookie = req.cookie(CSRF_COOKIE).unwrap_or_default();
    !expected.is_empty() && secrets_equal(field, expected) && secrets_equal(&cookie, expected)
}

/// Splits a `scope` parameter, removing repeats.
pub(crate) fn split_scope(raw: Option<&str>) -> Vec<String> {
    let mut seen = HashSet::new();
    raw.unwrap_or_default()
        .split(' ')
        .filter(|s| !s.is_empty())
        .filter(|s| seen.insert((*s).to_owned()))
        .map(str::to_owned)
        .collect()
}

/// Checks requested scopes against the server and the client; the first bad one, if any.
pub(crate) fn bad_scope<'a>(
    app: &App,
    client: &super::Client,
    scope: &'a [String],
) -> Option<&'a str> {
    scope
        .iter()
        .find(|s| !app.cfg.registry.scopes.contains(s) || !client.may_request(s))
        .map(String::as_str)
}

/// The requested audience: `resource` (RFC 8707) or `audience`; both must agree.
pub(crate) fn requested_audience(p: &Params) -> Result<Option<String>, &'static str> {
    match (p.get("resource"), p.get("audience")) {
        (Some(r), Some(a)) if r != a => Err("`resource` and `audience` disagree"),
        (Some(r), _) if url::Url::parse(r).is_err() || r.contains('#') => {
            Err("`resource` must be an absolute URI without a fragment")
        }
        (Some(v), _) | (None, Some(v)) => Ok(Some(v.to_owned())),
        (None, None) => Ok(None),
    }
}

/// `GET|POST /authorize`.
pub(crate) fn authorize(app: &App, req: &Req) -> Resp {
    let raw: &[u8] = match req.method.as_str() {
        "GET" => req.query.as_bytes(),
        "POST" if req.is_form() => &req.body,
        "POST" => {
            return pages::error(
                400,
                "Invalid request",
                "The form must be application/x-www-form-urlencoded.",
            );
        }
        _ => return pages::error(405, "Method not allowed", "Use GET or POST."),
    };
    if raw.len() > MAX_KEPT_REQUEST {
        return pages::error(
            413,
            "Request too large",
            "An authorization request may carry at most 8 KiB of parameters.",
        );
    }
    // Parse leniently first, to know where errors may be sent.
    let mut counts = std::collections::HashMap::<String, usize>::new();
    let mut values = std::collections::HashMap::<String, String>::new();
    for (k, v) in url::form_urlencoded::parse(raw) {
        *counts.entry(k.to_string()).or_default() += 1;
        if !v.is_empty() {
            values.insert(k.into_owned(), v.into_owned());
        }
    }
    let single = |name: &str| counts.get(name).copied().unwrap_or(0) <= 1;
    if !single("client_id") || !single("redirect_uri") {
        return pages::error(
            400,
            "Invalid request",
            "client_id and redirect_uri must not be repeated.",
        );
    }
    let Some(client_id) = values.get("client_id") else {
        return pages::error(400, "Invalid request", "The request has no client_id.");
    };
    let Some(client) = app.cfg.registry.client(client_id) else {
        return pages::error(
            400,
            "Unknown client",
            &format!("There is no client `{client_id}` on this server."),
        );
    };
    let Some(redirect_uri) = values.get("redirect_uri") else {
        return pages::error(400, "Invalid request", "The request has no redirect_uri.");
    };
    if !client
        .redirect_uris
        .iter()
        .any(|r| redirect_uri_matches(r, redirect_uri))
    {
        return pages::error(
            400,
            "Invalid redirect URI",
            &format!("`{redirect_uri}` is not registered for client `{client_id}`."),
        );
    }
    let state = values
        .get("state")
        .filter(|_| single("state"))
        .map(String::as_str);
    let back = Back::new(
        app,
        redirect_uri,
        state,
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
    if let Some((name, _)) = counts.iter().find(|(_, n)| **n > 1) {
        return back.error(
            "invalid_request",
            &format!("parameter `{name}` is repeated"),
        );
    }
    let p = match Params::parse(raw) {
        Ok(p) => p,
        Err(e) => return back.error("invalid_request", &e),
    };
    match p.get("response_type") {
        Some("code") => {}
        None => return back.error("invalid_request", "response_type is required"),
        Some(_) => {
            return back.error(
                "unsupported_response_type",
                "only response_type=code is supported",
            );
        }
    }
    if !client.allows(Grant::AuthorizationCode) {
        return back.error(
            "unauthorized_client",
            "this client may not use the authorization code grant",
        );
    }
    if p.get("response_mode").is_some_and(|m| m != "query") {
        return back.error("invalid_request", "only response_mode=query is supported");
    }
    if p.has("request") || p.has("request_uri") {
        return back.error("request_not_supported", "request objects are not supported");
    }
    let scope = split_scope(p.get("scope"));
    if let Some(bad) = bad_scope(app, client, &scope) {
        return back.error("invalid_scope", &format!("scope `{bad}` is not available"));
    }
    // PKCE (RFC 7636; RFC 9700 §2.1.1): S256 only, required for public clients.
    let challenge = p.get("code_challenge");
    match (challenge, p.get("code_challenge_method")) {
        (None, None) if client.is_public() => {
            return back.error(
                "invalid_request",
                "PKCE is required: send code_challenge with code_challenge_method=S256",
            );
        }
        (None, None) | (Some(_), Some("S256")) => {}
        (Some(_), None) => {
            return back.error(
                "invalid_request",
                "code_challenge_method is required and must be S256 (plain is not supported)",
            );
        }
        (None, Some(_)) => {
            return back.error(
                "invalid_request",
                "code_challenge_method without code_challenge",
            );
        }
        (_, Some(_)) => {
            return back.error(
                "invalid_request",
                "code_challenge_method must be S256 (plain is not supported)",
            );
        }
    }
    if challenge.is_some_and(|c| !valid_pkce_value(c)) {
        return back.error(
            "invalid_request",
            "code_challenge must be 43-128 characters of [A-Za-z0-9-._~]",
        );
    }
    let audience = match requested_audience(&p) {
        Ok(a) => a,
        Err(e) => return back.error("invalid_target", e),
    };
    let now = now_ms();
    let pending = PendingAuth {
        client_id: client.id.clone(),
        redirect_uri: redirect_uri.clone(),
        scope,
        state: state.map(State::new),
        nonce: p.get("nonce").map(Nonce::new),
        code_challenge: challenge.map(str::to_owned),
        audience,
        csrf: csrf_for(req),
        user: None,
        auth_time: None,
        expires_ms: now + PENDING_TTL_MS,
    };
    if let Some(user) = &app.cfg.auto_approve {
        // S23: only when the operator asked for it.
        let code = issue_code(app, &pending, user, now / 1000);
        return back.code(&code);
    }
    if p.get("prompt")
        .is_some_and(|pr| pr.split(' ').any(|x| x == "none"))
    {
        return back.error("login_required", "the user is not signed in");
    }
    let txn = random_token();
    let csrf = pending.csrf.clone();
    {
        let mut store = app.store();
        store.maybe_prune(now);
        store.pending.insert(txn.clone(), pending);
    }
    pages::login(&client.id, &app.cfg.registry.users, &txn, &csrf, false)
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
        expires_ms: now_ms() + ms(app.cfg.code_ttl),
        used: false,
        family: None,
    };
    let mut store = app.store();
    store.maybe_prune(now_ms());
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
        .filter(|p| p.expires_ms > now_ms())
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

/// Checks a username and password in constant time per user.
fn authenticate(app: &App, username: &str, password: &str) -> bool {
    app.cfg
        .registry
        .user(username)
        .is_some_and(|u| secrets_equal(&u.password, password))
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
    p.auth_time = Some(now_ms() / 1000);
    pages::consent(&p.client_id, username, &p.scope, &txn, &p.csrf)
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

/// Keeps the letters of a user code, upper-cased (RFC 8628 §6.1: case and punctuation
/// insensitive).
pub(crate) fn normalize_user_code(raw: &str) -> String {
    raw.chars()
        .filter(char::is_ascii_alphabetic)
        .map(|c| c.to_ascii_uppercase())
        .take(64)
        .collect()
}

/// One verification attempt against the global limit; `Some` is the 429 page.
fn device_attempt(app: &App) -> Option<Resp> {
    let now = now_ms();
    let mut store = app.store();
    let bucket = store
        .device_attempts
        .get_or_insert_with(|| super::state::Bucket::full(DEVICE_ATTEMPTS_PER_MINUTE, now));
    bucket
        .take(DEVICE_ATTEMPTS_PER_MINUTE, now)
        .err()
        .map(|retry| {
            pages::error(429, "Too many attempts", "Wait a minute, then try again.")
                .with("Retry-After", &retry.to_string())
        })
}

/// `GET|POST /device`.
pub(crate) fn device_page(app: &App, req: &Req) -> Resp {
    match req.method.as_str() {
        "GET" => {
            let prefill = req
                .query_params()
                .ok()
                .and_then(|p| p.get("user_code").map(str::to_owned))
                .unwrap_or_default();
            pages::device_entry(&prefill, &csrf_for(req), None)
        }
        "POST" => {
            if let Some(limited) = device_attempt(app) {
                return limited;
            }
            if !req.is_form() {
                return pages::error(400, "Invalid request", "Expected a form submission.");
            }
            let form = match req.form() {
                Ok(f) => f,
                Err(e) => return pages::error(400, "Invalid request", &e),
            };
            let cookie = req.cookie(CSRF_COOKIE).unwrap_or_default();
            if !csrf_ok(req, &form, &cookie) {
                return pages::error(403, "Forbidden", "The form could not be verified.");
            }
            let raw = form.get("user_code").unwrap_or_default();
            let code = normalize_user_code(raw);
            let now = now_ms();
            let mut store = app.store();
            let found = store.user_codes.get(&code).cloned().filter(|fp| {
                store
                    .devices
                    .get(fp)
                    .is_some_and(|d| d.status == DeviceStatus::Pending && d.expires_ms > now)
            });
            let Some(fp) = found else {
                drop(store);
                return pages::device_entry(raw, &cookie, Some("That code is unknown or expired."));
            };
            let Some(d) = store.devices.get_mut(&fp) else {
                return pages::error(400, "Unknown code", "That code is unknown or expired.");
            };
            d.csrf.clone_from(&cookie);
            pages::device_approve(&d.user_code, &d.client_id, &d.scope, &cookie, false)
        }
        _ => pages::error(405, "Method not allowed", "Use GET or POST."),
    }
}

/// `POST /device/approve`.
pub(crate) fn device_approve(app: &App, req: &Req) -> Resp {
    if let Some(limited) = device_attempt(app) {
        return limited;
    }
    if !req.is_form() {
        return pages::error(400, "Invalid request", "Expected a form submission.");
    }
    let form = match req.form() {
        Ok(f) => f,
        Err(e) => return pages::error(400, "Invalid request", &e),
    };
    let code = normalize_user_code(form.get("user_code").unwrap_or_default());
    let now = now_ms();
    let (fp, record) = {
        let store = app.store();
        let Some(fp) = store.user_codes.get(&code).cloned() else {
            return pages::error(400, "Unknown code", "That code is unknown or expired.");
        };
        let Some(record) = store.devices.get(&fp).cloned() else {
            return pages::error(400, "Unknown code", "That code is unknown or expired.");
        };
        (fp, record)
    };
    if record.status != DeviceStatus::Pending || record.expires_ms <= now {
        return pages::error(400, "Unknown code", "That code is unknown or expired.");
    }
    if !csrf_ok(req, &form, &record.csrf) {
        return pages::error(403, "Forbidden", "The form could not be verified.");
    }
    let approve = form.get("decision") == Some("approve");
    let username = form.get("username").unwrap_or_default();
    if approve && !authenticate(app, username, form.get("password").unwrap_or_default()) {
        return pages::device_approve(
            &record.user_code,
            &record.client_id,
            &record.scope,
            &record.csrf,
            true,
        );
    }
    let mut store = app.store();
    if let Some(d) = store.devices.get_mut(&fp) {
        d.status = if approve {
            DeviceStatus::Approved {
                user: username.to_owned(),
                auth_time: now / 1000,
            }
        } else {
            DeviceStatus::Denied
        };
    }
    pages::device_done(approve)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn user_codes_normalize() {
        assert_eq!(normalize_user_code("bcdf-ghjk"), "BCDFGHJK");
        assert_eq!(normalize_user_code(" B C D F . G H J K "), "BCDFGHJK");
    }

    #[test]
    fn pkce_values_follow_the_abnf() {
        assert!(valid_pkce_value(&"a".repeat(43)));
        assert!(!valid_pkce_value(&"a".repeat(42)));
        assert!(!valid_pkce_value(&"a".repeat(129)));
        assert!(!valid_pkce_value(&format!("{}+", "a".repeat(43))));
    }

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
