use super::*;
use crate::oauth::grant::Grant;
use crate::oauth::secret::{AccessToken, IdToken, RefreshToken};
use crate::oauth::token_type::TokenType;

fn index_in(dir: &Path) -> IndexFile {
    IndexFile::new(dir.join("index.json"), Locks::new(dir.join("locks")))
}

fn entry() -> IndexEntry {
    let tokens = TokenSet {
        access_token: AccessToken::new("at-SECRET"),
        token_type: TokenType::Bearer,
        expires_at: Some(99),
        refresh_token: Some(RefreshToken::new("rt-SECRET")),
        id_token: Some(IdToken::new("idt-SECRET")),
        scope: vec!["openid".into()],
        grant: Grant::AuthorizationCode,
        issuer: "https://i".into(),
        client_id: "c".into(),
        obtained_at: 1,
        dpop_key: None,
        issued_token_type: None,
    };
    let login = RememberedLogin {
        issuer: "https://i".into(),
        client_id: "c".into(),
        scopes: vec!["openid".into()],
        client_secret_env: Some("CORP_SECRET".into()),
        ..RememberedLogin::default()
    };
    let key = CacheKey::new("https://i", "c", &["openid"], None, None);
    IndexEntry::describe(
        login,
        key,
        StoreKind::Keyring,
        &tokens,
        Some("alice".into()),
        5,
    )
}

#[test]
fn put_get_remove_and_no_secrets() {
    let home = tempfile::tempdir().unwrap();
    let index = index_in(home.path());
    assert_eq!(index.get("work").unwrap(), (None, None));
    index.put("work", entry()).unwrap();
    index.put("other", entry()).unwrap();
    let (got, warning) = index.get("work").unwrap();
    assert_eq!(got, Some(entry()));
    assert_eq!(warning, None);
    let text = std::fs::read_to_string(index.path()).unwrap();
    assert!(!text.contains("-SECRET"), "{text}");
    assert!(
        text.contains("\"client_secret_env\": \"CORP_SECRET\""),
        "{text}"
    );
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(index.path())
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600);
    }
    assert_eq!(index.remove("work").unwrap(), Some(entry()));
    assert!(index.get("other").unwrap().0.is_some());
}

fn other_login(scope: &str) -> IndexEntry {
    let mut e = entry();
    e.cache_key = CacheKey::new("https://i", "c", &[scope], None, None);
    e.login.scopes = vec![scope.to_owned()];
    e
}

#[test]
fn a_new_login_keeps_the_sets_of_earlier_ones_once() {
    let home = tempfile::tempdir().unwrap();
    let index = index_in(home.path());
    index.put_login("work", entry()).unwrap();
    // The same key again (a plain re-login) replaces the set in place.
    index.put_login("work", entry()).unwrap();
    assert!(index.get("work").unwrap().0.unwrap().older.is_empty());
    // Other scopes: the first set stays owned, with the login that made it.
    index.put_login("work", other_login("api")).unwrap();
    let got = index.get("work").unwrap().0.unwrap();
    assert_eq!(got.older.len(), 1);
    assert_eq!(got.older[0].cache_key, entry().cache_key);
    assert_eq!(got.older[0].login.scopes, ["openid"]);
    // Back to the first scopes: the older set is current again, the other one older.
    index.put_login("work", entry()).unwrap();
    let got = index.get("work").unwrap().0.unwrap();
    let keys: Vec<_> = got.owned_sets().into_iter().map(|s| s.cache_key).collect();
    assert_eq!(keys, [entry().cache_key, other_login("api").cache_key]);
    // The same key in another store is another set.
    let mut in_files = entry();
    in_files.store = StoreKind::File;
    index.put_login("work", in_files).unwrap();
    let got = index.get("work").unwrap().0.unwrap();
    assert_eq!(got.owned_sets().len(), 3);
    // Other profiles are untouched; logout removes all of a profile at once.
    index.put_login("home", other_login("x")).unwrap();
    assert!(index.get("home").unwrap().0.unwrap().older.is_empty());
    assert_eq!(index.remove("work").unwrap().unwrap().owned_sets().len(), 3);
}

