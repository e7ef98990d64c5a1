//! What every login does with what it obtained, whatever the grant (`login`, `exchange`, a
//! resource-first login): the subject and cache key of the tokens, saving them, what the
//! profile remembers of the login, and the summary.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::time::Duration;

use serde_json::{Value, json};

use crate::config::{SecretSource, Settings};
use crate::error::Result;
use crate::flow::authcode::{self};
use crate::flow::client::ClientAuth;
use crate::flow::provider::Resolved;
use crate::oauth::grant::Grant;
use crate::oauth::id_token::DEFAULT_LEEWAY;
use crate::oauth::secret::{AccessToken, IdToken};
use crate::oauth::token_response::TokenResponse;
use crate::oauth::tokens::{CacheKey, TokenSet};
use crate::oauth::{jwt, providers};
use crate::output::{Outcome, Report, Theme};
use crate::store::index::{IndexEntry, RememberedLogin};
use crate::store::lock::Locks;
use crate::store::{TokenStore, select};
use crate::text::{sanitize, time};

use super::Context;

/// The summary shown after a login (never a secret).
#[derive(Debug)]
pub(crate) struct LoginReport {
    pub profile: String,
    pub issuer: String,
    pub client_id: String,
    pub subject: Option<String>,
    pub scopes: Vec<String>,
    pub expires_at: Option<i64>,
    pub now: i64,
    pub refresh_token: bool,
    pub id_token: bool,
    pub store: &'static str,
    pub grant: &'static str,
    /// The thumbprint of the DPoP key the tokens are bound to, if they are.
    pub dpop_jkt: Option<String>,
    /// A token exchange's parent profile, if its subject token came from one.
    pub parent: Option<String>,
    /// What an exchange issued (RFC 8693 §2.2.1), a URI.
    pub issued_token_type: Option<String>,
    /// Where the tokens came from, when that needs saying (an exchange's subject, a JWT
    /// bearer assertion), for the summary.
    pub from: Option<String>,
}

/// The `expires:` and `refresh:` lines of a login's summary.
pub(crate) fn expiry_lines(
    out: &mut String,
    expires_at: Option<i64>,
    now: i64,
    refresh_token: bool,
    store: &str,
) {
    let expiry = match expires_at {
        Some(t) => format!("{} ({})", time::iso(t), time::relative(t, now)),
        None => "not stated by the server".to_owned(),
    };
    let _ = writeln!(out, "  expires: {expiry}");
    let _ = writeln!(
        out,
        "  refresh: {}; tokens kept in the {store} store",
        if refresh_token {
            "yes"
        } else {
            "no refresh token"
        },
    );
}

impl LoginReport {
    /// The one-paragraph summary for stderr.
    pub(crate) fn summary(&self) -> String {
        let mut out = format!(
            "Signed in to {} as {} (profile `{}`, {}).\n",
            sanitize::line(&self.issuer),
            sanitize::line(self.subject.as_deref().unwrap_or("an unnamed subject")),
            sanitize::line(&self.profile),
            self.grant
        );
        let scopes = if self.scopes.is_empty() {
            "none stated by the server".to_owned()
        } else {
            self.scopes.join(" ")
        };
        let _ = writeln!(out, "  scopes:  {}", sanitize::line(&scopes));
        expiry_lines(
            &mut out,
            self.expires_at,
            self.now,
            self.refresh_token,
            self.store,
        );
        if let Some(jkt) = &self.dpop_jkt {
            let _ = writeln!(
                out,
                "  bound:   DPoP, to a key kept with the tokens (jkt {jkt})"
            );
        }
        if let Some(from) = &self.from {
            let _ = writeln!(out, "  from:    {from}");
        }
        if let Some(t) = &self.issued_token_type {
            let _ = writeln!(
                out,
                "  issued:  {}",
                sanitize::line(crate::oauth::token_exchange::short_name(t))
            );
        }
        out
    }
}

impl Report for LoginReport {
    fn to_json(&self) -> Value {
        json!({
            "profile": self.profile,
            "issuer": self.issuer,
            "client_id": self.client_id,
            "subject": self.subject,
            "scopes": self.scopes,
            "expires_at": self.expires_at,
            "refresh_token": self.refresh_token,
            "id_token": self.id_token,
            "store": self.store,
            "grant": self.grant,
            "dpop_jkt": self.dpop_jkt,
            "parent": self.parent,
            "issued_token_type": self.issued_token_type,
        })
    }

    fn human(&self, _theme: Theme) -> String {
        // Human mode prints the summary on stderr (narrative); stdout stays empty.
        String::new()
    }
}

