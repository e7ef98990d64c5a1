//! PKCE at the server (RFC 7636): the syntax of challenges and verifiers, and the S256
//! transformation the token endpoint checks a verifier with (the client's own).

pub(crate) use crate::oauth::pkce::s256_challenge as s256;

/// RFC 7636 §4.2: 43–128 characters of `[A-Za-z0-9-._~]`.
pub(crate) fn valid_pkce_value(v: &str) -> bool {
    (43..=128).contains(&v.len())
        && v.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-._~".contains(&b))
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
