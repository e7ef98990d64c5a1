//! `call`: one HTTP request with a bearer token, curl-like (design.md §3; security C58,
//! C58b, C59, C67).
//!
//! The token is the profile's cached access token, or one from `--token-env VAR` /
//! `--token-file FILE|-` (a token oauthctl did not obtain: sent as is, never refreshed, no
//! login or configuration needed). It goes only in `Authorization: Bearer`, only over https
//! or loopback http (unless `--insecure-http`), and only to the origin (scheme, host, port)
//! the user named: with `-L`, a redirect elsewhere is followed without `Authorization`,
//! `Cookie`, `Proxy-Authorization` and the user's sensitive headers, and a redirect from
//! https to http is refused. A `401` with `error="invalid_token"` from that origin
//! refreshes the profile's token once (under the profile's lock) and repeats the request
//! once, unless a refresh cannot help (the challenge is about the audience); bodies are
//! buffered, so they can always be replayed. A `401`/`403` challenge is explained on stderr
//! (RFC 6750 §3: error, description, required scope) with the command that gets a fitting
//! token. Response bodies are streamed, never capped: to `-o FILE` or to a pipe untouched,
//! to a terminal rendered safely (bounded). `--max-time` is one deadline for the whole
//! exchange: redirects, the retry and the body.

use std::fmt::Write as _;
use std::io::{Cursor, Read as _, Write as _};
use std::path::{Path, PathBuf};
use std::time::Duration;

use reqwest::Method;
use reqwest::blocking::{RequestBuilder, Response};
use reqwest::header::{self, HeaderMap, HeaderName, HeaderValue};
use url::Url;

use crate::error::{Error, Result};
use crate::http::{self, Deadline, HttpClient, HttpOptions};
use crate::oauth::grant::Grant;
use crate::oauth::secret::AccessToken;
use crate::oauth::token_type::TokenType;
use crate::oauth::tokens::TokenSet;
use crate::oauth::url_policy;
use crate::oauth::www_authenticate::{self, Challenge};
use crate::output::body::{TerminalBody, for_terminal};
use crate::output::{self, CopyError, Outcome, Output, Stream, Theme, sanitize};

use super::Context;
use super::session::{Session, replace_rejected, usable_tokens};

/// Redirects followed at most with `-L`.
pub(crate) const MAX_REDIRECTS: usize = 10;
/// Refresh first when the token expires within this time (as `token` does by default).
const MIN_TTL: Duration = Duration::from_secs(60);
/// The most of a body shown on a terminal; larger bodies want `-o FILE` or a pipe.
const TERMINAL_LIMIT: usize = 8 * 1024 * 1024;
/// The largest token `--token-file` reads.
const MAX_EXTERNAL_TOKEN: u64 = 64 * 1024;

/// Whether a request header named `name` is sensitive: redacted in traces and never sent
/// to another origin after a redirect. Headers given as `-H '!Name: value'` are too. The
/// same rule redacts response headers in traces ([`http::is_sensitive_header`]).
pub(crate) fn is_sensitive_header(name: &str) -> bool {
    http::is_sensitive_header(name)
}

/// What `call` was asked for (design.md §3).
#[derive(Debug, Clone, Default)]
pub(crate) struct Options {
    /// `[METHOD] URL`.
    pub target: Vec<String>,
    /// `-H 'NAME: VALUE'` (`!NAME: VALUE` marks it sensitive).
    pub headers: Vec<String>,
    /// `-d DATA`, `@FILE` or `@-`.
    pub data: Option<String>,
    /// `--json BODY`, `@FILE` or `@-`.
    pub json_body: Option<String>,
    /// `--form K=V`.
    pub form: Vec<(String, String)>,
    /// `-i`: status line and headers before the body.
    pub include: bool,
    /// `-o FILE` (`-` is standard output).
    pub output: Option<PathBuf>,
    /// `--fail`: exit 8 on HTTP 400 and above.
    pub fail: bool,
    /// `--max-time`: one deadline for the whole exchange.
    pub max_time: Option<Duration>,
    /// `-L`: follow redirects.
    pub location: bool,
    /// `--token-env VAR`.
    pub token_env: Option<String>,
    /// `--token-file FILE` (`-` is standard input).
    pub token_file: Option<PathBuf>,
}

/// A `-H` header.
#[derive(Debug, Clone)]
struct UserHeader {
    name: HeaderName,
    value: HeaderValue,
    sensitive: bool,
}

/// The request as the user described it.
#[derive(Debug, Clone)]
struct Request {
    method: Method,
    url: Url,
    headers: Vec<UserHeader>,
    body: Option<Vec<u8>>,
}

/// Where the bearer token comes from.
enum Credential {
    /// The profile's cached login, refreshed as `token` refreshes it.
    Profile {
        session: Box<Session>,
        tokens: Box<TokenSet>,
    },
    /// A bearer token oauthctl did not obtain (`--token-env`, `--token-file`): never
    /// refreshed.
    External {
        token: AccessToken,
        /// Where it came from, for messages (`$VAR`, the file, standard input).
        origin: String,
    },
}

impl Credential {
    fn token(&self) -> &AccessToken {
        match self {
            Self::Profile { tokens, .. } => &tokens.access_token,
            Self::External { token, .. } => token,
        }
    }

    fn token_type(&self) -> TokenType {
        match self {
            Self::Profile { tokens, .. } => tokens.token_type,
            Self::External { .. } => TokenType::Bearer,
        }
    }
}

