//! Signing keys of the dev server: generation (aws-lc-rs CSPRNG, P-256 or RSA-2048), the
//! optional key file (PKCS#8 PEM blocks, 0600, created with that mode, never through a
//! symlink), the published JWKS, JWT signing and verification.
//!
//! The key file holds one or more `PRIVATE KEY` blocks: the first signs, the others are
//! previous keys still published in the JWKS so that tokens they signed keep verifying
//! after a rotation. These keys are for development only.

use std::io::Write as _;
use std::path::{Path, PathBuf};

use aws_lc_rs::encoding::AsDer as _;
use aws_lc_rs::rand::SystemRandom;
use aws_lc_rs::signature::{ECDSA_P256_SHA256_FIXED_SIGNING, EcdsaKeyPair, KeyPair as _};
use base64::Engine as _;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use jsonwebtoken::{Algorithm, DecodingKey};
use serde::Serialize;
use serde_json::json;

/// The JWS algorithm of the signing key.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SigningAlg {
    /// ECDSA P-256 with SHA-256 (the default: small, fast, and no RSA timing concerns).
    #[default]
    Es256,
    /// RSASSA-PKCS1-v1_5 with SHA-256, 2048-bit key.
    Rs256,
}

impl SigningAlg {
    /// The JOSE name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Es256 => "ES256",
            Self::Rs256 => "RS256",
        }
    }

    fn jwt(self) -> Algorithm {
        match self {
            Self::Es256 => Algorithm::ES256,
            Self::Rs256 => Algorithm::RS256,
        }
    }
}

impl std::str::FromStr for SigningAlg {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s.to_ascii_uppercase().as_str() {
            "ES256" => Ok(Self::Es256),
            "RS256" => Ok(Self::Rs256),
            _ => Err(format!(
                "unsupported signing algorithm `{s}` (use ES256 or RS256)"
            )),
        }
    }
}

/// A parsed private key. Kept parsed: re-reading (and for RSA re-validating) the key for
/// every token made RS256 signing far slower than the signature itself.
enum Signer {
    Ec(EcdsaKeyPair),
    Rsa(aws_lc_rs::rsa::KeyPair),
}

/// A JWS protected header, members in this order.
#[derive(Serialize)]
struct JwsHeader<'a> {
    typ: &'a str,
    alg: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    kid: Option<&'a str>,
}

/// One key pair, ready to sign and verify.
pub(crate) struct SigningKey {
    pub alg: SigningAlg,
    pub kid: String,
    pkcs8: Vec<u8>,
    signer: Signer,
    decoding: DecodingKey,
    jwk: serde_json::Value,
    /// The public key as SubjectPublicKeyInfo PEM (what `openssl pkey -pubout` prints).
    public_pem: String,
}

impl std::fmt::Debug for SigningKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SigningKey")
            .field("alg", &self.alg)
            .field("kid", &self.kid)
            .finish_non_exhaustive()
    }
}

fn b64(bytes: &[u8]) -> String {
    URL_SAFE_NO_PAD.encode(bytes)
}

/// RFC 7638 JWK thumbprint: SHA-256 over the required members in lexicographic order.
fn thumbprint(canonical: &str) -> String {
    b64(aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA256, canonical.as_bytes()).as_ref())
}

impl SigningKey {
    /// A fresh key from the system CSPRNG.
    pub(crate) fn generate(alg: SigningAlg) -> Result<Self, String> {
        let pkcs8 = match alg {
            SigningAlg::Es256 => {
                EcdsaKeyPair::generate_pkcs8(&ECDSA_P256_SHA256_FIXED_SIGNING, &SystemRandom::new())
                    .map_err(|_| "cannot generate an EC key".to_owned())?
                    .as_ref()
                    .to_vec()
            }
            SigningAlg::Rs256 => {
                aws_lc_rs::rsa::KeyPair::generate(aws_lc_rs::rsa::KeySize::Rsa2048)
                    .and_then(|k| k.as_der())
                    .map_err(|_| "cannot generate an RSA key".to_owned())?
                    .as_ref()
                    .to_vec()
            }
        };
        Self::from_pkcs8(&pkcs8)
    }

