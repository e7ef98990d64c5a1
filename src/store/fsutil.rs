//! Private-file primitives shared by the file store, the index, the lock files, the
//! discovery/JWKS cache, the configuration file and the home: directories
//! 0700, files 0600 from creation, no following symlinks, atomic replace (temp file in the
//! same directory + fsync + rename), and ssh-style refusal of foreign-owned or too-open
//! files and directories. This is the one place that rule lives.

use std::fs::{self, File, OpenOptions, TryLockError};
use std::io::{self, Read, Write};
use std::path::Path;
use std::time::{Duration, Instant};

use super::StoreError;

/// How strictly a file's mode is checked when reading it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Exposure {
    /// Holds secrets: no group or other permission bits at all.
    Secret,
    /// Not secret but trusted: no group or other *write* bits.
    Trusted,
}

impl Exposure {
    #[cfg(unix)]
    fn forbidden_bits(self) -> u32 {
        match self {
            Self::Secret => 0o077,
            Self::Trusted => 0o022,
        }
    }
}

/// What reading a private file found.
#[derive(Debug)]
pub(crate) enum ReadOutcome {
    Missing,
    Data(Vec<u8>),
    TooLarge(u64),
}

/// Creates `dir` (and missing parents) with mode 0700, then checks it.
pub(crate) fn ensure_private_dir(dir: &Path) -> Result<(), StoreError> {
    ensure_dir(dir, Exposure::Secret)
}

/// Creates `dir` (and missing parents) with mode 0700, then checks it with `exposure`'s
/// rule (an existing directory keeps its mode if the rule allows it).
pub(crate) fn ensure_dir(dir: &Path, exposure: Exposure) -> Result<(), StoreError> {
    let mut builder = fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::DirBuilderExt;
        builder.mode(0o700);
    }
    builder
        .create(dir)
        .map_err(|e| StoreError::io("create the directory", dir, e))?;
    check_dir(dir, exposure)
}

/// Refuses a directory that is a symlink, not ours, or accessible by group or others.
pub(crate) fn check_private_dir(dir: &Path) -> Result<(), StoreError> {
    check_dir(dir, Exposure::Secret)
}

/// Refuses a directory that is a symlink, not a directory, not owned by the current user,
/// or open to group or others beyond what `exposure` allows: a `Trusted` directory may be
/// readable by others but never writable by them, since whoever can write in it can plant
/// or replace what oauthctl reads there (a token endpoint in a cached discovery document).
pub(crate) fn check_dir(dir: &Path, exposure: Exposure) -> Result<(), StoreError> {
    let meta =
        fs::symlink_metadata(dir).map_err(|e| StoreError::io("inspect the directory", dir, e))?;
    if meta.file_type().is_symlink() {
        return Err(unsafe_path(
            dir,
            "it is a symbolic link (oauthctl's directories are never followed through links)",
            Some(format!(
                "replace the link {} with a directory, or name the directory it links to",
                dir.display()
            )),
        ));
    }
    if !meta.is_dir() {
        return Err(unsafe_path(dir, "it is not a directory", None));
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        check_owner(dir, meta.uid())?;
        let mode = meta.mode() & 0o7777;
        if mode & exposure.forbidden_bits() != 0 {
            let (what, fix) = match exposure {
                Exposure::Secret => ("accessible by group or others", "chmod 700"),
                Exposure::Trusted => ("writable by group or others", "chmod go-w"),
            };
            return Err(unsafe_path(
                dir,
                &format!("it is {what} (mode {mode:04o})"),
                Some(format!("{fix} {}", dir.display())),
            ));
        }
    }
    #[cfg(not(unix))]
    let _ = exposure;
    Ok(())
}

/// [`check_dir`] for a directory that may not exist yet; `Ok(false)` when it does not.
pub(crate) fn check_dir_if_exists(dir: &Path, exposure: Exposure) -> Result<bool, StoreError> {
    match fs::symlink_metadata(dir) {
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(false),
        _ => check_dir(dir, exposure).map(|()| true),
    }
}

