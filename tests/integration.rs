//! The one integration-test binary.

// Test helpers outside #[test] functions unwrap freely too.
#![allow(clippy::unwrap_used, clippy::many_single_char_names)]

mod serve;
mod support;
