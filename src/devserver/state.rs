//! The dev server's in-memory state (nothing is persisted but the signing key, and that
//! only when asked): pending authorization requests, codes, grants ("families") with their
//! refresh tokens, the revocations of access tokens, device authorizations, rate-limit
//! buckets and the demo API's items. Access tokens are not kept: they are self-contained
//! JWTs (`super::access`), so issuing them costs no memory.
//!
//! Secret values (codes, refresh tokens, device codes) are stored under their SHA-256
//! fingerprint, never in the clear.
//!
//! Every kind of record is capped. Whatever a request can create without signing a user in
//! (pending authorization requests, and the codes and device authorizations that can follow)
//! is kept in a [`Bounded`] map: at most [`MAX_PENDING`] entries each, the oldest dropped
//! first, so a flood of unauthenticated requests costs a bounded amount of memory. Grants,
//! refresh tokens and ID tokens are bounded the same way; revocations are kept in a
//! [`Denylist`], which refuses rather than forgets (docs/serve.md, "Memory").

use std::collections::HashMap;
use std::net::IpAddr;

pub(crate) use super::capped::{Bounded, Bucket, MAX_PENDING, bucket, ms, now_ms, source};
use super::denylist::Denylist;
use super::par::PushedRequests;
use super::replay::ReplayCache;
use super::wire::random_bytes;
use crate::oauth::secret::{Nonce, State};

/// A validated authorization request waiting for login and consent.
#[derive(Debug, Clone)]
pub(crate) struct PendingAuth {
    pub client_id: String,
    pub redirect_uri: String,
    pub scope: Vec<String>,
    pub state: Option<State>,
    pub nonce: Option<Nonce>,
    pub code_challenge: Option<String>,
    pub audience: Option<String>,
    pub csrf: String,
    /// Set once the user has signed in.
    pub user: Option<String>,
    pub auth_time: Option<u64>,
    pub expires_ms: u64,
    /// The DPoP key the code is bound to (`dpop_jkt`, or the proof of a pushed request;
    /// RFC 9449 §10).
    pub dpop_jkt: Option<String>,
}

/// An issued authorization code.
#[derive(Debug, Clone)]
pub(crate) struct CodeRecord {
    pub client_id: String,
    pub redirect_uri: String,
    pub scope: Vec<String>,
    pub nonce: Option<Nonce>,
    pub code_challenge: Option<String>,
    pub audience: Option<String>,
    pub user: String,
    pub auth_time: u64,
    pub expires_ms: u64,
    /// Whether a redemption was attempted (codes are single use).
    pub used: bool,
    /// The grant created when the code was redeemed (a replay revokes it, RFC 6749 §4.1.2).
    pub family: Option<u64>,
    /// The DPoP key redeeming the code needs a proof by (RFC 9449 §10).
    pub dpop_jkt: Option<String>,
}

/// A grant: everything issued from one authorization (code or device) shares it, so
/// reuse detection can revoke the whole family (RFC 9700 §4.14.2).
#[derive(Debug, Clone)]
pub(crate) struct Family {
    pub client_id: String,
    pub user: String,
    pub scope: Vec<String>,
    pub audience: Option<String>,
    pub auth_time: u64,
    pub revoked: bool,
    /// Until when it is kept (Unix milliseconds): the expiry of its latest refresh token.
    pub expires_ms: u64,
    /// The DPoP key a public client's refresh tokens are bound to (RFC 9449 §5): every
    /// refresh needs a proof by it.
    pub jkt: Option<String>,
}

/// A refresh token.
#[derive(Debug, Clone)]
pub(crate) struct RefreshRecord {
    pub family: u64,
    pub expires_ms: u64,
    pub issued_s: u64,
    /// When it was exchanged for a successor (single use).
    pub rotated_ms: Option<u64>,
    pub revoked: bool,
}

/// An issued ID token (or a JWT a token exchange issued), kept under its fingerprint until
/// it expires, so that a token exchange can tell that this server issued it, what it
/// covers, and that its grant still stands.
#[derive(Debug, Clone)]
pub(crate) struct IdTokenRecord {
    /// The grant it came from, if any: revoking that grant revokes the ID token too.
    pub family: Option<u64>,
    /// The scope of the grant it came with.
    pub scope: Vec<String>,
    /// Who acts for its subject (RFC 8693 §4.1), for one a delegation issued.
    pub act: Option<serde_json::Value>,
    pub exp: u64,
}

/// How a device authorization stands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum DeviceStatus {
    Pending,
    Approved {
        user: String,
        auth_time: u64,
    },
    Denied,
    /// Tokens were issued; the device code is spent.
    Done,
}

/// A device authorization (RFC 8628).
#[derive(Debug, Clone)]
pub(crate) struct DeviceRecord {
    pub client_id: String,
    pub scope: Vec<String>,
    pub audience: Option<String>,
    pub user_code: String,
    pub expires_ms: u64,
    pub interval_ms: u64,
    pub last_poll_ms: Option<u64>,
    /// Polls answered so far by `--misbehave device-slow-down`.
    pub polls: u32,
    pub status: DeviceStatus,
    pub csrf: String,
}

