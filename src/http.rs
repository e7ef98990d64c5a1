//! The one HTTP client (reqwest blocking over rustls): timeouts, no redirects on protocol
//! endpoints (a redirected token request would resend secrets; oauth2-rs SSRF note),
//! `User-Agent: oauthctl/VERSION`, proxies from `HTTPS_PROXY`/`NO_PROXY`, extra roots from
//! `--cacert` (and `SSL_CERT_FILE` through the platform verifier), response size caps, and a
//! `-v` trace with every secret redacted. Built lazily, only by commands that need it.

use std::io::Read;
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use reqwest::blocking::{Client, RequestBuilder};
use reqwest::header::{ACCEPT, CONTENT_TYPE, HeaderMap};
use url::Url;

use crate::cli::GlobalArgs;
use crate::error::{Error, Result};
use crate::oauth::url_policy;

/// The largest protocol response we read (discovery, JWKS, token, introspection).
pub const MAX_PROTOCOL_BODY: u64 = 1024 * 1024;

/// Form fields, headers and JSON members whose values are secrets.
const SECRET_NAMES: &[&str] = &[
    "access_token",
    "refresh_token",
    "id_token",
    "code",
    "code_verifier",
    "client_secret",
    "client_assertion",
    "assertion",
    "device_code",
    "token",
    "subject_token",
    "actor_token",
    "password",
    "authorization",
    "cookie",
    "set-cookie",
    "proxy-authorization",
];

/// Whether a field, header or member called `name` carries a secret.
pub fn is_secret_name(name: &str) -> bool {
    SECRET_NAMES.iter().any(|s| s.eq_ignore_ascii_case(name))
}

/// Options that shape the client.
#[derive(Debug, Clone, Default)]
pub struct HttpOptions {
    pub cacert: Option<PathBuf>,
    pub insecure_http: bool,
    pub verbose: u8,
    /// The limit for a whole exchange [default: 30 s, or none with `unlimited`].
    pub timeout: Option<Duration>,
    /// No overall limit when `timeout` is `None`: `call` transfers the user's data, which
    /// may be large (the connect timeout still applies).
    pub unlimited: bool,
}

impl HttpOptions {
    /// From the global flags.
    pub fn from_global(global: &GlobalArgs) -> Self {
        Self {
            cacert: global.cacert.clone(),
            insecure_http: global.insecure_http,
            verbose: global.verbose,
            timeout: None,
            unlimited: false,
        }
    }
}

/// A response read in full (bounded).
#[derive(Debug, Clone)]
pub struct Response {
    pub status: u16,
    pub headers: HeaderMap,
    pub body: Vec<u8>,
    pub url: Url,
}

impl Response {
    /// The `Content-Type` header's media type, lower-cased, without parameters.
    pub fn media_type(&self) -> String {
        self.headers
            .get(CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.split(';').next())
            .map(|v| v.trim().to_ascii_lowercase())
            .unwrap_or_default()
    }

    /// Whether the status is a redirect.
    pub fn is_redirect(&self) -> bool {
        (300..400).contains(&self.status)
    }
}

/// The HTTP client.
#[derive(Debug, Clone)]
pub struct HttpClient {
    client: Client,
    insecure_http: bool,
    verbose: u8,
    /// The last token endpoint's `Date` minus this computer's clock, in seconds
    /// ([`NO_OFFSET`] until one was seen); for explaining clock skew.
    server_clock: Arc<AtomicI64>,
}

/// [`HttpClient::server_clock`] before any `Date` header was seen.
const NO_OFFSET: i64 = i64::MIN;

impl HttpClient {
    /// Builds the client. Fails only on an unreadable `--cacert`.
    pub fn new(options: &HttpOptions) -> Result<Self> {
        let mut builder = Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .user_agent(concat!("oauthctl/", env!("CARGO_PKG_VERSION")))
            .connect_timeout(Duration::from_secs(10))
            .timeout(match options.timeout {
                Some(limit) => Some(limit),
                None if options.unlimited => None,
                None => Some(Duration::from_secs(30)),
            });
        if let Some(path) = &options.cacert {
            let pem = std::fs::read(path).map_err(|e| Error::io("read --cacert", path, e))?;
            let certs = reqwest::Certificate::from_pem_bundle(&pem).map_err(|e| {
                Error::config(
                    format!(
                        "--cacert {}: not a PEM certificate bundle: {e}",
                        path.display()
                    ),
                    None,
                )
            })?;
            if certs.is_empty() {
                return Err(Error::config(
                    format!(
                        "--cacert {}: no PEM certificate in the file",
                        path.display()
                    ),
                    Some("pass a file with -----BEGIN CERTIFICATE----- blocks".to_owned()),
                ));
            }
            builder = builder.tls_certs_merge(certs);
        }
        let client = builder
            .build()
            .map_err(|e| Error::Other(format!("cannot set up HTTP: {e}")))?;
        Ok(Self {
            client,
            insecure_http: options.insecure_http,
            verbose: options.verbose,
            server_clock: Arc::new(AtomicI64::new(NO_OFFSET)),
        })
    }

