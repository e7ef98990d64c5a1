//! DPoP, the client's side (RFC 9449): proofs, the `htu` and `ath` of a request, the
//! server's nonces, the proof key kept beside the tokens it binds, and the rule that decides
//! when a server's answer means "use DPoP".
//!
//! A proof is a JWT signed with the client's proof key, whose public half travels in its
//! header (`typ: dpop+jwt`, `alg`, `jwk`): `jti` (fresh for every request), `htm` (the method),
//! `htu` (the URL without query and fragment, §4.2), `iat`, the server's `nonce` when it gave
//! one (§8, §9), and `ath` (the SHA-256 of the access token, §4.2) when it accompanies one.
//!
//! Pure: no I/O (the nonces a server handed out are remembered by `flow::dpop`).

use serde::{Deserialize, Serialize};
use url::Url;

use super::errors::OAuthErrorResponse;
use super::jose::{KeyError, SigningAlg, SigningKey, sha256_b64url};
use super::pkce::random_bytes;
use super::secret::{AccessToken, PrivateKeyPem};
use super::token_type::TokenType;
use super::www_authenticate;

/// The request header that carries a proof (RFC 9449 §4.1).
pub const PROOF_HEADER: &str = "DPoP";
/// The response header that carries a server's nonce (RFC 9449 §8.1).
pub const NONCE_HEADER: &str = "DPoP-Nonce";
/// A proof's `typ` (RFC 9449 §4.2).
pub const PROOF_TYP: &str = "dpop+jwt";
/// The error of a server that wants its nonce in the proof (RFC 9449 §8, §9).
pub const USE_DPOP_NONCE: &str = "use_dpop_nonce";
/// The error of a server that refused a proof (RFC 9449 §5, §7.1).
pub const INVALID_DPOP_PROOF: &str = "invalid_dpop_proof";
/// The authorization request parameter that binds a code to a key (RFC 9449 §10).
pub const DPOP_JKT: &str = "dpop_jkt";
/// The longest nonce oauthctl keeps (a server's nonce is short; this bounds the state file).
pub const MAX_NONCE_LEN: usize = 512;

/// The `htu` of a request to `url` (RFC 9449 §4.2, §4.3): the URL as requested, without
/// its query and fragment.
pub fn htu(url: &Url) -> String {
    let mut u = url.clone();
    u.set_query(None);
    u.set_fragment(None);
    u.to_string()
}

/// The `ath` of a proof that accompanies `token`: its SHA-256, base64url (RFC 9449 §4.2).
pub fn ath(token: &AccessToken) -> String {
    sha256_b64url(token.expose().as_bytes())
}

/// A fresh `jti`: 128 bits from the CSPRNG, base64url.
fn fresh_jti() -> String {
    use base64::Engine as _;
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(random_bytes(16))
}

/// The claims of one proof, in the order RFC 9449 §4.2 lists them.
#[derive(Debug, Serialize)]
struct ProofClaims<'a> {
    jti: String,
    htm: &'a str,
    htu: String,
    iat: i64,
    #[serde(skip_serializing_if = "Option::is_none")]
    nonce: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    ath: Option<String>,
}

/// A proof for a `method` request to `url` at `now` (Unix seconds): with the server's
/// `nonce` when one is known, and with `ath` when the request carries `token`.
pub fn proof(
    key: &SigningKey,
    method: &str,
    url: &Url,
    now: i64,
    nonce: Option<&str>,
    token: Option<&AccessToken>,
) -> Result<String, KeyError> {
    let claims = ProofClaims {
        jti: fresh_jti(),
        htm: method,
        htu: htu(url),
        iat: now,
        nonce,
        ath: token.map(ath),
    };
    key.sign_with_jwk(PROOF_TYP, &claims)
}

/// Whether `value` may be used as a nonce: 1*NQCHAR (RFC 9449 §8.1: visible ASCII but `"`
/// and `\`), at most [`MAX_NONCE_LEN`] characters. Anything else a server sends is ignored.
pub fn valid_nonce(value: &str) -> bool {
    !value.is_empty()
        && value.len() <= MAX_NONCE_LEN
        && value
            .bytes()
            .all(|b| matches!(b, 0x21 | 0x23..=0x5B | 0x5D..=0x7E))
}