/// Runs `call`.
pub(crate) fn run(ctx: &Context<'_>, args: &Options) -> Result<Outcome> {
    check_stdin_use(args)?;
    // Standard input is read here or not at all (a refresh may read a client secret from it).
    let (request, external) = {
        let mut stdin = std::io::stdin().lock();
        (build(args, &mut stdin)?, external_token(args, &mut stdin)?)
    };
    // C59: decided on the URL alone, before any login lookup or connection.
    check_destination(&request.url, ctx.flags.insecure_http)?;
    let mut credential = if let Some((token, origin)) = external {
        Credential::External { token, origin }
    } else {
        let session = Session::open(ctx)?;
        let tokens = usable_tokens(ctx, &session, MIN_TTL)?;
        Credential::Profile {
            session: Box::new(session),
            tokens: Box::new(tokens),
        }
    };
    check_token_not_in_url(&request.url, credential.token().expose())?;
    let http = HttpClient::new(&HttpOptions {
        cacert: ctx.flags.cacert.clone(),
        insecure_http: ctx.flags.insecure_http,
        verbose: ctx.ui.verbose,
        timeout: args.max_time,
    })?;
    let limit = Limit {
        deadline: Deadline::after(args.max_time),
        max_time: args.max_time,
    };
    let mut exchange = send(
        &http,
        ctx,
        &request,
        credential.token_type(),
        credential.token(),
        args.location,
        limit,
    )?;
    let mut challenge = exchange.challenge(credential.token_type());
    if let Credential::Profile { session, tokens } = &mut credential
        && exchange.token_sent
        && challenge.as_ref().is_some_and(Refusal::refresh_may_help)
    {
        ctx.ui.info(
            "The API rejected the access token (invalid_token); refreshing it and retrying once.",
        );
        drop(exchange);
        let rejected = tokens.access_token.clone();
        **tokens = replace_rejected(ctx, session, &rejected)?;
        check_token_not_in_url(&request.url, tokens.access_token.expose())?;
        exchange = send(
            &http,
            ctx,
            &request,
            tokens.token_type,
            &tokens.access_token,
            args.location,
            limit,
        )?;
        challenge = exchange.challenge(tokens.token_type);
    }
    let refusal = challenge.filter(|_| exchange.token_sent);
    deliver(ctx, args, exchange.response, limit, || {
        if let Some(refusal) = &refusal {
            explain(ctx, refusal, &credential, &request.url);
        }
    })
}

/// `--token-file -` and a body from `@-` both want standard input: refused up front.
fn check_stdin_use(args: &Options) -> Result<()> {
    let token_from_stdin = args
        .token_file
        .as_deref()
        .is_some_and(|p| p.as_os_str() == "-");
    let body_from_stdin = [&args.data, &args.json_body]
        .into_iter()
        .flatten()
        .any(|b| b == "@-");
    if token_from_stdin && body_from_stdin {
        return Err(Error::usage(
            "`--token-file -` and a body from `@-` both read standard input",
            Some(
                "put the body in a file (`-d @FILE`, `--json @FILE`) or the token in one \
                 (`--token-file FILE`, `--token-env VAR`)"
                    .to_owned(),
            ),
        ));
    }
    Ok(())
}

/// The token of `--token-env VAR` / `--token-file FILE|-`, if one of them is given, and a
/// name for where it came from. A leading `Bearer ` is dropped; anything that is not one
/// word of visible ASCII (as RFC 6750 §2.1's `b64token` is; CR, LF or NUL would inject
/// headers) is refused with exit 2, without quoting the value.
fn external_token(
    args: &Options,
    stdin: &mut dyn std::io::Read,
) -> Result<Option<(AccessToken, String)>> {
    let (raw, origin) = if let Some(var) = &args.token_env {
        let value = std::env::var(var).map_err(|_| {
            Error::usage(
                format!("--token-env {var}: the variable is not set (or not UTF-8)"),
                Some(format!("export {var}=… with the access token")),
            )
        })?;
        (value, format!("${var}"))
    } else if let Some(path) = &args.token_file {
        let mut bytes = Vec::new();
        let (result, origin) = if path.as_os_str() == "-" {
            (
                stdin
                    .take(MAX_EXTERNAL_TOKEN + 1)
                    .read_to_end(&mut bytes)
                    .map_err(|e| Error::Other(format!("cannot read the token from stdin: {e}"))),
                "standard input".to_owned(),
            )
        } else {
            (
                std::fs::File::open(path)
                    .and_then(|f| f.take(MAX_EXTERNAL_TOKEN + 1).read_to_end(&mut bytes))
                    .map_err(|e| Error::io("read the token file", path, e)),
                path.display().to_string(),
            )
        };
        result?;
        if bytes.len() as u64 > MAX_EXTERNAL_TOKEN {
            return Err(Error::usage(
                format!(
                    "--token-file {origin}: more than {} KiB is not a token",
                    MAX_EXTERNAL_TOKEN / 1024
                ),
                None,
            ));
        }
        let text = String::from_utf8(bytes)
            .map_err(|_| Error::usage(format!("--token-file {origin}: not text (UTF-8)"), None))?;
        (text, origin)
    } else {
        return Ok(None);
    };
    let token = bearer_value(&raw).map_err(|why| {
        let flag = if args.token_env.is_some() {
            "--token-env"
        } else {
            "--token-file"
        };
        Error::usage(format!("{flag} {origin}: {why}"), None)
    })?;
    Ok(Some((AccessToken::new(token), origin)))
}

/// The token in `raw`: surrounding whitespace and a leading `Bearer ` (any case) dropped;
/// the rest must be one word of visible ASCII.
fn bearer_value(raw: &str) -> std::result::Result<String, &'static str> {
    let bearer = TokenType::Bearer;
    let mut text = raw.trim();
    if bearer.is_scheme(text) {
        text = "";
    } else if let Some((scheme, rest)) = text.split_once([' ', '\t'])
        && bearer.is_scheme(scheme)
    {
        text = rest.trim_start();
    }
    if text.is_empty() {
        return Err("the token is empty");
    }
    if !text.bytes().all(|b| b.is_ascii_graphic()) {
        return Err(
            "the token contains spaces, control characters (CR, LF, NUL, …) or non-ASCII \
             characters; a bearer token has none",
        );
    }
    Ok(text.to_owned())
}

/// Builds the request from the arguments; `stdin` serves `-d @-` / `--json @-`.
fn build(args: &Options, stdin: &mut dyn std::io::Read) -> Result<Request> {
    let (method, raw_url) = match args.target.as_slice() {
        [url] => (None, url.as_str()),
        [method, url] => (Some(method.as_str()), url.as_str()),
        _ => return Err(Error::usage("expected `[METHOD] URL`", None)),
    };
    let url = parse_url(raw_url)?;
    let mut headers = args
        .headers
        .iter()
        .map(|h| parse_header(h))
        .collect::<Result<Vec<_>>>()?;
    let (body, content_type) = if let Some(data) = &args.data {
        (
            Some(read_source(data, stdin)?),
            Some("application/x-www-form-urlencoded"),
        )
    } else if let Some(json) = &args.json_body {
        add_default(&mut headers, header::ACCEPT, "application/json");
        (Some(read_source(json, stdin)?), Some("application/json"))
    } else if !args.form.is_empty() {
        let pairs: Vec<(&str, &str)> = args
            .form
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect();
        (
            Some(http::form_urlencode(&pairs).into_bytes()),
            Some("application/x-www-form-urlencoded"),
        )
    } else {
        (None, None)
    };
    if let Some(ct) = content_type {
        add_default(&mut headers, header::CONTENT_TYPE, ct);
    }
    let method = match method {
        Some(m) => parse_method(m)?,
        None if body.is_some() => Method::POST,
        None => Method::GET,
    };
    Ok(Request {
        method,
        url,
        headers,
        body,
    })
}

