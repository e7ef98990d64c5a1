//! Signing JWTs with private keys (RFC 7515 compact JWS): the one key type behind every JWT
//! oauthctl signs. The development server signs its tokens with it; the client signs DPoP
//! proofs (RFC 9449), client assertions (`private_key_jwt`, RFC 7523 §2.2) and JWT bearer
//! assertions (RFC 7523 §2.1) with it.
//!
//! A [`SigningKey`] is parsed once and kept parsed (re-reading, and for RSA re-validating, a key
//! per signature costs more than the signature). It knows its public JWK and RFC 7638
//! thumbprint, which is also its `kid`.
//!
//! Keys come from the system CSPRNG ([`SigningKey::generate`]) or from PEM: PKCS#8
//! (`PRIVATE KEY`, what `openssl genpkey` writes) for EC P-256/P-384, RSA and Ed25519, SEC1
//! (`EC PRIVATE KEY`) and PKCS#1 (`RSA PRIVATE KEY`). RSA keys need at least 2048 bits.
//!
//! Deterministic apart from the key generation and the ECDSA/PSS nonces; no I/O.

use std::fmt;

use aws_lc_rs::encoding::AsDer as _;
use aws_lc_rs::rand::SystemRandom;
use aws_lc_rs::signature::{
    ECDSA_P256_SHA256_FIXED_SIGNING, ECDSA_P384_SHA384_FIXED_SIGNING, EcdsaKeyPair,
    EcdsaSigningAlgorithm, Ed25519KeyPair, KeyPair as _,
};
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use jsonwebtoken::{Algorithm, DecodingKey};
use serde::Serialize;
use serde_json::{Value, json};

/// A JWS signature algorithm oauthctl can sign with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum SigningAlg {
    /// ECDSA P-256 with SHA-256 (the default: small, fast, no RSA timing concerns).
    #[default]
    Es256,
    /// ECDSA P-384 with SHA-384.
    Es384,
    /// RSASSA-PKCS1-v1_5 with SHA-256.
    Rs256,
    /// RSASSA-PSS with SHA-256.
    Ps256,
    /// Ed25519 (RFC 8037).
    EdDsa,
}

impl SigningAlg {
    /// Every algorithm, in order of preference when a server names several.
    pub const ALL: [Self; 5] = [
        Self::Es256,
        Self::EdDsa,
        Self::Es384,
        Self::Ps256,
        Self::Rs256,
    ];

    /// The JOSE name (`alg` header value).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Es256 => "ES256",
            Self::Es384 => "ES384",
            Self::Rs256 => "RS256",
            Self::Ps256 => "PS256",
            Self::EdDsa => "EdDSA",
        }
    }

    /// The algorithm with this JOSE name (exact spelling, as in metadata documents).
    pub fn from_jose(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|a| a.as_str() == name)
    }

    /// The jsonwebtoken algorithm (for verifying).
    pub fn algorithm(self) -> Algorithm {
        match self {
            Self::Es256 => Algorithm::ES256,
            Self::Es384 => Algorithm::ES384,
            Self::Rs256 => Algorithm::RS256,
            Self::Ps256 => Algorithm::PS256,
            Self::EdDsa => Algorithm::EdDSA,
        }
    }

    /// The key type this algorithm signs with.
    fn kind(self) -> KeyKind {
        match self {
            Self::Es256 => KeyKind::P256,
            Self::Es384 => KeyKind::P384,
            Self::Rs256 | Self::Ps256 => KeyKind::Rsa,
            Self::EdDsa => KeyKind::Ed25519,
        }
    }

    /// The first of `offered` (JOSE names, e.g. a server's
    /// `dpop_signing_alg_values_supported`) that oauthctl can sign with, in the server's
    /// order; `None` when there is none.
    pub fn first_supported<'a>(offered: impl IntoIterator<Item = &'a str>) -> Option<Self> {
        offered.into_iter().find_map(Self::from_jose)
    }
}

impl std::str::FromStr for SigningAlg {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        Self::ALL
            .into_iter()
            .find(|a| a.as_str().eq_ignore_ascii_case(s))
            .ok_or_else(|| {
                format!(
                    "unsupported signing algorithm `{s}` (use ES256, ES384, RS256, PS256 or EdDSA)"
                )
            })
    }
}

