//! Pure text: parsing and formatting that knows nothing of terminals, files or the network.
//! Every layer may use it (design.md §3 for the duration syntax).

pub(crate) mod duration;
