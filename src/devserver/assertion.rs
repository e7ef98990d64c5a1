//! Client authentication with a JWT (RFC 7523 §2.2 and §3, OIDC Core §9):
//! `private_key_jwt`, signed with the client's private key and checked with the public keys
//! of its registration (`jwks` or `jwks_uri`), and `client_secret_jwt`, an HS256 MAC under
//! the client's secret.
//!
//! An assertion is accepted when it is one compact JWS whose `iss` and `sub` both name the
//! client, whose `aud` (a string or an array) holds the issuer identifier, the URL of the
//! endpoint called or the token endpoint's URL, whose `exp` has not passed and lies at most
//! [`MAX_LIFETIME_S`] ahead (so an assertion is short-lived even without `iat`), whose `iat`
//! and `nbf`, when present, are not in the future, whose signature verifies with an
//! algorithm the method allows, and whose `jti` has not been used before: the `jti` is
//! remembered (per client, in a bounded [`ReplayCache`]) until the assertion's `exp`.
//! Times allow [`LEEWAY_S`] of clock skew.
//!
//! Pure: the caller passes the keys, the expected audiences and `now`.

use jsonwebtoken::Algorithm;
use serde_json::Value;

use super::replay::{Refusal, ReplayCache};
use crate::oauth::jose::SigningAlg;
use crate::oauth::jwt::{self, Jws, SignatureError, VerificationKey};
use crate::oauth::secret::ClientSecret;

/// `client_assertion_type` of a JWT assertion (RFC 7523 §2.2).
pub(crate) const ASSERTION_TYPE: &str = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";

/// The algorithms a `private_key_jwt` assertion may be signed with.
pub(crate) const PRIVATE_KEY_ALGS: [SigningAlg; 5] = [
    SigningAlg::Es256,
    SigningAlg::Es384,
    SigningAlg::EdDsa,
    SigningAlg::Ps256,
    SigningAlg::Rs256,
];

/// The algorithm of a `client_secret_jwt` assertion.
pub(crate) const SECRET_ALG: &str = "HS256";

/// How far ahead an assertion's `exp` may lie (and so its longest lifetime), in seconds.
pub(crate) const MAX_LIFETIME_S: u64 = 300;

/// Clock skew allowed on `exp`, `iat` and `nbf`, in seconds.
pub(crate) const LEEWAY_S: u64 = 30;

/// The longest `jti` accepted.
const MAX_JTI: usize = 256;

/// Why an assertion was not accepted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum AssertionError {
    /// No registered key fits the assertion (its `kid` or algorithm): fresher keys from
    /// the `jwks_uri` might.
    NoKey(String),
    /// Anything else.
    Invalid(String),
}

impl AssertionError {
    /// The description for the `invalid_client` answer.
    pub(crate) fn description(&self) -> &str {
        match self {
            Self::NoKey(d) | Self::Invalid(d) => d,
        }
    }
}

impl std::fmt::Display for AssertionError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.description())
    }
}

fn invalid(description: impl Into<String>) -> AssertionError {
    AssertionError::Invalid(description.into())
}

/// The key material an assertion is checked with.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Keys<'a> {
    /// `private_key_jwt`: the client's registered public keys.
    Public(&'a [VerificationKey]),
    /// `client_secret_jwt`: the client's secret.
    Secret(&'a ClientSecret),
}

/// The values `aud` may hold (any one of them is enough).
#[derive(Debug, Clone, Copy)]
pub(crate) struct Audiences<'a> {
    /// The issuer identifier.
    pub issuer: &'a str,
    /// The URL of the endpoint called.
    pub endpoint: &'a str,
    /// The token endpoint's URL.
    pub token_endpoint: &'a str,
}

/// A parsed, not yet verified assertion.
#[derive(Debug)]
pub(crate) struct Assertion {
    jws: Jws,
    /// The client it names (`sub`, equal to `iss`).
    pub client_id: String,
}

