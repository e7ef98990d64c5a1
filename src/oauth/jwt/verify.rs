//! Signature verification: the header's `alg`, `crit` and `b64` checked, the key chosen by
//! `kid` and algorithm family from the caller's keys, never from the token.

use std::str::FromStr;

use jsonwebtoken::Algorithm;
use serde_json::Value;

use super::keys::VerificationKey;
use super::parse::Jws;

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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::oauth::jwt::keys::{key_from_pem, key_from_secret, parse_jwks};
    use crate::oauth::jwt::parse::parse;
    use crate::testing::{Fixture, b64u, sign_with};
    use jsonwebtoken::EncodingKey;
    use serde_json::json;

    fn keys(f: &Fixture) -> Vec<VerificationKey> {
        let set = parse_jwks(&f.jwks()).unwrap();
        assert!(set.skipped.is_empty(), "{:?}", set.skipped);
        set.keys
    }

    const NOW: i64 = 1_800_000_000;

    fn claims() -> Value {
        json!({"iss":"https://as.example","sub":"alice","aud":"api","iat":NOW-10,"exp":NOW+600})
    }

    #[test]
    fn parses_and_verifies_each_family() {
        let f = Fixture::new();
        let keys = keys(&f);
        let cases = [
            (
                json!({"alg":"RS256","kid":"rsa1","typ":"JWT"}),
                &f.rsa,
                Algorithm::RS256,
                "rsa1",
            ),
            (
                json!({"alg":"ES256","kid":"ec1"}),
                &f.ec,
                Algorithm::ES256,
                "ec1",
            ),
            (
                json!({"alg":"EdDSA","kid":"ed1"}),
                &f.ed,
                Algorithm::EdDSA,
                "ed1",
            ),
        ];
        for (header, key, alg, kid) in cases {
            let token = sign_with(&header, &claims(), key, alg);
            let jws = parse(&token).unwrap();
            assert_eq!(jws.claims["sub"], "alice");
            assert_eq!(jws.header["kid"], kid);
            let used = verify_signature(&jws, &keys, &[]).unwrap();
            assert_eq!(used.kid.as_deref(), Some(kid));
        }
    }

    #[test]
    fn ps256_needs_a_key_without_an_rs256_pin() {
        let f = Fixture::new();
        let token = sign_with(
            &json!({"alg":"PS256","kid":"rsa1"}),
            &claims(),
            &f.rsa,
            Algorithm::PS256,
        );
        let jws = parse(&token).unwrap();
        // The JWKS pins rsa1 to RS256 (one key, one alg: RFC 8725 §3.1).
        let err = verify_signature(&jws, &keys(&f), &[]).unwrap_err();
        assert!(matches!(err, SignatureError::NoKey(_)), "{err}");
        // The same key without the pin, from a PEM file, verifies PS256.
        let pem_key = key_from_pem(f.rsa_public_pem.as_bytes()).unwrap();
        assert!(verify_signature(&jws, &[pem_key], &[]).is_ok());
    }

    #[test]
    fn hmac_verifies_with_its_secret_only() {
        let secret = b"a-long-enough-shared-secret-value";
        let token = sign_with(
            &json!({"alg":"HS256"}),
            &claims(),
            &EncodingKey::from_secret(secret).unwrap(),
            Algorithm::HS256,
        );
        let jws = parse(&token).unwrap();
        let key = key_from_secret(secret, "secret").unwrap();
        assert!(verify_signature(&jws, std::slice::from_ref(&key), &[]).is_ok());
        let wrong = key_from_secret(b"another-secret", "secret").unwrap();
        assert!(matches!(
            verify_signature(&jws, &[wrong], &[]),
            Err(SignatureError::BadSignature(_))
        ));
    }

    #[test]
    fn rejects_none_bad_signatures_and_key_confusion() {
        let f = Fixture::new();
        let keys = keys(&f);
        // alg none, in any case.
        for alg in ["none", "None", "NONE"] {
            let t = format!(
                "{}.{}.",
                b64u(json!({"alg": alg}).to_string().as_bytes()),
                b64u(claims().to_string().as_bytes())
            );
            let jws = parse(&t).unwrap();
            assert_eq!(
                verify_signature(&jws, &keys, &[]).unwrap_err(),
                SignatureError::AlgNone
            );
        }
        // A flipped signature byte.
        let token = sign_with(
            &json!({"alg":"ES256","kid":"ec1"}),
            &claims(),
            &f.ec,
            Algorithm::ES256,
        );
        // Change a character in the middle of the signature (the last one may carry padding bits).
        let mut tampered: Vec<char> = token.chars().collect();
        let i = tampered.len() - 10;
        tampered[i] = if tampered[i] == 'A' { 'B' } else { 'A' };
        let tampered: String = tampered.into_iter().collect();
        let jws = parse(&tampered).unwrap();
        assert!(verify_signature(&jws, &keys, &[]).is_err());
        // Claims changed after signing.
        let parts: Vec<&str> = token.split('.').collect();
        let forged = format!(
            "{}.{}.{}",
            parts[0],
            b64u(json!({"sub":"mallory"}).to_string().as_bytes()),
            parts[2]
        );
        assert!(verify_signature(&parse(&forged).unwrap(), &keys, &[]).is_err());
        // HS256 signed with the RSA public key (PEM text) as the HMAC secret: key
        // confusion (RFC 8725 §2.1).
        let forged = sign_with(
            &json!({"alg":"HS256","kid":"rsa1"}),
            &claims(),
            &EncodingKey::from_secret(f.rsa_public_pem.as_bytes()).unwrap(),
            Algorithm::HS256,
        );
        let err = verify_signature(&parse(&forged).unwrap(), &keys, &[]).unwrap_err();
        assert!(matches!(err, SignatureError::NoKey(_)), "{err}");
        let pem_key = key_from_pem(f.rsa_public_pem.as_bytes()).unwrap();
        assert!(verify_signature(&parse(&forged).unwrap(), &[pem_key], &[]).is_err());
    }

    #[test]
    fn header_keys_are_never_trusted() {
        // A token carrying its own key in `jwk` (CVE-2018-0114) and a `jku`: both ignored.
        let f = Fixture::new();
        let attacker = Fixture::new();
        let header = json!({"alg":"ES256","kid":"ec1","jwk":attacker.ec_jwk,"jku":"https://evil.example/jwks"});
        let token = sign_with(&header, &claims(), &attacker.ec, Algorithm::ES256);
        assert!(verify_signature(&parse(&token).unwrap(), &keys(&f), &[]).is_err());
    }

    #[test]
    fn kid_selection_and_allowlist() {
        let f = Fixture::new();
        let keys = keys(&f);
        let token = sign_with(
            &json!({"alg":"ES256","kid":"other"}),
            &claims(),
            &f.ec,
            Algorithm::ES256,
        );
        let err = verify_signature(&parse(&token).unwrap(), &keys, &[]).unwrap_err();
        assert!(err.wants_fresh_keys(), "{err}");
        // No kid, one fitting key: accepted.
        let token = sign_with(&json!({"alg":"ES256"}), &claims(), &f.ec, Algorithm::ES256);
        assert!(verify_signature(&parse(&token).unwrap(), &keys, &[]).is_ok());
        // Allowlist.
        let err =
            verify_signature(&parse(&token).unwrap(), &keys, &[Algorithm::RS256]).unwrap_err();
        assert!(matches!(err, SignatureError::AlgNotAllowed(..)), "{err}");
    }

    #[test]
    fn crit_and_b64_are_refused() {
        let f = Fixture::new();
        let keys = keys(&f);
        for header in [
            json!({"alg":"ES256","kid":"ec1","crit":["exp"],"exp":1}),
            json!({"alg":"ES256","kid":"ec1","b64":false,"crit":["b64"]}),
            json!({"alg":"ES256","kid":"ec1","b64":false}),
        ] {
            let token = sign_with(&header, &claims(), &f.ec, Algorithm::ES256);
            assert!(
                verify_signature(&parse(&token).unwrap(), &keys, &[]).is_err(),
                "{header}"
            );
        }
    }
}
