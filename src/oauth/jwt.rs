//! Compact JWS/JWT parsing, signature verification and claim checks (RFC 7515, 7519, 8725).
//!
//! Parsing is strict and bounded: the size is capped and segments are counted before
//! anything is split or decoded; base64url must be unpadded and canonical; header and
//! claims must be UTF-8 JSON objects without duplicate members. Verification never trusts
//! the token to choose its key (`jwk`, `jku`, `x5u`, `x5c` headers are ignored), never
//! accepts `none`, and never uses a key for an algorithm outside its family, so an RSA
//! public key can not be abused as an HMAC secret. Pure: no I/O.

use std::fmt;
use std::str::FromStr;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use jsonwebtoken::jwk::{AlgorithmParameters, Jwk};
use jsonwebtoken::{Algorithm, AlgorithmFamily, DecodingKey};
use serde_json::{Map, Value};

use super::strict_json;

/// The largest token accepted (a real JWT is a few KiB).
pub(crate) const MAX_TOKEN_LEN: usize = 256 * 1024;

/// The latest NumericDate accepted: 9999-12-31T23:59:59Z.
pub(crate) const MAX_NUMERIC_DATE: i64 = 253_402_300_799;

/// The smallest RSA modulus accepted (RFC 7518 §3.3).
pub(crate) const MIN_RSA_BITS: usize = 2048;

/// Why a string is not a decodable JWS.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub(crate) enum ParseError {
    /// No dots at all: an opaque token.
    #[error("this is not a JWT but an opaque token; its contents are known only to the server")]
    Opaque,
    /// Five segments: an encrypted JWT.
    #[error(
        "this is an encrypted JWT (JWE, 5 segments); it can only be read with the recipient's private key"
    )]
    Jwe,
    /// Too long to be a token.
    #[error("the input is {0} bytes long, more than the {MAX_TOKEN_LEN} bytes a token may have")]
    TooLarge(usize),
    /// Anything else.
    #[error("{0}")]
    Malformed(String),
}

/// A parsed compact JWS.
#[derive(Debug, Clone)]
pub(crate) struct Jws {
    pub header: Map<String, Value>,
    pub claims: Map<String, Value>,
    /// `BASE64URL(header) || '.' || BASE64URL(payload)`.
    pub signing_input: String,
    /// The third segment, as sent.
    pub signature_b64: String,
    /// The header's `alg`, if it is a string.
    pub alg: Option<String>,
}

fn b64(segment: &str, what: &str) -> Result<Vec<u8>, ParseError> {
    if segment.is_empty() && what != "signature" {
        return Err(ParseError::Malformed(format!(
            "the {what} segment is empty"
        )));
    }
    URL_SAFE_NO_PAD.decode(segment).map_err(|e| {
        ParseError::Malformed(format!(
            "the {what} segment is not unpadded base64url ({e})"
        ))
    })
}

/// Parses a compact JWS. Surrounding ASCII whitespace (a trailing newline) is ignored.
pub(crate) fn parse(input: &str) -> Result<Jws, ParseError> {
    if input.len() > MAX_TOKEN_LEN {
        return Err(ParseError::TooLarge(input.len()));
    }
    let token = input.trim_ascii();
    if let Some(bad) = token.bytes().find(|b| {
        !(b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'=' | b'+' | b'/'))
    }) {
        return Err(ParseError::Malformed(format!(
            "the token contains the character {:?}, which is not part of a JWT",
            char::from(bad)
        )));
    }
    // Count before splitting (CVE-2025-30204 class: no unbounded split on hostile input).
    let dots = token.bytes().filter(|&b| b == b'.').count();
    match dots {
        0 => return Err(ParseError::Opaque),
        2 => {}
        4 => return Err(ParseError::Jwe),
        n => {
            return Err(ParseError::Malformed(format!(
                "a JWT has 3 dot-separated segments, this has {}",
                n + 1
            )));
        }
    }
    let mut parts = token.splitn(3, '.');
    let (Some(h), Some(p), Some(s)) = (parts.next(), parts.next(), parts.next()) else {
        return Err(ParseError::Malformed("a JWT has 3 segments".to_owned()));
    };
    let header_bytes = b64(h, "header")?;
    let payload = b64(p, "payload")?;
    b64(s, "signature")?;
    let header = strict_json::object_from_slice(&header_bytes)
        .map_err(|e| ParseError::Malformed(format!("the header is not a JSON object: {e}")))?;
    let claims = strict_json::object_from_slice(&payload)
        .map_err(|e| ParseError::Malformed(format!("the payload is not a JSON object: {e}")))?;
    let alg = header.get("alg").and_then(Value::as_str).map(str::to_owned);
    Ok(Jws {
        header,
        claims,
        signing_input: format!("{h}.{p}"),
        signature_b64: s.to_owned(),
        alg,
    })
}

