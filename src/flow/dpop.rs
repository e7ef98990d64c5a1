//! DPoP at run time (RFC 9449): a login's proof key, the proofs of its requests, and the
//! nonces servers hand out: kept per origin in memory and in the state file
//! (`store::dpop`), taken from every response that carries a `DPoP-Nonce` header (a 200
//! too), and put in the next proof to that origin.
//!
//! The retries themselves belong to the requests: `flow::client` repeats a token, PAR,
//! introspection or revocation request once after `use_dpop_nonce` (with a new proof and,
//! for the JWT client authentication methods, a new assertion); resource requests repeat
//! once after a `401` with `WWW-Authenticate: DPoP error="use_dpop_nonce"`.

use std::fmt;
use std::sync::{Arc, Mutex, PoisonError};

use reqwest::header::{HeaderMap, HeaderValue};
use url::Url;

// Proofs and assertions carry the wall clock, never an injected one: the server compares
// their `iat` with its own.
use crate::clock::{Clock as _, SystemClock};
use crate::error::{Error, Result};
use crate::oauth::dpop::{self, ProofKey};
use crate::oauth::jose::{SigningAlg, SigningKey};
use crate::oauth::secret::AccessToken;
use crate::paths::Paths;
use crate::store::StoreError;
use crate::store::dpop::{DpopState, DpopStateFile};

/// The origin a nonce belongs to: `scheme://host:port`.
fn origin(url: &Url) -> String {
    url.origin().ascii_serialization()
}

/// The nonces servers handed out, per origin, and the clients known to need DPoP: in
/// memory, backed by the state file when there is one (loaded on first use).
pub struct Nonces {
    file: Option<DpopStateFile>,
    state: Mutex<Option<DpopState>>,
}

impl fmt::Debug for Nonces {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Nonces")
            .field("persistent", &self.file.is_some())
            .finish_non_exhaustive()
    }
}

impl Nonces {
    /// Nonces kept in `paths`' state directory too.
    pub fn persistent(paths: &Paths) -> Self {
        Self {
            file: Some(DpopStateFile::for_paths(paths)),
            state: Mutex::new(None),
        }
    }

    /// Nonces kept in memory only (tests, one-off requests).
    pub fn in_memory() -> Self {
        Self {
            file: None,
            state: Mutex::new(None),
        }
    }

    fn with<T>(&self, f: impl FnOnce(&mut DpopState) -> T) -> T {
        let mut guard = self.state.lock().unwrap_or_else(PoisonError::into_inner);
        let state = guard.get_or_insert_with(|| {
            self.file
                .as_ref()
                .and_then(|file| file.load(SystemClock.now()).ok())
                .unwrap_or_default()
        });
        f(state)
    }

    /// The latest nonce of `url`'s origin, if one is known.
    pub fn get(&self, url: &Url) -> Option<String> {
        let now = SystemClock.now();
        self.with(|s| s.nonce(&origin(url), now).map(str::to_owned))
    }

    /// Takes the `DPoP-Nonce` of a response from `url`, whatever its status (a server may
    /// hand out its next nonce with a 200, RFC 9449 §8.2). A new nonce is written to the
    /// state file too; failing to write it only costs a retry later, so it is not an error.
    pub fn observe(&self, url: &Url, headers: &HeaderMap) {
        let values = headers
            .get_all(dpop::NONCE_HEADER)
            .iter()
            .filter_map(|v| v.to_str().ok());
        let Some(nonce) = dpop::nonce_from(values) else {
            return;
        };
        let origin = origin(url);
        let now = SystemClock.now();
        let changed = self.with(|s| s.set_nonce(&origin, &nonce, now));
        if changed && let Some(file) = &self.file {
            let _ = file.update(now, |s| s.set_nonce(&origin, &nonce, now));
        }
    }

    /// Whether `client_id` at `issuer` turned out to need DPoP.
    pub fn is_required(&self, issuer: &str, client_id: &str) -> bool {
        self.with(|s| s.is_required(issuer, client_id))
    }

