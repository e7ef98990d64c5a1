//! Refreshing a cached set (RFC 6749 §6): the refresh token grant, or for a set whose grant
//! allows it (client credentials) the same grant again. A new ID token must describe the same login as the
//! old one (OIDC §12.2); otherwise the previous tokens are kept.

use reqwest::header::HeaderMap;

use crate::error::Error;
use crate::http::HttpClient;
use crate::oauth::grant::{Grant, Renewal};
use crate::oauth::jwt;
use crate::oauth::tokens::TokenSet;
use crate::store::lock::RefreshError;

use super::authcode::{verify_id_token, wants_oidc};
use super::client::{ClientAuth, token_request};
use super::client_credentials;
use super::discovery::DocumentCache;
use super::provider::Resolved;

/// What a refresh needs besides the current set.
#[derive(Debug)]
pub struct Refresher<'a> {
    pub http: &'a HttpClient,
    pub cache: &'a DocumentCache,
    pub provider: &'a Resolved,
    pub client: &'a ClientAuth,
    pub scopes: &'a [String],
    pub audience: Option<&'a str>,
    pub resource: Option<&'a str>,
    pub now: i64,
    /// Clock skew allowed for a new ID token's times, in seconds.
    pub leeway: i64,
}

impl Refresher<'_> {
    /// One refresh of `current`.
    pub fn refresh(&self, current: &TokenSet) -> Result<TokenSet, RefreshError> {
        let endpoint = self
            .provider
            .require(
                "token_endpoint",
                self.provider.endpoints.token_endpoint.as_ref(),
            )
            .and_then(|e| self.http.checked_url(e))
            .map_err(RefreshError::Failed)?;
        let response = match (current.renewal(), &current.refresh_token) {
            (Some(Renewal::RefreshToken), Some(rt)) => {
                let params = [
                    ("grant_type", Grant::RefreshToken.as_grant_type()),
                    ("refresh_token", rt.expose()),
                ];
                token_request(
                    self.http,
                    &endpoint,
                    self.client,
                    &params,
                    &HeaderMap::new(),
                )
            }
            (Some(Renewal::RepeatGrant), _) => match current.grant {
                Grant::ClientCredentials => client_credentials::request(
                    self.http,
                    &endpoint,
                    self.client,
                    self.scopes,
                    self.audience,
                    self.resource,
                ),
                grant @ (Grant::AuthorizationCode | Grant::DeviceCode | Grant::RefreshToken) => {
                    Err(Error::LoginRequired {
                        message: format!("a {grant} grant cannot be repeated without the user"),
                        hint: "run `oauthctl login` again".into(),
                    })
                }
            },
            _ => {
                return Err(RefreshError::Failed(Error::LoginRequired {
                    message: "the access token expired and there is no refresh token".into(),
                    hint: "run `oauthctl login` again".into(),
                }));
            }
        };
        let response = match response {
            Ok(r) => r,
            Err(Error::Rejected(e)) if e.is("invalid_grant") => {
                return Err(RefreshError::InvalidGrant {
                    description: e.error_description,
                });
            }
            Err(e) => return Err(RefreshError::Failed(e)),
        };
        if let Some(raw) = &response.id_token
            && wants_oidc(self.scopes)
            && !self.provider.provider.quirks.no_oidc
        {
            let previous = current
                .id_token
                .as_ref()
                .and_then(|t| jwt::parse(t.expose()).ok())
                .map(|j| j.claims);
            verify_id_token(
                self.http,
                self.cache,
                self.provider,
                self.client,
                raw.expose(),
                None,
                previous,
                self.now,
                self.leeway,
            )
            .map_err(RefreshError::Failed)?;
        }
        // The lock protocol keeps the old refresh and ID tokens when these are absent.
        Ok(response.into_token_set(
            current.grant,
            &current.issuer,
            &current.client_id,
            &current.scope,
            self.now,
        ))
    }
}
