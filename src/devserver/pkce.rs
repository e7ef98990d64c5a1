//! PKCE at the server (RFC 7636): the syntax of challenges and verifiers, and the S256
//! transformation the token endpoint checks a verifier with.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;

/// RFC 7636 §4.2: 43–128 characters of `[A-Za-z0-9-._~]`.
pub(crate) fn valid_pkce_value(v: &str) -> bool {
    (43..=128).contains(&v.len())
        && v.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-._~".contains(&b))
}

/// S256: BASE64URL(SHA256(ASCII(verifier))) (RFC 7636 §4.6).
pub(crate) fn s256(verifier: &str) -> String {
    URL_SAFE_NO_PAD.encode(aws_lc_rs::digest::digest(
        &aws_lc_rs::digest::SHA256,
        verifier.as_bytes(),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn s256_matches_rfc7636_appendix_b() {
        assert_eq!(
            s256("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"),
            "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
        );
    }

    #[test]
    fn pkce_values_follow_the_abnf() {
        assert!(valid_pkce_value(&"a".repeat(43)));
        assert!(!valid_pkce_value(&"a".repeat(42)));
        assert!(!valid_pkce_value(&"a".repeat(129)));
        assert!(!valid_pkce_value(&format!("{}+", "a".repeat(43))));
    }
}