/// A key that may verify signatures, with the constraints its publisher attached.
#[derive(Clone)]
pub(crate) struct VerificationKey {
    pub key: DecodingKey,
    pub family: AlgorithmFamily,
    /// The JWK `alg`: the only algorithm this key may be used with (RFC 8725 §3.1).
    pub alg: Option<Algorithm>,
    pub kid: Option<String>,
    /// Where the key came from, for messages (`JWKS key "k1"`, `PEM file`, …).
    pub label: String,
}

impl fmt::Debug for VerificationKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("VerificationKey")
            .field("family", &self.family)
            .field("alg", &self.alg)
            .field("kid", &self.kid)
            .field("label", &self.label)
            .finish_non_exhaustive()
    }
}

impl VerificationKey {
    /// Whether this key may verify `alg`.
    pub(crate) fn fits(&self, alg: Algorithm) -> bool {
        self.family.algorithms().contains(&alg) && self.alg.is_none_or(|a| a == alg)
    }
}

/// Keys parsed from a JWKS, and the reasons others were skipped.
#[derive(Debug, Default)]
pub(crate) struct KeySet {
    pub keys: Vec<VerificationKey>,
    pub skipped: Vec<String>,
}

fn rsa_bits(modulus: &[u8]) -> usize {
    let trimmed: &[u8] = match modulus.iter().position(|&b| b != 0) {
        Some(i) => &modulus[i..],
        None => &[],
    };
    match trimmed.first() {
        Some(&first) => (trimmed.len() - 1) * 8 + (8 - first.leading_zeros() as usize),
        None => 0,
    }
}

fn describe(kid: Option<&str>, index: usize) -> String {
    match kid {
        Some(k) => format!("key \"{k}\""),
        None => format!("key #{}", index + 1),
    }
}

/// Parses a JWKS document. Unusable keys are skipped with a reason, never fatal (C48).
pub(crate) fn parse_jwks(bytes: &[u8]) -> Result<KeySet, String> {
    let doc = strict_json::object_from_slice(bytes).map_err(|e| format!("not a JWKS: {e}"))?;
    let Some(Value::Array(keys)) = doc.get("keys") else {
        return Err("not a JWKS: no `keys` array".to_owned());
    };
    let mut set = KeySet::default();
    for (i, raw) in keys.iter().enumerate() {
        let kid = raw.get("kid").and_then(Value::as_str);
        let name = describe(kid, i);
        match jwk_to_key(raw) {
            Ok(mut key) => {
                key.label = format!("JWKS {name}");
                set.keys.push(key);
            }
            Err(reason) => set.skipped.push(format!("{name}: {reason}")),
        }
    }
    Ok(set)
}

