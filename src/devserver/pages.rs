//! The HTML pages: small hand-written templates. Every reflected value goes through
//! `html_escape`; the page security headers come from `Resp::html`. No scripts, no
//! third-party resources.

use std::fmt::Write as _;

use super::wire::{Params, Req, Resp, html_escape as e};
use super::{App, Registry, User};

/// The CSRF cookie (double submit: cookie + hidden field + server-side copy).
pub(crate) const CSRF_COOKIE: &str = "oauthctl_devserver_csrf";

const STYLE: &str = "body{font-family:system-ui,sans-serif;max-width:32rem;margin:3rem auto;\
padding:0 1rem;color:#222}h1{font-size:1.4rem}.warn{background:#fff3cd;padding:.5rem;\
border-radius:4px;font-size:.9rem}.err{color:#b00020}label{display:block;margin:.6rem 0}\
input[type=text],input[type=password]{width:100%;padding:.4rem;font-size:1rem}\
button{padding:.5rem 1rem;margin-right:.5rem;font-size:1rem}code{background:#eee;padding:0 .2rem}";

/// A whole page around `body` (already escaped).
fn layout(title: &str, body: &str) -> String {
    format!(
        "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width\"><title>{}</title>\
         <style>{STYLE}</style></head><body>\
         <p class=\"warn\">oauthctl development server &mdash; for local testing only.</p>\
         {body}</body></html>\n",
        e(title)
    )
}

/// A page with a CSRF cookie.
fn with_csrf(resp: Resp, csrf: &str) -> Resp {
    resp.with(
        "Set-Cookie",
        &format!("{CSRF_COOKIE}={csrf}; Path=/; HttpOnly; SameSite=Strict"),
    )
}

/// The raw parameters of a page the browser reaches by `GET` (the query) or by a form
/// `POST` (the body), as `/authorize` and the `end_session_endpoint` are (OIDC Core §3.1.2.1,
/// RP-Initiated Logout §2); anything else is an error page.
pub(crate) fn get_or_form(req: &Req) -> Result<&[u8], Resp> {
    match req.method.as_ref() {
        "GET" => Ok(req.query.as_bytes()),
        "POST" if req.is_form() => Ok(&req.body),
        "POST" => Err(error(
            400,
            "Invalid request",
            "The form must be application/x-www-form-urlencoded.",
        )),
        _ => Err(error(405, "Method not allowed", "Use GET or POST.")),
    }
}

/// An error page, never a redirect (as for an unknown client or redirect URI, RFC 6749
/// §4.1.2.1).
pub(crate) fn error(status: u16, title: &str, message: &str) -> Resp {
    Resp::html(
        status,
        layout(
            title,
            &format!("<h1>{}</h1><p class=\"err\">{}</p>", e(title), e(message)),
        ),
    )
}

fn scope_list(scopes: &[String]) -> String {
    let mut out = String::from("<ul>");
    for s in scopes {
        let _ = write!(out, "<li><code>{}</code></li>", e(s));
    }
    out.push_str("</ul>");
    out
}

/// The users who can sign in, for the sign-in page. Passwords are shown only for the
/// built-in development users that still have their well-known password, never for users
/// from a server-config file (as the `serve` banner does).
fn user_list(users: &[User]) -> String {
    if users.is_empty() {
        return "<p>This server has no users: add some with <code>--server-config</code>.</p>"
            .to_owned();
    }
    let builtin = Registry::default();
    let mut out = String::from("<p>Users on this server: ");
    for (i, u) in users.iter().enumerate() {
        if i > 0 {
            out.push_str(", ");
        }
        let _ = write!(out, "<code>{}</code>", e(&u.username));
        if builtin
            .user(&u.username)
            .is_some_and(|b| b.password == u.password)
        {
            let _ = write!(out, "/<code>{}</code>", e(&u.password));
        }
    }
    out.push_str(".</p>");
    out
}

