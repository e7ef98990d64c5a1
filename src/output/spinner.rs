//! A spinner with a countdown on stderr while waiting for the browser or a device approval.
//! Drawn only when stderr is a terminal; cleared when dropped.

use std::io::Write as _;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

/// A running spinner; stops and clears its line on drop.
#[derive(Debug)]
pub(crate) struct Spinner {
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl Spinner {
    /// Starts drawing "Waiting for WHAT… 4m 59s left".
    pub(crate) fn start(what: &str, deadline: Instant) -> Self {
        let stop = Arc::new(AtomicBool::new(false));
        let flag = stop.clone();
        let what = what.to_owned();
        let thread = std::thread::spawn(move || {
            const FRAMES: [char; 10] = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];
            let mut i = 0usize;
            while !flag.load(Ordering::SeqCst) {
                let left = deadline.saturating_duration_since(Instant::now()).as_secs();
                let text = crate::oauth::jwt::short_duration(left);
                let mut err = std::io::stderr().lock();
                let _ = write!(
                    err,
                    "\r{} Waiting for {what}… {text} left (Ctrl-C to cancel)\x1b[K",
                    FRAMES[i % FRAMES.len()]
                );
                let _ = err.flush();
                drop(err);
                i += 1;
                std::thread::sleep(Duration::from_millis(100));
            }
            let mut err = std::io::stderr().lock();
            let _ = write!(err, "\r\x1b[K");
            let _ = err.flush();
        });
        Self {
            stop,
            thread: Some(thread),
        }
    }
}

impl Drop for Spinner {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}
