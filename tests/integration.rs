//! The one integration-test binary: black-box tests of the `oauthctl` binary and in-process
//! tests against the embedded development server.

#![allow(unreachable_pub, missing_debug_implementations)]
// Test code: panicking on a broken fixture is the right failure.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::format_push_string,
    clippy::many_single_char_names
)]

mod support;

mod architecture;
mod browser;
mod call;
mod claims;
mod cli;
mod decode;
mod demo;
mod device;
mod doctor;
mod dpop;
mod exchange;
mod exec;
mod git_credential;
mod help;
mod hints;
#[cfg(unix)]
mod home;
mod in_process;
mod interop;
mod interop_grants;
mod interop_strict;
mod introspect;
mod jwt_bearer;
mod jwt_sign;
#[cfg(target_os = "linux")]
mod kernel_keyring;
mod keyring;
pub mod kubectl;
mod login;
mod login_ux;
mod mcp_conformance;
mod misbehave;
mod profiles;
mod quickstart;
mod redirect;
mod resource_login;
mod revoke;
mod serve;
mod tls;
mod token;
mod userinfo;