/// One JWK to a verification key, enforcing `use`, `key_ops`, `alg` and key sizes.
pub(crate) fn jwk_to_key(raw: &Value) -> Result<VerificationKey, String> {
    let obj = raw.as_object().ok_or("not a JSON object")?;
    if let Some(u) = obj.get("use")
        && u.as_str() != Some("sig")
    {
        return Err(format!("`use` is {u}, not \"sig\""));
    }
    if let Some(ops) = obj.get("key_ops") {
        let verifies = ops
            .as_array()
            .is_some_and(|a| a.iter().any(|o| o.as_str() == Some("verify")));
        if !verifies {
            return Err("`key_ops` does not include \"verify\"".to_owned());
        }
    }
    let alg = match obj.get("alg") {
        None => None,
        Some(Value::String(a)) => Some(
            Algorithm::from_str(a)
                .map_err(|_| format!("`alg` {a} is not a signature algorithm"))?,
        ),
        Some(other) => return Err(format!("`alg` is {}", strict_json::kind(other))),
    };
    let jwk: Jwk = serde_json::from_value(raw.clone()).map_err(|e| {
        let kty = obj.get("kty").and_then(Value::as_str).unwrap_or("?");
        format!("unsupported or invalid key (kty {kty}): {e}")
    })?;
    let family = match &jwk.algorithm {
        AlgorithmParameters::RSA(rsa) => {
            let n = URL_SAFE_NO_PAD
                .decode(rsa.n.trim_end_matches('='))
                .map_err(|_| "RSA `n` is not base64url")?;
            let bits = rsa_bits(&n);
            if bits < MIN_RSA_BITS {
                return Err(format!("RSA key of {bits} bits is below {MIN_RSA_BITS}"));
            }
            AlgorithmFamily::Rsa
        }
        AlgorithmParameters::EllipticCurve(_) => AlgorithmFamily::Ec,
        AlgorithmParameters::OctetKeyPair(_) => AlgorithmFamily::Ed,
        // Symmetric keys do not belong in a published key set (RFC 8725 §3.2).
        AlgorithmParameters::OctetKey(_) => {
            return Err("symmetric (oct) keys are not used from a JWKS".to_owned());
        }
        _ => return Err("unsupported key type".to_owned()),
    };
    if let Some(a) = alg
        && !family.algorithms().contains(&a)
    {
        return Err(format!("`alg` {a:?} does not fit the key type"));
    }
    let key = DecodingKey::from_jwk(&jwk).map_err(|e| format!("unusable key: {e}"))?;
    Ok(VerificationKey {
        key,
        family,
        alg,
        kid: obj.get("kid").and_then(Value::as_str).map(str::to_owned),
        label: String::new(),
    })
}

/// Reads the modulus length of a PKCS#1 `RSAPublicKey` DER (SEQUENCE { INTEGER n, … }).
fn pkcs1_modulus_bits(der: &[u8]) -> Option<usize> {
    fn header(input: &[u8], tag: u8) -> Option<(usize, &[u8])> {
        let (&t, rest) = input.split_first()?;
        if t != tag {
            return None;
        }
        let (&first, rest) = rest.split_first()?;
        if first < 0x80 {
            return Some((usize::from(first), rest));
        }
        let n = usize::from(first & 0x7f);
        if n == 0 || n > 4 || rest.len() < n {
            return None;
        }
        let len = rest[..n]
            .iter()
            .fold(0usize, |acc, &b| (acc << 8) | usize::from(b));
        Some((len, &rest[n..]))
    }
    let (_, body) = header(der, 0x30)?;
    let (len, body) = header(body, 0x02)?;
    Some(rsa_bits(body.get(..len)?))
}

/// A key from a PEM file: an RSA, EC or Ed25519 public key or certificate.
pub(crate) fn key_from_pem(pem: &[u8]) -> Result<VerificationKey, String> {
    let text = String::from_utf8_lossy(pem);
    if text.contains("PRIVATE KEY") {
        return Err(
            "this is a private key; pass the public key (or certificate) instead".to_owned(),
        );
    }
    let label = "PEM key".to_owned();
    if let Ok(key) = DecodingKey::from_rsa_pem(pem) {
        if let jsonwebtoken::DecodingKeyKind::SecretOrDer(der) = key.kind()
            && let Some(bits) = pkcs1_modulus_bits(der)
            && bits < MIN_RSA_BITS
        {
            return Err(format!("RSA key of {bits} bits is below {MIN_RSA_BITS}"));
        }
        return Ok(VerificationKey {
            key,
            family: AlgorithmFamily::Rsa,
            alg: None,
            kid: None,
            label,
        });
    }
    if let Ok(key) = DecodingKey::from_ec_pem(pem) {
        return Ok(VerificationKey {
            key,
            family: AlgorithmFamily::Ec,
            alg: None,
            kid: None,
            label,
        });
    }
    if let Ok(key) = DecodingKey::from_ed_pem(pem) {
        return Ok(VerificationKey {
            key,
            family: AlgorithmFamily::Ed,
            alg: None,
            kid: None,
            label,
        });
    }
    Err("not a PEM public key or certificate (RSA, EC P-256/P-384 or Ed25519)".to_owned())
}

