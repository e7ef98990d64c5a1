//! The composition root: the one place that knows both the command line and the commands.
//!
//! It parses the command line (`cli`, clap), turns the parsed arguments into each
//! command's own options and the global [`Flags`], builds the [`Ui`] and the [`Deps`] (the
//! real clock, paths from the environment, an HTTP client built on first use), runs the
//! command and writes its outcome. Nothing below this module imports `cli` or clap; tests
//! build [`Deps`] of their own (a fixed clock, a temporary home) and run commands in
//! process through [`Invocation::outcome`].

mod convert;
mod generate;
mod tools;

use std::ffi::OsString;
use std::path::Path;
use std::sync::Arc;

use crate::cli::{Cli, Command};
use crate::clock::{Clock, SystemClock};
use crate::commands::{self, Context};
use crate::config::Flags;
use crate::demo;
use crate::error::Result;
use crate::output::{Outcome, Ui};
use crate::paths::Paths;

pub use crate::commands::Deps;

impl Deps {
    /// The real effects: the system clock, the paths `OAUTHCTL_HOME` or the XDG directories
    /// name, and the HTTP client and browser chosen from the flags on first use.
    pub fn system() -> Self {
        Self {
            clock: Arc::new(SystemClock),
            paths: Paths::from_env(),
            http: None,
            browser: None,
        }
    }

    /// Effects for a run in `home` (laid out as `OAUTHCTL_HOME=home` would lay it out) with
    /// `clock`; the HTTP client and browser as [`Deps::system`] chooses them.
    pub fn in_home(home: &Path, clock: Arc<dyn Clock>) -> Self {
        Self {
            clock,
            paths: Paths::resolve(Some(home.to_path_buf()), None, None, None),
            http: None,
            browser: None,
        }
    }
}

/// One parsed command line.
pub struct Invocation {
    cli: Cli,
    flags: Flags,
}

impl std::fmt::Debug for Invocation {
    // The parsed command line may hold `--client-secret`; the flags redact it.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Invocation")
            .field("flags", &self.flags)
            .finish_non_exhaustive()
    }
}

impl Invocation {
    /// Parses the process's arguments. clap prints help, the version and usage errors
    /// itself and exits (with 2 for usage errors).
    pub fn from_env() -> Self {
        Self::new(crate::cli::parse())
    }

    /// Parses `argv` (program name first) like [`Invocation::from_env`].
    pub fn parse_from(argv: &[OsString]) -> Self {
        Self::new(crate::cli::parse_from(argv))
    }

    /// Parses `args` (without the program name) as the binary would, except that no
    /// `OAUTHCTL_*` variable fills a flag: an in-process run must not depend on the test
    /// process's environment. A usage error is returned as clap's message.
    #[cfg(any(test, feature = "testing"))]
    pub fn parse_without_env(args: &[&str]) -> std::result::Result<Self, String> {
        use clap::FromArgMatches as _;
        let argv = std::iter::once("oauthctl").chain(args.iter().copied());
        command_without_env()
            .try_get_matches_from(argv)
            .and_then(|mut m| Cli::from_arg_matches_mut(&mut m))
            .map(Self::new)
            .map_err(|e| e.to_string())
    }

    fn new(cli: Cli) -> Self {
        let flags = convert::flags(&cli.global);
        Self { cli, flags }
    }

    /// The terminal for this invocation: format, verbosity and colour from the flags, and
    /// the flags that suggested commands repeat.
    pub fn ui(&self) -> Ui {
        Ui::new(convert::ui_options(&self.cli.global))
    }

    /// Runs the command with the real effects and writes its output through `ui`.
    pub fn run(self, ui: &Ui) -> Result<()> {
        let outcome = self.outcome(ui, Deps::system())?;
        ui.emit(outcome.output)?;
        match outcome.failure {
            Some(err) => Err(err),
            None => Ok(()),
        }
    }

    /// Runs the command with `deps` and returns what it would write, without writing it
    /// (narrative, warnings and traces still go to `ui`'s stderr).
    pub fn outcome(self, ui: &Ui, deps: Deps) -> Result<Outcome> {
        let ctx = Context::new(&self.flags, ui, deps);
        dispatch(self.cli.command.0, &ctx)
    }
}

/// The whole command line without its environment variables (every `env =` is on a global
/// flag, so clearing the top level's clears the copies in the subcommands too).
#[cfg(any(test, feature = "testing"))]
fn command_without_env() -> clap::Command {
    use clap::CommandFactory as _;
    Cli::command().mut_args(|a| a.env(None::<&str>))
}

/// Runs one subcommand with its options.
fn dispatch(command: Command, ctx: &Context<'_>) -> Result<Outcome> {
    match command {
        Command::Decode(args) => commands::decode::run(ctx, &args.0.into()),
        Command::Login(args) => commands::login::run(ctx, &args.0.into()),
        Command::Token(args) => commands::token::run(ctx, &args.0.into()),
        Command::Refresh => commands::refresh::run(ctx),
        Command::Exchange(args) => commands::exchange::run(ctx, &args.0.into()),
        Command::Call(args) => commands::call::run(ctx, &args.into()),
        Command::Introspect(args) => commands::introspect::run(ctx, &args.0.into()),
        Command::Revoke(args) => commands::revoke::run(ctx, &args.0.into()),
        Command::Userinfo => commands::userinfo::run(ctx),
        Command::Exec(args) => commands::exec::run(ctx, &args.0.into()),
        Command::Logout(args) => commands::logout::run(ctx, &args.0.into()),
        Command::Status => commands::status::run(ctx),
        Command::Demo => demo::run(ctx.ui),
        Command::Providers => commands::providers::run(ctx),
        Command::Serve(args) => commands::serve::run(ctx, &args.0.into()),
        Command::Completions { shell } => Ok(generate::completions(shell)),
        Command::Generate { target } => generate::run(&target),
        Command::Jwt(crate::cli::JwtCommand::Sign(args)) => {
            commands::jwt_sign::run(ctx, &args.0.into())
        }
        Command::GitCredential(args) => commands::git_credential::run(ctx, &args.0.into()),
        Command::Doctor(args) => commands::doctor::run(ctx, &args.0.into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_in_process_parse_reads_no_environment_variable() {
        use clap::CommandFactory as _;
        fn env_args(cmd: &clap::Command) -> usize {
            cmd.get_arguments()
                .filter(|a| a.get_env().is_some())
                .count()
                + cmd.get_subcommands().map(env_args).sum::<usize>()
        }
        let mut full = Cli::command();
        full.build();
        assert!(env_args(&full) > 0, "the binary reads OAUTHCTL_* variables");
        let mut isolated = command_without_env();
        isolated.build();
        assert_eq!(env_args(&isolated), 0);
        let parsed = Invocation::parse_without_env(&["-p", "work", "token", "--min-ttl", "5m"]);
        assert_eq!(parsed.map(|i| i.flags.profile), Ok(Some("work".to_owned())));
        assert!(Invocation::parse_without_env(&["token", "--bogus"]).is_err());
    }
}