/// The nonce among a response's `DPoP-Nonce` header values, if a usable one is there.
pub fn nonce_from<'a>(values: impl IntoIterator<Item = &'a str>) -> Option<String> {
    values
        .into_iter()
        .map(str::trim)
        .find(|v| valid_nonce(v))
        .map(str::to_owned)
}

/// Whether a resource server's `WWW-Authenticate` values ask for its nonce
/// (`DPoP error="use_dpop_nonce"`, RFC 9449 §9).
pub fn asks_for_nonce<'a>(www_authenticate: impl IntoIterator<Item = &'a str>) -> bool {
    www_authenticate::challenge_for(TokenType::DPoP, www_authenticate)
        .is_some_and(|c| c.param("error") == Some(USE_DPOP_NONCE))
}

/// Whether a token endpoint's (or PAR endpoint's) OAuth error asks for the server's nonce
/// (RFC 9449 §8: HTTP 400 with `use_dpop_nonce`).
pub fn error_asks_for_nonce(error: &OAuthErrorResponse) -> bool {
    error.is(USE_DPOP_NONCE)
}

/// The rule by which oauthctl starts using DPoP unasked (README, "DPoP"): the authorization
/// server advertises DPoP (`dpop_signing_alg_values_supported`) and refused a request sent
/// without a proof with `invalid_dpop_proof`, `use_dpop_nonce`, or `invalid_grant` (what
/// node-oidc-provider answers a DPoP-bound client that sent no proof; a server gives no other
/// signal, RFC 9449 has none), or a `WWW-Authenticate: DPoP` challenge came back. The request is
/// then repeated once with a proof, but only when it can be: never with a spent
/// authorization code.
pub fn suggests_dpop(advertised: bool, error: &OAuthErrorResponse) -> bool {
    advertised
        && (error.is(INVALID_DPOP_PROOF) || error.is(USE_DPOP_NONCE) || error.is("invalid_grant"))
}

/// The algorithm of a new proof key: ES256 unless the server's list
/// (`dpop_signing_alg_values_supported`) leaves it out, then the first algorithm of that
/// list oauthctl can sign with (EdDSA, ES384, PS256, RS256). `Err` names the server's list
/// when nothing fits.
pub fn key_alg(offered: Option<&[String]>) -> Result<SigningAlg, String> {
    let Some(list) = offered.filter(|l| !l.is_empty()) else {
        return Ok(SigningAlg::Es256);
    };
    if list.iter().any(|a| a == SigningAlg::Es256.as_str()) {
        return Ok(SigningAlg::Es256);
    }
    SigningAlg::first_supported(list.iter().map(String::as_str)).ok_or_else(|| {
        format!(
            "the server accepts DPoP proofs signed with {} only, and oauthctl signs ES256, \
             EdDSA, ES384, PS256 or RS256",
            list.join(", ")
        )
    })
}

/// A proof key as kept in the token store beside the tokens it binds: the algorithm and
/// the private key (PKCS#8 PEM). `Debug` never shows the key.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProofKey {
    /// The JOSE name of the algorithm the key signs with.
    pub alg: String,
    /// The private key.
    pub key: PrivateKeyPem,
}

/// Why a stored proof key cannot be used (never quotes key material).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ProofKeyError {
    /// The stored algorithm is not one oauthctl signs with.
    #[error("the stored DPoP key names an unknown algorithm")]
    UnknownAlg,
    /// The key itself is unusable.
    #[error("the stored DPoP key is unusable: {0}")]
    Key(#[from] KeyError),
}

impl ProofKey {
    /// A new key for `alg` from the CSPRNG.
    pub fn generate(alg: SigningAlg) -> Result<(Self, SigningKey), KeyError> {
        let key = SigningKey::generate(alg)?;
        Ok((Self::of(&key), key))
    }

    /// The stored form of `key`.
    pub fn of(key: &SigningKey) -> Self {
        Self {
            alg: key.alg().as_str().to_owned(),
            key: PrivateKeyPem::new(key.private_pem()),
        }
    }

    /// The key, parsed.
    pub fn signing_key(&self) -> Result<SigningKey, ProofKeyError> {
        let alg = SigningAlg::from_jose(&self.alg).ok_or(ProofKeyError::UnknownAlg)?;
        Ok(SigningKey::from_pem(self.key.expose(), Some(alg))?)
    }
}

#[cfg(test)]
mod tests {
    use base64::Engine as _;
    use base64::engine::general_purpose::URL_SAFE_NO_PAD;
    use serde_json::Value;

