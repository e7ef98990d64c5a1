//! A pseudo-terminal, for tests of what `oauthctl` does only on a terminal (paste-back on
//! standard input, the device flow's QR code on standard error): the child gets the
//! terminal side, the test writes and reads the other side.

use std::fs::{File, OpenOptions};
use std::io::{Read as _, Write as _};
use std::os::unix::fs::OpenOptionsExt as _;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use rustix::fs::OFlags;
use rustix::pty::{OpenptFlags, grantpt, openpt, ptsname, unlockpt};

/// A pseudo-terminal pair.
pub struct Pty {
    controller: File,
    terminal: PathBuf,
    output: Arc<Mutex<Vec<u8>>>,
}

impl Pty {
    /// Opens a new pair. What the terminal side writes is collected in the background (a
    /// full buffer would block the child).
    pub fn open() -> Self {
        let fd = openpt(OpenptFlags::RDWR | OpenptFlags::NOCTTY).expect("openpt");
        grantpt(&fd).expect("grantpt");
        unlockpt(&fd).expect("unlockpt");
        let name = ptsname(&fd, Vec::new()).expect("ptsname");
        let terminal = PathBuf::from(name.to_str().expect("a UTF-8 name"));
        let controller = File::from(fd);
        let output: Arc<Mutex<Vec<u8>>> = Arc::default();
        let mut reader = controller.try_clone().expect("clone the controller");
        let sink = output.clone();
        std::thread::spawn(move || {
            let mut buf = [0u8; 4096];
            // Ends with EIO once every terminal-side handle is closed.
            while let Ok(n) = reader.read(&mut buf) {
                if n == 0 {
                    break;
                }
                sink.lock().unwrap().extend_from_slice(&buf[..n]);
            }
        });
        Self {
            controller,
            terminal,
            output,
        }
    }

    /// A new handle on the terminal side, for a child's stdin, stdout or stderr (without
    /// making it the test's controlling terminal).
    pub fn terminal(&self) -> File {
        OpenOptions::new()
            .read(true)
            .write(true)
            .custom_flags(i32::try_from(OFlags::NOCTTY.bits()).unwrap())
            .open(&self.terminal)
            .expect("open the terminal side")
    }

    /// Types `line` and Enter.
    pub fn type_line(&self, line: &str) {
        let mut c = &self.controller;
        c.write_all(line.as_bytes()).unwrap();
        c.write_all(b"\n").unwrap();
        c.flush().unwrap();
    }

    /// Everything the terminal side has shown so far (typed lines echoed, and what the
    /// child wrote to it).
    pub fn shown(&self) -> String {
        String::from_utf8_lossy(&self.output.lock().unwrap()).into_owned()
    }

    /// Waits until the terminal has shown `text` (panics after `within`).
    pub fn wait_for(&self, text: &str, within: Duration) -> String {
        let deadline = Instant::now() + within;
        loop {
            let shown = self.shown();
            if shown.contains(text) {
                return shown;
            }
            assert!(
                Instant::now() < deadline,
                "the terminal never showed {text:?}:\n{shown}"
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}
