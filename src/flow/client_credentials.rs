//! The client credentials grant (RFC 6749 §4.4): a confidential client asks for a token for
//! itself. No user, no browser, no refresh token (§4.4.3): the set is renewed by asking
//! again ([`crate::oauth::grant::Renewal::RepeatGrant`]), which `login` and the renewal
//! both do through [`request`].

use reqwest::header::HeaderMap;
use url::Url;

use crate::error::Result;
use crate::http::HttpClient;
use crate::oauth::grant::Grant;
use crate::oauth::token_response::TokenResponse;

use super::client::{ClientAuth, token_request};

/// One client-credentials token request for `scopes` (none: the server's default),
/// `audience` and `resource` (RFC 8707).
pub fn request(
    http: &HttpClient,
    endpoint: &Url,
    client: &ClientAuth,
    scopes: &[String],
    audience: Option<&str>,
    resource: Option<&str>,
) -> Result<TokenResponse> {
    let scope = scopes.join(" ");
    let mut params = vec![("grant_type", Grant::ClientCredentials.as_grant_type())];
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
