//! The clients oauthctl registered dynamically (RFC 7591), one per authorization server
//! (README: "Resource-first login"), so that the next login there reuses the client instead
//! of registering another one.
//!
//! Two parts, as with tokens: `state_dir/registrations.json` holds what is not secret (per
//! issuer: the client id, the redirect URI it registered, which store holds the rest and
//! under which key), written like the index (0600, atomically, read-modify-write under
//! `locks/registrations.lock`, never through a symlink); the registration itself (client
//! secret, registration access token) is a record in the token store the login used, under
//! a key derived from the issuer. A missing or corrupt part reads as no registration: the
//! next login registers anew.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::fsutil::{self, Exposure, ReadOutcome};
use super::lock::Locks;
use super::select::{self, DeleteReport};
use super::{StoreChoice, StoreError, StoreKind, TokenStore};
use crate::oauth::secret::{ClientSecret, RegistrationAccessToken};
use crate::oauth::tokens::{CacheKey, hex};
use crate::paths::Paths;

/// The format version of the file and of the records.
const VERSION: u32 = 1;
/// A larger file is not one oauthctl wrote.
const MAX_LEN: u64 = 1 << 20;

/// A registration as kept: what the server answered, the redirect URI registered, and the
/// client authentication chosen for it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct StoredRegistration {
    pub issuer: String,
    pub client_id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_secret: Option<ClientSecret>,
    /// When the secret expires (Unix seconds; 0 or absent: never).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_secret_expires_at: Option<i64>,
    /// The token endpoint authentication method, by its registered name.
    pub auth_method: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub registration_access_token: Option<RegistrationAccessToken>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub registration_client_uri: Option<String>,
    /// The loopback redirect URI registered (with its port: a later login listens there).
    pub redirect_uri: String,
    /// When it was registered, Unix seconds.
    pub registered_at: i64,
}

impl StoredRegistration {
    /// Whether its secret has expired at `now` (RFC 7591 §3.2.1: 0 is never): such a
    /// client is registered anew.
    pub(crate) fn secret_expired(&self, now: i64) -> bool {
        self.client_secret.is_some()
            && self
                .client_secret_expires_at
                .is_some_and(|at| at != 0 && at <= now)
    }
}

/// One server's entry in the file (nothing secret).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct Entry {
    pub client_id: String,
    pub redirect_uri: String,
    /// Which store holds the record.
    pub store: StoreKind,
    /// The record's key there.
    pub key: CacheKey,
    pub registered_at: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
struct File {
    version: u32,
    /// Issuer → its registration.
    #[serde(default)]
    servers: BTreeMap<String, Entry>,
}

impl Default for File {
    fn default() -> Self {
        Self {
            version: VERSION,
            servers: BTreeMap::new(),
        }
    }
}

#[derive(Serialize, Deserialize)]
struct Record {
    version: u32,
    #[serde(flatten)]
    registration: StoredRegistration,
}

/// The key of `issuer`'s record in the token store: a SHA-256 that no token set's key can
/// be (a domain of its own).
pub(crate) fn record_key(issuer: &str) -> CacheKey {
    let mut ctx = aws_lc_rs::digest::Context::new(&aws_lc_rs::digest::SHA256);
    ctx.update(b"oauthctl-registration-v1");
    ctx.update(&(issuer.len() as u64).to_be_bytes());
    ctx.update(issuer.as_bytes());
    let digest = ctx.finish();
    // Always 64 lowercase hex characters.
    CacheKey::parse(&hex(digest.as_ref())).unwrap_or_else(|| unreachable!("a SHA-256 in hex"))
}

/// The registrations of one home.
#[derive(Debug, Clone)]
pub(crate) struct Registrations {
    path: PathBuf,
    locks: Locks,
    paths: Paths,
}

impl Registrations {
    /// The registrations of `paths`' state directory.
    pub(crate) fn for_paths(paths: &Paths) -> Self {
        Self {
            path: paths.state_dir.join("registrations.json"),
            locks: Locks::for_paths(paths),
            paths: paths.clone(),
        }
    }

    fn dir(&self) -> PathBuf {
        self.path
            .parent()
            .map_or_else(|| PathBuf::from("."), Path::to_path_buf)
    }

