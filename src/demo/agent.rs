//! A built-in user agent that signs in on a real login page: it follows redirects, keeps
//! cookies, fills the first form of each page (username/login and password fields, hidden
//! fields such as CSRF tokens, an "approve" decision) and stops at oauthctl's own loopback
//! page. It plays the browser for `oauthctl demo` and for tests; it drives the development
//! server's pages and node-oidc-provider's development interactions alike.

use std::collections::BTreeMap;
use std::io;
use std::time::Duration;

use reqwest::blocking::Client;
use reqwest::header::{CONTENT_TYPE, COOKIE, LOCATION, SET_COOKIE};
use url::Url;

use crate::browser::Browser;

/// The phrase oauthctl's loopback success page contains.
pub const SUCCESS_MARK: &str = "You can close this tab";

/// A scripted browser that signs in as one user and approves.
#[derive(Debug, Clone)]
pub struct Agent {
    pub username: String,
    pub password: String,
    /// Press "deny" instead of "approve".
    pub deny: bool,
    client: Client,
}

impl Agent {
    /// An agent for `username` / `password`.
    pub fn new(username: &str, password: &str) -> Self {
        Self {
            username: username.to_owned(),
            password: password.to_owned(),
            deny: false,
            client: Client::builder()
                .redirect(reqwest::redirect::Policy::none())
                .timeout(Duration::from_secs(20))
                .build()
                .unwrap_or_default(),
        }
    }

    /// Runs the sign-in; returns the text of the final page.
    pub fn sign_in(&self, start: &str) -> Result<String, String> {
        let mut jar: BTreeMap<String, String> = BTreeMap::new();
        let mut url = Url::parse(start).map_err(|e| e.to_string())?;
        let mut form: Option<Vec<(String, String)>> = None;
        for _ in 0..16 {
            let mut req = match &form {
                Some(fields) => self.client.post(url.clone()).form(fields),
                None => self.client.get(url.clone()),
            };
            if !jar.is_empty() {
                let cookies: Vec<String> = jar.iter().map(|(k, v)| format!("{k}={v}")).collect();
                req = req.header(COOKIE, cookies.join("; "));
            }
            let resp = req.send().map_err(|e| format!("{}: {e}", url.path()))?;
            for value in resp.headers().get_all(SET_COOKIE) {
                if let Some((k, v)) = value
                    .to_str()
                    .ok()
                    .and_then(|c| c.split(';').next())
                    .and_then(|c| c.split_once('='))
                {
                    jar.insert(k.trim().to_owned(), v.trim().to_owned());
                }
            }
            let status = resp.status().as_u16();
            if (300..400).contains(&status) {
                let loc = resp
                    .headers()
                    .get(LOCATION)
                    .and_then(|v| v.to_str().ok())
                    .ok_or("a redirect without Location")?;
                url = url.join(loc).map_err(|e| e.to_string())?;
                form = None;
                continue;
            }
            let is_html = resp
                .headers()
                .get(CONTENT_TYPE)
                .and_then(|v| v.to_str().ok())
                .is_some_and(|v| v.contains("html"));
            let body = resp.text().map_err(|e| e.to_string())?;
            if body.contains(SUCCESS_MARK) {
                return Ok(body);
            }
            if !is_html || status >= 400 && !body.contains("<form") {
                return Err(format!(
                    "HTTP {status} at {}: {}",
                    url.path(),
                    excerpt(&body)
                ));
            }
            let (action, fields) = self
                .fill(&body)
                .ok_or_else(|| format!("no form to fill at {}: {}", url.path(), excerpt(&body)))?;
            url = url.join(&action).map_err(|e| e.to_string())?;
            form = Some(fields);
        }
        Err("too many steps".to_owned())
    }

