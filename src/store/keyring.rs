//! The OS keyring token store: service `oauthctl`, account = cache key (README: "Token
//! storage").
//!
//! The platform store is named explicitly (Secret Service over zbus on Linux and the BSDs,
//! Keychain on macOS, Credential Manager on Windows) through `keyring-core`, so an
//! in-memory mock can never be picked up silently. [`KeyringStore::open`] probes the store
//! on a separate thread with a timeout, because a D-Bus call can hang; every write is read
//! back. Payloads longer than one platform entry are split into numbered chunks with a
//! manifest (count, length, SHA-256) and reassembled, never truncated.
//!
//! Only this file names the keyring crates (and `super::kernel` the kernel keyring's).

use std::sync::Arc;
use std::sync::mpsc;
use std::time::Duration;

use serde::{Deserialize, Serialize};

use super::{Loaded, StoreError, StoreKind, TokenStore};
use crate::oauth::tokens::{CacheKey, TokenSet, hex};

/// The keyring service name of every oauthctl entry.
pub const SERVICE: &str = "oauthctl";

/// How long `auto` waits for the keyring to answer before using files.
pub const PROBE_TIMEOUT: Duration = Duration::from_millis(1500);

/// The probe timeout in force: [`PROBE_TIMEOUT`], or `OAUTHCTL_KEYRING_TIMEOUT` (a duration
/// such as `5s`) for keyrings that answer slowly (a busy machine, a remote session bus).
pub fn probe_timeout() -> Duration {
    std::env::var("OAUTHCTL_KEYRING_TIMEOUT")
        .ok()
        .and_then(|v| crate::text::duration::parse(&v).ok())
        .unwrap_or(PROBE_TIMEOUT)
}

/// Bytes per keyring entry. Windows caps a credential blob at 2560 bytes; the other
/// platforms take more, but one size everywhere keeps entries portable.
pub const CHUNK_LEN: usize = 2048;

/// Refuse to assemble more than this many chunks (512 KiB): a corrupt manifest must not
/// make us issue thousands of keyring calls.
const MAX_CHUNKS: usize = 256;

/// A keyring failure, already stripped of any secret bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum BackendError {
    /// The store refused access (locked, prompt dismissed).
    NoAccess(String),
    /// Any other failure.
    Failed(String),
}

impl BackendError {
    fn reason(&self) -> &str {
        match self {
            Self::NoAccess(r) | Self::Failed(r) => r,
        }
    }

    fn into_store_error(self, action: &'static str) -> StoreError {
        StoreError::Keyring {
            action,
            reason: self.reason().to_owned(),
        }
    }
}

/// The small slice of a keyring the chunking needs: blobs by account in one service.
pub(crate) trait SecretBackend: Send + Sync {
    fn get(&self, account: &str) -> Result<Option<Vec<u8>>, BackendError>;
    fn set(&self, account: &str, value: &[u8]) -> Result<(), BackendError>;
    /// Absent is not an error.
    fn delete(&self, account: &str) -> Result<(), BackendError>;
}

/// The manifest stored under the cache key when the payload is chunked.
#[derive(Debug, Serialize, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
struct Manifest {
    oauthctl_chunks: usize,
    len: usize,
    sha256: String,
}

fn chunk_account(key: &CacheKey, i: usize) -> String {
    format!("{}#{i}", key.as_str())
}

fn sha256_hex(bytes: &[u8]) -> String {
    hex(aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA256, bytes).as_ref())
}

/// Token sets in the OS keyring.
pub struct KeyringStore {
    backend: Box<dyn SecretBackend>,
    vendor: String,
}

impl std::fmt::Debug for KeyringStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("KeyringStore")
            .field("vendor", &self.vendor)
            .finish_non_exhaustive()
    }
}

impl KeyringStore {
    /// Connects to the platform keyring and proves it works (write, read back, delete a
    /// probe entry) within `timeout`. A store that only lives in memory is refused.
    pub fn open(timeout: Duration) -> Result<Self, StoreError> {
        Self::open_with(timeout, true)
    }

    /// Connects to the platform keyring within `timeout` without the write probe: for
    /// reading a set the index says is there (every write is still read back). This keeps
    /// `oauthctl token` from the keyring to one connection and one read.
    pub fn connect(timeout: Duration) -> Result<Self, StoreError> {
        Self::open_with(timeout, false)
    }

