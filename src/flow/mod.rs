//! Use cases: sequences of protocol steps over the seams (HTTP, cache, clock). No clap, no
//! terminal output.

pub mod client;
pub mod discovery;
pub mod loopback;
pub mod provider;