/// The sign-in form of the authorization flow; `users` are the server's users.
/// `base` is the issuer's path (empty, or `/t/NAME` for a tenant), before the form's target.
pub(crate) fn login(
    base: &str,
    client_id: &str,
    users: &[User],
    txn: &str,
    csrf: &str,
    failed: bool,
) -> Resp {
    let err = if failed {
        "<p class=\"err\">Wrong username or password.</p>"
    } else {
        ""
    };
    let body = format!(
        "<h1>Sign in</h1><p>to continue to <strong>{client}</strong></p>{err}\
         <form method=\"post\" action=\"{base}/authorize/login\">\
         <input type=\"hidden\" name=\"txn\" value=\"{txn}\">\
         <input type=\"hidden\" name=\"csrf\" value=\"{csrf}\">\
         <label>Username <input type=\"text\" name=\"username\" autocomplete=\"username\" autofocus></label>\
         <label>Password <input type=\"password\" name=\"password\" autocomplete=\"current-password\"></label>\
         <button type=\"submit\">Sign in</button></form>{users}",
        client = e(client_id),
        users = user_list(users),
        txn = e(txn),
        base = e(base),
        csrf = e(csrf),
    );
    with_csrf(
        Resp::html(if failed { 401 } else { 200 }, layout("Sign in", &body)),
        csrf,
    )
}

/// Where the authorization code goes, for the consent page: the redirect URI's host (with
/// its port) and path, so that the user can see who receives it.
fn redirect_target(redirect_uri: &str) -> String {
    let Ok(url) = url::Url::parse(redirect_uri) else {
        return format!(
            "<p>The answer goes to <code>{}</code>.</p>",
            e(redirect_uri)
        );
    };
    let host = match (url.host_str(), url.port()) {
        (Some(h), Some(p)) => format!("{h}:{p}"),
        (Some(h), None) => h.to_owned(),
        (None, _) => String::new(),
    };
    let here = if crate::oauth::url_policy::is_loopback(&url) {
        " (an application on this computer)"
    } else {
        ""
    };
    format!(
        "<p class=\"target\">If you allow, your browser takes the authorization code to \
         <strong>{}</strong>{here}, path <code>{}</code>.</p>",
        e(&host),
        e(url.path())
    )
}

/// The consent page; `redirect_uri` is where the answer will go.
pub(crate) fn consent(
    base: &str,
    client_id: &str,
    user: &str,
    scopes: &[String],
    redirect_uri: &str,
    txn: &str,
    csrf: &str,
) -> Resp {
    let body = format!(
        "<h1>Allow access?</h1><p><strong>{client}</strong> asks to act as <strong>{user}</strong> \
         with these scopes:</p>{scopes}{target}\
         <form method=\"post\" action=\"{base}/authorize/consent\">\
         <input type=\"hidden\" name=\"txn\" value=\"{txn}\">\
         <input type=\"hidden\" name=\"csrf\" value=\"{csrf}\">\
         <button type=\"submit\" name=\"decision\" value=\"approve\">Allow</button>\
         <button type=\"submit\" name=\"decision\" value=\"deny\">Deny</button></form>",
        client = e(client_id),
        user = e(user),
        scopes = scope_list(scopes),
        target = redirect_target(redirect_uri),
        txn = e(txn),
        base = e(base),
        csrf = e(csrf),
    );
    with_csrf(Resp::html(200, layout("Allow access?", &body)), csrf)
}

/// The device verification page: enter the user code.
pub(crate) fn device_entry(base: &str, prefill: &str, csrf: &str, message: Option<&str>) -> Resp {
    let msg = message.map_or_else(String::new, |m| format!("<p class=\"err\">{}</p>", e(m)));
    let body = format!(
        "<h1>Connect a device</h1><p>Enter the code shown on your device.</p>{msg}\
         <form method=\"post\" action=\"{base}/device\">\
         <input type=\"hidden\" name=\"csrf\" value=\"{csrf}\">\
         <label>Code <input type=\"text\" name=\"user_code\" value=\"{prefill}\" autocomplete=\"off\" autofocus></label>\
         <button type=\"submit\">Continue</button></form>",
        base = e(base),
        csrf = e(csrf),
        prefill = e(prefill),
    );
    let status = if message.is_some() { 400 } else { 200 };
    with_csrf(Resp::html(status, layout("Connect a device", &body)), csrf)
}

/// The device approval page: sign in and approve or deny.
pub(crate) fn device_approve(
    base: &str,
    user_code: &str,
    client_id: &str,
    scopes: &[String],
    csrf: &str,
    failed: bool,
) -> Resp {
    let err = if failed {
        "<p class=\"err\">Wrong username or password.</p>"
    } else {
        ""
    };
    let body = format!(
        "<h1>Approve device</h1><p>Code <code>{code}</code>: <strong>{client}</strong> asks for:</p>\
         {scopes}{err}<form method=\"post\" action=\"{base}/device/approve\">\
         <input type=\"hidden\" name=\"user_code\" value=\"{code}\">\
         <input type=\"hidden\" name=\"csrf\" value=\"{csrf}\">\
         <label>Username <input type=\"text\" name=\"username\" autocomplete=\"username\"></label>\
         <label>Password <input type=\"password\" name=\"password\" autocomplete=\"current-password\"></label>\
         <button type=\"submit\" name=\"decision\" value=\"approve\">Approve</button>\
         <button type=\"submit\" name=\"decision\" value=\"deny\">Deny</button></form>",
        code = e(user_code),
        client = e(client_id),
        scopes = scope_list(scopes),
        base = e(base),
        csrf = e(csrf),
    );
    with_csrf(
        Resp::html(
            if failed { 401 } else { 200 },
            layout("Approve device", &body),
        ),
        csrf,
    )
}

