//! Entry point. Everything except argument parsing and the exit code lives in the library.
use std::process::ExitCode;

use clap::Parser as _;
use oauthctl::{cli::Cli, output::Ui};

fn main() -> ExitCode {
    let cli = Cli::parse(); // clap renders usage errors itself and exits with 2
    let ui = Ui::new(&cli.global);
    match oauthctl::run(cli, &ui) {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => ui.fail(&err),
    }
}
