//! Where oauthctl keeps its files. `OAUTHCTL_HOME` relocates config, tokens, locks and caches
//! together; otherwise the XDG base directories (and their platform equivalents) are used.
//!
//! A leaf: plain path arithmetic over the environment. Whether the directories are safe to
//! use is the store's question ([`crate::store::check_home`]).

use std::path::{Path, PathBuf};

/// The directories oauthctl uses.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Paths {
    /// Directory holding `config.toml`.
    pub config_dir: PathBuf,
    /// Directory for token files, the non-secret index and lock files.
    pub state_dir: PathBuf,
    /// Directory for re-fetchable data (discovery documents, JWKS).
    pub cache_dir: PathBuf,
}

impl Paths {
    /// Paths from the environment: `OAUTHCTL_HOME`, else XDG/platform directories.
    pub fn from_env() -> Self {
        Self::resolve(
            std::env::var_os("OAUTHCTL_HOME")
                .filter(|v| !v.is_empty())
                .map(PathBuf::from),
            dirs::config_dir(),
            dirs::state_dir().or_else(dirs::data_local_dir),
            dirs::cache_dir(),
        )
    }

    /// Pure resolution, for tests.
    pub fn resolve(
        home: Option<PathBuf>,
        config: Option<PathBuf>,
        state: Option<PathBuf>,
        cache: Option<PathBuf>,
    ) -> Self {
        if let Some(home) = home {
            return Self {
                config_dir: home.clone(),
                state_dir: home.clone(),
                cache_dir: home.join("cache"),
            };
        }
        // Without any base directory (no HOME at all) fall back to the working directory's
        // `.oauthctl`, never to a shared location such as /tmp.
        let fallback = PathBuf::from(".oauthctl");
        Self {
            config_dir: config.map_or_else(|| fallback.clone(), |d| d.join("oauthctl")),
            state_dir: state.map_or_else(|| fallback.clone(), |d| d.join("oauthctl")),
            cache_dir: cache.map_or_else(|| fallback.join("cache"), |d| d.join("oauthctl")),
        }
    }

    /// The default configuration file.
    pub fn config_file(&self) -> PathBuf {
        self.config_dir.join("config.toml")
    }

    /// Directory of the discovery/JWKS cache.
    pub fn discovery_cache(&self) -> PathBuf {
        self.cache_dir.join("discovery")
    }

    /// Directory of the file token store.
    pub fn tokens_dir(&self) -> PathBuf {
        self.state_dir.join("tokens")
    }

    /// Where `serve --tls` keeps its development CA unless `--tls-dir` names another place.
    pub fn serve_tls_dir(&self) -> PathBuf {
        self.state_dir.join("serve-tls")
    }

    /// Whether `path` lies under our state directory.
    pub fn is_ours(&self, path: &Path) -> bool {
        path.starts_with(&self.state_dir) || path.starts_with(&self.cache_dir)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn oauthctl_home_relocates_everything() {
        let p = Paths::resolve(
            Some("/h".into()),
            Some("/c".into()),
            Some("/s".into()),
            Some("/k".into()),
        );
        assert_eq!(p.config_file(), PathBuf::from("/h/config.toml"));
        assert_eq!(p.tokens_dir(), PathBuf::from("/h/tokens"));
        assert_eq!(p.discovery_cache(), PathBuf::from("/h/cache/discovery"));
    }

    #[test]
    fn xdg_directories_otherwise() {
        let p = Paths::resolve(
            None,
            Some("/c".into()),
            Some("/s".into()),
            Some("/k".into()),
        );
        assert_eq!(p.config_file(), PathBuf::from("/c/oauthctl/config.toml"));
        assert_eq!(p.tokens_dir(), PathBuf::from("/s/oauthctl/tokens"));
        assert_eq!(p.discovery_cache(), PathBuf::from("/k/oauthctl/discovery"));
    }
}
