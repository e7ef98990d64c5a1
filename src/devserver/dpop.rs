//! DPoP (RFC 9449) at the dev server: checking a proof (§4.3), the server's nonces (§8,
//! §9) and the values that bind a token to a key (`jkt`, §6.1; `ath`, §4.2).
//!
//! A proof is accepted when it is one compact JWS with `typ: dpop+jwt`, an asymmetric `alg`
//! of [`PROOF_ALGS`], a `jwk` header holding a public key only (no private members), a
//! signature by that key, `htm` equal to the request's method, `htu` equal to the request's
//! URL (both without query and fragment, compared after RFC 3986 normalisation: scheme and
//! host case, default port, dot segments), an integer `iat` within [`IAT_WINDOW_S`] of
//! now, a `jti`, the server's `nonce` when nonces are on, and `ath` = the SHA-256 of the
//! access token when one is presented with it. Then its `jti` must be new for that key:
//! [`Proof::use_once`] records it in a bounded [`ReplayCache`] until the `iat` window
//! has passed.
//!
//! Pure: the caller passes the request's method and URL, the nonces and `now`.

use aws_lc_rs::hmac;
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde_json::Value;

use super::replay::{Refusal, ReplayCache};
use crate::oauth::jose::{self, SigningAlg};
use crate::oauth::jwt;

/// The algorithms a proof may be signed with (`dpop_signing_alg_values_supported`).
pub(crate) const PROOF_ALGS: [SigningAlg; 4] = [
    SigningAlg::Es256,
    SigningAlg::EdDsa,
    SigningAlg::Rs256,
    SigningAlg::Ps256,
];

/// How far a proof's `iat` may lie in the past or the future, in seconds.
pub(crate) const IAT_WINDOW_S: u64 = 60;

/// The longest `jti` accepted (a UUID or 32 random bytes are far shorter).
const MAX_JTI: usize = 256;

/// How long one nonce value is handed out; a nonce stays valid for [`NONCE_STEPS`] steps.
pub(crate) const NONCE_STEP_S: u64 = 60;

/// Steps a nonce is accepted for: the current one and the previous ones, so a nonce handed
/// out just before a rotation keeps working for at least two minutes.
const NONCE_STEPS: u64 = 3;

/// The JWK members that hold private key material (RFC 7518 §6.2.2, §6.3.2, §6.4; RFC 8037
/// §2).
const PRIVATE_MEMBERS: [&str; 8] = ["d", "p", "q", "dp", "dq", "qi", "oth", "k"];

/// Why a proof was not accepted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum ProofError {
    /// `invalid_dpop_proof` (RFC 9449 §7.1): the proof is malformed, does not match the
    /// request, or was used before.
    Invalid(String),
    /// `use_dpop_nonce` (RFC 9449 §8): the proof lacks the server's current nonce.
    UseNonce(&'static str),
}

impl ProofError {
    /// The OAuth error code.
    pub(crate) fn code(&self) -> &'static str {
        match self {
            Self::Invalid(_) => "invalid_dpop_proof",
            Self::UseNonce(_) => "use_dpop_nonce",
        }
    }

    /// The error description.
    pub(crate) fn description(&self) -> &str {
        match self {
            Self::Invalid(d) => d,
            Self::UseNonce(d) => d,
        }
    }

    fn invalid(description: impl Into<String>) -> Self {
        Self::Invalid(description.into())
    }
}

/// What a proof must match.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Expected<'a> {
    /// The request's method (`POST`).
    pub method: &'a str,
    /// The request's URL as received (`http://127.0.0.1:9400/token`).
    pub url: &'a str,
    /// The access token presented with the proof (resource requests), whose hash `ath`
    /// must carry.
    pub access_token: Option<&'a str>,
}

/// A proof that passed every check but the replay check.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Proof {
    /// The RFC 7638 thumbprint of the proof's key: what a bound token's `cnf.jkt` holds.
    pub jkt: String,
    jti: String,
    iat: u64,
}

