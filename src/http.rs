//! The one HTTP client (reqwest blocking over rustls): one deadline per exchange, no
//! redirects on protocol endpoints (a redirected token request would resend secrets;
//! oauth2-rs SSRF note), `User-Agent: oauthctl/VERSION`, proxies from
//! `HTTPS_PROXY`/`HTTP_PROXY`/`NO_PROXY` for every host but loopback ones, extra roots from
//! `--cacert` (and `SSL_CERT_FILE` through the platform verifier), response size caps, and a
//! `-v` trace with every secret redacted. Built lazily, only by commands that need it.

use std::io::{self, Read};
use std::path::PathBuf;
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::{Arc, OnceLock};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use reqwest::blocking::{Client, RequestBuilder};
use reqwest::header::{ACCEPT, CONTENT_TYPE, HeaderMap};
use url::Url;

use crate::error::{Error, NetworkKind, Result};
use crate::oauth::url_policy;

/// The largest protocol response we read (discovery, JWKS, token, introspection).
pub const MAX_PROTOCOL_BODY: u64 = 1024 * 1024;
/// The deadline of one protocol exchange (connect, head and body) unless
/// [`TIMEOUT_ENV`] says otherwise.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(30);
/// The environment variable that replaces [`DEFAULT_TIMEOUT`] (`45s`, `2m`, or seconds).
pub const TIMEOUT_ENV: &str = "OAUTHCTL_HTTP_TIMEOUT";
/// How long connecting may take, whatever the overall limit.
pub const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

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

/// Header names that always carry credentials.
const CREDENTIAL_HEADERS: &[&str] = &[
    "authorization",
    "proxy-authorization",
    "cookie",
    "set-cookie",
    "x-api-key",
];
/// A header whose name contains one of these is treated as a credential too
/// (`X-Auth-Token`, `Api-Key`, `X-Session-Id`, `X-Amz-Security-Token`, …).
const SECRET_WORDS: &[&str] = &[
    "auth",
    "token",
    "secret",
    "key",
    "cookie",
    "session",
    "password",
    "credential",
    "signature",
];
/// Challenges name a scheme and describe an error; they carry no credential
/// (RFC 9110 §11.6.1, §11.7.1), and `call` explains them.
const CHALLENGE_HEADERS: &[&str] = &["www-authenticate", "proxy-authenticate"];

/// Whether a header named `name` is sensitive, in either direction: its value is redacted
/// in `-v` traces, and `call` never sends it to another origin after a redirect.
pub fn is_sensitive_header(name: &str) -> bool {
    let n = name.to_ascii_lowercase();
    if CHALLENGE_HEADERS.contains(&n.as_str()) {
        return false;
    }
    CREDENTIAL_HEADERS.contains(&n.as_str()) || SECRET_WORDS.iter().any(|w| n.contains(w))
}

/// Options that shape the client.
#[derive(Debug, Clone)]
pub struct HttpOptions {
    pub cacert: Option<PathBuf>,
    pub insecure_http: bool,
    pub verbose: u8,
    /// One deadline for each exchange, covering connect, head and body; `None`: no limit
    /// but the connect timeout (`call` without `--max-time` transfers the user's data,
    /// which may be large).
    pub timeout: Option<Duration>,
}

impl Default for HttpOptions {
    fn default() -> Self {
        Self {
            cacert: None,
            insecure_http: false,
            verbose: 0,
            timeout: Some(DEFAULT_TIMEOUT),
        }
    }
}

impl HttpOptions {
    /// The options of protocol exchanges (`--cacert`, `--insecure-http`, `-v`), with the
    /// deadline from [`TIMEOUT_ENV`] (exit 7 when it does not hold a duration).
    pub fn protocol(cacert: Option<PathBuf>, insecure_http: bool, verbose: u8) -> Result<Self> {
        Ok(Self {
            cacert,
            insecure_http,
            verbose,
            timeout: Some(protocol_timeout(
                std::env::var(TIMEOUT_ENV).ok().as_deref(),
            )?),
        })
    }
}

