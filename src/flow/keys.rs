//! Verifying a JWS signature with the key set published at a URL, fetching the set again
//! once when it has no key for the token's `kid` (key rotation, security C46r): the one
//! rule behind `login`'s ID token check and `decode --verify`. When a refetch is skipped
//! (a set fetched just now, or the cooldown for the same `kid`) is
//! [`super::discovery::key_set`]'s business.

use jsonwebtoken::Algorithm;
use serde_json::Value;

use crate::error::Result;
use crate::http::HttpClient;
use crate::oauth::jwt::{self, Jws, KeySet, SignatureError, VerificationKey};

use super::discovery::{self, DocumentCache, KeyFetch};

/// What verification with a published key set found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct KeyCheck {
    /// The label of the key that verified the signature, or why none did.
    pub verdict: std::result::Result<String, SignatureError>,
    /// The keys of the set that could not be used, with the reasons.
    pub skipped: Vec<String>,
    /// Whether the set was fetched again for an unknown `kid`.
    pub refetched: bool,
}

/// Labels the keys of `set` with where they came from (`key "k1" from URL`).
pub(crate) fn label_keys(set: KeySet, source: &str) -> Vec<VerificationKey> {
    set.keys
        .into_iter()
        .map(|mut k| {
            k.label = format!("{} from {source}", k.label.trim_start_matches("JWKS "));
            k
        })
        .collect()
}

/// Verifies `jws` with the keys at `jwks_uri`, read as `first` says (the cache, or a fresh
/// fetch). Signature algorithms outside `algs` (any when empty), `alg: none` and unknown
/// critical headers fail before any network access. Errors are network and key-set
/// failures; a signature that does not verify is a [`KeyCheck::verdict`].
pub(crate) fn verify_with_key_set(
    http: &HttpClient,
    cache: &DocumentCache,
    jwks_uri: &str,
    first: KeyFetch<'_>,
    jws: &Jws,
    algs: &[Algorithm],
    now: i64,
) -> Result<KeyCheck> {
    if let Err(e) = jwt::signature_alg(jws, algs) {
        return Ok(KeyCheck {
            verdict: Err(e),
            skipped: Vec::new(),
            refetched: false,
        });
    }
    let kid = jws.header.get("kid").and_then(Value::as_str);
    let (set, fetched) = discovery::key_set(http, cache, jwks_uri, first, now)?;
    let skipped = set.skipped.clone();
    let keys = label_keys(set, jwks_uri);
    let verdict = match jwt::verify_signature(jws, &keys, algs) {
        Ok(key) => Ok(key.label.clone()),
        // A set fetched just now for this token is as fresh as a refetch would be.
        Err(e) if e.wants_fresh_keys() && !fetched => {
            let (set, refetched) =
                discovery::key_set(http, cache, jwks_uri, KeyFetch::Rotated { kid }, now)?;
            let keys = label_keys(set, jwks_uri);
            return Ok(KeyCheck {
                verdict: jwt::verify_signature(jws, &keys, algs).map(|k| k.label.clone()),
                skipped,
                refetched,
            });
        }
        Err(e) => Err(e),
    };
    Ok(KeyCheck {
        verdict,
        skipped,
        refetched: false,
    })
}
