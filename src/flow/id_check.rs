//! Verifying an ID token: its claims first (no network), then its signature against the
//! provider's key set, refetched once for an unknown `kid` ([`super::keys`]).

use serde_json::{Map, Value};

use crate::error::{Error, Result};
use crate::http::HttpClient;
use crate::oauth::id_token::{self, IdTokenError, IdTokenRules};
use crate::oauth::jwt;

use super::discovery::{DocumentCache, KeyFetch};
use super::keys;

/// Differences between two clocks smaller than this are not worth mentioning (the `Date`
/// header has a resolution of one second, and requests take time).
const CLOCKS_AGREE: i64 = 5;

/// The error for claims that failed. When only the times failed, say that this is clock
/// skew, what the provider's `Date` header says about it (`server_offset`: the provider's
/// clock minus this computer's), and how much `login --leeway` would accept the token.
fn claims_error(e: &IdTokenError, leeway: i64, server_offset: Option<i64>) -> Error {
    let Some(needed) = e.skew else {
        return Error::BadResponse(e.to_string());
    };
    let diagnosis = match server_offset {
        Some(o) if o.abs() >= CLOCKS_AGREE => format!(
            "the provider's clock (its Date header) is {} {} this computer's",
            jwt::short_duration(o.unsigned_abs()),
            if o > 0 { "ahead of" } else { "behind" }
        ),
        Some(_) => "this computer's clock agrees with the provider's Date header, so the \
                    provider put wrong times in the token"
            .to_owned(),
        None => "compare this computer's clock with the provider's".to_owned(),
    };
    // Whole minutes, with a minute to spare.
    let minutes = (needed + 59) / 60 + 1;
    Error::ClockSkew {
        message: format!(
            "{e}; that is clock skew of about {} (more than the {leeway}s leeway): {diagnosis}",
            jwt::short_duration(needed.unsigned_abs())
        ),
        hint: format!(
            "set this computer's clock right (turn on NTP time sync), or accept the skew: \
             run the login again with --leeway {minutes}m added (refreshes keep it)"
        ),
    }
}

/// Parses and verifies `raw`; returns its claims.
pub(crate) fn verify(
    http: &HttpClient,
    cache: &DocumentCache,
    jwks_uri: &str,
    raw: &str,
    rules: &IdTokenRules,
) -> Result<Map<String, Value>> {
    let bad = |m: String| Error::BadResponse(format!("the ID token is not valid: {m}"));
    let jws = jwt::parse(raw).map_err(|e| bad(e.to_string()))?;
    // Claims first: they need no network, and a wrong kind of token is refused before any
    // key is fetched.
    id_token::check_claims(&jws, rules)
        .map_err(|e| claims_error(&e, rules.leeway, http.server_clock_offset()))?;
    let kid = jws.header.get("kid").and_then(Value::as_str);
    let check = keys::verify_with_key_set(
        http,
        cache,
        jwks_uri,
        KeyFetch::Cached { kid },
        &jws,
        &rules.algs,
        rules.now,
    )?;
    check.verdict.map_err(|e| bad(e.to_string()))?;
    Ok(jws.claims)
}
