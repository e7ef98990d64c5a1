//! Parsing the command line without building the whole interface first.
//!
//! `oauthctl token` and `decode` are called in loops, so start-up matters. A plain
//! `Cli::parse()` builds every subcommand with all its arguments, copies the 15 global flags
//! into each of them, parses, and then frees it all: about a third of the process's
//! instructions, and most of its heap. Two wrappers keep that to the subcommand in use:
//!
//! - [`Lazy`] defers a subcommand's own arguments until clap enters that subcommand
//!   (`Command::defer`);
//! - [`Picked`] lets [`parse`] build the top level with only the subcommands whose names
//!   appear on the command line, so the global flags are copied into those alone.
//!
//! The result is the same as a full parse: a name that is not on the command line cannot be
//! the subcommand, and whenever the reduced parse does not succeed (help, version, any usage
//! error) the command line is parsed again with every subcommand, so that messages, help and
//! suggestions are exactly clap's. A test compares the two parses.

use std::cell::RefCell;
use std::ffi::OsString;

use clap::builder::Resettable;
use clap::{ArgMatches, Args, CommandFactory as _, FromArgMatches, Subcommand};

use super::Cli;

/// `Deref` to, and `FromArgMatches` through, the wrapped value: both wrappers change only
/// how the parser is built, not what it produces.
macro_rules! transparent_wrapper {
    ($name:ident) => {
        impl<T> std::ops::Deref for $name<T> {
            type Target = T;
            fn deref(&self) -> &T {
                &self.0
            }
        }

        impl<T: FromArgMatches> FromArgMatches for $name<T> {
            fn from_arg_matches(matches: &ArgMatches) -> Result<Self, clap::Error> {
                T::from_arg_matches(matches).map(Self)
            }
            fn from_arg_matches_mut(matches: &mut ArgMatches) -> Result<Self, clap::Error> {
                T::from_arg_matches_mut(matches).map(Self)
            }
            fn update_from_arg_matches(&mut self, matches: &ArgMatches) -> Result<(), clap::Error> {
                self.0.update_from_arg_matches(matches)
            }
            fn update_from_arg_matches_mut(
                &mut self,
                matches: &mut ArgMatches,
            ) -> Result<(), clap::Error> {
                self.0.update_from_arg_matches_mut(matches)
            }
        }
    };
}

/// A subcommand's arguments, added to the parser only when that subcommand is the one being
/// parsed. Completions and the man page call `Command::build`, which runs the deferred parts,
/// so they still see everything.
///
/// Not for `call`: its `--json BODY` replaces the global `--json` flag, which clap does only
/// when the subcommand's own arguments exist before the global ones are propagated.
#[derive(Debug, Clone, Default)]
pub(crate) struct Lazy<T>(pub T);

transparent_wrapper!(Lazy);

impl<T: Args> Args for Lazy<T> {
    fn augment_args(cmd: clap::Command) -> clap::Command {
        cmd.defer(|cmd| keep_about(cmd, T::augment_args))
    }
    fn augment_args_for_update(cmd: clap::Command) -> clap::Command {
        cmd.defer(|cmd| keep_about(cmd, T::augment_args_for_update))
    }
    fn group_id() -> Option<clap::Id> {
        T::group_id()
    }
}

/// Adds deferred arguments without letting the `Args` struct's doc comment replace the
/// subcommand's own description (the derive sets the variant's after the struct's; a deferred
/// `augment_args` runs later, so the order is restored here).
fn keep_about(cmd: clap::Command, augment: fn(clap::Command) -> clap::Command) -> clap::Command {
    let about = cmd.get_about().cloned();
    let long_about = cmd.get_long_about().cloned();
    augment(cmd)
        .about(Resettable::from(about))
        .long_about(Resettable::from(long_about))
}

thread_local! {
    /// The subcommand names [`Picked`] adds; `None` adds all. Set only inside [`parse_from`].
    static PICKED: RefCell<Option<Vec<String>>> = const { RefCell::new(None) };
}

/// The subcommand enum, with every subcommand added to the parser unless [`parse_from`] is
/// building a reduced top level.
#[derive(Debug, Clone)]
pub(crate) struct Picked<T>(pub T);

transparent_wrapper!(Picked);

