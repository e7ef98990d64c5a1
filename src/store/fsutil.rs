//! Private-file primitives shared by the file store, the index and the lock files
//! (security C64): directories 0700, files 0600 from creation, no following symlinks,
//! atomic replace (temp file in the same directory + fsync + rename), and ssh-style
//! refusal of foreign-owned or too-open files.

use std::fs::{self, File, OpenOptions};
use std::io::{self, Read, Write};
use std::path::Path;

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
    check_private_dir(dir)
}

/// Refuses a directory that is a symlink, not ours, or accessible by group or others.
pub(crate) fn check_private_dir(dir: &Path) -> Result<(), StoreError> {
    let meta =
        fs::symlink_metadata(dir).map_err(|e| StoreError::io("inspect the directory", dir, e))?;
    if meta.file_type().is_symlink() {
        return Err(unsafe_path(dir, "it is a symbolic link", None));
    }
    if !meta.is_dir() {
        return Err(unsafe_path(dir, "it is not a directory", None));
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        check_owner(dir, meta.uid())?;
        let mode = meta.mode() & 0o7777;
        if mode & 0o077 != 0 {
            return Err(unsafe_path(
                dir,
                &format!("it is accessible by group or others (mode {mode:04o})"),
                Some(format!("chmod 700 {}", dir.display())),
            ));
        }
    }
    Ok(())
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
                return Err(unsafe_path(
                    path,
                    "it is a symbolic link (token files are never followed through links)",
                    Some(format!("remove {} and log in again", path.display())),
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
            let what = match exposure {
                Exposure::Secret => "readable or writable by group or others",
                Exposure::Trusted => "writable by group or others",
            };
            return Err(unsafe_path(
                path,
                &format!("it is {what} (mode {mode:04o})"),
                Some(format!("chmod 600 {}", path.display())),
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
/// symlink at `path` is replaced, never followed.
pub(crate) fn write_private_atomic(
    dir: &Path,
    path: &Path,
    bytes: &[u8],
) -> Result<(), StoreError> {
    // tempfile creates the file with O_EXCL and mode 0600 on Unix.
    let mut tmp = tempfile::Builder::new()
        .prefix(".tmp-")
        .suffix(".part")
        .tempfile_in(dir)
        .map_err(|e| StoreError::io("create a temporary file in", dir, e))?;
    tmp.write_all(bytes)
        .and_then(|()| tmp.as_file().sync_all())
        .map_err(|e| StoreError::io("write", tmp.path().to_path_buf(), e))?;
    tmp.persist(path)
        .map_err(|e| StoreError::io("replace", path, e.error))?;
    #[cfg(unix)]
    {
        // Make the rename itself durable; failure here loses nothing already visible.
        if let Ok(d) = File::open(dir) {
            let _ = d.sync_all();
        }
    }
    Ok(())
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
        Err(unsafe_path(
            path,
            &format!("it is owned by uid {uid}, not by you (uid {me})"),
            None,
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
