//! `call`: one HTTP request with a bearer token, curl-like.
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

use std::cell::RefCell;
use std::io::{Cursor, Read as _, Write as _};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use reqwest::blocking::Response;
use reqwest::header::{HeaderMap, HeaderValue};

use crate::error::{Error, Result};
use crate::http::exchange::{Budget, Credentials, Exchange, ObserveFn, ProofFn};
use crate::http::request::Request;
use crate::http::{self, Deadline, HttpClient, HttpOptions};
use crate::oauth::dpop;
use crate::oauth::secret::AccessToken;
use crate::oauth::token_type::TokenType;
use crate::oauth::tokens::TokenSet;
use crate::oauth::url_policy;
use crate::output::{self, CopyError, Outcome, Output, Stream, Theme, response};

use super::Context;
use super::credentials;
use super::session::{Session, replace_rejected, usable_tokens};

mod refusal;
mod request;
pub(crate) mod resource;

use refusal::{Refusal, explain, refusal_in};
use request::{build, check_destination, check_stdin_use, check_token_not_in_url, external_token};

/// Refresh first when the token expires within this time (as `token` does by default).
const MIN_TTL: Duration = Duration::from_secs(60);

/// What `call` was asked for.
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
    /// `--login`: log in when the API asks for it (README: "Resource-first login").
    pub login: bool,
    /// `--client-metadata-url`, for such a login.
    pub client_metadata_url: Option<String>,
    /// `--login-timeout`: how long such a login waits for the browser.
    pub login_timeout: Option<Duration>,
    /// `--browser-command`, for such a login.
    pub browser_command: Option<String>,
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
        self.shown().token()
    }

    fn token_type(&self) -> TokenType {
        self.shown().token_type()
    }

    fn shown(&self) -> Shown<'_> {
        match self {
            Self::Profile { tokens, .. } => Shown::Profile(tokens),
            Self::External { token, .. } => Shown::External(token),
        }
    }
}

