//! Time as a seam: commands ask a [`Clock`] for "now" so expiry maths is testable.

use std::time::{SystemTime, UNIX_EPOCH};

/// Seconds since the Unix epoch, from some source.
pub trait Clock: Send + Sync {
    /// Now, in whole seconds since the epoch.
    fn now(&self) -> i64;
}

/// The system clock.
#[derive(Debug, Clone, Copy, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> i64 {
        SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
    }
}

/// A clock that always says the same time (tests: expiry without waiting).
#[cfg(any(test, feature = "testing"))]
#[derive(Debug, Clone, Copy)]
pub struct FixedClock(pub i64);

#[cfg(any(test, feature = "testing"))]
impl Clock for FixedClock {
    fn now(&self) -> i64 {
        self.0
    }
}
