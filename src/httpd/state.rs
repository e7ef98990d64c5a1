//! What one connection's parts share.

use std::sync::atomic::AtomicBool;

/// What the gate, the service and the driver of one connection tell each other, and what
/// the server looks at when it stops.
#[derive(Debug, Default)]
pub(super) struct ConnState {
    /// The request has been read whole and is being answered.
    pub answering: AtomicBool,
    /// hyper has let go of the answer's body: once flushed, the answer is out.
    pub response_done: AtomicBool,
    /// The answer refused the request: close lingering.
    pub linger: AtomicBool,
    /// The request body did not arrive within `body_timeout`: the answer is `408`.
    pub body_late: AtomicBool,
}
