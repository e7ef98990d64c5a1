//! One deadline for a whole exchange, and a reader it bounds: reqwest's blocking client
//! times each read, so a body trickled byte by byte would otherwise never end.

use std::io::{self, Read};
use std::time::{Duration, Instant};

/// One deadline for a whole exchange, from the moment it is taken.
#[derive(Debug, Clone, Copy)]
pub struct Deadline(Option<Instant>);

impl Deadline {
    /// A deadline `limit` from now (`None`: never).
    pub fn after(limit: Option<Duration>) -> Self {
        Self(limit.map(|l| Instant::now() + l))
    }

    /// The time left (zero once passed), or `None` without a deadline.
    pub fn remaining(self) -> Option<Duration> {
        self.0
            .map(|at| at.saturating_duration_since(Instant::now()))
    }

    /// Whether the deadline has passed.
    pub fn passed(self) -> bool {
        self.0.is_some_and(|at| Instant::now() >= at)
    }

    /// `body`, failing with [`io::ErrorKind::TimedOut`] once the deadline has passed,
    /// however steadily the bytes trickle in.
    pub fn reader<R: Read>(self, body: R) -> DeadlineReader<R> {
        DeadlineReader {
            inner: body,
            deadline: self,
        }
    }
}

/// A reader bounded by a [`Deadline`] (see [`Deadline::reader`]).
#[derive(Debug)]
pub struct DeadlineReader<R> {
    inner: R,
    deadline: Deadline,
}

impl<R: Read> Read for DeadlineReader<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let timed_out = || io::Error::new(io::ErrorKind::TimedOut, "the time limit ran out");
        if self.deadline.passed() {
            return Err(timed_out());
        }
        match self.inner.read(buf) {
            Err(e) if self.deadline.passed() || is_timeout(&e) => Err(timed_out()),
            other => other,
        }
    }
}

/// Whether a body read failed because a reqwest timeout fired.
fn is_timeout(e: &io::Error) -> bool {
    if e.kind() == io::ErrorKind::TimedOut {
        return true;
    }
    let mut source: Option<&(dyn std::error::Error + 'static)> = e.get_ref().map(|i| i as _);
    while let Some(err) = source {
        if err
            .downcast_ref::<reqwest::Error>()
            .is_some_and(reqwest::Error::is_timeout)
        {
            return true;
        }
        source = err.source();
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A reader that gives one byte per call, after a pause: a trickle.
    struct Trickle(Duration);

    impl Read for Trickle {
        fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
            std::thread::sleep(self.0);
            buf[0] = b'x';
            Ok(1)
        }
    }

    #[test]
    fn a_deadline_bounds_a_trickle_however_steady() {
        let started = Instant::now();
        let mut body = Vec::new();
        let err = Deadline::after(Some(Duration::from_millis(200)))
            .reader(Trickle(Duration::from_millis(10)))
            .read_to_end(&mut body)
            .unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::TimedOut);
        assert!(started.elapsed() < Duration::from_secs(1));
        assert!(!body.is_empty());
        // No deadline: reads pass through.
        let mut one = [0u8; 4];
        assert_eq!(
            Deadline::after(None)
                .reader(Trickle(Duration::ZERO))
                .read(&mut one)
                .unwrap(),
            1
        );
        assert_eq!(Deadline::after(None).remaining(), None);
        assert!(!Deadline::after(None).passed());
    }
}