    fn open_with(timeout: Duration, probe: bool) -> Result<Self, StoreError> {
        let (tx, rx) = mpsc::channel();
        let spawned = std::thread::Builder::new()
            .name("oauthctl-keyring-probe".into())
            .spawn(move || {
                let _ = tx.send(connect_and_probe(probe));
            });
        if let Err(e) = spawned {
            return Err(StoreError::KeyringUnavailable {
                reason: format!("cannot start the probe thread: {e}"),
            });
        }
        // On timeout the probe thread is left behind; it holds no lock and the process
        // goes on with the file store.
        match rx.recv_timeout(timeout) {
            Ok(result) => result,
            Err(_) => Err(StoreError::KeyringUnavailable {
                reason: format!("it did not answer within {} ms", timeout.as_millis()),
            }),
        }
    }

    /// A human description of the platform store in use.
    pub fn vendor(&self) -> &str {
        &self.vendor
    }

    /// Writes, reads back and deletes a probe entry of `len` bytes (`doctor`: whether this
    /// keyring keeps entries of [`CHUNK_LEN`] bytes, the size token sets are split into).
    pub fn probe_entry(&self, len: usize) -> Result<(), StoreError> {
        let account = format!("probe-size-{}", std::process::id());
        let value = vec![b'x'; len];
        self.backend
            .set(&account, &value)
            .map_err(|e| e.into_store_error("store a probe entry"))?;
        let back = self.backend.get(&account);
        let _ = self.backend.delete(&account);
        match back {
            Ok(Some(v)) if v == value => Ok(()),
            Ok(_) => Err(StoreError::ReadBack {
                detail: format!("of a {len}-byte probe entry returned something else"),
            }),
            Err(e) => Err(e.into_store_error("read a probe entry")),
        }
    }

    #[cfg(test)]
    pub(crate) fn with_backend(backend: Box<dyn SecretBackend>) -> Self {
        Self {
            backend,
            vendor: "test".into(),
        }
    }

    /// The number of chunks stored under `key`, when its head entry is a manifest.
    fn chunk_count(&self, key: &CacheKey) -> usize {
        match self.backend.get(key.as_str()) {
            Ok(Some(head)) => serde_json::from_slice::<Manifest>(&head)
                .map_or(0, |m| m.oauthctl_chunks.min(MAX_CHUNKS)),
            _ => 0,
        }
    }

    /// The stored payload, reassembled. `Err(Ok(reason))` = present but unusable.
    fn read_payload(&self, key: &CacheKey) -> Result<Option<Vec<u8>>, Corrupt> {
        let Some(head) = self
            .backend
            .get(key.as_str())
            .map_err(|e| Corrupt::Backend(e.into_store_error("read the tokens")))?
        else {
            return Ok(None);
        };
        let Ok(manifest) = serde_json::from_slice::<Manifest>(&head) else {
            return Ok(Some(head));
        };
        if manifest.oauthctl_chunks == 0 || manifest.oauthctl_chunks > MAX_CHUNKS {
            return Err(Corrupt::Data("the chunk manifest is invalid".into()));
        }
        let mut out = Vec::with_capacity(manifest.len.min(MAX_CHUNKS * CHUNK_LEN));
        for i in 0..manifest.oauthctl_chunks {
            match self.backend.get(&chunk_account(key, i)) {
                Ok(Some(part)) => out.extend_from_slice(&part),
                Ok(None) => return Err(Corrupt::Data(format!("chunk {i} is missing"))),
                Err(e) => return Err(Corrupt::Backend(e.into_store_error("read the tokens"))),
            }
        }
        if out.len() != manifest.len || sha256_hex(&out) != manifest.sha256 {
            return Err(Corrupt::Data(
                "the chunks do not match their manifest (length or checksum)".into(),
            ));
        }
        Ok(Some(out))
    }

