//! The one integration-test binary: black-box tests of the `oauthctl` binary and in-process
//! tests against the embedded development server.

#![allow(unreachable_pub, missing_debug_implementations)]

mod support;

mod cli;
mod decode;
