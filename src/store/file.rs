//! The file token store (README: "Token storage"): one JSON file per cache key,
//! `<dir>/<key>.json`, in a 0700 directory, 0600 from creation, replaced atomically, never
//! read through a symlink, and refused when foreign-owned or readable by others.
//!
//! An unreadable entry (truncated, corrupt, unknown version, oversized) is treated as
//! absent with a warning; it is never rewritten except by a later save of the same key.

use std::path::{Path, PathBuf};

use super::fsutil::{self, Exposure, ReadOutcome};
use super::{Loaded, StoreError, StoreKind, TokenStore};
use crate::oauth::tokens::{CacheKey, TokenSet};

/// Token sets larger than this are not ours (ID tokens with big claims stay far below).
const MAX_FILE_LEN: u64 = 1 << 20;

/// Token sets as private files in one directory (normally `Paths::tokens_dir()`).
#[derive(Debug, Clone)]
pub struct FileStore {
    dir: PathBuf,
}

impl FileStore {
    /// A store in `dir`; nothing is created until the first save.
    pub fn new(dir: impl Into<PathBuf>) -> Self {
        Self { dir: dir.into() }
    }

    /// The directory holding the token files.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The file that holds `key`'s set.
    pub fn path_for(&self, key: &CacheKey) -> PathBuf {
        self.dir.join(format!("{}.json", key.as_str()))
    }

    /// Removes the temp files of writes that were killed midway, each a full token set
    /// (a save, and [`TokenStore::delete`], do this too). Nothing to do without a directory.
    pub fn remove_stale_parts(&self) -> Result<(), StoreError> {
        self.lock_for_writes().map(drop)
    }

    /// The directory's write lock (taking it removes stale part files), or `None` when
    /// there is no directory yet.
    fn lock_for_writes(&self) -> Result<Option<fsutil::DirWriteLock>, StoreError> {
        match std::fs::symlink_metadata(&self.dir) {
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            _ => {
                fsutil::check_private_dir(&self.dir)?;
                fsutil::lock_dir_for_writes(&self.dir).map(Some)
            }
        }
    }
}

impl TokenStore for FileStore {
    fn load_entry(&self, key: &CacheKey) -> Result<Loaded, StoreError> {
        match std::fs::symlink_metadata(&self.dir) {
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Loaded::found(None)),
            _ => fsutil::check_private_dir(&self.dir)?,
        }
        let path = self.path_for(key);
        let ignored = |why: String| Loaded {
            tokens: None,
            warning: Some(format!(
                "ignoring the cached tokens in {}: {why}; log in again to replace them",
                path.display()
            )),
        };
        match fsutil::read_private(&path, Exposure::Secret, MAX_FILE_LEN)? {
            ReadOutcome::Missing => Ok(Loaded::found(None)),
            ReadOutcome::TooLarge(n) => Ok(ignored(format!("the file is too large ({n} bytes)"))),
            ReadOutcome::Data(bytes) => match TokenSet::from_json(&bytes) {
                Ok(t) => Ok(Loaded::found(Some(t))),
                Err(e) => Ok(ignored(e.to_string())),
            },
        }
    }

    fn save(&self, key: &CacheKey, tokens: &TokenSet) -> Result<(), StoreError> {
        fsutil::ensure_private_dir(&self.dir)?;
        fsutil::write_private_atomic(&self.dir, &self.path_for(key), tokens.to_json().as_bytes())
    }

    fn delete(&self, key: &CacheKey) -> Result<(), StoreError> {
        let Some(_lock) = self.lock_for_writes()? else {
            return Ok(());
        };
        fsutil::remove_if_exists(&self.path_for(key))
    }

    fn load_record(&self, key: &CacheKey) -> Result<Option<Vec<u8>>, StoreError> {
        match std::fs::symlink_metadata(&self.dir) {
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            _ => fsutil::check_private_dir(&self.dir)?,
        }
        match fsutil::read_private(&self.path_for(key), Exposure::Secret, MAX_FILE_LEN)? {
            ReadOutcome::Data(bytes) => Ok(Some(bytes)),
            ReadOutcome::Missing | ReadOutcome::TooLarge(_) => Ok(None),
        }
    }

    fn save_record(&self, key: &CacheKey, bytes: &[u8]) -> Result<(), StoreError> {
        fsutil::ensure_private_dir(&self.dir)?;
        fsutil::write_private_atomic(&self.dir, &self.path_for(key), bytes)
    }

    fn kind(&self) -> StoreKind {
        StoreKind::File
    }
}

