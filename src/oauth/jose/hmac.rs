//! HMAC-signed JWTs (RFC 7518 §3.2): `client_secret_jwt` assertions and `jwt sign` with a
//! shared secret.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde::Serialize;

use super::{Header, KeyError, b64};

/// Signs `claims` with an HMAC `secret` (`client_secret_jwt`, RFC 7523 §2.2 with OIDC Core
/// §9): HS256, header `{"typ", "alg"}`.
pub fn sign_hs256<T: Serialize + ?Sized>(
    secret: &[u8],
    typ: &str,
    claims: &T,
) -> Result<String, KeyError> {
    sign_hmac(HmacAlg::Hs256, secret, typ, None, claims)
}

/// An HMAC JWS algorithm (RFC 7518 §3.2).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HmacAlg {
    /// HMAC with SHA-256.
    Hs256,
    /// HMAC with SHA-384.
    Hs384,
    /// HMAC with SHA-512.
    Hs512,
}

impl HmacAlg {
    /// Every HMAC algorithm.
    pub const ALL: [Self; 3] = [Self::Hs256, Self::Hs384, Self::Hs512];

    /// The JOSE name (`alg` header value).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Hs256 => "HS256",
            Self::Hs384 => "HS384",
            Self::Hs512 => "HS512",
        }
    }

    /// The algorithm with this JOSE name, ignoring case.
    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL
            .into_iter()
            .find(|a| a.as_str().eq_ignore_ascii_case(name))
    }

    fn hmac(self) -> aws_lc_rs::hmac::Algorithm {
        match self {
            Self::Hs256 => aws_lc_rs::hmac::HMAC_SHA256,
            Self::Hs384 => aws_lc_rs::hmac::HMAC_SHA384,
            Self::Hs512 => aws_lc_rs::hmac::HMAC_SHA512,
        }
    }
}

/// Signs `claims` with an HMAC `secret` and `alg`: header `{"typ", "alg", "kid"}`, without
/// `kid` when it is `None`.
pub fn sign_hmac<T: Serialize + ?Sized>(
    alg: HmacAlg,
    secret: &[u8],
    typ: &str,
    kid: Option<&str>,
    claims: &T,
) -> Result<String, KeyError> {
    let header = serde_json::to_vec(&Header {
        typ,
        alg: alg.as_str(),
        kid,
        jwk: None,
    })
    .map_err(|_| KeyError::Crypto("JSON encoding"))?;
    let claims = serde_json::to_vec(claims).map_err(|_| KeyError::Crypto("JSON encoding"))?;
    let mut jws = b64(&header);
    jws.push('.');
    URL_SAFE_NO_PAD.encode_string(&claims, &mut jws);
    let key = aws_lc_rs::hmac::Key::new(alg.hmac(), secret);
    let tag = aws_lc_rs::hmac::sign(&key, jws.as_bytes());
    jws.push('.');
    URL_SAFE_NO_PAD.encode_string(tag.as_ref(), &mut jws);
    Ok(jws)
}
