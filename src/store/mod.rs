//! The token cache: where token sets live between invocations (README: "Token storage").
//!
//! [`TokenStore`] is the seam; [`file::FileStore`] and [`keyring::KeyringStore`] are the
//! real back ends, [`keyring_copy::CopiedKeyring`] fronts the OS keyring with a kernel
//! keyring copy ([`kernel`]) on Linux, [`select::open_store`] picks one for `--token-store`, `index` is the
//! non-secret per-profile index, and [`lock`] is the cross-process refresh lock with the
//! refresh protocol. Nothing here prints: warnings are returned as values. No error or
//! `Debug` output of this module contains a token value.

pub(crate) mod dpop;
pub mod file;
pub(crate) mod fsutil;
pub(crate) mod index;
pub mod kernel;
pub mod keyring;
pub mod keyring_copy;
pub mod lock;
#[cfg(test)]
pub(crate) mod memory;
pub mod select;

use std::fmt;
use std::path::PathBuf;

use serde::{Deserialize, Serialize};

use crate::error::Error;
use crate::oauth::tokens::{CacheKey, TokenSet};
use crate::paths::Paths;

pub use select::{delete_everywhere, open_store};

/// Which store `--token-store` (and `token_store` in the config file) asks for.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum StoreChoice {
    /// The OS keyring when it answers, else files (with a warning).
    #[default]
    Auto,
    /// The OS keyring only.
    Keyring,
    /// Files under `OAUTHCTL_HOME` (or the XDG state directory) only.
    File,
}

/// Which back end holds a token set.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum StoreKind {
    /// The OS keyring (Secret Service, Keychain, Windows Credential Manager).
    Keyring,
    /// Private files under the state directory.
    File,
}

impl StoreKind {
    /// `keyring` or `file`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Keyring => "keyring",
            Self::File => "file",
        }
    }
}

impl fmt::Display for StoreKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Refuses a home that another local user could tamper with: the state directory
/// (`OAUTHCTL_HOME` itself when set) and the cache directory must be ours, not writable by
/// group or others, and not symbolic links, as the token files are (exit 7 with a
/// `chmod`/`chown` hint). Directories that do not exist yet are fine: oauthctl creates them
/// 0700. The files inside are checked where they are read.
pub fn check_home(paths: &Paths) -> Result<(), StoreError> {
    for dir in [&paths.state_dir, &paths.cache_dir] {
        fsutil::check_dir_if_exists(dir, fsutil::Exposure::Trusted)?;
    }
    Ok(())
}

/// The result of a load that may have skipped an unusable entry.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Loaded {
    /// The cached set, if one was found and readable.
    pub tokens: Option<TokenSet>,
    /// Set when an entry existed but was ignored (corrupt, truncated, unknown version):
    /// one line for the user, free of secrets. The entry is then treated as absent.
    pub warning: Option<String>,
}

impl Loaded {
    /// A successful lookup, with or without a set.
    pub fn found(tokens: Option<TokenSet>) -> Self {
        Self {
            tokens,
            warning: None,
        }
    }
}

/// Where tokens live between invocations. Implementations never log or embed token values
/// in errors.
pub trait TokenStore: Send + Sync {
    /// Loads the set cached under `key`, reporting an ignored unusable entry.
    fn load_entry(&self, key: &CacheKey) -> Result<Loaded, StoreError>;

    /// [`TokenStore::load_entry`] from the store of record itself, past any copy kept to
    /// read faster (the kernel keyring copy of the OS keyring): what a renewal re-reads
    /// under the refresh lock.
    fn reload_entry(&self, key: &CacheKey) -> Result<Loaded, StoreError> {
        self.load_entry(key)
    }

    /// Saves `tokens` under `key`, replacing any previous set atomically.
    fn save(&self, key: &CacheKey, tokens: &TokenSet) -> Result<(), StoreError>;

    /// Removes the set under `key`; absent is not an error.
    fn delete(&self, key: &CacheKey) -> Result<(), StoreError>;

    /// Which back end this is.
    fn kind(&self) -> StoreKind;

    /// Loads the set cached under `key`. An unusable entry counts as absent and its
    /// warning is dropped; use [`TokenStore::load_entry`] to show it.
    fn load(&self, key: &CacheKey) -> Result<Option<TokenSet>, StoreError> {
        self.load_entry(key).map(|l| l.tokens)
    }
}

/// A token-store failure. Never contains a token value.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// No OS keyring answered (no Secret Service on the session bus, locked, timed out).
    #[error("the OS keyring is not available: {reason}")]
    KeyringUnavailable { reason: String },
    /// The keyring answered but an operation failed.
    #[error("the OS keyring failed to {action}: {reason}")]
    Keyring {
        action: &'static str,
        reason: String,
    },
    /// After a write, reading back did not return what was written (a non-persistent or
    /// truncating store).
    #[error("the OS keyring did not keep the tokens: reading back after the write {detail}")]
    ReadBack { detail: String },
    /// A file or directory is unsafe to use (symlink, foreign owner, too-open mode).
    #[error("refusing to use {}: {reason}", path.display())]
    Unsafe {
        path: PathBuf,
        reason: String,
        fix: Option<String>,
    },
    /// A local I/O failure.
    #[error("cannot {action} {}: {source}", path.display())]
    Io {
        action: &'static str,
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    /// Another oauthctl held the refresh lock for too long.
    #[error("timed out after {}s waiting for the token lock {}", waited.as_secs(), path.display())]
    LockTimeout {
        path: PathBuf,
        waited: std::time::Duration,
    },
}

impl StoreError {
    pub(crate) fn io(
        action: &'static str,
        path: impl Into<PathBuf>,
        source: std::io::Error,
    ) -> Self {
        Self::Io {
            action,
            path: path.into(),
            source,
        }
    }
}

impl From<StoreError> for Error {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::KeyringUnavailable { .. }
            | StoreError::Keyring { .. }
            | StoreError::ReadBack { .. } => Error::Config {
                message: e.to_string(),
                hint: Some(
                    "use --token-store file (or OAUTHCTL_TOKEN_STORE=file) to keep tokens in \
                     private files instead"
                        .to_owned(),
                ),
            },
            StoreError::Unsafe { ref fix, .. } => Error::Config {
                hint: fix.clone(),
                message: e.to_string(),
            },
            StoreError::Io {
                action,
                path,
                source,
            } => Error::Io {
                context: format!("cannot {action} {}", path.display()),
                source,
            },
            StoreError::LockTimeout { .. } => Error::Other(format!(
                "{e} (another oauthctl is refreshing the same tokens; retry)"
            )),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keyring_errors_map_to_config_with_the_file_hint() {
        let e: Error = StoreError::KeyringUnavailable {
            reason: "no session bus".into(),
        }
        .into();
        assert_eq!(e.exit_code(), 7);
        assert!(e.hint().unwrap().contains("--token-store file"));
    }

    #[test]
    fn unsafe_files_carry_their_fix() {
        let e: Error = StoreError::Unsafe {
            path: "/x/tokens/k.json".into(),
            reason: "it is readable by group or others (mode 0644)".into(),
            fix: Some("chmod 600 /x/tokens/k.json".into()),
        }
        .into();
        assert!(e.to_string().contains("mode 0644"));
        assert_eq!(e.hint().as_deref(), Some("chmod 600 /x/tokens/k.json"));
    }

    #[test]
    fn store_kind_names() {
        assert_eq!(StoreKind::Keyring.to_string(), "keyring");
        assert_eq!(serde_json::to_string(&StoreKind::File).unwrap(), "\"file\"");
    }
}