impl Proof {
    /// Records the proof's `jti` (for its key) as used; refuses a proof seen before.
    pub(crate) fn use_once(&self, cache: &mut ReplayCache, now: u64) -> Result<(), ProofError> {
        let id = format!("{} {}", self.jkt, self.jti);
        cache
            .use_once(&id, self.iat + IAT_WINDOW_S + 1, now)
            .map_err(|refusal| match refusal {
                Refusal::Replayed => ProofError::invalid("the DPoP proof was used before"),
                Refusal::TooOld => {
                    ProofError::invalid("the DPoP proof is too old; send a fresh one")
                }
            })
    }
}

/// The server's DPoP nonces (RFC 9449 §8): stateless, an HMAC of the current time step
/// under a key made at start. The current step's value is handed out; it and the values of
/// the previous steps are accepted, so nonces rotate every [`NONCE_STEP_S`] seconds and a
/// recent one stays valid.
pub(crate) struct Nonces {
    key: hmac::Key,
}

impl std::fmt::Debug for Nonces {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Nonces")
    }
}

impl Nonces {
    /// Nonces under a fresh random key.
    pub(crate) fn generate() -> Self {
        Self {
            key: hmac::Key::new(hmac::HMAC_SHA256, &crate::oauth::pkce::random_bytes(32)),
        }
    }

    fn value(&self, step: u64) -> String {
        let tag = hmac::sign(&self.key, &step.to_be_bytes());
        URL_SAFE_NO_PAD.encode(&tag.as_ref()[..16])
    }

    /// The nonce to hand out at `now` (Unix seconds).
    pub(crate) fn current(&self, now: u64) -> String {
        self.value(now / NONCE_STEP_S)
    }

    /// Whether `nonce` is the current nonce or a recent one.
    pub(crate) fn is_valid(&self, nonce: &str, now: u64) -> bool {
        let step = now / NONCE_STEP_S;
        (0..NONCE_STEPS)
            .filter_map(|back| step.checked_sub(back))
            .any(|s| crate::oauth::secret::constant_time_eq(&self.value(s), nonce))
    }
}

/// The `ath` of `access_token` (RFC 9449 §4.2): base64url SHA-256 of its ASCII.
pub(crate) fn ath(access_token: &str) -> String {
    jose::sha256_b64url(access_token.as_bytes())
}

/// `url` without query and fragment, normalised as RFC 9449 §4.3 item 9 asks (RFC 3986
/// §6.2.2 and §6.2.3: scheme and host case, default port, dot segments); `None` when it is
/// not an absolute http(s) URL.
pub(crate) fn normalise_htu(url: &str) -> Option<String> {
    let mut parsed = url::Url::parse(url).ok()?;
    if !matches!(parsed.scheme(), "http" | "https") || parsed.host().is_none() {
        return None;
    }
    parsed.set_query(None);
    parsed.set_fragment(None);
    Some(parsed.into())
}

fn string_claim<'a>(claims: &'a serde_json::Map<String, Value>, name: &str) -> Option<&'a str> {
    claims.get(name).and_then(Value::as_str)
}

