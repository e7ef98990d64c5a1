//! OAuth 2.0 error responses (RFC 6749 §5.2, §4.1.2.1) with explanations of the common codes.
//! Pure data: no I/O, no output.

use std::fmt;

use serde::{Deserialize, Serialize};

/// Why the answer of a protocol endpoint (token, introspection, userinfo, …) is not usable.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EndpointError {
    /// An OAuth error response (also with HTTP 200).
    #[error("{0}")]
    OAuth(OAuthErrorResponse),
    /// Anything malformed or unsafe. Never contains token values.
    #[error("{0}")]
    Malformed(String),
}

/// The `error`, `error_description` and `error_uri` of an OAuth error response.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OAuthErrorResponse {
    pub error: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error_description: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error_uri: Option<String>,
}

impl OAuthErrorResponse {
    /// An error response with only the `error` code.
    pub fn new(error: &str) -> Self {
        Self {
            error: error.to_owned(),
            error_description: None,
            error_uri: None,
        }
    }

    /// Whether the code is `code`.
    pub fn is(&self, code: &str) -> bool {
        self.error == code
    }

    /// What the common error codes usually mean, and what to do about them.
    pub fn explanation(&self) -> Option<&'static str> {
        Some(match self.error.as_str() {
            "invalid_grant" => {
                "the code or refresh token is invalid, expired, already used or was issued to \
                 another client; run `oauthctl login` again (also check the clock: large skew \
                 makes fresh grants look expired)"
            }
            "invalid_client" => {
                "client authentication failed: check --client-id, the client secret and the \
                 auth method (client_secret_basic / client_secret_post / none)"
            }
            "unauthorized_client" => {
                "this client is not allowed to use this grant type; check the client's \
                 registration at the provider"
            }
            "invalid_scope" => "a requested scope is unknown or not allowed for this client",
            "redirect_uri_mismatch" => {
                "the redirect URI is not registered for this client; register the one oauthctl \
                 sends (by default http://127.0.0.1/callback, any port), or log in with \
                 --redirect-uri set to the registered one"
            }
            "unsupported_token_type" => {
                "the server cannot revoke or introspect this kind of token (some cannot for \
                 JWT access tokens); revoke the refresh token instead"
            }
            "access_denied" => "the user or the server declined the authorization",
            "unsupported_grant_type" => "the server does not support this flow for this client",
            "invalid_request" => "the server found the request malformed; `-v` shows what was sent",
            "temporarily_unavailable" | "server_error" => {
                "the server had a problem; try again later"
            }
            "expired_token" => "the device code expired before it was approved; start again",
            "invalid_token" => {
                "the token is invalid or expired; run `oauthctl refresh`, or `oauthctl login` again"
            }
            "insufficient_scope" => {
                "the token lacks a scope this request needs; log in with --scope"
            }
            _ => return None,
        })
    }
}

impl fmt::Display for OAuthErrorResponse {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.error)?;
        if let Some(d) = &self.error_description {
            write!(f, ": {d}")?;
        }
        if let Some(u) = &self.error_uri {
            write!(f, " (see {u})")?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn display_includes_description_and_uri() {
        let e = OAuthErrorResponse {
            error: "invalid_client".into(),
            error_description: Some("unknown client".into()),
            error_uri: Some("https://as.example/e".into()),
        };
        assert_eq!(
            e.to_string(),
            "invalid_client: unknown client (see https://as.example/e)"
        );
        assert!(e.explanation().unwrap().contains("client"));
    }

    #[test]
    fn unknown_codes_have_no_explanation() {
        assert!(OAuthErrorResponse::new("weird").explanation().is_none());
    }
}