impl fmt::Display for SigningAlg {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The kind of a key pair, which decides the algorithms it can sign with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum KeyKind {
    P256,
    P384,
    Rsa,
    Ed25519,
}

impl KeyKind {
    /// The algorithm a key of this kind signs with unless told otherwise.
    fn default_alg(self) -> SigningAlg {
        match self {
            Self::P256 => SigningAlg::Es256,
            Self::P384 => SigningAlg::Es384,
            Self::Rsa => SigningAlg::Rs256,
            Self::Ed25519 => SigningAlg::EdDsa,
        }
    }
}

/// Why a key could not be used. Messages never quote key material.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum KeyError {
    /// Not PEM, or no private key block in it.
    #[error(
        "no private key found (expected a PEM `PRIVATE KEY`, `EC PRIVATE KEY` or `RSA PRIVATE KEY` block)"
    )]
    NoKey,
    /// The PEM block's base64 is broken.
    #[error("the PEM block is not valid base64")]
    BadPem,
    /// The block holds no key oauthctl can use.
    #[error("the private key is not an EC P-256/P-384, RSA or Ed25519 key oauthctl can read")]
    Unsupported,
    /// An RSA key under 2048 bits.
    #[error("RSA keys must have at least 2048 bits")]
    RsaTooSmall,
    /// The key cannot sign with the algorithm asked for.
    #[error("a {kind} key cannot sign {alg}")]
    WrongAlg { kind: &'static str, alg: SigningAlg },
    /// Key generation or signing failed inside the crypto library.
    #[error("{0} failed")]
    Crypto(&'static str),
}

enum Signer {
    Ec(EcdsaKeyPair),
    Rsa(aws_lc_rs::rsa::KeyPair),
    Ed(Ed25519KeyPair),
}

/// A private key, parsed, with its public JWK. `Debug` shows only the algorithm and `kid`.
pub struct SigningKey {
    alg: SigningAlg,
    kid: String,
    pkcs8: Vec<u8>,
    signer: Signer,
    /// The public JWK with `kid`, `alg` and `use`.
    jwk: Value,
    /// The public JWK with only its required members (RFC 7638 §3.2), as a DPoP proof's
    /// `jwk` header carries it.
    bare_jwk: Value,
    decoding: DecodingKey,
    public_pem: String,
}

impl fmt::Debug for SigningKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SigningKey")
            .field("alg", &self.alg)
            .field("kid", &self.kid)
            .finish_non_exhaustive()
    }
}

/// A JWS protected header, members in this order.
#[derive(Serialize)]
struct Header<'a> {
    typ: &'a str,
    alg: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    kid: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    jwk: Option<&'a Value>,
}

fn b64(bytes: &[u8]) -> String {
    URL_SAFE_NO_PAD.encode(bytes)
}

/// The RFC 7638 thumbprint of `jwk` (SHA-256, base64url): the JSON of its required members
/// in lexicographic order, no whitespace. `None` for a JWK whose type it does not know or
/// whose members are not strings.
pub fn thumbprint(jwk: &Value) -> Option<String> {
    let s = |name: &str| jwk.get(name).and_then(Value::as_str);
    // serde_json writes a string with exactly the escapes RFC 7638 §3.3 requires (JSON
    // strings, no insignificant whitespace); base64url and curve names need none.
    let q = |v: &str| serde_json::to_string(v).ok();
    let canonical = match s("kty")? {
        "EC" => format!(
            r#"{{"crv":{},"kty":"EC","x":{},"y":{}}}"#,
            q(s("crv")?)?,
            q(s("x")?)?,
            q(s("y")?)?
        ),
        "RSA" => format!(r#"{{"e":{},"kty":"RSA","n":{}}}"#, q(s("e")?)?, q(s("n")?)?),
        "OKP" => format!(
            r#"{{"crv":{},"kty":"OKP","x":{}}}"#,
            q(s("crv")?)?,
            q(s("x")?)?
        ),
        _ => return None,
    };
    Some(b64(aws_lc_rs::digest::digest(
        &aws_lc_rs::digest::SHA256,
        canonical.as_bytes(),
    )
    .as_ref()))
}

/// The base64url SHA-256 of `value` (a DPoP proof's `ath`, RFC 9449 §4.2; an
/// `x5t#S256` over a certificate's DER, RFC 8705 §3.1).
pub fn sha256_b64url(value: &[u8]) -> String {
    b64(aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA256, value).as_ref())
}

