//! Revocations of self-contained access tokens: a denylist that remembers a revoked
//! token's `jti` (or a revoked grant's id) until the moment after which the token would be
//! refused anyway because it expired, and forgets it then.
//!
//! It never holds more than its capacity, and it never forgets an entry early: dropping one
//! before its time would make a revoked token valid again. When it is full of live
//! entries, [`Denylist::insert`] refuses and says when the earliest entry ends, so the
//! caller can refuse the revocation with a `Retry-After` (RFC 7009 §2.2.1: the client must
//! then assume the token still exists). [`Denylist::insert_beyond_cap`] is for revocations
//! that cannot be refused (a replayed code, a reused refresh token); the caller bounds those
//! by other means (docs/serve.md, "Memory").
//!
//! Pure: the caller passes `now` (Unix seconds).

use std::collections::HashMap;
use std::hash::Hash;

/// Keys (a `jti`, a grant id) until the Unix second after which they no longer matter; at
/// most `CAP` of them at once, except through [`Denylist::insert_beyond_cap`].
#[derive(Debug)]
pub(crate) struct Denylist<K, const CAP: usize> {
    until: HashMap<K, u64>,
    /// No entry ends before this (`u64::MAX` when empty), so pruning can skip the scan until
    /// then.
    floor: u64,
}

impl<K, const CAP: usize> Default for Denylist<K, CAP> {
    fn default() -> Self {
        Self {
            until: HashMap::new(),
            floor: u64::MAX,
        }
    }
}

impl<K: Hash + Eq, const CAP: usize> Denylist<K, CAP> {
    /// Whether `key` is on the list and its time has not passed.
    pub(crate) fn contains(&self, key: &K, now: u64) -> bool {
        self.until.get(key).is_some_and(|&until| until > now)
    }

    /// Puts `key` on the list until `until`. Nothing is kept for a time already past.
    /// `Err(seconds)` when the list is full of live entries: the earliest of them ends in
    /// that many seconds.
    pub(crate) fn insert(&mut self, key: K, until: u64, now: u64) -> Result<(), u64> {
        if until <= now {
            return Ok(());
        }
        if self.until.len() >= CAP && !self.until.contains_key(&key) {
            self.prune(now);
            if self.until.len() >= CAP {
                return Err(self.floor.saturating_sub(now).max(1));
            }
        }
        self.put(key, until);
        Ok(())
    }

    /// [`Denylist::insert`] without the cap.
    pub(crate) fn insert_beyond_cap(&mut self, key: K, until: u64, now: u64) {
        if until > now {
            self.prune(now);
            self.put(key, until);
        }
    }

    fn put(&mut self, key: K, until: u64) {
        let entry = self.until.entry(key).or_insert(until);
        *entry = (*entry).max(until);
        self.floor = self.floor.min(until);
    }

    /// Drops the entries whose time has passed.
    pub(crate) fn prune(&mut self, now: u64) {
        if now < self.floor {
            return;
        }
        let mut floor = u64::MAX;
        self.until.retain(|_, &mut until| {
            let keep = until > now;
            if keep {
                floor = floor.min(until);
            }
            keep
        });
        self.floor = floor;
    }

    /// Whether [`Denylist::insert`] of a new key would be refused at `now`.
    pub(crate) fn is_full(&mut self, now: u64) -> bool {
        if self.until.len() >= CAP {
            self.prune(now);
        }
        self.until.len() >= CAP
    }

    pub(crate) fn len(&self) -> usize {
        self.until.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entries_stay_until_their_time_and_go_then() {
        let mut d: Denylist<&str, 10> = Denylist::default();
        d.insert("a", 100, 0).unwrap();
        d.insert("b", 200, 0).unwrap();
        // A time already past is not kept.
        d.insert("c", 50, 60).unwrap();
        assert!(!d.contains(&"c", 60) && d.len() == 2);
        assert!(d.contains(&"a", 99) && !d.contains(&"a", 100));
        d.prune(99);
        assert_eq!(d.len(), 2);
        d.prune(100);
        assert_eq!(d.len(), 1);
        assert!(d.contains(&"b", 150));
        d.prune(200);
        assert_eq!(d.len(), 0);
        assert_eq!(d.floor, u64::MAX);
        // Inserting a key again keeps the later time.
        d.insert("a", 300, 250).unwrap();
        d.insert("a", 280, 250).unwrap();
        assert!(d.contains(&"a", 290));
    }

    #[test]
    fn a_full_list_refuses_rather_than_forgets() {
        let mut d: Denylist<u32, 3> = Denylist::default();
        for k in 0..3 {
            d.insert(k, 100 + u64::from(k), 0).unwrap();
        }
        assert!(d.is_full(10));
        // The earliest entry ends at 100: retry in 90 seconds.
        assert_eq!(d.insert(7, 500, 10), Err(90));
        assert!((0..3).all(|k| d.contains(&k, 10)) && !d.contains(&7, 10));
        // A key already there is not a new entry.
        assert_eq!(d.insert(1, 400, 10), Ok(()));
        // Once the earliest has expired there is room again.
        assert_eq!(d.insert(7, 500, 100), Ok(()));
        assert!(d.contains(&7, 100) && !d.contains(&0, 100) && d.len() == 3);
        // Beyond the cap, for revocations that cannot be refused.
        d.insert_beyond_cap(8, 600, 100);
        assert_eq!(d.len(), 4);
        assert!(d.contains(&8, 599));
    }
}