/// Adds a header unless the user set it.
fn add_default(headers: &mut Vec<UserHeader>, name: HeaderName, value: &'static str) {
    if !headers.iter().any(|h| h.name == name) {
        headers.push(UserHeader {
            name,
            value: HeaderValue::from_static(value),
            sensitive: false,
        });
    }
}

fn parse_method(raw: &str) -> Result<Method> {
    let upper = raw.to_ascii_uppercase();
    let valid = !upper.is_empty()
        && upper
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b));
    if !valid {
        return Err(Error::usage(
            format!("`{raw}` is not an HTTP method"),
            Some("usage: oauthctl call [METHOD] URL, e.g. `oauthctl call POST https://api.example/items --json '{…}'`".to_owned()),
        ));
    }
    Method::from_bytes(upper.as_bytes())
        .map_err(|_| Error::usage(format!("`{raw}` is not an HTTP method"), None))
}

/// Parses the URL, refusing control characters (C58b: the URL parser would silently drop
/// tabs and newlines), other schemes, and `user:password@` (which would become a second set
/// of credentials).
fn parse_url(raw: &str) -> Result<Url> {
    if raw.chars().any(char::is_control) {
        return Err(Error::usage(
            "the URL contains a control character (CR, LF, NUL, …); refusing it",
            None,
        ));
    }
    let mut url = Url::parse(raw).map_err(|e| {
        Error::usage(
            format!("`{raw}` is not a valid URL: {e}"),
            Some("give a full URL, e.g. https://api.example/items".to_owned()),
        )
    })?;
    if !matches!(url.scheme(), "https" | "http") {
        return Err(Error::usage(
            format!("`call` speaks http and https, not `{}:`", url.scheme()),
            None,
        ));
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err(Error::usage(
            "refusing a URL with user:password@ in it (call sends the profile's token)",
            None,
        ));
    }
    if url.host_str().is_none_or(str::is_empty) {
        return Err(Error::usage("the URL has no host", None));
    }
    url.set_fragment(None);
    Ok(url)
}

/// Parses `-H 'NAME: VALUE'` (or `'!NAME: VALUE'` for a sensitive header). CR, LF and NUL
/// are refused (C58b, header injection), and so is `Authorization`: the profile's token is
/// what `call` sends.
fn parse_header(raw: &str) -> Result<UserHeader> {
    let (marked, rest) = match raw.strip_prefix('!') {
        Some(rest) => (true, rest),
        None => (false, raw),
    };
    let Some((name, value)) = rest.split_once(':') else {
        return Err(Error::usage(
            format!(
                "`-H {}`: expected `NAME: VALUE`",
                rest.split(':').next().unwrap_or("")
            ),
            None,
        ));
    };
    let name = name.trim_matches([' ', '\t']);
    let value = value.trim_matches([' ', '\t']);
    if name
        .bytes()
        .chain(value.bytes())
        .any(|b| matches!(b, b'\r' | b'\n' | 0))
    {
        return Err(Error::usage(
            format!("header `{name}`: CR, LF and NUL are not allowed in header names or values"),
            None,
        ));
    }
    let name = HeaderName::from_bytes(name.as_bytes())
        .map_err(|_| Error::usage(format!("`{name}` is not a valid header name"), None))?;
    let mut value = HeaderValue::from_str(value).map_err(|_| {
        Error::usage(
            format!("the value of header `{name}` has characters a header may not carry"),
            None,
        )
    })?;
    if name == header::AUTHORIZATION {
        return Err(Error::usage(
            "`call` sends the profile's access token as `Authorization`; drop `-H Authorization`",
            Some(
                "for other credentials use curl, e.g. with `oauthctl token --format header`"
                    .to_owned(),
            ),
        ));
    }
    let sensitive = marked || is_sensitive_header(name.as_str());
    value.set_sensitive(sensitive);
    Ok(UserHeader {
        name,
        value,
        sensitive,
    })
}

/// `DATA`, `@FILE`, or `@-` (standard input), read whole so that a retry can replay it.
fn read_source(spec: &str, stdin: &mut dyn std::io::Read) -> Result<Vec<u8>> {
    match spec.strip_prefix('@') {
        Some("-") => {
            let mut buf = Vec::new();
            stdin
                .read_to_end(&mut buf)
                .map_err(|e| Error::Other(format!("cannot read the body from stdin: {e}")))?;
            Ok(buf)
        }
        Some(path) => {
            let path = Path::new(path);
            std::fs::read(path).map_err(|e| Error::io("read the body file", path, e))
        }
        None => Ok(spec.as_bytes().to_vec()),
    }
}

/// C59: the bearer token travels over https, or plain http to a loopback host, unless the
/// user passes `--insecure-http`; never in the query.
fn check_destination(url: &Url, insecure_http: bool) -> Result<()> {
    if url.scheme() == "http" && !url_policy::is_loopback(url) && !insecure_http {
        return Err(Error::usage(
            format!(
                "refusing to send the access token over plain http to {}",
                url.host_str().unwrap_or_default()
            ),
            Some("use https, or pass --insecure-http on a network you trust".to_owned()),
        ));
    }
    if url
        .query_pairs()
        .any(|(k, _)| k.eq_ignore_ascii_case("access_token"))
    {
        return Err(Error::usage(
            "the URL has an access_token query parameter; `call` sends the token only in the \
             Authorization header (RFC 6750 §2.3, §5.3)",
            None,
        ));
    }
    Ok(())
}

fn check_token_not_in_url(url: &Url, token: &str) -> Result<()> {
    if !token.is_empty() && url.as_str().contains(token) {
        return Err(Error::usage(
            "the URL contains the profile's access token; `call` sends it only in the \
             Authorization header",
            None,
        ));
    }
    Ok(())
}

/// `--max-time`: one deadline for everything `call` sends and receives.
#[derive(Debug, Clone, Copy)]
struct Limit {
    deadline: Deadline,
    max_time: Option<Duration>,
}