impl SigningKey {
    /// A fresh key for `alg` from the system CSPRNG (RSA keys have 2048 bits).
    pub fn generate(alg: SigningAlg) -> Result<Self, KeyError> {
        let rng = SystemRandom::new();
        let pkcs8 = match alg.kind() {
            KeyKind::P256 => EcdsaKeyPair::generate_pkcs8(&ECDSA_P256_SHA256_FIXED_SIGNING, &rng)
                .map_err(|_| KeyError::Crypto("EC key generation"))?
                .as_ref()
                .to_vec(),
            KeyKind::P384 => EcdsaKeyPair::generate_pkcs8(&ECDSA_P384_SHA384_FIXED_SIGNING, &rng)
                .map_err(|_| KeyError::Crypto("EC key generation"))?
                .as_ref()
                .to_vec(),
            KeyKind::Rsa => aws_lc_rs::rsa::KeyPair::generate(aws_lc_rs::rsa::KeySize::Rsa2048)
                .and_then(|k| k.as_der())
                .map_err(|_| KeyError::Crypto("RSA key generation"))?
                .as_ref()
                .to_vec(),
            KeyKind::Ed25519 => Ed25519KeyPair::generate_pkcs8(&rng)
                .map_err(|_| KeyError::Crypto("Ed25519 key generation"))?
                .as_ref()
                .to_vec(),
        };
        Self::from_pkcs8(&pkcs8, Some(alg))
    }

    /// Reads the first private key in `pem` (PKCS#8, SEC1 or PKCS#1). `alg` picks the
    /// algorithm (it must fit the key); without it an RSA key signs RS256, P-256 ES256,
    /// P-384 ES384 and Ed25519 EdDSA.
    pub fn from_pem(pem: &str, alg: Option<SigningAlg>) -> Result<Self, KeyError> {
        let (label, der) = pem_blocks(pem)?
            .into_iter()
            .find(|(label, _)| {
                matches!(
                    label.as_str(),
                    "PRIVATE KEY" | "EC PRIVATE KEY" | "RSA PRIVATE KEY"
                )
            })
            .ok_or(KeyError::NoKey)?;
        match label.as_str() {
            "RSA PRIVATE KEY" => {
                let pair =
                    aws_lc_rs::rsa::KeyPair::from_der(&der).map_err(|_| KeyError::Unsupported)?;
                let pkcs8 = pair
                    .as_der()
                    .map_err(|_| KeyError::Crypto("RSA key encoding"))?;
                Self::from_pkcs8(pkcs8.as_ref(), alg)
            }
            "EC PRIVATE KEY" => {
                for curve in [
                    &ECDSA_P256_SHA256_FIXED_SIGNING,
                    &ECDSA_P384_SHA384_FIXED_SIGNING,
                ] {
                    if let Ok(pair) = EcdsaKeyPair::from_private_key_der(curve, &der) {
                        let pkcs8 = pair
                            .to_pkcs8v1()
                            .map_err(|_| KeyError::Crypto("EC key encoding"))?;
                        return Self::from_pkcs8(pkcs8.as_ref(), alg);
                    }
                }
                Err(KeyError::Unsupported)
            }
            _ => Self::from_pkcs8(&der, alg),
        }
    }

