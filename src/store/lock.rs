//! The cross-process refresh lock and the refresh protocol (design.md §5, security C26,
//! C27, C28, F14).
//!
//! One lock file per cache key under `state_dir/locks/`, held with `File::lock` (an OS
//! advisory lock: released on drop and when the process dies, so a crash never leaves a
//! stale lock). [`refresh_if_needed`] takes the lock, re-reads the cache, refreshes only if
//! still needed, keeps the old refresh token when the response has none, and on
//! `invalid_grant` clears the refresh token only if the cache still holds that same one.

use std::fs::File;
use std::path::{Path, PathBuf};
use std::time::Duration;

use super::fsutil;
use super::{StoreError, TokenStore};
use crate::error::Error;
use crate::oauth::secret::AccessToken;
use crate::oauth::tokens::{CacheKey, TokenSet};

/// How long to wait for another process's refresh by default.
pub const DEFAULT_LOCK_TIMEOUT: Duration = Duration::from_secs(30);

/// Where the lock files live, and how long to wait for one.
#[derive(Debug, Clone)]
pub struct Locks {
    dir: PathBuf,
    timeout: Duration,
}

impl Locks {
    /// Locks in `dir` (normally `state_dir/locks`) with [`DEFAULT_LOCK_TIMEOUT`].
    pub fn new(dir: impl Into<PathBuf>) -> Self {
        Self {
            dir: dir.into(),
            timeout: DEFAULT_LOCK_TIMEOUT,
        }
    }

    /// Locks under `paths.state_dir/locks`.
    pub fn for_paths(paths: &crate::config::paths::Paths) -> Self {
        Self::new(paths.state_dir.join("locks"))
    }

    /// The same locks with another wait limit.
    #[must_use]
    pub fn with_timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// The lock file for `name` (a cache key, or `index`).
    pub fn path_for(&self, name: &str) -> PathBuf {
        self.dir.join(format!("{name}.lock"))
    }

    /// Takes the lock for `key`, waiting up to the timeout.
    pub fn acquire(&self, key: &CacheKey) -> Result<LockGuard, StoreError> {
        self.acquire_named(key.as_str())
    }

    pub(crate) fn acquire_named(&self, name: &str) -> Result<LockGuard, StoreError> {
        fsutil::ensure_private_dir(&self.dir)?;
        let path = self.path_for(name);
        let file = fsutil::open_lock_file(&path)?;
        fsutil::wait_for_lock(&file, &path, self.timeout)?;
        Ok(LockGuard { _file: file, path })
    }
}

/// A held lock; dropping it releases the lock.
#[derive(Debug)]
pub struct LockGuard {
    _file: File,
    path: PathBuf,
}

impl LockGuard {
    /// The lock file.
    pub fn path(&self) -> &Path {
        &self.path
    }
}

/// How a refresh attempt failed, as the refresher reports it.
#[derive(Debug)]
pub enum RefreshError {
    /// The server answered `invalid_grant`: the refresh token is dead (used, revoked,
    /// expired). `description` is the server's `error_description`, if any.
    InvalidGrant { description: Option<String> },
    /// Anything else (network, other OAuth errors): the cache is left as it was.
    Failed(Error),
}

/// Why [`refresh_if_needed`] could not produce a usable token set.
#[derive(Debug, thiserror::Error)]
pub enum RefreshFlowError {
    /// Nothing is cached under the key.
    #[error("no cached tokens")]
    NoTokens,
    /// An entry is cached but unusable (corrupt, or holding a token with control
    /// characters); the store's one-line explanation.
    #[error("{0}")]
    Unusable(String),
    /// The access token needs renewing and there is no refresh token. `remaining` is the
    /// access token's remaining lifetime in seconds (`None`: no stated expiry).
    #[error("{}", no_refresh_token(*remaining, *renewal))]
    NoRefreshToken {
        remaining: Option<i64>,
        renewal: Renewal,
    },
    /// The server rejected the refresh token (`invalid_grant`); it has been dropped.
    #[error("the refresh token was rejected (invalid_grant){}", description.as_ref().map(|d| format!(": {d}")).unwrap_or_default())]
    RefreshTokenRejected { description: Option<String> },
    /// The token store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The refresh request failed for another reason.
    #[error(transparent)]
    Refresh(Error),
}

