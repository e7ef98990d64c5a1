//! Verifying an ID token against the provider's key set, refetching it once for an unknown
//! `kid` (key rotation; see [`super::discovery`] for when a refetch is skipped).

use serde_json::{Map, Value};

use crate::error::{Error, Result};
use crate::http::HttpClient;
use crate::oauth::id_token::{self, IdTokenRules};
use crate::oauth::jwt;

use super::discovery::{self, DocumentCache, KeyFetch};

/// Parses and verifies `raw`; returns its claims.
pub fn verify(
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
    id_token::check_claims(&jws, rules).map_err(|e| Error::BadResponse(e.to_string()))?;
    let kid = jws.header.get("kid").and_then(Value::as_str);
    let (set, fetched) =
        discovery::key_set(http, cache, jwks_uri, KeyFetch::Cached { kid }, rules.now)?;
    match jwt::verify_signature(&jws, &set.keys, &rules.algs) {
        Ok(_) => Ok(jws.claims),
        // A set fetched just now for this token is as fresh as a refetch would be.
        Err(e) if e.wants_fresh_keys() && !fetched => {
            let (set, _) =
                discovery::key_set(http, cache, jwks_uri, KeyFetch::Rotated { kid }, rules.now)?;
            jwt::verify_signature(&jws, &set.keys, &rules.algs).map_err(|e| bad(e.to_string()))?;
            Ok(jws.claims)
        }
        Err(e) => Err(bad(e.to_string())),
    }
}
