//! oauthctl: an OAuth 2.0 / OpenID Connect toolkit for the terminal.
//!
//! The crate is layered (see the README's architecture section). [`app`] is the roof: the
//! composition root, the only module besides this one and `main` that knows the command
//! line (`cli`, plain clap types). It turns the parsed arguments into each command's own
//! options and builds the effects commands use ([`app::Deps`]). `commands` orchestrate and
//! return reports without printing; `config` resolves [`config::Flags`] and the files into
//! [`config::Settings`]; `flow` runs protocol sequences; `output` is the only layer that
//! writes to the terminal; `oauth` holds the protocol rules with no I/O; `http` is the one
//! HTTP client; `text` is pure text handling any layer may use.
#![deny(clippy::print_stdout, clippy::print_stderr)]

pub mod app;
pub mod browser;
mod cli;
pub mod clock;
mod commands;
pub mod config;
pub mod demo;
pub mod devserver;
pub mod error;
pub mod flow;
pub mod http;
pub mod httpd;
pub mod oauth;
pub mod output;
pub mod paths;
pub mod store;
#[cfg(any(test, feature = "testing"))]
pub mod testing;
pub(crate) mod text;

pub use app::{Deps, Invocation};
pub use error::{Error, Result};