/// Why an access token was to be renewed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Renewal {
    /// It expires within the caller's margin (or has expired).
    Expiring,
    /// `oauthctl refresh` asked for it, whatever the expiry.
    Forced,
    /// A resource server rejected it.
    Rejected,
}

/// What is actually the case when there is no refresh token: an access token valid for
/// another hour has not "expired".
fn no_refresh_token(remaining: Option<i64>, renewal: Renewal) -> String {
    let left = |r: i64| crate::oauth::jwt::short_duration(r.unsigned_abs());
    match (renewal, remaining) {
        (Renewal::Rejected, _) => {
            "the API rejected the cached access token and there is no refresh token to renew it"
                .to_owned()
        }
        (_, Some(r)) if r <= 0 => {
            "the cached access token has expired and there is no refresh token".to_owned()
        }
        (Renewal::Expiring, Some(r)) => format!(
            "the cached access token expires in {} and there is no refresh token to renew it",
            left(r)
        ),
        (_, Some(r)) => format!(
            "there is no refresh token to refresh with; the cached access token is still valid \
             (it expires in {})",
            left(r)
        ),
        (_, None) => "there is no refresh token to refresh with; the cached access token \
                      states no expiry and is still usable"
            .to_owned(),
    }
}

impl From<RefreshFlowError> for Error {
    fn from(e: RefreshFlowError) -> Self {
        match e {
            RefreshFlowError::Store(s) => s.into(),
            RefreshFlowError::Refresh(inner) => inner,
            other => Error::LoginRequired {
                message: other.to_string(),
                hint: "run `oauthctl login` again".to_owned(),
            },
        }
    }
}

/// What [`refresh_if_needed`] did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RefreshOutcome {
    /// The usable token set (freshly refreshed or still valid).
    pub tokens: TokenSet,
    /// Whether this call sent a refresh request that succeeded.
    pub refreshed: bool,
    /// One-line warnings for the user (e.g. an ignored corrupt cache entry).
    pub warnings: Vec<String>,
}

/// Returns a token set valid for at least `min_ttl` after `now`, refreshing under the
/// per-key lock when needed. `refresh` receives the current set (with the refresh token
/// to use) and returns the token response as a set; a response without a refresh token
/// (or ID token) keeps the old one (C28). At most one refresh happens among any number of
/// concurrent callers that share the lock directory (C26).
pub fn refresh_if_needed<F>(
    store: &dyn TokenStore,
    locks: &Locks,
    key: &CacheKey,
    now: i64,
    min_ttl: Duration,
    refresh: F,
) -> Result<RefreshOutcome, RefreshFlowError>
where
    F: FnMut(&TokenSet) -> Result<TokenSet, RefreshError>,
{
    run(store, locks, key, &Need::Expiring { now, min_ttl }, refresh)
}

/// Refreshes now even if the access token is still valid (`oauthctl refresh`), with the
/// same locking, rotation and `invalid_grant` rules as [`refresh_if_needed`].
pub fn refresh_now<F>(
    store: &dyn TokenStore,
    locks: &Locks,
    key: &CacheKey,
    now: i64,
    refresh: F,
) -> Result<RefreshOutcome, RefreshFlowError>
where
    F: FnMut(&TokenSet) -> Result<TokenSet, RefreshError>,
{
    run(store, locks, key, &Need::Always { now }, refresh)
}

/// Refreshes because a resource server rejected the access token `rejected` (a `401` with
/// `error="invalid_token"`), unless the cache already holds another access token: a sibling
/// process that refreshed meanwhile has done the work, and its token is used instead. Same
/// locking, rotation and `invalid_grant` rules as [`refresh_if_needed`].
pub fn refresh_replacing<F>(
    store: &dyn TokenStore,
    locks: &Locks,
    key: &CacheKey,
    rejected: &AccessToken,
    refresh: F,
) -> Result<RefreshOutcome, RefreshFlowError>
where
    F: FnMut(&TokenSet) -> Result<TokenSet, RefreshError>,
{
    run(store, locks, key, &Need::Replacing(rejected), refresh)
}

