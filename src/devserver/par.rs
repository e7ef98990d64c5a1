//! Pushed authorization requests (RFC 9126): `POST /par`, and the store of pushed requests,
//! each under a fresh `request_uri` (`urn:ietf:params:oauth:request_uri:` and 256 random
//! bits), valid for `par_ttl` (60 s) and for one authorization request, bound to the client
//! that pushed it. At most [`MAX_PUSHED`] are kept; beyond that the oldest is dropped.
//!
//! `/par` authenticates the client as `/token` does, checks a DPoP proof when one is sent
//! (its key then binds the code, as `dpop_jkt` would; RFC 9449 §10.1), and validates the
//! request as `/authorize` would, answering errors as JSON (RFC 9126 §2.3). What is stored
//! is the authorization request without the client's credentials.

use serde_json::json;

use super::App;
use super::authorization_request::{AuthorizationRequest, MAX_KEPT_REQUEST, Refusal};
use super::back_channel::{err, form};
use super::binding;
use super::capped::{Bounded, MAX_PENDING, ms};
use super::client_auth::authenticate;
use super::directory::Directory;
use super::wire::{Req, Resp, fingerprint, random_token};

/// The prefix of every `request_uri` (RFC 9126 §2.2).
pub(crate) const REQUEST_URI_PREFIX: &str = "urn:ietf:params:oauth:request_uri:";

/// Most pushed requests kept at once.
pub(crate) const MAX_PUSHED: usize = MAX_PENDING;

/// A pushed authorization request.
#[derive(Debug, Clone)]
pub(crate) struct Pushed {
    /// The client that pushed it (authenticated).
    pub client_id: String,
    /// The authorization request as pushed (form-urlencoded), without client credentials.
    pub raw: Vec<u8>,
    /// When it expires (Unix milliseconds).
    pub expires_ms: u64,
}

/// Why a `request_uri` was not accepted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Refused {
    /// Unknown, used before, expired, or dropped at the cap.
    Unknown,
    /// Pushed by another client than the one naming it.
    OtherClient,
}

/// The pushed requests.
#[derive(Debug, Default)]
pub(crate) struct PushedRequests {
    requests: Bounded<Pushed, MAX_PUSHED>,
}

impl PushedRequests {
    /// Stores `pushed`; returns its `request_uri`.
    pub(crate) fn push(&mut self, pushed: Pushed, now_ms: u64) -> String {
        self.requests.retain(|p| p.expires_ms > now_ms);
        let uri = format!("{REQUEST_URI_PREFIX}{}", random_token());
        self.requests.insert(fingerprint(&uri), pushed);
        uri
    }

    /// Takes the request `uri` for `client_id`: it can be used once, before it expires,
    /// by the client that pushed it. A request named by another client stays usable by its
    /// own.
    pub(crate) fn take(
        &mut self,
        uri: &str,
        client_id: &str,
        now_ms: u64,
    ) -> Result<Pushed, Refused> {
        let key = fingerprint(uri);
        let pushed = self.requests.get(&key).ok_or(Refused::Unknown)?;
        if pushed.expires_ms <= now_ms {
            self.requests.remove(&key);
            return Err(Refused::Unknown);
        }
        if pushed.client_id != client_id {
            return Err(Refused::OtherClient);
        }
        self.requests.remove(&key).ok_or(Refused::Unknown)
    }

    /// How many pushed requests are held.
    pub(crate) fn len(&self) -> usize {
        self.requests.len()
    }
}

/// The parameters that authenticate the client, never part of the stored request.
const CREDENTIALS: [&str; 3] = ["client_secret", "client_assertion", "client_assertion_type"];

/// `POST /par` (RFC 9126 §2).
pub(crate) fn push(app: &App, req: &Req) -> Resp {
    binding::with_nonce(app, push_answer(app, req))
}