impl Limit {
    /// The error for an exchange with `url` that ran out of time (or, without `--max-time`,
    /// could not connect within the connect timeout).
    fn timed_out(self, url: &str, what: &str) -> Error {
        match self.max_time {
            Some(max) => Error::HttpTimeout {
                message: format!(
                    "{url} {what} within --max-time {}",
                    humantime::format_duration(max)
                ),
                hint: "retry, or allow more time with --max-time (e.g. --max-time 5m)".to_owned(),
            },
            None => Error::HttpTimeout {
                message: format!(
                    "{url}: no connection within {}",
                    humantime::format_duration(http::CONNECT_TIMEOUT)
                ),
                hint: "check the URL, your network and proxy settings (HTTPS_PROXY, NO_PROXY); \
                       `-v` shows the request"
                    .to_owned(),
            },
        }
    }

    /// The error for a body that could not be read to its end.
    fn body_error(self, url: &str, e: &std::io::Error) -> Error {
        if e.kind() == std::io::ErrorKind::TimedOut {
            self.timed_out(url, "did not send the whole response")
        } else {
            Error::network(
                url,
                crate::error::NetworkKind::Read,
                format!("reading the response failed: {e}"),
            )
        }
    }
}

/// A response and whether the token went with the request that produced it.
struct Exchange {
    response: Response,
    token_sent: bool,
}

impl Exchange {
    /// The challenge of a `401` or `403` for a `token_type` token (RFC 6750 §3 for
    /// `Bearer`), if there is one.
    fn challenge(&self, token_type: TokenType) -> Option<Refusal> {
        let status = self.response.status().as_u16();
        if status != 401 && status != 403 {
            return None;
        }
        let values = self
            .response
            .headers()
            .get_all(header::WWW_AUTHENTICATE)
            .iter()
            .filter_map(|v| v.to_str().ok());
        let challenge = www_authenticate::challenge_for(token_type, values)?;
        Some(Refusal::from_challenge(status, &challenge))
    }
}

/// Sends the request, following redirects with `follow` (at most [`MAX_REDIRECTS`]), all
/// within `limit`.
fn send(
    http: &HttpClient,
    ctx: &Context<'_>,
    req: &Request,
    token_type: TokenType,
    token: &AccessToken,
    follow: bool,
    limit: Limit,
) -> Result<Exchange> {
    let authorization = token_type.authorization(token);
    let origin = req.url.origin();
    let mut url = req.url.clone();
    let mut method = req.method.clone();
    let mut keep_body = true;
    let mut hops = 0;
    loop {
        // Credentials go to the origin the user named, and nowhere else (C58).
        let credentials = url.origin() == origin;
        let body = req.body.as_deref().filter(|_| keep_body);
        let headers = hop_headers(req, &authorization, credentials, keep_body)?;
        trace_request(ctx, &method, &url, &headers, body.map(<[u8]>::len));
        let base = url_policy::display_base(&url);
        let mut builder: RequestBuilder = http
            .client_for(&url)?
            .request(method.clone(), url.clone())
            .headers(headers);
        if let Some(left) = limit.deadline.remaining() {
            if left.is_zero() {
                return Err(limit.timed_out(&base, "did not answer"));
            }
            builder = builder.timeout(left);
        }
        if let Some(b) = body {
            builder = builder.body(b.to_vec());
        }
        let response = builder.send().map_err(|e| {
            if e.is_timeout() {
                limit.timed_out(&base, "did not answer")
            } else {
                http::network_error(&url, &e)
            }
        })?;
        trace_response(ctx, &response);
        let status = response.status().as_u16();
        let location = response.headers().get(header::LOCATION).cloned();
        let Some(location) = location.filter(|_| follow && is_redirect(status)) else {
            return Ok(Exchange {
                response,
                token_sent: credentials,
            });
        };
        if hops == MAX_REDIRECTS {
            return Err(Error::BadResponse(format!(
                "more than {MAX_REDIRECTS} redirects; stopped at {}",
                url_policy::display_base(&url)
            )));
        }
        hops += 1;
        let next = redirect_target(&url, &location)?;
        let (next_method, body_kept) = after_redirect(status, &method);
        method = next_method;
        keep_body = keep_body && body_kept;
        url = next;
    }
}

/// What a `401`/`403` Bearer challenge says (RFC 6750 §3).
#[derive(Debug, Clone, PartialEq, Eq)]
struct Refusal {
    status: u16,
    error: Option<String>,
    description: Option<String>,
    /// The scopes the API requires (`scope`, space-separated).
    scope: Vec<String>,
    /// Where the API's protected resource metadata is (RFC 9728 §5.1).
    resource_metadata: Option<String>,
}

impl Refusal {
    fn from_challenge(status: u16, c: &Challenge) -> Self {
        Self {
            status,
            error: c.param("error").map(str::to_owned),
            description: c.param("error_description").map(str::to_owned),
            scope: c
                .param("scope")
                .map(|s| s.split_whitespace().map(str::to_owned).collect())
                .unwrap_or_default(),
            resource_metadata: c.param("resource_metadata").map(str::to_owned),
        }
    }

    fn is(&self, error: &str) -> bool {
        self.error.as_deref() == Some(error)
    }

    /// An `invalid_token` whose description is about the audience (`aud`): the token is
    /// for another API, and a refresh would only bring another one like it.
    fn about_audience(&self) -> bool {
        self.is("invalid_token")
            && self.description.as_deref().is_some_and(|d| {
                d.split(|c: char| !c.is_ascii_alphanumeric())
                    .any(|w| w.eq_ignore_ascii_case("aud") || w.eq_ignore_ascii_case("audience"))
            })
    }

    /// Whether refreshing the token and repeating the request may help: a `401` with
    /// `invalid_token` (RFC 6750 §3.1: expired, revoked, …) that is not about the audience.
    /// `insufficient_scope` never is: a refresh keeps the scopes (RFC 6749 §6).
    fn refresh_may_help(&self) -> bool {
        self.status == 401 && self.is("invalid_token") && !self.about_audience()
    }

    /// `invalid_token: the token expired (required scope: a b)`, sanitised.
    fn describe(&self) -> String {
        let mut text = self.error.as_deref().map_or_else(
            || "its challenge gives no error code".to_owned(),
            |e| sanitize::line(e).into_owned(),
        );
        if let Some(d) = &self.description {
            let _ = write!(text, ": {}", sanitize::line(d));
        }
        if !self.scope.is_empty() {
            let _ = write!(
                text,
                " (required scope: {})",
                sanitize::line(&self.scope.join(" "))
            );
        }
        text
    }
}