/// Checks `proof` (the `DPoP` header's value) against the request, everything but replay
/// (see [`Proof::use_once`]). `nonces` is `Some` when the server requires its nonce.
pub(crate) fn check(
    proof: &str,
    expected: Expected<'_>,
    nonces: Option<&Nonces>,
    now: u64,
) -> Result<Proof, ProofError> {
    let jws = jwt::parse(proof)
        .map_err(|e| ProofError::invalid(format!("the DPoP proof is not a JWS: {e}")))?;
    let typ = jws.header.get("typ").and_then(Value::as_str);
    if !typ.is_some_and(|t| t.eq_ignore_ascii_case("dpop+jwt")) {
        return Err(ProofError::invalid(
            "the DPoP proof's typ header must be dpop+jwt",
        ));
    }
    let alg = jws
        .alg
        .as_deref()
        .and_then(SigningAlg::from_jose)
        .filter(|a| PROOF_ALGS.contains(a))
        .ok_or_else(|| {
            ProofError::invalid(format!(
                "the DPoP proof's alg must be one of {}",
                PROOF_ALGS.map(SigningAlg::as_str).join(", ")
            ))
        })?;
    let Some(jwk) = jws.header.get("jwk").filter(|j| j.is_object()) else {
        return Err(ProofError::invalid(
            "the DPoP proof has no jwk header with its public key",
        ));
    };
    if let Some(member) = PRIVATE_MEMBERS.iter().find(|m| jwk.get(**m).is_some()) {
        return Err(ProofError::invalid(format!(
            "the DPoP proof's jwk holds a private key member (`{member}`)"
        )));
    }
    let key = jwt::jwk_to_key(jwk)
        .map_err(|e| ProofError::invalid(format!("the DPoP proof's jwk is unusable: {e}")))?;
    let jkt = jose::thumbprint(jwk)
        .ok_or_else(|| ProofError::invalid("the DPoP proof's jwk has no thumbprint"))?;
    jwt::verify_signature(&jws, std::slice::from_ref(&key), &[alg.algorithm()])
        .map_err(|e| ProofError::invalid(format!("the DPoP proof's signature: {e}")))?;

    let claims = &jws.claims;
    let jti = string_claim(claims, "jti")
        .filter(|j| !j.is_empty() && j.len() <= MAX_JTI)
        .ok_or_else(|| ProofError::invalid("the DPoP proof needs a jti (at most 256 bytes)"))?;
    if string_claim(claims, "htm") != Some(expected.method) {
        return Err(ProofError::invalid(format!(
            "the DPoP proof's htm does not match the request method {}",
            expected.method
        )));
    }
    let htu = string_claim(claims, "htu").and_then(normalise_htu);
    if htu.is_none() || htu != normalise_htu(expected.url) {
        return Err(ProofError::invalid(format!(
            "the DPoP proof's htu does not match the request URL {}",
            normalise_htu(expected.url).unwrap_or_default()
        )));
    }
    let iat = claims
        .get("iat")
        .and_then(Value::as_u64)
        .ok_or_else(|| ProofError::invalid("the DPoP proof needs an integer iat"))?;
    if iat.abs_diff(now) > IAT_WINDOW_S {
        return Err(ProofError::invalid(format!(
            "the DPoP proof's iat is more than {IAT_WINDOW_S} seconds from the server's time"
        )));
    }
    if let Some(nonces) = nonces {
        match string_claim(claims, "nonce") {
            None => {
                return Err(ProofError::UseNonce(
                    "the DPoP proof needs the server's nonce",
                ));
            }
            Some(n) if !nonces.is_valid(n, now) => {
                return Err(ProofError::UseNonce(
                    "the DPoP proof's nonce is unknown or expired",
                ));
            }
            Some(_) => {}
        }
    }
    if let Some(token) = expected.access_token
        && string_claim(claims, "ath").is_none_or(|a| a != ath(token))
    {
        return Err(ProofError::invalid(
            "the DPoP proof's ath is not the hash of the access token",
        ));
    }
    Ok(Proof {
        jkt,
        jti: jti.to_owned(),
        iat,
    })
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::oauth::jose::SigningKey;

    const URL: &str = "http://127.0.0.1:9400/token";
    const NOW: u64 = 1_800_000_000;

    fn proof(key: &SigningKey, claims: &Value) -> String {
        key.sign_with_jwk("dpop+jwt", claims).unwrap()
    }

    fn claims(extra: &Value) -> Value {
        let mut c = json!({"jti": "j1", "htm": "POST", "htu": URL, "iat": NOW});
        for (k, v) in extra.as_object().unwrap() {
            if v.is_null() {
                c.as_object_mut().unwrap().remove(k);
            } else {
                c[k] = v.clone();
            }
        }
        c
    }

    fn expect() -> Expected<'static> {
        Expected {
            method: "POST",
            url: URL,
            access_token: None,
        }
    }

    fn invalid(r: Result<Proof, ProofError>) -> String {
        match r {
            Err(ProofError::Invalid(d)) => d,
            other => panic!("expected invalid_dpop_proof, got {other:?}"),
        }
    }

    #[test]
    fn every_supported_algorithm_makes_a_valid_proof() {
        for alg in PROOF_ALGS {
            let key = SigningKey::generate(alg).unwrap();
            let p = check(&proof(&key, &claims(&json!({}))), expect(), None, NOW).unwrap();
            assert_eq!(p.jkt, key.thumbprint(), "{alg}");
        }
        let es384 = SigningKey::generate(SigningAlg::Es384).unwrap();
        let why = invalid(check(
            &proof(&es384, &claims(&json!({}))),
            expect(),
            None,
            NOW,
        ));
        assert!(
            why.contains("alg must be one of ES256, EdDSA, RS256, PS256"),
            "{why}"
        );
    }

    #[test]
    fn the_header_must_be_a_dpop_proof_with_a_public_key() {
        let key = SigningKey::generate(SigningAlg::Es256).unwrap();
        let c = claims(&json!({}));
        let jwt_typ = key.sign_with_jwk("JWT", &c).unwrap();
        assert!(invalid(check(&jwt_typ, expect(), None, NOW)).contains("typ"));
        let no_jwk = key.sign_without_kid("dpop+jwt", &c).unwrap();
        assert!(invalid(check(&no_jwk, expect(), None, NOW)).contains("no jwk"));
        // A jwk with its private part: the header is rebuilt by hand, then signed.
        let mut jwk = key.bare_jwk().clone();
        jwk["d"] = json!("AAAA");
        let header = json!({"typ": "dpop+jwt", "alg": "ES256", "jwk": jwk});
        let forged = resign(&key, &header, &c);
        assert!(invalid(check(&forged, expect(), None, NOW)).contains("private key member"));
        // HS256 is never accepted, whatever key the header names.
        let hs = jose::sign_hs256(b"0123456789abcdef0123456789abcdef", "dpop+jwt", &c).unwrap();
        assert!(invalid(check(&hs, expect(), None, NOW)).contains("alg must be"));
        // The jwk must be the key that signed.
        let other = SigningKey::generate(SigningAlg::Es256).unwrap();
        let header = json!({"typ": "dpop+jwt", "alg": "ES256", "jwk": other.bare_jwk()});
        let mismatched = resign(&key, &header, &c);
        assert!(invalid(check(&mismatched, expect(), None, NOW)).contains("signature"));
        assert!(invalid(check("not-a-jwt", expect(), None, NOW)).contains("not a JWS"));
    }

    /// Signs `claims` under `header` with `key` (for headers `SigningKey` would not write).
    fn resign(key: &SigningKey, header: &Value, claims: &Value) -> String {
        let h = URL_SAFE_NO_PAD.encode(serde_json::to_vec(header).unwrap());
        let c = URL_SAFE_NO_PAD.encode(serde_json::to_vec(claims).unwrap());
        let input = format!("{h}.{c}");
        let sig = sign_raw(key, input.as_bytes());
        format!("{input}.{sig}")
    }

    fn sign_raw(key: &SigningKey, input: &[u8]) -> String {
        use aws_lc_rs::signature::{ECDSA_P256_SHA256_FIXED_SIGNING, EcdsaKeyPair};
        let pem = key.private_pem();
        let der = jose::pem_blocks(&pem).unwrap().remove(0).1;
        let pair = EcdsaKeyPair::from_pkcs8(&ECDSA_P256_SHA256_FIXED_SIGNING, &der).unwrap();
        let sig = pair
            .sign(&aws_lc_rs::rand::SystemRandom::new(), input)
            .unwrap();
        URL_SAFE_NO_PAD.encode(sig.as_ref())
    }

    #[test]
    fn method_url_and_time_must_match_the_request() {
        let key = SigningKey::generate(SigningAlg::Es256).unwrap();
        let check_with = |extra: Value| check(&proof(&key, &claims(&extra)), expect(), None, NOW);
        assert!(invalid(check_with(json!({"htm": "GET"}))).contains("htm"));
        for other in [
            "http://127.0.0.1:9400/introspect",
            "http://localhost:9400/token",
            "https://127.0.0.1:9400/token",
            "http://127.0.0.1:9401/token",
            "http://127.0.0.1:9400/token/",
            "token",
        ] {
            let why = invalid(check_with(json!({ "htu": other })));
            assert!(why.contains("htu"), "{other}: {why}");
        }
        // Normalised: case of scheme and host, the default port, query and fragment.
        for same in [
            "HTTP://127.0.0.1:9400/token",
            "http://127.0.0.1:9400/token?x=1#f",
            "http://127.0.0.1:9400/a/../token",
        ] {
            check_with(json!({ "htu": same })).unwrap_or_else(|e| panic!("{same}: {e:?}"));
        }
        let default_port = Expected {
            url: "https://as.example/token",
            ..expect()
        };
        let p = proof(
            &key,
            &claims(&json!({"htu": "https://AS.example:443/token"})),
        );
        check(&p, default_port, None, NOW).unwrap();
        for iat in [NOW - IAT_WINDOW_S - 1, NOW + IAT_WINDOW_S + 1] {
            assert!(invalid(check_with(json!({ "iat": iat }))).contains("iat"));
        }
        check_with(json!({"iat": NOW - IAT_WINDOW_S})).unwrap();
        assert!(invalid(check_with(json!({"iat": "1800000000"}))).contains("integer iat"));
        assert!(invalid(check_with(json!({"jti": null}))).contains("jti"));
        assert!(invalid(check_with(json!({"jti": "x".repeat(257)}))).contains("jti"));
    }

    #[test]
    fn ath_binds_the_proof_to_the_access_token() {
        let key = SigningKey::generate(SigningAlg::Es256).unwrap();
        let with_token = Expected {
            method: "GET",
            url: "http://127.0.0.1:9400/api/me",
            access_token: Some("the-token"),
        };
        let base = json!({"htm": "GET", "htu": "http://127.0.0.1:9400/api/me"});
        let mut good = claims(&base);
        good["ath"] = json!(ath("the-token"));
        check(&proof(&key, &good), with_token, None, NOW).unwrap();
        let mut other = good.clone();
        other["ath"] = json!(ath("another-token"));
        assert!(invalid(check(&proof(&key, &other), with_token, None, NOW)).contains("ath"));
        assert!(
            invalid(check(&proof(&key, &claims(&base)), with_token, None, NOW)).contains("ath")
        );
        // RFC 9449 §4.2 example: ath of "Kz~8mXK1EalYznwH-LC-1fBAo.4Ljp~zsPE_NeO.gxU".
        assert_eq!(
            ath("Kz~8mXK1EalYznwH-LC-1fBAo.4Ljp~zsPE_NeO.gxU"),
            "fUHyO2r2Z3DZ53EsNrWBb0xWXoaNy59IiKCAqksmQEo"
        );
    }

    #[test]
    fn nonces_rotate_and_a_recent_one_stays_valid() {
        let nonces = Nonces::generate();
        let first = nonces.current(NOW);
        assert_eq!(nonces.current(NOW + 1), first);
        let later = NOW + NONCE_STEP_S;
        assert_ne!(nonces.current(later), first, "a new step, a new nonce");
        assert!(nonces.is_valid(&first, later));
        assert!(nonces.is_valid(&first, NOW + 2 * NONCE_STEP_S));
        assert!(!nonces.is_valid(&first, NOW + 3 * NONCE_STEP_S));
        assert!(!nonces.is_valid("made-up", NOW));
        assert!(
            !Nonces::generate().is_valid(&first, NOW),
            "nonces are per server"
        );

        let key = SigningKey::generate(SigningAlg::Es256).unwrap();
        let without = proof(&key, &claims(&json!({})));
        assert_eq!(
            check(&without, expect(), Some(&nonces), NOW),
            Err(ProofError::UseNonce(
                "the DPoP proof needs the server's nonce"
            ))
        );
        let wrong = proof(&key, &claims(&json!({"nonce": "made-up"})));
        assert!(matches!(
            check(&wrong, expect(), Some(&nonces), NOW),
            Err(ProofError::UseNonce(_))
        ));
        let right = proof(&key, &claims(&json!({ "nonce": first })));
        check(&right, expect(), Some(&nonces), NOW).unwrap();
        // Without server nonces a nonce claim is ignored.
        check(&wrong, expect(), None, NOW).unwrap();
    }

    #[test]
    fn a_proof_is_used_once_per_key() {
        let mut cache = ReplayCache::default();
        let key = SigningKey::generate(SigningAlg::Es256).unwrap();
        let p = check(&proof(&key, &claims(&json!({}))), expect(), None, NOW).unwrap();
        p.use_once(&mut cache, NOW).unwrap();
        let again = p.use_once(&mut cache, NOW + 1).unwrap_err();
        assert_eq!(again.code(), "invalid_dpop_proof");
        assert!(again.description().contains("used before"));
        // The same jti with another key is another proof.
        let other = SigningKey::generate(SigningAlg::Es256).unwrap();
        let q = check(&proof(&other, &claims(&json!({}))), expect(), None, NOW).unwrap();
        q.use_once(&mut cache, NOW).unwrap();
    }
}
