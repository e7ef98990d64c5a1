//! `login`: run a grant, verify what came back, cache it, and remember how it was obtained
//! (issuer, client, scopes, the *source* of the secret) so that `token` works later without
//! flags or a config file.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use url::Url;

use crate::browser::{Browser, SystemBrowser};
use crate::config::{Overrides, SecretSource, Settings};
use crate::error::{Error, Result};
use crate::flow::authcode::{self, Request};
use crate::flow::paste::PasteBack;
use crate::flow::{client_credentials, device, jwt_bearer};
use crate::oauth::client_auth::AuthMethod;
use crate::oauth::grant::Grant;
use crate::oauth::redirect_uri::RedirectUri;
use crate::oauth::{jwt, url_policy};
use crate::output::Outcome;

use super::Context;
use super::credentials::{self, DpopUse};
use super::events::UiEvents;
use super::obtained::{
    Obtained, cache_key, finish, issuer_label, remembered_login, verify_optional_id_token,
};
use super::paste::TerminalLines;
use super::resource_login;
use super::session::dpop_setting;

/// What `login` was asked for.
#[derive(Debug, Clone)]
pub(crate) struct Options {
    /// The grant: authorization code (+ PKCE, loopback redirect), device code, client
    /// credentials, JWT bearer or token exchange.
    pub flow: Grant,
    /// `--scope` (repeatable; a space-separated list works too).
    pub scopes: Vec<String>,
    /// `--audience` (repeatable for a token exchange only).
    pub audiences: Vec<String>,
    /// RFC 8707 resource indicators (repeatable for a token exchange only).
    pub resources: Vec<String>,
    /// `--resource-url`: log in for the protected resource at this URL (README:
    /// "Resource-first login").
    pub resource_url: Option<String>,
    /// `--client-metadata-url`, for such a login.
    pub client_metadata_url: Option<String>,
    /// Extra authorization request parameters.
    pub params: Vec<(String, String)>,
    pub prompt: Option<String>,
    pub login_hint: Option<String>,
    /// Loopback port for the redirect (`None`: any free port).
    pub port: Option<u16>,
    /// How long to wait for the browser or the device approval.
    pub timeout: Duration,
    /// Print the authorization URL instead of opening a browser.
    pub no_browser: bool,
    /// Open the URL with this command (split into words without a shell).
    pub browser_command: Option<String>,
    /// Client authentication at the token endpoint.
    pub auth_method: Option<AuthMethod>,
    /// Clock skew allowed for the ID token's times (remembered for refreshes).
    pub leeway: Duration,
    /// `--dpop`: bind the tokens to a DPoP key (RFC 9449); `None`: as the profile and the
    /// server say.
    pub dpop: Option<bool>,
    /// `--par`: push the authorization request (RFC 9126) even when the provider does not
    /// require it.
    pub par: bool,
    /// `--redirect-uri`: the loopback redirect URI registered for the client.
    pub redirect_uri: Option<String>,
    /// `--origin`: the `Origin` header of token requests (Entra ID SPA clients).
    pub origin: Option<String>,
    /// `--no-qr`: no QR code for the device flow.
    pub no_qr: bool,
    /// `--flow jwt-bearer`: where the assertion comes from.
    pub assertion: super::jwt_bearer::Options,
    /// `--flow token-exchange`: what to exchange.
    pub exchange: super::exchange::Options,
}

/// One value of `--audience` or `--resource` for the grants that take one.
fn single(values: &[String], flag: &str) -> Result<Option<String>> {
    match values {
        [] => Ok(None),
        [one] => Ok(Some(one.clone())),
        _ => Err(Error::usage(
            format!("{flag} is given once for this flow (a token exchange takes several)"),
            None,
        )),
    }
}

