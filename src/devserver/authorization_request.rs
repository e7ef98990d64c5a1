//! The authorization request of the code flow (RFC 6749 §4.1.1, RFC 7636 §4.3):
//! [`AuthorizationRequest::parse`] validates the parameters `/authorize` received and, when
//! it refuses them, says where the refusal may be shown.
//!
//! Order of checks (RFC 6749 §4.1.2.1, RFC 9700 §4.11.2): the client and the redirect URI
//! are established first; until both are, a refusal is an error page and never a redirect.
//! After that, refusals go back to the client with the verbatim `state`.
//! Pure: no store, no clock, no misbehaviour; the handlers in `authorize` do the rest.

use std::borrow::Cow;
use std::collections::HashMap;

use super::Client;
use super::clients::redirect_uri_matches;
use super::directory::{Directory, Unknown};
use super::pkce::valid_pkce_value;
use super::scope::{bad_scope, requested_audience, split_scope};
use super::wire::Params;
use crate::oauth::grant::Grant;
use crate::oauth::secret::{Nonce, State};

/// Largest request whose parameters the server keeps until a user acts (an authorization
/// request, a device authorization request): with at most `state::MAX_PENDING` of each
/// kept, this bounds their memory.
pub(crate) const MAX_KEPT_REQUEST: usize = 8 * 1024;

/// Where the authorization response goes, known once the client and its redirect URI are.
#[derive(Debug, Clone)]
pub(crate) struct ReturnTo {
    /// The redirect URI of the request, one the client registered.
    pub redirect_uri: String,
    /// The request's `state`, verbatim; `None` when absent, empty or repeated.
    pub state: Option<State>,
}

/// A valid authorization request: the client may use the code flow with these parameters.
#[derive(Debug)]
pub(crate) struct AuthorizationRequest<'a> {
    /// The client named by `client_id`.
    pub client: Cow<'a, Client>,
    pub return_to: ReturnTo,
    /// The requested scopes without repeats; the server has each and the client may ask.
    pub scope: Vec<String>,
    pub nonce: Option<Nonce>,
    /// The S256 `code_challenge` (RFC 7636 §4.2); always present for a public client.
    pub code_challenge: Option<String>,
    /// `resource` (RFC 8707) or `audience`.
    pub audience: Option<String>,
    /// `prompt` includes `none` (OIDC Core §3.1.2.1): the user may not be shown a page.
    pub prompt_none: bool,
}

/// Why an authorization request is refused, and where the refusal is shown.
#[derive(Debug)]
pub(crate) enum Refusal {
    /// An error page: the client or its redirect URI is not established, so nothing may
    /// be sent to the redirect URI.
    Page {
        status: u16,
        title: &'static str,
        message: String,
    },
    /// An error response (RFC 6749 §4.1.2.1) to the client's redirect URI.
    Redirect {
        to: ReturnTo,
        error: &'static str,
        description: String,
    },
}

impl Refusal {
    fn page(status: u16, title: &'static str, message: impl Into<String>) -> Self {
        Self::Page {
            status,
            title,
            message: message.into(),
        }
    }
}