/// Most grants kept (each from a sign-in: a code or device login), the oldest dropped
/// first; see docs/serve.md, "Memory".
pub(crate) const MAX_GRANTS: usize = 10_000;

/// Most refresh tokens kept (rotated ones included, for reuse detection), the oldest
/// dropped first.
pub(crate) const MAX_REFRESH: usize = 50_000;

/// Most ID tokens (and JWTs from a token exchange) kept for token exchange, the oldest
/// dropped first.
pub(crate) const MAX_ID_TOKENS: usize = 10_000;

/// Most revoked access tokens (`jti`s) remembered at once; a revocation beyond is refused
/// with `503` until the earliest of them expires.
pub(crate) const MAX_REVOKED_TOKENS: usize = 100_000;

/// Most revoked grants remembered at once; while the list is full no new grant is
/// created.
pub(crate) const MAX_REVOKED_GRANTS: usize = 10_000;

/// Everything mutable, behind one mutex.
#[derive(Debug, Default)]
pub(crate) struct Store {
    pub pending: Bounded<PendingAuth, MAX_PENDING>,
    pub codes: Bounded<CodeRecord, MAX_PENDING>,
    /// Grants by id, while a refresh token of theirs may still be used.
    pub families: Bounded<Family, MAX_GRANTS, u64>,
    pub refresh: Bounded<RefreshRecord, MAX_REFRESH>,
    /// Issued ID tokens by fingerprint, until they expire.
    pub id_tokens: Bounded<IdTokenRecord, MAX_ID_TOKENS>,
    /// The `jti`s of revoked access tokens, until the tokens expire. Access tokens
    /// themselves are not kept: they are self-contained JWTs.
    pub revoked_tokens: Denylist<String, MAX_REVOKED_TOKENS>,
    /// Revoked grants (the `grant_id` claim of their access tokens), until every access
    /// token issued before the revocation has expired.
    pub revoked_grants: Denylist<u64, MAX_REVOKED_GRANTS>,
    pub devices: Bounded<DeviceRecord, MAX_PENDING>,
    /// Normalized user code → device-code fingerprint.
    pub user_codes: HashMap<String, String>,
    /// Token-endpoint requests of authenticated clients: per client for confidential
    /// clients, per client and source for public ones (whose `client_id` proves nothing).
    pub rate: HashMap<(String, Option<IpAddr>), Bucket>,
    /// Failed client authentications (wrong secrets), per client and source: a separate
    /// budget, so that guessing a secret is limited without spending the client's own.
    pub failures: HashMap<(String, IpAddr), Bucket>,
    pub device_attempts: Option<Bucket>,
    pub items: Vec<serde_json::Value>,
    /// DPoP proofs seen (RFC 9449 §11.1), until their `iat` window has passed.
    pub proofs: ReplayCache,
    /// Client assertions seen (RFC 7523 §3), until they expire.
    pub assertions: ReplayCache,
    /// Pushed authorization requests (RFC 9126).
    pub pushed: PushedRequests,
    inserts: u64,
}

/// Pending requests, codes and device codes beyond this many are pruned first.
const PRUNE_EVERY: u64 = 512;

/// Grant ids stay below 2^53, so that they are exact as JSON numbers everywhere.
const GRANT_ID_BITS: u64 = (1 << 53) - 1;

impl Store {
    /// Records a new grant under a new random id (random, so that the ids of a restarted
    /// server do not repeat earlier ones, whose tokens may still verify with a kept key).
    /// `None` while the revoked-grants list is full (see [`MAX_REVOKED_GRANTS`]).
    pub(crate) fn new_family(&mut self, family: Family, now_s: u64) -> Option<u64> {
        if self.revoked_grants.is_full(now_s) {
            return None;
        }
        let id = loop {
            let mut bytes = [0u8; 8];
            bytes.copy_from_slice(&random_bytes(8));
            let id = u64::from_le_bytes(bytes) & GRANT_ID_BITS;
            if id != 0 && !self.families.contains_key(&id) {
                break id;
            }
        };
        self.families.insert(id, family);
        Some(id)
    }

    /// Revokes a grant: its refresh tokens at once, and its access tokens (by their
    /// `grant_id`) until `access_expiry` (Unix seconds), by when every access token issued
    /// so far has expired. Not refused at the cap: the grants that can be revoked are
    /// bounded by [`Store::new_family`].
    pub(crate) fn revoke_family(&mut self, id: u64, now_s: u64, access_expiry: u64) {
        if let Some(f) = self.families.get_mut(&id) {
            f.revoked = true;
        }
        for r in self.refresh.values_mut().filter(|r| r.family == id) {
            r.revoked = true;
        }
        self.revoked_grants
            .insert_beyond_cap(id, access_expiry, now_s);
    }

    /// Whether the grant `family` was revoked (a grant no longer kept was not).
    pub(crate) fn grant_revoked(&self, family: Option<u64>, now_s: u64) -> bool {
        family.is_some_and(|id| {
            self.revoked_grants.contains(&id, now_s)
                || self.families.get(&id).is_some_and(|f| f.revoked)
        })
    }