/// An HMAC secret (HS256/384/512 only).
pub(crate) fn key_from_secret(secret: &[u8], label: &str) -> Result<VerificationKey, String> {
    let key = DecodingKey::from_secret(secret).map_err(|e| e.to_string())?;
    Ok(VerificationKey {
        key,
        family: AlgorithmFamily::Hmac,
        alg: None,
        kid: None,
        label: label.to_owned(),
    })
}

/// Why a signature was not accepted.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub(crate) enum SignatureError {
    #[error("the token is unsigned (`alg: none`), which is never accepted")]
    AlgNone,
    #[error("the header has no `alg` string")]
    NoAlg,
    #[error("`alg` {0} is not a supported signature algorithm")]
    UnknownAlg(String),
    #[error("`alg` {0} is not in the allowed list ({1})")]
    AlgNotAllowed(String, String),
    #[error("the header lists critical extensions {0} that are not understood")]
    Critical(String),
    #[error("unencoded payloads (`b64: false`, RFC 7797) are not accepted")]
    UnencodedPayload,
    #[error("no key fits: {0}")]
    NoKey(String),
    #[error("several keys fit and none verifies: the signature is invalid")]
    Ambiguous,
    #[error("the signature does not verify with {0}")]
    BadSignature(String),
}

/// Whether the failure could be cured by fresher keys (an unknown `kid` after rotation).
impl SignatureError {
    pub(crate) fn wants_fresh_keys(&self) -> bool {
        matches!(self, Self::NoKey(_))
    }
}

/// Checks the header's `alg`, `crit` and `b64` and returns the algorithm.
pub(crate) fn signature_alg(jws: &Jws, allowed: &[Algorithm]) -> Result<Algorithm, SignatureError> {
    let alg_str = jws.alg.as_deref().ok_or(SignatureError::NoAlg)?;
    if alg_str.eq_ignore_ascii_case("none") {
        return Err(SignatureError::AlgNone);
    }
    let alg =
        Algorithm::from_str(alg_str).map_err(|_| SignatureError::UnknownAlg(alg_str.to_owned()))?;
    if !allowed.is_empty() && !allowed.contains(&alg) {
        let list: Vec<String> = allowed.iter().map(|a| format!("{a:?}")).collect();
        return Err(SignatureError::AlgNotAllowed(
            alg_str.to_owned(),
            list.join(", "),
        ));
    }
    if let Some(crit) = jws.header.get("crit") {
        return Err(SignatureError::Critical(crit.to_string()));
    }
    if jws
        .header
        .get("b64")
        .is_some_and(|v| v != &Value::Bool(true))
    {
        return Err(SignatureError::UnencodedPayload);
    }
    Ok(alg)
}

/// Verifies the signature with the key the token's `kid` names (or, without a `kid`, each
/// key of the right type and algorithm in turn) and returns the key that verified it.
pub(crate) fn verify_signature<'k>(
    jws: &Jws,
    keys: &'k [VerificationKey],
    allowed: &[Algorithm],
) -> Result<&'k VerificationKey, SignatureError> {
    let alg = signature_alg(jws, allowed)?;
    let kid = jws.header.get("kid").and_then(Value::as_str);
    let fitting: Vec<&VerificationKey> = keys.iter().filter(|k| k.fits(alg)).collect();
    let candidates: Vec<&VerificationKey> = match kid {
        // Keys without a kid (a PEM file, a secret) stay candidates for a token with one.
        Some(kid) => fitting
            .iter()
            .copied()
            .filter(|k| k.kid.as_deref().is_none_or(|k| k == kid))
            .collect(),
        None => fitting,
    };
    if candidates.is_empty() {
        let why = match kid {
            Some(kid) if keys.iter().any(|k| k.kid.as_deref() == Some(kid)) => {
                format!("the key \"{kid}\" may not be used with {alg:?}")
            }
            Some(kid) => format!("no key has kid \"{kid}\" and fits {alg:?}"),
            None if keys.is_empty() => "the key set is empty".to_owned(),
            None => format!("no key fits {alg:?}"),
        };
        return Err(SignatureError::NoKey(why));
    }
    let several = candidates.len() > 1;
    for key in &candidates {
        if let Ok(true) = jsonwebtoken::crypto::verify(
            &jws.signature_b64,
            jws.signing_input.as_bytes(),
            &key.key,
            alg,
        ) {
            return Ok(key);
        }
    }
    if several {
        Err(SignatureError::Ambiguous)
    } else {
        Err(SignatureError::BadSignature(candidates[0].label.clone()))
    }
}

