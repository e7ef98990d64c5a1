use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use super::*;
use crate::oauth::grant::Grant;
use crate::oauth::secret::{AccessToken, RefreshToken};
use crate::oauth::token_type::TokenType;
use crate::store::keyring::{BackendError, SecretBackend};
use crate::store::lock::Locks;

fn tokens(at: &str, expires_at: Option<i64>) -> TokenSet {
    TokenSet {
        access_token: AccessToken::new(at),
        token_type: TokenType::Bearer,
        expires_at,
        refresh_token: Some(RefreshToken::new(format!("rt-{at}"))),
        id_token: None,
        scope: vec!["openid".into()],
        grant: Grant::AuthorizationCode,
        issuer: "https://i".into(),
        client_id: "c".into(),
        obtained_at: 1,
        dpop_key: None,
        issued_token_type: None,
    }
}

/// An expiry far ahead (a constant, so sets made at different times compare equal).
const LATER: Option<i64> = Some(4_000_000_000);

type Map = Arc<Mutex<HashMap<String, Vec<u8>>>>;
type Hook = Arc<Mutex<Option<Box<dyn FnMut() + Send>>>>;
/// Payload and timeout by description.
type Copies = Arc<Mutex<HashMap<String, (Vec<u8>, u64)>>>;

/// The OS keyring: entries shared between stores, a count of reads, and a hook that
/// runs during a read (another process acting meanwhile).
#[derive(Default, Clone)]
struct Record {
    entries: Map,
    gets: Arc<AtomicUsize>,
    during_get: Hook,
    during_set: Hook,
}

impl SecretBackend for Record {
    fn get(&self, account: &str) -> Result<Option<Vec<u8>>, BackendError> {
        self.gets.fetch_add(1, Ordering::SeqCst);
        if let Some(hook) = self.during_get.lock().unwrap().as_mut() {
            hook();
        }
        Ok(self.entries.lock().unwrap().get(account).cloned())
    }
    fn set(&self, account: &str, value: &[u8]) -> Result<(), BackendError> {
        if let Some(hook) = self.during_set.lock().unwrap().as_mut() {
            hook();
        }
        self.entries
            .lock()
            .unwrap()
            .insert(account.to_owned(), value.to_vec());
        Ok(())
    }
    fn delete(&self, account: &str) -> Result<(), BackendError> {
        self.entries.lock().unwrap().remove(account);
        Ok(())
    }
}

/// A session keyring: payloads and timeouts by description.
#[derive(Debug, Default, Clone)]
struct Session {
    copies: Copies,
}

impl CopyBackend for Session {
    fn read(&self, description: &str) -> Option<Vec<u8>> {
        self.copies
            .lock()
            .unwrap()
            .get(description)
            .map(|(p, _)| p.clone())
    }
    fn write(&self, description: &str, payload: &[u8], timeout: u64) -> Result<(), NotCopied> {
        self.copies
            .lock()
            .unwrap()
            .insert(description.to_owned(), (payload.to_vec(), timeout));
        Ok(())
    }
    fn remove(&self, description: &str) {
        self.copies.lock().unwrap().remove(description);
    }
}

impl Session {
    /// The generation the copy of `key` carries.
    fn generation(&self, key: &CacheKey) -> Option<String> {
        let payload = self.read(&copy_description(key))?;
        split_payload(&payload).map(|(g, _)| g.to_owned())
    }
    fn timeout(&self, key: &CacheKey) -> Option<u64> {
        let copies = self.copies.lock().unwrap();
        copies.get(&copy_description(key)).map(|(_, t)| *t)
    }
}

const TTL: Duration = Duration::from_secs(3600);

struct World {
    _dir: tempfile::TempDir,
    record: Record,
    session: Session,
    index: IndexFile,
    /// This process: the keyring with a copy.
    ours: CopiedKeyring,
}

impl World {
    fn new() -> Self {
        let dir = tempfile::tempdir().unwrap();
        let record = Record::default();
        let session = Session::default();
        let index = IndexFile::new(
            dir.path().join("index.json"),
            Locks::new(dir.path().join("locks")),
        );
        let ours = CopiedKeyring::assemble(
            OnceLock::from(KeyringStore::with_backend(Box::new(record.clone()))),
            index.clone(),
            TTL,
            Some((Box::new(session.clone()), TTL)),
        );
        Self {
            _dir: dir,
            record,
            session,
            index,
            ours,
        }
    }

    /// Another process on the same keyring and index, without a copy (turned off, or
    /// in another login session).
    fn elsewhere(&self) -> CopiedKeyring {
        CopiedKeyring::assemble(
            OnceLock::from(KeyringStore::with_backend(Box::new(self.record.clone()))),
            self.index.clone(),
            TTL,
            None,
        )
    }

