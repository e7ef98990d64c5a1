//! Use cases: sequences of protocol steps over the seams (HTTP, cache, clock). No clap, no
//! terminal output.

pub mod authcode;
pub mod client;
pub mod client_credentials;
pub mod device;
pub mod discovery;
pub mod events;
pub mod id_check;
pub mod keys;
pub mod loopback;
pub mod provider;
pub mod renewal;