/// The claims every verification checks, given `now`.
#[derive(Debug, Clone, Default)]
pub(crate) struct ClaimRules {
    pub now: i64,
    pub leeway: i64,
    /// Required exact `iss`.
    pub issuer: Option<String>,
    /// Required member of `aud`.
    pub audience: Option<String>,
    /// Whether `exp` must be present.
    pub require_exp: bool,
}

/// Reads a NumericDate: a JSON integer between 0 and year 9999. Strings, floats, booleans
/// and huge numbers are errors (the CVE-2026-25537 class: never silently ignored).
pub(crate) fn numeric_date(v: &Value) -> Result<i64, String> {
    match v {
        Value::Number(n) => match n.as_i64() {
            Some(t) if (0..=MAX_NUMERIC_DATE).contains(&t) => Ok(t),
            Some(_) => Err("is out of range".to_owned()),
            None if n.is_u64() => Err("is out of range".to_owned()),
            None => Err("is not a whole number of seconds".to_owned()),
        },
        other => Err(format!(
            "is {}, not a NumericDate",
            strict_json::kind(other)
        )),
    }
}

/// Checks `exp`, `nbf`, `iat`, `iss`, `aud` and `sub`; returns every problem found.
pub(crate) fn check_claims(claims: &Map<String, Value>, rules: &ClaimRules) -> Vec<String> {
    let mut errors = Vec::new();
    let time = |name: &str, errors: &mut Vec<String>| -> Option<i64> {
        let v = claims.get(name)?;
        numeric_date(v)
            .map_err(|e| errors.push(format!("`{name}` {e}")))
            .ok()
    };
    match time("exp", &mut errors) {
        Some(exp) if rules.now > exp.saturating_add(rules.leeway) => errors.push(format!(
            "expired {} (beyond the {}s leeway)",
            relative(exp, rules.now),
            rules.leeway
        )),
        None if rules.require_exp && !claims.contains_key("exp") => {
            errors.push("`exp` is missing".to_owned());
        }
        _ => {}
    }
    if let Some(nbf) = time("nbf", &mut errors)
        && rules.now.saturating_add(rules.leeway) < nbf
    {
        errors.push(format!(
            "not valid before {} ({})",
            iso(nbf),
            relative(nbf, rules.now)
        ));
    }
    if let Some(iat) = time("iat", &mut errors)
        && iat > rules.now.saturating_add(rules.leeway)
    {
        errors.push(format!(
            "issued in the future ({})",
            relative(iat, rules.now)
        ));
    }
    if let Some(expected) = &rules.issuer {
        match claims.get("iss") {
            Some(Value::String(iss)) if iss == expected => {}
            Some(Value::String(iss)) => {
                errors.push(format!("issuer `{iss}` is not the expected `{expected}`"));
            }
            Some(other) => errors.push(format!(
                "`iss` is {}, not a string",
                strict_json::kind(other)
            )),
            None => errors.push("`iss` is missing".to_owned()),
        }
    }
    if let Some(expected) = &rules.audience {
        match claims.get("aud") {
            Some(Value::String(aud)) if aud == expected => {}
            Some(Value::Array(auds))
                if auds.iter().all(Value::is_string)
                    && auds.iter().any(|a| a.as_str() == Some(expected)) => {}
            Some(Value::String(_) | Value::Array(_)) => {
                errors.push(format!("audience does not include `{expected}`"));
            }
            Some(other) => errors.push(format!("`aud` is {}", strict_json::kind(other))),
            None => errors.push("`aud` is missing".to_owned()),
        }
    }
    if let Some(sub) = claims.get("sub")
        && !sub.is_string()
    {
        errors.push(format!("`sub` is {}, not a string", strict_json::kind(sub)));
    }
    errors
}