fn push_answer(app: &App, req: &Req) -> Resp {
    if req.body.len() > MAX_KEPT_REQUEST {
        return err("invalid_request", "the request is larger than 8 KiB");
    }
    let form = match form(req) {
        Ok(f) => f,
        Err(r) => return r,
    };
    let proof = match binding::proof(app, req) {
        Ok(p) => p,
        Err(r) => return r,
    };
    let auth = match authenticate(app, req, &form) {
        Ok(a) => a,
        Err(r) => return r,
    };
    let client = auth.client;
    if form.has("request_uri") {
        // RFC 9126 §2.1: a pushed request cannot itself name a pushed request.
        return err("invalid_request", "request_uri cannot be pushed");
    }
    if form.get("client_id").is_some_and(|id| id != client.id) {
        return err(
            "invalid_request",
            "client_id differs from the authenticated client",
        );
    }
    let mut jkt = form.get("dpop_jkt").map(str::to_owned);
    if let Some(p) = &proof {
        if jkt.as_ref().is_some_and(|j| *j != p.jkt) {
            // RFC 9449 §10.1: both present, they must agree.
            return err(
                "invalid_dpop_proof",
                "dpop_jkt differs from the DPoP proof's key",
            );
        }
        if let Err(r) = binding::spend(app, p) {
            return r;
        }
        jkt = Some(p.jkt.clone());
    }
    let mut request = url::form_urlencoded::Serializer::new(String::new());
    request.append_pair("client_id", &client.id);
    let mut params: Vec<(&str, &str)> = form
        .iter()
        .filter(|(k, _)| !CREDENTIALS.contains(k) && !matches!(*k, "client_id" | "dpop_jkt"))
        .collect();
    params.sort_unstable();
    request.extend_pairs(params);
    if let Some(j) = &jkt {
        request.append_pair("dpop_jkt", j);
    }
    let raw = request.finish().into_bytes();
    match AuthorizationRequest::parse(&Directory::of(app, req.peer), &raw) {
        Ok(_) => {}
        Err(Refusal::Page { message, .. }) => return err("invalid_request", &message),
        Err(Refusal::Redirect {
            error, description, ..
        }) => return err(error, &description),
    }
    let now = app.now_ms();
    let ttl = ms(app.cfg.par_ttl);
    let uri = app.store().pushed.push(
        Pushed {
            client_id: client.id.clone(),
            raw,
            expires_ms: now + ttl,
        },
        now,
    );
    Resp::json(
        201,
        &json!({"request_uri": uri, "expires_in": app.cfg.par_ttl.as_secs()}),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pushed(client: &str, expires_ms: u64) -> Pushed {
        Pushed {
            client_id: client.into(),
            raw: b"response_type=code&scope=openid".to_vec(),
            expires_ms,
        }
    }

    #[test]
    fn a_request_uri_is_used_once_by_its_client_before_it_expires() {
        let mut store = PushedRequests::default();
        let uri = store.push(pushed("app", 61_000), 1_000);
        assert!(uri.starts_with(REQUEST_URI_PREFIX));
        assert!(uri.len() > REQUEST_URI_PREFIX.len() + 40);
        assert_eq!(
            store.take(&uri, "other", 2_000).unwrap_err(),
            Refused::OtherClient
        );
        let p = store.take(&uri, "app", 2_000).unwrap();
        assert_eq!(p.raw, b"response_type=code&scope=openid");
        assert_eq!(
            store.take(&uri, "app", 2_000).unwrap_err(),
            Refused::Unknown
        );

        let late = store.push(pushed("app", 61_000), 1_000);
        assert_eq!(
            store.take(&late, "app", 61_000).unwrap_err(),
            Refused::Unknown
        );
        assert_eq!(store.len(), 0);
        assert_eq!(
            store
                .take("urn:ietf:params:oauth:request_uri:made-up", "app", 0)
                .unwrap_err(),
            Refused::Unknown
        );
    }

    #[test]
    fn the_store_is_capped() {
        let mut store = PushedRequests::default();
        let first = store.push(pushed("app", u64::MAX), 0);
        for _ in 0..MAX_PUSHED {
            store.push(pushed("app", u64::MAX), 0);
        }
        assert_eq!(store.len(), MAX_PUSHED);
        assert_eq!(store.take(&first, "app", 1).unwrap_err(), Refused::Unknown);
    }
}
