use std::collections::HashMap;
use std::sync::Mutex;

use super::*;
use crate::oauth::grant::Grant;
use crate::oauth::secret::{AccessToken, IdToken, RefreshToken};
use crate::oauth::token_type::TokenType;

/// An in-memory keyring with an optional per-entry size limit and truncation.
#[derive(Default)]
struct FakeKeyring {
    entries: Entries,
    limit: Option<usize>,
    truncate: bool,
}

impl SecretBackend for FakeKeyring {
    fn get(&self, account: &str) -> Result<Option<Vec<u8>>, BackendError> {
        Ok(self.entries.lock().unwrap().get(account).cloned())
    }
    fn set(&self, account: &str, value: &[u8]) -> Result<(), BackendError> {
        let mut v = value.to_vec();
        if let Some(limit) = self.limit
            && v.len() > limit
        {
            if !self.truncate {
                return Err(BackendError::Failed("too long".into()));
            }
            v.truncate(limit);
        }
        self.entries.lock().unwrap().insert(account.to_owned(), v);
        Ok(())
    }
    fn delete(&self, account: &str) -> Result<(), BackendError> {
        self.entries.lock().unwrap().remove(account);
        Ok(())
    }
}

fn tokens(id_token_len: usize) -> TokenSet {
    TokenSet {
        access_token: AccessToken::new("at"),
        token_type: TokenType::Bearer,
        expires_at: Some(100),
        refresh_token: Some(RefreshToken::new("rt")),
        id_token: Some(IdToken::new("x".repeat(id_token_len))),
        scope: vec!["openid".into()],
        grant: Grant::DeviceCode,
        issuer: "https://i".into(),
        client_id: "c".into(),
        obtained_at: 1,
        dpop_key: None,
        issued_token_type: None,
    }
}

type Entries = Arc<Mutex<HashMap<String, Vec<u8>>>>;

fn store(limit: Option<usize>, truncate: bool) -> (KeyringStore, Entries) {
    let fake = FakeKeyring {
        limit,
        truncate,
        ..FakeKeyring::default()
    };
    let entries = fake.entries.clone();
    (KeyringStore::with_backend(Box::new(fake)), entries)
}

fn key() -> CacheKey {
    CacheKey::new("https://i", "c", &["openid"], None, None)
}

#[test]
fn records_are_kept_like_token_sets_chunked_read_back_and_deleted() {
    let (s, entries) = store(Some(CHUNK_LEN), false);
    assert_eq!(s.load_record(&key()).unwrap(), None);
    let small = br#"{"version":1,"client_id":"dyn"}"#.to_vec();
    s.save_record(&key(), &small).unwrap();
    assert_eq!(s.load_record(&key()).unwrap(), Some(small));
    let large = vec![b'x'; CHUNK_LEN * 2 + 10];
    s.save_record(&key(), &large).unwrap();
    assert_eq!(
        entries.lock().unwrap().len(),
        4,
        "a manifest and three chunks"
    );
    assert_eq!(s.load_record(&key()).unwrap(), Some(large));
    s.delete(&key()).unwrap();
    assert!(entries.lock().unwrap().is_empty());
    // A truncating keyring fails the write, as for tokens.
    let (t, _) = store(Some(100), true);
    assert!(matches!(
        t.save_record(&key(), &[b'y'; 200]),
        Err(StoreError::ReadBack { .. })
    ));
}

#[test]
fn small_payload_is_one_entry() {
    let (s, entries) = store(Some(CHUNK_LEN), false);
    s.save(&key(), &tokens(10)).unwrap();
    assert_eq!(entries.lock().unwrap().len(), 1);
    assert_eq!(s.load(&key()).unwrap(), Some(tokens(10)));
}

#[test]
fn large_payload_is_chunked_and_reassembled() {
    let (s, entries) = store(Some(CHUNK_LEN), false);
    let big = tokens(20 * 1024);
    s.save(&key(), &big).unwrap();
    let n = entries.lock().unwrap().len();
    assert!(n >= 11, "{n} entries");
    assert!(
        entries
            .lock()
            .unwrap()
            .values()
            .all(|v| v.len() <= CHUNK_LEN)
    );
    assert_eq!(s.load(&key()).unwrap(), Some(big));
    // Shrinking removes the stale chunks; delete removes everything.
    s.save(&key(), &tokens(3000)).unwrap();
    assert_eq!(entries.lock().unwrap().len(), 3);
    assert_eq!(s.load(&key()).unwrap(), Some(tokens(3000)));
    s.save(&key(), &tokens(20 * 1024)).unwrap();
    s.delete(&key()).unwrap();
    assert!(entries.lock().unwrap().is_empty());
    assert_eq!(s.load(&key()).unwrap(), None);
}

#[test]
fn a_truncating_store_fails_the_read_back() {
    let (s, _) = store(Some(100), true);
    let err = s.save(&key(), &tokens(10)).unwrap_err();
    assert!(matches!(err, StoreError::ReadBack { .. }), "{err}");
}

#[test]
fn a_missing_chunk_is_absent_with_a_warning() {
    let (s, entries) = store(None, false);
    s.save(&key(), &tokens(5000)).unwrap();
    entries.lock().unwrap().remove(&chunk_account(&key(), 1));
    let loaded = s.load_entry(&key()).unwrap();
    assert_eq!(loaded.tokens, None);
    assert!(loaded.warning.unwrap().contains("chunk 1 is missing"));
}

#[test]
fn a_tampered_chunk_fails_the_checksum() {
    let (s, entries) = store(None, false);
    s.save(&key(), &tokens(5000)).unwrap();
    entries
        .lock()
        .unwrap()
        .insert(chunk_account(&key(), 0), b"{}".to_vec());
    let w = s.load_entry(&key()).unwrap().warning.unwrap();
    assert!(w.contains("checksum"), "{w}");
    assert!(!w.contains("xxxx"));
}

#[test]
fn keyring_errors_drop_secret_payloads() {
    let e = backend_error(keyring_core::Error::BadEncoding(b"rt-SECRET".to_vec()));
    assert!(!format!("{e:?}").contains("SECRET"));
}
