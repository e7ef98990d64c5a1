//! Request and response plumbing for the handlers: strict form decoding (duplicates are
//! errors, RFC 6749 §3.1), `client_secret_basic` decoding (RFC 6749 §2.3.1), HTML escaping,
//! constant-time secret comparison, random values, and response builders with the security
//! headers every page carries. No OAuth decisions live here.

use std::collections::HashMap;
use std::net::IpAddr;

use aws_lc_rs::digest;
use base64::Engine as _;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};

/// One request as the handlers see it.
#[derive(Debug)]
pub(crate) struct Req {
    pub method: String,
    pub path: String,
    pub query: String,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
    /// The address the connection came from, if known: the "source" that failed client
    /// authentications are counted for.
    pub peer: Option<IpAddr>,
    /// The client certificates of a TLS connection (`serve --tls`), if the client sent any.
    pub peer_certs: Option<std::sync::Arc<super::mtls::PeerCertificates>>,
}

impl Req {
    /// The end-entity client certificate of the connection (DER), if any.
    pub(crate) fn peer_certificate(&self) -> Option<&[u8]> {
        self.peer_certs
            .as_deref()
            .and_then(super::mtls::PeerCertificates::leaf)
    }

    /// The first value of header `name` (case-insensitive).
    pub(crate) fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// How many times header `name` occurs.
    pub(crate) fn header_count(&self, name: &str) -> usize {
        self.headers
            .iter()
            .filter(|(n, _)| n.eq_ignore_ascii_case(name))
            .count()
    }

    /// The value of cookie `name`, if sent.
    pub(crate) fn cookie(&self, name: &str) -> Option<String> {
        self.headers
            .iter()
            .filter(|(n, _)| n.eq_ignore_ascii_case("cookie"))
            .flat_map(|(_, v)| v.split(';'))
            .filter_map(|c| c.trim().split_once('='))
            .find(|(k, _)| *k == name)
            .map(|(_, v)| v.to_owned())
    }

    /// Whether the body is declared as `application/x-www-form-urlencoded`.
    pub(crate) fn is_form(&self) -> bool {
        self.header("content-type").is_some_and(|ct| {
            ct.split(';').next().is_some_and(|m| {
                m.trim()
                    .eq_ignore_ascii_case("application/x-www-form-urlencoded")
            })
        })
    }

    /// The query parameters.
    pub(crate) fn query_params(&self) -> Result<Params, String> {
        Params::parse(self.query.as_bytes())
    }

    /// The form body parameters.
    pub(crate) fn form(&self) -> Result<Params, String> {
        Params::parse(&self.body)
    }
}

/// The parameters a request may repeat, each value naming one target: `resource` (RFC 8707
/// §2) and `audience` (RFC 8693 §2.1).
const REPEATABLE: [&str; 2] = ["resource", "audience"];

/// Decoded `application/x-www-form-urlencoded` parameters, each name at most once but the
/// [`REPEATABLE`] ones.
#[derive(Debug, Default, Clone)]
pub(crate) struct Params {
    one: HashMap<String, String>,
    /// Every non-empty value of a repeatable name, in order.
    many: HashMap<String, Vec<String>>,
}

impl Params {
    /// Parses `raw`; a repeated name is an error naming it (but `resource` and `audience`).
    /// Empty values count as absent (RFC 6749 §3.1) but still count as occurrences for the
    /// duplicate check.
    pub(crate) fn parse(raw: &[u8]) -> Result<Self, String> {
        let mut out = Self::default();
        let mut seen = std::collections::HashSet::new();
        for (k, v) in url::form_urlencoded::parse(raw) {
            let repeatable = REPEATABLE.contains(&k.as_ref());
            if !seen.insert(k.to_string()) && !repeatable {
                return Err(format!("parameter `{}` is repeated", escape_line(&k)));
            }
            if v.is_empty() {
                continue;
            }
            if repeatable {
                out.many
                    .entry(k.to_string())
                    .or_default()
                    .push(v.to_string());
            }
            out.one
                .entry(k.into_owned())
                .or_insert_with(|| v.into_owned());
        }
        Ok(out)
    }

    /// The value of `name`, if present and non-empty (the first, for a repeatable name:
    /// see [`Params::all`]).
    pub(crate) fn get(&self, name: &str) -> Option<&str> {
        self.one.get(name).map(String::as_str)
    }

    /// Every value of the repeatable `name`, in order (one at most for any other name).
    pub(crate) fn all(&self, name: &str) -> Vec<&str> {
        match self.many.get(name) {
            Some(values) => values.iter().map(String::as_str).collect(),
            None => self.get(name).into_iter().collect(),
        }
    }

    /// Whether `name` is present.
    pub(crate) fn has(&self, name: &str) -> bool {
        self.one.contains_key(name)
    }

    /// Every parameter with a value, in no particular order (the first value of a
    /// repeatable name).
    pub(crate) fn iter(&self) -> impl Iterator<Item = (&str, &str)> {
        self.one.iter().map(|(k, v)| (k.as_str(), v.as_str()))
    }
}

/// Keeps an attacker-chosen name short and printable inside an error description.
fn escape_line(s: &str) -> String {
    s.chars()
        .filter(|c| !c.is_control())
        .take(40)
        .collect::<String>()
}

/// Decodes one `application/x-www-form-urlencoded` component (`+` is a space).
pub(crate) fn form_decode(s: &str) -> Option<String> {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' => out.push(b' '),
            b'%' => {
                let hex = bytes.get(i + 1..i + 3)?;
                let hex = std::str::from_utf8(hex).ok()?;
                out.push(u8::from_str_radix(hex, 16).ok()?);
                i += 2;
            }
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8(out).ok()
}

