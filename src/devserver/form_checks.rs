//! Checks the browser forms share (login, consent, device verification): the
//! double-submit CSRF token and the user's password.

use super::App;
use super::pages::CSRF_COOKIE;
use super::wire::{Params, Req, random_token, secrets_equal};

/// The CSRF value for a new page: the browser's existing cookie, else a fresh one.
pub(crate) fn csrf_for(req: &Req) -> String {
    req.cookie(CSRF_COOKIE)
        .filter(|c| {
            c.len() == 43
                && c.bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        })
        .unwrap_or_else(random_token)
}

/// Double-submit check: the hidden field, the cookie and the server's copy all agree.
pub(crate) fn csrf_ok(req: &Req, form: &Params, expected: &str) -> bool {
    let field = form.get("csrf").unwrap_or_default();
    let cookie = req.cookie(CSRF_COOKIE).unwrap_or_default();
    !expected.is_empty() && secrets_equal(field, expected) && secrets_equal(&cookie, expected)
}

/// Checks a username and password in constant time per user.
pub(crate) fn authenticate(app: &App, username: &str, password: &str) -> bool {
    app.cfg
        .registry
        .user(username)
        .is_some_and(|u| secrets_equal(&u.password, password))
}