/// Runs `login`.
pub(crate) fn run(ctx: &Context<'_>, args: &Options) -> Result<Outcome> {
    if args.flow == Grant::RefreshToken {
        return Err(Error::usage(
            "a login starts a grant: authorization code, device code, client credentials, \
             JWT bearer or token exchange",
            Some("renew cached tokens with `oauthctl refresh`".to_owned()),
        ));
    }
    if let Some(done) = for_login(ctx, args)? {
        return Ok(done);
    }
    if args.flow == Grant::TokenExchange {
        let mut exchange = args.exchange.clone();
        exchange.scopes.clone_from(&args.scopes);
        exchange.audiences.clone_from(&args.audiences);
        exchange.resources.clone_from(&args.resources);
        exchange.auth_method = args.auth_method;
        exchange.dpop = args.dpop;
        return super::exchange::run(ctx, &exchange);
    }
    let overrides = Overrides {
        scopes: args.scopes.clone(),
        audience: single(&args.audiences, "--audience")?,
        resource: single(&args.resources, "--resource")?,
        params: args.params.iter().cloned().collect::<BTreeMap<_, _>>(),
        auth_method: args.auth_method,
    };
    let settings = ctx.settings(&overrides)?;
    let client_id = settings.client_id.clone().ok_or_else(|| {
        Error::config(
            format!("no client id for profile `{}`", settings.profile),
            Some("pass --client-id ID or set client_id in the profile".to_owned()),
        )
    })?;
    let grant = args.flow;
    if args.redirect_uri.is_some() && grant != Grant::AuthorizationCode {
        return Err(Error::usage(
            "--redirect-uri is for the authorization code flow (--flow code)",
            None,
        ));
    }
    let redirect = redirect_uri(args, &settings)?;
    let origin = origin(args, &settings)?;
    // Standard input that gave the client secret is not a terminal to paste into.
    let stdin_taken =
        matches!(&settings.client_secret, SecretSource::File(p) if p.as_os_str() == "-");
    let resolved = ctx.resolve_provider(&settings)?;
    let dpop = DpopUse::Login(args.dpop.or_else(|| dpop_setting(&settings)));
    let credentials::Client {
        auth: client,
        resolved,
    } = credentials::client(ctx, &settings, client_id.clone(), resolved, dpop)?;
    if grant.needs_client_authentication() && !client.is_confidential() {
        return Err(Error::config(
            "the client credentials flow needs client authentication",
            Some(
                "pass --client-secret-file FILE|- or --client-secret-env VAR (or a private \
                 key or certificate with --auth-method)"
                    .to_owned(),
            ),
        ));
    }
    let http = ctx.http()?;
    let events = UiEvents::new(ctx.ui).with_qr(!args.no_qr);
    let now = || ctx.clock().now();
    let leeway = i64::try_from(args.leeway.as_secs()).unwrap_or(i64::MAX);
    let mut assertion_login = None;
    let mut assertion_sub = None;
    let (response, id_claims) = match grant {
        Grant::AuthorizationCode => {
            let chosen;
            let browser: &dyn Browser = if let Some(injected) = ctx.browser() {
                injected
            } else {
                chosen = SystemBrowser::choose(
                    args.no_browser,
                    args.browser_command.as_deref(),
                    std::env::var("BROWSER").ok().as_deref(),
                )
                .map_err(|e| Error::usage(e, None))?;
                &chosen
            };
            let req = Request {
                scopes: settings.scopes.clone(),
                audience: settings.audience.clone(),
                resource: settings.resource.clone(),
                params: settings.params.clone(),
                prompt: args.prompt.clone(),
                login_hint: args.login_hint.clone(),
                port: args.port.unwrap_or(0),
                timeout: args.timeout,
                leeway,
                par: args.par || settings.par,
                redirect_uri: redirect.clone(),
                origin: origin.clone(),
                // A browser injected by a test or the demo never needs a person's paste.
                paste: TerminalLines::if_terminal()
                    .filter(|_| ctx.browser().is_none() && !stdin_taken)
                    .map(|lines| PasteBack {
                        source: Arc::new(lines),
                        at_once: args.no_browser,
                    }),
            };
            let got = authcode::run(
                http,
                &ctx.documents(),
                &resolved,
                &client,
                &req,
                browser,
                &events,
                now,
            )?;
            (got.response, got.id_claims)
        }
        Grant::DeviceCode => {
            let response = device::run(
                http,
                &resolved,
                &client,
                &settings.scopes,
                settings.audience.as_deref(),
                settings.resource.as_deref(),
                args.timeout,
                &events,
                &std::thread::sleep,
            )?;
            let id_claims =
                verify_optional_id_token(ctx, &resolved, &client, &settings, &response, leeway)?;
            (response, id_claims)
        }
        Grant::ClientCredentials => {
            let endpoint = http.checked_url(
                resolved.require("token_endpoint", resolved.endpoints.token_endpoint.as_ref())?,
            )?;
            let response = client_credentials::request(
                http,
                &endpoint,
                &client,
                &settings.scopes,
                settings.audience.as_deref(),
                settings.resource.as_deref(),
            )?;
            (response, None)
        }
        Grant::JwtBearer => {
            let endpoint = http.checked_url(
                resolved.require("token_endpoint", resolved.endpoints.token_endpoint.as_ref())?,
            )?;
            let remembered = ctx
                .indexed(&settings.profile)
                .and_then(|e| e.login.assertion);
            let (assertion, how) = super::jwt_bearer::assertion(
                &args.assertion,
                remembered.as_ref(),
                &issuer_label(&resolved),
                &client_id,
            )?;
            let response = jwt_bearer::request(
                http,
                &endpoint,
                &client,
                &assertion,
                &settings.scopes,
                settings.audience.as_deref(),
                settings.resource.as_deref(),
            )?;
            assertion_login = Some(how);
            assertion_sub = Some(assertion);
            let id_claims =
                verify_optional_id_token(ctx, &resolved, &client, &settings, &response, leeway)?;
            (response, id_claims)
        }
        Grant::RefreshToken | Grant::TokenExchange => {
            return Err(Error::usage(
                "a login cannot start with a refresh; use `oauthctl refresh`",
                None,
            ));
        }
    };
    let issuer = issuer_label(&resolved);
    let mut login = remembered_login(
        ctx,
        &settings,
        &client,
        &issuer,
        &client_id,
        leeway,
        args.par || settings.par,
    );
    let from = assertion_login.as_ref().map(super::jwt_bearer::describe);
    login.assertion = assertion_login;
    // What was configured (the preset's own is implied by the provider).
    login.redirect_uri = redirect
        .as_ref()
        .map(|r| {
            args.redirect_uri
                .clone()
                .or_else(|| settings.redirect_uri.clone())
                .unwrap_or_else(|| r.as_str().to_owned())
        })
        .filter(|r| settings.provider.redirect_uri.as_ref() != Some(r));
    login.origin = origin;
    // A JWT bearer login is about the subject its assertion named.
    let asserted = assertion_sub.as_ref().and_then(|a| {
        jwt::parse(a.expose())
            .ok()
            .and_then(|j| j.claims.get("sub")?.as_str().map(str::to_owned))
    });
    let key = cache_key(&settings, &issuer, &client_id);
    finish(
        ctx,
        Obtained {
            settings: &settings,
            client: &client,
            grant,
            response,
            id_claims,
            key,
            login,
            from,
            subject: asserted,
        },
    )
}