/// Explains a `401`/`403` on stderr: what the API said, and the command that gets a token
/// it accepts (one that works as printed, with the user's profile flags).
fn explain(ctx: &Context<'_>, refusal: &Refusal, credential: &Credential, url: &Url) {
    ctx.ui.info(&format!(
        "The API refused the token (HTTP {}): {}",
        refusal.status,
        refusal.describe()
    ));
    let resource = if refusal.about_audience() {
        resource_identifier(ctx, refusal, url)
    } else {
        url.origin().ascii_serialization()
    };
    if let Some(hint) = advice(ctx.flags, refusal, credential, &resource) {
        ctx.ui.info(&format!("hint: {hint}"));
    }
}

/// The API's resource identifier (RFC 8707) for a `--resource` hint: the `resource` its
/// protected resource metadata names, when the challenge points to metadata on the API's own
/// origin (RFC 9728 §5.1) and that identifier is the URL called or a prefix of it at a
/// path-segment boundary (RFC 9728 §3.3 asks for the URL itself; an identifier covering
/// several paths is common). Otherwise, or when the metadata cannot be read, the URL's origin.
/// Nothing secret is sent for it: a plain GET through the protocol client.
fn resource_identifier(ctx: &Context<'_>, refusal: &Refusal, url: &Url) -> String {
    let origin = url.origin().ascii_serialization();
    let from_metadata = || -> Option<String> {
        let http = ctx.http().ok()?;
        let meta = http
            .checked_url(refusal.resource_metadata.as_deref()?)
            .ok()?;
        if meta.origin() != url.origin() {
            return None;
        }
        let resp = http.get_json(&meta).ok().filter(|r| r.status == 200)?;
        let doc: serde_json::Value = serde_json::from_slice(&resp.body).ok()?;
        let raw = doc.get("resource")?.as_str()?;
        let resource = Url::parse(raw).ok()?;
        let prefix = resource.path().trim_end_matches('/');
        let covers = resource.origin() == url.origin()
            && resource.query().is_none()
            && resource.fragment().is_none()
            && url
                .path()
                .strip_prefix(prefix)
                .is_some_and(|rest| rest.is_empty() || rest.starts_with('/'));
        // The identifier exactly as published: servers compare it as a string.
        covers.then(|| raw.to_owned())
    };
    from_metadata().unwrap_or(origin)
}

/// The next step after a refusal, if there is one to suggest.
fn advice(
    global: &crate::config::Flags,
    refusal: &Refusal,
    credential: &Credential,
    resource: &str,
) -> Option<String> {
    match credential {
        Credential::External { origin, .. } => {
            if refusal.is("insufficient_scope") && !refusal.scope.is_empty() {
                Some(format!(
                    "the token from {origin} lacks scope `{}`; get one that has it",
                    sanitize::line(&refusal.scope.join(" "))
                ))
            } else if refusal.about_audience() {
                Some(format!(
                    "the token from {origin} was issued for another API (audience); get one \
                     for {resource}"
                ))
            } else if refusal.is("invalid_token") {
                Some(format!(
                    "the token from {origin} is not accepted (expired or revoked?): get a new \
                     one; `oauthctl decode` shows its claims and expiry"
                ))
            } else {
                None
            }
        }
        Credential::Profile { session, tokens } => {
            let login = |extra: &[&str]| login_command(global, tokens.grant, extra);
            if refusal.is("insufficient_scope") && !refusal.scope.is_empty() {
                let missing: Vec<&str> = refusal
                    .scope
                    .iter()
                    .map(String::as_str)
                    .filter(|s| !tokens.scope.iter().any(|g| g == s))
                    .collect();
                if missing.is_empty() {
                    return Some(format!(
                        "the token already has scope `{}`; the API wants more than a scope \
                         (a role or another user, say): ask its owner",
                        sanitize::line(&refusal.scope.join(" "))
                    ));
                }
                let mut wanted: Vec<&str> = if session.entry.scopes.is_empty() {
                    tokens.scope.iter().map(String::as_str).collect()
                } else {
                    session.entry.scopes.iter().map(String::as_str).collect()
                };
                for s in &refusal.scope {
                    if !wanted.contains(&s.as_str()) {
                        wanted.push(s);
                    }
                }
                let scopes = wanted.join(" ");
                Some(format!(
                    "the token lacks scope `{}`; log in asking for it: {}",
                    sanitize::line(&missing.join(" ")),
                    login(&["--scope", &scopes])
                ))
            } else if refusal.about_audience() {
                // A profile that named its API with `audience` (Auth0 and others) keeps
                // that parameter; otherwise the RFC 8707 resource indicator.
                let flag = if session.entry.audience.is_some() && session.entry.resource.is_none() {
                    "--audience"
                } else {
                    "--resource"
                };
                Some(format!(
                    "the token is for another API (audience); log in for this one: {}",
                    login(&[flag, resource])
                ))
            } else if refusal.is("invalid_token") {
                Some(format!(
                    "the token is still not accepted; log in again: {}",
                    login(&[])
                ))
            } else {
                None
            }
        }
    }
}

/// `oauthctl [--config F] [-p P] [--provider X] [--issuer U] [--client-id C] login [--flow …]
/// EXTRA…`, shell-quoted: the profile-selecting flags exactly as the user gave them, so the
/// command works as printed.
fn login_command(global: &crate::config::Flags, grant: Grant, extra: &[&str]) -> String {
    let config = global
        .config
        .as_ref()
        .map(|c| c.to_string_lossy().into_owned());
    let mut words: Vec<&str> = vec!["oauthctl"];
    let flags = [
        ("--config", config.as_deref()),
        ("-p", global.profile.as_deref()),
        ("--provider", global.provider.as_deref()),
        ("--issuer", global.issuer.as_deref()),
        ("--client-id", global.client_id.as_deref()),
    ];
    for (flag, value) in flags {
        if let Some(v) = value {
            words.extend([flag, v]);
        }
    }
    words.push("login");
    match grant {
        Grant::ClientCredentials => words.extend(["--flow", "client-credentials"]),
        Grant::DeviceCode => words.extend(["--flow", "device"]),
        Grant::AuthorizationCode | Grant::RefreshToken => {}
    }
    words.extend(extra);
    let text = shlex::try_join(words.iter().copied()).unwrap_or_else(|_| words.join(" "));
    format!("`{}`", sanitize::line(&text))
}

fn is_redirect(status: u16) -> bool {
    matches!(status, 301 | 302 | 303 | 307 | 308)
}

/// The method after a redirect, and whether the body goes along: 301, 302 and 303 become
/// GET without a body (HEAD stays HEAD); 307 and 308 keep both (RFC 9110 §15.4).
fn after_redirect(status: u16, method: &Method) -> (Method, bool) {
    match status {
        301..=303 if *method == Method::HEAD => (Method::HEAD, false),
        301..=303 => (Method::GET, false),
        _ => (method.clone(), true),
    }
}

