//! `doctor` (in progress).
use crate::error::Result;
use crate::output::Outcome;

use super::Context;

/// What `doctor` was asked for.
#[derive(Debug, Clone, Default)]
pub(crate) struct Options {
    pub url: Option<String>,
}

/// Runs `doctor`.
pub(crate) fn run(_ctx: &Context<'_>, _args: &Options) -> Result<Outcome> {
    Ok(Outcome::default())
}