    /// Writes `json` under `key` (chunked when large, manifest last) and reads it back.
    fn write_payload(
        &self,
        key: &CacheKey,
        json: &[u8],
        action: &'static str,
    ) -> Result<(), StoreError> {
        if json.len() > MAX_CHUNKS * CHUNK_LEN {
            return Err(StoreError::Keyring {
                action,
                reason: format!("the payload is too large ({} bytes)", json.len()),
            });
        }
        let old_chunks = self.chunk_count(key);
        let set = |account: &str, value: &[u8]| {
            self.backend
                .set(account, value)
                .map_err(|e| e.into_store_error(action))
        };
        let new_chunks = if json.len() <= CHUNK_LEN {
            set(key.as_str(), json)?;
            0
        } else {
            // Chunks first, manifest last: a reader never sees a manifest whose chunks
            // were not written yet.
            let parts: Vec<&[u8]> = json.chunks(CHUNK_LEN).collect();
            for (i, part) in parts.iter().enumerate() {
                set(&chunk_account(key, i), part)?;
            }
            let manifest = Manifest {
                oauthctl_chunks: parts.len(),
                len: json.len(),
                sha256: sha256_hex(json),
            };
            set(
                key.as_str(),
                serde_json::to_string(&manifest)
                    .unwrap_or_default()
                    .as_bytes(),
            )?;
            parts.len()
        };
        for i in new_chunks..old_chunks {
            self.backend
                .delete(&chunk_account(key, i))
                .map_err(|e| e.into_store_error("remove an old chunk"))?;
        }
        // Never trust a write: a mock or truncating store shows up here.
        match self.read_payload(key) {
            Ok(Some(back)) if back == json => Ok(()),
            Ok(Some(back)) => Err(StoreError::ReadBack {
                detail: format!("returned {} bytes instead of {}", back.len(), json.len()),
            }),
            Ok(None) => Err(StoreError::ReadBack {
                detail: "found nothing".into(),
            }),
            Err(Corrupt::Data(why)) => Err(StoreError::ReadBack { detail: why }),
            Err(Corrupt::Backend(e)) => Err(e),
        }
    }
}

enum Corrupt {
    Backend(StoreError),
    Data(String),
}

impl TokenStore for KeyringStore {
    fn load_entry(&self, key: &CacheKey) -> Result<Loaded, StoreError> {
        let ignored = |why: String| Loaded {
            tokens: None,
            warning: Some(format!(
                "ignoring the cached tokens in the OS keyring (service `{SERVICE}`, account \
                 `{key}`): {why}; log in again to replace them"
            )),
        };
        // One retry: a reader can race a writer replacing a chunked entry.
        let mut payload = self.read_payload(key);
        if matches!(payload, Err(Corrupt::Data(_))) {
            payload = self.read_payload(key);
        }
        match payload {
            Ok(None) => Ok(Loaded::found(None)),
            Ok(Some(bytes)) => match TokenSet::from_json(&bytes) {
                Ok(t) => Ok(Loaded::found(Some(t))),
                Err(e) => Ok(ignored(e.to_string())),
            },
            Err(Corrupt::Data(why)) => Ok(ignored(why)),
            Err(Corrupt::Backend(e)) => Err(e),
        }
    }

    fn save(&self, key: &CacheKey, tokens: &TokenSet) -> Result<(), StoreError> {
        self.write_payload(key, &tokens.to_json().into_bytes(), "store the tokens")
    }

    fn delete(&self, key: &CacheKey) -> Result<(), StoreError> {
        let chunks = self.chunk_count(key);
        for i in 0..chunks {
            self.backend
                .delete(&chunk_account(key, i))
                .map_err(|e| e.into_store_error("delete the tokens"))?;
        }
        self.backend
            .delete(key.as_str())
            .map_err(|e| e.into_store_error("delete the tokens"))
    }

    fn load_record(&self, key: &CacheKey) -> Result<Option<Vec<u8>>, StoreError> {
        let mut payload = self.read_payload(key);
        if matches!(payload, Err(Corrupt::Data(_))) {
            payload = self.read_payload(key);
        }
        match payload {
            Ok(bytes) => Ok(bytes),
            // An unusable record is no record: the login registers anew.
            Err(Corrupt::Data(_)) => Ok(None),
            Err(Corrupt::Backend(e)) => Err(e),
        }
    }

    fn save_record(&self, key: &CacheKey, bytes: &[u8]) -> Result<(), StoreError> {
        self.write_payload(key, bytes, "store the client registration")
    }

    fn kind(&self) -> StoreKind {
        StoreKind::Keyring
    }
}

