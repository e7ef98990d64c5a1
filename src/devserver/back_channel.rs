//! What the back-channel endpoints (`/token`, `/device_authorization`, `/introspect`,
//! `/revoke`) share: the strictly parsed form body and the shapes of their answers
//! (RFC 6749 §5.1, §5.2).

use serde::Serialize;

use super::wire::{Params, Req, Resp};

/// The realm of `WWW-Authenticate` challenges.
pub(crate) const REALM: &str = "oauthctl-devserver";

/// A token-endpoint error (RFC 6749 §5.2): 400, with `Cache-Control: no-store`.
pub(crate) fn err(error: &str, description: &str) -> Resp {
    Resp::oauth_error(400, error, description).with("Pragma", "no-cache")
}

/// A successful token-endpoint answer (RFC 6749 §5.1).
pub(crate) fn ok<T: Serialize + ?Sized>(body: &T) -> Resp {
    Resp::json(200, body).with("Pragma", "no-cache")
}

/// The form body of a back-channel POST, strictly parsed.
pub(crate) fn form(req: &Req) -> Result<Params, Resp> {
    if !req.is_form() {
        return Err(err(
            "invalid_request",
            "the body must be application/x-www-form-urlencoded",
        ));
    }
    if !req.query.is_empty() {
        // RFC 6749 §3.2 / §2.3.1: credentials and grants never travel in the URL.
        return Err(err(
            "invalid_request",
            "parameters must be sent in the body, not the query",
        ));
    }
    req.form().map_err(|e| err("invalid_request", &e))
}

/// `429` with `Retry-After`.
pub(crate) fn too_many(description: &str, retry_s: u64) -> Resp {
    Resp::oauth_error(429, "temporarily_unavailable", description)
        .with("Retry-After", &retry_s.to_string())
}
