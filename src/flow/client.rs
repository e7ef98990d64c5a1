//! Talking to the token endpoint as a client: client authentication (RFC 6749 §2.3.1:
//! `client_secret_basic` with form-urlencoded id and secret, `client_secret_post`, or a
//! public client's bare `client_id`) and the mapping of answers to errors.

use reqwest::header::HeaderMap;
use url::Url;

use crate::error::{Error, Result};
use crate::http::HttpClient;
use crate::oauth::client_auth::AuthMethod;
use crate::oauth::secret::ClientSecret;
use crate::oauth::token_response::{self, TokenEndpointError, TokenResponse};
use crate::oauth::url_policy;

/// The client's identity at the token endpoint.
#[derive(Debug, Clone)]
pub struct ClientAuth {
    pub client_id: String,
    pub secret: Option<ClientSecret>,
    pub method: AuthMethod,
}

impl ClientAuth {
    /// A client; the method defaults to `client_secret_basic` with a secret, `none` without.
    pub fn new(
        client_id: String,
        secret: Option<ClientSecret>,
        method: Option<AuthMethod>,
    ) -> Self {
        let method = method.unwrap_or(if secret.is_some() {
            AuthMethod::ClientSecretBasic
        } else {
            AuthMethod::None
        });
        Self {
            client_id,
            secret,
            method,
        }
    }

    /// Whether the client has a secret.
    pub fn is_confidential(&self) -> bool {
        self.secret.is_some() && self.method != AuthMethod::None
    }
}

/// POSTs `params` to a protocol endpoint with client authentication.
pub fn post_authenticated(
    http: &HttpClient,
    endpoint: &Url,
    client: &ClientAuth,
    params: &[(&str, &str)],
    headers: &HeaderMap,
) -> Result<crate::http::Response> {
    let mut form: Vec<(&str, &str)> = params.to_vec();
    let mut basic = None;
    match (&client.method, &client.secret) {
        (AuthMethod::ClientSecretBasic, Some(secret)) => {
            basic = Some((client.client_id.as_str(), secret.expose()));
        }
        (AuthMethod::ClientSecretPost, Some(secret)) => {
            form.push(("client_id", &client.client_id));
            form.push(("client_secret", secret.expose()));
        }
        _ => form.push(("client_id", &client.client_id)),
    }
    http.post_form(endpoint, &form, basic, headers)
}

/// A token request: POST, check the answer, map OAuth errors to exit 4.
pub fn token_request(
    http: &HttpClient,
    endpoint: &Url,
    client: &ClientAuth,
    params: &[(&str, &str)],
    headers: &HeaderMap,
) -> Result<TokenResponse> {
    let resp = post_authenticated(http, endpoint, client, params, headers)?;
    // The token endpoint's clock, to explain an ID token that seems to come from the future.
    http.note_server_date(&resp.headers);
    if resp.status == 429 {
        let after = resp
            .headers
            .get(reqwest::header::RETRY_AFTER)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("a while");
        return Err(Error::BadResponse(format!(
            "the token endpoint is rate limiting this client (HTTP 429); retry after {after} s"
        )));
    }
    token_response::parse(resp.status, &resp.body).map_err(|e| match e {
        TokenEndpointError::OAuth(err) => Error::Rejected(err),
        TokenEndpointError::Malformed(m) => Error::BadResponse(format!(
            "the token endpoint {}: {m}",
            url_policy::display_base(endpoint)
        )),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn auth_method_defaults() {
        assert_eq!(
            ClientAuth::new("c".into(), None, None).method,
            AuthMethod::None
        );
        let c = ClientAuth::new("c".into(), Some("s3cret".into()), None);
        assert_eq!(c.method, AuthMethod::ClientSecretBasic);
        assert!(c.is_confidential());
        let shown = format!("{c:?}");
        assert!(!shown.contains("s3cret"), "{shown}");
        assert!(shown.contains("ClientSecret([redacted])"), "{shown}");
    }
}
