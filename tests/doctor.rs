//! `doctor` (in progress).