/// Where a redirect leads. Only http and https; never from https down to http (the user
/// asked for an encrypted exchange, C58); never with `user:password@`.
fn redirect_target(current: &Url, location: &HeaderValue) -> Result<Url> {
    let raw = location
        .to_str()
        .map_err(|_| Error::BadResponse("a redirect's Location is not text".to_owned()))?;
    let mut next = current
        .join(raw)
        .map_err(|e| Error::BadResponse(format!("a redirect's Location is not a URL: {e}")))?;
    if !matches!(next.scheme(), "http" | "https") {
        return Err(Error::BadResponse(format!(
            "refusing a redirect to a `{}:` URL",
            next.scheme()
        )));
    }
    if current.scheme() == "https" && next.scheme() == "http" {
        return Err(Error::BadResponse(format!(
            "refusing a redirect from https to plain http ({})",
            url_policy::display_base(&next)
        )));
    }
    if !next.username().is_empty() || next.password().is_some() {
        return Err(Error::BadResponse(
            "refusing a redirect to a URL with user:password@ in it".to_owned(),
        ));
    }
    next.set_fragment(None);
    Ok(next)
}

/// The headers of one hop: the user's (without the sensitive ones and `Host` when leaving
/// the origin, without `Content-*` once a redirect dropped the body) and `authorization`,
/// the token's `Authorization` value.
fn hop_headers(
    req: &Request,
    authorization: &str,
    credentials: bool,
    keep_body: bool,
) -> Result<HeaderMap> {
    let mut map = HeaderMap::new();
    for h in &req.headers {
        if !credentials && (h.sensitive || h.name == header::HOST) {
            continue;
        }
        if !keep_body && h.name.as_str().starts_with("content-") {
            continue;
        }
        map.append(h.name.clone(), h.value.clone());
    }
    if credentials {
        let mut value = HeaderValue::from_str(authorization).map_err(|_| {
            Error::Other("the cached access token cannot be sent in a header".to_owned())
        })?;
        value.set_sensitive(true);
        map.insert(header::AUTHORIZATION, value);
    }
    Ok(map)
}

/// A header value for `-v`: redacted by name (request and response alike, one rule) or
/// because the user marked it with `!`.
fn shown_value(name: &HeaderName, value: &HeaderValue) -> String {
    let text = value.to_str().unwrap_or("<binary>");
    if value.is_sensitive() && !is_sensitive_header(name.as_str()) {
        "[redacted]".to_owned()
    } else {
        http::redact_header(name.as_str(), text)
    }
}

/// `-v`: the request line and headers, secrets redacted (C67); the body only by size.
fn trace_request(
    ctx: &Context<'_>,
    method: &Method,
    url: &Url,
    headers: &HeaderMap,
    body: Option<usize>,
) {
    if ctx.ui.verbose == 0 {
        return;
    }
    ctx.ui
        .trace(&format!("> {method} {}", http::redact_url(url)));
    for (name, value) in headers {
        ctx.ui
            .trace(&format!("> {name}: {}", shown_value(name, value)));
    }
    if let Some(n) = body {
        ctx.ui.trace(&format!("> [{n} bytes of body]"));
    }
}

fn trace_response(ctx: &Context<'_>, resp: &Response) {
    if ctx.ui.verbose == 0 {
        return;
    }
    ctx.ui
        .trace(&format!("< {:?} {}", resp.version(), resp.status()));
    for (name, value) in resp.headers() {
        ctx.ui
            .trace(&format!("< {name}: {}", shown_value(name, value)));
    }
}

/// The status line and headers for `-i`: as received (CRLF) for pipes and files, sanitised
/// for a terminal.
fn head(resp: &Response, terminal: Option<Theme>) -> Vec<u8> {
    let status = resp.status();
    let line = format!(
        "{:?} {} {}",
        resp.version(),
        status.as_u16(),
        status.canonical_reason().unwrap_or("")
    );
    let mut out = Vec::new();
    match terminal {
        None => {
            out.extend_from_slice(line.trim_end().as_bytes());
            out.extend_from_slice(b"\r\n");
            for (name, value) in resp.headers() {
                out.extend_from_slice(name.as_str().as_bytes());
                out.extend_from_slice(b": ");
                out.extend_from_slice(value.as_bytes());
                out.extend_from_slice(b"\r\n");
            }
            out.extend_from_slice(b"\r\n");
        }
        Some(theme) => {
            let mut text = format!("{}\n", theme.bold(line.trim_end()));
            for (name, value) in resp.headers() {
                let v = String::from_utf8_lossy(value.as_bytes());
                let _ = writeln!(
                    text,
                    "{}: {}",
                    theme.paint(name.as_str(), colored::Color::Cyan),
                    sanitize::line(&v)
                );
            }
            text.push('\n');
            out = text.into_bytes();
        }
    }
    out
}

fn media_type(resp: &Response) -> String {
    resp.headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .map(|v| v.trim().to_ascii_lowercase())
        .unwrap_or_default()
}

/// Writes the response where the user wants it; `explain` adds to the note about an error
/// status.
fn deliver(
    ctx: &Context<'_>,
    args: &Options,
    resp: Response,
    limit: Limit,
    explain: impl FnOnce(),
) -> Result<Outcome> {
    let status = resp.status().as_u16();
    let failure = (args.fail && status >= 400).then_some(Error::HttpStatus { status });
    if status >= 400 && !args.fail && !args.include {
        ctx.ui.info(&format!(
            "HTTP {status} {} (--fail makes that exit 8)",
            resp.status().canonical_reason().unwrap_or("")
        ));
    }
    explain();
    let source = url_policy::display_base(resp.url());
    let output = match args.output.as_deref().filter(|p| p.as_os_str() != "-") {
        Some(path) => {
            let head = args.include.then(|| head(&resp, None));
            write_file(path, head, limit.deadline.reader(resp), &source, limit)?;
            Output::Nothing
        }
        None if ctx.ui.stdout_is_tty => Output::Data(for_tty(ctx, args, resp, &source, limit)?),
        None => {
            let head = if args.include {
                head(&resp, None)
            } else {
                Vec::new()
            };
            Output::Stream(Stream {
                reader: Box::new(Cursor::new(head).chain(limit.deadline.reader(resp))),
                read_error: Box::new(move |e| limit.body_error(&source, &e)),
            })
        }
    };
    Ok(Outcome { output, failure })
}