    /// Fills both revocation lists to their caps with entries that end at `until`.
    #[cfg(any(test, feature = "testing"))]
    pub(crate) fn fill_revocations(&mut self, until: u64, now_s: u64) {
        let mut i = 0u64;
        while self
            .revoked_tokens
            .insert(format!("filler-{i}"), until, now_s)
            .is_ok()
        {
            i += 1;
        }
        let mut id = u64::MAX;
        while !self.revoked_grants.is_full(now_s) {
            self.revoked_grants.insert_beyond_cap(id, until, now_s);
            id -= 1;
        }
    }

    /// Records a device authorization under its device-code fingerprint, with its user code
    /// (normalized); drops the user codes of device authorizations it displaces.
    pub(crate) fn insert_device(
        &mut self,
        fingerprint: String,
        user_code: String,
        record: DeviceRecord,
    ) {
        self.user_codes.insert(user_code, fingerprint.clone());
        for old in self.devices.insert(fingerprint, record) {
            self.user_codes.remove(&old.user_code.replace('-', ""));
        }
    }

    /// Drops expired records now and then, so memory stays bounded.
    pub(crate) fn maybe_prune(&mut self, now: u64) {
        // The denylists prune at once: that costs nothing before their earliest entry ends.
        self.revoked_tokens.prune(now / 1000);
        self.revoked_grants.prune(now / 1000);
        self.inserts += 1;
        if !self.inserts.is_multiple_of(PRUNE_EVERY) {
            return;
        }
        self.pending.retain(|p| p.expires_ms > now);
        self.codes.retain(|c| c.expires_ms + 600_000 > now);
        let devices = &mut self.devices;
        devices.retain(|d| d.expires_ms + 600_000 > now);
        self.user_codes.retain(|_, fp| devices.contains_key(fp));
        let now_s = now / 1000;
        self.refresh.retain(|r| r.expires_ms > now);
        self.families.retain(|f| f.expires_ms > now);
        self.id_tokens.retain(|t| t.exp > now_s);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn family(expires_ms: u64) -> Family {
        Family {
            client_id: "c".into(),
            user: "alice".into(),
            scope: Vec::new(),
            audience: None,
            auth_time: 0,
            revoked: false,
            expires_ms,
            jkt: None,
        }
    }

    fn refresh(family: u64, expires_ms: u64) -> RefreshRecord {
        RefreshRecord {
            family,
            expires_ms,
            issued_s: 0,
            rotated_ms: None,
            revoked: false,
        }
    }

    fn prune_at(store: &mut Store, now_ms: u64) {
        for _ in 0..PRUNE_EVERY {
            store.maybe_prune(now_ms);
        }
    }

    #[test]
    fn grants_go_with_their_refresh_tokens_and_revocations_with_their_access_tokens() {
        let mut store = Store::default();
        let kept = store.new_family(family(200_000), 0).unwrap();
        let gone = store.new_family(family(100_000), 0).unwrap();
        assert_ne!(kept, gone);
        assert!(kept < 1 << 53 && gone < 1 << 53);
        store
            .refresh
            .insert("rt-kept".into(), refresh(kept, 200_000));
        store
            .refresh
            .insert("rt-gone".into(), refresh(gone, 100_000));
        // Revoking a grant revokes its refresh tokens, and its access tokens until the
        // access-token lifetime has passed (here: second 150).
        store.revoke_family(gone, 10, 150);
        assert!(store.refresh.get("rt-gone").unwrap().revoked);
        assert!(!store.refresh.get("rt-kept").unwrap().revoked);
        assert!(store.grant_revoked(Some(gone), 149) && !store.grant_revoked(Some(kept), 149));
        assert!(!store.grant_revoked(None, 149));
        prune_at(&mut store, 120_000);
        assert!(store.families.get(&gone).is_none() && store.refresh.get("rt-gone").is_none());
        // The grant's record is gone, its revocation is not.
        assert!(store.grant_revoked(Some(gone), 149));
        assert_eq!(store.revoked_grants.len(), 1);
        prune_at(&mut store, 150_000);
        assert_eq!(store.revoked_grants.len(), 0);
        assert!(!store.grant_revoked(Some(gone), 150));
        assert!(store.families.get(&kept).is_some());
    }

    #[test]
    fn new_grants_are_refused_while_the_revoked_grants_list_is_full() {
        let mut store = Store::default();
        for id in 0..MAX_REVOKED_GRANTS as u64 {
            store.revoke_family(id, 0, 100);
        }
        assert!(store.new_family(family(1_000), 50).is_none());
        // Revocations that cannot be refused still count...
        store.revoke_family(u64::MAX, 50, 120);
        assert!(store.grant_revoked(Some(u64::MAX), 60));
        // ...and once the entries expire, grants are created again.
        assert!(store.new_family(family(1_000), 100).is_some());
        assert_eq!(store.revoked_grants.len(), 1);
    }
}
