//! `completions SHELL` and the hidden `generate TARGET`: completion scripts and the man page,
//! generated from the clap definition. The committed copies under `completions/` and `doc/`
//! are checked against this output by a test.

use clap::CommandFactory;
use clap_complete::Shell;

use crate::cli::Cli;
use crate::error::{Error, Result};
use crate::output::Outcome;

/// A completion script for `shell`.
pub fn completions(shell: Shell) -> Outcome {
    Outcome::data(completion_script(shell))
}

/// The completion script text for `shell`.
pub fn completion_script(shell: Shell) -> Vec<u8> {
    let mut cmd = Cli::command();
    let mut buf = Vec::new();
    clap_complete::generate(shell, &mut cmd, "oauthctl", &mut buf);
    buf
}

/// The man page in roff.
pub fn man_page() -> Vec<u8> {
    let mut buf = Vec::new();
    // Rendering into a Vec cannot fail.
    // `build` runs the subcommands' deferred arguments (`cli::Lazy`).
    let mut cmd = Cli::command();
    cmd.build();
    let _ = clap_mangen::Man::new(cmd).render(&mut buf);
    buf
}

/// `generate man` or `generate SHELL`.
pub fn run(target: &str) -> Result<Outcome> {
    if target == "man" {
        return Ok(Outcome::data(man_page()));
    }
    let shell: Shell = target.parse().map_err(|_| {
        Error::usage(
            format!("unknown generate target `{target}`"),
            Some("use man, bash, zsh, fish, powershell or elvish".to_owned()),
        )
    })?;
    Ok(completions(shell))
}