#[test]
fn an_index_written_before_older_sets_were_listed_still_reads() {
    // As the previous release wrote it: no `older`, no `client_secret_stdin`.
    let key = entry().cache_key.to_string();
    let text = format!(
        r#"{{
  "version": 1,
  "profiles": {{
    "work": {{
      "issuer": "https://i",
      "client_id": "c",
      "scopes": ["openid"],
      "subject": "alice",
      "expires_at": 99,
      "has_refresh_token": true,
      "store": "keyring",
      "cache_key": "{key}",
      "updated_at": 5,
      "login": {{
        "issuer": "https://i",
        "client_id": "c",
        "scopes": ["openid"],
        "client_secret_env": "CORP_SECRET"
      }}
    }}
  }}
}}"#
    );
    let home = tempfile::tempdir().unwrap();
    let index = index_in(home.path());
    std::fs::write(index.path(), text).unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(index.path(), std::fs::Permissions::from_mode(0o600)).unwrap();
    }
    let (got, warning) = index.get("work").unwrap();
    assert_eq!(warning, None);
    assert_eq!(got, Some(entry()));
    // Its set is owned; a login with other scopes keeps it for logout.
    index.put_login("work", other_login("api")).unwrap();
    let owned = index.get("work").unwrap().0.unwrap().owned_sets();
    assert_eq!(owned.len(), 2);
    assert_eq!(owned[1].cache_key.as_str(), key);
    assert_eq!(owned[1].store, StoreKind::Keyring);
    // Fields this release adds are written only when set.
    let text = std::fs::read_to_string(index.path()).unwrap();
    assert!(!text.contains("client_secret_stdin"), "{text}");
}

#[test]
fn keyring_generations_are_kept_per_cache_key_and_written_only_on_change() {
    let home = tempfile::tempdir().unwrap();
    let index = index_in(home.path());
    index.put("work", entry()).unwrap();
    let key = entry().cache_key;
    let other = other_login("api").cache_key;
    assert_eq!(index.keyring_generation(&key), None);
    index.set_keyring_generation(&key, Some("g1")).unwrap();
    index.set_keyring_generation(&other, Some("g2")).unwrap();
    assert_eq!(index.keyring_generation(&key).as_deref(), Some("g1"));
    assert_eq!(index.keyring_generation(&other).as_deref(), Some("g2"));
    // Profiles are untouched, and logins leave the generations alone.
    index.put_login("work", other_login("api")).unwrap();
    assert_eq!(index.get("work").unwrap().0.unwrap().older.len(), 1);
    assert_eq!(index.keyring_generation(&key).as_deref(), Some("g1"));
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        let inode = || std::fs::metadata(index.path()).unwrap().ino();
        let before = inode();
        index.set_keyring_generation(&key, Some("g1")).unwrap();
        index
            .set_keyring_generation(&CacheKey::new("x", "y", &["z"], None, None), None)
            .unwrap();
        assert_eq!(inode(), before, "nothing changed, nothing written");
    }
    index.set_keyring_generation(&key, None).unwrap();
    assert_eq!(index.keyring_generation(&key), None);
    index.set_keyring_generation(&other, None).unwrap();
    let text = std::fs::read_to_string(index.path()).unwrap();
    assert!(!text.contains("keyring_generations"), "{text}");
}

#[test]
fn corrupt_index_is_empty_with_a_warning_and_is_rewritten() {
    let home = tempfile::tempdir().unwrap();
    let index = index_in(home.path());
    index.put("work", entry()).unwrap();
    std::fs::write(index.path(), b"{\"version\":1,\"profiles\":{\"work\":").unwrap();
    let (i, w) = index.load().unwrap();
    assert!(i.profiles.is_empty());
    assert!(w.unwrap().contains("ignoring the token index"));
    index.put("b", entry()).unwrap();
    assert_eq!(index.load().unwrap().0.profiles.len(), 1);
}

#[test]
fn a_crafted_cache_key_is_rejected() {
    let home = tempfile::tempdir().unwrap();
    let index = index_in(home.path());
    index.put("work", entry()).unwrap();
    let text = std::fs::read_to_string(index.path()).unwrap();
    let key = entry().cache_key.to_string();
    std::fs::write(index.path(), text.replace(&key, "../../../etc/passwd")).unwrap();
    let (i, w) = index.load().unwrap();
    assert!(i.profiles.is_empty());
    assert!(w.is_some());
}
