//! oauthctl: an OAuth 2.0 / OpenID Connect toolkit for the terminal.
//!
//! The crate is layered (see the README's architecture section): `cli` holds plain clap
//! types; `config` resolves them into [`config::Settings`]; `commands` orchestrate and return
//! reports without printing; `output` is the only layer that writes to the terminal; `oauth`
//! holds the protocol rules with no I/O; `http` is the one HTTP client.
#![deny(clippy::print_stdout, clippy::print_stderr)]

pub mod browser;
pub mod cli;
pub mod clock;
pub mod commands;
pub mod config;
pub mod demo;
pub mod devserver;
pub mod error;
pub mod flow;
pub mod http;
pub mod httpd;
pub mod oauth;
pub mod output;
pub mod store;
#[doc(hidden)]
pub mod testing;

use cli::{Cli, Command};
pub use error::{Error, Result};
use output::Ui;

/// Runs one parsed command line, writing its output through `ui`.
pub fn run(cli: Cli, ui: &Ui) -> Result<()> {
    let ctx = commands::Context::new(&cli.global, ui);
    let outcome = match cli.command.0 {
        Command::Decode(args) => commands::decode::run(&ctx, &args)?,
        Command::Login(args) => commands::login::run(&ctx, &args)?,
        Command::Token(args) => commands::token::run(&ctx, &args)?,
        Command::Refresh => commands::refresh::run(&ctx)?,
        Command::Call(args) => commands::call::run(&ctx, &args)?,
        Command::Introspect(args) => commands::introspect::run(&ctx, &args)?,
        Command::Userinfo => commands::userinfo::run(&ctx)?,
        Command::Exec(args) => commands::exec::run(&ctx, &args)?,
        Command::Logout(args) => commands::logout::run(&ctx, &args)?,
        Command::Status => commands::status::run(&ctx)?,
        Command::Demo => demo::run(ui)?,
        Command::Providers => commands::providers::run(&ctx)?,
        Command::Serve(args) => commands::serve::run(&ctx, &args)?,
        Command::Completions { shell } => commands::generate::completions(shell),
        Command::Generate { target } => commands::generate::run(&target)?,
    };
    ui.emit(outcome.output)?;
    match outcome.failure {
        Some(err) => Err(err),
        None => Ok(()),
    }
}