/// Reads a private file without following a symlink, refusing foreign-owned or too-open
/// files and anything that is not a regular file. Reads at most `max_len` bytes.
pub(crate) fn read_private(
    path: &Path,
    exposure: Exposure,
    max_len: u64,
) -> Result<ReadOutcome, StoreError> {
    let mut file = match open_nofollow(path) {
        Ok(f) => f,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(ReadOutcome::Missing),
        Err(e) => {
            if fs::symlink_metadata(path).is_ok_and(|m| m.file_type().is_symlink()) {
                let fix = match exposure {
                    Exposure::Secret => format!("remove {} and log in again", path.display()),
                    Exposure::Trusted => format!(
                        "replace the link {} with the file it points to",
                        path.display()
                    ),
                };
                return Err(unsafe_path(
                    path,
                    "it is a symbolic link (oauthctl's files are never followed through links)",
                    Some(fix),
                ));
            }
            return Err(StoreError::io("open", path, e));
        }
    };
    let meta = file
        .metadata()
        .map_err(|e| StoreError::io("inspect", path, e))?;
    if !meta.is_file() {
        return Err(unsafe_path(path, "it is not a regular file", None));
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        check_owner(path, meta.uid())?;
        let mode = meta.mode() & 0o7777;
        if mode & exposure.forbidden_bits() != 0 {
            let (what, fix) = match exposure {
                Exposure::Secret => ("readable or writable by group or others", "chmod 600"),
                Exposure::Trusted => ("writable by group or others", "chmod go-w"),
            };
            return Err(unsafe_path(
                path,
                &format!("it is {what} (mode {mode:04o})"),
                Some(format!("{fix} {}", path.display())),
            ));
        }
    }
    #[cfg(not(unix))]
    let _ = exposure;
    if meta.len() > max_len {
        return Ok(ReadOutcome::TooLarge(meta.len()));
    }
    let mut buf = Vec::new();
    Read::by_ref(&mut file)
        .take(max_len + 1)
        .read_to_end(&mut buf)
        .map_err(|e| StoreError::io("read", path, e))?;
    if buf.len() as u64 > max_len {
        return Ok(ReadOutcome::TooLarge(buf.len() as u64));
    }
    Ok(ReadOutcome::Data(buf))
}

/// Replaces `path` (in `dir`) with `bytes` atomically: a 0600 temp file created
/// exclusively in the same directory, written, fsynced, then renamed over `path`. A
/// symlink at `path` is replaced, never followed. Runs under `dir`'s write lock, which
/// first removes the part files of writers that died (see [`lock_dir_for_writes`]).
pub(crate) fn write_private_atomic(
    dir: &Path,
    path: &Path,
    bytes: &[u8],
) -> Result<(), StoreError> {
    let lock = lock_dir_for_writes(dir)?;
    // tempfile creates the file with O_EXCL and mode 0600 on Unix.
    let mut tmp = tempfile::Builder::new()
        .prefix(PART_PREFIX)
        .suffix(PART_SUFFIX)
        .tempfile_in(dir)
        .map_err(|e| StoreError::io("create a temporary file in", dir, e))?;
    tmp.write_all(bytes)
        .and_then(|()| tmp.as_file().sync_all())
        .map_err(|e| StoreError::io("write", tmp.path().to_path_buf(), e))?;
    tmp.persist(path)
        .map_err(|e| StoreError::io("replace", path, e.error))?;
    // Make the rename itself durable; failure here loses nothing already visible.
    lock.sync();
    Ok(())
}

/// The names [`write_private_atomic`] gives its temp files: `.tmp-XXXXXX.part`.
const PART_PREFIX: &str = ".tmp-";
const PART_SUFFIX: &str = ".part";

/// How long a writer waits for another writer of the same directory. A write takes
/// milliseconds; this only bounds the wait behind a stopped process.
#[cfg(unix)]
const WRITE_LOCK_WAIT: Duration = Duration::from_secs(30);

/// A held write lock on a directory (see [`lock_dir_for_writes`]); dropping it releases it.
#[derive(Debug)]
pub(crate) struct DirWriteLock {
    dir: Option<File>,
}

impl DirWriteLock {
    /// fsyncs the directory (after a rename in it).
    fn sync(&self) {
        if let Some(d) = &self.dir {
            let _ = d.sync_all();
        }
    }
}

/// Takes `dir`'s write lock, an exclusive `flock` on the directory itself, and removes the
/// part files that writers killed midway left behind (a SIGKILL between create and rename
/// leaves a `.tmp-*.part` holding a full token set, which would survive `logout`).
///
/// Every writer of part files holds this lock from creating its part file until the
/// rename, so whoever holds it knows that any part file present belongs to a dead process:
/// the sweep can never delete a live writer's file under it. An age rule would leave a
/// fresh crash's file behind (and readable after `logout`) and could still race a slow
/// writer; a pid rule breaks on pid reuse and across pid namespaces sharing a home. The OS
/// releases the lock when its holder dies, so a crash never blocks later writers.
///
/// Where locking is unsupported (some network file systems, platforms without `flock`),
/// writes go ahead without the lock and without the sweep.
pub(crate) fn lock_dir_for_writes(dir: &Path) -> Result<DirWriteLock, StoreError> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        let file = OpenOptions::new()
            .read(true)
            .custom_flags(libc::O_DIRECTORY | libc::O_NOFOLLOW | libc::O_CLOEXEC)
            .open(dir)
            .map_err(|e| StoreError::io("open the directory", dir, e))?;
        match wait_for_lock(&file, dir, WRITE_LOCK_WAIT) {
            Ok(()) => {
                remove_stale_parts(dir)?;
                Ok(DirWriteLock { dir: Some(file) })
            }
            Err(StoreError::Io { .. }) => Ok(DirWriteLock { dir: Some(file) }),
            Err(e) => Err(e),
        }
    }
    #[cfg(not(unix))]
    {
        let _ = dir;
        Ok(DirWriteLock { dir: None })
    }
}