/// The state of a time claim relative to now.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub(crate) enum TimeState {
    /// `exp` in the past (beyond leeway).
    Expired,
    /// `exp` within the next five minutes.
    ExpiringSoon,
    /// `exp` further ahead, or `nbf` passed.
    Valid,
    /// `nbf` in the future, or `iat` in the future.
    NotYetValid,
    /// A past instant (`iat`, `auth_time`).
    Past,
    /// Not a NumericDate.
    Invalid,
}

/// A time claim for display.
#[derive(Debug, Clone, serde::Serialize)]
pub(crate) struct TimeClaim {
    pub name: String,
    pub value: Value,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub iso: Option<String>,
    pub relative: String,
    pub state: TimeState,
}

/// The claims shown as times, in this order.
pub(crate) const TIME_CLAIMS: &[&str] = &["iat", "nbf", "auth_time", "exp", "updated_at"];

/// Describes every time claim present.
pub(crate) fn time_claims(claims: &Map<String, Value>, now: i64, leeway: i64) -> Vec<TimeClaim> {
    TIME_CLAIMS
        .iter()
        .filter_map(|&name| {
            let value = claims.get(name)?;
            Some(match numeric_date(value) {
                Ok(t) => {
                    let state = match name {
                        "exp" if now > t.saturating_add(leeway) => TimeState::Expired,
                        "exp" if t - now <= 300 => TimeState::ExpiringSoon,
                        "nbf" if now.saturating_add(leeway) < t => TimeState::NotYetValid,
                        "exp" | "nbf" => TimeState::Valid,
                        _ if t > now.saturating_add(leeway) => TimeState::NotYetValid,
                        _ => TimeState::Past,
                    };
                    let relative = match name {
                        "exp" if t >= now => format!("expires {}", relative(t, now)),
                        "exp" => format!("expired {}", relative(t, now)),
                        _ => relative(t, now),
                    };
                    TimeClaim {
                        name: name.to_owned(),
                        value: value.clone(),
                        iso: Some(iso(t)),
                        relative,
                        state,
                    }
                }
                Err(e) => TimeClaim {
                    name: name.to_owned(),
                    value: value.clone(),
                    iso: None,
                    relative: format!("invalid: {e}"),
                    state: TimeState::Invalid,
                },
            })
        })
        .collect()
}

/// RFC 3339 UTC, seconds precision.
pub(crate) fn iso(t: i64) -> String {
    let secs = u64::try_from(t.clamp(0, MAX_NUMERIC_DATE)).unwrap_or(0);
    humantime::format_rfc3339_seconds(std::time::UNIX_EPOCH + std::time::Duration::from_secs(secs))
        .to_string()
}

/// "in 4m 12s" / "3h 5m ago" / "now".
pub(crate) fn relative(t: i64, now: i64) -> String {
    let delta = t.saturating_sub(now);
    if delta == 0 {
        return "now".to_owned();
    }
    let span = short_duration(delta.unsigned_abs());
    if delta > 0 {
        format!("in {span}")
    } else {
        format!("{span} ago")
    }
}

/// The two largest units of a duration: `4m 12s`, `3h 5m`, `2d 1h`.
pub(crate) fn short_duration(secs: u64) -> String {
    let units = [(86_400, "d"), (3_600, "h"), (60, "m"), (1, "s")];
    let mut parts = Vec::new();
    let mut rest = secs;
    for (size, name) in units {
        if rest >= size || (parts.is_empty() && size == 1) {
            parts.push(format!("{}{name}", rest / size));
            rest %= size;
        }
        if parts.len() == 2 || (!parts.is_empty() && rest == 0) {
            break;
        }
    }
    parts.join(" ")
}

#[cfg(test)]
mod tests;
