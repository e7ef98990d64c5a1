//! Entry point. Everything except argument parsing and the exit code lives in the library.
use std::process::ExitCode;

fn main() -> ExitCode {
    // clap renders usage errors itself and exits with 2.
    let invocation = oauthctl::Invocation::from_env();
    // Whether to colour is decided per stream by `Ui` (a `Theme` each); the crate's own
    // environment detection is switched off so it never disagrees.
    colored::control::set_override(true);
    let ui = invocation.ui();
    match invocation.run(&ui) {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => ui.fail(&err),
    }
}