    use super::*;

    fn part(jwt: &str, i: usize) -> Value {
        serde_json::from_slice(
            &URL_SAFE_NO_PAD
                .decode(jwt.split('.').nth(i).unwrap())
                .unwrap(),
        )
        .unwrap()
    }

    fn verify(jwt: &str, key: &SigningKey) -> Value {
        let mut v = jsonwebtoken::Validation::new(key.alg().algorithm());
        v.validate_aud = false;
        v.validate_exp = false;
        v.required_spec_claims.clear();
        jsonwebtoken::decode::<Value>(jwt, key.decoding(), &v)
            .unwrap()
            .claims
    }

    #[test]
    fn htu_is_the_url_without_query_and_fragment() {
        let cases = [
            ("https://as.example/token?x=1#f", "https://as.example/token"),
            (
                "http://127.0.0.1:9400/api/me?a=b",
                "http://127.0.0.1:9400/api/me",
            ),
            // The default port is not written, as the request line's Host does not carry it.
            ("https://as.example:443/t", "https://as.example/t"),
            ("https://as.example", "https://as.example/"),
            ("HTTPS://AS.Example/Path", "https://as.example/Path"),
            (
                "https://127.0.0.1:39303/token",
                "https://127.0.0.1:39303/token",
            ),
        ];
        for (url, want) in cases {
            assert_eq!(htu(&Url::parse(url).unwrap()), want, "{url}");
        }
    }

    #[test]
    fn ath_is_the_rfc_9449_example() {
        // RFC 9449 §7.1: the access token `Kz~8mXK1EalYznwH-LC-1fBAo.4Ljp~zsPE_NeO.gxU` has
        // `ath` `fUHyO2r2Z3DZ53EsNrWBb0xWXoaNy59IiKCAqksmQEo`.
        let token = AccessToken::new("Kz~8mXK1EalYznwH-LC-1fBAo.4Ljp~zsPE_NeO.gxU");
        assert_eq!(ath(&token), "fUHyO2r2Z3DZ53EsNrWBb0xWXoaNy59IiKCAqksmQEo");
    }

    #[test]
    fn a_proof_carries_what_rfc_9449_requires() {
        let key = SigningKey::generate(SigningAlg::Es256).unwrap();
        let url = Url::parse("https://rs.example/api/data?page=2#top").unwrap();
        let token = AccessToken::new("at-123");
        let jwt = proof(&key, "POST", &url, 1_700_000_000, Some("n-1"), Some(&token)).unwrap();
        let header = part(&jwt, 0);
        assert_eq!(header["typ"], "dpop+jwt");
        assert_eq!(header["alg"], "ES256");
        assert_eq!(&header["jwk"], key.bare_jwk());
        assert!(header["jwk"].get("d").is_none(), "no private member");
        assert!(header.get("kid").is_none());
        let claims = verify(&jwt, &key);
        assert_eq!(claims["htm"], "POST");
        assert_eq!(claims["htu"], "https://rs.example/api/data");
        assert_eq!(claims["iat"], 1_700_000_000);
        assert_eq!(claims["nonce"], "n-1");
        assert_eq!(claims["ath"], ath(&token));
        assert!(claims["jti"].as_str().unwrap().len() >= 22);
        // At the token endpoint: no token, no nonce yet.
        let jwt = proof(&key, "POST", &url, 1, None, None).unwrap();
        let claims = verify(&jwt, &key);
        assert!(claims.get("nonce").is_none() && claims.get("ath").is_none());
        // Every proof has its own jti.
        let again = verify(&proof(&key, "POST", &url, 1, None, None).unwrap(), &key);
        assert_ne!(claims["jti"], again["jti"]);
    }

    #[test]
    fn proofs_sign_with_every_algorithm() {
        for alg in [SigningAlg::EdDsa, SigningAlg::Rs256, SigningAlg::Ps256] {
            let key = SigningKey::generate(alg).unwrap();
            let url = Url::parse("https://as.example/token").unwrap();
            let jwt = proof(&key, "POST", &url, 5, None, None).unwrap();
            assert_eq!(part(&jwt, 0)["alg"], alg.as_str());
            assert_eq!(verify(&jwt, &key)["htm"], "POST");
        }
    }

