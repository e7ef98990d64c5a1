//! Request and response plumbing for the handlers: strict form decoding (duplicates are
//! errors, RFC 6749 §3.1), `client_secret_basic` decoding (RFC 6749 §2.3.1), HTML escaping,
//! constant-time secret comparison, random values, and response builders with the security
//! headers every page carries. No OAuth decisions live here.

use std::borrow::Cow;
use std::collections::HashMap;
use std::net::IpAddr;

use aws_lc_rs::digest;
use base64::Engine as _;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use bytes::Bytes;
use http::header::{self, HeaderMap, HeaderName, HeaderValue};

/// One request as the handlers see it. The headers and the body are the HTTP server's own,
/// handed over without copying.
#[derive(Debug)]
pub(crate) struct Req {
    /// The method in upper case.
    pub method: Cow<'static, str>,
    pub path: String,
    pub query: String,
    pub headers: HeaderMap,
    pub body: Bytes,
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

    /// The values of header `name` (case-insensitive) that are text; the HTTP server
    /// accepts ASCII heads only, so that is every one of them.
    fn values(&self, name: impl header::AsHeaderName) -> impl Iterator<Item = &str> {
        self.headers
            .get_all(name)
            .into_iter()
            .filter_map(|v| v.to_str().ok())
    }

    /// The first value of header `name` (case-insensitive; a `HeaderName` constant is found
    /// without looking at its spelling).
    pub(crate) fn header(&self, name: impl header::AsHeaderName) -> Option<&str> {
        self.values(name).next()
    }

    /// How many times header `name` occurs.
    pub(crate) fn header_count(&self, name: impl header::AsHeaderName) -> usize {
        self.headers.get_all(name).into_iter().count()
    }

    /// The value of cookie `name`, if sent.
    pub(crate) fn cookie(&self, name: &str) -> Option<String> {
        self.values("cookie")
            .flat_map(|v| v.split(';'))
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

/// A response on its way out. Its headers are valid to send: [`Resp::with`] drops a header
/// that is not a valid field name and value of visible ASCII (so no value can split the
/// response).
#[derive(Debug)]
pub(crate) struct Resp {
    pub status: u16,
    pub headers: HeaderMap,
    pub body: Vec<u8>,
}

/// Headers on every HTML page (RFC 9700 §4.16).
const PAGE_HEADERS: [(HeaderName, &str); 5] = [
    (
        header::CONTENT_SECURITY_POLICY,
        "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'; base-uri 'none'",
    ),
    (header::X_FRAME_OPTIONS, "DENY"),
    (header::REFERRER_POLICY, "no-referrer"),
    (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
    (header::CACHE_CONTROL, "no-store"),
];

/// An OAuth error document (RFC 6749 §5.2).
#[derive(serde::Serialize)]
struct OAuthError<'a> {
    error: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    error_description: Option<&'a str>,
}

impl Resp {
    /// An empty response.
    pub(crate) fn new(status: u16) -> Self {
        let mut headers = HeaderMap::new();
        headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
        Self {
            status,
            headers,
            body: Vec::new(),
        }
    }

    /// A JSON document.
    pub(crate) fn json<T: serde::Serialize + ?Sized>(status: u16, value: &T) -> Self {
        let mut r = Self::new(status);
        r.body = serde_json::to_vec(value).unwrap_or_default();
        r.headers.insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/json"),
        );
        r
    }

    /// An OAuth error document (RFC 6749 §5.2).
    pub(crate) fn oauth_error(status: u16, error: &str, description: &str) -> Self {
        Self::json(
            status,
            &OAuthError {
                error,
                error_description: Some(description),
            },
        )
    }

    /// An error document with only its code, `{"error": ...}`.
    pub(crate) fn error_code(status: u16, error: &str) -> Self {
        Self::json(
            status,
            &OAuthError {
                error,
                error_description: None,
            },
        )
    }

    /// An HTML page with the page security headers.
    pub(crate) fn html(status: u16, body: String) -> Self {
        let mut headers = HeaderMap::with_capacity(PAGE_HEADERS.len() + 2);
        for (name, value) in PAGE_HEADERS {
            headers.insert(name, HeaderValue::from_static(value));
        }
        headers.insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("text/html; charset=utf-8"),
        );
        Self {
            status,
            headers,
            body: body.into_bytes(),
        }
    }

    /// A redirect (302 after GET, 303 after POST; never 307, RFC 9700 §4.12).
    pub(crate) fn redirect(status: u16, location: &str) -> Self {
        Self::html(status, String::new()).with("Location", location)
    }

    /// Adds a header, unless its name is not a valid field name or its value (without
    /// surrounding spaces and tabs) holds anything but visible ASCII, spaces and tabs: no
    /// CR or LF can split the head.
    #[must_use]
    pub(crate) fn with(mut self, name: &str, value: &str) -> Self {
        let value = value.trim_matches([' ', '\t']);
        let sendable = value
            .bytes()
            .all(|b| b == b'\t' || (b' '..=b'~').contains(&b));
        if sendable
            && let (Ok(name), Ok(value)) = (
                HeaderName::from_bytes(name.as_bytes()),
                HeaderValue::from_str(value),
            )
        {
            self.headers.append(name, value);
        }
        self
    }

    /// The first value of header `name`, if any.
    pub(crate) fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }
}

#[cfg(test)]
impl Req {
    /// A request as the HTTP server would hand it over.
    pub(crate) fn for_tests(
        method: &str,
        path: &str,
        headers: &[(&str, &str)],
        body: &[u8],
    ) -> Self {
        let mut map = HeaderMap::new();
        for (name, value) in headers {
            map.append(
                HeaderName::from_bytes(name.as_bytes()).unwrap(),
                HeaderValue::from_str(value).unwrap(),
            );
        }
        Self {
            method: Cow::Owned(method.to_ascii_uppercase()),
            path: path.to_owned(),
            query: String::new(),
            headers: map,
            body: Bytes::copy_from_slice(body),
            peer: None,
            peer_certs: None,
        }
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
