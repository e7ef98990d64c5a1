//! Compact JWS/JWT parsing, signature verification and claim checks (RFC 7515, 7519, 8725).
//!
//! Parsing is strict and bounded: the size is capped and segments are counted before
//! anything is split or decoded; base64url must be unpadded and canonical; header and
//! claims must be UTF-8 JSON objects without duplicate members. Verification never trusts
//! the token to choose its key (`jwk`, `jku`, `x5u`, `x5c` headers are ignored), never
//! accepts `none`, and never uses a key for an algorithm outside its family, so an RSA
//! public key can not be abused as an HMAC secret. Pure: no I/O.
//!
//! - [`parse`](mod@parse): the bounded compact-JWS parser.
//! - [`keys`]: verification keys from a JWKS, a PEM file or an HMAC secret.
//! - [`verify`]: the header checks and the signature, with a key chosen by the caller's set.
//! - [`claims`]: NumericDates, `exp`/`nbf`/`iat`/`iss`/`aud`/`sub`, time claims for display.

mod claims;
mod keys;
mod parse;
mod verify;

pub(crate) use claims::{
    ClaimRules, MAX_NUMERIC_DATE, TimeClaim, TimeState, check_claims, numeric_date, time_claims,
};
pub(crate) use keys::{
    KeySet, VerificationKey, jwk_to_key, key_from_pem, key_from_secret, parse_jwks,
};
pub(crate) use parse::{Jws, MAX_TOKEN_LEN, ParseError, parse};
pub(crate) use verify::{SignatureError, signature_alg, verify_signature};
