//! Entry point. Everything except argument parsing and the exit code lives in the library.
use std::process::ExitCode;

use oauthctl::output::Ui;

fn main() -> ExitCode {
    let cli = oauthctl::cli::parse(); // clap renders usage errors itself and exits with 2
    // Whether to colour is decided per stream by `Ui` (a `Theme` each); the crate's own
    // environment detection is switched off so it never disagrees.
    colored::control::set_override(true);
    let ui = Ui::new(&cli.global);
    match oauthctl::run(cli, &ui) {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => ui.fail(&err),
    }
}
