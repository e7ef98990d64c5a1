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

use std::borrow::Borrow;
use std::collections::{HashMap, VecDeque};
use std::hash::Hash;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use super::denylist::Denylist;
use super::par::PushedRequests;
use super::replay::ReplayCache;
use super::wire::random_bytes;
use crate::oauth::secret::{Nonce, State};

/// The real time, in milliseconds since the Unix epoch: for rate-limit buckets and caches
/// only. Protocol times come from the settable clock, [`super::App::now_ms`].
pub(crate) fn now_ms() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX))
}

/// `d` in milliseconds, saturating.
pub(crate) fn ms(d: Duration) -> u64 {
    u64::try_from(d.as_millis()).unwrap_or(u64::MAX)
}

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

/// A token bucket: `capacity` requests, refilled at `capacity` per minute.
#[derive(Debug, Clone)]
pub(crate) struct Bucket {
    tokens: f64,
    last_ms: u64,
}

impl Bucket {
    /// Takes one request from the bucket; `Err(seconds)` says when to retry.
    pub(crate) fn take(&mut self, per_minute: u32, now: u64) -> Result<(), u64> {
        let cap = f64::from(per_minute);
        #[allow(clippy::cast_precision_loss)]
        let elapsed = now.saturating_sub(self.last_ms) as f64;
        self.tokens = (self.tokens + elapsed * cap / 60_000.0).min(cap);
        self.last_ms = now;
        if self.tokens >= 1.0 {
            self.tokens -= 1.0;
            Ok(())
        } else {
            let wait_s = (1.0 - self.tokens) * 60.0 / cap;
            #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
            Err(wait_s.ceil().max(1.0) as u64)
        }
    }

    /// A full bucket.
    pub(crate) fn full(per_minute: u32, now: u64) -> Self {
        Self {
            tokens: f64::from(per_minute),
            last_ms: now,
        }
    }

    /// Returns one request taken by [`Bucket::take`] (it turned out not to count).
    pub(crate) fn give_back(&mut self, per_minute: u32) {
        self.tokens = (self.tokens + 1.0).min(f64::from(per_minute));
    }

    /// Whether the bucket has refilled completely by `now` (it then says nothing that a
    /// new bucket would not).
    fn is_full(&self, per_minute: u32, now: u64) -> bool {
        let cap = f64::from(per_minute);
        #[allow(clippy::cast_precision_loss)]
        let elapsed = now.saturating_sub(self.last_ms) as f64;
        self.tokens + elapsed * cap / 60_000.0 >= cap
    }
}

/// Most buckets kept per map; beyond it, refilled buckets are dropped first.
const MAX_BUCKETS: usize = 10_000;

/// The bucket for `key` in `map`, created full. The map stays bounded: when it reaches
/// [`MAX_BUCKETS`], buckets that have refilled are dropped (they hold no information), and
/// if that is not enough, all are.
pub(crate) fn bucket<K: Hash + Eq>(
    map: &mut HashMap<K, Bucket>,
    key: K,
    per_minute: u32,
    now: u64,
) -> &mut Bucket {
    if map.len() >= MAX_BUCKETS && !map.contains_key(&key) {
        map.retain(|_, b| !b.is_full(per_minute, now));
        if map.len() >= MAX_BUCKETS {
            map.clear();
        }
    }
    map.entry(key)
        .or_insert_with(|| Bucket::full(per_minute, now))
}

/// The source a request is counted for: its IPv4 address (also when it arrives
/// IPv4-mapped), or the /64 prefix of its IPv6 address, which one host usually holds whole.
pub(crate) fn source(peer: Option<IpAddr>) -> IpAddr {
    match peer.map(|ip| ip.to_canonical()) {
        Some(IpAddr::V6(v6)) => {
            let prefix = u128::from(v6) & !(u128::from(u64::MAX));
            IpAddr::V6(Ipv6Addr::from(prefix))
        }
        Some(v4) => v4,
        None => IpAddr::V4(Ipv4Addr::UNSPECIFIED),
    }
}

/// Most pending authorization requests, authorization codes and device authorizations
/// kept at once (each kind), the oldest dropped first. Each request that creates one is at
/// most 8 KiB (`authorization_request::MAX_KEPT_REQUEST`), so each kind stays under about 8 MiB.
pub(crate) const MAX_PENDING: usize = 1024;

/// A map that keeps at most `CAP` entries: inserting one more drops the oldest insertion.
/// Keys are secret-derived strings (fingerprints) unless `K` says otherwise.
#[derive(Debug)]
pub(crate) struct Bounded<V, const CAP: usize, K = String> {
    map: HashMap<K, V>,
    /// Keys in insertion order; may also hold keys removed since, skipped when evicting.
    order: VecDeque<K>,
}

impl<V, const CAP: usize, K> Default for Bounded<V, CAP, K> {
    fn default() -> Self {
        Self {
            map: HashMap::new(),
            order: VecDeque::new(),
        }
    }
}

impl<V, const CAP: usize, K: Hash + Eq + Clone> Bounded<V, CAP, K> {
    /// Inserts `value`; returns the entries dropped to make room, oldest first.
    pub(crate) fn insert(&mut self, key: K, value: V) -> Vec<V> {
        let mut dropped = Vec::new();
        while self.map.len() >= CAP && !self.map.contains_key(&key) {
            let Some(oldest) = self.order.pop_front() else {
                break;
            };
            dropped.extend(self.map.remove(&oldest));
        }
        self.order.push_back(key.clone());
        self.map.insert(key, value);
        if self.order.len() > 2 * CAP {
            let map = &self.map;
            self.order.retain(|k| map.contains_key(k));
        }
        dropped
    }

