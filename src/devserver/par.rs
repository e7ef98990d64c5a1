//! Pushed authorization requests (RFC 9126): the store of pushed requests, each under a
//! fresh `request_uri` (`urn:ietf:params:oauth:request_uri:` and 256 random bits), valid
//! for [`PAR_TTL_S`] seconds and for one authorization request, bound to the client that
//! pushed it. At most [`MAX_PUSHED`] are kept; beyond that the oldest is dropped.

use super::state::{Bounded, MAX_PENDING};
use super::wire::{Params, fingerprint, random_token};

/// The prefix of every `request_uri` (RFC 9126 §2.2).
pub(crate) const REQUEST_URI_PREFIX: &str = "urn:ietf:params:oauth:request_uri:";

/// How long a `request_uri` is valid, in seconds (`expires_in`).
pub(crate) const PAR_TTL_S: u64 = 60;

/// Most pushed requests kept at once.
pub(crate) const MAX_PUSHED: usize = MAX_PENDING;

/// A pushed authorization request.
#[derive(Debug, Clone)]
pub(crate) struct Pushed {
    /// The client that pushed it (authenticated).
    pub client_id: String,
    /// The authorization request's parameters as pushed.
    pub params: Params,
    /// The thumbprint of the DPoP key that signed the push (RFC 9449 §10.1), if any.
    pub dpop_jkt: Option<String>,
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

#[cfg(test)]
mod tests {
    use super::*;

    fn pushed(client: &str, expires_ms: u64) -> Pushed {
        Pushed {
            client_id: client.into(),
            params: Params::parse(b"response_type=code&scope=openid").unwrap(),
            dpop_jkt: None,
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
        assert_eq!(p.params.get("scope"), Some("openid"));
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