    fn load(&self) -> Result<File, StoreError> {
        if !fsutil::check_dir_if_exists(&self.dir(), Exposure::Trusted)? {
            return Ok(File::default());
        }
        match fsutil::read_private(&self.path, Exposure::Trusted, MAX_LEN)? {
            ReadOutcome::Data(bytes) => Ok(serde_json::from_slice::<File>(&bytes)
                .ok()
                .filter(|f| f.version == VERSION)
                .unwrap_or_default()),
            ReadOutcome::Missing | ReadOutcome::TooLarge(_) => Ok(File::default()),
        }
    }

    fn update<T>(&self, change: impl FnOnce(&mut File) -> T) -> Result<T, StoreError> {
        let dir = self.dir();
        fsutil::ensure_dir(&dir, Exposure::Trusted)?;
        let _guard = self.locks.acquire_named("registrations")?;
        let mut file = self.load()?;
        let out = change(&mut file);
        file.version = VERSION;
        let json = serde_json::to_vec_pretty(&file).unwrap_or_default();
        fsutil::write_private_atomic(&dir, &self.path, &json)?;
        Ok(out)
    }

    /// The entry of `issuer`, if any.
    pub(crate) fn entry(&self, issuer: &str) -> Result<Option<Entry>, StoreError> {
        Ok(self.load()?.servers.remove(issuer))
    }

    /// Every entry, by issuer.
    pub(crate) fn entries(&self) -> Result<BTreeMap<String, Entry>, StoreError> {
        Ok(self.load()?.servers)
    }

    /// The registration at `issuer`, with its secrets from the token store: `None` when
    /// there is none, or when its record is gone or does not match the entry.
    pub(crate) fn recall(&self, issuer: &str) -> Result<Option<StoredRegistration>, StoreError> {
        let Some(entry) = self.entry(issuer)? else {
            return Ok(None);
        };
        let store = select::open_kind(entry.store, &self.paths)?;
        let Some(bytes) = store.load_record(&entry.key)? else {
            return Ok(None);
        };
        Ok(serde_json::from_slice::<Record>(&bytes)
            .ok()
            .filter(|r| r.version == VERSION)
            .map(|r| r.registration)
            .filter(|r| r.issuer == issuer && r.client_id == entry.client_id))
    }

    /// Keeps `registration` in `store` and lists it, replacing an earlier one at the same
    /// server.
    pub(crate) fn remember(
        &self,
        store: &dyn TokenStore,
        registration: &StoredRegistration,
    ) -> Result<(), StoreError> {
        let key = record_key(&registration.issuer);
        let record = Record {
            version: VERSION,
            registration: registration.clone(),
        };
        let bytes = serde_json::to_vec(&record).unwrap_or_default();
        store.save_record(&key, &bytes)?;
        let entry = Entry {
            client_id: registration.client_id.clone(),
            redirect_uri: registration.redirect_uri.clone(),
            store: store.kind(),
            key,
            registered_at: registration.registered_at,
        };
        let previous = self.update(|f| f.servers.insert(registration.issuer.clone(), entry))?;
        // A record left in the other store by an earlier registration goes.
        if let Some(old) = previous
            && old.store != store.kind()
            && let Ok(other) = select::open_kind(old.store, &self.paths)
        {
            let _ = other.delete(&old.key);
        }
        Ok(())
    }