/// `keyring-core` errors without their payloads (`BadEncoding` and `BadDataFormat` carry
/// the stored bytes, i.e. tokens).
fn backend_error(e: keyring_core::Error) -> BackendError {
    use keyring_core::Error as E;
    match e {
        E::NoStorageAccess(inner) => BackendError::NoAccess(inner.to_string()),
        E::PlatformFailure(inner) => BackendError::Failed(inner.to_string()),
        E::BadEncoding(_) | E::BadDataFormat(..) => {
            BackendError::Failed("the stored data is malformed".into())
        }
        E::Ambiguous(items) => {
            BackendError::Failed(format!("{} keyring items match one entry", items.len()))
        }
        E::TooLong(_, limit) => BackendError::Failed(format!(
            "a value is longer than the platform limit ({limit})"
        )),
        E::BadStoreFormat(_)
        | E::Invalid(..)
        | E::NoDefaultStore
        | E::NotSupportedByStore(_)
        | E::NoEntry => BackendError::Failed(e.to_string()),
        _ => BackendError::Failed("unexpected keyring error".into()),
    }
}

/// A platform store, behind the chunking trait.
struct PlatformBackend {
    store: Arc<keyring_core::CredentialStore>,
}

impl PlatformBackend {
    fn entry(&self, account: &str) -> Result<keyring_core::Entry, BackendError> {
        self.store
            .build(SERVICE, account, None)
            .map_err(backend_error)
    }
}

impl SecretBackend for PlatformBackend {
    fn get(&self, account: &str) -> Result<Option<Vec<u8>>, BackendError> {
        match self.entry(account)?.get_secret() {
            Ok(v) => Ok(Some(v)),
            Err(keyring_core::Error::NoEntry) => Ok(None),
            Err(e) => Err(backend_error(e)),
        }
    }

    fn set(&self, account: &str, value: &[u8]) -> Result<(), BackendError> {
        self.entry(account)?
            .set_secret(value)
            .map_err(backend_error)
    }

    fn delete(&self, account: &str) -> Result<(), BackendError> {
        match self.entry(account)?.delete_credential() {
            Ok(()) | Err(keyring_core::Error::NoEntry) => Ok(()),
            Err(e) => Err(backend_error(e)),
        }
    }
}

fn platform_store() -> Result<Arc<keyring_core::CredentialStore>, keyring_core::Error> {
    #[cfg(all(
        unix,
        not(any(target_os = "macos", target_os = "ios", target_os = "android"))
    ))]
    {
        let store: Arc<keyring_core::CredentialStore> =
            zbus_secret_service_keyring_store::Store::new()?;
        Ok(store)
    }
    #[cfg(target_os = "macos")]
    {
        let store: Arc<keyring_core::CredentialStore> =
            apple_native_keyring_store::keychain::Store::new()?;
        Ok(store)
    }
    #[cfg(windows)]
    {
        let store: Arc<keyring_core::CredentialStore> = windows_native_keyring_store::Store::new()?;
        Ok(store)
    }
    #[cfg(not(any(unix, windows)))]
    {
        Err(keyring_core::Error::NotSupportedByStore(
            "no OS keyring on this platform".into(),
        ))
    }
    #[cfg(any(target_os = "ios", target_os = "android"))]
    {
        Err(keyring_core::Error::NotSupportedByStore(
            "no OS keyring on this platform".into(),
        ))
    }
}

fn unavailable(reason: impl Into<String>) -> StoreError {
    StoreError::KeyringUnavailable {
        reason: reason.into(),
    }
}

fn connect_and_probe(probe: bool) -> Result<KeyringStore, StoreError> {
    let store = platform_store().map_err(|e| unavailable(backend_error(e).reason()))?;
    if matches!(
        store.persistence(),
        keyring_core::CredentialPersistence::EntryOnly
            | keyring_core::CredentialPersistence::ProcessOnly
    ) {
        return Err(unavailable("the credential store does not persist"));
    }
    let vendor = store.vendor();
    let backend = PlatformBackend { store };
    if !probe {
        return Ok(KeyringStore {
            backend: Box::new(backend),
            vendor,
        });
    }
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.subsec_nanos());
    // Unique per process, so concurrent probes never read each other's value.
    let account = format!("probe-{}-{nanos}", std::process::id());
    let value = account.as_bytes();
    backend
        .set(&account, value)
        .map_err(|e| unavailable(format!("a test write failed: {}", e.reason())))?;
    let back = backend.get(&account);
    let _ = backend.delete(&account);
    match back {
        Ok(Some(v)) if v == value => Ok(KeyringStore {
            backend: Box::new(backend),
            vendor,
        }),
        Ok(_) => Err(unavailable("a test write could not be read back")),
        Err(e) => Err(unavailable(format!("a test read failed: {}", e.reason()))),
    }
}

#[cfg(test)]
mod tests;
