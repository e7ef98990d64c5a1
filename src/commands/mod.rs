//! One module per subcommand. Commands orchestrate the domain and the effects and return an
//! [`Outcome`](crate::output::Outcome); they never print. Each takes an options struct of
//! its own (plain values; the composition root in `app` builds them from the command line)
//! and a [`Context`] holding the effects it may use ([`Deps`]: clock, paths, HTTP client,
//! browser), so that a command runs the same in the binary and in a test.
pub(crate) mod call;
pub(crate) mod credentials;
pub(crate) mod decode;
pub(crate) mod doctor;
pub(crate) mod events;
pub(crate) mod exchange;
pub(crate) mod exec;
pub(crate) mod exec_credential;
pub(crate) mod git_credential;
pub(crate) mod introspect;
pub(crate) mod jwt_bearer;
pub(crate) mod jwt_sign;
pub(crate) mod login;
pub(crate) mod logout;
pub(crate) mod obtained;
pub(crate) mod paste;
pub(crate) mod providers;
pub(crate) mod refresh;
pub(crate) mod resource_login;
pub(crate) mod revoke;
pub(crate) mod serve;
pub(crate) mod session;
pub(crate) mod status;
pub(crate) mod token;
pub(crate) mod userinfo;

use std::cell::OnceCell;
use std::io::Read as _;
use std::sync::Arc;

use crate::browser::Browser;
use crate::clock::Clock;
use crate::config::{self, ConfigFile, Flags, Overrides, ProfileConfig, SecretSource, Settings};
use crate::error::{Error, Result};
use crate::flow::discovery::DocumentCache;
use crate::flow::provider::{self, Resolved};
use crate::http::HttpClient;
use crate::oauth::client_auth::AuthMethod;
use crate::oauth::secret::ClientSecret;
use crate::output::Ui;
use crate::paths::Paths;
use crate::store::index::{IndexEntry, IndexFile, RememberedLogin};

/// The effects a command may use, injected: the composition root passes the real ones
/// (`app::Deps::system`), tests their own (a fixed clock, a temporary home, a browser that
/// signs in by itself).
pub struct Deps {
    /// "Now" for every expiry decision.
    pub clock: Arc<dyn Clock>,
    /// Where config, tokens, locks and caches live.
    pub paths: Paths,
    /// The protocol HTTP client; `None` builds one on first use from `--cacert`,
    /// `--insecure-http`, `-v` and `OAUTHCTL_HTTP_TIMEOUT`. (`call` builds its own for the
    /// API request, whose deadline is `--max-time`.)
    pub http: Option<HttpClient>,
    /// The browser `login` hands the authorization URL to; `None` chooses one from
    /// `--no-browser`, `--browser-command` and `$BROWSER`.
    pub browser: Option<Arc<dyn Browser>>,
}

impl std::fmt::Debug for Deps {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Deps")
            .field("now", &self.clock.now())
            .field("paths", &self.paths)
            .field("http", &self.http.is_some())
            .field("browser", &self.browser.is_some())
            .finish()
    }
}

/// What every command may need, built lazily: the config file is read, and the HTTP client
/// built, only by commands that ask for them.
pub(crate) struct Context<'a> {
    /// The global options that choose profile, provider, client and store.
    pub flags: &'a Flags,
    pub ui: &'a Ui,
    pub paths: Paths,
    config: OnceCell<Option<ConfigFile>>,
    http: OnceCell<HttpClient>,
    clock: Arc<dyn Clock>,
    browser: Option<Arc<dyn Browser>>,
    nonces: OnceCell<Arc<crate::flow::dpop::Nonces>>,
    /// The profiles whose token exchange led to this context, outermost first (see
    /// [`Context::for_profile`]).
    chain: Vec<String>,
}

impl std::fmt::Debug for Context<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Context")
            .field("flags", self.flags)
            .field("paths", &self.paths)
            .field("now", &self.clock.now())
            .finish_non_exhaustive()
    }
}

impl<'a> Context<'a> {
    /// A context for one command.
    pub(crate) fn new(flags: &'a Flags, ui: &'a Ui, deps: Deps) -> Self {
        let http = OnceCell::new();
        if let Some(client) = deps.http {
            let _ = http.set(client);
        }
        Self {
            flags,
            ui,
            paths: deps.paths,
            config: OnceCell::new(),
            http,
            clock: deps.clock,
            browser: deps.browser,
            nonces: OnceCell::new(),
            chain: Vec::new(),
        }
    }

