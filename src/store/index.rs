//! The non-secret token index, `state_dir/index.json` (README: "Token storage"): per
//! profile, what is cached (issuer, client, scopes, subject, expiry), under which cache key
//! and in which store, plus the profile's remembered login settings so that a later bare
//! `oauthctl token` works without a config file. It never holds a token or a client secret,
//! and reading it never touches the keyring.
//!
//! An entry also lists the profile's older token sets (an earlier login with other scopes,
//! audience, resource, parameters or client, kept under another cache key), so that
//! `logout` can revoke and delete every set the profile owns. Entries written before that
//! list existed read as owning only their current set.
//!
//! Written atomically (0600), updated read-modify-write under `locks/index.lock`. A corrupt
//! index reads as empty with a warning.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::StoreError;
use super::StoreKind;
use super::fsutil::{self, Exposure, ReadOutcome};
use super::lock::Locks;
use crate::oauth::tokens::{CacheKey, TokenSet};

/// The index format version.
pub(crate) const INDEX_VERSION: u32 = 1;

const MAX_INDEX_LEN: u64 = 4 << 20;

/// The settings of a profile's last `login`, enough to refresh, introspect and log out
/// later. Holds the *source* of the client secret, never the secret.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct RememberedLogin {
    /// The preset or configured provider name, if one was used.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub provider: Option<String>,
    pub issuer: String,
    pub client_id: String,
    #[serde(default)]
    pub scopes: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub audience: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resource: Option<String>,
    /// The protected resource URL a resource-first login was for (README: "Resource-first
    /// login"): the profile's next login starts from it again.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resource_url: Option<String>,
    /// The client is one oauthctl registered at `issuer` (RFC 7591): its secret, if any, is
    /// kept with the registration in the token store, never here.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub registered_client: bool,
    /// Token endpoint auth method (`client_secret_basic`, `client_secret_post`, `none`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub auth_method: Option<String>,
    /// Name of the environment variable holding the client secret.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_secret_env: Option<String>,
    /// File holding the client secret.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_secret_file: Option<PathBuf>,
    /// The secret was read from standard input (`--client-secret-file -`) and is not kept,
    /// so renewing needs it to be given again.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub client_secret_stdin: bool,
    /// `login --leeway` in seconds, when not the default: refreshed ID tokens get it too.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub leeway: Option<i64>,
    /// File holding the private key of `private_key_jwt` (never the key).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_key_file: Option<PathBuf>,
    /// The `kid` the client's assertions name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_key_id: Option<String>,
    /// The algorithm of the client's assertions.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_key_alg: Option<String>,
    /// Files holding the mTLS client certificate and its key (never the key).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_cert: Option<PathBuf>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_key: Option<PathBuf>,
    /// The login was DPoP-bound: a re-login binds again.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dpop: Option<bool>,
    /// The login pushed its authorization request on request (`--par`, `par = true`).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub par: bool,
    /// The redirect URI the login was configured with (not the default).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub redirect_uri: Option<String>,
    /// The `Origin` header its token requests carried: refreshes send it too.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub origin: Option<String>,
    /// A token exchange: what it exchanged, so that it can exchange again.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub exchange: Option<RememberedExchange>,
    /// A JWT bearer grant: how its assertion was made, so that it can sign a new one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub assertion: Option<RememberedAssertion>,
}

/// Where a token handed to a token exchange came from (never the token itself).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub(crate) enum TokenSource {
    /// A profile's current token: its parent, renewed first when it needs it.
    Profile(String),
    /// A file, read again for every exchange (a token something else keeps fresh there).
    File(PathBuf),
    /// Standard input: read once and not kept, so the exchange cannot be repeated.
    Stdin,
}

/// A token exchange's settings (RFC 8693 §2.1), token types as URIs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct RememberedExchange {
    pub subject: TokenSource,
    pub subject_token_type: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub actor: Option<TokenSource>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub actor_token_type: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub audiences: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub resources: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub requested_token_type: Option<String>,
}

impl RememberedExchange {
    /// The profile the subject token comes from, if it comes from one.
    pub(crate) fn parent(&self) -> Option<&str> {
        match &self.subject {
            TokenSource::Profile(p) => Some(p),
            _ => None,
        }
    }
}

/// How a JWT bearer grant's assertion was made (RFC 7523 §2.1): signed from a key file
/// (the path, never the key), or given (a file or standard input; not usable twice).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct RememberedAssertion {
    /// The private key it was signed with; `None` for a given assertion.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub key_file: Option<PathBuf>,
    /// Where a given assertion was read (`-`: standard input).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub assertion_file: Option<PathBuf>,
    /// The claims of a signed one: `iss`, `sub`, `aud` (none: the issuer identifier), the
    /// lifetime in seconds and the header's `kid`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub issuer: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub subject: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub audience: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lifetime_s: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub key_id: Option<String>,
}