    /// Remembers that `client_id` at `issuer` needs DPoP, so that its next login binds its
    /// code from the start.
    pub fn set_required(&self, issuer: &str, client_id: &str) -> Result<(), StoreError> {
        let now = SystemClock.now();
        let changed = self.with(|s| s.set_required(issuer, client_id));
        if changed && let Some(file) = &self.file {
            file.update(now, |s| s.set_required(issuer, client_id))?;
        }
        Ok(())
    }
}

/// A login's proof key with the nonces to put in its proofs. `Debug` shows the key's
/// thumbprint only.
#[derive(Clone)]
pub struct Dpop {
    key: Arc<SigningKey>,
    stored: ProofKey,
    nonces: Arc<Nonces>,
}

impl fmt::Debug for Dpop {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Dpop")
            .field("alg", &self.key.alg())
            .field("jkt", &self.key.thumbprint())
            .finish_non_exhaustive()
    }
}

/// A proof and the nonce it carries.
#[derive(Debug)]
pub struct Proof {
    /// The `DPoP` header value.
    pub header: HeaderValue,
    /// The nonce put in it, if any.
    pub nonce: Option<String>,
}

impl Dpop {
    /// A new key for `alg` (see `oauth::dpop::key_alg`).
    pub fn generate(alg: SigningAlg, nonces: Arc<Nonces>) -> Result<Self> {
        let (stored, key) = ProofKey::generate(alg)
            .map_err(|e| Error::Other(format!("cannot make a DPoP key: {e}")))?;
        Ok(Self {
            key: Arc::new(key),
            stored,
            nonces,
        })
    }

    /// The key a token set was stored with.
    pub fn from_stored(stored: &ProofKey, nonces: Arc<Nonces>) -> Result<Self> {
        let key = stored.signing_key().map_err(|e| Error::LoginRequired {
            message: format!("{e}, so its DPoP-bound tokens cannot be used"),
            hint: "run `oauthctl login` again".to_owned(),
        })?;
        Ok(Self {
            key: Arc::new(key),
            stored: stored.clone(),
            nonces,
        })
    }

    /// The key as the token store keeps it.
    pub fn stored(&self) -> &ProofKey {
        &self.stored
    }

    /// The key's RFC 7638 thumbprint (`jkt`, `dpop_jkt`).
    pub fn thumbprint(&self) -> &str {
        self.key.thumbprint()
    }

    /// The nonces.
    pub fn nonces(&self) -> &Arc<Nonces> {
        &self.nonces
    }

    /// A proof for a `method` request to `url`, with the origin's latest nonce and, for a
    /// request that carries `token`, its `ath`.
    pub fn proof(&self, method: &str, url: &Url, token: Option<&AccessToken>) -> Result<Proof> {
        let nonce = self.nonces.get(url);
        let jwt = dpop::proof(
            &self.key,
            method,
            url,
            SystemClock.now(),
            nonce.as_deref(),
            token,
        )
        .map_err(|e| Error::Other(format!("cannot sign a DPoP proof: {e}")))?;
        let mut header = HeaderValue::from_str(&jwt)
            .map_err(|_| Error::Other("a DPoP proof is not a header value".to_owned()))?;
        header.set_sensitive(true);
        Ok(Proof { header, nonce })
    }

    /// Takes the nonce of a response from `url`.
    pub fn observe(&self, url: &Url, headers: &HeaderMap) {
        self.nonces.observe(url, headers);
    }