    /// Notes how far the clock of the server that sent `headers` is from this computer's,
    /// from its `Date` header (RFC 9110 §6.6.1), if it sent a valid one.
    pub fn note_server_date(&self, headers: &HeaderMap) {
        let secs = |t: SystemTime| {
            t.duration_since(UNIX_EPOCH)
                .ok()
                .and_then(|d| i64::try_from(d.as_secs()).ok())
        };
        let date = headers
            .get(reqwest::header::DATE)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| httpdate::parse_http_date(v).ok())
            .and_then(secs);
        if let (Some(date), Some(now)) = (date, secs(SystemTime::now())) {
            self.server_clock.store(date - now, Ordering::Relaxed);
        }
    }

    /// The last noted server clock minus this computer's, in seconds.
    pub fn server_clock_offset(&self) -> Option<i64> {
        Some(self.server_clock.load(Ordering::Relaxed)).filter(|&o| o != NO_OFFSET)
    }

    /// Whether plain http to non-loopback hosts is allowed.
    pub fn insecure_http(&self) -> bool {
        self.insecure_http
    }

    /// Checks `raw` against the URL policy.
    pub fn checked_url(&self, raw: &str) -> Result<Url> {
        url_policy::check(raw, self.insecure_http).map_err(Error::BadResponse)
    }

    /// GET a protocol document (discovery, JWKS), expecting JSON.
    pub fn get_json(&self, url: &Url) -> Result<Response> {
        let req = self
            .client
            .get(url.clone())
            .header(ACCEPT, "application/json");
        self.trace_request("GET", url, &HeaderMap::new(), None);
        self.send(req, url, MAX_PROTOCOL_BODY)
    }

    /// POST a form to a protocol endpoint (token, introspection, revocation, device).
    /// `basic` is sent as `Authorization: Basic` with form-urlencoded id and secret
    /// (RFC 6749 §2.3.1).
    pub fn post_form(
        &self,
        url: &Url,
        form: &[(&str, &str)],
        basic: Option<(&str, &str)>,
        extra_headers: &HeaderMap,
    ) -> Result<Response> {
        let body = form_urlencode(form);
        let mut req = self
            .client
            .post(url.clone())
            .header(CONTENT_TYPE, "application/x-www-form-urlencoded")
            .header(ACCEPT, "application/json")
            .headers(extra_headers.clone())
            .body(body);
        if let Some((id, secret)) = basic {
            let encoded = format!("{}:{}", form_component(id), form_component(secret));
            req = req.header(
                reqwest::header::AUTHORIZATION,
                format!("Basic {}", base64_std(encoded.as_bytes())),
            );
        }
        self.trace_request("POST", url, extra_headers, Some(form));
        self.send(req, url, MAX_PROTOCOL_BODY)
    }

    /// Sends `req` and reads at most `limit` bytes of the body.
    pub fn send(&self, req: RequestBuilder, url: &Url, limit: u64) -> Result<Response> {
        let resp = req.send().map_err(|e| network_error(url, &e))?;
        let status = resp.status().as_u16();
        let headers = resp.headers().clone();
        let final_url = resp.url().clone();
        let mut body = Vec::new();
        resp.take(limit + 1)
            .read_to_end(&mut body)
            .map_err(|e| Error::Network {
                url: url_policy::display_base(url),
                message: format!("reading the response failed: {e}"),
            })?;
        if body.len() as u64 > limit {
            return Err(Error::BadResponse(format!(
                "{} sent a response larger than {} KiB; refusing it",
                url_policy::display_base(url),
                limit / 1024
            )));
        }
        let response = Response {
            status,
            headers,
            body,
            url: final_url,
        };
        self.trace_response(&response);
        Ok(response)
    }

    /// The underlying client, for `call`.
    pub fn inner(&self) -> &Client {
        &self.client
    }

    /// `-v`: the request line and headers, secrets redacted.
    pub fn trace_request(
        &self,
        method: &str,
        url: &Url,
        headers: &HeaderMap,
        form: Option<&[(&str, &str)]>,
    ) {
        if self.verbose == 0 {
            return;
        }
        crate::output::trace_line(&format!("> {method} {}", redact_url(url)));
        for (name, value) in headers {
            crate::output::trace_line(&format!(
                "> {}: {}",
                name,
                redact_header(name.as_str(), value.to_str().unwrap_or("<binary>"))
            ));
        }
        if let Some(form) = form {
            crate::output::trace_line(&format!("> {}", redact_form(form)));
        }
    }

    fn trace_response(&self, resp: &Response) {
        if self.verbose == 0 {
            return;
        }
        crate::output::trace_line(&format!("< HTTP {}", resp.status));
        for (name, value) in &resp.headers {
            crate::output::trace_line(&format!(
                "< {}: {}",
                name,
                redact_header(name.as_str(), value.to_str().unwrap_or("<binary>"))
            ));
        }
        if self.verbose > 1 {
            crate::output::trace_line(&format!("< {}", redact_body(&resp.body)));
        }
    }
}

