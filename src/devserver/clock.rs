//! The dev server's settable clock (docs/serve.md, "The settable clock"): the real time
//! shifted by an offset that `serve --clock-offset` sets at start and the admin endpoint
//! (`/admin/clock`) changes while the server runs, so that an application can test expiry
//! without waiting. One clock for the whole server, tenants included: every protocol time
//! (token `iat`, `nbf`, `exp` and `auth_time`; code, device code, refresh token and pushed
//! request expiry; the DPoP and client assertion time windows; introspection; the `Date`
//! header) is read from it.
//!
//! Rate-limit buckets and the caches of fetched documents and client keys are not protocol
//! time: they keep the real time ([`super::state::now_ms`]), so that moving the clock back
//! cannot lock a client out for as long as the jump. Certificates (`--tls`) are checked
//! against the real time too: the development CA makes them with it.

use std::sync::atomic::{AtomicI64, Ordering};

use crate::text::duration::MAX_SIGNED_SECS;

/// The real time plus an offset in seconds (negative: the past).
#[derive(Debug, Default)]
pub(crate) struct ServerClock {
    offset_s: AtomicI64,
}

impl ServerClock {
    /// A clock `offset_s` seconds from the real time (bounded to about 100 years).
    pub(crate) fn new(offset_s: i64) -> Self {
        Self {
            offset_s: AtomicI64::new(offset_s.clamp(-MAX_SIGNED_SECS, MAX_SIGNED_SECS)),
        }
    }

    /// The offset from the real time, in seconds.
    pub(crate) fn offset_s(&self) -> i64 {
        self.offset_s.load(Ordering::SeqCst)
    }

    /// Sets the offset (bounded to about 100 years either way).
    pub(crate) fn set_offset_s(&self, offset_s: i64) {
        self.offset_s.store(
            offset_s.clamp(-MAX_SIGNED_SECS, MAX_SIGNED_SECS),
            Ordering::SeqCst,
        );
    }

    /// Moves the clock by `by_s` seconds (negative: back); returns the new offset.
    pub(crate) fn advance_s(&self, by_s: i64) -> i64 {
        let bounded = |o: i64| {
            o.saturating_add(by_s)
                .clamp(-MAX_SIGNED_SECS, MAX_SIGNED_SECS)
        };
        let before = self
            .offset_s
            .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |o| Some(bounded(o)))
            .unwrap_or_else(|o| o);
        bounded(before)
    }

    /// The server's now, in milliseconds since the Unix epoch (never before the epoch).
    pub(crate) fn now_ms(&self) -> u64 {
        shifted(super::state::now_ms(), self.offset_s())
    }
}

/// `real_ms` moved by `offset_s` seconds, saturating at the epoch and at `u64::MAX`.
fn shifted(real_ms: u64, offset_s: i64) -> u64 {
    let by = offset_s.unsigned_abs().saturating_mul(1000);
    if offset_s < 0 {
        real_ms.saturating_sub(by)
    } else {
        real_ms.saturating_add(by)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_clock_is_the_real_time_shifted_by_its_offset() {
        let clock = ServerClock::new(-3600);
        let real = super::super::state::now_ms();
        let now = clock.now_ms();
        assert!(now + 3_600_000 >= real && now + 3_600_000 <= real + 5_000);
        assert_eq!(clock.advance_s(900), -2700);
        assert_eq!(clock.offset_s(), -2700);
        clock.set_offset_s(60);
        assert_eq!(clock.offset_s(), 60);
        assert!(clock.now_ms() >= real + 60_000);
    }

    #[test]
    fn offsets_are_bounded_and_never_reach_before_the_epoch() {
        let clock = ServerClock::new(i64::MIN);
        assert_eq!(clock.offset_s(), -MAX_SIGNED_SECS);
        assert_eq!(clock.advance_s(i64::MAX), MAX_SIGNED_SECS);
        assert_eq!(shifted(5_000, -10), 0);
        assert_eq!(shifted(u64::MAX - 1, 10), u64::MAX);
        assert_eq!(shifted(5_000, 2), 7_000);
    }
}
