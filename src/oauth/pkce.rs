//! Fresh per-flow secrets: the PKCE verifier and its S256 challenge (RFC 7636 §4.1–4.2),
//! `state` (RFC 6749 §10.12) and the OIDC `nonce`. 256 bits from the OS CSPRNG each,
//! unpadded base64url (43 characters of the unreserved set).

use aws_lc_rs::rand::{SecureRandom as _, SystemRandom};
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;

use super::secret::{Nonce, PkceVerifier, State};

/// `n` bytes from the OS CSPRNG.
pub fn random_bytes(n: usize) -> Vec<u8> {
    let mut buf = vec![0u8; n];
    // The system RNG fails only when the OS has no entropy source at all; no secret could
    // be made safely then, so this is the one deliberate panic (not reachable by input).
    SystemRandom::new()
        .fill(&mut buf)
        .expect("the operating system's random number generator failed");
    buf
}

/// 32 random bytes as unpadded base64url.
pub fn random_token() -> String {
    URL_SAFE_NO_PAD.encode(random_bytes(32))
}

/// `BASE64URL(SHA256(ASCII(verifier)))` (RFC 7636 §4.2), which the server compares with
/// the challenge of the authorization request (§4.6).
pub fn s256_challenge(verifier: &str) -> String {
    super::jose::sha256_b64url(verifier.as_bytes())
}

/// The secrets of one authorization request.
#[derive(Debug, Clone)]
pub struct FlowSecrets {
    pub verifier: PkceVerifier,
    pub state: State,
    pub nonce: Nonce,
}

impl FlowSecrets {
    /// Fresh values.
    pub fn generate() -> Self {
        Self {
            verifier: PkceVerifier::new(random_token()),
            state: State::new(random_token()),
            nonce: Nonce::new(random_token()),
        }
    }

    /// The S256 challenge of the verifier.
    pub fn challenge(&self) -> String {
        s256_challenge(self.verifier.expose())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn rfc7636_appendix_b_vector() {
        assert_eq!(
            s256_challenge("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"),
            "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
        );
    }

    #[test]
    fn verifiers_are_unreserved_43_to_128_and_unique() {
        let mut seen = HashSet::new();
        for _ in 0..100_000 {
            let v = random_token();
            assert!((43..=128).contains(&v.len()));
            assert!(
                v.bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
            );
            assert!(seen.insert(v), "repeat");
        }
        let s = FlowSecrets::generate();
        assert!(s.verifier.expose() != s.state.expose() && s.state.expose() != s.nonce.expose());
        let shown = format!("{s:?}");
        for value in [s.verifier.expose(), s.state.expose(), s.nonce.expose()] {
            assert!(!shown.contains(value), "{shown}");
        }
        assert!(shown.contains("PkceVerifier([redacted])"), "{shown}");
    }
}
