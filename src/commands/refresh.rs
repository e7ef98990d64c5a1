//! `refresh`: refresh now (rotation-aware, under the profile's lock) and cache the result.

use std::time::Duration;

use crate::error::Result;
use crate::output::Outcome;
use crate::store::lock::{Locks, refresh_now};

use super::Context;
use super::session::{Session, refresh_with, settle};

/// Runs `refresh`.
pub(crate) fn run(ctx: &Context<'_>) -> Result<Outcome> {
    let session = Session::open(ctx)?;
    let locks = Locks::for_paths(&ctx.paths).with_timeout(Duration::from_secs(60));
    let outcome = refresh_now(
        session.store.as_ref(),
        &locks,
        &session.entry.cache_key,
        ctx.clock().now(),
        |current| refresh_with(ctx, &session, current),
    );
    let outcome = settle(ctx, &session, outcome)?;
    let now = ctx.clock().now();
    let expiry = outcome.tokens.expires_at.map_or_else(
        || "no stated expiry".to_owned(),
        |t| format!("expires {}", crate::oauth::jwt::relative(t, now)),
    );
    ctx.ui.info(&format!(
        "Refreshed profile `{}`: {expiry}{}.",
        session.profile,
        if outcome.tokens.refresh_token.is_some() {
            ""
        } else {
            ", no refresh token"
        }
    ));
    if ctx.ui.json {
        return Ok(Outcome::data(
            format!(
                "{}\n",
                serde_json::json!({
                    "profile": session.profile,
                    "expires_at": outcome.tokens.expires_at,
                    "refresh_token": outcome.tokens.refresh_token.is_some(),
                    "scope": outcome.tokens.scope.join(" "),
                })
            )
            .into_bytes(),
        ));
    }
    Ok(Outcome::default())
}
