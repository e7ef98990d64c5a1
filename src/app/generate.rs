//! `completions SHELL` and the hidden `generate TARGET`: completion scripts and the man page,
//! generated from the clap definition. The committed copies under `completions/` and `doc/`
//! are checked against this output by a test.

use std::fmt::Write as _;

use clap::CommandFactory;
use clap_complete::Shell;

use crate::cli::Cli;
use crate::error::{Error, Result};
use crate::output::Outcome;

/// A completion script for `shell`.
pub(super) fn completions(shell: Shell) -> Outcome {
    Outcome::data(completion_script(shell))
}

/// The completion script text for `shell`.
pub(super) fn completion_script(shell: Shell) -> Vec<u8> {
    let mut cmd = Cli::command();
    let mut buf = Vec::new();
    clap_complete::generate(shell, &mut cmd, "oauthctl", &mut buf);
    buf
}

/// The man page in roff: clap_mangen's sections, with an EXAMPLES section (each
/// subcommand's examples from its `--help`) before the exit codes.
pub(super) fn man_page() -> Vec<u8> {
    // `build` runs the subcommands' deferred arguments (`cli::Lazy`).
    let mut cmd = Cli::command();
    cmd.build();
    let examples = man_examples(&cmd);
    let man = clap_mangen::Man::new(cmd);
    let mut buf = Vec::new();
    // Rendering into a Vec cannot fail.
    let _ = man.render_title(&mut buf);
    let _ = man.render_name_section(&mut buf);
    let _ = man.render_synopsis_section(&mut buf);
    let _ = man.render_description_section(&mut buf);
    let _ = man.render_options_section(&mut buf);
    let _ = man.render_subcommands_section(&mut buf);
    buf.extend_from_slice(examples.as_bytes());
    let _ = man.render_extra_section(&mut buf);
    let _ = man.render_version_section(&mut buf);
    once_preamble(&buf)
}

/// `buf` with the string definitions each separately rendered section starts with kept
/// only at the top.
fn once_preamble(buf: &[u8]) -> Vec<u8> {
    const PREAMBLE: &str = ".ie \\n(.g .ds Aq \\(aq\n.el .ds Aq '\n";
    let text = String::from_utf8_lossy(buf);
    match text.split_once(PREAMBLE) {
        Some((head, rest)) => {
            format!("{head}{PREAMBLE}{}", rest.replace(PREAMBLE, "")).into_bytes()
        }
        None => buf.to_vec(),
    }
}

/// Escapes a line for roff no-fill mode.
fn roff_line(line: &str) -> String {
    let escaped = line.replace('\\', "\\e").replace('-', "\\-");
    if escaped.starts_with(['.', '\'']) {
        format!("\\&{escaped}")
    } else {
        escaped
    }
}

/// `.SH EXAMPLES`, one subsection per visible subcommand with examples.
fn man_examples(cmd: &clap::Command) -> String {
    let mut out = String::from(".SH EXAMPLES\n");
    for sc in cmd.get_subcommands().filter(|sc| !sc.is_hide_set()) {
        let Some(help) = sc.get_after_help().map(ToString::to_string) else {
            continue;
        };
        let _ = write!(out, ".SS \"oauthctl {}\"\n.nf\n", sc.get_name());
        for line in help.lines().filter(|l| *l != "Examples:") {
            out.push_str(&roff_line(line.strip_prefix("  ").unwrap_or(line)));
            out.push('\n');
        }
        out.push_str(".fi\n");
    }
    out
}

/// `generate man` or `generate SHELL`.
pub(super) fn run(target: &str) -> Result<Outcome> {
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
