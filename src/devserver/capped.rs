//! The dev server's bounded building blocks, below its state and its endpoints: the real
//! clock (rate limits and caches only; protocol times come from the settable clock), token
//! buckets for rate limits and the source a request is counted for, and [`Bounded`], the
//! map that keeps at most a fixed number of entries.

use std::borrow::Borrow;
use std::collections::{HashMap, VecDeque};
use std::hash::Hash;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

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

#[cfg(test)]
mod tests {
    use super::*;

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