/// After a device decision.
pub(crate) fn device_done(approved: bool) -> Resp {
    let (title, text) = if approved {
        ("Device connected", "You can return to your device.")
    } else {
        ("Request denied", "The device was not given access.")
    };
    Resp::html(
        200,
        layout(title, &format!("<h1>{title}</h1><p>{text}</p>")),
    )
}

/// The RP-initiated logout confirmation page: the request's parameters go back in hidden
/// fields with the user's decision.
pub(crate) fn logout_confirm(
    base: &str,
    client_id: Option<&str>,
    user: Option<&str>,
    params: &Params,
    csrf: &str,
) -> Resp {
    let who = match (user, client_id) {
        (Some(u), Some(c)) => format!(
            "<p>Sign <strong>{}</strong> out of <strong>{}</strong>? Its refresh tokens for \
             this user stop working.</p>",
            e(u),
            e(c)
        ),
        (None, Some(c)) => format!("<p>Sign out of <strong>{}</strong>?</p>", e(c)),
        _ => "<p>Sign out?</p>".to_owned(),
    };
    let mut hidden = String::new();
    for name in [
        "id_token_hint",
        "client_id",
        "post_logout_redirect_uri",
        "state",
    ] {
        if let Some(v) = params.get(name) {
            let _ = write!(
                hidden,
                "<input type=\"hidden\" name=\"{name}\" value=\"{}\">",
                e(v)
            );
        }
    }
    let body = format!(
        "<h1>Sign out</h1>{who}<form method=\"post\" action=\"{base}/logout\">{hidden}\
         <input type=\"hidden\" name=\"csrf\" value=\"{csrf}\">\
         <button type=\"submit\" name=\"decision\" value=\"logout\">Sign out</button>\
         <button type=\"submit\" name=\"decision\" value=\"stay\">Stay signed in</button></form>",
        csrf = e(csrf),
    );
    with_csrf(Resp::html(200, layout("Sign out", &body)), csrf)
}

/// After a logout decision without a `post_logout_redirect_uri`.
pub(crate) fn logged_out(done: bool) -> Resp {
    let (title, text) = if done {
        ("Signed out", "You are signed out. You can close this page.")
    } else {
        ("Still signed in", "Nothing was changed.")
    };
    Resp::html(
        200,
        layout(title, &format!("<h1>{title}</h1><p>{text}</p>")),
    )
}

/// `/`: what this server is and where its endpoints are.
pub(crate) fn index(app: &App) -> Resp {
    let i = e(&app.issuer);
    let mut body = format!(
        "<h1>oauthctl development server</h1><p>Issuer <code>{i}</code></p>\
         <p>Discovery: <code>{i}/.well-known/openid-configuration</code></p><h2>Clients</h2><ul>"
    );
    for c in &app.cfg.registry.clients {
        let _ = write!(
            body,
            "<li><code>{}</code> ({})</li>",
            e(&c.id),
            if c.is_public() {
                "public"
            } else {
                "confidential"
            }
        );
    }
    body.push_str("</ul>");
    Resp::html(200, layout("oauthctl development server", &body))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_consent_page_names_where_the_code_goes() {
        let t = redirect_target("http://localhost:41235/oauth/cb");
        assert!(t.contains("<strong>localhost:41235</strong>"), "{t}");
        assert!(t.contains("<code>/oauth/cb</code>"), "{t}");
        assert!(t.contains("this computer"), "{t}");
        let t = redirect_target("https://app.example/cb?x=<b>");
        assert!(t.contains("<strong>app.example</strong>"), "{t}");
        assert!(!t.contains("this computer") && !t.contains("<b>"), "{t}");
        let t = redirect_target("not a url <script>");
        assert!(
            t.contains("&lt;script&gt;") && !t.contains("<script>"),
            "{t}"
        );
    }
}