/// A verified assertion, before its `jti` is spent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Verified {
    jti: String,
    exp: u64,
}

fn claim<'a>(jws: &'a Jws, name: &str) -> Option<&'a Value> {
    jws.claims.get(name)
}

/// Parses `assertion` and reads the client it names (RFC 7523 §3 items 1 and 2: `iss` and
/// `sub` are the client id).
pub(crate) fn read(assertion: &str) -> Result<Assertion, AssertionError> {
    let jws = jwt::parse(assertion)
        .map_err(|e| invalid(format!("the client assertion is not a JWS: {e}")))?;
    let sub = claim(&jws, "sub").and_then(Value::as_str);
    let iss = claim(&jws, "iss").and_then(Value::as_str);
    let client_id = match (iss, sub) {
        (Some(iss), Some(sub)) if iss == sub && !sub.is_empty() => sub.to_owned(),
        _ => {
            return Err(invalid(
                "the client assertion's iss and sub must both be the client id",
            ));
        }
    };
    Ok(Assertion { jws, client_id })
}

impl Assertion {
    /// Checks the signature with `keys` and the claims against `audiences` at `now` (Unix
    /// seconds); everything but replay (see [`Verified::use_once`]).
    pub(crate) fn verify(
        &self,
        keys: Keys<'_>,
        audiences: Audiences<'_>,
        now: u64,
    ) -> Result<Verified, AssertionError> {
        let jws = &self.jws;
        match keys {
            Keys::Public(keys) => {
                let allowed = PRIVATE_KEY_ALGS.map(SigningAlg::algorithm);
                jwt::verify_signature(jws, keys, &allowed).map_err(|e| match e {
                    SignatureError::NoKey(why) => AssertionError::NoKey(format!(
                        "no registered key of the client fits the assertion: {why}"
                    )),
                    other => invalid(format!("the client assertion's signature: {other}")),
                })?;
            }
            Keys::Secret(secret) => {
                let key = jwt::key_from_secret(secret.expose().as_bytes(), "the client secret")
                    .map_err(|e| invalid(format!("the client secret cannot be a key: {e}")))?;
                jwt::verify_signature(jws, std::slice::from_ref(&key), &[Algorithm::HS256])
                    .map_err(|e| invalid(format!("the client assertion's signature: {e}")))?;
            }
        }
        let accepted = [
            audiences.issuer,
            audiences.endpoint,
            audiences.token_endpoint,
        ];
        let aud_ok = match claim(jws, "aud") {
            Some(Value::String(a)) => accepted.contains(&a.as_str()),
            Some(Value::Array(list)) => list
                .iter()
                .filter_map(Value::as_str)
                .any(|a| accepted.contains(&a)),
            _ => false,
        };
        if !aud_ok {
            return Err(invalid(format!(
                "the client assertion's aud must be the issuer identifier {} (or this endpoint's URL)",
                audiences.issuer
            )));
        }
        let time = |name: &str| -> Result<Option<u64>, AssertionError> {
            match claim(jws, name) {
                None => Ok(None),
                Some(v) => v.as_u64().map(Some).ok_or_else(|| {
                    invalid(format!("the client assertion's {name} must be an integer"))
                }),
            }
        };
        let exp = time("exp")?.ok_or_else(|| invalid("the client assertion needs an exp"))?;
        if exp + LEEWAY_S <= now {
            return Err(invalid("the client assertion has expired"));
        }
        if exp > now + MAX_LIFETIME_S + LEEWAY_S {
            return Err(invalid(format!(
                "the client assertion's exp is more than {MAX_LIFETIME_S} seconds ahead"
            )));
        }
        for name in ["iat", "nbf"] {
            if time(name)?.is_some_and(|t| t > now + LEEWAY_S) {
                return Err(invalid(format!(
                    "the client assertion's {name} is in the future"
                )));
            }
        }
        let jti = claim(jws, "jti")
            .and_then(Value::as_str)
            .filter(|j| !j.is_empty() && j.len() <= MAX_JTI)
            .ok_or_else(|| invalid("the client assertion needs a jti (at most 256 bytes)"))?;
        Ok(Verified {
            jti: jti.to_owned(),
            exp,
        })
    }

