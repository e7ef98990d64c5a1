//! The one integration-test binary.

mod keyring;
