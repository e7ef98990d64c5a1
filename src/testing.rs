//! Test support shared by unit and integration tests: freshly generated signing keys with
//! their JWKs and PEM forms, and a signer for arbitrary (also malformed) JWTs. Not part of
//! the supported API.

use aws_lc_rs::encoding::AsDer as _;
use aws_lc_rs::rand::SystemRandom;
use aws_lc_rs::signature::{self, KeyPair as _};
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use jsonwebtoken::{Algorithm, EncodingKey};
use serde_json::{Value, json};

/// Fixture keys: private keys for signing, JWKs for verifying.
#[allow(missing_debug_implementations)]
pub struct Fixture {
    pub rsa: EncodingKey,
    pub rsa_jwk: Value,
    pub rsa_public_pem: String,
    pub ec: EncodingKey,
    pub ec_jwk: Value,
    pub ed: EncodingKey,
    pub ed_jwk: Value,
}

/// Unpadded base64url.
pub fn b64u(bytes: &[u8]) -> String {
    URL_SAFE_NO_PAD.encode(bytes)
}

fn pem(label: &str, der: &[u8]) -> String {
    let body = base64::engine::general_purpose::STANDARD.encode(der);
    let lines: Vec<&str> = body
        .as_bytes()
        .chunks(64)
        .map(|c| std::str::from_utf8(c).expect("test fixture"))
        .collect();
    format!(
        "-----BEGIN {label}-----\n{}\n-----END {label}-----\n",
        lines.join("\n")
    )
}

impl Default for Fixture {
    fn default() -> Self {
        Self::new()
    }
}

impl Fixture {
    /// Generates RSA-2048, P-256 and Ed25519 keys.
    #[must_use]
    pub fn new() -> Self {
        let rng = SystemRandom::new();
        let rsa = aws_lc_rs::rsa::KeyPair::generate(aws_lc_rs::rsa::KeySize::Rsa2048)
            .expect("test fixture");
        let pkcs8 = rsa.as_der().expect("test fixture");
        let rsa_enc = EncodingKey::from_rsa_pem(pem("PRIVATE KEY", pkcs8.as_ref()).as_bytes())
            .expect("test fixture");
        let comps = signature::RsaPublicKeyComponents::<Vec<u8>>::from(rsa.public_key());
        let rsa_jwk = json!({"kty":"RSA","kid":"rsa1","use":"sig","alg":"RS256","n":b64u(&comps.n),"e":b64u(&comps.e)});
        let spki = rsa.public_key().as_der().expect("test fixture");
        let rsa_public_pem = pem("PUBLIC KEY", spki.as_ref());

        let ec_doc = signature::EcdsaKeyPair::generate_pkcs8(
            &signature::ECDSA_P256_SHA256_FIXED_SIGNING,
            &rng,
        )
        .expect("test fixture");
        let ec_pair = signature::EcdsaKeyPair::from_pkcs8(
            &signature::ECDSA_P256_SHA256_FIXED_SIGNING,
            ec_doc.as_ref(),
        )
        .expect("test fixture");
        let point = ec_pair.public_key().as_ref();
        let ec_jwk = json!({"kty":"EC","crv":"P-256","kid":"ec1","x":b64u(&point[1..33]),"y":b64u(&point[33..65])});

        let ed_doc = signature::Ed25519KeyPair::generate_pkcs8(&rng).expect("test fixture");
        let ed_pair = signature::Ed25519KeyPair::from_pkcs8(ed_doc.as_ref()).expect("test fixture");
        let ed_jwk = json!({"kty":"OKP","crv":"Ed25519","kid":"ed1","x":b64u(ed_pair.public_key().as_ref())});
        Self {
            rsa: rsa_enc,
            rsa_jwk,
            rsa_public_pem,
            ec: EncodingKey::from_ec_der(ec_doc.as_ref()),
            ec_jwk,
            ed: EncodingKey::from_ed_der(ed_doc.as_ref()),
            ed_jwk,
        }
    }

    /// The three public keys as a JWKS document.
    #[must_use]
    pub fn jwks(&self) -> Vec<u8> {
        serde_json::to_vec(&json!({"keys":[self.rsa_jwk, self.ec_jwk, self.ed_jwk]}))
            .expect("test fixture")
    }
}

/// Signs `claims` with `header` (which must carry `alg`).
pub fn sign_with(header: &Value, claims: &Value, key: &EncodingKey, alg: Algorithm) -> String {
    let input = format!(
        "{}.{}",
        b64u(&serde_json::to_vec(header).expect("test fixture")),
        b64u(&serde_json::to_vec(claims).expect("test fixture"))
    );
    let sig = jsonwebtoken::crypto::sign(input.as_bytes(), key, alg).expect("test fixture");
    format!("{input}.{sig}")
}
