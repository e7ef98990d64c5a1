//! The token exchange request (RFC 8693 §2.1): a subject token (and, for a delegation, an
//! actor token) for a new token; `login --flow token-exchange`, `exchange` and the renewal
//! of an exchanged set ([`crate::oauth::grant::Renewal::ExchangeAgain`]) all send it
//! through [`request`]. The answer must say what it issued (§2.2.1, checked by
//! `oauth::token_exchange`); a token that is not an access token may come without
//! `expires_in`, and then its own `exp` (a JWT's) tells when it expires.

use reqwest::header::HeaderMap;
use url::Url;

use crate::error::{Error, Result};
use crate::http::HttpClient;
use crate::oauth::grant::Grant;
use crate::oauth::secret::SecurityToken;
use crate::oauth::token_exchange;
use crate::oauth::token_response::TokenResponse;

use super::client::{ClientAuth, token_request};

/// What one exchange asks for.
#[derive(Debug, Clone)]
pub struct Request {
    /// The token the new one is about, and its type (a URI, RFC 8693 §3).
    pub subject: SecurityToken,
    pub subject_token_type: String,
    /// The party that acts for the subject (delegation), and its token's type.
    pub actor: Option<(SecurityToken, String)>,
    /// `audience` values (repeated, §2.1).
    pub audiences: Vec<String>,
    /// `resource` values (repeated, RFC 8707).
    pub resources: Vec<String>,
    /// `scope` (none: the server's default, usually the subject's).
    pub scopes: Vec<String>,
    /// `requested_token_type`, a URI.
    pub requested_token_type: Option<String>,
}

/// Sends the exchange; the answer is checked (`issued_token_type` present and the
/// requested one) before anything is kept. `now` dates a JWT's `exp`.
pub fn request(
    http: &HttpClient,
    endpoint: &Url,
    client: &ClientAuth,
    req: &Request,
    now: i64,
) -> Result<TokenResponse> {
    let scope = req.scopes.join(" ");
    let mut params = vec![
        ("grant_type", Grant::TokenExchange.as_grant_type()),
        ("subject_token", req.subject.expose()),
        ("subject_token_type", req.subject_token_type.as_str()),
    ];
    if let Some((token, kind)) = &req.actor {
        params.push(("actor_token", token.expose()));
        params.push(("actor_token_type", kind));
    }
    params.extend(req.audiences.iter().map(|a| ("audience", a.as_str())));
    params.extend(req.resources.iter().map(|r| ("resource", r.as_str())));
    if !scope.is_empty() {
        params.push(("scope", &scope));
    }
    if let Some(t) = &req.requested_token_type {
        params.push(("requested_token_type", t));
    }
    let mut response = token_request(http, endpoint, client, &params, &HeaderMap::new())?;
    token_exchange::check_issued(
        response.issued_token_type.as_deref(),
        req.requested_token_type.as_deref(),
    )
    .map_err(Error::BadResponse)?;
    if response.expires_in.is_none() {
        response.expires_in = jwt_lifetime(response.access_token.expose(), now);
    }
    Ok(response)
}

/// The seconds until a JWT's `exp` (zero once passed); `None` for anything else.
fn jwt_lifetime(token: &str, now: i64) -> Option<u64> {
    let jws = crate::oauth::jwt::parse(token).ok()?;
    let exp = crate::oauth::jwt::numeric_date(jws.claims.get("exp")?).ok()?;
    Some(u64::try_from(exp.saturating_sub(now)).unwrap_or(0))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_jwt_without_expires_in_expires_at_its_exp() {
        use base64::Engine as _;
        let b64 = |v: &str| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(v);
        let jwt = format!(
            "{}.{}.c2ln",
            b64(r#"{"alg":"ES256"}"#),
            b64(r#"{"sub":"a","exp":1000}"#)
        );
        assert_eq!(jwt_lifetime(&jwt, 400), Some(600));
        assert_eq!(jwt_lifetime(&jwt, 2000), Some(0));
        assert_eq!(jwt_lifetime("opaque-token", 400), None);
    }
}
