//! Paste-back from the terminal: the lines typed or pasted on standard input while `login`
//! waits, read on a thread of their own (README: "Signing in from another machine").

use std::io::{BufRead as _, IsTerminal as _, Read as _};

use crate::flow::loopback::PasteSink;
use crate::flow::paste::LineSource;

/// The longest line kept; a longer one is cut there (and then refused as an address).
const MAX_LINE: u64 = 64 * 1024;

/// Standard input, when it is a terminal.
#[derive(Debug, Clone, Copy)]
pub(crate) struct TerminalLines;

impl TerminalLines {
    /// The terminal's lines, if standard input is a terminal: paste-back is for a person at
    /// a terminal, never for a script's input.
    pub(crate) fn if_terminal() -> Option<Self> {
        std::io::stdin().is_terminal().then_some(Self)
    }
}

impl LineSource for TerminalLines {
    fn start(&self, sink: PasteSink) {
        // Detached: a read from a terminal cannot be interrupted, and the process ends
        // when the login does. The thread ends at the next line once the flow is over.
        let _ = std::thread::Builder::new()
            .name("paste-back".to_owned())
            .spawn(move || {
                let stdin = std::io::stdin();
                let mut line = String::new();
                loop {
                    line.clear();
                    match stdin.lock().take(MAX_LINE).read_line(&mut line) {
                        Ok(0) | Err(_) => return,
                        Ok(_) => {}
                    }
                    let pasted = line.trim();
                    if pasted.is_empty() {
                        continue;
                    }
                    if !sink.paste(pasted.to_owned()) {
                        return;
                    }
                }
            });
    }
}
