//! The cross-process lock around a cache entry (design.md §5, security C26).
//!
//! One lock file per cache key under `state_dir/locks/`, held with `File::lock` (an OS
//! advisory lock: released on drop and when the process dies, so a crash never leaves a
//! stale lock). What happens under the lock (re-read, renew, compare-and-clear) is the
//! renewal use case in `crate::flow::renewal`; `login` and the index take it too.

use std::fs::File;
use std::path::{Path, PathBuf};
use std::time::Duration;

use super::StoreError;
use super::fsutil;
use crate::oauth::tokens::CacheKey;

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

#[cfg(test)]
mod tests {
    use std::time::Instant;

    use super::*;

    fn key() -> CacheKey {
        CacheKey::new("https://i", "c", &["openid"], None, None)
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