/// A network error without the URL's query (which could hold a code).
pub fn network_error(url: &Url, e: &reqwest::Error) -> Error {
    let base = url_policy::display_base(url);
    if e.is_timeout() {
        return Error::Timeout(format!("{base} did not answer in time"));
    }
    let mut message = e.without_url_ref();
    let mut source = std::error::Error::source(e);
    while let Some(cause) = source {
        message.push_str(": ");
        message.push_str(&cause.to_string());
        source = cause.source();
    }
    Error::Network { url: base, message }
}

trait WithoutUrlRef {
    fn without_url_ref(&self) -> String;
}

impl WithoutUrlRef for reqwest::Error {
    fn without_url_ref(&self) -> String {
        let text = self.to_string();
        // reqwest appends " for url (…)"; drop it, the caller names the base URL itself.
        match text.find(" for url (") {
            Some(i) => text[..i].to_owned(),
            None => text,
        }
    }
}

/// `application/x-www-form-urlencoded` serialisation (the WHATWG form encoding).
pub fn form_urlencode(pairs: &[(&str, &str)]) -> String {
    url::form_urlencoded::Serializer::new(String::new())
        .extend_pairs(pairs)
        .finish()
}

/// One form-encoded component (for the Basic credentials of RFC 6749 §2.3.1).
pub fn form_component(s: &str) -> String {
    url::form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

fn base64_std(bytes: &[u8]) -> String {
    use base64::Engine as _;
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

/// A header value for the trace.
pub fn redact_header(name: &str, value: &str) -> String {
    if is_secret_name(name) {
        let scheme = value
            .split_whitespace()
            .next()
            .filter(|_| name.eq_ignore_ascii_case("authorization"));
        match scheme {
            Some(s) => format!("{s} [redacted]"),
            None => "[redacted]".to_owned(),
        }
    } else {
        value.to_owned()
    }
}

/// A form body for the trace.
pub fn redact_form(pairs: &[(&str, &str)]) -> String {
    let redacted: Vec<(&str, &str)> = pairs
        .iter()
        .map(|(k, v)| (*k, if is_secret_name(k) { "[redacted]" } else { *v }))
        .collect();
    form_urlencode(&redacted)
}

/// A URL for the trace, with secret query values redacted.
pub fn redact_url(url: &Url) -> String {
    if url.query().is_none() {
        return url.to_string();
    }
    let mut u = url.clone();
    let pairs: Vec<(String, String)> = url
        .query_pairs()
        .map(|(k, v)| {
            let v = if is_secret_name(&k) || k == "state" || k == "nonce" {
                "[redacted]".to_owned()
            } else {
                v.into_owned()
            };
            (k.into_owned(), v)
        })
        .collect();
    u.query_pairs_mut().clear().extend_pairs(pairs);
    u.to_string()
}

/// A response body for the trace: JSON with secret members redacted, else a byte count.
pub fn redact_body(body: &[u8]) -> String {
    match serde_json::from_slice::<serde_json::Value>(body) {
        Ok(mut v) => {
            redact_json(&mut v);
            v.to_string()
        }
        Err(_) => format!("[{} bytes]", body.len()),
    }
}

fn redact_json(v: &mut serde_json::Value) {
    match v {
        serde_json::Value::Object(map) => {
            for (k, val) in map.iter_mut() {
                if is_secret_name(k) {
                    *val = serde_json::Value::String("[redacted]".to_owned());
                } else {
                    redact_json(val);
                }
            }
        }
        serde_json::Value::Array(items) => items.iter_mut().for_each(redact_json),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn basic_credentials_are_form_encoded() {
        // RFC 6749 §2.3.1: id and secret are form-urlencoded before base64.
        assert_eq!(form_component("a:b%c+d e"), "a%3Ab%25c%2Bd+e");
    }

    #[test]
    fn traces_redact_secrets() {
        let form = [
            ("grant_type", "refresh_token"),
            ("refresh_token", "rt-123"),
            ("client_secret", "s"),
        ];
        let t = redact_form(&form);
        assert!(
            !t.contains("rt-123") && t.contains("grant_type=refresh_token"),
            "{t}"
        );
        assert_eq!(
            redact_header("Authorization", "Bearer abc"),
            "Bearer [redacted]"
        );
        assert_eq!(redact_header("Cookie", "a=b"), "[redacted]");
        assert_eq!(redact_header("Accept", "x"), "x");
        let body = br#"{"access_token":"at-1","nested":{"id_token":"x"},"expires_in":3600}"#;
        let t = redact_body(body);
        assert!(!t.contains("at-1") && t.contains("3600"), "{t}");
        let u = Url::parse("http://127.0.0.1:1/cb?code=c0de&state=s&x=1").unwrap();
        let t = redact_url(&u);
        assert!(!t.contains("c0de") && t.contains("x=1"), "{t}");
    }
}