    /// Forgets the registration at `issuer`: its record is deleted from every store, its
    /// entry from the file. Returns the forgotten registration (to deregister it) and the
    /// store's warnings.
    pub(crate) fn forget(
        &self,
        issuer: &str,
        choice: StoreChoice,
    ) -> Result<(Option<StoredRegistration>, DeleteReport), StoreError> {
        let recalled = self.recall(issuer).ok().flatten();
        let entry = self.update(|f| f.servers.remove(issuer))?;
        let key = entry
            .as_ref()
            .map_or_else(|| record_key(issuer), |e| e.key.clone());
        // A record the file places in the keyring is deleted there even under `file`.
        let choice = match entry {
            Some(Entry {
                store: StoreKind::Keyring,
                ..
            }) if choice == StoreChoice::File => StoreChoice::Auto,
            _ => choice,
        };
        let report = select::delete_everywhere(&key, &self.paths, choice)?;
        Ok((recalled, report))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::file::FileStore;

    fn registration(issuer: &str) -> StoredRegistration {
        StoredRegistration {
            issuer: issuer.to_owned(),
            client_id: "dyn-1".into(),
            client_secret: Some(ClientSecret::new("s3cret-REG")),
            client_secret_expires_at: Some(0),
            auth_method: "client_secret_basic".into(),
            registration_access_token: Some(RegistrationAccessToken::new("rat-REG")),
            registration_client_uri: Some(format!("{issuer}/register/dyn-1")),
            redirect_uri: "http://127.0.0.1:4567/callback".into(),
            registered_at: 10,
        }
    }

    #[test]
    fn a_registration_round_trips_with_its_secrets_in_the_token_store_only() {
        let home = tempfile::tempdir().unwrap();
        let paths = Paths::resolve(Some(home.path().to_path_buf()), None, None, None);
        let regs = Registrations::for_paths(&paths);
        let store = FileStore::new(paths.tokens_dir());
        assert_eq!(regs.recall("http://127.0.0.1:1").unwrap(), None);
        let reg = registration("http://127.0.0.1:1");
        regs.remember(&store, &reg).unwrap();
        assert_eq!(
            regs.recall("http://127.0.0.1:1").unwrap(),
            Some(reg.clone())
        );
        assert_eq!(regs.recall("http://127.0.0.1:2").unwrap(), None);
        // The file names the client, never a secret; the record is a private token file.
        let listed = std::fs::read_to_string(home.path().join("registrations.json")).unwrap();
        assert!(
            listed.contains("dyn-1") && !listed.contains("-REG"),
            "{listed}"
        );
        let record = store.path_for(&record_key("http://127.0.0.1:1"));
        let kept = std::fs::read_to_string(&record).unwrap();
        assert!(kept.contains("s3cret-REG") && kept.contains("rat-REG"));
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt as _;
            let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
            assert_eq!(mode(&record), 0o600);
            assert_eq!(mode(&home.path().join("registrations.json")), 0o600);
        }
        assert!(!format!("{reg:?}").contains("-REG"));
        assert!(!reg.secret_expired(i64::MAX));
        let expiring = StoredRegistration {
            client_secret_expires_at: Some(100),
            ..reg.clone()
        };
        assert!(expiring.secret_expired(100) && !expiring.secret_expired(99));
        // A record that does not match its entry is no registration.
        let mut other = registration("http://127.0.0.1:1");
        other.client_id = "dyn-2".into();
        store
            .save_record(
                &record_key("http://127.0.0.1:1"),
                &serde_json::to_vec(&Record {
                    version: VERSION,
                    registration: other,
                })
                .unwrap(),
            )
            .unwrap();
        assert_eq!(regs.recall("http://127.0.0.1:1").unwrap(), None);
        // Forgetting deletes both parts.
        regs.remember(&store, &reg).unwrap();
        let (forgotten, _) = regs
            .forget("http://127.0.0.1:1", StoreChoice::File)
            .unwrap();
        assert_eq!(forgotten, Some(reg));
        assert!(!record.exists());
        assert!(regs.entries().unwrap().is_empty());
    }

    #[test]
    fn record_keys_are_per_issuer_and_valid_cache_keys() {
        let a = record_key("https://as.example");
        assert_eq!(a, record_key("https://as.example"));
        assert_ne!(a, record_key("https://as.example/"));
        assert_eq!(a.as_str().len(), 64);
    }

    #[test]
    fn a_corrupt_file_reads_as_no_registrations() {
        let home = tempfile::tempdir().unwrap();
        let paths = Paths::resolve(Some(home.path().to_path_buf()), None, None, None);
        let regs = Registrations::for_paths(&paths);
        std::fs::write(home.path().join("registrations.json"), "{nope").unwrap();
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt as _;
            std::fs::set_permissions(
                home.path().join("registrations.json"),
                std::fs::Permissions::from_mode(0o600),
            )
            .unwrap();
        }
        assert!(regs.entries().unwrap().is_empty());
        assert_eq!(regs.recall("https://as.example").unwrap(), None);
    }
}