/// The redirect URI of a code-flow login: `--redirect-uri`, else the profile's (its last
/// login's, the preset's), with `--port` applied; `None` for the default. A bad flag is a
/// usage error, a bad profile value a configuration error.
fn redirect_uri(args: &Options, settings: &Settings) -> Result<Option<RedirectUri>> {
    let (raw, from_flag) = match (&args.redirect_uri, &settings.redirect_uri) {
        (Some(raw), _) => (raw, true),
        (None, Some(raw)) => (raw, false),
        (None, None) => return Ok(None),
    };
    let parsed = RedirectUri::parse(raw).map_err(|e| {
        let hint = Some(e.hint.to_owned());
        if from_flag {
            Error::usage(e, hint)
        } else {
            Error::config(
                format!("{e} (`redirect_uri` of profile `{}`)", settings.profile),
                hint,
            )
        }
    })?;
    match args.port {
        Some(port) => parsed.with_port(port).map(Some).map_err(|m| {
            Error::usage(
                m,
                Some("leave out --port, or give the port the redirect URI names".to_owned()),
            )
        }),
        None => Ok(Some(parsed)),
    }
}

/// The `Origin` of token requests: `--origin`, else the profile's (its last login's).
fn origin(args: &Options, settings: &Settings) -> Result<Option<String>> {
    let (raw, from_flag) = match (&args.origin, &settings.origin) {
        (Some(raw), _) => (raw, true),
        (None, Some(raw)) => (raw, false),
        (None, None) => return Ok(None),
    };
    url_policy::web_origin(raw).map(Some).map_err(|m| {
        let hint = Some("an origin is SCHEME://HOST[:PORT], e.g. http://localhost".to_owned());
        if from_flag {
            Error::usage(format!("--origin {m}"), hint)
        } else {
            Error::config(
                format!("`origin` of profile `{}`: {m}", settings.profile),
                hint,
            )
        }
    })
}

