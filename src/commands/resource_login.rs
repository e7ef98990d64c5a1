//! Resource-first login (README: "Resource-first login"), shared by
//! `login --resource-url URL` and `call URL --login`: from the URL of a protected resource
//! (and the challenge it answered with, if any) to a cached login for it.
//!
//! 1. Discovery (`flow::resource`): the resource's metadata (RFC 9728), which must be about
//!    a resource covering the URL, then its authorization server's metadata.
//! 2. The profile: the one named, else one derived from the resource (`localhost-8080-mcp`).
//! 3. The client, in this order: one configured for that server (`--client-id`, the
//!    profile's `client_id`, the profile's last login there, another profile configured for
//!    that issuer); the client ID metadata document URL (`--client-metadata-url`,
//!    `client_metadata_url`) where the server supports those; the client registered there
//!    earlier; a new dynamic registration (RFC 7591) of a public native client.
//! 4. The scopes: those asked for (`--scope`, a step-up's union), else the challenge's, else
//!    the metadata's `scopes_supported`, else none.
//! 5. Authorization code + PKCE with the RFC 8707 `resource` (the identifier the metadata
//!    publishes) in the authorization and token requests; the tokens are cached per
//!    resource (the resource is part of the cache key) and the profile remembers the
//!    resource, so that refreshes send it too.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::time::Duration;

use serde_json::{Value, json};
use url::Url;

use crate::browser::{Browser, SystemBrowser};
use crate::config::{Flags, Overrides, SecretSource};
use crate::error::{Error, Result};
use crate::flow::client::ClientAuth;
use crate::flow::provider::Resolved;
use crate::flow::resource::{self as discovery, Found};
use crate::flow::{authcode, client_credentials};
use crate::oauth::client_auth::AuthMethod;
use crate::oauth::grant::Grant;
use crate::oauth::id_token::DEFAULT_LEEWAY;
use crate::oauth::providers::Provider;
use crate::oauth::resource::{self, ResourceChallenge};
use crate::oauth::tokens::{TokenSet, normalize_scopes};
use crate::output::{Report, Theme};
use crate::store::index::{IndexEntry, RememberedLogin};
use crate::text::sanitize;

use super::Context;
use super::credentials::{self, DpopUse};
use super::events::UiEvents;

mod client;

use super::obtained::{self, cache_key, subject};
pub(crate) use client::{ClientOrigin, forget_registration, registered_secret};
use client::{choose_client, choose_server};

/// What a resource-first login is asked for.
#[derive(Debug, Clone)]
pub(crate) struct Request {
    /// The resource's URL (the one `call` sends to, or `--resource-url`).
    pub url: Url,
    /// The resource's challenge, when it answered one.
    pub challenge: Option<ResourceChallenge>,
    /// The profile to log in (`-p`, or the one `call` found for the URL); `None`: named
    /// after the resource.
    pub profile: Option<String>,
    /// The scopes to ask for (`--scope`, or a step-up's union); `None`: as the resource says.
    pub scopes: Option<Vec<String>>,
    /// `--client-metadata-url`.
    pub client_metadata_url: Option<String>,
    pub no_browser: bool,
    pub browser_command: Option<String>,
    pub port: Option<u16>,
    pub timeout: Duration,
    pub leeway: Duration,
    pub params: BTreeMap<String, String>,
    pub prompt: Option<String>,
    pub login_hint: Option<String>,
    pub auth_method: Option<AuthMethod>,
    /// The grant, when the user chose one (`login --flow client-credentials`); `None`: the
    /// authorization code flow, or client credentials where the server offers only that
    /// grant and the client is confidential.
    pub grant: Option<Grant>,
    /// `--dpop`: `Some(true)` binds the tokens; `None`: as the profile and the server say.
    pub dpop: Option<bool>,
}

impl Request {
    /// A request for the resource at `url` with the defaults of `login`.
    pub(crate) fn new(url: Url) -> Self {
        Self {
            url,
            challenge: None,
            profile: None,
            scopes: None,
            client_metadata_url: None,
            no_browser: false,
            browser_command: None,
            port: None,
            timeout: Duration::from_secs(300),
            leeway: Duration::from_secs(60),
            params: BTreeMap::new(),
            prompt: None,
            login_hint: None,
            auth_method: None,
            grant: None,
            dpop: None,
        }
    }
}

/// A finished login.
#[derive(Debug)]
pub(crate) struct LoggedIn {
    pub profile: String,
    pub tokens: TokenSet,
    pub report: ResourceLoginReport,
}

/// The summary of a resource-first login (never a secret).
#[derive(Debug)]
pub(crate) struct ResourceLoginReport {
    pub profile: String,
    pub resource: String,
    pub issuer: String,
    pub client_id: String,
    pub client: ClientOrigin,
    pub subject: Option<String>,
    pub scopes: Vec<String>,
    pub expires_at: Option<i64>,
    pub now: i64,
    pub refresh_token: bool,
    pub store: &'static str,
    pub grant: Grant,
}