/// The protocol deadline: [`DEFAULT_TIMEOUT`], or the value of [`TIMEOUT_ENV`].
fn protocol_timeout(value: Option<&str>) -> Result<Duration> {
    let Some(raw) = value.filter(|v| !v.trim().is_empty()) else {
        return Ok(DEFAULT_TIMEOUT);
    };
    match crate::text::duration::parse(raw) {
        Ok(d) if !d.is_zero() => Ok(d),
        Ok(_) => Err(Error::config(
            format!("{TIMEOUT_ENV}={raw}: the limit must be more than zero"),
            Some(format!("e.g. {TIMEOUT_ENV}=2m")),
        )),
        Err(e) => Err(Error::config(
            format!("{TIMEOUT_ENV}={raw}: {e}"),
            Some(format!("e.g. {TIMEOUT_ENV}=2m")),
        )),
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

/// The HTTP client: one reqwest client for loopback hosts, which never goes through a proxy
/// (tokens to a local service must not leave the machine, as curl's default `NO_PROXY` keeps
/// `localhost` local), and one for every other host, which honours the proxy settings. Each
/// is built on first use.
#[derive(Debug, Clone)]
pub struct HttpClient {
    direct: OnceLock<Client>,
    proxied: OnceLock<Client>,
    certs: Vec<reqwest::Certificate>,
    insecure_http: bool,
    verbose: u8,
    timeout: Option<Duration>,
    /// The last token endpoint's `Date` minus this computer's clock, in seconds
    /// ([`NO_OFFSET`] until one was seen); for explaining clock skew.
    server_clock: Arc<AtomicI64>,
}

/// [`HttpClient::server_clock`] before any `Date` header was seen.
const NO_OFFSET: i64 = i64::MIN;

impl HttpClient {
    /// Reads `--cacert`; fails only when it is unreadable or holds no certificate.
    pub fn new(options: &HttpOptions) -> Result<Self> {
        let mut certs = Vec::new();
        if let Some(path) = &options.cacert {
            let pem = std::fs::read(path).map_err(|e| Error::io("read --cacert", path, e))?;
            certs = reqwest::Certificate::from_pem_bundle(&pem).map_err(|e| {
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
        }
        Ok(Self {
            direct: OnceLock::new(),
            proxied: OnceLock::new(),
            certs,
            insecure_http: options.insecure_http,
            verbose: options.verbose,
            timeout: options.timeout,
            server_clock: Arc::new(AtomicI64::new(NO_OFFSET)),
        })
    }

    /// The client for requests to `url`: direct for a loopback host (`127.0.0.0/8`, `::1`,
    /// `localhost`), through `HTTP(S)_PROXY` unless `NO_PROXY` exempts it otherwise.
    pub fn client_for(&self, url: &Url) -> Result<&Client> {
        let direct = url_policy::is_loopback(url);
        let cell = if direct { &self.direct } else { &self.proxied };
        if let Some(client) = cell.get() {
            return Ok(client);
        }
        let client = self.build(direct)?;
        Ok(cell.get_or_init(|| client))
    }

    fn build(&self, direct: bool) -> Result<Client> {
        // No client-wide `timeout`: reqwest's blocking client applies that to each read, so
        // a body trickled byte by byte would never end. `send` gives each request one
        // deadline instead (`RequestBuilder::timeout` covers connect, head and body).
        let mut builder = Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .user_agent(concat!("oauthctl/", env!("CARGO_PKG_VERSION")))
            .connect_timeout(CONNECT_TIMEOUT)
            .timeout(None);
        if direct {
            builder = builder.no_proxy();
        }
        if !self.certs.is_empty() {
            builder = builder.tls_certs_merge(self.certs.clone());
        }
        builder
            .build()
            .map_err(|e| Error::Other(format!("cannot set up HTTP: {e}")))
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
            .client_for(url)?
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
            .client_for(url)?
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

    /// Sends `req` (built with [`Self::client_for`]) and reads at most `limit` bytes of the
    /// body, all within the client's deadline.
    pub fn send(&self, req: RequestBuilder, url: &Url, limit: u64) -> Result<Response> {
        let deadline = Deadline::after(self.timeout);
        let req = match self.timeout {
            Some(limit) => req.timeout(limit),
            None => req,
        };
        let resp = req.send().map_err(|e| {
            if e.is_timeout() {
                self.timed_out(url, "did not answer")
            } else {
                network_error(url, &e)
            }
        })?;
        let status = resp.status().as_u16();
        let headers = resp.headers().clone();
        let final_url = resp.url().clone();
        let mut body = Vec::new();
        deadline
            .reader(resp)
            .take(limit + 1)
            .read_to_end(&mut body)
            .map_err(|e| {
                if e.kind() == io::ErrorKind::TimedOut {
                    self.timed_out(url, "did not send its whole response")
                } else {
                    Error::network(
                        url_policy::display_base(url),
                        NetworkKind::Read,
                        format!("reading the response failed: {e}"),
                    )
                }
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

    /// The error for a protocol exchange that ran out of time.
    fn timed_out(&self, url: &Url, what: &str) -> Error {
        let within = self
            .timeout
            .map(|t| format!(" within {}", humantime::format_duration(t)))
            .unwrap_or_default();
        Error::HttpTimeout {
            message: format!("{} {what}{within}", url_policy::display_base(url)),
            hint: format!(
                "retry, or allow more time with {TIMEOUT_ENV} (e.g. {TIMEOUT_ENV}=2m; the \
                 default is {})",
                humantime::format_duration(DEFAULT_TIMEOUT)
            ),
        }
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

/// One deadline for a whole exchange, from the moment it is taken.
#[derive(Debug, Clone, Copy)]
pub struct Deadline(Option<Instant>);

impl Deadline {
    /// A deadline `limit` from now (`None`: never).
    pub fn after(limit: Option<Duration>) -> Self {
        Self(limit.map(|l| Instant::now() + l))
    }

    /// The time left (zero once passed), or `None` without a deadline.
    pub fn remaining(self) -> Option<Duration> {
        self.0
            .map(|at| at.saturating_duration_since(Instant::now()))
    }

    /// Whether the deadline has passed.
    pub fn passed(self) -> bool {
        self.0.is_some_and(|at| Instant::now() >= at)
    }

    /// `body`, failing with [`io::ErrorKind::TimedOut`] once the deadline has passed,
    /// however steadily the bytes trickle in.
    pub fn reader<R: Read>(self, body: R) -> DeadlineReader<R> {
        DeadlineReader {
            inner: body,
            deadline: self,
        }
    }
}

/// A reader bounded by a [`Deadline`] (see [`Deadline::reader`]).
#[derive(Debug)]
pub struct DeadlineReader<R> {
    inner: R,
    deadline: Deadline,
}

impl<R: Read> Read for DeadlineReader<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let timed_out = || io::Error::new(io::ErrorKind::TimedOut, "the time limit ran out");
        if self.deadline.passed() {
            return Err(timed_out());
        }
        match self.inner.read(buf) {
            Err(e) if self.deadline.passed() || is_timeout(&e) => Err(timed_out()),
            other => other,
        }
    }
}

/// Whether a body read failed because a reqwest timeout fired.
fn is_timeout(e: &io::Error) -> bool {
    if e.kind() == io::ErrorKind::TimedOut {
        return true;
    }
    let mut source: Option<&(dyn std::error::Error + 'static)> = e.get_ref().map(|i| i as _);
    while let Some(err) = source {
        if err
            .downcast_ref::<reqwest::Error>()
            .is_some_and(reqwest::Error::is_timeout)
        {
            return true;
        }
        source = err.source();
    }
    false
}

/// A network error without the URL's query (which could hold a code), classified by what
/// failed. Timeouts are the caller's to report: only it knows which limit ran out and what
/// raises it.
pub fn network_error(url: &Url, e: &reqwest::Error) -> Error {
    let base = url_policy::display_base(url);
    let mut message = e.without_url_ref();
    let mut source = std::error::Error::source(e);
    while let Some(cause) = source {
        message.push_str(": ");
        message.push_str(&cause.to_string());
        source = cause.source();
    }
    Error::network(base, network_kind(e), message)
}

/// What failed, from the error itself: a TLS error anywhere in the chain (a certificate
/// refused, or another handshake failure), else reqwest's own classification.
fn network_kind(e: &reqwest::Error) -> NetworkKind {
    let mut source: Option<&(dyn std::error::Error + 'static)> = Some(e);
    while let Some(err) = source {
        if let Some(tls) = err.downcast_ref::<rustls::Error>() {
            return tls_kind(tls);
        }
        // An `io::Error` wrapping another error reports that error's source, not the error
        // itself (the TLS stack nests them: io(Other, io(InvalidData, rustls::Error))).
        source = match err.downcast_ref::<io::Error>().and_then(io::Error::get_ref) {
            Some(inner) => Some(inner),
            None => err.source(),
        };
    }
    if e.is_connect() {
        NetworkKind::Connect
    } else if e.is_body() || e.is_decode() {
        NetworkKind::Read
    } else {
        NetworkKind::Other
    }
}

/// A refused certificate, or another TLS failure.
fn tls_kind(e: &rustls::Error) -> NetworkKind {
    match e {
        rustls::Error::InvalidCertificate(_)
        | rustls::Error::NoCertificatesPresented
        | rustls::Error::InvalidCertRevocationList(_) => NetworkKind::Certificate,
        _ => NetworkKind::Tls,
    }
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

/// A header value for the trace, request or response alike: `[redacted]` for a sensitive
/// header ([`is_sensitive_header`]), the scheme kept for `Authorization`.
pub fn redact_header(name: &str, value: &str) -> String {
    if is_sensitive_header(name) {
        let scheme = value.split_whitespace().next().filter(|_| {
            name.eq_ignore_ascii_case("authorization")
                || name.eq_ignore_ascii_case("proxy-authorization")
        });
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
    use std::io::Write as _;

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

    #[test]
    fn one_header_rule_for_both_directions() {
        // Response headers named like secrets (issue #12 item 8), as `call -H` ones are.
        for name in [
            "X-Auth-Token",
            "X-Api-Key",
            "Set-Cookie",
            "X-Session-Id",
            "X-Amz-Security-Token",
            "Api-Key",
        ] {
            assert!(is_sensitive_header(name), "{name}");
            assert_eq!(redact_header(name, "s3cret"), "[redacted]", "{name}");
        }
        assert_eq!(
            redact_header("Proxy-Authorization", "Basic eDp5"),
            "Basic [redacted]"
        );
        // Challenges carry no credential and explain a refusal.
        for name in [
            "WWW-Authenticate",
            "Proxy-Authenticate",
            "X-Request-Id",
            "Keep-Alive",
        ] {
            assert!(!is_sensitive_header(name), "{name}");
        }
        let challenge = r#"Bearer error="invalid_token""#;
        assert_eq!(redact_header("www-authenticate", challenge), challenge);
    }

    #[test]
    fn the_protocol_deadline_comes_from_the_environment() {
        assert_eq!(protocol_timeout(None).unwrap(), DEFAULT_TIMEOUT);
        assert_eq!(protocol_timeout(Some(" ")).unwrap(), DEFAULT_TIMEOUT);
        assert_eq!(
            protocol_timeout(Some("2m")).unwrap(),
            Duration::from_secs(120)
        );
        assert_eq!(protocol_timeout(Some("5")).unwrap(), Duration::from_secs(5));
        for bad in ["0", "soon", "-1s"] {
            assert_eq!(
                protocol_timeout(Some(bad)).unwrap_err().exit_code(),
                7,
                "{bad}"
            );
        }
    }

    /// A self-signed certificate for 127.0.0.1 and its key: test material only, trusted by
    /// nothing.
    const SELF_SIGNED_CERT: &str = "\
-----BEGIN CERTIFICATE-----\n\
MIIBojCCAUigAwIBAgIUTGMjNya3BnK4bnY8Bu1OXs7cggcwCgYIKoZIzj0EAwIw\n\
FDESMBAGA1UEAwwJMTI3LjAuMC4xMCAXDTI2MTIwNDA2NDQ0NVoYDzIxMjYxMTEw\n\
MDY0NDQ1WjAUMRIwEAYDVQQDDAkxMjcuMC4wLjEwWTATBgcqhkjOPQIBBggqhkjO\n\
PQMBBwNCAATxKx0tpePhXWg2bukOUGjQlLGeYbmGPLqxocBnnOiqpzBG1hXUk1Ml\n\
QKMlcfh6ZCxII7WDIE6rpXx7XkjQiilno3YwdDAdBgNVHQ4EFgQUaKuNlRPCyvdU\n\
uguIjiDzDFGxnDAwHwYDVR0jBBgwFoAUaKuNlRPCyvdUuguIjiDzDFGxnDAwDwYD\n\
VR0RBAgwBocEfwAAATAMBgNVHRMBAf8EAjAAMBMGA1UdJQQMMAoGCCsGAQUFBwMB\n\
MAoGCCqGSM49BAMCA0gAMEUCIQDxuFZA9lkXrhtNyJ83b2UjwNfYPaewM3P2iQ6w\n\
6xrgxwIgBoSoUuNgEmPTvo6QOgSrC0XlVWgqhsNm4B9zB97MvBU=\n\
-----END CERTIFICATE-----\n";
    const SELF_SIGNED_KEY: &str = "\
-----BEGIN PRIVATE KEY-----\n\
MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgPpWbNabokVu6Eaeu\n\
XEVLIQRI0ikPT+nPiJ0L88lShaChRANCAATxKx0tpePhXWg2bukOUGjQlLGeYbmG\n\
PLqxocBnnOiqpzBG1hXUk1MlQKMlcfh6ZCxII7WDIE6rpXx7XkjQiiln\n\
-----END PRIVATE KEY-----\n";

    /// A loopback server for one connection that runs `serve` on it; returns its port.
    fn one_connection(serve: impl FnOnce(std::net::TcpStream) + Send + 'static) -> u16 {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        std::thread::spawn(move || {
            if let Ok((stream, _)) = listener.accept() {
                serve(stream);
            }
        });
        port
    }

    fn fetch(url: &str) -> Error {
        let client = HttpClient::new(&HttpOptions::default()).unwrap();
        client.get_json(&Url::parse(url).unwrap()).unwrap_err()
    }

    #[test]
    fn a_refused_certificate_is_told_apart_by_the_error_itself() {
        use rustls::pki_types::pem::PemObject as _;
        use rustls::pki_types::{CertificateDer, PrivateKeyDer};
        let certs = vec![CertificateDer::from_pem_slice(SELF_SIGNED_CERT.as_bytes()).unwrap()];
        let key = PrivateKeyDer::from_pem_slice(SELF_SIGNED_KEY.as_bytes()).unwrap();
        let config = rustls::ServerConfig::builder()
            .with_no_client_auth()
            .with_single_cert(certs, key)
            .unwrap();
        let port = one_connection(move |stream| {
            let conn = rustls::ServerConnection::new(Arc::new(config)).unwrap();
            let mut tls = rustls::StreamOwned::new(conn, stream);
            let _ = tls.read(&mut [0u8; 64]);
        });
        let err = fetch(&format!("https://127.0.0.1:{port}/jwks"));
        assert!(
            matches!(
                err,
                Error::Network {
                    kind: NetworkKind::Certificate,
                    ..
                }
            ),
            "{err:?}"
        );
        assert_eq!(err.exit_code(), 5);
        assert!(err.to_string().contains("certificate"), "{err}");
        assert!(err.hint().unwrap().contains("--cacert"));
    }

    #[test]
    fn other_transport_failures_get_their_own_kind() {
        // Plain HTTP where TLS was expected: a handshake failure, not a certificate.
        let port = one_connection(|mut stream| {
            let _ = stream.write_all(b"HTTP/1.1 400 Bad Request\r\ncontent-length: 0\r\n\r\n");
            let _ = stream.read(&mut [0u8; 64]);
        });
        let err = fetch(&format!("https://127.0.0.1:{port}/jwks"));
        assert!(
            matches!(
                err,
                Error::Network {
                    kind: NetworkKind::Tls,
                    ..
                }
            ),
            "{err:?}"
        );
        assert!(!err.hint().unwrap().contains("--cacert"));
        // Nobody listening.
        let port = {
            let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
            l.local_addr().unwrap().port()
        };
        let err = fetch(&format!("http://127.0.0.1:{port}/jwks"));
        assert!(
            matches!(
                err,
                Error::Network {
                    kind: NetworkKind::Connect,
                    ..
                }
            ),
            "{err:?}"
        );
        assert!(err.hint().unwrap().contains("proxy settings"));
        // The connection breaks in the middle of the body.
        let port = one_connection(|mut stream| {
            let _ = stream.read(&mut [0u8; 1024]);
            let _ = stream.write_all(b"HTTP/1.1 200 OK\r\ncontent-length: 100\r\n\r\n{\"keys\"");
        });
        let err = fetch(&format!("http://127.0.0.1:{port}/jwks"));
        assert!(
            matches!(
                err,
                Error::Network {
                    kind: NetworkKind::Read,
                    ..
                }
            ),
            "{err:?}"
        );
    }

    /// A reader that gives one byte per call, after a pause: a trickle.
    struct Trickle(Duration);

    impl Read for Trickle {
        fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
            std::thread::sleep(self.0);
            buf[0] = b'x';
            Ok(1)
        }
    }

    #[test]
    fn a_deadline_bounds_a_trickle_however_steady() {
        let started = Instant::now();
        let mut body = Vec::new();
        let err = Deadline::after(Some(Duration::from_millis(200)))
            .reader(Trickle(Duration::from_millis(10)))
            .read_to_end(&mut body)
            .unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::TimedOut);
        assert!(started.elapsed() < Duration::from_secs(1));
        assert!(!body.is_empty());
        // No deadline: reads pass through.
        let mut one = [0u8; 4];
        assert_eq!(
            Deadline::after(None)
                .reader(Trickle(Duration::ZERO))
                .read(&mut one)
                .unwrap(),
            1
        );
        assert_eq!(Deadline::after(None).remaining(), None);
        assert!(!Deadline::after(None).passed());
    }
}