/// `login` for a protected resource: with `--resource-url URL`, or for a profile whose last
/// login (or configuration, `resource_url`) was for one, unless another server is named
/// (`--issuer`, `--provider`, `--resource`, `--audience`). `None`: an ordinary login.
/// Before discovery the URL is asked for its challenge (one GET without credentials), so
/// that the scopes it names are asked for.
pub(crate) fn for_login(ctx: &Context<'_>, args: &Options) -> Result<Option<Outcome>> {
    let (raw, profile) = if let Some(u) = &args.resource_url {
        (u.clone(), ctx.flags.profile.clone())
    } else {
        if ctx.flags.issuer.is_some()
            || ctx.flags.provider.is_some()
            || !args.resources.is_empty()
            || !args.audiences.is_empty()
        {
            return Ok(None);
        }
        let profile = ctx.profile_name()?;
        let configured = ctx
            .config()?
            .and_then(|f| f.profiles.get(&profile))
            .and_then(|p| p.resource_url.clone());
        let remembered = || ctx.indexed(&profile).and_then(|e| e.login.resource_url);
        match configured.or_else(remembered) {
            Some(u) => (u, Some(profile)),
            None => return Ok(None),
        }
    };
    let url = Url::parse(&raw)
        .ok()
        .filter(|u| matches!(u.scheme(), "http" | "https"))
        .ok_or_else(|| {
            Error::usage(
                format!("--resource-url `{raw}` is not an http(s) URL"),
                Some("give the API's URL, e.g. https://api.example/mcp".to_owned()),
            )
        })?;
    let http = ctx.http()?;
    let url = http
        .checked_url(url.as_str())
        .map_err(|e| Error::usage(e, None))?;
    let challenge = crate::flow::resource::probe(http, &url)?;
    let mut req = resource_login::Request::new(url);
    req.challenge = challenge;
    req.profile = profile;
    req.scopes = (!args.scopes.is_empty()).then(|| args.scopes.clone());
    req.client_metadata_url
        .clone_from(&args.client_metadata_url);
    req.no_browser = args.no_browser;
    req.browser_command.clone_from(&args.browser_command);
    req.port = args.port;
    req.timeout = args.timeout;
    req.leeway = args.leeway;
    req.params = args.params.iter().cloned().collect();
    req.prompt.clone_from(&args.prompt);
    req.login_hint.clone_from(&args.login_hint);
    req.auth_method = args.auth_method;
    req.grant = (args.flow != Grant::AuthorizationCode).then_some(args.flow);
    req.dpop = args.dpop;
    let done = resource_login::run(ctx, &req)?;
    Ok(Some(if ctx.ui.json {
        Outcome::report(done.report)
    } else {
        Outcome::default()
    }))
}