    /// A context for another profile, chosen by `flags`, that shares this one's effects
    /// (clock, paths, HTTP client, configuration, DPoP state): a token exchange reads (and
    /// renews) the profile its subject or actor token comes from through it. It remembers
    /// the chain of profiles that led to it, so that a loop of exchanges is found.
    pub(crate) fn for_profile<'b>(&'b self, flags: &'b Flags) -> Result<Context<'b>> {
        let mut chain = self.chain.clone();
        chain.push(self.profile_name()?);
        let config = OnceCell::new();
        if let Some(loaded) = self
            .config
            .get()
            .filter(|_| flags.config == self.flags.config)
        {
            let _ = config.set(loaded.clone());
        }
        let http = OnceCell::new();
        if let Some(client) = self.http.get() {
            let _ = http.set(client.clone());
        }
        let nonces = OnceCell::new();
        if let Some(n) = self.nonces.get() {
            let _ = nonces.set(Arc::clone(n));
        }
        Ok(Context {
            flags,
            ui: self.ui,
            paths: self.paths.clone(),
            config,
            http,
            clock: Arc::clone(&self.clock),
            browser: None,
            nonces,
            chain,
        })
    }

    /// The profiles whose token exchange led to this context (see [`Context::for_profile`]).
    pub(crate) fn chain(&self) -> &[String] {
        &self.chain
    }

    /// The DPoP nonces servers handed out and the clients known to need DPoP (the state
    /// file, read on first use).
    pub(crate) fn nonces(&self) -> Arc<crate::flow::dpop::Nonces> {
        Arc::clone(
            self.nonces
                .get_or_init(|| Arc::new(crate::flow::dpop::Nonces::persistent(&self.paths))),
        )
    }

    /// The clock.
    pub(crate) fn clock(&self) -> &dyn Clock {
        self.clock.as_ref()
    }

    /// The injected browser, if any (see [`Deps::browser`]).
    pub(crate) fn browser(&self) -> Option<&dyn Browser> {
        self.browser.as_deref()
    }

    /// The configuration file (`--config`, else the default path), loaded on first use,
    /// after checking the home (see [`crate::store::check_home`]). A missing default file is not
    /// an error; a missing `--config` file is.
    pub(crate) fn config(&self) -> Result<Option<&ConfigFile>> {
        if let Some(loaded) = self.config.get() {
            return Ok(loaded.as_ref());
        }
        crate::store::check_home(&self.paths)?;
        let loaded = match &self.flags.config {
            Some(path) => Some(config::file::load(path)?.ok_or_else(|| {
                crate::error::Error::config(
                    format!("config file {} does not exist", path.display()),
                    Some("check --config / OAUTHCTL_CONFIG".to_owned()),
                )
            })?),
            None => config::file::load(&self.paths.config_file())?,
        };
        Ok(self.config.get_or_init(|| loaded).as_ref())
    }

    /// The shared HTTP client, built on first use.
    pub(crate) fn http(&self) -> Result<&HttpClient> {
        if let Some(client) = self.http.get() {
            return Ok(client);
        }
        let options = crate::http::HttpOptions::protocol(
            self.flags.cacert.clone(),
            self.flags.insecure_http,
            self.ui.verbose,
            crate::output::trace_line,
        )?;
        let client = HttpClient::new(&options)?;
        Ok(self.http.get_or_init(|| client))
    }

    /// A context for the same invocation under other global options (another profile):
    /// the same effects, and the configuration file as already read.
    pub(crate) fn with_flags<'b>(&self, flags: &'b Flags) -> Context<'b>
    where
        'a: 'b,
    {
        let ctx = Context::new(
            flags,
            self.ui,
            Deps {
                clock: Arc::clone(&self.clock),
                paths: self.paths.clone(),
                http: self.http.get().cloned(),
                browser: self.browser.clone(),
            },
        );
        if let Some(loaded) = self.config.get() {
            let _ = ctx.config.set(loaded.clone());
        }
        ctx
    }
}

