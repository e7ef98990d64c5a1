//! The OS keyring store with a kernel keyring copy for the login session (README, "Token
//! storage"): `oauthctl token` from the keyring without a D-Bus connection.
//!
//! The OS keyring stays the store of record; the copy (`super::kernel`) only saves reading
//! it. What keeps the copy from ever serving a set older than the keyring's:
//!
//! - Every write of a set to the keyring gets a fresh random *generation*, recorded in the
//!   index per cache key, and the copy carries the generation of the write it copies. A
//!   copy is served only when its generation is the one the index records now.
//! - A write first forgets the recorded generation (so no copy of the old set, in this
//!   login session or any other, is served from then on) and removes this session's copy,
//!   then writes the keyring, then records the new generation and writes the new copy.
//!   A process that writes without the copy (it is turned off there, or runs in another
//!   login session) still records generations, so copies elsewhere become stale at once.
//! - A read that misses the copy reads the generation *before* the keyring and copies what
//!   it read under that generation, and only if the index still records it afterwards: a
//!   copy is never labelled with a newer generation than the set it holds.
//! - A renewal re-reads the keyring itself under the refresh lock
//!   ([`TokenStore::reload_entry`]), never the copy.
//! - Deleting (logout) forgets the generation and removes the copy before the keyring
//!   entry.
//!
//! The keyring connection is opened only when the copy cannot answer.

use std::sync::OnceLock;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use super::index::IndexFile;
use super::kernel::{CopyPolicy, NotCopied, SessionKeyring, copy_description};
use super::keyring::KeyringStore;
use super::{Loaded, StoreError, StoreKind, TokenStore};
use crate::oauth::tokens::{CacheKey, TokenSet, hex};
use crate::paths::Paths;

/// The first line of every copy's payload.
const MAGIC: &str = "oauthctl-kernel-copy-v1";

/// The OS keyring, with a kernel keyring copy of what it holds when the process has a
/// session keyring of its own and the copy is not turned off.
pub struct CopiedKeyring {
    timeout: Duration,
    record: OnceLock<KeyringStore>,
    index: IndexFile,
    copy: Option<SessionCopy>,
}

/// Where copies live: the session keyring ([`SessionKeyring`]); a fake in tests.
pub(crate) trait CopyBackend: Send + Sync + std::fmt::Debug {
    /// The payload of the copy described `description`, if there is one.
    fn read(&self, description: &str) -> Option<Vec<u8>>;
    /// Creates or replaces a copy that disappears by itself after `timeout_secs`.
    fn write(&self, description: &str, payload: &[u8], timeout_secs: u64) -> Result<(), NotCopied>;
    /// Removes a copy; absent is fine.
    fn remove(&self, description: &str);
}

impl CopyBackend for SessionKeyring {
    fn read(&self, description: &str) -> Option<Vec<u8>> {
        SessionKeyring::read(self, description)
    }
    fn write(&self, description: &str, payload: &[u8], timeout_secs: u64) -> Result<(), NotCopied> {
        SessionKeyring::write(self, description, payload, timeout_secs)
    }
    fn remove(&self, description: &str) {
        SessionKeyring::remove(self, description);
    }
}

/// This session's keyring and the copies' longest lifetime.
#[derive(Debug)]
struct SessionCopy {
    session: Box<dyn CopyBackend>,
    ttl: Duration,
}

impl std::fmt::Debug for CopiedKeyring {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CopiedKeyring")
            .field("connected", &self.record.get().is_some())
            .field("copy", &self.copy)
            .finish_non_exhaustive()
    }
}

impl CopiedKeyring {
    /// The keyring store for the index under `paths`, connected to the OS keyring (within
    /// `timeout`) only when a set has to be read from it or written to it.
    pub fn lazy(paths: &Paths, timeout: Duration) -> Self {
        Self::with(OnceLock::new(), paths, timeout, CopyPolicy::from_env())
    }

    /// `store`, already connected, with the copy.
    pub fn over(store: KeyringStore, paths: &Paths, timeout: Duration) -> Self {
        Self::with(
            OnceLock::from(store),
            paths,
            timeout,
            CopyPolicy::from_env(),
        )
    }

    fn with(
        record: OnceLock<KeyringStore>,
        paths: &Paths,
        timeout: Duration,
        policy: CopyPolicy,
    ) -> Self {
        let session = policy.enabled.then(SessionKeyring::own).flatten();
        Self::assemble(
            record,
            IndexFile::for_paths(paths),
            timeout,
            session.map(|s| (Box::new(s) as Box<dyn CopyBackend>, policy.ttl)),
        )
    }

    fn assemble(
        record: OnceLock<KeyringStore>,
        index: IndexFile,
        timeout: Duration,
        copy: Option<(Box<dyn CopyBackend>, Duration)>,
    ) -> Self {
        Self {
            timeout,
            record,
            index,
            copy: copy.map(|(session, ttl)| SessionCopy { session, ttl }),
        }
    }

    /// Whether this process keeps copies (it has a session keyring of its own and the copy
    /// is not turned off).
    pub fn copies(&self) -> bool {
        self.copy.is_some()
    }

    /// Forgets the set under `key` without reaching the OS keyring: its generation and this
    /// session's copy. For a logout while the keyring does not answer.
    pub fn forget(key: &CacheKey, paths: &Paths) -> Result<(), StoreError> {
        let index = IndexFile::for_paths(paths);
        if let Some(session) = SessionKeyring::own() {
            session.remove(&copy_description(key));
        }
        if index.keyring_generation(key).is_some() {
            index.set_keyring_generation(key, None)?;
        }
        Ok(())
    }

