//! A bounded replay cache: remembers single-use identifiers (a DPoP proof's `jti` with its
//! key, RFC 9449 §11.1; a client assertion's `jti`, RFC 7523 §3 item 7) until the moment
//! after which the value would be refused anyway (the proof's `iat` window, the assertion's
//! `exp`).
//!
//! It never holds more than its capacity. Entries whose time has passed are dropped first;
//! when the cache is still full, the oldest entry is dropped and its expiry becomes a
//! watermark: from then on anything that would expire at or before the watermark is refused
//! as [`Refusal::TooOld`]. So dropping an entry never lets its replay through: a flood of
//! fresh values can make a client resend a proof with a fresher `iat`, never accept a used
//! one twice.
//!
//! Keys are stored as SHA-256 fingerprints, so an attacker-chosen identifier costs a fixed
//! amount of memory. Pure: the caller passes `now`.

use std::collections::{HashMap, VecDeque};

use super::wire::fingerprint;

/// Why a value was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Refusal {
    /// It was seen before and is still within its lifetime.
    Replayed,
    /// The cache had to forget values that expire at or after this one's expiry, so it can
    /// no longer tell whether this one is new.
    TooOld,
}

/// The capacity of the server's replay caches (DPoP proofs, client assertions): each
/// entry is a 43-byte fingerprint and an expiry, so a full cache holds a few MiB.
pub(crate) const MAX_REPLAY: usize = 65_536;

/// Remembers identifiers until they expire; at most `cap` at once.
#[derive(Debug)]
pub(crate) struct ReplayCache {
    /// Fingerprint → expiry (Unix seconds).
    seen: HashMap<String, u64>,
    /// Fingerprints with their expiry in insertion order (may hold entries removed since).
    order: VecDeque<(String, u64)>,
    cap: usize,
    /// Values expiring at or before this are refused (see the module documentation).
    watermark: u64,
}

impl Default for ReplayCache {
    /// An empty cache of [`MAX_REPLAY`] entries.
    fn default() -> Self {
        Self::new(MAX_REPLAY)
    }
}

impl ReplayCache {
    /// An empty cache holding at most `cap` identifiers (at least one).
    pub(crate) fn new(cap: usize) -> Self {
        Self {
            seen: HashMap::new(),
            order: VecDeque::new(),
            cap: cap.max(1),
            watermark: 0,
        }
    }

    /// Records `id` as used until `expires` (Unix seconds). `Err` when it was used already
    /// or the cache can no longer tell.
    pub(crate) fn use_once(&mut self, id: &str, expires: u64, now: u64) -> Result<(), Refusal> {
        self.drop_expired_front(now);
        let key = fingerprint(id);
        if self.seen.get(&key).is_some_and(|&exp| exp > now) {
            return Err(Refusal::Replayed);
        }
        if expires <= self.watermark {
            return Err(Refusal::TooOld);
        }
        if self.seen.len() >= self.cap && !self.seen.contains_key(&key) {
            self.seen.retain(|_, exp| *exp > now);
            while self.seen.len() >= self.cap {
                let Some((old, exp)) = self.order.pop_front() else {
                    break;
                };
                if self.seen.get(&old) == Some(&exp) {
                    self.seen.remove(&old);
                    self.watermark = self.watermark.max(exp);
                }
            }
            if expires <= self.watermark {
                return Err(Refusal::TooOld);
            }
        }
        self.seen.insert(key.clone(), expires);
        self.order.push_back((key, expires));
        if self.order.len() > 2 * self.cap {
            let seen = &self.seen;
            self.order.retain(|(k, exp)| seen.get(k) == Some(exp));
        }
        Ok(())
    }

    /// Drops expired entries at the front of the insertion order (most values expire in
    /// the order they arrive).
    fn drop_expired_front(&mut self, now: u64) {
        while let Some((key, exp)) = self.order.front() {
            if *exp > now {
                break;
            }
            if self.seen.get(key) == Some(exp) {
                self.seen.remove(key);
            }
            self.order.pop_front();
        }
    }

    /// How many identifiers are remembered.
    pub(crate) fn len(&self) -> usize {
        self.seen.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_value_is_accepted_once_within_its_lifetime() {
        let mut c = ReplayCache::new(10);
        assert_eq!(c.use_once("a", 160, 100), Ok(()));
        assert_eq!(c.use_once("a", 160, 101), Err(Refusal::Replayed));
        assert_eq!(c.use_once("b", 160, 101), Ok(()));
        // After its expiry it is forgotten (the caller refuses such a value for its age).
        assert_eq!(c.use_once("c", 300, 200), Ok(()));
        assert_eq!(c.len(), 1);
        assert_eq!(c.use_once("a", 300, 200), Ok(()));
    }

    #[test]
    fn a_full_cache_never_lets_a_replay_through() {
        let mut c = ReplayCache::new(3);
        for (i, id) in ["a", "b", "c"].iter().enumerate() {
            c.use_once(id, 160 + i as u64, 100).unwrap();
        }
        // Full of live entries: the oldest ("a", expiring at 160) is dropped.
        assert_eq!(c.use_once("d", 170, 100), Ok(()));
        assert_eq!(c.len(), 3);
        // "a" is no longer remembered, but it cannot come back: it expires at the watermark.
        assert_eq!(c.use_once("a", 160, 101), Err(Refusal::TooOld));
        assert_eq!(c.use_once("b", 161, 101), Err(Refusal::Replayed));
        assert_eq!(c.use_once("d", 170, 101), Err(Refusal::Replayed));
        // A fresher value is still accepted.
        assert_eq!(c.use_once("e", 171, 101), Ok(()));
        assert!(c.len() <= 3);
    }

    #[test]
    fn expired_entries_make_room_before_anything_is_dropped() {
        let mut c = ReplayCache::new(2);
        c.use_once("a", 110, 100).unwrap();
        c.use_once("b", 200, 100).unwrap();
        assert_eq!(c.use_once("c", 200, 150), Ok(()));
        assert_eq!(c.watermark, 0);
        assert_eq!(c.use_once("b", 200, 150), Err(Refusal::Replayed));
    }

    #[test]
    fn memory_stays_bounded_under_a_flood() {
        let mut c = ReplayCache::new(100);
        for i in 0..10_000u64 {
            let _ = c.use_once(&format!("id-{i}"), 1_000 + i, 500);
        }
        assert!(c.len() <= 100);
        assert!(c.order.len() <= 200);
    }
}
