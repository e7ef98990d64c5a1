//! `refresh`: refresh now (rotation-aware, under the profile's lock) and cache the result.

use crate::error::Result;
use crate::flow::renewal::renew_now;
use crate::output::Outcome;

use super::Context;
use super::session::{Session, locks, renew_with, settle};

/// Runs `refresh`.
pub(crate) fn run(ctx: &Context<'_>) -> Result<Outcome> {
    let session = Session::open(ctx)?;
    let outcome = renew_now(
        session.store.as_ref(),
        &locks(ctx),
        &session.entry.cache_key,
        ctx.clock().now(),
        |current| renew_with(ctx, &session, current),
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
