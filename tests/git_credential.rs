//! `git-credential` (in progress).