/// Credentials from `Authorization: Basic`, decoded per RFC 6749 §2.3.1: base64, split at the
/// first colon, then form-urldecode each half.
pub(crate) fn basic_credentials(header: &str) -> Option<(String, String)> {
    let (scheme, rest) = header.trim().split_once(' ')?;
    if !scheme.eq_ignore_ascii_case("basic") {
        return None;
    }
    let decoded = STANDARD.decode(rest.trim()).ok()?;
    let decoded = String::from_utf8(decoded).ok()?;
    let (id, secret) = decoded.split_once(':')?;
    Some((form_decode(id)?, form_decode(secret)?))
}

/// Compares two secrets in constant time (over their SHA-256 digests, so lengths leak
/// nothing either).
pub(crate) use crate::oauth::secret::constant_time_eq as secrets_equal;

/// SHA-256, base64url: the key under which a secret value is stored, and its log-safe name.
pub(crate) fn fingerprint(secret: &str) -> String {
    URL_SAFE_NO_PAD.encode(digest::digest(&digest::SHA256, secret.as_bytes()))
}

pub(crate) use crate::oauth::pkce::{random_bytes, random_token};
pub(crate) use crate::text::sanitize::html as html_escape;

/// A response on its way out.
#[derive(Debug)]
pub(crate) struct Resp {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

/// Headers on every HTML page (RFC 9700 §4.16).
const PAGE_HEADERS: &[(&str, &str)] = &[
    (
        "Content-Security-Policy",
        "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'; base-uri 'none'",
    ),
    ("X-Frame-Options", "DENY"),
    ("Referrer-Policy", "no-referrer"),
    ("X-Content-Type-Options", "nosniff"),
    ("Cache-Control", "no-store"),
];

impl Resp {
    /// An empty response.
    pub(crate) fn new(status: u16) -> Self {
        Self {
            status,
            headers: vec![("Cache-Control".into(), "no-store".into())],
            body: Vec::new(),
        }
    }

    /// A JSON document.
    pub(crate) fn json<T: serde::Serialize + ?Sized>(status: u16, value: &T) -> Self {
        let mut r = Self::new(status);
        r.body = serde_json::to_vec(value).unwrap_or_default();
        r.with("Content-Type", "application/json")
    }

    /// An OAuth error document (RFC 6749 §5.2).
    pub(crate) fn oauth_error(status: u16, error: &str, description: &str) -> Self {
        Self::json(
            status,
            &serde_json::json!({"error": error, "error_description": description}),
        )
    }

    /// An HTML page with the page security headers.
    pub(crate) fn html(status: u16, body: String) -> Self {
        let mut r = Self {
            status,
            headers: Vec::new(),
            body: body.into_bytes(),
        };
        for (k, v) in PAGE_HEADERS {
            r.headers.push(((*k).into(), (*v).into()));
        }
        r.with("Content-Type", "text/html; charset=utf-8")
    }

    /// A redirect (302 after GET, 303 after POST; never 307, RFC 9700 §4.12).
    pub(crate) fn redirect(status: u16, location: &str) -> Self {
        let mut r = Self::html(status, String::new());
        r.headers.push(("Location".into(), location.into()));
        r
    }

    /// Adds a header.
    #[must_use]
    pub(crate) fn with(mut self, name: &str, value: &str) -> Self {
        self.headers.push((name.into(), value.into()));
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn duplicate_parameters_are_rejected() {
        assert!(Params::parse(b"a=1&b=2").is_ok());
        assert!(Params::parse(b"a=1&a=2").is_err());
        assert!(Params::parse(b"a=&a=2").is_err());
        assert_eq!(Params::parse(b"a=").unwrap().get("a"), None);
    }

    #[test]
    fn resource_and_audience_may_repeat() {
        // RFC 8707 §2 and RFC 8693 §2.1: one value per target.
        let p = Params::parse(b"resource=urn%3Aa&audience=x&resource=urn%3Ab&audience=&scope=s")
            .unwrap();
        assert_eq!(p.all("resource"), ["urn:a", "urn:b"]);
        assert_eq!(p.get("resource"), Some("urn:a"));
        assert_eq!(p.all("audience"), ["x"]);
        assert_eq!(p.all("scope"), ["s"]);
        assert!(p.all("missing").is_empty());
        assert!(Params::parse(b"scope=a&scope=b").is_err());
    }

    #[test]
    fn basic_credentials_are_form_decoded() {
        // id `my client`, secret `p:a%s+s`, form-encoded then base64.
        let raw = STANDARD.encode("my+client:p%3Aa%25s%2Bs");
        assert_eq!(
            basic_credentials(&format!("Basic {raw}")),
            Some(("my client".into(), "p:a%s+s".into()))
        );
        assert_eq!(basic_credentials("Bearer x"), None);
        assert_eq!(basic_credentials("Basic !!!"), None);
        assert_eq!(
            basic_credentials(&format!("Basic {}", STANDARD.encode("a:%zz"))),
            None
        );
    }

    #[test]
    fn html_is_escaped() {
        assert_eq!(
            html_escape("<script>\"'&"),
            "&lt;script&gt;&quot;&#39;&amp;"
        );
    }

    #[test]
    fn secrets_compare() {
        assert!(secrets_equal("demo-secret", "demo-secret"));
        assert!(!secrets_equal("demo-secret", "demo-secreT"));
        assert!(!secrets_equal("demo-secret", ""));
    }

    #[test]
    fn tokens_are_long_and_distinct() {
        let a = random_token();
        assert_eq!(a.len(), 43);
        assert_ne!(a, random_token());
    }
}
