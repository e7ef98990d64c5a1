//! The DPoP state file, `state_dir/dpop.json`: the latest nonce each server (origin) handed
//! out (RFC 9449 §8, §9), so that scripts calling `token` or `call` in a loop put it in their
//! first proof instead of paying a refused request every time, and the clients that turned
//! out to need DPoP (README, "DPoP": the next login binds from the start).
//!
//! Nothing in it is secret (a nonce is a public challenge value): it is written like the
//! index (0600, atomically, read-modify-write under `locks/dpop.lock`, never through a
//! symlink) and bounded: at most [`MAX_NONCES`] servers, nonces older than [`MAX_AGE`] are
//! dropped, at most [`MAX_REQUIRED`] clients. A missing, corrupt or too-large file reads as
//! empty; it only costs the requests it was meant to save.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::StoreError;
use super::fsutil::{self, Exposure, ReadOutcome};
use super::lock::Locks;
use crate::oauth::dpop::valid_nonce;

/// The file format version.
const VERSION: u32 = 1;
/// The most servers whose nonce is kept (the oldest are dropped first).
pub(crate) const MAX_NONCES: usize = 64;
/// How long a nonce is kept, in seconds. Servers rotate theirs within minutes; an older one
/// would only be refused.
pub(crate) const MAX_AGE: i64 = 3600;
/// The most clients remembered as needing DPoP.
pub(crate) const MAX_REQUIRED: usize = 64;
/// A larger file is not one oauthctl wrote.
const MAX_LEN: u64 = 256 * 1024;

/// A server's latest nonce.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct SeenNonce {
    pub nonce: String,
    /// When it was received, Unix seconds.
    pub seen_at: i64,
}

/// A client that needs DPoP at an authorization server.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct RequiredBy {
    pub issuer: String,
    pub client_id: String,
}

/// The file's contents.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct DpopState {
    version: u32,
    /// Origin (`https://as.example:8443`) → its latest nonce.
    #[serde(default)]
    pub nonces: BTreeMap<String, SeenNonce>,
    #[serde(default)]
    pub required: Vec<RequiredBy>,
}

impl Default for DpopState {
    fn default() -> Self {
        Self {
            version: VERSION,
            nonces: BTreeMap::new(),
            required: Vec::new(),
        }
    }
}

impl DpopState {
    /// The nonce of `origin`, unless it is older than [`MAX_AGE`] at `now`.
    pub(crate) fn nonce(&self, origin: &str, now: i64) -> Option<&str> {
        self.nonces
            .get(origin)
            .filter(|n| now.saturating_sub(n.seen_at) <= MAX_AGE)
            .map(|n| n.nonce.as_str())
    }

    /// Records `nonce` for `origin`; `false` when nothing changed (the same nonce), so that
    /// an unchanged nonce costs no write.
    pub(crate) fn set_nonce(&mut self, origin: &str, nonce: &str, now: i64) -> bool {
        if !valid_nonce(nonce) {
            return false;
        }
        if self.nonces.get(origin).is_some_and(|n| n.nonce == nonce) {
            return false;
        }
        self.nonces.insert(
            origin.to_owned(),
            SeenNonce {
                nonce: nonce.to_owned(),
                seen_at: now,
            },
        );
        self.prune(now);
        true
    }

    /// Whether `client_id` at `issuer` is known to need DPoP.
    pub(crate) fn is_required(&self, issuer: &str, client_id: &str) -> bool {
        self.required
            .iter()
            .any(|r| r.issuer == issuer && r.client_id == client_id)
    }

    /// Remembers that `client_id` at `issuer` needs DPoP; `false` when it was known.
    pub(crate) fn set_required(&mut self, issuer: &str, client_id: &str) -> bool {
        if self.is_required(issuer, client_id) {
            return false;
        }
        self.required.push(RequiredBy {
            issuer: issuer.to_owned(),
            client_id: client_id.to_owned(),
        });
        if self.required.len() > MAX_REQUIRED {
            let excess = self.required.len() - MAX_REQUIRED;
            self.required.drain(..excess);
        }
        true
    }

    /// Drops old and invalid nonces, then the oldest beyond [`MAX_NONCES`].
    fn prune(&mut self, now: i64) {
        self.nonces
            .retain(|_, n| valid_nonce(&n.nonce) && now.saturating_sub(n.seen_at) <= MAX_AGE);
        while self.nonces.len() > MAX_NONCES {
            let oldest = self
                .nonces
                .iter()
                .min_by_key(|(_, n)| n.seen_at)
                .map(|(k, _)| k.clone());
            match oldest {
                Some(k) => {
                    self.nonces.remove(&k);
                }
                None => break,
            }
        }
        if self.required.len() > MAX_REQUIRED {
            let excess = self.required.len() - MAX_REQUIRED;
            self.required.drain(..excess);
        }
    }
}

/// The state file and its lock.
#[derive(Debug, Clone)]
pub(crate) struct DpopStateFile {
    path: PathBuf,
    locks: Locks,
}

impl DpopStateFile {
    /// The file at `state_dir/dpop.json`.
    pub(crate) fn for_paths(paths: &crate::paths::Paths) -> Self {
        Self::new(paths.state_dir.join("dpop.json"), Locks::for_paths(paths))
    }

    /// A file at `path`, updated under `locks`.
    pub(crate) fn new(path: impl Into<PathBuf>, locks: Locks) -> Self {
        Self {
            path: path.into(),
            locks,
        }
    }

    fn dir(&self) -> PathBuf {
        self.path
            .parent()
            .map_or_else(|| PathBuf::from("."), Path::to_path_buf)
    }

