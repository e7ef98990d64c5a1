//! The client of a resource-first login (README: "Resource-first login"): which one, in
//! the order the parent module gives, and the registrations oauthctl keeps (their secret for
//! a refresh, forgetting one at `logout --forget-registration`).

use url::Url;

use crate::config::{ConfigFile, Flags, ProfileConfig, SecretSource, Settings};
use crate::error::{Error, Result};
use crate::flow::client::ClientAuth;
use crate::flow::loopback::Listener;
use crate::flow::registration::{deregister, register};
use crate::flow::resource::Found;
use crate::oauth::client_auth::AuthMethod;
use crate::oauth::grant::Grant;
use crate::oauth::registration::secret_method;
use crate::oauth::secret::ClientSecret;
use crate::store::StoreChoice;
use crate::store::index::RememberedLogin;
use crate::store::registrations::{Registrations, StoredRegistration};
use crate::store::select;
use crate::text::sanitize;

use super::super::Context;
use super::Request;

/// Where the client came from (for the summary).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ClientOrigin {
    /// `--client-id`, the profile's configuration or its last login.
    Configured,
    /// A client ID metadata document URL.
    MetadataDocument,
    /// The client registered at this server earlier.
    Registered,
    /// Registered by this login.
    RegisteredNow,
}

impl ClientOrigin {
    pub(crate) fn describe(self) -> &'static str {
        match self {
            Self::Configured => "configured",
            Self::MetadataDocument => "client ID metadata document",
            Self::Registered => "registered earlier",
            Self::RegisteredNow => "registered now",
        }
    }
}

/// The client a login uses, and what the profile remembers about it.
pub(super) struct Chosen {
    pub(super) client: ClientAuth,
    pub(super) origin: ClientOrigin,
    /// Where its secret comes from next time (never the secret).
    pub(super) secret: SecretSource,
    /// The loopback port its redirect URI was registered with.
    pub(super) port: Option<u16>,
}

/// The secret of the client registered at `issuer`, from its registration in the token
/// store (`SecretSource::Registered`).
pub(crate) fn registered_secret(ctx: &Context<'_>, issuer: &str) -> Result<Option<ClientSecret>> {
    match Registrations::for_paths(&ctx.paths).recall(issuer)? {
        Some(r) => Ok(r.client_secret),
        None => Err(Error::LoginRequired {
            message: format!(
                "the client oauthctl registered at {issuer} is no longer kept, and with it its \
                 secret"
            ),
            hint: "run `oauthctl login` again: it registers a new client".to_owned(),
        }),
    }
}

/// The issuer a configured profile names: its own `issuer`, else its provider's.
fn configured_issuer(conf: &ProfileConfig, file: Option<&ConfigFile>) -> Option<String> {
    conf.issuer.clone().or_else(|| {
        conf.provider
            .as_deref()
            .and_then(|p| crate::config::resolve_provider(p, file).ok())
            .and_then(|p| p.issuer)
    })
}

/// Which of the authorization servers `servers` to log in at: the one `--issuer` names
/// (which must be listed), else the first one a client is known for (configured or
/// registered), else the first.
pub(super) fn choose_server(ctx: &Context<'_>, servers: &[String]) -> Result<usize> {
    if let Some(issuer) = &ctx.flags.issuer {
        return servers.iter().position(|s| s == issuer).ok_or_else(|| {
            Error::config(
                format!(
                    "the resource names the authorization servers {}; --issuer {issuer} is not \
                     one of them",
                    servers.join(", ")
                ),
                Some("drop --issuer, or name one of them".to_owned()),
            )
        });
    }
    let file = ctx.config()?;
    let registered = Registrations::for_paths(&ctx.paths)
        .entries()
        .unwrap_or_default();
    let known = |issuer: &String| {
        registered.contains_key(issuer)
            || file.is_some_and(|f| {
                f.profiles.values().any(|p| {
                    p.client_id.is_some() && configured_issuer(p, Some(f)).as_ref() == Some(issuer)
                })
            })
    };
    Ok(servers.iter().position(known).unwrap_or(0))
}

/// The secret source of the global flags alone.
fn flag_secret(flags: &Flags) -> SecretSource {
    if let Some(path) = &flags.client_secret_file {
        SecretSource::File(path.clone())
    } else if let Some(var) = &flags.client_secret_env {
        SecretSource::Env(var.clone())
    } else if let Some(secret) = &flags.client_secret {
        SecretSource::Inline(secret.clone())
    } else {
        SecretSource::None
    }
}

/// The secret source a configured profile names.
fn profile_secret(conf: &ProfileConfig) -> SecretSource {
    if let Some(path) = &conf.client_secret_file {
        SecretSource::File(path.clone())
    } else if let Some(var) = &conf.client_secret_env {
        SecretSource::Env(var.clone())
    } else {
        SecretSource::None
    }
}

/// The port of a loopback redirect URI.
fn redirect_port(uri: &str) -> Option<u16> {
    Url::parse(uri).ok().and_then(|u| u.port())
}