#[cfg(test)]
#[cfg(unix)]
mod tests {
    use std::fs;
    use std::os::unix::fs::{PermissionsExt, symlink};

    use proptest::prelude::*;

    use super::*;
    use crate::oauth::grant::Grant;
    use crate::oauth::secret::{AccessToken, RefreshToken};
    use crate::oauth::token_type::TokenType;

    fn tokens(at: &str) -> TokenSet {
        TokenSet {
            access_token: AccessToken::new(at),
            token_type: TokenType::Bearer,
            expires_at: Some(2000),
            refresh_token: Some(RefreshToken::new("rt-1")),
            id_token: None,
            scope: vec!["openid".into()],
            grant: Grant::AuthorizationCode,
            issuer: "https://i".into(),
            client_id: "c".into(),
            obtained_at: 1000,
            dpop_key: None,
            issued_token_type: None,
        }
    }

    fn key(n: &str) -> CacheKey {
        CacheKey::new("https://i", n, &["openid"], None, None)
    }

    fn mode(p: &Path) -> u32 {
        fs::metadata(p).unwrap().permissions().mode() & 0o777
    }

    #[test]
    fn round_trip_with_private_modes() {
        let home = tempfile::tempdir().unwrap();
        let store = FileStore::new(home.path().join("state/tokens"));
        let k = key("a");
        assert_eq!(store.load(&k).unwrap(), None);
        store.save(&k, &tokens("at-1")).unwrap();
        assert_eq!(mode(store.dir()), 0o700);
        assert_eq!(mode(&home.path().join("state")), 0o700);
        assert_eq!(mode(&store.path_for(&k)), 0o600);
        assert_eq!(store.load(&k).unwrap(), Some(tokens("at-1")));
        store.delete(&k).unwrap();
        store.delete(&k).unwrap();
        assert_eq!(store.load(&k).unwrap(), None);
    }

    #[test]
    fn a_dpop_key_is_stored_with_its_tokens_and_deleted_with_them() {
        let home = tempfile::tempdir().unwrap();
        let store = FileStore::new(home.path().join("tokens"));
        let (key_stored, proof_key) =
            crate::oauth::dpop::ProofKey::generate(crate::oauth::jose::SigningAlg::Es256).unwrap();
        let mut t = tokens("at-d");
        t.token_type = TokenType::DPoP;
        t.dpop_key = Some(key_stored);
        store.save(&key("d"), &t).unwrap();
        assert_eq!(mode(&store.path_for(&key("d"))), 0o600);
        let back = store.load(&key("d")).unwrap().unwrap();
        assert_eq!(back, t);
        let again = back.dpop_key.unwrap().signing_key().unwrap();
        assert_eq!(again.thumbprint(), proof_key.thumbprint());
        store.delete(&key("d")).unwrap();
        assert_eq!(store.load(&key("d")).unwrap(), None);
        assert!(fs::read_dir(store.dir()).unwrap().next().is_none());
    }

