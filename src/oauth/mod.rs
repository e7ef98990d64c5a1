//! The protocol domain: types and rules of OAuth 2.0, OpenID Connect and JOSE. No I/O, no
//! clap, no colour: everything here is a pure function of its inputs and a given `now`.

pub mod client_auth;
pub mod discovery;
pub mod errors;
pub mod expires_in;
pub mod id_token;
pub mod jwt;
pub mod pkce;
pub mod providers;
pub mod secret;
pub mod strict_json;
pub mod token_chars;
pub mod token_response;
pub mod tokens;
pub mod url_policy;
pub mod www_authenticate;
