//! What a flow tells the user while it runs. Flows emit events; the command renders them
//! through the output layer, so flows stay free of terminal code.

use std::time::Instant;

/// Something the user should see.
#[derive(Debug, Clone)]
pub enum Event {
    /// The authorization URL to open (always shown).
    AuthorizationUrl(String),
    /// The browser could not be launched, or its command exited unsuccessfully.
    BrowserFailed(String),
    /// Still waiting, halfway through: why a sign-in may never come back.
    StillWaiting(String),
    /// Waiting for the browser or the device approval until the deadline.
    Waiting {
        what: &'static str,
        deadline: Instant,
    },
    /// Waiting ended.
    DoneWaiting,
    /// The device flow's instructions.
    DeviceCode {
        user_code: String,
        verification_uri: String,
        verification_uri_complete: Option<String>,
    },
    /// A warning.
    Warning(String),
    /// The address the browser ends on may be pasted here instead (paste-back); the
    /// redirect URI it starts with.
    PasteBack { redirect_uri: String },
    /// A pasted line that did not end the sign-in, and why; the wait goes on.
    PasteRefused(String),
}

/// Receives events.
pub trait Events: Sync {
    /// Handles one event.
    fn emit(&self, event: Event);
}

/// Discards events (tests, in-process callers).
#[derive(Debug, Clone, Copy, Default)]
pub struct Silent;

impl Events for Silent {
    fn emit(&self, _: Event) {}
}