    /// Reads of the OS keyring so far.
    fn gets(&self) -> usize {
        self.record.gets.load(Ordering::SeqCst)
    }
}

fn key() -> CacheKey {
    CacheKey::new("https://i", "c", &["openid"], None, None)
}

#[test]
fn a_saved_set_is_served_from_the_copy_without_reading_the_keyring() {
    let w = World::new();
    w.ours.save(&key(), &tokens("at-1", LATER)).unwrap();
    let generation = w.index.keyring_generation(&key()).expect("a generation");
    assert_eq!(w.session.generation(&key()), Some(generation));
    assert!(w.session.timeout(&key()).unwrap() <= TTL.as_secs());
    let before = w.gets();
    assert_eq!(w.ours.load(&key()).unwrap(), Some(tokens("at-1", LATER)));
    assert_eq!(w.gets(), before, "the keyring was not read");
}

#[test]
fn a_write_by_another_process_makes_the_copy_stale_at_once() {
    let w = World::new();
    w.ours.save(&key(), &tokens("at-1", LATER)).unwrap();
    let old = w.session.generation(&key()).unwrap();
    // Another process refreshes without touching this session's copy.
    w.elsewhere().save(&key(), &tokens("at-2", LATER)).unwrap();
    assert_eq!(
        w.session.generation(&key()),
        Some(old),
        "the copy is still there"
    );
    let before = w.gets();
    assert_eq!(w.ours.load(&key()).unwrap(), Some(tokens("at-2", LATER)));
    assert!(w.gets() > before, "read from the keyring");
    // The read copied the new set under the new generation: the next read is fast.
    assert_eq!(
        w.session.generation(&key()),
        w.index.keyring_generation(&key())
    );
    let before = w.gets();
    assert_eq!(w.ours.load(&key()).unwrap(), Some(tokens("at-2", LATER)));
    assert_eq!(w.gets(), before);
}

#[test]
fn while_the_keyring_is_written_no_copy_of_the_old_set_is_served_anywhere() {
    let w = World::new();
    w.ours.save(&key(), &tokens("at-1", LATER)).unwrap();
    // A process in another login session, with its own copy of the first set.
    let their_session = Session::default();
    let theirs = CopiedKeyring::assemble(
        OnceLock::from(KeyringStore::with_backend(Box::new(w.record.clone()))),
        w.index.clone(),
        TTL,
        Some((Box::new(their_session.clone()), TTL)),
    );
    assert_eq!(theirs.load(&key()).unwrap(), Some(tokens("at-1", LATER)));
    assert!(their_session.generation(&key()).is_some());
    // While this process writes the keyring, the other one reads.
    let seen = Arc::new(Mutex::new(Vec::new()));
    let (seen2, index) = (seen.clone(), w.index.clone());
    *w.record.during_set.lock().unwrap() = Some(Box::new(move || {
        seen2.lock().unwrap().push(index.keyring_generation(&key()));
    }));
    w.ours.save(&key(), &tokens("at-2", LATER)).unwrap();
    *w.record.during_set.lock().unwrap() = None;
    assert!(
        seen.lock().unwrap().iter().all(Option::is_none),
        "no generation is recorded while the keyring changes"
    );
    assert_eq!(theirs.load(&key()).unwrap(), Some(tokens("at-2", LATER)));
}

#[test]
fn without_a_recorded_generation_the_copy_is_never_served() {
    let w = World::new();
    w.ours.save(&key(), &tokens("at-1", LATER)).unwrap();
    // As a writer elsewhere leaves it halfway: the generation forgotten, the keyring
    // rewritten, the new generation not recorded yet.
    w.index.set_keyring_generation(&key(), None).unwrap();
    w.record
        .set(key().as_str(), tokens("at-2", LATER).to_json().as_bytes())
        .unwrap();
    assert_eq!(w.ours.load(&key()).unwrap(), Some(tokens("at-2", LATER)));
    assert_eq!(
        w.session.generation(&key()),
        None,
        "no copy without a generation"
    );
}

#[test]
fn a_generation_that_changes_during_the_read_labels_nothing() {
    let w = World::new();
    w.ours.save(&key(), &tokens("at-1", LATER)).unwrap();
    let first = w.session.generation(&key()).unwrap();
    // The recorded generation no longer matches the copy, and while this process
    // reads the keyring, a writer elsewhere records yet another one.
    w.index.set_keyring_generation(&key(), Some("g-x")).unwrap();
    let index = w.index.clone();
    *w.record.during_get.lock().unwrap() = Some(Box::new(move || {
        index.set_keyring_generation(&key(), Some("g-y")).unwrap();
    }));
    assert_eq!(w.ours.load(&key()).unwrap(), Some(tokens("at-1", LATER)));
    *w.record.during_get.lock().unwrap() = None;
    // What was read is not copied under `g-x` (read before) nor `g-y` (not seen).
    assert_eq!(w.session.generation(&key()), Some(first));
    let before = w.gets();
    w.ours.load(&key()).unwrap();
    assert!(w.gets() > before, "a stale copy is not served");
}

