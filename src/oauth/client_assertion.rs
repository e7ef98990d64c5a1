//! Client assertions: the JWTs a client authenticates with under `private_key_jwt` (signed
//! with its private key) and `client_secret_jwt` (an HMAC with its secret): RFC 7523 §2.2 and
//! §3, OIDC Core §9.
//!
//! Claims: `iss` = `sub` = the client id, `aud` = the authorization server's issuer
//! identifier as the one string (security checklist C63: an assertion meant for one server
//! cannot be replayed at another that shares the key; a provider preset may name the URL of
//! the endpoint instead where the provider insists), a fresh `jti` (servers refuse a second
//! use), `iat`, and `exp` one minute later (never more than five).
//!
//! Pure: no I/O.

use serde::Serialize;
use url::Url;

use super::jose::{KeyError, SigningAlg, SigningKey, sign_hs256};
use super::pkce::random_bytes;
use super::secret::ClientSecret;

/// `client_assertion_type` (RFC 7523 §2.2).
pub const ASSERTION_TYPE: &str = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";
/// How long an assertion is valid, in seconds: long enough for a slow network, short
/// enough that a captured one is useless soon (RFC 7523 §3 leaves it to the client).
pub const LIFETIME: i64 = 60;
/// The longest lifetime oauthctl would ever give an assertion, in seconds.
pub const MAX_LIFETIME: i64 = 300;

/// Which `aud` an assertion names.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Audience {
    /// The issuer identifier, exactly as discovery gives it (C63); the endpoint's URL for a
    /// provider without an issuer.
    #[default]
    Issuer,
    /// The URL of the endpoint the assertion is sent to (providers that want the token
    /// endpoint's URL, such as Microsoft Entra ID and Okta).
    Endpoint,
}

impl Audience {
    /// The `aud` for an assertion sent to `endpoint` of the server `issuer`.
    pub fn value(self, issuer: Option<&str>, endpoint: &Url) -> String {
        if let (Self::Issuer, Some(issuer)) = (self, issuer) {
            return issuer.to_owned();
        }
        let mut u = endpoint.clone();
        u.set_fragment(None);
        u.to_string()
    }
}

/// What signs an assertion.
#[derive(Debug, Clone, Copy)]
pub enum Signer<'a> {
    /// `private_key_jwt`: the client's private key, with the `kid` its registration names
    /// (none: the server finds the key by its algorithm).
    Key {
        key: &'a SigningKey,
        kid: Option<&'a str>,
    },
    /// `client_secret_jwt`: HS256 with the client secret.
    Secret(&'a ClientSecret),
}

#[derive(Debug, Serialize)]
struct Claims<'a> {
    iss: &'a str,
    sub: &'a str,
    aud: &'a str,
    jti: String,
    iat: i64,
    exp: i64,
}

/// A fresh assertion of `client_id` for `audience` at `now` (Unix seconds).
pub fn assertion(
    signer: Signer<'_>,
    client_id: &str,
    audience: &str,
    now: i64,
) -> Result<String, KeyError> {
    use base64::Engine as _;
    let claims = Claims {
        iss: client_id,
        sub: client_id,
        aud: audience,
        jti: base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(random_bytes(24)),
        iat: now,
        exp: now + LIFETIME,
    };
    match signer {
        Signer::Key { key, kid } => key.sign_with_kid("JWT", kid, &claims),
        Signer::Secret(secret) => sign_hs256(secret.expose().as_bytes(), "JWT", &claims),
    }
}

