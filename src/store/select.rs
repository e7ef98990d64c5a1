//! Choosing the token store for `--token-store auto|keyring|file` (design.md §5, C65)
//! and removing a cached set from every store at logout (C69).

use std::time::Duration;

use super::StoreChoice;
use super::file::FileStore;
use super::keyring::{KeyringStore, probe_timeout};
use super::{StoreError, StoreKind, TokenStore};
use crate::config::paths::Paths;
use crate::oauth::tokens::CacheKey;

/// Opens the store for `choice`. `auto` uses the OS keyring when it answers within
/// [`super::keyring::PROBE_TIMEOUT`] (or `OAUTHCTL_KEYRING_TIMEOUT`), else the file store plus a one-line warning (to show at login);
/// `keyring` fails when the keyring is absent; `file` never touches the keyring.
pub fn open_store(
    choice: StoreChoice,
    paths: &Paths,
) -> Result<(Box<dyn TokenStore>, Option<String>), StoreError> {
    open_store_with_timeout(choice, paths, probe_timeout())
}

/// [`open_store`] with an explicit probe timeout.
pub fn open_store_with_timeout(
    choice: StoreChoice,
    paths: &Paths,
    timeout: Duration,
) -> Result<(Box<dyn TokenStore>, Option<String>), StoreError> {
    match choice {
        StoreChoice::File => Ok((Box::new(FileStore::new(paths.tokens_dir())), None)),
        StoreChoice::Keyring => Ok((Box::new(KeyringStore::open(timeout)?), None)),
        StoreChoice::Auto => match KeyringStore::open(timeout) {
            Ok(k) => Ok((Box::new(k), None)),
            Err(e) => {
                let dir = paths.tokens_dir();
                let warning = format!(
                    "{e}; tokens are stored in private files under {} instead \
                     (use --token-store keyring to require the keyring, or \
                     --token-store file to silence this)",
                    dir.display()
                );
                Ok((Box::new(FileStore::new(dir)), Some(warning)))
            }
        },
    }
}

/// Opens the store of a known kind (from the index) without the `auto` fallback, and
/// without the keyring's write probe: the index says the tokens were stored (and read
/// back) there.
pub fn open_kind(kind: StoreKind, paths: &Paths) -> Result<Box<dyn TokenStore>, StoreError> {
    match kind {
        StoreKind::File => Ok(Box::new(FileStore::new(paths.tokens_dir()))),
        StoreKind::Keyring => Ok(Box::new(KeyringStore::connect(probe_timeout())?)),
    }
}

/// What [`delete_everywhere`] did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DeleteReport {
    /// Stores the set was removed from (or was already absent in).
    pub cleared: Vec<StoreKind>,
    /// Problems worth telling the user about (e.g. the keyring could not be reached, so
    /// any copy there remains).
    pub warnings: Vec<String>,
}

/// Removes what writes killed midway left in the file store (at `logout`, even for a
/// profile the index does not know: a first login killed while saving leaves one too).
pub fn remove_stale_parts(paths: &Paths) -> Result<(), StoreError> {
    FileStore::new(paths.tokens_dir()).remove_stale_parts()
}

/// Removes the set under `key` from the file store and, when it answers, the keyring.
/// An unreachable keyring is a warning, not an error, unless `choice` is `keyring`.
pub fn delete_everywhere(
    key: &CacheKey,
    paths: &Paths,
    choice: StoreChoice,
) -> Result<DeleteReport, StoreError> {
    let mut report = DeleteReport::default();
    FileStore::new(paths.tokens_dir()).delete(key)?;
    report.cleared.push(StoreKind::File);
    if choice == StoreChoice::File {
        return Ok(report);
    }
    match KeyringStore::open(probe_timeout()) {
        Ok(k) => {
            k.delete(key)?;
            report.cleared.push(StoreKind::Keyring);
        }
        Err(e) if choice == StoreChoice::Keyring => return Err(e),
        Err(e) => report.warnings.push(format!(
            "{e}; any tokens it holds for this profile were not removed"
        )),
    }
    Ok(report)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_choice_never_probes_the_keyring() {
        let home = tempfile::tempdir().unwrap();
        let paths = Paths::resolve(Some(home.path().to_path_buf()), None, None, None);
        let (store, warning) = open_store(StoreChoice::File, &paths).unwrap();
        assert_eq!(store.kind(), StoreKind::File);
        assert_eq!(warning, None);
        let key = CacheKey::new("https://i", "c", &["a"], None, None);
        let report = delete_everywhere(&key, &paths, StoreChoice::File).unwrap();
        assert_eq!(report.cleared, vec![StoreKind::File]);
    }
}
