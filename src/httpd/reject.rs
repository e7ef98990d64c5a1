//! A request refused before it reached the handler: the status and message, and the
//! complete answer written for it when hyper has not seen the request.

/// Why a request was refused before reaching the handler.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Reject {
    pub status: u16,
    pub message: &'static str,
}

pub(super) const fn reject(status: u16, message: &'static str) -> Reject {
    Reject { status, message }
}

/// A complete plain-text answer that closes the connection, for requests refused before
/// hyper saw them; its field names in lower case, as hyper writes every other answer's.
pub(super) fn refusal_bytes(status: u16, message: &str) -> Vec<u8> {
    let reason = http::StatusCode::from_u16(status)
        .ok()
        .and_then(|s| s.canonical_reason())
        .unwrap_or("");
    let date = httpdate::fmt_http_date(std::time::SystemTime::now());
    format!(
        "HTTP/1.1 {status} {reason}\r\ncontent-type: text/plain; charset=utf-8\r\n\
         content-length: {}\r\ncache-control: no-store\r\nx-content-type-options: nosniff\r\n\
         date: {date}\r\nconnection: close\r\n\r\n{message}\n",
        message.len() + 1
    )
    .into_bytes()
}
