//! `exec -- CMD…`: runs CMD with `OAUTHCTL_ACCESS_TOKEN` and `OAUTHCTL_TOKEN_TYPE` in its
//! environment, refreshed first like `token`, so the token never appears in an argument
//! list (`ps`) or in shell history. CMD runs directly, without a shell; its exit status is
//! passed through (a signal N as 128 + N, as shells report it).
//!
//! A DPoP-bound token (RFC 9449) is exported too, with `OAUTHCTL_TOKEN_TYPE=DPoP`: it is
//! useless without a proof per request, which CMD gets from `oauthctl token --dpop-proof
//! METHOD URL`; `OAUTHCTL_PROFILE` (and `OAUTHCTL_CONFIG`, when `--config` was given) name the
//! profile for that, so the proof key itself never leaves the token store.

use std::process::{Command, ExitStatus};
use std::time::Duration;

use crate::error::{Error, Result};
use crate::output::Outcome;

use super::Context;
use super::session::{Session, usable_tokens};

/// What `exec` was asked for.
#[derive(Debug, Clone)]
pub(crate) struct Options {
    /// The command and its arguments.
    pub command: Vec<String>,
    /// Refresh first when the token expires within this time.
    pub min_ttl: Duration,
}

/// Runs `exec`.
pub(crate) fn run(ctx: &Context<'_>, args: &Options) -> Result<Outcome> {
    let Some((program, rest)) = args.command.split_first() else {
        return Err(Error::usage(
            "no command given",
            Some("oauthctl exec -- CMD [ARGS]…".to_owned()),
        ));
    };
    let session = Session::open(ctx)?;
    let tokens = usable_tokens(ctx, &session, args.min_ttl)?;
    let mut command = Command::new(program);
    command
        .args(rest)
        .env("OAUTHCTL_ACCESS_TOKEN", tokens.access_token.expose())
        .env("OAUTHCTL_TOKEN_TYPE", tokens.token_type.as_str());
    if tokens.token_type.needs_proof() {
        ctx.ui.info(&format!(
            "The access token is DPoP-bound: {program} needs a proof for each request, from \
             `oauthctl token --dpop-proof METHOD URL` (OAUTHCTL_TOKEN_TYPE=DPoP and \
             OAUTHCTL_PROFILE are set for that)."
        ));
        command.env("OAUTHCTL_PROFILE", &session.profile);
        if let Some(config) = &ctx.flags.config {
            command.env("OAUTHCTL_CONFIG", config);
        }
    }
    let status = command.status().map_err(|e| match e.kind() {
        std::io::ErrorKind::NotFound => Error::Other(format!("command not found: {program}")),
        std::io::ErrorKind::PermissionDenied => {
            Error::Other(format!("cannot run {program}: permission denied"))
        }
        _ => Error::Other(format!("cannot run {program}: {e}")),
    })?;
    match exit_code(status) {
        0 => Ok(Outcome::default()),
        code => Err(Error::ChildExited { code }),
    }
}

/// The status to exit with: the child's code, or 128 + the signal that ended it.
fn exit_code(status: ExitStatus) -> u8 {
    if let Some(code) = status.code() {
        // Codes outside 0..=255 exist only on Windows; keep "failed" rather than wrap to 0.
        return u8::try_from(code).unwrap_or(1);
    }
    #[cfg(unix)]
    {
        use std::os::unix::process::ExitStatusExt as _;
        if let Some(signal) = status.signal() {
            return u8::try_from(128 + signal).unwrap_or(255);
        }
    }
    1
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;
    use std::os::unix::process::ExitStatusExt as _;

    #[test]
    fn statuses_pass_through() {
        assert_eq!(exit_code(ExitStatus::from_raw(0)), 0);
        assert_eq!(exit_code(ExitStatus::from_raw(3 << 8)), 3);
        assert_eq!(exit_code(ExitStatus::from_raw(9)), 137, "SIGKILL");
        assert_eq!(exit_code(ExitStatus::from_raw(15)), 143, "SIGTERM");
    }
}