impl<T: Subcommand> Subcommand for Picked<T> {
    fn augment_subcommands(cmd: clap::Command) -> clap::Command {
        let Some(names) = PICKED.with(|p| p.borrow().clone()) else {
            return T::augment_subcommands(cmd);
        };
        // The subcommands themselves are cheap here: their arguments are `Lazy`.
        let all = T::augment_subcommands(clap::Command::new("all"));
        all.get_subcommands()
            .filter(|sc| names.iter().any(|n| n == sc.get_name()))
            .fold(cmd, |cmd, sc| cmd.subcommand(sc.clone()))
    }
    fn augment_subcommands_for_update(cmd: clap::Command) -> clap::Command {
        T::augment_subcommands_for_update(cmd)
    }
    fn has_subcommand(name: &str) -> bool {
        T::has_subcommand(name)
    }
}

/// Parses the process's arguments; clap prints help, the version and usage errors itself
/// and exits (with 2 for usage errors).
pub(crate) fn parse() -> Cli {
    let argv: Vec<OsString> = std::env::args_os().collect();
    parse_from(&argv)
}

/// Parses `argv` (program name first) like [`parse`].
pub(crate) fn parse_from(argv: &[OsString]) -> Cli {
    if let Some(cli) = parse_reduced(argv) {
        return cli;
    }
    let mut cmd = Cli::command();
    let mut matches = cmd
        .try_get_matches_from_mut(argv)
        .unwrap_or_else(|e| e.exit());
    let cli = Cli::from_arg_matches_mut(&mut matches).unwrap_or_else(|e| e.format(&mut cmd).exit());
    // The parser's tables die with the process; freeing them one by one costs more than
    // everything `token` itself does.
    std::mem::forget(cmd);
    cli
}

/// The parse with only the subcommands named in `argv`, or `None` when it does not succeed
/// (including help and version requests) or names none.
fn parse_reduced(argv: &[OsString]) -> Option<Cli> {
    let names: Vec<String> = argv
        .iter()
        .skip(1)
        .filter_map(|a| a.to_str())
        .filter(|a| super::Command::has_subcommand(a))
        .map(str::to_owned)
        .collect();
    if names.is_empty() {
        return None;
    }
    PICKED.with(|p| *p.borrow_mut() = Some(names));
    let mut cmd = Cli::command();
    PICKED.with(|p| *p.borrow_mut() = None);
    let cli = cmd
        .try_get_matches_from_mut(argv)
        .and_then(|mut m| Cli::from_arg_matches_mut(&mut m))
        .ok();
    std::mem::forget(cmd);
    cli
}

#[cfg(test)]
mod tests {
    use super::*;

    fn argv(line: &str) -> Vec<OsString> {
        std::iter::once("oauthctl")
            .chain(line.split_whitespace())
            .map(OsString::from)
            .collect()
    }

    fn full(line: &str) -> Option<String> {
        let mut cmd = Cli::command();
        cmd.try_get_matches_from_mut(argv(line))
            .and_then(|mut m| Cli::from_arg_matches_mut(&mut m))
            .ok()
            .map(|cli| format!("{cli:?}"))
    }

    #[test]
    fn the_reduced_parse_equals_the_full_one() {
        for line in [
            "token",
            "token --format json --min-ttl 5m",
            "-p work token --id-token",
            "--profile decode token",
            "--json --verbose -v status",
            "decode eyJhbGciOiJub25lIn0.e30.",
            "decode --verify --alg RS256 --alg ES256 --audience api -",
            "call -H X-A:1 --json {} POST http://127.0.0.1/x",
            "call --data a=b -i http://127.0.0.1/x",
            "exec -- env token decode",
            "login --flow device --scope openid --no-browser --provider google",
            "logout --no-revoke",
            "introspect --quiet TOKEN",
            "serve --port 0 --rate-limit 0 --alg RS256",
            "completions bash",
            "refresh --token-store file",
            "providers",
            "userinfo --issuer http://127.0.0.1:9",
            "demo",
        ] {
            let reduced = parse_reduced(&argv(line)).map(|cli| format!("{cli:?}"));
            assert!(reduced.is_some(), "{line} does not parse");
            assert_eq!(reduced, full(line), "{line}");
        }
    }

    #[test]
    fn help_version_and_errors_take_the_full_parse() {
        for line in [
            "",
            "--help",
            "token --help",
            "help token",
            "--version",
            "token --bogus",
            "--profile token",
            "tokn",
            "decode --alg",
        ] {
            assert!(parse_reduced(&argv(line)).is_none(), "{line}");
        }
    }

    #[test]
    fn only_the_named_subcommands_are_built() {
        PICKED.with(|p| *p.borrow_mut() = Some(vec!["token".to_owned()]));
        let cmd = Cli::command();
        PICKED.with(|p| *p.borrow_mut() = None);
        let names: Vec<&str> = cmd.get_subcommands().map(clap::Command::get_name).collect();
        assert_eq!(names, ["token"]);
        assert!(Cli::command().get_subcommands().count() > 10);
    }
}