    /// Whether a retry after `use_dpop_nonce` can do better than the request that was
    /// refused: the server has handed out a nonce other than the one that proof carried.
    pub fn has_new_nonce(&self, url: &Url, used: Option<&str>) -> bool {
        self.nonces
            .get(url)
            .is_some_and(|n| Some(n.as_str()) != used)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(nonce: &str) -> HeaderMap {
        let mut h = HeaderMap::new();
        h.insert("dpop-nonce", HeaderValue::from_str(nonce).unwrap());
        h
    }

    #[test]
    fn nonces_are_kept_per_origin_across_processes() {
        let home = tempfile::tempdir().unwrap();
        let paths = Paths::resolve(Some(home.path().to_path_buf()), None, None, None);
        let as_url = Url::parse("http://127.0.0.1:9400/token").unwrap();
        let userinfo = Url::parse("http://127.0.0.1:9400/userinfo").unwrap();
        let rs = Url::parse("http://127.0.0.1:9500/api/data").unwrap();
        let one = Nonces::persistent(&paths);
        assert_eq!(one.get(&as_url), None);
        one.observe(&as_url, &headers("as-1"));
        one.observe(&rs, &headers("rs-1"));
        // One nonce for every endpoint of an origin; another origin has its own.
        assert_eq!(one.get(&userinfo).as_deref(), Some("as-1"));
        assert_eq!(one.get(&rs).as_deref(), Some("rs-1"));
        // The next process starts with them.
        let two = Nonces::persistent(&paths);
        assert_eq!(two.get(&as_url).as_deref(), Some("as-1"));
        two.observe(&as_url, &headers("as-2"));
        assert_eq!(
            Nonces::persistent(&paths).get(&as_url).as_deref(),
            Some("as-2")
        );
        // Junk is ignored, and no header changes nothing.
        two.observe(&as_url, &headers("has space"));
        two.observe(&as_url, &HeaderMap::new());
        assert_eq!(two.get(&as_url).as_deref(), Some("as-2"));
    }

    #[test]
    fn proofs_carry_the_latest_nonce_and_retries_need_a_new_one() {
        let nonces = Arc::new(Nonces::in_memory());
        let dpop = Dpop::generate(SigningAlg::Es256, nonces).unwrap();
        let url = Url::parse("https://as.example/token").unwrap();
        let first = dpop.proof("POST", &url, None).unwrap();
        assert_eq!(first.nonce, None);
        assert!(first.header.is_sensitive());
        assert!(!dpop.has_new_nonce(&url, None), "no nonce handed out yet");
        dpop.observe(&url, &headers("n-1"));
        assert!(dpop.has_new_nonce(&url, None));
        let second = dpop.proof("POST", &url, None).unwrap();
        assert_eq!(second.nonce.as_deref(), Some("n-1"));
        assert!(
            !dpop.has_new_nonce(&url, Some("n-1")),
            "the same nonce again"
        );
        let shown = format!("{dpop:?}");
        assert!(
            shown.contains(dpop.thumbprint()) && !shown.contains("PRIVATE"),
            "{shown}"
        );
    }

    #[test]
    fn a_stored_key_is_the_same_key() {
        let nonces = Arc::new(Nonces::in_memory());
        let dpop = Dpop::generate(SigningAlg::EdDsa, Arc::clone(&nonces)).unwrap();
        let again = Dpop::from_stored(dpop.stored(), nonces).unwrap();
        assert_eq!(again.thumbprint(), dpop.thumbprint());
        let broken = ProofKey {
            alg: "ES256".into(),
            key: crate::oauth::secret::PrivateKeyPem::new("x"),
        };
        let e = Dpop::from_stored(&broken, Arc::new(Nonces::in_memory())).unwrap_err();
        assert_eq!(e.exit_code(), 3);
    }

    #[test]
    fn clients_that_need_dpop_are_remembered() {
        let home = tempfile::tempdir().unwrap();
        let paths = Paths::resolve(Some(home.path().to_path_buf()), None, None, None);
        Nonces::persistent(&paths)
            .set_required("https://as.example", "cli")
            .unwrap();
        let later = Nonces::persistent(&paths);
        assert!(later.is_required("https://as.example", "cli"));
        assert!(!later.is_required("https://as.example", "other"));
    }
}
