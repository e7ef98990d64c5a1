//! The checks a request head must pass before hyper sees it, on the bytes as they arrive:
//! `httparse` tokenises the head; these rules decide on the sizes, the target, `Host`, the
//! framing (`Content-Length`, `Transfer-Encoding`) and `Expect`.

use std::mem::MaybeUninit;

use super::Limits;
use super::gate::{Reject, reject};

/// At most this many header slots are parsed (`Limits::max_headers` is capped to it).
const MAX_HEADER_SLOTS: usize = 256;

/// What follows a head.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Next {
    /// A body of this many bytes (`Content-Length`).
    Body(usize),
    /// A chunked body.
    Chunked,
    /// Nothing: the request is whole.
    Answer,
}

/// Checks what has arrived of a request head. `Ok(Some((len, next)))`: a whole, acceptable
/// head of `len` bytes, followed by `next`; `Ok(None)`: acceptable so far, incomplete.
pub(super) fn check_head(
    buf: &[u8],
    limits: &Limits,
    absolute_form: bool,
) -> Result<Option<(usize, Next)>, Reject> {
    let mut slots = [const { MaybeUninit::<httparse::Header<'_>>::uninit() }; MAX_HEADER_SLOTS];
    let slots = &mut slots[..limits.max_headers.clamp(1, MAX_HEADER_SLOTS)];
    let mut req = httparse::Request::new(&mut []);
    let len = match req.parse_with_uninit_headers(buf, slots) {
        Ok(httparse::Status::Complete(len)) => len,
        Ok(httparse::Status::Partial) => return check_partial(buf, limits).map(|()| None),
        Err(httparse::Error::TooManyHeaders) => {
            return Err(reject(431, "too many header fields"));
        }
        // A malformed line may also be an overlong one still arriving.
        Err(_) => {
            check_partial(buf, limits)?;
            return Err(reject(400, "malformed request head"));
        }
    };
    check_partial(&buf[..len], limits)?;
    if !buf[..len].is_ascii() {
        return Err(reject(400, "request head is not ASCII"));
    }
    let target = req.path.unwrap_or_default();
    let absolute =
        absolute_form && (target.starts_with("http://") || target.starts_with("https://"));
    if !target.starts_with('/') && !absolute {
        return Err(reject(400, "only origin-form request targets are accepted"));
    }
    let http10 = req.version == Some(0);
    let values = |name: &'static str| {
        req.headers
            .iter()
            .filter(move |h| h.name.eq_ignore_ascii_case(name))
            .map(|h| h.value.trim_ascii())
    };
    let hosts = values("host").count();
    if hosts > 1 || (hosts == 0 && !http10) {
        return Err(reject(400, "exactly one Host header is required"));
    }
    for expect in values("expect") {
        if !expect.eq_ignore_ascii_case(b"100-continue") {
            return Err(reject(417, "unsupported expectation"));
        }
    }
    let codings: Vec<&[u8]> = values("transfer-encoding").collect();
    let lengths: Vec<&[u8]> = values("content-length")
        .flat_map(|v| v.split(|&b| b == b','))
        .map(<[u8]>::trim_ascii)
        .collect();
    if !codings.is_empty() {
        if !lengths.is_empty() {
            return Err(reject(
                400,
                "Content-Length together with Transfer-Encoding is ambiguous",
            ));
        }
        if http10 || codings.len() > 1 || !codings[0].eq_ignore_ascii_case(b"chunked") {
            return Err(reject(400, "only `Transfer-Encoding: chunked` is accepted"));
        }
        return Ok(Some((len, Next::Chunked)));
    }
    let Some(first) = lengths.first() else {
        return Ok(Some((len, Next::Answer)));
    };
    if lengths.iter().any(|l| l != first)
        || first.is_empty()
        || !first.iter().all(u8::is_ascii_digit)
    {
        return Err(reject(400, "invalid Content-Length"));
    }
    // Anything that does not fit in usize is certainly too large.
    let length = std::str::from_utf8(first)
        .ok()
        .and_then(|s| s.parse::<usize>().ok())
        .unwrap_or(usize::MAX);
    if length > limits.max_body {
        return Err(reject(413, "request body too large"));
    }
    let next = if length == 0 {
        Next::Answer
    } else {
        Next::Body(length)
    };
    Ok(Some((len, next)))
}

/// The size limits, which hold for a whole head and for any beginning of one: the request
/// line (its end may not have arrived yet), the header section and the whole head.
pub(super) fn check_partial(head: &[u8], limits: &Limits) -> Result<(), Reject> {
    let (line, rest) = match head.iter().position(|&b| b == b'\n') {
        // The line feed ends the line; a CR before it counts (as it always has here).
        Some(eol) => (eol, head.len() - eol - 1),
        None => (head.len(), 0),
    };
    if line > limits.max_request_line {
        return Err(reject(414, "request line too long"));
    }
    if rest > limits.max_header_bytes || head.len() > limits.max_head {
        return Err(reject(431, "request header fields too large"));
    }
    Ok(())
}

#[cfg(test)]
pub(super) fn check_head_for_tests(buf: &[u8], limits: &Limits) -> Result<Option<usize>, Reject> {
    check_head(buf, limits, false).map(|h| h.map(|(len, _)| len))
}
