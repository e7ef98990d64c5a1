//! One module per subcommand. Commands orchestrate the domain and the effects and return an
//! [`Outcome`](crate::output::Outcome); they never print.

pub mod generate;
pub mod providers;
pub mod serve;

use std::cell::OnceCell;

use crate::cli::GlobalArgs;
use crate::clock::{Clock, SystemClock};
use crate::config::{self, ConfigFile, Paths};
use crate::error::Result;
use crate::http::HttpClient;
use crate::output::Ui;

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

    /// The configuration file (`--config`, else the default path), loaded on first use.
    /// A missing default file is not an error; a missing `--config` file is.
    pub fn config(&self) -> Result<Option<&ConfigFile>> {
        if let Some(loaded) = self.config.get() {
            return Ok(loaded.as_ref());
        }
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
        let client = HttpClient::new(&crate::http::HttpOptions::from_global(self.global))?;
        Ok(self.http.get_or_init(|| client))
    }
}
