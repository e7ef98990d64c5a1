//! The one HTTP client (reqwest blocking over rustls): one deadline per exchange, no
//! redirects on protocol endpoints (a redirected token request would resend secrets;
//! oauth2-rs SSRF note), `User-Agent: oauthctl/VERSION`, proxies from
//! `HTTPS_PROXY`/`HTTP_PROXY`/`NO_PROXY` for every host but loopback ones, extra roots from
//! `--cacert` (and `SSL_CERT_FILE` through the platform verifier), response size caps, and a
//! `-v` trace with every secret redacted. Built lazily, only by commands that need it.
//!
//! The client and the protocol exchanges (a GET for a document, a form POST) are here;
//! around them: `request` and `exchange` send an API request (`call`) and follow its
//! redirects as `redirect` decides (the redirect and credential policy, pure), `trace`
//! writes the `-v` trace with the secrets `sensitive` names redacted, `deadline` bounds a
//! whole exchange, `errors` says what failed. This module imports the protocol rules
//! (`oauth`), `error` and `text`, and nothing above it: the `-v` trace goes to the
//! [`Tracer`] its user hands in (`output::trace_line` for commands).

use std::collections::BTreeMap;
use std::io::{self, Read};
use std::path::PathBuf;
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use reqwest::blocking::{Client, RequestBuilder};
use reqwest::header::{ACCEPT, CONTENT_TYPE, HeaderMap};
use url::Url;

use crate::error::{Error, NetworkKind, Result};
use crate::oauth::mtls::ClientCertificate;
use crate::oauth::url_policy;

mod deadline;
mod errors;
pub(crate) mod exchange;
pub(crate) mod redirect;
pub(crate) mod request;
mod sensitive;
pub(crate) mod trace;

pub use deadline::{Deadline, DeadlineReader};
pub use errors::network_error;
pub use sensitive::{is_secret_name, is_sensitive_header};
pub use trace::{Tracer, discard as discard_trace};
pub use trace::{redact_body, redact_form, redact_header, redact_url};

/// The largest protocol response we read (discovery, JWKS, token, introspection).
pub const MAX_PROTOCOL_BODY: u64 = 1024 * 1024;
/// The deadline of one protocol exchange (connect, head and body) unless
/// [`TIMEOUT_ENV`] says otherwise.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(30);
/// The environment variable that replaces [`DEFAULT_TIMEOUT`] (`45s`, `2m`, or seconds).
pub const TIMEOUT_ENV: &str = "OAUTHCTL_HTTP_TIMEOUT";
/// How long connecting may take, whatever the overall limit.
pub const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

/// Options that shape the client.
#[derive(Debug, Clone)]
pub struct HttpOptions {
    pub cacert: Option<PathBuf>,
    pub insecure_http: bool,
    pub verbose: u8,
    /// Where the `-v` trace goes when `verbose` is set: the caller's terminal layer
    /// (`output::trace_line` for commands). The HTTP layer does not write to a terminal
    /// itself.
    pub trace: Tracer,
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
            trace: discard_trace,
            timeout: Some(DEFAULT_TIMEOUT),
        }
    }
}

impl HttpOptions {
    /// The options of protocol exchanges (`--cacert`, `--insecure-http`, `-v`), with the
    /// deadline from [`TIMEOUT_ENV`] (exit 7 when it does not hold a duration).
    pub fn protocol(
        cacert: Option<PathBuf>,
        insecure_http: bool,
        verbose: u8,
        trace: Tracer,
    ) -> Result<Self> {
        Ok(Self {
            cacert,
            insecure_http,
            verbose,
            trace,
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
///
/// A client certificate (mutual TLS, RFC 8705) is presented by a client of its own
/// ([`HttpClient::for_certificate`]), kept per certificate, so that requests without it never
/// present it.
#[derive(Debug, Clone)]
pub struct HttpClient {
    direct: OnceLock<Client>,
    proxied: OnceLock<Client>,
    certs: Vec<reqwest::Certificate>,
    insecure_http: bool,
    verbose: u8,
    trace: Tracer,
    timeout: Option<Duration>,
    /// The last token endpoint's `Date` minus this computer's clock, in seconds
    /// ([`NO_OFFSET`] until one was seen); for explaining clock skew.
    server_clock: Arc<AtomicI64>,
    /// The client certificate this client presents, if any.
    identity: Option<Arc<ClientCertificate>>,
    /// The clients presenting a certificate, by its thumbprint.
    with_identity: Arc<Mutex<BTreeMap<String, Arc<HttpClient>>>>,
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
            trace: options.trace,
            timeout: options.timeout,
            server_clock: Arc::new(AtomicI64::new(NO_OFFSET)),
            identity: None,
            with_identity: Arc::default(),
        })
    }

    /// The same client presenting `certificate` in TLS handshakes (mutual TLS, RFC 8705):
    /// one per certificate, built on first use and kept for the next request.
    pub fn for_certificate(&self, certificate: &Arc<ClientCertificate>) -> Arc<Self> {
        let mut clients = self
            .with_identity
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let client = clients
            .entry(certificate.thumbprint().to_owned())
            .or_insert_with(|| {
                Arc::new(Self {
                    direct: OnceLock::new(),
                    proxied: OnceLock::new(),
                    certs: self.certs.clone(),
                    insecure_http: self.insecure_http,
                    verbose: self.verbose,
                    timeout: self.timeout,
                    trace: self.trace,
                    server_clock: Arc::clone(&self.server_clock),
                    identity: Some(Arc::clone(certificate)),
                    with_identity: Arc::default(),
                })
            });
        Arc::clone(client)
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
        if let Some(certificate) = &self.identity {
            let identity = reqwest::Identity::from_pem(&certificate.identity_pem())
                .map_err(|e| identity_error(&e))?;
            builder = builder.identity(identity);
        }
        builder.build().map_err(|e| {
            if self.identity.is_some() {
                identity_error(&e)
            } else {
                Error::Other(format!("cannot set up HTTP: {e}"))
            }
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
}

/// A client certificate and key the TLS stack refused (a key that is not the certificate's,
/// a format it cannot use).
fn identity_error(e: &reqwest::Error) -> Error {
    let mut message = e.to_string();
    let mut source = std::error::Error::source(e);
    while let Some(cause) = source {
        message.push_str(": ");
        message.push_str(&cause.to_string());
        source = cause.source();
    }
    Error::config(
        format!("the client certificate cannot be used: {message}"),
        Some(
            "check that --client-key is the private key of --client-cert (PEM, not encrypted)"
                .to_owned(),
        ),
    )
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn basic_credentials_are_form_encoded() {
        // RFC 6749 §2.3.1: id and secret are form-urlencoded before base64.
        assert_eq!(form_component("a:b%c+d e"), "a%3Ab%25c%2Bd+e");
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
}