    #[test]
    fn atomic_replace_leaves_no_temp_files_and_keeps_others() {
        let home = tempfile::tempdir().unwrap();
        let store = FileStore::new(home.path().join("tokens"));
        store.save(&key("a"), &tokens("at-a")).unwrap();
        store.save(&key("b"), &tokens("at-b1")).unwrap();
        store.save(&key("b"), &tokens("at-b2")).unwrap();
        assert_eq!(store.load(&key("b")).unwrap(), Some(tokens("at-b2")));
        assert_eq!(store.load(&key("a")).unwrap(), Some(tokens("at-a")));
        assert_eq!(mode(&store.path_for(&key("b"))), 0o600);
        let names: Vec<String> = fs::read_dir(store.dir())
            .unwrap()
            .map(|e| e.unwrap().file_name().into_string().unwrap())
            .collect();
        assert_eq!(names.len(), 2, "{names:?}");
    }

    #[test]
    fn saves_and_deletes_remove_part_files_of_killed_writes() {
        // A SIGKILL between create and rename leaves a part file holding
        // a whole token set; the next save or delete of any key removes it.
        let home = tempfile::tempdir().unwrap();
        let store = FileStore::new(home.path().join("tokens"));
        let plant = |name: &str| {
            let path = store.dir().join(name);
            fs::write(&path, tokens("at-killed").to_json()).unwrap();
            fs::set_permissions(&path, fs::Permissions::from_mode(0o600)).unwrap();
        };
        let names = || -> Vec<String> {
            let mut n: Vec<String> = fs::read_dir(store.dir())
                .unwrap()
                .map(|e| e.unwrap().file_name().into_string().unwrap())
                .collect();
            n.sort();
            n
        };
        store.save(&key("a"), &tokens("at-a")).unwrap();
        plant(".tmp-k1Ll3d.part");
        store.save(&key("b"), &tokens("at-b")).unwrap();
        assert_eq!(names().len(), 2, "{:?}", names());
        plant(".tmp-k1Ll3d.part");
        store.delete(&key("a")).unwrap();
        assert_eq!(names(), [format!("{}.json", key("b").as_str())]);
        plant(".tmp-k1Ll3d.part");
        store.remove_stale_parts().unwrap();
        assert_eq!(names().len(), 1, "{:?}", names());
        // Without a directory there is nothing to do, and nothing is created.
        let empty = FileStore::new(home.path().join("none"));
        empty.remove_stale_parts().unwrap();
        empty.delete(&key("a")).unwrap();
        assert!(!empty.dir().exists());
    }

    #[test]
    fn refuses_a_group_readable_file_with_a_clear_message() {
        let home = tempfile::tempdir().unwrap();
        let store = FileStore::new(home.path().join("tokens"));
        store.save(&key("a"), &tokens("at-1")).unwrap();
        let path = store.path_for(&key("a"));
        fs::set_permissions(&path, fs::Permissions::from_mode(0o640)).unwrap();
        let err = store.load(&key("a")).unwrap_err();
        let msg = err.to_string();
        assert!(msg.contains("refusing to use"), "{msg}");
        assert!(msg.contains("mode 0640"), "{msg}");
        assert!(!msg.contains("at-1"));
        let StoreError::Unsafe { fix, .. } = err else {
            panic!("expected Unsafe")
        };
        assert_eq!(fix, Some(format!("chmod 600 {}", path.display())));
    }

    #[test]
    fn refuses_an_open_directory() {
        let home = tempfile::tempdir().unwrap();
        let store = FileStore::new(home.path().join("tokens"));
        store.save(&key("a"), &tokens("at-1")).unwrap();
        fs::set_permissions(store.dir(), fs::Permissions::from_mode(0o755)).unwrap();
        let msg = store.load(&key("a")).unwrap_err().to_string();
        assert!(msg.contains("group or others (mode 0755)"), "{msg}");
        assert!(store.save(&key("a"), &tokens("at-2")).is_err());
    }