/// A token set a profile still owns besides its current one, and the login that made it
/// (to revoke it at its own issuer with its own client).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct OwnedSet {
    /// The key the tokens are cached under.
    pub cache_key: CacheKey,
    /// Which store holds them.
    pub store: StoreKind,
    /// The login that obtained them.
    pub login: RememberedLogin,
}

/// One profile's entry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct IndexEntry {
    pub issuer: String,
    pub client_id: String,
    #[serde(default)]
    pub scopes: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub audience: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resource: Option<String>,
    /// The ID token's `sub`, when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub subject: Option<String>,
    /// Access-token expiry in Unix seconds, as of the last save.
    #[serde(default)]
    pub expires_at: Option<i64>,
    /// Whether a refresh token was cached at the last save.
    #[serde(default)]
    pub has_refresh_token: bool,
    /// Which store holds the tokens.
    pub store: StoreKind,
    /// The key the tokens are cached under.
    pub cache_key: CacheKey,
    /// When this entry was last written, Unix seconds.
    #[serde(default)]
    pub updated_at: i64,
    /// The login settings to reuse.
    pub login: RememberedLogin,
    /// Token sets of earlier logins under other cache keys (or in another store), still
    /// cached until `logout`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub older: Vec<OwnedSet>,
}

impl IndexEntry {
    /// An entry describing `tokens` as saved under `key` in `store` by `login`.
    pub(crate) fn describe(
        login: RememberedLogin,
        key: CacheKey,
        store: StoreKind,
        tokens: &TokenSet,
        subject: Option<String>,
        now: i64,
    ) -> Self {
        Self {
            issuer: tokens.issuer.clone(),
            client_id: tokens.client_id.clone(),
            scopes: tokens.scope.clone(),
            audience: login.audience.clone(),
            resource: login.resource.clone(),
            subject,
            expires_at: tokens.expires_at,
            has_refresh_token: tokens.refresh_token.is_some(),
            store,
            cache_key: key,
            updated_at: now,
            login,
            older: Vec::new(),
        }
    }

    /// Takes over what `previous` (the profile's entry before this login) owned: its
    /// current set, unless this entry replaced it in place (same key, same store), and its
    /// older sets.
    pub(crate) fn adopt(&mut self, previous: IndexEntry) {
        let current = OwnedSet {
            cache_key: previous.cache_key,
            store: previous.store,
            login: previous.login,
        };
        for set in previous.older.into_iter().chain([current]) {
            let replaced = set.cache_key == self.cache_key && set.store == self.store;
            let known = self
                .older
                .iter()
                .any(|o| o.cache_key == set.cache_key && o.store == set.store);
            if !replaced && !known {
                self.older.push(set);
            }
        }
    }

    /// Every token set the profile owns: the current one first, then the older ones.
    pub(crate) fn owned_sets(&self) -> Vec<OwnedSet> {
        let mut sets = vec![OwnedSet {
            cache_key: self.cache_key.clone(),
            store: self.store,
            login: self.login.clone(),
        }];
        sets.extend(self.older.iter().cloned());
        sets
    }
}

/// The whole index.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct Index {
    pub version: u32,
    #[serde(default)]
    pub profiles: BTreeMap<String, IndexEntry>,
    /// Per cache key of a set in the OS keyring: a random tag of its last write there,
    /// which a kernel keyring copy must carry to be served (`super::keyring_copy`). Keyed
    /// by cache key, not profile, because profiles with the same settings share one set.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub keyring_generations: BTreeMap<CacheKey, String>,
}

impl Default for Index {
    fn default() -> Self {
        Self {
            version: INDEX_VERSION,
            profiles: BTreeMap::new(),
            keyring_generations: BTreeMap::new(),
        }
    }
}

/// The index file and its lock.
#[derive(Debug, Clone)]
pub(crate) struct IndexFile {
    path: PathBuf,
    locks: Locks,
}

impl IndexFile {
    /// The index at `state_dir/index.json`.
    pub(crate) fn for_paths(paths: &crate::paths::Paths) -> Self {
        Self::new(paths.state_dir.join("index.json"), Locks::for_paths(paths))
    }

    /// An index at `path`, updated under `locks`.
    pub(crate) fn new(path: impl Into<PathBuf>, locks: Locks) -> Self {
        Self {
            path: path.into(),
            locks,
        }
    }

    /// Where the index lives.
    #[cfg(test)]
    pub(crate) fn path(&self) -> &Path {
        &self.path
    }