    #[test]
    fn nonces_are_checked_before_use() {
        assert!(valid_nonce("eyJ7S_zG.9-~!#$%&'()*+,/:;<=>?@[]^`{|}"));
        for bad in ["", "a b", "a\"b", "a\\b", "a\nb", "é"] {
            assert!(!valid_nonce(bad), "{bad:?}");
        }
        assert!(!valid_nonce(&"n".repeat(MAX_NONCE_LEN + 1)));
        assert!(valid_nonce(&"n".repeat(MAX_NONCE_LEN)));
        assert_eq!(nonce_from(["bad value", " good "]).as_deref(), Some("good"));
        assert_eq!(nonce_from(["\"q\""]), None);
        assert_eq!(nonce_from(Vec::<&str>::new()), None);
    }

    #[test]
    fn a_resource_servers_nonce_challenge_is_recognised() {
        // As node-oidc-provider and the interop resource server send them (any case).
        assert!(asks_for_nonce([
            r#"DPoP realm="http://127.0.0.1:39301", error="use_dpop_nonce", error_description="nonce is required in the DPoP proof", algs="ES256 Ed25519 EdDSA""#
        ]));
        assert!(asks_for_nonce([
            r#"Bearer realm="x""#,
            r#"dpop error="use_dpop_nonce""#
        ]));
        assert!(!asks_for_nonce([r#"DPoP error="invalid_token""#]));
        assert!(!asks_for_nonce([r#"Bearer error="use_dpop_nonce""#]));
        assert!(!asks_for_nonce(Vec::<&str>::new()));
        assert!(error_asks_for_nonce(&OAuthErrorResponse::new(
            "use_dpop_nonce"
        )));
        assert!(!error_asks_for_nonce(&OAuthErrorResponse::new(
            "invalid_grant"
        )));
    }

    #[test]
    fn the_rule_for_using_dpop_unasked() {
        for code in ["invalid_grant", "invalid_dpop_proof", "use_dpop_nonce"] {
            assert!(
                suggests_dpop(true, &OAuthErrorResponse::new(code)),
                "{code}"
            );
            assert!(
                !suggests_dpop(false, &OAuthErrorResponse::new(code)),
                "{code}"
            );
        }
        for code in ["invalid_client", "invalid_scope", "access_denied"] {
            assert!(
                !suggests_dpop(true, &OAuthErrorResponse::new(code)),
                "{code}"
            );
        }
    }

    #[test]
    fn the_key_algorithm_follows_the_server() {
        let list = |a: &[&str]| a.iter().map(|s| (*s).to_owned()).collect::<Vec<_>>();
        assert_eq!(key_alg(None), Ok(SigningAlg::Es256));
        assert_eq!(key_alg(Some(&[])), Ok(SigningAlg::Es256));
        assert_eq!(
            key_alg(Some(&list(&["EdDSA", "ES256"]))),
            Ok(SigningAlg::Es256),
            "ES256 whenever the server takes it"
        );
        assert_eq!(
            key_alg(Some(&list(&["Ed25519", "EdDSA"]))),
            Ok(SigningAlg::EdDsa)
        );
        assert_eq!(key_alg(Some(&list(&["RS256"]))), Ok(SigningAlg::Rs256));
        let e = key_alg(Some(&list(&["ES512", "HS256"]))).unwrap_err();
        assert!(e.contains("ES512, HS256"), "{e}");
    }

    #[test]
    fn a_stored_key_round_trips_and_hides_itself() {
        for alg in [SigningAlg::Es256, SigningAlg::EdDsa, SigningAlg::Rs256] {
            let (stored, key) = ProofKey::generate(alg).unwrap();
            let json = serde_json::to_string(&stored).unwrap();
            let back: ProofKey = serde_json::from_str(&json).unwrap();
            assert_eq!(back, stored);
            let again = back.signing_key().unwrap();
            assert_eq!(again.thumbprint(), key.thumbprint());
            assert_eq!(again.alg(), alg);
            let shown = format!("{stored:?}");
            assert!(!shown.contains("PRIVATE KEY"), "{shown}");
        }
        let bad = ProofKey {
            alg: "HS256".into(),
            key: PrivateKeyPem::new("x"),
        };
        assert_eq!(bad.signing_key().unwrap_err(), ProofKeyError::UnknownAlg);
        let broken = ProofKey {
            alg: "ES256".into(),
            key: PrivateKeyPem::new("not a key"),
        };
        let e = broken.signing_key().unwrap_err();
        assert!(matches!(e, ProofKeyError::Key(_)), "{e}");
    }
}
