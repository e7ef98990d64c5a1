//! Pure text: parsing and formatting that knows nothing of terminals, files or the network.
//! Every layer may use it; it imports nothing from the crate.
//!
//! - [`duration`]: durations as users write them (`30s`, `5m`, `1h30m`, seconds).
//! - [`sanitize`]: remote-controlled text made safe to show (terminal escapes, HTML).
//! - [`time`]: instants and spans for people (`in 4m 12s`, `3h 5m ago`, RFC 3339).

pub(crate) mod duration;
pub(crate) mod sanitize;
pub(crate) mod time;