    /// The assertion's header `alg`, for choosing between the two methods.
    pub(crate) fn alg(&self) -> Option<&str> {
        self.jws.alg.as_deref()
    }
}

impl Verified {
    /// Spends the assertion's `jti` for `client_id` (RFC 7523 §3 item 7); refuses one used
    /// before.
    pub(crate) fn use_once(
        &self,
        client_id: &str,
        cache: &mut ReplayCache,
        now: u64,
    ) -> Result<(), AssertionError> {
        let id = format!("{client_id} {}", self.jti);
        cache
            .use_once(&id, self.exp + LEEWAY_S + 1, now)
            .map_err(|refusal| match refusal {
                Refusal::Replayed => invalid("the client assertion was used before (its jti)"),
                Refusal::TooOld => invalid("the client assertion is too old; send a fresh one"),
            })
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::oauth::jose::{SigningKey, sign_hs256};

    const ISS: &str = "http://127.0.0.1:9400";
    const TOKEN: &str = "http://127.0.0.1:9400/token";
    const NOW: u64 = 1_800_000_000;

    fn aud(endpoint: &'static str) -> Audiences<'static> {
        Audiences {
            issuer: ISS,
            endpoint,
            token_endpoint: TOKEN,
        }
    }

    fn claims(extra: &Value) -> Value {
        let mut c = json!({"iss": "svc", "sub": "svc", "aud": ISS, "exp": NOW + 60,
                           "iat": NOW, "jti": "a-1"});
        for (k, v) in extra.as_object().unwrap() {
            if v.is_null() {
                c.as_object_mut().unwrap().remove(k);
            } else {
                c[k] = v.clone();
            }
        }
        c
    }

    fn public(key: &SigningKey) -> Vec<VerificationKey> {
        vec![jwt::jwk_to_key(key.jwk()).unwrap()]
    }

    fn check(jwt: &str, keys: Keys<'_>) -> Result<Verified, AssertionError> {
        read(jwt)?.verify(keys, aud(TOKEN), NOW)
    }

    fn why(r: Result<Verified, AssertionError>) -> String {
        r.unwrap_err().description().to_owned()
    }

    #[test]
    fn private_key_jwt_with_each_algorithm() {
        for alg in PRIVATE_KEY_ALGS {
            let key = SigningKey::generate(alg).unwrap();
            let jwt = key.sign("JWT", &claims(&json!({}))).unwrap();
            let a = read(&jwt).unwrap();
            assert_eq!(a.client_id, "svc");
            a.verify(Keys::Public(&public(&key)), aud(TOKEN), NOW)
                .unwrap_or_else(|e| panic!("{alg}: {e}"));
            // Without a kid, every key of the right type is tried.
            let no_kid = key.sign_without_kid("JWT", &claims(&json!({}))).unwrap();
            check(&no_kid, Keys::Public(&public(&key))).unwrap();
        }
    }

    #[test]
    fn the_signature_must_be_by_a_registered_key() {
        let key = SigningKey::generate(SigningAlg::Es256).unwrap();
        let other = SigningKey::generate(SigningAlg::Es256).unwrap();
        let jwt = other.sign("JWT", &claims(&json!({}))).unwrap();
        // Another key's kid: no registered key fits (a refetch of the jwks_uri may help).
        assert!(matches!(
            check(&jwt, Keys::Public(&public(&key))),
            Err(AssertionError::NoKey(_))
        ));
        let no_kid = other.sign_without_kid("JWT", &claims(&json!({}))).unwrap();
        assert!(why(check(&no_kid, Keys::Public(&public(&key)))).contains("signature"));
        // An HMAC assertion is not accepted for a private_key_jwt client.
        let hs = sign_hs256(
            b"0123456789abcdef0123456789abcdef",
            "JWT",
            &claims(&json!({})),
        )
        .unwrap();
        assert!(why(check(&hs, Keys::Public(&public(&key)))).contains("signature"));
    }

    #[test]
    fn client_secret_jwt_needs_the_right_secret() {
        let secret = ClientSecret::new("demo-secret");
        let good = sign_hs256(b"demo-secret", "JWT", &claims(&json!({}))).unwrap();
        check(&good, Keys::Secret(&secret)).unwrap();
        let wrong = sign_hs256(b"not-the-secret", "JWT", &claims(&json!({}))).unwrap();
        assert!(why(check(&wrong, Keys::Secret(&secret))).contains("signature"));
        // An asymmetric signature is not a MAC under the secret.
        let key = SigningKey::generate(SigningAlg::Es256).unwrap();
        let es = key.sign("JWT", &claims(&json!({}))).unwrap();
        assert!(why(check(&es, Keys::Secret(&secret))).contains("signature"));
    }

    #[test]
    fn claims_follow_rfc7523_section_3() {
        let key = SigningKey::generate(SigningAlg::Es256).unwrap();
        let keys = public(&key);
        let with = |extra: Value| {
            let jwt = key.sign("JWT", &claims(&extra)).unwrap();
            check(&jwt, Keys::Public(&keys))
        };
        with(json!({})).unwrap();
        for (extra, expect) in [
            (json!({"sub": "other"}), "iss and sub"),
            (json!({"iss": null}), "iss and sub"),
            (json!({"aud": "http://127.0.0.1:9400/"}), "aud"),
            (json!({"aud": "https://elsewhere.example"}), "aud"),
            (json!({"aud": null}), "aud"),
            (json!({"exp": null}), "needs an exp"),
            (json!({"exp": NOW - LEEWAY_S}), "expired"),
            (
                json!({"exp": NOW + MAX_LIFETIME_S + LEEWAY_S + 1}),
                "more than 300",
            ),
            (json!({"exp": "soon"}), "integer"),
            (json!({"iat": NOW + LEEWAY_S + 1}), "iat is in the future"),
            (json!({"nbf": NOW + LEEWAY_S + 1}), "nbf is in the future"),
            (json!({"jti": null}), "jti"),
            (json!({"jti": ""}), "jti"),
        ] {
            let got = why(with(extra.clone()));
            assert!(got.contains(expect), "{extra}: {got}");
        }
        // Any of the accepted audiences, as a string or in an array.
        for a in [json!(TOKEN), json!(["https://x.example", ISS])] {
            with(json!({ "aud": a })).unwrap();
        }
        let at_introspect = key
            .sign(
                "JWT",
                &claims(&json!({"aud": "http://127.0.0.1:9400/introspect"})),
            )
            .unwrap();
        read(&at_introspect)
            .unwrap()
            .verify(
                Keys::Public(&keys),
                aud("http://127.0.0.1:9400/introspect"),
                NOW,
            )
            .unwrap();
        assert!(why(check(&at_introspect, Keys::Public(&keys))).contains("aud"));
    }

    #[test]
    fn an_assertion_is_used_once() {
        let key = SigningKey::generate(SigningAlg::Es256).unwrap();
        let jwt = key.sign("JWT", &claims(&json!({}))).unwrap();
        let v = check(&jwt, Keys::Public(&public(&key))).unwrap();
        let mut cache = ReplayCache::default();
        v.use_once("svc", &mut cache, NOW).unwrap();
        let again = v.use_once("svc", &mut cache, NOW + 1).unwrap_err();
        assert!(again.description().contains("used before"));
        // Another client's jti is its own.
        v.use_once("other", &mut cache, NOW).unwrap();
    }
}
