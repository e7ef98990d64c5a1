//! The JWT bearer grant (RFC 7523 §2.1): a signed assertion for a token. The assertion is
//! given (a file, standard input: used once, since servers refuse a `jti` twice, §3) or
//! signed here from a private key ([`Signing`]); a set obtained from a key is renewed by
//! signing a new one ([`crate::oauth::grant::Renewal::SignAssertion`]).
//!
//! A signed assertion carries `iss`, `sub`, `aud` (the issuer identifier by default, as
//! the one string: security checklist C63), `iat`, `exp` and a fresh `jti`; its header the
//! key's algorithm and, when given, a `kid`. Its times come from this computer's clock:
//! the server compares them with its own.

use std::time::Duration;

use reqwest::header::HeaderMap;
use serde::Serialize;
use url::Url;

// Proofs and assertions carry the wall clock, never an injected one: the server compares
// their `iat` with its own.
use crate::clock::{Clock as _, SystemClock};
use crate::error::{Error, Result};
use crate::http::HttpClient;
use crate::oauth::grant::Grant;
use crate::oauth::jose::SigningKey;
use crate::oauth::secret::Assertion;
use crate::oauth::token_response::TokenResponse;

use super::client::{ClientAuth, token_request};

/// How long a signed assertion is valid unless told otherwise (`--assertion-exp`).
pub const DEFAULT_LIFETIME: Duration = Duration::from_secs(300);

/// What a signed assertion says, and the key that signs it.
#[derive(Debug)]
pub struct Signing {
    pub key: SigningKey,
    /// The header's `kid`, if any.
    pub kid: Option<String>,
    /// `iss`: who issued the assertion.
    pub issuer: String,
    /// `sub`: whom the token is for.
    pub subject: String,
    /// `aud`: the authorization server.
    pub audience: String,
    /// From `iat` to `exp`.
    pub lifetime: Duration,
}

#[derive(Serialize)]
struct Claims<'a> {
    iss: &'a str,
    sub: &'a str,
    aud: &'a str,
    iat: i64,
    exp: i64,
    jti: String,
}

impl Signing {
    /// A new assertion, valid from now for [`Signing::lifetime`].
    pub fn sign(&self) -> Result<Assertion> {
        self.sign_at(SystemClock.now())
    }

    /// A new assertion issued at `now` (Unix seconds).
    pub fn sign_at(&self, now: i64) -> Result<Assertion> {
        use base64::Engine as _;
        let lifetime = i64::try_from(self.lifetime.as_secs()).unwrap_or(i64::MAX);
        let claims = Claims {
            iss: &self.issuer,
            sub: &self.subject,
            aud: &self.audience,
            iat: now,
            exp: now.saturating_add(lifetime),
            jti: base64::engine::general_purpose::URL_SAFE_NO_PAD
                .encode(crate::oauth::pkce::random_bytes(24)),
        };
        self.key
            .sign_with_kid("JWT", self.kid.as_deref(), &claims)
            .map(Assertion::new)
            .map_err(|e| Error::Other(format!("cannot sign the assertion: {e}")))
    }
}

/// One JWT bearer token request for `scopes` (none: the server's default), `audience` and
/// `resource` (RFC 8707).
pub fn request(
    http: &HttpClient,
    endpoint: &Url,
    client: &ClientAuth,
    assertion: &Assertion,
    scopes: &[String],
    audience: Option<&str>,
    resource: Option<&str>,
) -> Result<TokenResponse> {
    let scope = scopes.join(" ");
    let mut params = vec![
        ("grant_type", Grant::JwtBearer.as_grant_type()),
        ("assertion", assertion.expose()),
    ];
    if !scope.is_empty() {
        params.push(("scope", &scope));
    }
    if let Some(a) = audience {
        params.push(("audience", a));
    }
    if let Some(r) = resource {
        params.push(("resource", r));
    }
    token_request(http, endpoint, client, &params, &HeaderMap::new())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::oauth::jose::SigningAlg;

    #[test]
    fn a_signed_assertion_has_the_rfc7523_claims_and_a_fresh_jti() {
        let signing = Signing {
            key: SigningKey::generate(SigningAlg::Es256).unwrap(),
            kid: Some("k1".into()),
            issuer: "svc".into(),
            subject: "alice".into(),
            audience: "https://as.example".into(),
            lifetime: Duration::from_secs(120),
        };
        let one = signing.sign_at(1000).unwrap();
        let two = signing.sign_at(1000).unwrap();
        let jws = crate::oauth::jwt::parse(one.expose()).unwrap();
        assert_eq!(jws.alg.as_deref(), Some("ES256"));
        assert_eq!(jws.header["kid"], "k1");
        assert_eq!(jws.header["typ"], "JWT");
        let c = &jws.claims;
        assert_eq!(
            (c["iss"].as_str(), c["sub"].as_str()),
            (Some("svc"), Some("alice"))
        );
        assert_eq!(c["aud"], "https://as.example");
        assert_eq!(
            (c["iat"].as_i64(), c["exp"].as_i64()),
            (Some(1000), Some(1120))
        );
        let jti =
            |a: &Assertion| crate::oauth::jwt::parse(a.expose()).unwrap().claims["jti"].clone();
        assert_ne!(jti(&one), jti(&two));
        // Without a kid the header names none (the server tries its keys for the alg).
        let bare = Signing {
            kid: None,
            ..signing
        };
        let jws = crate::oauth::jwt::parse(bare.sign_at(1).unwrap().expose()).unwrap();
        assert!(!jws.header.contains_key("kid"));
    }
}