/// Whether nothing listens on the loopback port `port` now.
fn port_free(port: u16) -> bool {
    Listener::bind(port).is_ok()
}

/// Chooses the client (see the module documentation for the order).
#[allow(clippy::too_many_arguments)]
pub(super) fn choose_client(
    ctx: &Context<'_>,
    profile: &str,
    settings: &Settings,
    remembered: Option<&RememberedLogin>,
    found: &Found,
    req: &Request,
    now: i64,
) -> Result<Chosen> {
    let supported = found
        .server
        .token_endpoint_auth_methods_supported
        .as_deref();
    let configured = |id: String, source: SecretSource, method: Option<AuthMethod>| {
        let secret = ctx.client_secret(&source)?;
        // Without a method named, the credential given decides, as for any login.
        let method = req.auth_method.or(method).unwrap_or(if secret.is_some() {
            secret_method(supported)
        } else if settings.keys.key_file.is_some() {
            AuthMethod::PrivateKeyJwt
        } else if settings.keys.cert.is_some() {
            AuthMethod::TlsClientAuth
        } else {
            AuthMethod::None
        });
        Ok::<_, Error>(Chosen {
            client: ClientAuth::new(id, secret, Some(method)),
            origin: ClientOrigin::Configured,
            secret: source,
            port: req.port,
        })
    };
    let file = ctx.config()?;
    let issuer = &found.issuer;
    // 1. The command line: a client registered by hand, for whatever server is found.
    if let Some(id) = &ctx.flags.client_id {
        return configured(id.clone(), flag_secret(ctx.flags), None);
    }
    // 2. The profile's configuration, unless it is for another server.
    let own = file.and_then(|f| f.profiles.get(profile));
    if let Some(conf) = own
        && let Some(id) = &conf.client_id
        && configured_issuer(conf, file).is_none_or(|i| &i == issuer)
    {
        return configured(id.clone(), profile_secret(conf), conf.auth_method);
    }
    // 3. The profile's last login at this server (a registered client is recalled below).
    if let Some(mem) = remembered
        && &mem.issuer == issuer
        && !mem.registered_client
        && !mem.client_id.is_empty()
    {
        let source = if let Some(path) = &mem.client_secret_file {
            SecretSource::File(path.clone())
        } else if let Some(var) = &mem.client_secret_env {
            SecretSource::Env(var.clone())
        } else {
            SecretSource::None
        };
        let method = mem.auth_method.as_deref().and_then(AuthMethod::from_name);
        let mut chosen = configured(mem.client_id.clone(), source, method)?;
        if req.client_metadata_url.as_deref() == Some(mem.client_id.as_str()) {
            chosen.origin = ClientOrigin::MetadataDocument;
        }
        return Ok(chosen);
    }
    // 4. Another profile configured for this server.
    if let Some(f) = file
        && let Some(conf) = f.profiles.values().find(|p| {
            p.client_id.is_some() && configured_issuer(p, Some(f)).as_ref() == Some(issuer)
        })
        && let Some(id) = &conf.client_id
    {
        return configured(id.clone(), profile_secret(conf), conf.auth_method);
    }
    // A service (client credentials) authenticates: neither a metadata document nor a
    // public registration can be one.
    if req.grant == Some(Grant::ClientCredentials) {
        return Err(Error::config(
            format!("no client with a secret is configured for the authorization server {issuer}"),
            Some(
                "pass --client-id ID with --client-secret-env VAR or --client-secret-file FILE"
                    .to_owned(),
            ),
        ));
    }
    // 5. A client ID metadata document, where the server takes one.
    let document = req
        .client_metadata_url
        .clone()
        .or_else(|| own.and_then(|c| c.client_metadata_url.clone()));
    if let Some(url) = document
        && found.server.client_id_metadata_document_supported
    {
        check_metadata_url(&url, ctx.flags.insecure_http)?;
        return Ok(Chosen {
            client: ClientAuth::new(url, None, Some(AuthMethod::None)),
            origin: ClientOrigin::MetadataDocument,
            secret: SecretSource::None,
            port: req.port,
        });
    }
    // 6. The client registered at this server earlier, while its redirect port is free.
    let registrations = Registrations::for_paths(&ctx.paths);
    if let Some(reg) = registrations.recall(issuer)?
        && !reg.secret_expired(now)
    {
        let port = req.port.or_else(|| redirect_port(&reg.redirect_uri));
        if port.is_none_or(port_free) {
            return Ok(registered(reg, ClientOrigin::Registered, port));
        }
        ctx.ui.info(&format!(
            "The loopback port the client registered at {} redirects to ({}) is in use; \
             registering a new client.",
            sanitize::line(issuer),
            port.unwrap_or_default()
        ));
    }
    // 7. Register a public native client now.
    let Some(endpoint) = &found.server.registration_endpoint else {
        return Err(Error::config(
            format!(
                "no client is configured for the authorization server {issuer}, and it \
                 offers neither dynamic client registration nor client ID metadata documents"
            ),
            Some(
                "pass --client-id ID of a client registered there (with --client-secret-env \
                 VAR or --client-secret-file FILE for a confidential one)"
                    .to_owned(),
            ),
        ));
    };
    let http = ctx.http()?;
    let endpoint = http.checked_url(endpoint)?;
    // The redirect URI registered is the one this login listens on: the port is taken
    // now and bound again by the flow (later logins listen there too).
    let redirect_uri = Listener::bind(req.port.unwrap_or(0))
        .map_err(|e| Error::Other(format!("cannot listen on the loopback interface: {e}")))?
        .redirect_uri();
    ctx.ui.info(&format!(
        "Registering oauthctl as a client at {} (RFC 7591).",
        sanitize::line(issuer)
    ));
    let answer = register(http, &endpoint, &redirect_uri)?;
    let auth_method = answer.auth_method(supported);
    let stored = StoredRegistration {
        issuer: issuer.clone(),
        client_id: answer.client_id,
        client_secret: answer.client_secret,
        client_secret_expires_at: answer.client_secret_expires_at,
        auth_method: auth_method.as_str().to_owned(),
        registration_access_token: answer.registration_access_token,
        registration_client_uri: answer.registration_client_uri,
        redirect_uri: redirect_uri.clone(),
        registered_at: now,
    };
    let (store, warning) = select::open_store(settings.token_store, &ctx.paths)?;
    if let Some(w) = warning {
        ctx.ui.warn(&w);
    }
    registrations.remember(store.as_ref(), &stored)?;
    let port = redirect_port(&redirect_uri);
    Ok(registered(stored, ClientOrigin::RegisteredNow, port))
}