impl<'a> AuthorizationRequest<'a> {
    /// Validates the parameters of an authorization request (`raw`: the query of a GET or
    /// the form body of a POST) against the clients, scopes and resources of `dir`.
    pub(crate) fn parse(dir: &Directory<'a>, raw: &[u8]) -> Result<Self, Refusal> {
        if raw.len() > MAX_KEPT_REQUEST {
            return Err(Refusal::page(
                413,
                "Request too large",
                "An authorization request may carry at most 8 KiB of parameters.",
            ));
        }
        // Parse leniently first, to know where errors may be sent.
        let mut counts = HashMap::<String, usize>::new();
        let mut values = HashMap::<String, String>::new();
        for (k, v) in url::form_urlencoded::parse(raw) {
            *counts.entry(k.to_string()).or_default() += 1;
            if !v.is_empty() {
                values.insert(k.into_owned(), v.into_owned());
            }
        }
        let single = |name: &str| counts.get(name).copied().unwrap_or(0) <= 1;
        if !single("client_id") || !single("redirect_uri") {
            return Err(Refusal::page(
                400,
                "Invalid request",
                "client_id and redirect_uri must not be repeated.",
            ));
        }
        let Some(client_id) = values.get("client_id") else {
            return Err(Refusal::page(
                400,
                "Invalid request",
                "The request has no client_id.",
            ));
        };
        let client = match dir.client(client_id) {
            Ok(client) => client,
            Err(Unknown::NoSuchClient) => {
                return Err(Refusal::page(
                    400,
                    "Unknown client",
                    format!("There is no client `{client_id}` on this server."),
                ));
            }
            Err(Unknown::Refused(why)) => {
                return Err(Refusal::page(
                    400,
                    "Client metadata document refused",
                    format!("The metadata document of client `{client_id}` was refused: {why}."),
                ));
            }
        };
        let Some(redirect_uri) = values.get("redirect_uri") else {
            return Err(Refusal::page(
                400,
                "Invalid request",
                "The request has no redirect_uri.",
            ));
        };
        if !client
            .redirect_uris
            .iter()
            .any(|r| redirect_uri_matches(r, redirect_uri))
        {
            return Err(Refusal::page(
                400,
                "Invalid redirect URI",
                format!("`{redirect_uri}` is not registered for client `{client_id}`."),
            ));
        }
        let return_to = ReturnTo {
            redirect_uri: redirect_uri.clone(),
            state: values
                .get("state")
                .filter(|_| single("state"))
                .map(State::new),
        };
        let refuse = |error: &'static str, description: &str| Refusal::Redirect {
            to: return_to.clone(),
            error,
            description: description.to_owned(),
        };
        if let Some((name, _)) = counts.iter().find(|(_, n)| **n > 1) {
            return Err(refuse(
                "invalid_request",
                &format!("parameter `{name}` is repeated"),
            ));
        }
        let p = Params::parse(raw).map_err(|e| refuse("invalid_request", &e))?;
        match p.get("response_type") {
            Some("code") => {}
            None => return Err(refuse("invalid_request", "response_type is required")),
            Some(_) => {
                return Err(refuse(
                    "unsupported_response_type",
                    "only response_type=code is supported",
                ));
            }
        }
        if !client.allows(Grant::AuthorizationCode) {
            return Err(refuse(
                "unauthorized_client",
                "this client may not use the authorization code grant",
            ));
        }
        if p.get("response_mode").is_some_and(|m| m != "query") {
            return Err(refuse(
                "invalid_request",
                "only response_mode=query is supported",
            ));
        }
        if p.has("request") || p.has("request_uri") {
            return Err(refuse(
                "request_not_supported",
                "request objects are not supported",
            ));
        }
        let scope = split_scope(p.get("scope"));
        if let Some(bad) = bad_scope(dir.registry, &client, &scope) {
            return Err(refuse(
                "invalid_scope",
                &format!("scope `{bad}` is not available"),
            ));
        }
        // PKCE (RFC 7636; RFC 9700 §2.1.1): S256 only, required for public clients.
        let challenge = p.get("code_challenge");
        match (challenge, p.get("code_challenge_method")) {
            (None, None) if client.is_public() => {
                return Err(refuse(
                    "invalid_request",
                    "PKCE is required: send code_challenge with code_challenge_method=S256",
                ));
            }
            (None, None) | (Some(_), Some("S256")) => {}
            (Some(_), None) => {
                return Err(refuse(
                    "invalid_request",
                    "code_challenge_method is required and must be S256 (plain is not supported)",
                ));
            }
            (None, Some(_)) => {
                return Err(refuse(
                    "invalid_request",
                    "code_challenge_method without code_challenge",
                ));
            }
            (_, Some(_)) => {
                return Err(refuse(
                    "invalid_request",
                    "code_challenge_method must be S256 (plain is not supported)",
                ));
            }
        }
        if challenge.is_some_and(|c| !valid_pkce_value(c)) {
            return Err(refuse(
                "invalid_request",
                "code_challenge must be 43-128 characters of [A-Za-z0-9-._~]",
            ));
        }
        let audience =
            requested_audience(&p, dir.issuer).map_err(|e| refuse("invalid_target", e))?;
        Ok(Self {
            client,
            scope,
            nonce: p.get("nonce").map(Nonce::new),
            code_challenge: challenge.map(str::to_owned),
            audience,
            prompt_none: p
                .get("prompt")
                .is_some_and(|pr| pr.split(' ').any(|x| x == "none")),
            return_to,
        })
    }
}

#[cfg(test)]
mod tests;