    /// The first form's action and filled-in fields.
    fn fill(&self, html: &str) -> Option<(String, Vec<(String, String)>)> {
        let start = html.find("<form")?;
        let end = html[start..]
            .find("</form>")
            .map_or(html.len(), |e| start + e);
        let form = &html[start..end];
        let open = &form[..form.find('>')?];
        let action = attr(open, "action").unwrap_or_default();
        let mut fields = Vec::new();
        for tag in tags(form, "<input") {
            let Some(name) = attr(tag, "name") else {
                continue;
            };
            let kind = attr(tag, "type").unwrap_or_else(|| "text".to_owned());
            let value = match (kind.as_str(), name.as_str()) {
                ("password", _) => self.password.clone(),
                (_, "username" | "login" | "email") => self.username.clone(),
                _ => attr(tag, "value").unwrap_or_default(),
            };
            fields.push((name, value));
        }
        let want = if self.deny {
            ["deny", "no", "abort"]
        } else {
            ["approve", "yes", "confirm"]
        };
        let button = tags(form, "<button").into_iter().find(|b| {
            attr(b, "value").is_some_and(|v| want.contains(&v.to_ascii_lowercase().as_str()))
        });
        if let Some(b) = button
            && let (Some(n), Some(v)) = (attr(b, "name"), attr(b, "value"))
        {
            fields.push((n, v));
        }
        Some((action, fields))
    }
}

fn excerpt(body: &str) -> String {
    body.chars().take(200).collect()
}

fn tags<'a>(html: &'a str, open: &str) -> Vec<&'a str> {
    let mut out = Vec::new();
    let mut rest = html;
    while let Some(i) = rest.find(open) {
        let after = &rest[i..];
        let end = after.find('>').unwrap_or(after.len());
        out.push(&after[..end]);
        rest = &after[end..];
    }
    out
}

fn attr(tag: &str, name: &str) -> Option<String> {
    for quote in ['"', '\''] {
        let marker = format!(" {name}={quote}");
        if let Some(i) = tag.find(&marker) {
            let v = &tag[i + marker.len()..];
            let end = v.find(quote)?;
            return Some(unescape(&v[..end]));
        }
    }
    None
}

fn unescape(s: &str) -> String {
    s.replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&#x27;", "'")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&")
}

impl Browser for Agent {
    fn open(&self, url: &str) -> io::Result<()> {
        self.sign_in(url).map(|_| ()).map_err(io::Error::other)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fills_login_and_consent_forms() {
        let a = Agent::new("alice", "pw");
        let login = r#"<form method="post" action="/authorize/login"><input type="hidden" name="txn" value="t&amp;1"><input type="hidden" name="csrf" value="c"><input type="text" name="username"><input type="password" name="password"><button type="submit">Sign in</button></form>"#;
        let (action, fields) = a.fill(login).unwrap();
        assert_eq!(action, "/authorize/login");
        assert_eq!(
            fields,
            vec![
                ("txn".into(), "t&1".into()),
                ("csrf".into(), "c".into()),
                ("username".into(), "alice".into()),
                ("password".into(), "pw".into())
            ]
        );
        let consent = r#"<form method="post" action="/authorize/consent"><input type="hidden" name="csrf" value="c"><button type="submit" name="decision" value="approve">Allow</button><button type="submit" name="decision" value="deny">Deny</button></form>"#;
        let (_, fields) = a.fill(consent).unwrap();
        assert!(fields.contains(&("decision".into(), "approve".into())));
        let mut d = a.clone();
        d.deny = true;
        let (_, fields) = d.fill(consent).unwrap();
        assert!(fields.contains(&("decision".into(), "deny".into())));
        // node-oidc-provider's development login form.
        let op = r#"<form autocomplete="off" action="/interaction/x/login" method="post"><input type="hidden" name="prompt" value="login"/><input required type="text" name="login" placeholder="x"/><input required type="password" name="password"/></form>"#;
        let (action, fields) = a.fill(op).unwrap();
        assert_eq!(action, "/interaction/x/login");
        assert!(fields.contains(&("login".into(), "alice".into())));
    }
}