/// A registered client as the login uses it.
fn registered(reg: StoredRegistration, origin: ClientOrigin, port: Option<u16>) -> Chosen {
    let method =
        AuthMethod::from_name(&reg.auth_method).unwrap_or(if reg.client_secret.is_some() {
            AuthMethod::ClientSecretBasic
        } else {
            AuthMethod::None
        });
    let secret = SecretSource::Registered {
        issuer: reg.issuer.clone(),
    };
    Chosen {
        client: ClientAuth::new(reg.client_id, reg.client_secret, Some(method)),
        origin,
        secret,
        port,
    }
}

/// A client ID metadata document URL must be https with a path (loopback http for
/// development): it is the client's identity, fetched by the authorization server.
fn check_metadata_url(url: &str, insecure_http: bool) -> Result<()> {
    let parsed = crate::oauth::url_policy::check(url, insecure_http)
        .map_err(|e| Error::config(format!("--client-metadata-url {url}: {e}"), None::<String>))?;
    if parsed.path().trim_matches('/').is_empty() || parsed.query().is_some() {
        return Err(Error::config(
            format!(
                "--client-metadata-url {url}: a client ID metadata document URL has a path \
                 and no query"
            ),
            None::<String>,
        ));
    }
    Ok(())
}

/// `logout --forget-registration`: forgets the client oauthctl registered at the server of
/// `login` (its record leaves the token store, its entry `registrations.json`), after
/// asking the server to delete it (RFC 7592) when it handed out a registration access
/// token. Returns the warnings to show.
pub(crate) fn forget_registration(
    ctx: &Context<'_>,
    login: &RememberedLogin,
    choice: StoreChoice,
) -> Vec<String> {
    let mut warnings = Vec::new();
    if !login.registered_client {
        warnings.push(format!(
            "the client `{}` was not registered by oauthctl; no registration to forget",
            sanitize::line(&login.client_id)
        ));
        return warnings;
    }
    let registrations = Registrations::for_paths(&ctx.paths);
    let (forgotten, report) = match registrations.forget(&login.issuer, choice) {
        Ok(done) => done,
        Err(e) => {
            warnings.push(format!("could not forget the registration: {e}"));
            return warnings;
        }
    };
    warnings.extend(report.warnings);
    let deregistration = forgotten.as_ref().and_then(|r| {
        Some((
            r.registration_client_uri.as_deref()?,
            r.registration_access_token.as_ref()?,
        ))
    });
    match deregistration {
        Some((uri, token)) => {
            let result = ctx
                .http()
                .and_then(|http| Ok((http, http.checked_url(uri)?)))
                .and_then(|(http, uri)| deregister(http, &uri, token));
            match result {
                Ok(status) if (200..300).contains(&status) => ctx.ui.info(&format!(
                    "Deleted the client registration at {}.",
                    sanitize::line(&login.issuer)
                )),
                Ok(status) => warnings.push(format!(
                    "the server did not delete the client registration (HTTP {status}); \
                     forgotten here only"
                )),
                Err(e) => warnings.push(format!(
                    "could not delete the client registration at the server: {e}; forgotten \
                     here only"
                )),
            }
        }
        None => ctx.ui.info(&format!(
            "Forgot the client registered at {}{}.",
            sanitize::line(&login.issuer),
            if forgotten.is_some() {
                " (the server gave no way to delete it there)"
            } else {
                ""
            }
        )),
    }
    warnings
}