    /// Reads a PKCS#8 private key; `alg` as in [`SigningKey::from_pem`].
    pub fn from_pkcs8(pkcs8: &[u8], alg: Option<SigningAlg>) -> Result<Self, KeyError> {
        let ec = |curve: &'static EcdsaSigningAlgorithm| EcdsaKeyPair::from_pkcs8(curve, pkcs8);
        let (kind, signer, bare) = if let Ok(pair) = ec(&ECDSA_P256_SHA256_FIXED_SIGNING) {
            let bare = ec_jwk("P-256", pair.public_key().as_ref(), 32)?;
            (KeyKind::P256, Signer::Ec(pair), bare)
        } else if let Ok(pair) = ec(&ECDSA_P384_SHA384_FIXED_SIGNING) {
            let bare = ec_jwk("P-384", pair.public_key().as_ref(), 48)?;
            (KeyKind::P384, Signer::Ec(pair), bare)
        } else if let Ok(pair) = Ed25519KeyPair::from_pkcs8_maybe_unchecked(pkcs8) {
            let bare =
                json!({"kty": "OKP", "crv": "Ed25519", "x": b64(pair.public_key().as_ref())});
            (KeyKind::Ed25519, Signer::Ed(pair), bare)
        } else if let Ok(pair) = aws_lc_rs::rsa::KeyPair::from_pkcs8(pkcs8) {
            let public = pair.public_key();
            if public.modulus_len() < 256 {
                return Err(KeyError::RsaTooSmall);
            }
            let bare = json!({
                "kty": "RSA",
                "n": b64(public.modulus().big_endian_without_leading_zero()),
                "e": b64(public.exponent().big_endian_without_leading_zero()),
            });
            (KeyKind::Rsa, Signer::Rsa(pair), bare)
        } else {
            return Err(KeyError::Unsupported);
        };
        let alg = alg.unwrap_or_else(|| kind.default_alg());
        if alg.kind() != kind {
            return Err(KeyError::WrongAlg {
                kind: match kind {
                    KeyKind::P256 => "P-256",
                    KeyKind::P384 => "P-384",
                    KeyKind::Rsa => "RSA",
                    KeyKind::Ed25519 => "Ed25519",
                },
                alg,
            });
        }
        let kid = thumbprint(&bare).ok_or(KeyError::Unsupported)?;
        let mut jwk = bare.clone();
        if let Some(obj) = jwk.as_object_mut() {
            obj.insert("kid".into(), json!(kid));
            obj.insert("alg".into(), json!(alg.as_str()));
            obj.insert("use".into(), json!("sig"));
        }
        let spki = match &signer {
            Signer::Ec(pair) => pair.public_key().as_der().map(|d| d.as_ref().to_vec()),
            Signer::Rsa(pair) => pair.public_key().as_der().map(|d| d.as_ref().to_vec()),
            Signer::Ed(pair) => pair.public_key().as_der().map(|d| d.as_ref().to_vec()),
        }
        .map_err(|_| KeyError::Crypto("public key encoding"))?;
        let decoding = match &signer {
            Signer::Ec(_) => DecodingKey::from_ec_components(
                bare["x"].as_str().unwrap_or_default(),
                bare["y"].as_str().unwrap_or_default(),
            )
            .map_err(|_| KeyError::Unsupported)?,
            Signer::Rsa(_) => DecodingKey::from_rsa_components(
                bare["n"].as_str().unwrap_or_default(),
                bare["e"].as_str().unwrap_or_default(),
            )
            .map_err(|_| KeyError::Unsupported)?,
            Signer::Ed(_) => {
                DecodingKey::from_ed_components(bare["x"].as_str().unwrap_or_default())
                    .map_err(|_| KeyError::Unsupported)?
            }
        };
        Ok(Self {
            alg,
            kid,
            pkcs8: pkcs8.to_vec(),
            signer,
            jwk,
            bare_jwk: bare,
            decoding,
            public_pem: pem_block("PUBLIC KEY", &spki),
        })
    }

    /// The algorithm this key signs with.
    pub fn alg(&self) -> SigningAlg {
        self.alg
    }

    /// The key identifier: the RFC 7638 thumbprint of the public key.
    pub fn kid(&self) -> &str {
        &self.kid
    }

    /// The RFC 7638 thumbprint (a DPoP key's `jkt`, RFC 9449 §6.1); the same as
    /// [`SigningKey::kid`].
    pub fn thumbprint(&self) -> &str {
        &self.kid
    }

    /// The public JWK with `kid`, `alg` and `use` (for a JWKS).
    pub fn jwk(&self) -> &Value {
        &self.jwk
    }

    /// The public JWK with only its required members.
    pub fn bare_jwk(&self) -> &Value {
        &self.bare_jwk
    }

    /// The public key as SubjectPublicKeyInfo PEM (what `openssl pkey -pubout` prints).
    pub fn public_pem(&self) -> &str {
        &self.public_pem
    }

    /// The key for verifying this key's signatures.
    pub fn decoding(&self) -> &DecodingKey {
        &self.decoding
    }

    /// The private key as a PKCS#8 PEM block (for a key file or the token store). Callers
    /// treat the result as a secret.
    pub fn private_pem(&self) -> String {
        pem_block("PRIVATE KEY", &self.pkcs8)
    }

    /// Signs `claims` with a header `{"typ", "alg", "kid"}`.
    pub fn sign<T: Serialize + ?Sized>(&self, typ: &str, claims: &T) -> Result<String, KeyError> {
        self.compact(
            &Header {
                typ,
                alg: self.alg.as_str(),
                kid: Some(&self.kid),
                jwk: None,
            },
            claims,
        )
    }

