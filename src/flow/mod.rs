//! Use cases: sequences of protocol steps over the seams (HTTP, cache, clock). No clap, no
//! terminal output.

pub(crate) mod authcode;
pub mod client;
pub mod client_credentials;
pub mod device;
pub(crate) mod discovery;
pub mod dpop;
pub mod events;
pub(crate) mod id_check;
pub mod jwt_bearer;
pub(crate) mod keys;
pub mod loopback;
pub mod paste;
pub mod provider;
pub(crate) mod registration;
pub mod renewal;
pub(crate) mod resource;
pub(crate) mod revocation;
pub mod token_exchange;
