//! The protocol domain: types and rules of OAuth 2.0, OpenID Connect and JOSE. No I/O, no
//! clap, no colour: everything here is a pure function of its inputs and a given `now`.

pub mod discovery;
pub mod errors;

pub mod providers;
pub mod secret;
pub mod tokens;
pub mod url_policy;
