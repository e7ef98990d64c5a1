//! One module per subcommand. Commands orchestrate the domain and the effects and return an
//! [`Outcome`](crate::output::Outcome); they never print.
pub mod call;
pub mod decode;
pub mod events;
pub mod exec;
pub mod generate;
pub mod introspect;
pub mod login;
pub mod logout;
pub mod providers;
pub mod refresh;
pub mod serve;
pub mod session;
pub mod status;
pub mod token;
pub mod userinfo;

use std::cell::OnceCell;

use std::io::Read as _;

use crate::cli::GlobalArgs;
use crate::clock::{Clock, SystemClock};
use crate::config::{
    self, AuthMethod, ConfigFile, Overrides, Paths, ProfileConfig, SecretSource, Settings,
};
use crate::error::{Error, Result};
use crate::flow::discovery::DocumentCache;
use crate::flow::provider::{self, Resolved};
use crate::http::HttpClient;
use crate::oauth::secret::ClientSecret;
use crate::output::Ui;
use crate::store::index::{IndexEntry, IndexFile, RememberedLogin};

/// What every command may need, built lazily: the config file is read, and the HTTP client
/// built, only by commands that ask for them.
#[derive(Debug)]
pub struct Context<'a> {
    pub global: &'a GlobalArgs,
    pub ui: &'a Ui,
    pub paths: Paths,
    config: OnceCell<Option<ConfigFile>>,
    http: OnceCell<HttpClient>,
    clock: SystemClock,
}

impl<'a> Context<'a> {
    /// A context from the parsed flags and the environment.
    pub fn new(global: &'a GlobalArgs, ui: &'a Ui) -> Self {
        Self {
            global,
            ui,
            paths: Paths::from_env(),
            config: OnceCell::new(),
            http: OnceCell::new(),
            clock: SystemClock,
        }
    }

    /// The clock.
    pub fn clock(&self) -> &dyn Clock {
        &self.clock
    }

    /// The configuration file (`--config`, else the default path), loaded on first use,
    /// after checking the home (see [`Paths::check_home`]). A missing default file is not
    /// an error; a missing `--config` file is.
    pub fn config(&self) -> Result<Option<&ConfigFile>> {
        if let Some(loaded) = self.config.get() {
            return Ok(loaded.as_ref());
        }
        self.paths.check_home()?;
        let loaded = match &self.global.config {
            Some(path) => Some(config::file::load(path)?.ok_or_else(|| {
                crate::Error::config(
                    format!("config file {} does not exist", path.display()),
                    Some("check --config / OAUTHCTL_CONFIG".to_owned()),
                )
            })?),
            None => config::file::load(&self.paths.config_file())?,
        };
        Ok(self.config.get_or_init(|| loaded).as_ref())
    }

    /// The shared HTTP client, built on first use.
    pub fn http(&self) -> Result<&HttpClient> {
        if let Some(client) = self.http.get() {
            return Ok(client);
        }
        let client = HttpClient::new(&crate::http::HttpOptions::from_global(self.global)?)?;
        Ok(self.http.get_or_init(|| client))
    }
}

impl Context<'_> {
    /// The non-secret index of cached profiles.
    pub fn index(&self) -> IndexFile {
        IndexFile::for_paths(&self.paths)
    }

    /// What the index says about `profile` (a corrupt index reads as empty, with a warning).
    pub fn indexed(&self, profile: &str) -> Option<IndexEntry> {
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
    pub fn profile_name(&self) -> Result<String> {
        Ok(Settings::profile_name(self.global, self.config()?))
    }

    /// Settings for this invocation, with what the profile's last login remembered.
    pub fn settings(&self, overrides: &Overrides) -> Result<Settings> {
        let file = self.config()?;
        let profile = Settings::profile_name(self.global, file);
        let remembered = self.indexed(&profile).map(|e| remembered_profile(&e.login));
        Settings::resolve(self.global, overrides, file, remembered.as_ref())
    }

    /// Settings for this invocation with `login` as what the profile remembered (one of
    /// its older token sets' logins, for `logout`).
    pub fn settings_for_login(&self, login: &RememberedLogin) -> Result<Settings> {
        let remembered = remembered_profile(login);
        Settings::resolve(
            self.global,
            &Overrides::default(),
            self.config()?,
            Some(&remembered),
        )
    }

    /// The discovery/JWKS cache.
    pub fn documents(&self) -> DocumentCache {
        DocumentCache::new(self.paths.discovery_cache())
    }

    /// The provider with its endpoints known (discovery as needed).
    pub fn resolve_provider(&self, settings: &Settings) -> Result<Resolved> {
        provider::resolve(
            self.http()?,
            &self.documents(),
            &settings.provider,
            self.clock().now(),
        )
    }

    /// Reads the client secret from where the settings say, warning about argv secrets.
    pub fn client_secret(&self, source: &SecretSource) -> Result<Option<ClientSecret>> {
        read_secret(source, self.ui)
    }
}

/// The remembered login as a profile layer for [`Settings::resolve`].
pub fn remembered_profile(login: &RememberedLogin) -> ProfileConfig {
    ProfileConfig {
        provider: login.provider.clone(),
        issuer: Some(login.issuer.clone()),
        client_id: Some(login.client_id.clone()),
        client_secret_env: login.client_secret_env.clone(),
        client_secret_file: login.client_secret_file.clone(),
        auth_method: login.auth_method.as_deref().and_then(|m| match m {
            "client_secret_basic" => Some(AuthMethod::ClientSecretBasic),
            "client_secret_post" => Some(AuthMethod::ClientSecretPost),
            "none" => Some(AuthMethod::None),
            _ => None,
        }),
        scopes: Some(login.scopes.clone()),
        audience: login.audience.clone(),
        resource: login.resource.clone(),
        client_secret_stdin: login.client_secret_stdin,
        ..ProfileConfig::default()
    }
}

/// Reads a client secret: an environment variable, a file's first line, standard input
/// (`-`), or (with a warning) a command-line value.
pub fn read_secret(source: &SecretSource, ui: &Ui) -> Result<Option<ClientSecret>> {
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
        SecretSource::Inline(secret) => {
            ui.warn("a client secret on the command line is visible to other users (ps, shell history); prefer --client-secret-file or --client-secret-env");
            clean(secret.expose().to_owned())
        }
    }
}