/// When a cached set is good enough to skip the refresh.
enum Need<'a> {
    /// Valid for at least `min_ttl` after `now`.
    Expiring { now: i64, min_ttl: Duration },
    /// Never: refresh regardless (`now` only describes the token in errors).
    Always { now: i64 },
    /// Any access token but this rejected one.
    Replacing(&'a AccessToken),
}

impl Need<'_> {
    fn still_good(&self, t: &TokenSet) -> bool {
        match self {
            Self::Expiring { now, min_ttl } => !t.expires_within(*now, *min_ttl),
            Self::Always { .. } => false,
            Self::Replacing(rejected) => t.access_token != **rejected,
        }
    }
}

/// Why a load found no set: nothing cached, or (with the store's warning) an unusable entry.
fn absent(warning: Option<String>) -> RefreshFlowError {
    warning.map_or(RefreshFlowError::NoTokens, RefreshFlowError::Unusable)
}

fn run<F>(
    store: &dyn TokenStore,
    locks: &Locks,
    key: &CacheKey,
    need: &Need<'_>,
    mut refresh: F,
) -> Result<RefreshOutcome, RefreshFlowError>
where
    F: FnMut(&TokenSet) -> Result<TokenSet, RefreshError>,
{
    let mut warnings = Vec::new();
    let still_good = |t: &TokenSet| need.still_good(t);

    // Fast path without the lock: most calls find a valid token.
    let loaded = store.load_entry(key)?;
    let seen = match loaded.tokens {
        None => return Err(absent(loaded.warning)),
        Some(t) if still_good(&t) => {
            warnings.extend(loaded.warning);
            return Ok(RefreshOutcome {
                tokens: t,
                refreshed: false,
                warnings,
            });
        }
        Some(t) => {
            warnings.extend(loaded.warning);
            t.access_token
        }
    };

    let _guard = locks.acquire(key)?;
    // Re-read under the lock: a sibling may have refreshed while we waited (C26).
    let loaded = store.load_entry(key)?;
    let Some(mut current) = loaded.tokens else {
        return Err(absent(loaded.warning));
    };
    // A sibling's fresh token is as good as another refresh would give, even when the
    // server's lifetime is shorter than `min_ttl`: refreshing again would only cost a
    // request (and, with one refresh per waiting caller, a storm of them).
    let sibling_refreshed = matches!(need, Need::Expiring { now, .. }
        if current.access_token != seen && !current.is_expired(*now));
    if sibling_refreshed || still_good(&current) {
        return Ok(RefreshOutcome {
            tokens: current,
            refreshed: false,
            warnings,
        });
    }

    let mut retried = false;
    loop {
        // A grant that needs no user (client credentials) needs no refresh token: the
        // refresher runs it again.
        if current.renewal().is_none() {
            let (renewal, now) = match need {
                Need::Expiring { now, .. } => (Renewal::Expiring, Some(*now)),
                Need::Always { now } => (Renewal::Forced, Some(*now)),
                Need::Replacing(_) => (Renewal::Rejected, None),
            };
            return Err(RefreshFlowError::NoRefreshToken {
                remaining: now.and_then(|n| current.remaining(n)),
                renewal,
            });
        }
        let used = current.refresh_token.clone();
        match refresh(&current) {
            Ok(mut fresh) => {
                if fresh.refresh_token.is_none() {
                    fresh.refresh_token = used; // C28: no RT in the response keeps the old one
                }
                if fresh.id_token.is_none() {
                    fresh.id_token.clone_from(&current.id_token);
                }
                store.save(key, &fresh)?;
                return Ok(RefreshOutcome {
                    tokens: fresh,
                    refreshed: true,
                    warnings,
                });
            }
            Err(RefreshError::Failed(e)) => return Err(RefreshFlowError::Refresh(e)),
            Err(RefreshError::InvalidGrant { description }) => {
                // C27: someone outside the lock (a `login`) may have stored a newer RT.
                let latest = store.load(key)?;
                match latest {
                    Some(l) if l.refresh_token.is_some() && l.refresh_token != used => {
                        if retried {
                            return Err(RefreshFlowError::RefreshTokenRejected { description });
                        }
                        retried = true;
                        if still_good(&l) {
                            return Ok(RefreshOutcome {
                                tokens: l,
                                refreshed: false,
                                warnings,
                            });
                        }
                        current = l;
                    }
                    Some(mut l) if l.refresh_token == used => {
                        // Compare-and-clear: drop only the refresh token we know is dead.
                        l.refresh_token = None;
                        store.save(key, &l)?;
                        return Err(RefreshFlowError::RefreshTokenRejected { description });
                    }
                    _ => return Err(RefreshFlowError::RefreshTokenRejected { description }),
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::sync::{Arc, Barrier, Mutex};
    use std::time::Instant;

    use super::*;
    use crate::oauth::grant::Grant;
    use crate::oauth::secret::{IdToken, RefreshToken};
    use crate::oauth::token_type::TokenType;
    use crate::store::file::FileStore;
    use crate::store::memory::MemoryStore;

    const NOW: i64 = 1_000_000;

    fn set(at: &str, rt: Option<&str>, expires_at: i64) -> TokenSet {
        TokenSet {
            access_token: AccessToken::new(at),
            token_type: TokenType::Bearer,
            expires_at: Some(expires_at),
            refresh_token: rt.map(RefreshToken::new),
            id_token: Some(IdToken::new("idt-0")),
            scope: vec!["openid".into()],
            grant: Grant::AuthorizationCode,
            issuer: "https://i".into(),
            client_id: "c".into(),
            obtained_at: 0,
        }
    }

    fn key() -> CacheKey {
        CacheKey::new("https://i", "c", &["openid"], None, None)
    }

    /// A fake authorization server with single-use rotating refresh tokens.
    struct FakeAs {
        valid_rt: Mutex<String>,
        calls: AtomicUsize,
    }

    impl FakeAs {
        fn new(rt: &str) -> Self {
            Self {
                valid_rt: Mutex::new(rt.to_owned()),
                calls: AtomicUsize::new(0),
            }
        }

        fn refresh(&self, current: &TokenSet) -> Result<TokenSet, RefreshError> {
            let n = self.calls.fetch_add(1, Ordering::SeqCst) + 1;
            // A slow server widens the race window.
            std::thread::sleep(Duration::from_millis(30));
            let mut valid = self.valid_rt.lock().unwrap();
            let presented = current.refresh_token.as_ref().map(RefreshToken::expose);
            if presented != Some(valid.as_str()) {
                return Err(RefreshError::InvalidGrant { description: None });
            }
            let next = format!("rt-{n}");
            valid.clone_from(&next);
            let mut t = set(&format!("at-{n}"), Some(&next), NOW + 3600);
            t.id_token = None;
            Ok(t)
        }
    }

    #[test]
    fn n_parallel_callers_cause_exactly_one_refresh() {
        const N: usize = 16;
        let home = tempfile::tempdir().unwrap();
        let dir = home.path().join("tokens");
        FileStore::new(&dir)
            .save(&key(), &set("at-0", Some("rt-0"), NOW - 10))
            .unwrap();
        let locks = Locks::new(home.path().join("locks"));
        let server = Arc::new(FakeAs::new("rt-0"));
        let barrier = Arc::new(Barrier::new(N));
        let handles: Vec<_> = (0..N)
            .map(|_| {
                let (dir, locks, server, barrier) =
                    (dir.clone(), locks.clone(), server.clone(), barrier.clone());
                std::thread::spawn(move || {
                    // Each thread has its own store and its own lock file handle, as
                    // separate processes would.
                    let store = FileStore::new(dir);
                    barrier.wait();
                    refresh_if_needed(&store, &locks, &key(), NOW, Duration::from_secs(60), |t| {
                        server.refresh(t)
                    })
                    .unwrap()
                })
            })
            .collect();
        let outcomes: Vec<RefreshOutcome> =
            handles.into_iter().map(|h| h.join().unwrap()).collect();
        assert_eq!(server.calls.load(Ordering::SeqCst), 1);
        assert_eq!(outcomes.iter().filter(|o| o.refreshed).count(), 1);
        for o in &outcomes {
            assert_eq!(o.tokens.access_token.expose(), "at-1");
        }
        let cached = FileStore::new(&dir).load(&key()).unwrap().unwrap();
        assert_eq!(cached.refresh_token.unwrap().expose(), "rt-1");
        // The response had no ID token: the old one is kept.
        assert_eq!(cached.id_token.unwrap().expose(), "idt-0");
    }

    #[test]
    fn parallel_callers_share_one_refresh_when_the_lifetime_is_below_min_ttl() {
        // The server issues 30 s tokens and the callers ask for 60 s: a sibling's fresh
        // token still counts, or every caller would refresh in turn.
        const N: usize = 8;
        let home = tempfile::tempdir().unwrap();
        let dir = home.path().join("tokens");
        FileStore::new(&dir)
            .save(&key(), &set("at-0", Some("rt-0"), NOW - 10))
            .unwrap();
        let locks = Locks::new(home.path().join("locks"));
        let server = Arc::new(FakeAs::new("rt-0"));
        let barrier = Arc::new(Barrier::new(N));
        let handles: Vec<_> = (0..N)
            .map(|_| {
                let (dir, locks, server, barrier) =
                    (dir.clone(), locks.clone(), server.clone(), barrier.clone());
                std::thread::spawn(move || {
                    let store = FileStore::new(dir);
                    barrier.wait();
                    refresh_if_needed(&store, &locks, &key(), NOW, Duration::from_secs(60), |t| {
                        let mut fresh = server.refresh(t)?;
                        fresh.expires_at = Some(NOW + 30);
                        Ok(fresh)
                    })
                    .unwrap()
                })
            })
            .collect();
        let outcomes: Vec<RefreshOutcome> =
            handles.into_iter().map(|h| h.join().unwrap()).collect();
        assert_eq!(server.calls.load(Ordering::SeqCst), 1);
        for o in &outcomes {
            assert_eq!(o.tokens.access_token.expose(), "at-1");
        }
        // A later caller that finds the short-lived token itself still refreshes.
        let store = FileStore::new(&dir);
        let later = refresh_if_needed(&store, &locks, &key(), NOW, Duration::from_secs(60), |t| {
            server.refresh(t)
        })
        .unwrap();
        assert!(later.refreshed);
        assert_eq!(server.calls.load(Ordering::SeqCst), 2);
    }

    #[test]
    fn an_unusable_entry_says_why_instead_of_no_cached_tokens() {
        let home = tempfile::tempdir().unwrap();
        let store = FileStore::new(home.path().join("tokens"));
        store
            .save(&key(), &set("at-0", Some("rt-0"), NOW + 3600))
            .unwrap();
        std::fs::write(store.path_for(&key()), "{").unwrap();
        let locks = Locks::new(home.path().join("locks"));
        let err = refresh_if_needed(&store, &locks, &key(), NOW, Duration::ZERO, |_| {
            panic!("no request")
        })
        .unwrap_err();
        let RefreshFlowError::Unusable(why) = &err else {
            panic!("{err:?}")
        };
        assert!(why.contains("ignoring the cached tokens"), "{why}");
        assert_eq!(Error::from(err).exit_code(), 3);
    }

    #[test]
    fn a_valid_token_is_returned_without_refreshing() {
        let home = tempfile::tempdir().unwrap();
        let store = MemoryStore::default();
        store
            .save(&key(), &set("at-0", Some("rt-0"), NOW + 600))
            .unwrap();
        let locks = Locks::new(home.path().join("locks"));
        let out = refresh_if_needed(&store, &locks, &key(), NOW, Duration::from_secs(60), |_| {
            panic!("must not refresh")
        })
        .unwrap();
        assert!(!out.refreshed);
        assert!(
            !home.path().join("locks").exists(),
            "fast path takes no lock"
        );
    }

    #[test]
    fn a_rejected_token_is_replaced_once_unless_a_sibling_already_did() {
        let home = tempfile::tempdir().unwrap();
        let store = MemoryStore::default();
        let locks = Locks::new(home.path().join("locks"));
        // Still valid by its expiry, but the resource server said invalid_token.
        store
            .save(&key(), &set("at-0", Some("rt-0"), NOW + 600))
            .unwrap();
        let out = refresh_replacing(&store, &locks, &key(), &AccessToken::new("at-0"), |t| {
            assert_eq!(t.access_token.expose(), "at-0");
            Ok(set("at-1", Some("rt-1"), NOW + 600))
        })
        .unwrap();
        assert!(out.refreshed);
        assert_eq!(out.tokens.access_token.expose(), "at-1");
        // A second caller that was rejected with at-0 finds at-1 and does not refresh.
        let out = refresh_replacing(&store, &locks, &key(), &AccessToken::new("at-0"), |_| {
            panic!("must not refresh")
        })
        .unwrap();
        assert!(!out.refreshed);
        assert_eq!(out.tokens.access_token.expose(), "at-1");
    }

    #[test]
    fn response_without_refresh_token_keeps_the_old_one_and_with_one_replaces_it() {
        let home = tempfile::tempdir().unwrap();
        let store = MemoryStore::default();
        let locks = Locks::new(home.path().join("locks"));
        store
            .save(&key(), &set("at-0", Some("rt-0"), NOW - 1))
            .unwrap();
        let out = refresh_now(&store, &locks, &key(), NOW, |_| {
            Ok(set("at-1", None, NOW + 60))
        })
        .unwrap();
        assert_eq!(out.tokens.refresh_token.as_ref().unwrap().expose(), "rt-0");
        assert_eq!(
            store
                .load(&key())
                .unwrap()
                .unwrap()
                .refresh_token
                .unwrap()
                .expose(),
            "rt-0"
        );
        refresh_now(&store, &locks, &key(), NOW, |_| {
            Ok(set("at-2", Some("rt-2"), NOW + 60))
        })
        .unwrap();
        let cached = store.load(&key()).unwrap().unwrap();
        assert_eq!(cached.refresh_token.unwrap().expose(), "rt-2");
        assert_eq!(cached.access_token.expose(), "at-2");
    }

    #[test]
    fn invalid_grant_with_a_newer_sibling_token_retries_once_with_it() {
        let home = tempfile::tempdir().unwrap();
        let store = MemoryStore::default();
        let locks = Locks::new(home.path().join("locks"));
        store
            .save(&key(), &set("at-0", Some("rt-old"), NOW - 1))
            .unwrap();
        let server = FakeAs::new("rt-sibling");
        let mut first = true;
        let out = refresh_if_needed(&store, &locks, &key(), NOW, Duration::from_secs(60), |t| {
            if first {
                // Meanwhile a login outside the lock stored a newer, still-expiring set.
                first = false;
                store
                    .save(&key(), &set("at-s", Some("rt-sibling"), NOW - 1))
                    .unwrap();
            }
            server.refresh(t)
        })
        .unwrap();
        assert!(out.refreshed);
        assert_eq!(server.calls.load(Ordering::SeqCst), 2);
        let cached = store.load(&key()).unwrap().unwrap();
        assert_eq!(cached.refresh_token.unwrap().expose(), "rt-2");
    }

    #[test]
    fn invalid_grant_clears_only_the_same_refresh_token() {
        let home = tempfile::tempdir().unwrap();
        let store = MemoryStore::default();
        let locks = Locks::new(home.path().join("locks"));
        store
            .save(&key(), &set("at-0", Some("rt-dead"), NOW - 1))
            .unwrap();
        let err = refresh_if_needed(&store, &locks, &key(), NOW, Duration::from_secs(60), |_| {
            Err(RefreshError::InvalidGrant {
                description: Some("token reused".into()),
            })
        })
        .unwrap_err();
        assert!(matches!(err, RefreshFlowError::RefreshTokenRejected { .. }));
        let e: Error = err.into();
        assert_eq!(e.exit_code(), 3);
        let cached = store.load(&key()).unwrap().unwrap();
        assert_eq!(cached.refresh_token, None, "the dead RT is dropped");
        // Next call: no RT, login required, no request.
        let err = refresh_if_needed(&store, &locks, &key(), NOW, Duration::from_secs(60), |_| {
            panic!("no request without a refresh token")
        })
        .unwrap_err();
        assert!(matches!(
            err,
            RefreshFlowError::NoRefreshToken {
                renewal: Renewal::Expiring,
                ..
            }
        ));
    }

    #[test]
    fn without_a_refresh_token_the_error_says_what_is_the_case() {
        let home = tempfile::tempdir().unwrap();
        let store = MemoryStore::default();
        let locks = Locks::new(home.path().join("locks"));
        let no_request = |_: &TokenSet| -> Result<TokenSet, RefreshError> { panic!("no request") };
        // Valid for another hour: a forced refresh does not call it expired.
        store.save(&key(), &set("at-0", None, NOW + 3600)).unwrap();
        let e = refresh_now(&store, &locks, &key(), NOW, no_request).unwrap_err();
        let text = e.to_string();
        assert!(!text.contains("expired"), "{text}");
        assert!(text.contains("still valid (it expires in 1h)"), "{text}");
        assert_eq!(Error::from(e).exit_code(), 3);
        // Expiring within the margin, not yet expired.
        store.save(&key(), &set("at-0", None, NOW + 30)).unwrap();
        let e = refresh_if_needed(
            &store,
            &locks,
            &key(),
            NOW,
            Duration::from_secs(60),
            no_request,
        )
        .unwrap_err();
        assert_eq!(
            e.to_string(),
            "the cached access token expires in 30s and there is no refresh token to renew it"
        );
        // Expired.
        store.save(&key(), &set("at-0", None, NOW - 1)).unwrap();
        let e = refresh_now(&store, &locks, &key(), NOW, no_request).unwrap_err();
        assert_eq!(
            e.to_string(),
            "the cached access token has expired and there is no refresh token"
        );
        // Rejected by an API.
        store.save(&key(), &set("at-0", None, NOW + 3600)).unwrap();
        let e = refresh_replacing(
            &store,
            &locks,
            &key(),
            &AccessToken::new("at-0"),
            no_request,
        )
        .unwrap_err();
        assert!(e.to_string().starts_with("the API rejected"), "{e}");
    }

    #[test]
    fn other_failures_leave_the_cache_untouched() {
        let home = tempfile::tempdir().unwrap();
        let store = MemoryStore::default();
        let locks = Locks::new(home.path().join("locks"));
        let before = set("at-0", Some("rt-0"), NOW - 1);
        store.save(&key(), &before).unwrap();
        let err = refresh_now(&store, &locks, &key(), NOW, |_| {
            Err(RefreshError::Failed(Error::Timeout("slow".into())))
        })
        .unwrap_err();
        assert_eq!(Error::from(err).exit_code(), 5);
        assert_eq!(store.load(&key()).unwrap(), Some(before));
    }

    #[test]
    fn nothing_cached_means_login_required() {
        let home = tempfile::tempdir().unwrap();
        let err = refresh_now(
            &MemoryStore::default(),
            &Locks::new(home.path().join("locks")),
            &key(),
            NOW,
            |_| panic!("no request"),
        )
        .unwrap_err();
        assert_eq!(Error::from(err).exit_code(), 3);
    }

    #[test]
    fn lock_times_out_and_is_released_on_drop() {
        let home = tempfile::tempdir().unwrap();
        let locks = Locks::new(home.path().join("locks")).with_timeout(Duration::from_millis(100));
        let held = locks.acquire(&key()).unwrap();
        let start = Instant::now();
        let err = locks.acquire(&key()).unwrap_err();
        assert!(matches!(err, StoreError::LockTimeout { .. }), "{err}");
        assert!(start.elapsed() < Duration::from_secs(2));
        drop(held);
        locks.acquire(&key()).unwrap();
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
            assert_eq!(mode(&home.path().join("locks")), 0o700);
            assert_eq!(mode(&locks.path_for(key().as_str())), 0o600);
        }
    }
}