/// Who the tokens are about: the verified ID token's `sub`, else an access token JWT's.
pub(crate) fn subject(
    id_claims: Option<&serde_json::Map<String, Value>>,
    access_token: &AccessToken,
) -> Option<String> {
    if let Some(sub) = id_claims.and_then(|c| c.get("sub")).and_then(Value::as_str) {
        return Some(sub.to_owned());
    }
    jwt::parse(access_token.expose()).ok().and_then(|j| {
        j.claims
            .get("sub")
            .and_then(Value::as_str)
            .map(str::to_owned)
    })
}

/// The issuer string a token set is filed under: the issuer, else the token endpoint.
pub(crate) fn issuer_label(resolved: &Resolved) -> String {
    resolved
        .issuer()
        .map(str::to_owned)
        .or_else(|| resolved.endpoints.token_endpoint.clone())
        .unwrap_or_default()
}

/// The cache key of a profile's tokens. Besides issuer, client, scopes, audience and
/// resource it covers the extra authorization request parameters: those beyond the
/// provider's own (a preset's `access_type=offline` is implied by its issuer).
pub(crate) fn cache_key(settings: &Settings, issuer: &str, client_id: &str) -> CacheKey {
    let extra: BTreeMap<String, String> = settings
        .params
        .iter()
        .filter(|(name, value)| settings.provider.params.get(*name) != Some(*value))
        .map(|(name, value)| (name.clone(), value.clone()))
        .collect();
    CacheKey::new(
        issuer,
        client_id,
        &settings.scopes,
        settings.audience.as_deref(),
        settings.resource.as_deref(),
    )
    .with_params(&extra)
    .for_profile(&settings.profile)
}

/// The provider a profile remembers: the `--provider` flag as given, or the preset the
/// settings came from, with its argument (`local@9401`, `keycloak@https://…`), so that a
/// re-login without the flag and every later refresh reach the same server.
pub(crate) fn remembered_provider(flag: Option<&str>, settings: &Settings) -> Option<String> {
    flag.map(str::to_owned).or_else(|| {
        settings
            .provider_spec
            .clone()
            .filter(|spec| providers::is_preset(providers::split_name(spec).0))
    })
}

/// What a profile's login remembers of `settings` and `client` (never a secret).
pub(crate) fn remembered_login(
    ctx: &Context<'_>,
    settings: &Settings,
    client: &ClientAuth,
    issuer: &str,
    client_id: &str,
    leeway: i64,
    par: bool,
) -> RememberedLogin {
    let (secret_env, secret_file) = match &settings.client_secret {
        SecretSource::Env(v) => (Some(v.clone()), None),
        SecretSource::File(p) if p.as_os_str() != "-" => (None, Some(p.clone())),
        _ => (None, None),
    };
    RememberedLogin {
        provider: remembered_provider(ctx.flags.provider.as_deref(), settings),
        issuer: issuer.to_owned(),
        client_id: client_id.to_owned(),
        scopes: settings.scopes.clone(),
        audience: settings.audience.clone(),
        resource: settings.resource.clone(),
        resource_url: None,
        registered_client: false,
        auth_method: settings.auth_method.map(|m| m.as_str().to_owned()),
        client_secret_env: secret_env,
        client_secret_file: secret_file,
        client_secret_stdin: secret_from_stdin(settings, client),
        leeway: (leeway != DEFAULT_LEEWAY).then_some(leeway),
        client_key_file: settings.keys.key_file.clone(),
        client_key_id: settings.keys.key_id.clone(),
        client_key_alg: settings.keys.key_alg.clone(),
        client_cert: settings.keys.cert.clone(),
        client_key: settings.keys.cert_key.clone(),
        // Whether the login bound its tokens is added by `finish`.
        dpop: settings.dpop.filter(|d| !d),
        par,
        // A code-flow login adds the redirect URI and origin it was configured with.
        redirect_uri: None,
        origin: None,
        exchange: None,
        assertion: None,
    }
}

/// Whether the client secret was read from standard input (and so is not kept).
fn secret_from_stdin(settings: &Settings, client: &ClientAuth) -> bool {
    matches!(&settings.client_secret, SecretSource::File(p) if p.as_os_str() == "-")
        && client.is_confidential()
}