/// Removes the part files in `dir`. Only under [`lock_dir_for_writes`].
#[cfg(unix)]
fn remove_stale_parts(dir: &Path) -> Result<(), StoreError> {
    let entries = fs::read_dir(dir).map_err(|e| StoreError::io("list", dir, e))?;
    for entry in entries.flatten() {
        let name = entry.file_name();
        let name = name.to_string_lossy();
        // `file_type` does not follow symlinks: only our own regular part files go.
        if name.starts_with(PART_PREFIX)
            && name.ends_with(PART_SUFFIX)
            && entry.file_type().is_ok_and(|t| t.is_file())
        {
            remove_if_exists(&entry.path())?;
        }
    }
    Ok(())
}

/// Takes an exclusive lock on `file` (named `path`), polling until `timeout`.
pub(crate) fn wait_for_lock(file: &File, path: &Path, timeout: Duration) -> Result<(), StoreError> {
    const POLL_INTERVAL: Duration = Duration::from_millis(20);
    let start = Instant::now();
    loop {
        match file.try_lock() {
            Ok(()) => return Ok(()),
            Err(TryLockError::WouldBlock) => {
                let waited = start.elapsed();
                if waited >= timeout {
                    return Err(StoreError::LockTimeout {
                        path: path.to_path_buf(),
                        waited,
                    });
                }
                std::thread::sleep(POLL_INTERVAL.min(timeout.saturating_sub(waited)));
            }
            Err(TryLockError::Error(e)) => return Err(StoreError::io("lock", path, e)),
        }
    }
}

/// Opens (creating if needed) a 0600 file for locking, without following a symlink.
pub(crate) fn open_lock_file(path: &Path) -> Result<File, StoreError> {
    let mut opts = OpenOptions::new();
    opts.read(true).write(true).create(true).truncate(false);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        opts.mode(0o600)
            .custom_flags(libc::O_NOFOLLOW | libc::O_CLOEXEC);
    }
    let file = opts.open(path).map_err(|e| {
        if fs::symlink_metadata(path).is_ok_and(|m| m.file_type().is_symlink()) {
            unsafe_path(path, "it is a symbolic link", None)
        } else {
            StoreError::io("open the lock file", path, e)
        }
    })?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        let meta = file
            .metadata()
            .map_err(|e| StoreError::io("inspect", path, e))?;
        if !meta.is_file() {
            return Err(unsafe_path(path, "it is not a regular file", None));
        }
        check_owner(path, meta.uid())?;
    }
    Ok(file)
}

/// Removes a file; absent is fine.
pub(crate) fn remove_if_exists(path: &Path) -> Result<(), StoreError> {
    match fs::remove_file(path) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(()),
        Err(e) => Err(StoreError::io("delete", path, e)),
    }
}

fn open_nofollow(path: &Path) -> io::Result<File> {
    let mut opts = OpenOptions::new();
    opts.read(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        // O_NONBLOCK: a FIFO planted at the path must not hang the reader.
        opts.custom_flags(libc::O_NOFOLLOW | libc::O_CLOEXEC | libc::O_NONBLOCK);
    }
    opts.open(path)
}

#[cfg(unix)]
fn check_owner(path: &Path, uid: u32) -> Result<(), StoreError> {
    let me = rustix::process::geteuid().as_raw();
    if uid == me {
        Ok(())
    } else {
        // Another user could have planted it (and what is in it); never take it over
        // blindly, so the hint asks for a look first.
        Err(unsafe_path(
            path,
            &format!("it is owned by uid {uid}, not by you (uid {me})"),
            Some(format!(
                "check its content, then take it over: sudo chown -R {me} {}",
                path.display()
            )),
        ))
    }
}

fn unsafe_path(path: &Path, reason: &str, fix: Option<String>) -> StoreError {
    StoreError::Unsafe {
        path: path.to_path_buf(),
        reason: reason.to_owned(),
        fix,
    }
}

#[cfg(test)]
#[cfg(unix)]
mod tests {
    use std::os::unix::fs::{PermissionsExt, symlink};

    use super::*;

    fn set_mode(p: &Path, mode: u32) {
        fs::set_permissions(p, fs::Permissions::from_mode(mode)).unwrap();
    }