/// The token a request carries: a profile's (perhaps DPoP-bound), or one from outside.
#[derive(Clone, Copy)]
enum Shown<'a> {
    Profile(&'a TokenSet),
    External(&'a AccessToken),
}

impl<'a> Shown<'a> {
    fn token(self) -> &'a AccessToken {
        match self {
            Self::Profile(tokens) => &tokens.access_token,
            Self::External(token) => token,
        }
    }

    fn token_type(self) -> TokenType {
        match self {
            Self::Profile(tokens) => tokens.token_type,
            Self::External(_) => TokenType::Bearer,
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
    // Decided on the URL alone, before any login lookup or connection.
    check_destination(&request.url, ctx.flags.insecure_http)?;
    if external.is_none()
        && let Some(target) = resource::target(ctx, args, &request.url)?
    {
        return resource::run(ctx, args, &request, target);
    }
    let mut credential = if let Some((token, origin)) = external {
        Credential::External { token, origin }
    } else {
        let session = Session::open(ctx).map_err(|e| resource::no_login(ctx, &request.url, e))?;
        let tokens = usable_tokens(ctx, &session, MIN_TTL)?;
        Credential::Profile {
            session: Box::new(session),
            tokens: Box::new(tokens),
        }
    };
    check_token_not_in_url(&request.url, credential.token().expose())?;
    let http = api_client(ctx, args)?;
    let limit = Limit::new(args.max_time);
    // The profile's certificate goes with the token to the origin named: certificate-bound
    // tokens (RFC 8705 §3) are accepted only with it.
    let certified = match &credential {
        Credential::Profile { session, .. } => {
            credentials::login_certificate(ctx, &session.entry.login)?
                .map(|c| http.for_certificate(&Arc::new(c)))
        }
        Credential::External { .. } => None,
    };
    let mut exchange = send_proven(
        ctx,
        &http,
        certified.as_deref(),
        &request,
        credential.shown(),
        args.location,
        limit,
    )?;
    let mut challenge = refusal_in(&exchange, credential.token_type());
    if let Credential::Profile { session, tokens } = &mut credential
        && exchange.credentials_sent
        && challenge.as_ref().is_some_and(Refusal::refresh_may_help)
    {
        ctx.ui.info(
            "The API rejected the access token (invalid_token); refreshing it and retrying once.",
        );
        drop(exchange);
        let rejected = tokens.access_token.clone();
        **tokens = replace_rejected(ctx, session, &rejected)?;
        check_token_not_in_url(&request.url, tokens.access_token.expose())?;
        exchange = send_proven(
            ctx,
            &http,
            certified.as_deref(),
            &request,
            credential.shown(),
            args.location,
            limit,
        )?;
        challenge = refusal_in(&exchange, credential.token_type());
    }
    let refusal = challenge.filter(|_| exchange.credentials_sent);
    deliver(ctx, args, exchange.response, limit, || {
        if let Some(refusal) = &refusal {
            explain(ctx, refusal, &credential, &request.url);
        }
    })
}

/// The HTTP client for the API (its own, `--max-time` as the client's timeout).
fn api_client(ctx: &Context<'_>, args: &Options) -> Result<HttpClient> {
    HttpClient::new(&HttpOptions {
        cacert: ctx.flags.cacert.clone(),
        insecure_http: ctx.flags.insecure_http,
        verbose: ctx.ui.verbose,
        trace: crate::output::trace_line,
        timeout: args.max_time,
    })
}

/// `--max-time`: one deadline for everything `call` sends and receives.
#[derive(Debug, Clone, Copy)]
struct Limit {
    deadline: Deadline,
    max_time: Option<Duration>,
}

impl Limit {
    /// A deadline `max_time` from now (none without it).
    fn new(max_time: Option<Duration>) -> Self {
        Self {
            deadline: Deadline::after(max_time),
            max_time,
        }
    }

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

/// Sends the request with the credential, following redirects with `follow`, all within
/// `limit`. A DPoP-bound token gets a proof for every hop on its origin; when the API
/// answers `401` asking for its nonce (RFC 9449 §9), the exchange is repeated once with it.
fn send_proven(
    ctx: &Context<'_>,
    http: &HttpClient,
    certified: Option<&HttpClient>,
    req: &Request,
    credential: Shown<'_>,
    follow: bool,
    limit: Limit,
) -> Result<Exchange> {
    let dpop = match credential {
        Shown::Profile(tokens) => credentials::resource_dpop(ctx, tokens)?,
        Shown::External(_) => None,
    };
    let token = credential.token();
    let used: RefCell<Option<String>> = RefCell::new(None);
    let proof = |method: &reqwest::Method, url: &url::Url| -> Result<HeaderValue> {
        let dpop = dpop
            .as_ref()
            .ok_or_else(|| Error::Other("no DPoP key".to_owned()))?;
        let proof = dpop.proof(method.as_str(), url, Some(token))?;
        *used.borrow_mut() = proof.nonce;
        Ok(proof.header)
    };
    let observe = |url: &url::Url, headers: &HeaderMap| {
        if let Some(d) = &dpop {
            d.observe(url, headers);
        }
    };
    let authorization = credential.token_type().authorization(token);
    let creds = Credentials {
        authorization: &authorization,
        proof: dpop.as_ref().map(|_| &proof as ProofFn<'_>),
        observe: dpop.as_ref().map(|_| &observe as ObserveFn<'_>),
        client: certified,
    };
    let exchange = exchange_within(ctx, http, req, &creds, follow, limit)?;
    let Some(d) = &dpop else {
        return Ok(exchange);
    };
    let url = exchange.response.url().clone();
    let wants_nonce = exchange.credentials_sent
        && exchange.response.status().as_u16() == 401
        && dpop::asks_for_nonce(
            exchange
                .response
                .headers()
                .get_all(reqwest::header::WWW_AUTHENTICATE)
                .iter()
                .filter_map(|v| v.to_str().ok()),
        );
    let last = used.borrow().clone();
    if wants_nonce && d.has_new_nonce(&url, last.as_deref()) {
        drop(exchange);
        return exchange_within(ctx, http, req, &creds, follow, limit);
    }
    Ok(exchange)
}

/// One exchange of `req` with `credentials` (following redirects with `follow`) within
/// `limit`, traced with `-v`.
fn exchange_within(
    ctx: &Context<'_>,
    http: &HttpClient,
    req: &Request,
    credentials: &Credentials<'_>,
    follow: bool,
    limit: Limit,
) -> Result<Exchange> {
    let sink = |line: &str| ctx.ui.trace(line);
    let trace: http::trace::Sink<'_> = (ctx.ui.verbose > 0).then_some(&sink);
    let timed_out = |base: &str| limit.timed_out(base, "did not answer");
    let budget = Budget {
        deadline: limit.deadline,
        timed_out: &timed_out,
    };
    http.exchange(req, credentials, follow, budget, trace)
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
    let out = if args.include {
        head(&resp, Some(ctx.ui.stdout))
    } else {
        Vec::new()
    };
    let media = response::media_type(resp.headers());
    let mut body = Vec::new();
    limit
        .deadline
        .reader(resp)
        .take(response::TERMINAL_LIMIT as u64 + 1)
        .read_to_end(&mut body)
        .map_err(|e| limit.body_error(source, &e))?;
    Ok(response::on_terminal(ctx.ui, out, &media, &body))
}

/// The status line and headers for `-i` (see [`response::head`]).
fn head(resp: &Response, terminal: Option<Theme>) -> Vec<u8> {
    response::head(resp.version(), resp.status(), resp.headers(), terminal)
}