impl Context<'_> {
    /// The non-secret index of cached profiles.
    pub(crate) fn index(&self) -> IndexFile {
        IndexFile::for_paths(&self.paths)
    }

    /// What the index says about `profile` (a corrupt index reads as empty, with a warning).
    pub(crate) fn indexed(&self, profile: &str) -> Option<IndexEntry> {
        match self.index().get(profile) {
            Ok((entry, warning)) => {
                if let Some(w) = warning {
                    self.ui.warn(&w);
                }
                entry
            }
            Err(e) => {
                self.ui.warn(&e.to_string());
                None
            }
        }
    }

    /// The profile name for these flags.
    pub(crate) fn profile_name(&self) -> Result<String> {
        Ok(Settings::profile_name(self.flags, self.config()?))
    }

    /// Settings for this invocation, with what the profile's last login remembered.
    pub(crate) fn settings(&self, overrides: &Overrides) -> Result<Settings> {
        let file = self.config()?;
        let profile = Settings::profile_name(self.flags, file);
        let remembered = self.indexed(&profile).map(|e| remembered_profile(&e.login));
        Settings::resolve(self.flags, overrides, file, remembered.as_ref())
    }

    /// Settings for this invocation with `login` as what the profile remembered (one of
    /// its older token sets' logins, for `logout`).
    pub(crate) fn settings_for_login(&self, login: &RememberedLogin) -> Result<Settings> {
        let remembered = remembered_profile(login);
        Settings::resolve(
            self.flags,
            &Overrides::default(),
            self.config()?,
            Some(&remembered),
        )
    }

    /// The discovery/JWKS cache.
    pub(crate) fn documents(&self) -> DocumentCache {
        DocumentCache::new(self.paths.discovery_cache())
    }

    /// The provider with its endpoints known (discovery as needed).
    pub(crate) fn resolve_provider(&self, settings: &Settings) -> Result<Resolved> {
        provider::resolve(
            self.http()?,
            &self.documents(),
            &settings.provider,
            self.clock().now(),
        )
    }

    /// Reads the client secret from where the settings say, warning about argv secrets.
    pub(crate) fn client_secret(&self, source: &SecretSource) -> Result<Option<ClientSecret>> {
        if let SecretSource::Registered { issuer } = source {
            return resource_login::registered_secret(self, issuer);
        }
        read_secret(source, self.ui)
    }
}

/// The remembered login as a profile layer for [`Settings::resolve`].
pub(crate) fn remembered_profile(login: &RememberedLogin) -> ProfileConfig {
    ProfileConfig {
        provider: login.provider.clone(),
        issuer: Some(login.issuer.clone()),
        client_id: Some(login.client_id.clone()),
        client_secret_env: login.client_secret_env.clone(),
        client_secret_file: login.client_secret_file.clone(),
        auth_method: login.auth_method.as_deref().and_then(AuthMethod::from_name),
        resource_url: login.resource_url.clone(),
        registered_client: login.registered_client,
        scopes: Some(login.scopes.clone()),
        audience: login.audience.clone(),
        resource: login.resource.clone(),
        client_secret_stdin: login.client_secret_stdin,
        client_key_file: login.client_key_file.clone(),
        client_key_id: login.client_key_id.clone(),
        client_key_alg: login.client_key_alg.clone(),
        client_cert: login.client_cert.clone(),
        client_key: login.client_key.clone(),
        dpop: login.dpop,
        par: login.par.then_some(true),
        redirect_uri: login.redirect_uri.clone(),
        origin: login.origin.clone(),
        ..ProfileConfig::default()
    }
}

/// Reads a client secret: an environment variable, a file's first line, standard input
/// (`-`), or (with a warning) a command-line value.
pub(crate) fn read_secret(source: &SecretSource, ui: &Ui) -> Result<Option<ClientSecret>> {
    let clean = |s: String| -> Result<Option<ClientSecret>> {
        let line = s
            .lines()
            .next()
            .unwrap_or_default()
            .trim_end_matches('\r')
            .to_owned();
        if line.is_empty() {
            return Err(Error::config("the client secret is empty", None));
        }
        Ok(Some(ClientSecret::new(line)))
    };
    match source {
        SecretSource::None => Ok(None),
        SecretSource::Env(var) => match std::env::var(var) {
            Ok(v) if !v.is_empty() => clean(v),
            _ => Err(Error::config(
                format!("the client secret variable ${var} is not set"),
                Some(format!("export {var}=… or use --client-secret-file")),
            )),
        },
        SecretSource::File(path) if path.as_os_str() == "-" => {
            let mut text = String::new();
            std::io::stdin()
                .lock()
                .take(64 * 1024)
                .read_to_string(&mut text)
                .map_err(|e| {
                    Error::Other(format!("cannot read the client secret from stdin: {e}"))
                })?;
            clean(text)
        }
        SecretSource::File(path) => {
            let text = std::fs::read_to_string(path)
                .map_err(|e| Error::io("read the client secret file", path, e))?;
            clean(text)
        }
        SecretSource::StdinAtLogin { profile } => Err(Error::config(
            format!(
                "profile `{profile}` read its client secret from standard input at login, and \
                 oauthctl does not keep secrets: renewing, introspecting or revoking its \
                 tokens needs the secret again"
            ),
            Some(format!(
                "give it with --client-secret-file FILE (`-` reads standard input) or \
                 --client-secret-env VAR, or set client_secret_env or client_secret_file in \
                 [profiles.{profile}] of the config"
            )),
        )),
        SecretSource::Registered { issuer } => Err(Error::Other(format!(
            "the secret of the client registered at {issuer} is read from the token store"
        ))),
        SecretSource::Inline(secret) => {
            ui.warn("a client secret on the command line is visible to other users (ps, shell history); prefer --client-secret-file or --client-secret-env");
            clean(secret.expose().to_owned())
        }
    }
}