impl ResourceLoginReport {
    /// The summary for stderr.
    pub(crate) fn summary(&self) -> String {
        let mut out = format!(
            "Signed in to {} for {} as {} (profile `{}`, {}).\n",
            sanitize::line(&self.issuer),
            sanitize::line(&self.resource),
            sanitize::line(self.subject.as_deref().unwrap_or("an unnamed subject")),
            sanitize::line(&self.profile),
            self.grant,
        );
        let _ = writeln!(
            out,
            "  client:  {} ({})",
            sanitize::line(&self.client_id),
            self.client.describe()
        );
        let scopes = if self.scopes.is_empty() {
            "none requested".to_owned()
        } else {
            sanitize::line(&self.scopes.join(" ")).into_owned()
        };
        let _ = writeln!(out, "  scopes:  {scopes}");
        obtained::expiry_lines(
            &mut out,
            self.expires_at,
            self.now,
            self.refresh_token,
            self.store,
        );
        out
    }
}

impl Report for ResourceLoginReport {
    fn to_json(&self) -> Value {
        json!({
            "profile": self.profile,
            "resource": self.resource,
            "issuer": self.issuer,
            "client_id": self.client_id,
            "client": self.client.describe(),
            "subject": self.subject,
            "scopes": self.scopes,
            "expires_at": self.expires_at,
            "refresh_token": self.refresh_token,
            "store": self.store,
            "grant": self.grant.as_str(),
        })
    }

    fn human(&self, _theme: Theme) -> String {
        String::new()
    }
}

/// The grant of a resource-first login: the one asked for, else client credentials where
/// the server lists grants without the authorization code but with client credentials and
/// the client can authenticate (a service, as the MCP client credentials extension has
/// it), else the authorization code flow.
fn choose_grant(req: &Request, found: &Found, client: &ClientAuth) -> Result<Grant> {
    let grant = req.grant.unwrap_or_else(|| {
        let grants = found.server.grant_types_supported.as_deref();
        let lists = |g: Grant| grants.is_some_and(|l| l.iter().any(|x| x == g.as_grant_type()));
        if grants.is_some()
            && !lists(Grant::AuthorizationCode)
            && lists(Grant::ClientCredentials)
            && client.is_confidential()
        {
            Grant::ClientCredentials
        } else {
            Grant::AuthorizationCode
        }
    });
    match grant {
        Grant::ClientCredentials if !client.is_confidential() => Err(Error::config(
            "the client credentials grant needs a client that authenticates",
            Some(
                "pass --client-id ID with --client-secret-env VAR or --client-secret-file FILE"
                    .to_owned(),
            ),
        )),
        Grant::AuthorizationCode | Grant::ClientCredentials => Ok(grant),
        Grant::DeviceCode | Grant::RefreshToken | Grant::TokenExchange | Grant::JwtBearer => {
            Err(Error::usage(
                format!("a login for a resource uses the authorization code flow, not {grant}"),
                Some("drop --flow, or use --flow client-credentials".to_owned()),
            ))
        }
    }
}

/// Whether the profile `name` belongs to a login for another resource (or to a login that
/// is not resource-first): a derived name then gets a suffix.
fn taken(ctx: &Context<'_>, name: &str, resource: &str) -> bool {
    ctx.index()
        .get(name)
        .ok()
        .and_then(|(e, _)| e)
        .is_some_and(|e| {
            e.login.resource_url.is_none() || e.login.resource.as_deref() != Some(resource)
        })
}

