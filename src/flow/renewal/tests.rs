//! The renewal protocol against a fake authorization server: parallel callers (one
//! renewal among them), compare-and-clear, rotation, and what the errors say.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Barrier, Mutex};

use super::*;
use crate::oauth::secret::{IdToken, RefreshToken};
use crate::oauth::token_type::TokenType;
use crate::store::Loaded;
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
        dpop_key: None,
        issued_token_type: None,
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

    fn refresh(&self, current: &TokenSet) -> Result<TokenSet, RenewError> {
        let n = self.calls.fetch_add(1, Ordering::SeqCst) + 1;
        // A slow server widens the race window.
        std::thread::sleep(Duration::from_millis(30));
        let mut valid = self.valid_rt.lock().unwrap();
        let presented = current.refresh_token.as_ref().map(RefreshToken::expose);
        if presented != Some(valid.as_str()) {
            return Err(RenewError::InvalidGrant { description: None });
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
                renew_if_needed(&store, &locks, &key(), NOW, Duration::from_secs(60), |t| {
                    server.refresh(t)
                })
                .unwrap()
            })
        })
        .collect();
    let outcomes: Vec<Renewed> = handles.into_iter().map(|h| h.join().unwrap()).collect();
    assert_eq!(server.calls.load(Ordering::SeqCst), 1);
    assert_eq!(outcomes.iter().filter(|o| o.renewed).count(), 1);
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
                renew_if_needed(&store, &locks, &key(), NOW, Duration::from_secs(60), |t| {
                    let mut fresh = server.refresh(t)?;
                    fresh.expires_at = Some(NOW + 30);
                    Ok(fresh)
                })
                .unwrap()
            })
        })
        .collect();
    let outcomes: Vec<Renewed> = handles.into_iter().map(|h| h.join().unwrap()).collect();
    assert_eq!(server.calls.load(Ordering::SeqCst), 1);
    for o in &outcomes {
        assert_eq!(o.tokens.access_token.expose(), "at-1");
    }
    // A later caller that finds the short-lived token itself still refreshes.
    let store = FileStore::new(&dir);
    let later = renew_if_needed(&store, &locks, &key(), NOW, Duration::from_secs(60), |t| {
        server.refresh(t)
    })
    .unwrap();
    assert!(later.renewed);
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
    let err = renew_if_needed(&store, &locks, &key(), NOW, Duration::ZERO, |_| {
        panic!("no request")
    })
    .unwrap_err();
    let RenewalError::Unusable(why) = &err else {
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
    let out = renew_if_needed(&store, &locks, &key(), NOW, Duration::from_secs(60), |_| {
        panic!("must not refresh")
    })
    .unwrap();
    assert!(!out.renewed);
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
    let out = renew_replacing(&store, &locks, &key(), &AccessToken::new("at-0"), |t| {
        assert_eq!(t.access_token.expose(), "at-0");
        Ok(set("at-1", Some("rt-1"), NOW + 600))
    })
    .unwrap();
    assert!(out.renewed);
    assert_eq!(out.tokens.access_token.expose(), "at-1");
    // A second caller that was rejected with at-0 finds at-1 and does not refresh.
    let out = renew_replacing(&store, &locks, &key(), &AccessToken::new("at-0"), |_| {
        panic!("must not refresh")
    })
    .unwrap();
    assert!(!out.renewed);
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
    let out = renew_now(&store, &locks, &key(), NOW, |_| {
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
    renew_now(&store, &locks, &key(), NOW, |_| {
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
    let out = renew_if_needed(&store, &locks, &key(), NOW, Duration::from_secs(60), |t| {
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
    assert!(out.renewed);
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
    let err = renew_if_needed(&store, &locks, &key(), NOW, Duration::from_secs(60), |_| {
        Err(RenewError::InvalidGrant {
            description: Some("token reused".into()),
        })
    })
    .unwrap_err();
    assert!(matches!(err, RenewalError::RefreshTokenRejected { .. }));
    let e: Error = err.into();
    assert_eq!(e.exit_code(), 3);
    let cached = store.load(&key()).unwrap().unwrap();
    assert_eq!(cached.refresh_token, None, "the dead RT is dropped");
    // Next call: no RT, login required, no request.
    let err = renew_if_needed(&store, &locks, &key(), NOW, Duration::from_secs(60), |_| {
        panic!("no request without a refresh token")
    })
    .unwrap_err();
    assert!(matches!(
        err,
        RenewalError::NoRefreshToken {
            reason: Reason::Expiring,
            ..
        }
    ));
}

#[test]
fn without_a_refresh_token_the_error_says_what_is_the_case() {
    let home = tempfile::tempdir().unwrap();
    let store = MemoryStore::default();
    let locks = Locks::new(home.path().join("locks"));
    let no_request = |_: &TokenSet| -> Result<TokenSet, RenewError> { panic!("no request") };
    // Valid for another hour: a forced refresh does not call it expired.
    store.save(&key(), &set("at-0", None, NOW + 3600)).unwrap();
    let e = renew_now(&store, &locks, &key(), NOW, no_request).unwrap_err();
    let text = e.to_string();
    assert!(!text.contains("expired"), "{text}");
    assert!(text.contains("still valid (it expires in 1h)"), "{text}");
    assert_eq!(Error::from(e).exit_code(), 3);
    // Expiring within the margin, not yet expired.
    store.save(&key(), &set("at-0", None, NOW + 30)).unwrap();
    let e = renew_if_needed(
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
    let e = renew_now(&store, &locks, &key(), NOW, no_request).unwrap_err();
    assert_eq!(
        e.to_string(),
        "the cached access token has expired and there is no refresh token"
    );
    // Rejected by an API.
    store.save(&key(), &set("at-0", None, NOW + 3600)).unwrap();
    let e = renew_replacing(
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
    let err = renew_now(&store, &locks, &key(), NOW, |_| {
        Err(RenewError::Failed(Error::Timeout("slow".into())))
    })
    .unwrap_err();
    assert_eq!(Error::from(err).exit_code(), 5);
    assert_eq!(store.load(&key()).unwrap(), Some(before));
}

#[test]
fn nothing_cached_means_login_required() {
    let home = tempfile::tempdir().unwrap();
    let err = renew_now(
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
fn a_client_credentials_set_is_renewed_by_repeating_the_grant() {
    let home = tempfile::tempdir().unwrap();
    let store = MemoryStore::default();
    let locks = Locks::new(home.path().join("locks"));
    let cc = |at: &str, expires_at: i64| TokenSet {
        grant: Grant::ClientCredentials,
        id_token: None,
        ..set(at, None, expires_at)
    };
    store.save(&key(), &cc("at-0", NOW - 1)).unwrap();
    let out = renew_if_needed(&store, &locks, &key(), NOW, Duration::from_secs(60), |t| {
        assert_eq!(t.renewal(), Some(Renewal::RepeatGrant));
        Ok(cc("at-1", NOW + 3600))
    })
    .unwrap();
    assert!(out.renewed);
    assert_eq!(out.tokens.access_token.expose(), "at-1");
    assert_eq!(out.tokens.refresh_token, None);
    assert_eq!(store.load(&key()).unwrap(), Some(cc("at-1", NOW + 3600)));
}

#[test]
fn a_dpop_bound_set_keeps_its_proof_key_across_renewals() {
    let (stored, key_pair) =
        crate::oauth::dpop::ProofKey::generate(crate::oauth::jose::SigningAlg::Es256).unwrap();
    let store = MemoryStore::default();
    let mut old = set("at-0", Some("rt-0"), NOW - 10);
    old.token_type = TokenType::DPoP;
    old.dpop_key = Some(stored.clone());
    store.save(&key(), &old).unwrap();
    let home = tempfile::tempdir().unwrap();
    let locks = Locks::new(home.path().join("locks"));
    let renewed = renew_if_needed(&store, &locks, &key(), NOW, Duration::from_secs(60), |_| {
        // A renewer that reports no key (the refresh token grant answered with a new
        // access token only): the set's key is kept, as its refresh token is.
        let mut t = set("at-1", None, NOW + 3600);
        t.token_type = TokenType::DPoP;
        Ok(t)
    })
    .unwrap();
    assert!(renewed.renewed);
    let saved = store.load(&key()).unwrap().unwrap();
    assert_eq!(saved.access_token, AccessToken::new("at-1"));
    assert_eq!(saved.refresh_token, Some(RefreshToken::new("rt-0")));
    let kept = saved.dpop_key.unwrap().signing_key().unwrap();
    assert_eq!(kept.thumbprint(), key_pair.thumbprint());
}

/// A store with a copy in front that still holds an older set than its store of record.
struct LaggingCopy {
    record: MemoryStore,
    copy: TokenSet,
}

impl TokenStore for LaggingCopy {
    fn load_entry(&self, _key: &CacheKey) -> Result<Loaded, StoreError> {
        Ok(Loaded::found(Some(self.copy.clone())))
    }
    fn reload_entry(&self, key: &CacheKey) -> Result<Loaded, StoreError> {
        self.record.load_entry(key)
    }
    fn save(&self, key: &CacheKey, tokens: &TokenSet) -> Result<(), StoreError> {
        self.record.save(key, tokens)
    }
    fn delete(&self, key: &CacheKey) -> Result<(), StoreError> {
        self.record.delete(key)
    }
    fn kind(&self) -> crate::store::StoreKind {
        crate::store::StoreKind::Keyring
    }
}

#[test]
fn under_the_lock_the_store_of_record_is_read_not_the_copy() {
    let home = tempfile::tempdir().unwrap();
    let locks = Locks::new(home.path().join("locks"));
    // Another process renewed: the store of record has the new set (and the rotated
    // refresh token); this process's copy still has the expiring one.
    let store = LaggingCopy {
        record: MemoryStore::default(),
        copy: set("at-0", Some("rt-0"), NOW - 1),
    };
    store
        .save(&key(), &set("at-1", Some("rt-1"), NOW + 3600))
        .unwrap();
    let out = renew_if_needed(&store, &locks, &key(), NOW, Duration::from_secs(60), |_| {
        panic!("no second refresh: the sibling's set is fresh")
    })
    .unwrap();
    assert!(!out.renewed);
    assert_eq!(out.tokens.access_token.expose(), "at-1");
    // After `invalid_grant`, too, the store of record is what counts: the rotated refresh
    // token a sibling stored meanwhile is tried, not cleared because the copy still shows
    // the rejected one.
    let store = LaggingCopy {
        record: MemoryStore::default(),
        copy: set("at-0", Some("rt-0"), NOW - 1),
    };
    store
        .save(&key(), &set("at-0", Some("rt-0"), NOW - 1))
        .unwrap();
    let server = FakeAs::new("rt-sibling");
    let mut first = true;
    let out = renew_if_needed(&store, &locks, &key(), NOW, Duration::from_secs(60), |t| {
        if first {
            first = false;
            store
                .save(&key(), &set("at-s", Some("rt-sibling"), NOW - 1))
                .unwrap();
        }
        server.refresh(t)
    })
    .unwrap();
    assert!(out.renewed);
    assert_eq!(server.calls.load(Ordering::SeqCst), 2);
    let kept = store.record.load(&key()).unwrap().unwrap();
    assert_eq!(kept.refresh_token.unwrap().expose(), "rt-2");
}