/// A grant's answer on its way to the cache and the index.
pub(crate) struct Obtained<'a> {
    pub settings: &'a Settings,
    pub client: &'a ClientAuth,
    pub grant: Grant,
    pub response: TokenResponse,
    /// The verified ID token's claims, if there was one.
    pub id_claims: Option<serde_json::Map<String, Value>>,
    /// Where the set is cached.
    pub key: CacheKey,
    /// What the profile remembers of the login.
    pub login: RememberedLogin,
    /// Where the tokens came from, when that needs saying (see [`LoginReport::from`]).
    pub from: Option<String>,
    /// Whom the tokens are about when neither an ID token nor a JWT access token says: the
    /// `sub` a JWT bearer assertion named, an exchanged subject's.
    pub subject: Option<String>,
}

/// Saves a new login's `tokens` under `key` in the store `settings` choose (the lock held
/// from the write to the rename), and returns that store.
pub(crate) fn save_login(
    ctx: &Context<'_>,
    settings: &Settings,
    key: &CacheKey,
    tokens: &TokenSet,
) -> Result<Box<dyn TokenStore>> {
    let (store, warning) = select::open_store(settings.token_store, &ctx.paths)?;
    if let Some(w) = warning {
        ctx.ui.warn(&w);
    }
    let _lock = Locks::for_paths(&ctx.paths)
        .with_timeout(Duration::from_secs(30))
        .acquire(key)?;
    store.save(key, tokens)?;
    Ok(store)
}

/// Caches what a grant obtained, records the login in the index and reports it.
pub(crate) fn finish(ctx: &Context<'_>, got: Obtained<'_>) -> Result<Outcome> {
    let Obtained {
        settings,
        client,
        grant,
        response,
        id_claims,
        key,
        mut login,
        from,
        subject: got_subject,
    } = got;
    let now = ctx.clock().now();
    let subject = subject(id_claims.as_ref(), &response.access_token).or(got_subject);
    let mut tokens =
        response.into_token_set(grant, &login.issuer, &login.client_id, &login.scopes, now);
    // The key the tokens are bound to (or that the requests were proven with) stays with
    // them in the store.
    tokens.dpop_key = client.dpop().map(|d| d.stored().clone());
    let store = save_login(ctx, settings, &key, &tokens)?;
    // A bound login binds again at the next one; `dpop = false` is kept as said.
    if tokens.token_type.needs_proof() {
        login.dpop = Some(true);
    }
    let secret_from_stdin = login.client_secret_stdin;
    let parent = login
        .exchange
        .as_ref()
        .and_then(|x| x.parent().map(str::to_owned));
    let report = LoginReport {
        profile: settings.profile.clone(),
        issuer: login.issuer.clone(),
        client_id: login.client_id.clone(),
        subject: subject.clone(),
        scopes: tokens.scope.clone(),
        expires_at: tokens.expires_at,
        now,
        refresh_token: tokens.refresh_token.is_some(),
        id_token: tokens.id_token.is_some(),
        store: store.kind().as_str(),
        grant: grant.as_str(),
        dpop_jkt: client
            .dpop()
            .filter(|_| tokens.token_type.needs_proof())
            .map(|d| d.thumbprint().to_owned()),
        parent,
        issued_token_type: tokens.issued_token_type.clone(),
        from,
    };
    let entry = IndexEntry::describe(login, key, store.kind(), &tokens, subject, now);
    ctx.index().put_login(&settings.profile, entry)?;
    let mut summary = report.summary();
    if secret_from_stdin && tokens.renewal().is_some() {
        summary.push_str(
            "  secret:  read from standard input and not kept; renewing these tokens needs it \
             again (--client-secret-file, or client_secret_env in the profile)\n",
        );
    }
    ctx.ui.info(&summary);
    if ctx.ui.json {
        Ok(Outcome::report(report))
    } else {
        Ok(Outcome::default())
    }
}

/// Device and other grants: an ID token, when present, is verified too (OIDC §3.1.3.7).
pub(crate) fn verify_optional_id_token(
    ctx: &Context<'_>,
    resolved: &Resolved,
    client: &ClientAuth,
    settings: &Settings,
    response: &TokenResponse,
    leeway: i64,
) -> Result<Option<serde_json::Map<String, Value>>> {
    let Some(raw) = response.id_token.as_ref().map(IdToken::expose) else {
        return Ok(None);
    };
    if !authcode::wants_oidc(&settings.scopes) || resolved.provider.quirks.no_oidc {
        return Ok(None);
    }
    authcode::verify_id_token(
        ctx.http()?,
        &ctx.documents(),
        resolved,
        client,
        raw,
        None,
        None,
        ctx.clock().now(),
        leeway,
    )
    .map(Some)
}