    /// Reads the index. Missing = empty; corrupt or a newer version = empty plus a warning.
    /// The directory holding it must be ours and not writable by others.
    pub(crate) fn load(&self) -> Result<(Index, Option<String>), StoreError> {
        if !fsutil::check_dir_if_exists(&self.dir(), Exposure::Trusted)? {
            return Ok((Index::default(), None));
        }
        let ignored = |why: &str| {
            Some(format!(
                "ignoring the token index {}: {why}; `oauthctl login` rewrites it",
                self.path.display()
            ))
        };
        match fsutil::read_private(&self.path, Exposure::Trusted, MAX_INDEX_LEN)? {
            ReadOutcome::Missing => Ok((Index::default(), None)),
            ReadOutcome::TooLarge(_) => Ok((Index::default(), ignored("it is too large"))),
            ReadOutcome::Data(bytes) => match serde_json::from_slice::<Index>(&bytes) {
                Ok(index) if index.version == INDEX_VERSION => Ok((index, None)),
                Ok(index) => Ok((
                    Index::default(),
                    ignored(&format!("unsupported version {}", index.version)),
                )),
                Err(e) => Ok((
                    Index::default(),
                    ignored(&format!("{:?} error", e.classify())),
                )),
            },
        }
    }

    /// One profile's entry, if any.
    pub(crate) fn get(
        &self,
        profile: &str,
    ) -> Result<(Option<IndexEntry>, Option<String>), StoreError> {
        let (mut index, warning) = self.load()?;
        Ok((index.profiles.remove(profile), warning))
    }

    /// Read-modify-write under the index lock, so concurrent logins don't lose entries.
    pub(crate) fn update<T>(&self, change: impl FnOnce(&mut Index) -> T) -> Result<T, StoreError> {
        self.change(true, change)
    }

    /// [`IndexFile::update`], writing the file only when `always` or when `change` changed
    /// the index.
    fn change<T>(
        &self,
        always: bool,
        change: impl FnOnce(&mut Index) -> T,
    ) -> Result<T, StoreError> {
        // The state dir may be a user-chosen OAUTHCTL_HOME with its own mode: the index is
        // not secret, so readable by others is fine, writable by others is not. Checked
        // before anything (the lock file) is created in it.
        let dir = self.dir();
        fsutil::ensure_dir(&dir, Exposure::Trusted)?;
        let _guard = self.locks.acquire_named("index")?;
        let (mut index, _) = self.load()?;
        let before = (!always).then(|| index.clone());
        let out = change(&mut index);
        if before.is_some_and(|b| b == index) {
            return Ok(out);
        }
        index.version = INDEX_VERSION;
        let json = serde_json::to_vec_pretty(&index).unwrap_or_default();
        fsutil::write_private_atomic(&dir, &self.path, &json)?;
        Ok(out)
    }

    /// The directory holding the index (the state directory).
    fn dir(&self) -> PathBuf {
        self.path
            .parent()
            .map_or_else(|| PathBuf::from("."), Path::to_path_buf)
    }

    /// Records `entry` for `profile`, replacing its entry.
    #[cfg(test)]
    pub(crate) fn put(&self, profile: &str, entry: IndexEntry) -> Result<(), StoreError> {
        self.update(|i| {
            i.profiles.insert(profile.to_owned(), entry);
        })
    }

    /// Records a new login's `entry` for `profile`: the sets of the profile's earlier logins
    /// stay listed (see [`IndexEntry::adopt`]).
    pub(crate) fn put_login(&self, profile: &str, mut entry: IndexEntry) -> Result<(), StoreError> {
        self.update(|i| {
            if let Some(previous) = i.profiles.remove(profile) {
                entry.adopt(previous);
            }
            i.profiles.insert(profile.to_owned(), entry);
        })
    }

    /// Removes `profile`, returning its entry.
    pub(crate) fn remove(&self, profile: &str) -> Result<Option<IndexEntry>, StoreError> {
        self.update(|i| i.profiles.remove(profile))
    }

    /// The generation of the keyring set under `key`, if one is recorded. Any problem
    /// reading the index counts as none (the kernel copy is then not used).
    pub(crate) fn keyring_generation(&self, key: &CacheKey) -> Option<String> {
        let (mut index, _) = self.load().ok()?;
        index.keyring_generations.remove(key)
    }

    /// Records `generation` for the keyring set under `key` (`None` forgets it).
    pub(crate) fn set_keyring_generation(
        &self,
        key: &CacheKey,
        generation: Option<&str>,
    ) -> Result<(), StoreError> {
        self.change(false, |i| match generation {
            Some(g) => {
                i.keyring_generations.insert(key.clone(), g.to_owned());
            }
            None => {
                i.keyring_generations.remove(key);
            }
        })
    }
}

#[cfg(test)]
mod tests;