/// The algorithm a key signs assertions with when none is configured: the key's own
/// (RS256 for RSA, ES256 for P-256, ES384 for P-384, EdDSA for Ed25519), or PS256 for an
/// RSA key when the server's `token_endpoint_auth_signing_alg_values_supported` lists PS256
/// but not RS256.
pub fn key_alg(key_default: SigningAlg, offered: Option<&[String]>) -> SigningAlg {
    let Some(list) = offered.filter(|l| !l.is_empty()) else {
        return key_default;
    };
    let has = |a: SigningAlg| list.iter().any(|x| x == a.as_str());
    if key_default == SigningAlg::Rs256 && !has(SigningAlg::Rs256) && has(SigningAlg::Ps256) {
        return SigningAlg::Ps256;
    }
    key_default
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

    fn verify(jwt: &str, key: &jsonwebtoken::DecodingKey, alg: jsonwebtoken::Algorithm) -> Value {
        let mut v = jsonwebtoken::Validation::new(alg);
        v.set_audience(&["https://as.example"]);
        v.set_issuer(&["cli"]);
        v.validate_exp = false;
        jsonwebtoken::decode::<Value>(jwt, key, &v).unwrap().claims
    }

    #[test]
    fn a_private_key_jwt_assertion_has_the_rfc_7523_claims() {
        let key = SigningKey::generate(SigningAlg::Es256).unwrap();
        let signer = Signer::Key {
            key: &key,
            kid: None,
        };
        let jwt = assertion(signer, "cli", "https://as.example", 1_000).unwrap();
        let header = part(&jwt, 0);
        assert_eq!(header["alg"], "ES256");
        assert!(header.get("kid").is_none(), "no kid unless configured");
        assert!(header.get("jwk").is_none());
        let claims = verify(&jwt, key.decoding(), jsonwebtoken::Algorithm::ES256);
        assert_eq!(claims["iss"], "cli");
        assert_eq!(claims["sub"], "cli");
        assert_eq!(
            claims["aud"], "https://as.example",
            "one string, not an array"
        );
        assert_eq!(claims["iat"], 1_000);
        let exp = claims["exp"].as_i64().unwrap();
        assert!(exp > 1_000 && exp - 1_000 <= MAX_LIFETIME, "{exp}");
        // A fresh jti every time (servers refuse a replay).
        let again = part(
            &assertion(signer, "cli", "https://as.example", 1_000).unwrap(),
            1,
        );
        assert_ne!(again["jti"], claims["jti"]);
        // With the registered key id.
        let jwt = assertion(
            Signer::Key {
                key: &key,
                kid: Some("es256"),
            },
            "cli",
            "https://as.example",
            1,
        )
        .unwrap();
        assert_eq!(part(&jwt, 0)["kid"], "es256");
    }

    #[test]
    fn a_client_secret_jwt_assertion_is_hs256_with_the_secret() {
        let secret = ClientSecret::new("oauthctl-csjwt-secret-0123456789abcdef");
        let jwt = assertion(Signer::Secret(&secret), "cli", "https://as.example", 7).unwrap();
        assert_eq!(part(&jwt, 0)["alg"], "HS256");
        let key = jsonwebtoken::DecodingKey::from_secret(secret.expose().as_bytes()).unwrap();
        let claims = verify(&jwt, &key, jsonwebtoken::Algorithm::HS256);
        assert_eq!(claims["sub"], "cli");
        assert!(!jwt.contains(secret.expose()));
    }

    #[test]
    fn the_audience_is_the_issuer_unless_a_preset_says_otherwise() {
        let endpoint = Url::parse("https://as.example/oauth2/v1/token").unwrap();
        assert_eq!(
            Audience::Issuer.value(Some("https://as.example"), &endpoint),
            "https://as.example"
        );
        // Kept byte for byte (a trailing slash is part of Auth0's issuer).
        assert_eq!(
            Audience::Issuer.value(Some("https://tenant.auth0.com/"), &endpoint),
            "https://tenant.auth0.com/"
        );
        assert_eq!(
            Audience::Endpoint.value(Some("https://as.example"), &endpoint),
            "https://as.example/oauth2/v1/token"
        );
        assert_eq!(
            Audience::Issuer.value(None, &endpoint),
            "https://as.example/oauth2/v1/token",
            "without an issuer, the endpoint"
        );
    }

    #[test]
    fn rsa_keys_sign_ps256_where_the_server_takes_only_that() {
        let list = |a: &[&str]| a.iter().map(|s| (*s).to_owned()).collect::<Vec<_>>();
        assert_eq!(key_alg(SigningAlg::Rs256, None), SigningAlg::Rs256);
        assert_eq!(
            key_alg(SigningAlg::Rs256, Some(&list(&["PS256", "ES256"]))),
            SigningAlg::Ps256
        );
        assert_eq!(
            key_alg(SigningAlg::Rs256, Some(&list(&["RS256", "PS256"]))),
            SigningAlg::Rs256
        );
        assert_eq!(
            key_alg(SigningAlg::Es256, Some(&list(&["PS256"]))),
            SigningAlg::Es256
        );
    }
}