    pub(crate) fn get<Q: Hash + Eq + ?Sized>(&self, key: &Q) -> Option<&V>
    where
        K: Borrow<Q>,
    {
        self.map.get(key)
    }

    pub(crate) fn get_mut<Q: Hash + Eq + ?Sized>(&mut self, key: &Q) -> Option<&mut V>
    where
        K: Borrow<Q>,
    {
        self.map.get_mut(key)
    }

    pub(crate) fn contains_key<Q: Hash + Eq + ?Sized>(&self, key: &Q) -> bool
    where
        K: Borrow<Q>,
    {
        self.map.contains_key(key)
    }

    pub(crate) fn remove<Q: Hash + Eq + ?Sized>(&mut self, key: &Q) -> Option<V>
    where
        K: Borrow<Q>,
    {
        self.map.remove(key)
    }

    /// The entries, in no particular order.
    pub(crate) fn iter(&self) -> impl Iterator<Item = (&K, &V)> {
        self.map.iter()
    }

    /// The values, to change in place.
    pub(crate) fn values_mut(&mut self) -> impl Iterator<Item = &mut V> {
        self.map.values_mut()
    }

    /// Keeps the entries for which `keep` is true.
    pub(crate) fn retain(&mut self, mut keep: impl FnMut(&V) -> bool) {
        self.map.retain(|_, v| keep(v));
        let map = &self.map;
        self.order.retain(|k| map.contains_key(k));
    }

    pub(crate) fn len(&self) -> usize {
        self.map.len()
    }
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

    #[test]
    fn bounded_maps_drop_the_oldest_entry() {
        let mut m: Bounded<u32, 3> = Bounded::default();
        for i in 0..3 {
            assert!(m.insert(format!("k{i}"), i).is_empty());
        }
        assert_eq!(m.insert("k3".into(), 3), vec![0]);
        assert!(m.get("k0").is_none() && m.get("k3") == Some(&3));
        // A removed entry frees its place; the next eviction skips it.
        assert_eq!(m.remove("k1"), Some(1));
        assert!(m.insert("k4".into(), 4).is_empty());
        assert_eq!(m.insert("k5".into(), 5), vec![2]);
        assert_eq!(m.len(), 3);
        // Replacing a key evicts nothing.
        assert!(m.insert("k5".into(), 50).is_empty());
        for i in 6..1000 {
            m.insert(format!("k{i}"), i);
            assert_eq!(m.len(), 3);
            assert!(m.order.len() <= 6);
        }
        m.retain(|v| *v != 998);
        assert_eq!(m.len(), 2);
        assert_eq!(m.order.len(), 2);
    }

    #[test]
    fn buckets_limit_and_refill() {
        let mut b = Bucket::full(2, 0);
        assert!(b.take(2, 0).is_ok());
        assert!(b.take(2, 0).is_ok());
        assert_eq!(b.take(2, 0), Err(30));
        assert!(b.take(2, 30_000).is_ok());
        b.give_back(2);
        assert!(b.take(2, 30_000).is_ok());
        assert!(!b.is_full(2, 30_000) && b.is_full(2, 90_000));
    }

    #[test]
    fn bucket_maps_stay_bounded() {
        let mut map: HashMap<u32, Bucket> = HashMap::new();
        for k in 1..u32::try_from(MAX_BUCKETS).unwrap() {
            let _ = bucket(&mut map, k, 5, 0).take(5, 0);
        }
        for _ in 0..5 {
            let _ = bucket(&mut map, 0, 5, 50_000).take(5, 50_000);
        }
        assert_eq!(map.len(), MAX_BUCKETS);
        // A minute later the others have refilled and go; the drained one stays.
        let _ = bucket(&mut map, u32::MAX, 5, 60_000).take(5, 60_000);
        assert_eq!(map.len(), 2);
        assert!(map.contains_key(&0) && map.contains_key(&u32::MAX));
        // When nothing has refilled, the map is emptied rather than grown.
        for k in 1..u32::try_from(MAX_BUCKETS).unwrap() - 1 {
            let _ = bucket(&mut map, k, 5, 60_000).take(5, 60_000);
        }
        assert_eq!(map.len(), MAX_BUCKETS);
        let _ = bucket(&mut map, u32::MAX - 1, 5, 60_000);
        assert_eq!(map.len(), 1);
    }

    #[test]
    fn sources_are_addresses_and_ipv6_prefixes() {
        let ip = |s: &str| Some(s.parse::<IpAddr>().unwrap());
        assert_eq!(source(ip("127.0.0.2")), ip("127.0.0.2").unwrap());
        assert_eq!(source(ip("::ffff:10.0.0.1")), ip("10.0.0.1").unwrap());
        assert_eq!(
            source(ip("2001:db8:1:2:aaaa::1")),
            source(ip("2001:db8:1:2:bbbb::9"))
        );
        assert_ne!(source(ip("2001:db8:1:2::1")), source(ip("2001:db8:1:3::1")));
        assert_eq!(source(None), ip("0.0.0.0").unwrap());
    }
}