    /// Reads the file, pruned at `now`. Missing, corrupt, too large or of another version:
    /// empty. A file others could write is an error, as for the index.
    pub(crate) fn load(&self, now: i64) -> Result<DpopState, StoreError> {
        if !fsutil::check_dir_if_exists(&self.dir(), Exposure::Trusted)? {
            return Ok(DpopState::default());
        }
        let mut state = match fsutil::read_private(&self.path, Exposure::Trusted, MAX_LEN)? {
            ReadOutcome::Data(bytes) => serde_json::from_slice::<DpopState>(&bytes)
                .ok()
                .filter(|s| s.version == VERSION)
                .unwrap_or_default(),
            ReadOutcome::Missing | ReadOutcome::TooLarge(_) => DpopState::default(),
        };
        state.prune(now);
        Ok(state)
    }

    /// Read-modify-write under the file's lock; written only when `change` says it changed
    /// something. Returns the state after the change.
    pub(crate) fn update(
        &self,
        now: i64,
        change: impl FnOnce(&mut DpopState) -> bool,
    ) -> Result<DpopState, StoreError> {
        let dir = self.dir();
        fsutil::ensure_dir(&dir, Exposure::Trusted)?;
        let _guard = self.locks.acquire_named("dpop")?;
        let mut state = self.load(now)?;
        if change(&mut state) {
            state.version = VERSION;
            let json = serde_json::to_vec_pretty(&state).unwrap_or_default();
            fsutil::write_private_atomic(&dir, &self.path, &json)?;
        }
        Ok(state)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file_in(dir: &Path) -> DpopStateFile {
        DpopStateFile::new(dir.join("dpop.json"), Locks::new(dir.join("locks")))
    }

    #[test]
    fn nonces_round_trip_per_origin_and_age_out() {
        let home = tempfile::tempdir().unwrap();
        let f = file_in(home.path());
        assert_eq!(f.load(0).unwrap(), DpopState::default());
        f.update(100, |s| s.set_nonce("http://127.0.0.1:9400", "n-1", 100))
            .unwrap();
        f.update(100, |s| s.set_nonce("https://rs.example", "r-1", 100))
            .unwrap();
        let s = f.load(200).unwrap();
        assert_eq!(s.nonce("http://127.0.0.1:9400", 200), Some("n-1"));
        assert_eq!(s.nonce("https://rs.example", 200), Some("r-1"));
        assert_eq!(s.nonce("https://other.example", 200), None);
        // A newer one replaces it; the same one again is no change (no write).
        let mut s = s;
        assert!(s.set_nonce("https://rs.example", "r-2", 300));
        assert!(!s.set_nonce("https://rs.example", "r-2", 301));
        // Too old: forgotten.
        assert_eq!(s.nonce("http://127.0.0.1:9400", 100 + MAX_AGE + 1), None);
        let later = f.load(100 + MAX_AGE + 1).unwrap();
        assert!(later.nonces.is_empty(), "{later:?}");
        // Not secret, but private like the index; never JSON others could have planted.
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt as _;
            let mode = std::fs::metadata(home.path().join("dpop.json"))
                .unwrap()
                .permissions()
                .mode();
            assert_eq!(mode & 0o077, 0, "{mode:o}");
        }
    }

    #[test]
    fn what_a_server_sends_is_checked_and_bounded() {
        let mut s = DpopState::default();
        assert!(!s.set_nonce("https://a.example", "has space", 1));
        assert!(!s.set_nonce("https://a.example", "", 1));
        assert!(s.nonces.is_empty());
        for i in 0..(MAX_NONCES + 10) {
            let i = i64::try_from(i).unwrap();
            s.set_nonce(&format!("https://s{i}.example"), "n", 1000 + i);
        }
        assert_eq!(s.nonces.len(), MAX_NONCES);
        assert!(
            !s.nonces.contains_key("https://s0.example"),
            "oldest dropped"
        );
        assert!(
            s.nonces
                .contains_key(&format!("https://s{}.example", MAX_NONCES + 9))
        );
    }

    #[test]
    fn clients_that_need_dpop_are_remembered() {
        let home = tempfile::tempdir().unwrap();
        let f = file_in(home.path());
        f.update(1, |s| s.set_required("https://as.example", "cli"))
            .unwrap();
        let s = f.load(1).unwrap();
        assert!(s.is_required("https://as.example", "cli"));
        assert!(!s.is_required("https://as.example", "other"));
        assert!(!s.is_required("https://as2.example", "cli"));
        let mut s = s;
        assert!(!s.set_required("https://as.example", "cli"));
        for i in 0..MAX_REQUIRED + 3 {
            s.set_required("https://as.example", &format!("c{i}"));
        }
        assert_eq!(s.required.len(), MAX_REQUIRED);
    }

    #[test]
    fn a_corrupt_file_reads_as_empty_and_is_rewritten() {
        let home = tempfile::tempdir().unwrap();
        let f = file_in(home.path());
        f.update(1, |s| s.set_nonce("https://a.example", "n", 1))
            .unwrap();
        std::fs::write(home.path().join("dpop.json"), b"{not json").unwrap();
        assert_eq!(f.load(1).unwrap(), DpopState::default());
        std::fs::write(
            home.path().join("dpop.json"),
            br#"{"version":9,"nonces":{}}"#,
        )
        .unwrap();
        assert_eq!(f.load(1).unwrap(), DpopState::default());
        let s = f
            .update(2, |s| s.set_nonce("https://a.example", "m", 2))
            .unwrap();
        assert_eq!(s.nonce("https://a.example", 2), Some("m"));
        assert_eq!(f.load(2).unwrap().nonce("https://a.example", 2), Some("m"));
    }
}