    fn fix(e: StoreError) -> Option<String> {
        match e {
            StoreError::Unsafe { fix, .. } => fix,
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn trusted_directories_may_be_readable_but_never_writable_by_others() {
        let home = tempfile::tempdir().unwrap();
        let d = home.path().join("d");
        ensure_dir(&d, Exposure::Trusted).unwrap();
        assert_eq!(
            fs::metadata(&d).unwrap().permissions().mode() & 0o777,
            0o700
        );
        for ok in [0o700, 0o750, 0o755] {
            set_mode(&d, ok);
            check_dir(&d, Exposure::Trusted).unwrap();
        }
        for bad in [0o770, 0o757, 0o1777] {
            set_mode(&d, bad);
            let e = check_dir(&d, Exposure::Trusted).unwrap_err();
            assert!(e.to_string().contains("writable by group or others"), "{e}");
            assert_eq!(fix(e), Some(format!("chmod go-w {}", d.display())));
        }
        set_mode(&d, 0o750);
        let e = check_dir(&d, Exposure::Secret).unwrap_err();
        assert_eq!(fix(e), Some(format!("chmod 700 {}", d.display())));
        assert!(!check_dir_if_exists(&home.path().join("absent"), Exposure::Trusted).unwrap());
        let link = home.path().join("link");
        symlink(&d, &link).unwrap();
        assert!(check_dir_if_exists(&link, Exposure::Trusted).is_err());
    }

    fn parts(dir: &Path) -> Vec<String> {
        let mut names: Vec<String> = fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .filter(|n| n.ends_with(PART_SUFFIX))
            .collect();
        names.sort();
        names
    }

    #[test]
    fn writes_remove_dead_writers_part_files_but_never_a_live_ones() {
        let home = tempfile::tempdir().unwrap();
        let dir = home.path().join("tokens");
        ensure_private_dir(&dir).unwrap();
        fs::write(dir.join(".tmp-dead01.part"), "a whole token set").unwrap();
        // Not ours to remove: other names, and a symlink named like a part file.
        fs::write(dir.join("keep.json"), "{}").unwrap();
        symlink(dir.join("keep.json"), dir.join(".tmp-link.part")).unwrap();

        // A live writer: holds the lock (which sweeps the dead part) and has its part file.
        let live = lock_dir_for_writes(&dir).unwrap();
        assert_eq!(parts(&dir), [".tmp-link.part"]);
        fs::write(dir.join(".tmp-live01.part"), "being written").unwrap();
        let (tx, rx) = std::sync::mpsc::channel();
        let writer = {
            let dir = dir.clone();
            std::thread::spawn(move || {
                write_private_atomic(&dir, &dir.join("other.json"), b"{}").unwrap();
                tx.send(()).unwrap();
            })
        };
        // The second writer waits for the lock; the live part file stays.
        assert!(rx.recv_timeout(Duration::from_millis(300)).is_err());
        assert!(dir.join(".tmp-live01.part").exists());
        fs::rename(dir.join(".tmp-live01.part"), dir.join("live.json")).unwrap();
        drop(live);
        rx.recv_timeout(Duration::from_secs(10)).unwrap();
        writer.join().unwrap();
        assert_eq!(parts(&dir), [".tmp-link.part"]);
        assert_eq!(fs::read(dir.join("live.json")).unwrap(), b"being written");
        assert_eq!(fs::read(dir.join("other.json")).unwrap(), b"{}");
        assert!(dir.join("keep.json").exists());
    }

    #[test]
    fn foreign_owners_are_refused_with_a_chown_hint() {
        if !rustix::process::geteuid().is_root() {
            // Only root can hand a file to someone else; `/` is someone else's then.
            let e = check_dir(Path::new("/"), Exposure::Trusted).unwrap_err();
            assert!(fix(e).unwrap().contains("sudo chown -R"));
            return;
        }
        let home = tempfile::tempdir().unwrap();
        let f = home.path().join("f");
        fs::write(&f, "x").unwrap();
        std::os::unix::fs::chown(&f, Some(4321), None).unwrap();
        let e = read_private(&f, Exposure::Trusted, 10).unwrap_err();
        assert!(
            e.to_string()
                .contains("owned by uid 4321, not by you (uid 0)"),
            "{e}"
        );
        assert_eq!(
            fix(e),
            Some(format!(
                "check its content, then take it over: sudo chown -R 0 {}",
                f.display()
            ))
        );
        std::os::unix::fs::chown(home.path(), Some(4321), None).unwrap();
        assert!(check_dir(home.path(), Exposure::Trusted).is_err());
        std::os::unix::fs::chown(home.path(), Some(0), None).unwrap();
    }
}