    fn record(&self) -> Result<&KeyringStore, StoreError> {
        if let Some(store) = self.record.get() {
            return Ok(store);
        }
        let store = KeyringStore::connect(self.timeout)?;
        Ok(self.record.get_or_init(|| store))
    }

    /// The set in this session's copy of `key`, when the copy carries `generation`.
    fn read_copy(copy: &SessionCopy, key: &CacheKey, generation: &str) -> Option<TokenSet> {
        let payload = copy.session.read(&copy_description(key))?;
        let (head, json) = split_payload(&payload)?;
        if head != generation {
            return None;
        }
        TokenSet::from_json(json).ok()
    }

    /// Copies `tokens` under `generation` into this session's keyring.
    fn write_copy(copy: &SessionCopy, key: &CacheKey, generation: &str, tokens: &TokenSet) {
        let description = copy_description(key);
        let Some(lifetime) = lifetime(copy.ttl, tokens, now()) else {
            copy.session.remove(&description);
            return;
        };
        let mut payload = format!("{MAGIC}\n{generation}\n").into_bytes();
        payload.extend_from_slice(tokens.to_json().as_bytes());
        let _: Result<(), NotCopied> = copy.session.write(&description, &payload, lifetime);
    }

    /// Reads the keyring, then copies what it found under `generation` (read before the
    /// keyring) if the index still records that generation.
    fn read_through(
        &self,
        key: &CacheKey,
        generation: Option<String>,
    ) -> Result<Loaded, StoreError> {
        let loaded = self.record()?.load_entry(key)?;
        if let Some(copy) = &self.copy {
            match (&loaded.tokens, generation) {
                (Some(tokens), Some(g)) => {
                    if self.index.keyring_generation(key).as_deref() == Some(g.as_str()) {
                        Self::write_copy(copy, key, &g, tokens);
                    }
                }
                // Nothing to copy, or no generation to serve it under: no copy.
                _ => copy.session.remove(&copy_description(key)),
            }
        }
        Ok(loaded)
    }
}

/// The generation and the token set JSON of a copy's payload.
fn split_payload(payload: &[u8]) -> Option<(&str, &[u8])> {
    let text = payload
        .strip_prefix(MAGIC.as_bytes())?
        .strip_prefix(b"\n")?;
    let end = text.iter().position(|&b| b == b'\n')?;
    let generation = std::str::from_utf8(&text[..end]).ok()?;
    Some((generation, &text[end + 1..]))
}

/// How long a copy of `tokens` may live from `now` (Unix seconds): `ttl`, but never past
/// the access token's expiry. `None` when the access token has expired.
fn lifetime(ttl: Duration, tokens: &TokenSet, now: i64) -> Option<u64> {
    let ttl = ttl.as_secs();
    match tokens.expires_at {
        None => Some(ttl),
        Some(at) => {
            let left = u64::try_from(at.saturating_sub(now))
                .ok()
                .filter(|&s| s > 0)?;
            Some(ttl.min(left))
        }
    }
}

fn now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
}

/// A new random generation: 128 bits as hex.
fn new_generation() -> String {
    hex(&crate::oauth::pkce::random_bytes(16))
}

impl TokenStore for CopiedKeyring {
    fn load_entry(&self, key: &CacheKey) -> Result<Loaded, StoreError> {
        let Some(copy) = &self.copy else {
            return self.record()?.load_entry(key);
        };
        let generation = self.index.keyring_generation(key);
        if let Some(g) = &generation
            && let Some(tokens) = Self::read_copy(copy, key, g)
        {
            return Ok(Loaded::found(Some(tokens)));
        }
        self.read_through(key, generation)
    }

    fn reload_entry(&self, key: &CacheKey) -> Result<Loaded, StoreError> {
        if self.copy.is_none() {
            return self.record()?.load_entry(key);
        }
        let generation = self.index.keyring_generation(key);
        self.read_through(key, generation)
    }

    fn save(&self, key: &CacheKey, tokens: &TokenSet) -> Result<(), StoreError> {
        // Not one copy of the old set is served from here on, in any login session.
        self.index.set_keyring_generation(key, None)?;
        if let Some(copy) = &self.copy {
            copy.session.remove(&copy_description(key));
        }
        self.record()?.save(key, tokens)?;
        let generation = new_generation();
        // Without a recorded generation no copy is served: the keyring is read instead.
        if self
            .index
            .set_keyring_generation(key, Some(&generation))
            .is_ok()
            && let Some(copy) = &self.copy
        {
            Self::write_copy(copy, key, &generation, tokens);
        }
        Ok(())
    }

    fn delete(&self, key: &CacheKey) -> Result<(), StoreError> {
        self.index.set_keyring_generation(key, None)?;
        if let Some(copy) = &self.copy {
            copy.session.remove(&copy_description(key));
        }
        self.record()?.delete(key)
    }

    // Records are not copied to the kernel keyring: they are read once per login.
    fn load_record(&self, key: &CacheKey) -> Result<Option<Vec<u8>>, StoreError> {
        self.record()?.load_record(key)
    }

    fn save_record(&self, key: &CacheKey, bytes: &[u8]) -> Result<(), StoreError> {
        self.record()?.save_record(key, bytes)
    }

    fn kind(&self) -> StoreKind {
        StoreKind::Keyring
    }
}

#[cfg(test)]
mod tests;
