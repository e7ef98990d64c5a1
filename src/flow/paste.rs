//! Paste-back: where a login that cannot reach this machine's browser (SSH, a container)
//! takes the address the browser ended on. The user signs in elsewhere, the provider sends
//! that browser to the loopback redirect URI (which does not load there), and the user
//! pastes the address from its address bar; the waiting listener treats the pasted address
//! as it would the request ([`super::loopback::Waiting::wait`]).
//!
//! The flow does not read a terminal itself: the command hands it a [`LineSource`].

use std::fmt;
use std::sync::Arc;

use super::loopback::PasteSink;

/// Lines the user types or pastes, read in the background.
pub trait LineSource: Send + Sync + fmt::Debug {
    /// Starts handing each line to `sink`, until the sink refuses one (the flow has ended)
    /// or the input ends. Returns at once; called at most once per login.
    fn start(&self, sink: PasteSink);
}

/// Paste-back for one login.
#[derive(Debug, Clone)]
pub struct PasteBack {
    /// Where the lines come from.
    pub source: Arc<dyn LineSource>,
    /// Offer it from the start (`--no-browser`); otherwise only once opening a browser
    /// has failed.
    pub at_once: bool,
}
