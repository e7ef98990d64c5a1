//! Verification keys: JWKS documents, PEM public keys and certificates, HMAC secrets, each
//! with the constraints its publisher attached (`use`, `key_ops`, `alg`, key size).

use std::fmt;
use std::str::FromStr;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use jsonwebtoken::jwk::{AlgorithmParameters, Jwk};
use jsonwebtoken::{Algorithm, AlgorithmFamily, DecodingKey};
use serde_json::Value;

use crate::oauth::strict_json;

/// The smallest RSA modulus accepted (RFC 7518 §3.3).
pub(crate) const MIN_RSA_BITS: usize = 2048;

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

/// Parses a JWKS document. Unusable keys are skipped with a reason, never fatal: one
/// key of an unknown type must not make the others unusable.
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::{Fixture, b64u};
    use serde_json::json;

    #[test]
    fn jwks_skips_unusable_keys() {
        let f = Fixture::new();
        let small_n = b64u(&[0xC1; 128]); // 1024 bits
        let doc = json!({"keys":[
            {"kty":"RSA","kid":"small","n":small_n,"e":"AQAB"},
            {"kty":"AKP","kid":"pq","alg":"ML-DSA-44","pub":"AAAA"},
            {"kty":"EC","kid":"enc","use":"enc","crv":"P-256","x":f.ec_jwk["x"],"y":f.ec_jwk["y"]},
            {"kty":"EC","kid":"ops","key_ops":["encrypt"],"crv":"P-256","x":f.ec_jwk["x"],"y":f.ec_jwk["y"]},
            {"kty":"oct","kid":"sym","k":"c2VjcmV0"},
            {"kty":"EC","kid":"mismatch","alg":"RS256","crv":"P-256","x":f.ec_jwk["x"],"y":f.ec_jwk["y"]},
            "not an object",
            f.ec_jwk,
        ]});
        let set = parse_jwks(&serde_json::to_vec(&doc).unwrap()).unwrap();
        assert_eq!(set.keys.len(), 1);
        assert_eq!(set.skipped.len(), 7, "{:?}", set.skipped);
        assert!(set.skipped[0].contains("1024 bits"), "{:?}", set.skipped);
        assert!(parse_jwks(b"{}").is_err());
        assert!(parse_jwks(b"[]").is_err());
    }

    #[test]
    fn pem_keys_are_classified() {
        let f = Fixture::new();
        let k = key_from_pem(f.rsa_public_pem.as_bytes()).unwrap();
        assert_eq!(k.family, AlgorithmFamily::Rsa);
        assert!(
            key_from_pem(b"-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n")
                .is_err()
        );
        assert!(key_from_pem(b"garbage").is_err());
    }
}