    #[test]
    fn refuses_to_follow_a_symlink() {
        let home = tempfile::tempdir().unwrap();
        let store = FileStore::new(home.path().join("tokens"));
        store.save(&key("other"), &tokens("at-1")).unwrap();
        let target = home.path().join("elsewhere.json");
        fs::write(&target, tokens("at-planted").to_json()).unwrap();
        fs::set_permissions(&target, fs::Permissions::from_mode(0o600)).unwrap();
        symlink(&target, store.path_for(&key("a"))).unwrap();
        let msg = store.load(&key("a")).unwrap_err().to_string();
        assert!(msg.contains("symbolic link"), "{msg}");
        // Saving replaces the link itself; the link's target is untouched.
        store.save(&key("a"), &tokens("at-2")).unwrap();
        assert!(
            !fs::symlink_metadata(store.path_for(&key("a")))
                .unwrap()
                .file_type()
                .is_symlink()
        );
        assert!(fs::read_to_string(&target).unwrap().contains("at-planted"));
    }

    #[test]
    fn refuses_a_symlinked_directory() {
        let home = tempfile::tempdir().unwrap();
        let real = home.path().join("real");
        fs::create_dir(&real).unwrap();
        fs::set_permissions(&real, fs::Permissions::from_mode(0o700)).unwrap();
        symlink(&real, home.path().join("tokens")).unwrap();
        let store = FileStore::new(home.path().join("tokens"));
        assert!(store.save(&key("a"), &tokens("x")).is_err());
        assert!(
            store
                .load(&key("a"))
                .unwrap_err()
                .to_string()
                .contains("symbolic link")
        );
    }

    #[test]
    fn corrupt_entries_are_absent_with_a_warning() {
        let home = tempfile::tempdir().unwrap();
        let store = FileStore::new(home.path().join("tokens"));
        store.save(&key("good"), &tokens("at-good")).unwrap();
        let full = tokens("at-SECRET").to_json();
        let cases = [
            full[..full.len() / 2].to_owned(),
            String::new(),
            "null".to_owned(),
            full.replace("\"version\":1", "\"version\":99"),
            full.replace("\"obtained_at\":1000", "\"obtained_at\":\"at-SECRET\""),
        ];
        for content in cases {
            let path = store.path_for(&key("bad"));
            fs::write(&path, &content).unwrap();
            fs::set_permissions(&path, fs::Permissions::from_mode(0o600)).unwrap();
            let loaded = store.load_entry(&key("bad")).unwrap();
            assert_eq!(loaded.tokens, None, "{content}");
            let w = loaded.warning.expect("a warning");
            assert!(w.contains("ignoring the cached tokens"), "{w}");
            assert!(!w.contains("SECRET"), "{w}");
            // The unrelated entry is untouched.
            assert_eq!(store.load(&key("good")).unwrap(), Some(tokens("at-good")));
        }
    }

    #[test]
    fn oversized_file_is_absent_with_a_warning() {
        let home = tempfile::tempdir().unwrap();
        let store = FileStore::new(home.path().join("tokens"));
        store.save(&key("x"), &tokens("a")).unwrap();
        let path = store.path_for(&key("x"));
        fs::write(
            &path,
            vec![b' '; usize::try_from(MAX_FILE_LEN).unwrap() + 1],
        )
        .unwrap();
        let loaded = store.load_entry(&key("x")).unwrap();
        assert_eq!(loaded.tokens, None);
        assert!(loaded.warning.unwrap().contains("too large"));
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(128))]
        // Arbitrary bytes in a cache file never panic and never yield an error that
        // quotes the content.
        #[test]
        fn arbitrary_cache_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..512)) {
            let home = tempfile::tempdir().unwrap();
            let store = FileStore::new(home.path().join("tokens"));
            store.save(&key("x"), &tokens("a")).unwrap();
            fs::write(store.path_for(&key("x")), &bytes).unwrap();
            let loaded = store.load_entry(&key("x")).unwrap();
            prop_assert!(loaded.tokens.is_some() || loaded.warning.is_some());
        }

        #[test]
        fn mutated_json_never_panics(cut in 0usize..400, byte in any::<u8>()) {
            let mut json = tokens("at").to_json().into_bytes();
            let i = cut % json.len();
            json[i] = byte;
            let _ = TokenSet::from_json(&json);
            let _ = TokenSet::from_json(&json[..i]);
        }
    }
}