    /// Signs `claims` with a header `{"typ", "alg"}` and no `kid`.
    pub fn sign_without_kid<T: Serialize + ?Sized>(
        &self,
        typ: &str,
        claims: &T,
    ) -> Result<String, KeyError> {
        self.compact(
            &Header {
                typ,
                alg: self.alg.as_str(),
                kid: None,
                jwk: None,
            },
            claims,
        )
    }

    /// Signs `claims` with a header `{"typ", "alg", "jwk"}` carrying the public key (a DPoP
    /// proof, RFC 9449 §4.2).
    pub fn sign_with_jwk<T: Serialize + ?Sized>(
        &self,
        typ: &str,
        claims: &T,
    ) -> Result<String, KeyError> {
        self.compact(
            &Header {
                typ,
                alg: self.alg.as_str(),
                kid: None,
                jwk: Some(&self.bare_jwk),
            },
            claims,
        )
    }

    /// Signs `claims` with a header `{"typ", "alg", "kid"}` naming `kid` (for a key whose
    /// identifier is chosen elsewhere, as `oauthctl jwt sign --kid` does), or without a
    /// `kid` when it is `None`.
    pub fn sign_with_kid<T: Serialize + ?Sized>(
        &self,
        typ: &str,
        kid: Option<&str>,
        claims: &T,
    ) -> Result<String, KeyError> {
        self.compact(
            &Header {
                typ,
                alg: self.alg.as_str(),
                kid,
                jwk: None,
            },
            claims,
        )
    }

    /// A compact JWS (RFC 7515 §7.1) over the JSON of `header` and `claims`, in one buffer.
    fn compact<T: Serialize + ?Sized>(
        &self,
        header: &Header<'_>,
        claims: &T,
    ) -> Result<String, KeyError> {
        let header = serde_json::to_vec(header).map_err(|_| KeyError::Crypto("JSON encoding"))?;
        let claims = serde_json::to_vec(claims).map_err(|_| KeyError::Crypto("JSON encoding"))?;
        let sig_len = match &self.signer {
            Signer::Ec(_) => 96,
            Signer::Ed(_) => 64,
            Signer::Rsa(pair) => pair.public_modulus_len(),
        };
        let b64_len = |n: usize| n.div_ceil(3) * 4;
        let mut jws = String::with_capacity(
            b64_len(header.len()) + b64_len(claims.len()) + b64_len(sig_len) + 2,
        );
        URL_SAFE_NO_PAD.encode_string(&header, &mut jws);
        jws.push('.');
        URL_SAFE_NO_PAD.encode_string(&claims, &mut jws);
        let rng = SystemRandom::new();
        let signature = match &self.signer {
            Signer::Ec(pair) => pair
                .sign(&rng, jws.as_bytes())
                .map_err(|_| KeyError::Crypto("ECDSA signing"))?
                .as_ref()
                .to_vec(),
            Signer::Ed(pair) => pair.sign(jws.as_bytes()).as_ref().to_vec(),
            Signer::Rsa(pair) => {
                let padding = if self.alg == SigningAlg::Ps256 {
                    &aws_lc_rs::signature::RSA_PSS_SHA256
                } else {
                    &aws_lc_rs::signature::RSA_PKCS1_SHA256
                };
                let mut sig = vec![0; pair.public_modulus_len()];
                pair.sign(padding, &rng, jws.as_bytes(), &mut sig)
                    .map_err(|_| KeyError::Crypto("RSA signing"))?;
                sig
            }
        };
        jws.push('.');
        URL_SAFE_NO_PAD.encode_string(&signature, &mut jws);
        Ok(jws)
    }
}

/// The public JWK of an EC key from its uncompressed SEC1 point (`0x04 || x || y`).
fn ec_jwk(crv: &str, point: &[u8], coordinate: usize) -> Result<Value, KeyError> {
    if point.len() != 1 + 2 * coordinate || point[0] != 4 {
        return Err(KeyError::Unsupported);
    }
    Ok(json!({
        "kty": "EC",
        "crv": crv,
        "x": b64(&point[1..=coordinate]),
        "y": b64(&point[1 + coordinate..]),
    }))
}

mod hmac;
mod pem;

pub use hmac::{HmacAlg, sign_hmac, sign_hs256};
pub use pem::{pem_block, pem_blocks};

#[cfg(test)]
mod tests;