/// Runs a resource-first login.
pub(crate) fn run(ctx: &Context<'_>, req: &Request) -> Result<LoggedIn> {
    authcode::check_params(&req.params)?;
    let now = ctx.clock().now();
    let found = {
        let http = ctx.http()?;
        let cache = ctx.documents();
        let choose = |servers: &[String]| choose_server(ctx, servers);
        discovery::discover(http, &cache, &req.url, req.challenge.as_ref(), &choose, now)?
    };
    let resource_id = found.resource.resource.clone();
    ctx.ui.info(&format!(
        "The protected resource metadata at {} names {} as the authorization server of {}.",
        crate::oauth::url_policy::display_base(&found.metadata_url),
        sanitize::line(&found.issuer),
        sanitize::line(&resource_id),
    ));
    let profile = req.profile.clone().unwrap_or_else(|| {
        resource::free_name(&resource::profile_name(&resource_id), |n| {
            taken(ctx, n, &resource_id)
        })
    });
    let flags = Flags {
        profile: Some(profile.clone()),
        ..ctx.flags.clone()
    };
    let pctx = ctx.with_flags(&flags);
    let remembered = pctx.indexed(&profile).map(|e| e.login);
    let scopes = match &req.scopes {
        Some(s) => normalize_scopes(s),
        None => resource::initial_scopes(
            req.challenge.as_ref().map_or(&[][..], |c| &c.scope),
            found.resource.scopes_supported.as_deref(),
        ),
    };
    let overrides = Overrides {
        scopes: scopes.clone(),
        resource: Some(resource_id.clone()),
        params: req.params.clone(),
        auth_method: req.auth_method,
        ..Overrides::default()
    };
    let mut settings = pctx.settings(&overrides)?;
    // Exactly the scopes chosen above: none is none, not the provider's defaults.
    settings.scopes.clone_from(&scopes);
    settings.audience = None;
    let chosen = choose_client(
        &pctx,
        &profile,
        &settings,
        remembered.as_ref(),
        &found,
        req,
        now,
    )?;
    let endpoints = found.server.endpoints();
    let resolved = Resolved {
        provider: Provider {
            name: "custom".to_owned(),
            issuer: Some(found.issuer.clone()),
            endpoints: endpoints.clone(),
            ..Provider::default()
        },
        endpoints,
        metadata: Some(found.server.clone()),
    };
    // The private key or certificate the client's method needs, and DPoP.
    let credentials::Client {
        auth: client,
        resolved,
    } = credentials::complete(
        &pctx,
        &settings,
        chosen.client,
        resolved,
        DpopUse::Login(req.dpop.or(settings.dpop)),
    )?;
    let grant = choose_grant(req, &found, &client)?;
    let leeway = i64::try_from(req.leeway.as_secs()).unwrap_or(i64::MAX);
    let (response, id_claims) = if grant == Grant::ClientCredentials {
        let http = ctx.http()?;
        let endpoint = http.checked_url(
            resolved.require("token_endpoint", resolved.endpoints.token_endpoint.as_ref())?,
        )?;
        let response = client_credentials::request(
            http,
            &endpoint,
            &client,
            &scopes,
            None,
            Some(&resource_id),
        )?;
        (response, None)
    } else {
        let chosen_browser;
        let browser: &dyn Browser = if let Some(injected) = ctx.browser() {
            injected
        } else {
            chosen_browser = SystemBrowser::choose(
                req.no_browser,
                req.browser_command.as_deref(),
                std::env::var("BROWSER").ok().as_deref(),
            )
            .map_err(|e| Error::usage(e, None))?;
            &chosen_browser
        };
        let flow = authcode::Request {
            scopes: scopes.clone(),
            resource: Some(resource_id.clone()),
            params: req.params.clone(),
            prompt: req.prompt.clone(),
            login_hint: req.login_hint.clone(),
            port: chosen.port.unwrap_or(0),
            timeout: req.timeout,
            leeway,
            ..authcode::Request::default()
        };
        let events = UiEvents::new(ctx.ui);
        let got = authcode::run(
            ctx.http()?,
            &ctx.documents(),
            &resolved,
            &client,
            &flow,
            browser,
            &events,
            || ctx.clock().now(),
        )?;
        (got.response, got.id_claims)
    };
    let now = ctx.clock().now();
    let issuer = found.issuer.clone();
    let subject = subject(id_claims.as_ref(), &response.access_token);
    let mut tokens = response.into_token_set(grant, &issuer, &client.client_id, &scopes, now);
    // The key the tokens are bound to (or that the requests were proven with) stays with
    // them in the store.
    tokens.dpop_key = client.dpop().map(|d| d.stored().clone());
    let key = cache_key(&settings, &issuer, &client.client_id);
    let store = obtained::save_login(ctx, &settings, &key, &tokens)?;
    let (secret_env, secret_file) = match &chosen.secret {
        SecretSource::Env(v) => (Some(v.clone()), None),
        SecretSource::File(p) if p.as_os_str() != "-" => (None, Some(p.clone())),
        _ => (None, None),
    };
    let login = RememberedLogin {
        issuer: issuer.clone(),
        client_id: client.client_id.clone(),
        scopes: scopes.clone(),
        resource: Some(resource_id.clone()),
        resource_url: Some(req.url.to_string()),
        registered_client: matches!(
            chosen.origin,
            ClientOrigin::Registered | ClientOrigin::RegisteredNow
        ),
        auth_method: Some(client.method.as_str().to_owned()),
        client_secret_env: secret_env,
        client_secret_file: secret_file,
        client_secret_stdin: matches!(&chosen.secret, SecretSource::File(p) if p.as_os_str() == "-")
            && client.is_confidential(),
        leeway: (leeway != DEFAULT_LEEWAY).then_some(leeway),
        client_key_file: settings.keys.key_file.clone(),
        client_key_id: settings.keys.key_id.clone(),
        client_key_alg: settings.keys.key_alg.clone(),
        client_cert: settings.keys.cert.clone(),
        client_key: settings.keys.cert_key.clone(),
        // A bound login binds again at the next one; `dpop = false` is kept as said.
        dpop: if tokens.token_type.needs_proof() {
            Some(true)
        } else {
            settings.dpop.filter(|d| !d)
        },
        ..RememberedLogin::default()
    };
    let entry = IndexEntry::describe(login, key, store.kind(), &tokens, subject.clone(), now);
    ctx.index().put_login(&profile, entry)?;
    let report = ResourceLoginReport {
        profile: profile.clone(),
        resource: resource_id,
        issuer,
        client_id: client.client_id.clone(),
        client: chosen.origin,
        subject,
        scopes: tokens.scope.clone(),
        expires_at: tokens.expires_at,
        now,
        refresh_token: tokens.refresh_token.is_some(),
        store: store.kind().as_str(),
        grant,
    };
    ctx.ui.info(&report.summary());
    Ok(LoggedIn {
        profile,
        tokens,
        report,
    })
}
