//! The protocol domain: types and rules of OAuth 2.0, OpenID Connect and JOSE. No I/O, no
//! clap, no colour: everything here is a pure function of its inputs and a given `now`.

pub(crate) mod callback;
pub mod client_assertion;
pub mod client_auth;
pub(crate) mod discovery;
pub mod dpop;
pub mod errors;
pub(crate) mod expires_in;
pub mod grant;
pub(crate) mod id_token;
pub(crate) mod introspection;
pub mod jose;
pub(crate) mod jwt;
pub mod mtls;
pub mod par;
pub mod pkce;
pub mod providers;
pub mod redirect_uri;
pub(crate) mod registration;
pub(crate) mod resource;
pub(crate) mod revocation;
pub mod secret;
pub(crate) mod strict_json;
pub(crate) mod token_chars;
pub mod token_exchange;
pub mod token_response;
pub mod token_type;
pub mod tokens;
pub(crate) mod url_policy;
pub(crate) mod userinfo;
pub(crate) mod www_authenticate;