fn write_file(
    path: &Path,
    head: Option<Vec<u8>>,
    mut body: impl std::io::Read,
    source: &str,
    limit: Limit,
) -> Result<()> {
    let mut file =
        std::fs::File::create(path).map_err(|e| Error::io("create the output file", path, e))?;
    if let Some(head) = head {
        file.write_all(&head)
            .map_err(|e| Error::io("write the output file", path, e))?;
    }
    match output::copy(&mut body, &mut file) {
        Ok(_) => file
            .flush()
            .map_err(|e| Error::io("write the output file", path, e)),
        Err(CopyError::Write(e)) => Err(Error::io("write the output file", path, e)),
        Err(CopyError::Read(e)) => Err(limit.body_error(source, &e)),
    }
}

/// A terminal gets pretty, coloured, sanitised JSON or text, and a note instead of binary.
fn for_tty(
    ctx: &Context<'_>,
    args: &Options,
    resp: Response,
    source: &str,
    limit: Limit,
) -> Result<Vec<u8>> {
    let theme = ctx.ui.stdout;
    let mut out = if args.include {
        head(&resp, Some(theme))
    } else {
        Vec::new()
    };
    let media = media_type(&resp);
    let mut body = Vec::new();
    limit
        .deadline
        .reader(resp)
        .take(TERMINAL_LIMIT as u64 + 1)
        .read_to_end(&mut body)
        .map_err(|e| limit.body_error(source, &e))?;
    if body.len() > TERMINAL_LIMIT {
        ctx.ui.info(&format!(
            "The response body is larger than {} MiB; not shown on a terminal (use -o FILE or a pipe).",
            TERMINAL_LIMIT / (1024 * 1024)
        ));
        return Ok(out);
    }
    match for_terminal(&media, &body, theme) {
        TerminalBody::Text(text) => out.extend_from_slice(text.as_bytes()),
        TerminalBody::Binary => ctx.ui.info(&format!(
            "The response body is binary ({} bytes{}); not shown on a terminal (use -o FILE or a pipe).",
            body.len(),
            if media.is_empty() {
                String::new()
            } else {
                format!(", {}", sanitize::line(&media))
            }
        )),
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(target: &[&str]) -> Options {
        Options {
            target: target.iter().map(|s| (*s).to_owned()).collect(),
            ..Options::default()
        }
    }

    fn built(a: &Options) -> Result<Request> {
        build(a, &mut std::io::empty())
    }

    #[test]
    fn method_is_inferred_or_explicit() {
        let r = built(&args(&["https://api.example/x?a=1"])).unwrap();
        assert_eq!(r.method, Method::GET);
        assert_eq!(r.url.query(), Some("a=1"));
        let mut a = args(&["https://api.example/x"]);
        a.data = Some("k=v".into());
        let r = built(&a).unwrap();
        assert_eq!(r.method, Method::POST);
        assert_eq!(r.body.as_deref(), Some(&b"k=v"[..]));
        let r = built(&args(&["delete", "https://api.example/x"])).unwrap();
        assert_eq!(r.method, Method::DELETE);
        let e = built(&args(&["https://api.example/x", "GET"])).unwrap_err();
        assert_eq!(e.exit_code(), 2);
    }

    #[test]
    fn bodies_set_content_type_unless_given() {
        let mut a = args(&["https://api.example/x"]);
        a.json_body = Some(r#"{"a":1}"#.into());
        let r = built(&a).unwrap();
        let ct: Vec<_> = r
            .headers
            .iter()
            .map(|h| (h.name.as_str(), h.value.to_str().unwrap()))
            .collect();
        assert!(ct.contains(&("content-type", "application/json")), "{ct:?}");
        assert!(ct.contains(&("accept", "application/json")), "{ct:?}");
        a.headers = vec!["Content-Type: application/merge-patch+json".into()];
        let r = built(&a).unwrap();
        assert_eq!(
            r.headers
                .iter()
                .filter(|h| h.name == header::CONTENT_TYPE)
                .count(),
            1
        );
        let mut f = args(&["https://api.example/x"]);
        f.form = vec![("a b".into(), "c&d".into()), ("e".into(), "f".into())];
        let r = built(&f).unwrap();
        assert_eq!(r.body.as_deref(), Some(&b"a+b=c%26d&e=f"[..]));
        let mut stdin = Cursor::new(b"from stdin".to_vec());
        let mut s = args(&["PUT", "https://api.example/x"]);
        s.data = Some("@-".into());
        let r = build(&s, &mut stdin).unwrap();
        assert_eq!(r.body.as_deref(), Some(&b"from stdin"[..]));
        assert_eq!(r.method, Method::PUT);
    }

    #[test]
    fn control_characters_are_refused_c58b() {
        for url in [
            "https://api.example/x\r\nX-Evil: 1",
            "https://api.example/\0",
            "https://api.example/\tx",
        ] {
            assert_eq!(built(&args(&[url])).unwrap_err().exit_code(), 2, "{url:?}");
        }
        for h in [
            "X-A: b\r\nX-Evil: 1",
            "X-A\n: b",
            "X-A: \0",
            "X-A b",
            "Bad Name: v",
            "Authorization: Bearer x",
        ] {
            let mut a = args(&["https://api.example/x"]);
            a.headers = vec![h.into()];
            assert_eq!(built(&a).unwrap_err().exit_code(), 2, "{h:?}");
        }
        for url in [
            "ftp://api.example/",
            "https://u:p@api.example/",
            "nope",
            "/api/data",
        ] {
            assert_eq!(built(&args(&[url])).unwrap_err().exit_code(), 2, "{url:?}");
        }
    }

    #[test]
    fn sensitive_headers() {
        for n in [
            "Authorization",
            "Cookie",
            "x-api-key",
            "X-Auth-Token",
            "Api-Key",
            "X-Session-Id",
            "Proxy-Authorization",
        ] {
            assert!(is_sensitive_header(n), "{n}");
        }
        for n in [
            "Accept",
            "Content-Type",
            "X-Request-Id",
            "User-Agent",
            "Keep-Alive",
            "WWW-Authenticate",
        ] {
            assert!(!is_sensitive_header(n), "{n}");
        }
        assert!(parse_header("!X-Tenant: acme").unwrap().sensitive);
        assert!(!parse_header("X-Tenant: acme").unwrap().sensitive);
        assert_eq!(parse_header("X-Empty:").unwrap().value, "");
    }

    #[test]
    fn destination_policy_c59() {
        let ok = [
            "https://api.example/x",
            "http://127.0.0.1:8080/x",
            "http://localhost/x",
            "http://[::1]/",
        ];
        for u in ok {
            assert!(
                check_destination(&Url::parse(u).unwrap(), false).is_ok(),
                "{u}"
            );
        }
        let plain = Url::parse("http://api.example/x").unwrap();
        assert_eq!(check_destination(&plain, false).unwrap_err().exit_code(), 2);
        assert!(check_destination(&plain, true).is_ok());
        let q = Url::parse("https://api.example/x?access_token=abc").unwrap();
        assert_eq!(check_destination(&q, true).unwrap_err().exit_code(), 2);
        let t = Url::parse("https://api.example/x?q=tok-123").unwrap();
        assert!(check_token_not_in_url(&t, "tok-123").is_err());
        assert!(check_token_not_in_url(&t, "other").is_ok());
    }

    #[test]
    fn redirect_rules_c58() {
        let here = Url::parse("https://api.example/a/b").unwrap();
        let v = |s: &str| HeaderValue::from_str(s).unwrap();
        assert_eq!(
            redirect_target(&here, &v("c")).unwrap().as_str(),
            "https://api.example/a/c"
        );
        assert_eq!(
            redirect_target(&here, &v("//other.example/x#f"))
                .unwrap()
                .as_str(),
            "https://other.example/x"
        );
        assert!(
            redirect_target(&here, &v("http://api.example/a")).is_err(),
            "https→http"
        );
        assert!(redirect_target(&here, &v("file:///etc/passwd")).is_err());
        assert!(redirect_target(&here, &v("https://u:p@api.example/")).is_err());
        let plain = Url::parse("http://127.0.0.1:1/").unwrap();
        assert!(
            redirect_target(&plain, &v("https://api.example/")).is_ok(),
            "upgrade is fine"
        );

        assert_eq!(after_redirect(302, &Method::POST), (Method::GET, false));
        assert_eq!(after_redirect(303, &Method::PUT), (Method::GET, false));
        assert_eq!(after_redirect(301, &Method::HEAD), (Method::HEAD, false));
        assert_eq!(after_redirect(307, &Method::POST), (Method::POST, true));
        assert_eq!(after_redirect(308, &Method::PATCH), (Method::PATCH, true));
    }

    #[test]
    fn external_tokens_are_one_visible_word() {
        assert_eq!(bearer_value(" abc.def-_~+/= \n").unwrap(), "abc.def-_~+/=");
        assert_eq!(bearer_value("Bearer abc").unwrap(), "abc");
        assert_eq!(bearer_value("bearer\tabc\r\n").unwrap(), "abc");
        for bad in [
            "",
            " \n",
            "Bearer ",
            "abc\r\nX-Injected: 1",
            "a\u{0}b",
            "a b",
            "tök",
            "a\u{1b}[2J",
        ] {
            assert!(bearer_value(bad).is_err(), "{bad:?}");
        }
        let err = bearer_value("s3cret\r\nX: 1").unwrap_err();
        assert!(!err.contains("s3cret"));
    }

    fn refusal(status: u16, challenge: &str) -> Refusal {
        Refusal::from_challenge(status, &www_authenticate::parse(challenge)[0])
    }

    #[test]
    fn refusals_say_whether_a_refresh_can_help() {
        let expired = refusal(
            401,
            r#"Bearer error="invalid_token", error_description="expired""#,
        );
        assert!(expired.refresh_may_help());
        for audience in [
            r#"Bearer error="invalid_token", error_description="wrong audience""#,
            r#"Bearer error="invalid_token", error_description="Invalid AUD claim""#,
            r#"Bearer error="invalid_token", error_description="aud mismatch""#,
        ] {
            let r = refusal(401, audience);
            assert!(r.about_audience() && !r.refresh_may_help(), "{audience}");
        }
        // "audit" is not about the audience.
        assert!(
            refusal(
                401,
                r#"Bearer error="invalid_token", error_description="audit failed""#
            )
            .refresh_may_help()
        );
        let scope = refusal(
            403,
            "Bearer error=\"insufficient_scope\", scope=\"a b\", error_description=\"x\u{1b}[2J\"",
        );
        assert!(!scope.refresh_may_help());
        assert_eq!(scope.scope, ["a", "b"]);
        assert_eq!(
            scope.describe(),
            "insufficient_scope: x\\u{1b}[2J (required scope: a b)"
        );
        assert!(!refusal(401, r#"Bearer realm="api""#).refresh_may_help());
    }

    #[test]
    fn login_hints_keep_the_users_profile_flags() {
        let mut global = crate::config::Flags::default();
        assert_eq!(
            login_command(&global, Grant::AuthorizationCode, &["--scope", "a b"]),
            "`oauthctl login --scope 'a b'`"
        );
        global.provider = Some("local@9401".into());
        global.profile = Some("my work".into());
        global.config = Some("conf dir/c.toml".into());
        assert_eq!(
            login_command(
                &global,
                Grant::ClientCredentials,
                &["--resource", "https://x/api"]
            ),
            "`oauthctl --config 'conf dir/c.toml' -p 'my work' --provider local@9401 login \
             --flow client-credentials --resource https://x/api`"
        );
        global = crate::config::Flags::default();
        assert_eq!(
            login_command(&global, Grant::DeviceCode, &[]),
            "`oauthctl login --flow device`"
        );
    }

    #[test]
    fn credentials_only_for_the_origin() {
        let mut a = args(&["POST", "https://api.example/x"]);
        a.headers = vec![
            "Cookie: c=1".into(),
            "X-Api-Key: k".into(),
            "!X-Tenant: t".into(),
            "X-Trace: 1".into(),
            "Host: api.example".into(),
        ];
        a.json_body = Some("{}".into());
        let r = built(&a).unwrap();
        let authorization = TokenType::Bearer.authorization(&AccessToken::new("tok"));
        let same = hop_headers(&r, &authorization, true, true).unwrap();
        assert_eq!(same.get(header::AUTHORIZATION).unwrap(), "Bearer tok");
        assert!(same.get(header::AUTHORIZATION).unwrap().is_sensitive());
        assert_eq!(same.len(), 8, "{same:?}");
        let other = hop_headers(&r, &authorization, false, false).unwrap();
        let names: Vec<_> = other.keys().map(HeaderName::as_str).collect();
        assert_eq!(names, ["x-trace", "accept"], "{other:?}");
        // Traces never show a sensitive value.
        for (n, v) in &same {
            let shown = shown_value(n, v);
            assert!(
                !shown.contains("tok") && !shown.contains("c=1") && shown != "k" && shown != "t",
                "{n}: {shown}"
            );
        }
    }
}