    /// Loads a PKCS#8 key, recognising P-256 and RSA (≥ 2048 bits).
    pub(crate) fn from_pkcs8(pkcs8: &[u8]) -> Result<Self, String> {
        if let Ok(pair) = EcdsaKeyPair::from_pkcs8(&ECDSA_P256_SHA256_FIXED_SIGNING, pkcs8) {
            // Uncompressed SEC1 point: 0x04 || x || y.
            let point = pair.public_key().as_ref();
            if point.len() != 65 {
                return Err("unexpected EC public key encoding".into());
            }
            let (x, y) = (b64(&point[1..33]), b64(&point[33..]));
            let kid = thumbprint(&format!(
                r#"{{"crv":"P-256","kty":"EC","x":"{x}","y":"{y}"}}"#
            ));
            let decoding = DecodingKey::from_ec_components(&x, &y).map_err(|e| e.to_string())?;
            let spki = pair
                .public_key()
                .as_der()
                .map_err(|_| "cannot encode the EC public key".to_owned())?;
            return Ok(Self {
                public_pem: pem_block("PUBLIC KEY", spki.as_ref()),
                alg: SigningAlg::Es256,
                jwk: json!({"kty": "EC", "crv": "P-256", "x": x, "y": y, "kid": kid,
                            "alg": "ES256", "use": "sig"}),
                kid,
                pkcs8: pkcs8.to_vec(),
                signer: Signer::Ec(pair),
                decoding,
            });
        }
        let pair = aws_lc_rs::rsa::KeyPair::from_pkcs8(pkcs8)
            .map_err(|_| "the key is neither a P-256 nor an RSA PKCS#8 private key".to_owned())?;
        let public = pair.public_key();
        if public.modulus_len() < 256 {
            return Err("RSA keys must have at least 2048 bits".into());
        }
        let n = b64(public.modulus().big_endian_without_leading_zero());
        let e = b64(public.exponent().big_endian_without_leading_zero());
        let kid = thumbprint(&format!(r#"{{"e":"{e}","kty":"RSA","n":"{n}"}}"#));
        let decoding = DecodingKey::from_rsa_components(&n, &e).map_err(|e| e.to_string())?;
        let spki = public
            .as_der()
            .map_err(|_| "cannot encode the RSA public key".to_owned())?;
        Ok(Self {
            public_pem: pem_block("PUBLIC KEY", spki.as_ref()),
            alg: SigningAlg::Rs256,
            jwk: json!({"kty": "RSA", "n": n, "e": e, "kid": kid, "alg": "RS256", "use": "sig"}),
            kid,
            pkcs8: pkcs8.to_vec(),
            signer: Signer::Rsa(pair),
            decoding,
        })
    }

    /// The public JWK.
    pub(crate) fn jwk(&self) -> &serde_json::Value {
        &self.jwk
    }

    /// Signs `claims` with header `typ`.
    pub(crate) fn sign<T: Serialize + ?Sized>(
        &self,
        typ: &str,
        claims: &T,
    ) -> Result<String, String> {
        self.compact(
            &JwsHeader {
                typ,
                alg: self.alg.as_str(),
                kid: Some(&self.kid),
            },
            claims,
        )
    }

    /// Signs `claims` with header `typ` and no `kid` (`--misbehave kid-absent-multi-key`).
    pub(crate) fn sign_without_kid<T: Serialize + ?Sized>(
        &self,
        typ: &str,
        claims: &T,
    ) -> Result<String, String> {
        self.compact(
            &JwsHeader {
                typ,
                alg: self.alg.as_str(),
                kid: None,
            },
            claims,
        )
    }

    /// A compact JWS (RFC 7515 §7.1) over the JSON of `header` and `claims`, built in one
    /// buffer.
    fn compact<T: Serialize + ?Sized>(
        &self,
        header: &JwsHeader<'_>,
        claims: &T,
    ) -> Result<String, String> {
        let header = serde_json::to_vec(header).map_err(|e| e.to_string())?;
        let claims = serde_json::to_vec(claims).map_err(|e| e.to_string())?;
        let sig_len = match &self.signer {
            Signer::Ec(_) => 64,
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
        match &self.signer {
            Signer::Ec(pair) => {
                let sig = pair
                    .sign(&rng, jws.as_bytes())
                    .map_err(|_| "ES256 signing failed".to_owned())?;
                jws.push('.');
                URL_SAFE_NO_PAD.encode_string(sig.as_ref(), &mut jws);
            }
            Signer::Rsa(pair) => {
                let mut sig = vec![0; pair.public_modulus_len()];
                pair.sign(
                    &aws_lc_rs::signature::RSA_PKCS1_SHA256,
                    &rng,
                    jws.as_bytes(),
                    &mut sig,
                )
                .map_err(|_| "RS256 signing failed".to_owned())?;
                jws.push('.');
                URL_SAFE_NO_PAD.encode_string(&sig, &mut jws);
            }
        }
        Ok(jws)
    }

    /// The public key as PEM (`--misbehave id-token-hs256-with-rsa-pubkey` uses it as an
    /// HMAC secret, as the classic algorithm-confusion attack does).
    pub(crate) fn public_pem(&self) -> &str {
        &self.public_pem
    }

    /// The key for verifying this key's signatures.
    pub(crate) fn decoding(&self) -> &DecodingKey {
        &self.decoding
    }

    /// The jsonwebtoken algorithm.
    pub(crate) fn algorithm(&self) -> Algorithm {
        self.alg.jwt()
    }

    fn pem(&self) -> String {
        pem_block("PRIVATE KEY", &self.pkcs8)
    }
}

/// A PEM block with 64-character lines.
fn pem_block(label: &str, der: &[u8]) -> String {
    let body = STANDARD.encode(der);
    let mut out = format!("-----BEGIN {label}-----\n");
    for line in body.as_bytes().chunks(64) {
        out.push_str(&String::from_utf8_lossy(line));
        out.push('\n');
    }
    out.push_str("-----END ");
    out.push_str(label);
    out.push_str("-----\n");
    out
}

/// The active key plus previous keys still published.
#[derive(Debug)]
pub(crate) struct KeySet {
    pub keys: Vec<SigningKey>,
    file: Option<PathBuf>,
}

/// How many keys the JWKS publishes at most (active + previous).
const MAX_PUBLISHED: usize = 3;

impl KeySet {
    /// Loads the key file, or creates it with a new key; without a file, a fresh key.
    pub(crate) fn open(alg: SigningAlg, file: Option<&Path>) -> Result<Self, String> {
        let Some(path) = file else {
            return Ok(Self {
                keys: vec![SigningKey::generate(alg)?],
                file: None,
            });
        };
        if let Some(text) = read_private(path)? {
            let keys = parse_pem_blocks(&text)?
                .iter()
                .map(|der| SigningKey::from_pkcs8(der))
                .collect::<Result<Vec<_>, _>>()
                .map_err(|e| format!("{}: {e}", path.display()))?;
            if keys.is_empty() {
                return Err(format!("{}: no PRIVATE KEY block", path.display()));
            }
            Ok(Self {
                keys,
                file: Some(path.to_owned()),
            })
        } else {
            let set = Self {
                keys: vec![SigningKey::generate(alg)?],
                file: Some(path.to_owned()),
            };
            set.save()?;
            Ok(set)
        }
    }

    /// The signing key.
    pub(crate) fn active(&self) -> &SigningKey {
        &self.keys[0]
    }

    /// Generates a new signing key (same algorithm as `alg`), keeps the previous ones
    /// published (at most [`MAX_PUBLISHED`] in all), and persists the set. Returns the new kid.
    pub(crate) fn rotate(&mut self, alg: SigningAlg) -> Result<String, String> {
        let key = SigningKey::generate(alg)?;
        let kid = key.kid.clone();
        self.keys.insert(0, key);
        self.keys.truncate(MAX_PUBLISHED);
        self.save()?;
        Ok(kid)
    }

    /// The JWKS document.
    pub(crate) fn jwks(&self) -> serde_json::Value {
        json!({"keys": self.keys.iter().map(SigningKey::jwk).collect::<Vec<_>>()})
    }

    /// The key with `kid`.
    pub(crate) fn find(&self, kid: &str) -> Option<&SigningKey> {
        self.keys.iter().find(|k| k.kid == kid)
    }

    fn save(&self) -> Result<(), String> {
        let Some(path) = &self.file else {
            return Ok(());
        };
        let text: String = self.keys.iter().map(SigningKey::pem).collect();
        write_private(path, text.as_bytes()).map_err(|e| format!("{}: {e}", path.display()))
    }
}

fn parse_pem_blocks(text: &str) -> Result<Vec<Vec<u8>>, String> {
    let mut out = Vec::new();
    let mut current: Option<String> = None;
    for line in text.lines().map(str::trim) {
        match (line, current.as_mut()) {
            ("-----BEGIN PRIVATE KEY-----", None) => current = Some(String::new()),
            ("-----END PRIVATE KEY-----", Some(b64)) => {
                out.push(
                    STANDARD
                        .decode(b64.as_bytes())
                        .map_err(|_| "invalid base64 in the key file".to_owned())?,
                );
                current = None;
            }
            (l, Some(b64)) => b64.push_str(l),
            ("", None) => {}
            (_, None) => return Err("the key file must hold PKCS#8 `PRIVATE KEY` blocks".into()),
        }
    }
    Ok(out)
}

/// Reads a private file: refuses symlinks and files others can read (like ssh).
#[cfg(unix)]
fn read_private(path: &Path) -> Result<Option<String>, String> {
    use std::io::Read as _;
    use std::os::unix::fs::{MetadataExt as _, OpenOptionsExt as _};
    let file = match std::fs::OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_NOFOLLOW)
        .open(path)
    {
        Ok(f) => f,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => {
            return Err(format!(
                "cannot open {} (symlinks are refused): {e}",
                path.display()
            ));
        }
    };
    let meta = file.metadata().map_err(|e| e.to_string())?;
    if !meta.is_file() {
        return Err(format!("{} is not a regular file", path.display()));
    }
    if meta.mode() & 0o077 != 0 {
        return Err(format!(
            "{} is readable by other users; run `chmod 600 {}`",
            path.display(),
            path.display()
        ));
    }
    let mut text = String::new();
    file.take(1024 * 1024)
        .read_to_string(&mut text)
        .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    Ok(Some(text))
}

#[cfg(not(unix))]
fn read_private(path: &Path) -> Result<Option<String>, String> {
    match std::fs::read_to_string(path) {
        Ok(t) => Ok(Some(t)),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(e.to_string()),
    }
}

/// Writes a private file atomically: a new temporary file created 0600 (`O_EXCL`, so no
/// symlink is followed) in the same directory, then renamed over the target.
fn write_private(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or_else(|| Path::new("."));
    let name = path
        .file_name()
        .map_or_else(|| "key".into(), |n| n.to_string_lossy().into_owned());
    let tmp = dir.join(format!(
        ".{name}.{}.tmp",
        crate::devserver::wire::random_token()
    ));
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt as _;
        options.mode(0o600).custom_flags(libc::O_NOFOLLOW);
    }
    let result = (|| {
        let mut file = options.open(&tmp)?;
        file.write_all(bytes)?;
        file.sync_all()?;
        std::fs::rename(&tmp, path)
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn es256_keys_sign_and_verify() {
        let key = SigningKey::generate(SigningAlg::Es256).unwrap();
        let jwt = key
            .sign("at+jwt", &json!({"sub": "x", "exp": 4_000_000_000u64}))
            .unwrap();
        let mut v = jsonwebtoken::Validation::new(Algorithm::ES256);
        v.validate_aud = false;
        let data = jsonwebtoken::decode::<serde_json::Value>(&jwt, key.decoding(), &v).unwrap();
        assert_eq!(data.header.kid.as_deref(), Some(key.kid.as_str()));
        assert_eq!(data.header.typ.as_deref(), Some("at+jwt"));
        let header = URL_SAFE_NO_PAD
            .decode(jwt.split('.').next().unwrap())
            .unwrap();
        assert_eq!(
            String::from_utf8(header).unwrap(),
            format!(r#"{{"typ":"at+jwt","alg":"ES256","kid":"{}"}}"#, key.kid)
        );
        let bare = key.sign_without_kid("JWT", &json!({"sub": "x"})).unwrap();
        let header = URL_SAFE_NO_PAD
            .decode(bare.split('.').next().unwrap())
            .unwrap();
        assert_eq!(header, br#"{"typ":"JWT","alg":"ES256"}"#);
    }

    #[test]
    fn rs256_keys_sign_and_verify() {
        let key = SigningKey::generate(SigningAlg::Rs256).unwrap();
        let jwt = key
            .sign("JWT", &json!({"sub": "x", "exp": 4_000_000_000u64}))
            .unwrap();
        let mut v = jsonwebtoken::Validation::new(Algorithm::RS256);
        v.validate_aud = false;
        assert!(jsonwebtoken::decode::<serde_json::Value>(&jwt, key.decoding(), &v).is_ok());
        assert_eq!(key.jwk()["kty"], "RSA");
    }

    #[cfg(unix)]
    #[test]
    fn key_file_is_private_and_survives_rotation() {
        use std::os::unix::fs::PermissionsExt as _;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("keys.pem");
        let mut set = KeySet::open(SigningAlg::Es256, Some(&path)).unwrap();
        let first = set.active().kid.clone();
        let mode = std::fs::metadata(&path).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
        let again = KeySet::open(SigningAlg::Es256, Some(&path)).unwrap();
        assert_eq!(again.active().kid, first);
        let new = set.rotate(SigningAlg::Es256).unwrap();
        let reloaded = KeySet::open(SigningAlg::Es256, Some(&path)).unwrap();
        assert_eq!(reloaded.active().kid, new);
        assert!(reloaded.find(&first).is_some());
        assert_eq!(reloaded.jwks()["keys"].as_array().unwrap().len(), 2);
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).unwrap();
        assert!(KeySet::open(SigningAlg::Es256, Some(&path)).is_err());
        let link = dir.path().join("link.pem");
        std::os::unix::fs::symlink(&path, &link).unwrap();
        assert!(KeySet::open(SigningAlg::Es256, Some(&link)).is_err());
    }
}