#[test]
fn a_renewal_rereads_the_keyring_and_refreshes_the_copy() {
    let w = World::new();
    w.ours.save(&key(), &tokens("at-1", LATER)).unwrap();
    w.session
        .write(&copy_description(&key()), b"tampered", 10)
        .unwrap();
    let before = w.gets();
    let loaded = w.ours.reload_entry(&key()).unwrap();
    assert_eq!(loaded.tokens, Some(tokens("at-1", LATER)));
    assert!(w.gets() > before);
    assert_eq!(
        w.session.generation(&key()),
        w.index.keyring_generation(&key())
    );
}

#[test]
fn an_unreadable_copy_is_ignored_and_replaced() {
    let w = World::new();
    w.ours.save(&key(), &tokens("at-1", LATER)).unwrap();
    let g = w.index.keyring_generation(&key()).unwrap();
    w.session
        .write(
            &copy_description(&key()),
            format!("{MAGIC}\n{g}\n{{not json").as_bytes(),
            10,
        )
        .unwrap();
    assert_eq!(w.ours.load(&key()).unwrap(), Some(tokens("at-1", LATER)));
    let before = w.gets();
    assert_eq!(w.ours.load(&key()).unwrap(), Some(tokens("at-1", LATER)));
    assert_eq!(w.gets(), before);
}

#[test]
fn delete_removes_the_copy_and_the_generation() {
    let w = World::new();
    w.ours.save(&key(), &tokens("at-1", LATER)).unwrap();
    w.ours.delete(&key()).unwrap();
    assert_eq!(w.session.generation(&key()), None);
    assert_eq!(w.index.keyring_generation(&key()), None);
    assert_eq!(w.ours.load(&key()).unwrap(), None);
}

#[test]
fn an_expired_set_is_not_copied_and_a_live_one_not_past_its_expiry() {
    let w = World::new();
    w.ours
        .save(&key(), &tokens("at-1", Some(now() - 5)))
        .unwrap();
    assert_eq!(w.session.generation(&key()), None);
    w.ours
        .save(&key(), &tokens("at-2", Some(now() + 600)))
        .unwrap();
    let t = w.session.timeout(&key()).unwrap();
    assert!((590..=600).contains(&t), "{t}");
}

#[test]
fn without_a_copy_every_read_goes_to_the_keyring() {
    let w = World::new();
    let plain = w.elsewhere();
    assert!(!plain.copies());
    plain.save(&key(), &tokens("at-1", LATER)).unwrap();
    assert!(
        w.index.keyring_generation(&key()).is_some(),
        "generations still kept"
    );
    let before = w.gets();
    assert_eq!(plain.load(&key()).unwrap(), Some(tokens("at-1", LATER)));
    assert!(w.gets() > before);
    assert_eq!(w.session.generation(&key()), None);
}

#[test]
fn a_copy_never_outlives_its_access_token() {
    let hour = Duration::from_secs(3600);
    assert_eq!(lifetime(hour, &tokens("at", None), 100), Some(3600));
    assert_eq!(
        lifetime(hour, &tokens("at", Some(100 + 600)), 100),
        Some(600)
    );
    assert_eq!(
        lifetime(hour, &tokens("at", Some(100 + 7200)), 100),
        Some(3600)
    );
    assert_eq!(lifetime(hour, &tokens("at", Some(100)), 100), None);
    assert_eq!(lifetime(hour, &tokens("at", Some(50)), 100), None);
}

#[test]
fn payloads_carry_their_generation() {
    let payload = format!("{MAGIC}\nabc123\n{{\"x\":1}}");
    assert_eq!(
        split_payload(payload.as_bytes()),
        Some(("abc123", &b"{\"x\":1}"[..]))
    );
    assert_eq!(split_payload(b"oauthctl-kernel-copy-v2\nabc\n{}"), None);
    assert_eq!(split_payload(format!("{MAGIC}\nabc").as_bytes()), None);
    assert_eq!(split_payload(b""), None);
}

#[test]
fn generations_are_fresh_and_random() {
    let a = new_generation();
    assert_eq!(a.len(), 32);
    assert_ne!(a, new_generation());
}
