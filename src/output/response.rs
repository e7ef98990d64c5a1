//! How `call` shows a response: the status line and headers of `-i`, as received for
//! pipes and files and sanitised for a terminal; on a terminal, the body as
//! [`super::body`] renders it, or a note instead of one too large or binary to show.

use std::fmt::Write as _;

use colored::Color;
use reqwest::header::{self, HeaderMap};
use reqwest::{StatusCode, Version};

use super::body::{TerminalBody, for_terminal};
use super::{Theme, Ui, sanitize};

/// The most of a body shown on a terminal; larger bodies want `-o FILE` or a pipe.
pub(crate) const TERMINAL_LIMIT: usize = 8 * 1024 * 1024;

/// The status line and headers for `-i`: as received (CRLF) for pipes and files, sanitised
/// for a terminal.
pub(crate) fn head(
    version: Version,
    status: StatusCode,
    headers: &HeaderMap,
    terminal: Option<Theme>,
) -> Vec<u8> {
    let line = format!(
        "{:?} {} {}",
        version,
        status.as_u16(),
        status.canonical_reason().unwrap_or("")
    );
    let mut out = Vec::new();
    match terminal {
        None => {
            out.extend_from_slice(line.trim_end().as_bytes());
            out.extend_from_slice(b"\r\n");
            for (name, value) in headers {
                out.extend_from_slice(name.as_str().as_bytes());
                out.extend_from_slice(b": ");
                out.extend_from_slice(value.as_bytes());
                out.extend_from_slice(b"\r\n");
            }
            out.extend_from_slice(b"\r\n");
        }
        Some(theme) => {
            let mut text = format!("{}\n", theme.bold(line.trim_end()));
            for (name, value) in headers {
                let v = String::from_utf8_lossy(value.as_bytes());
                let _ = writeln!(
                    text,
                    "{}: {}",
                    theme.paint(name.as_str(), Color::Cyan),
                    sanitize::line(&v)
                );
            }
            text.push('\n');
            out = text.into_bytes();
        }
    }
    out
}

/// The `Content-Type` header's media type, lower-cased, without parameters.
pub(crate) fn media_type(headers: &HeaderMap) -> String {
    headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .map(|v| v.trim().to_ascii_lowercase())
        .unwrap_or_default()
}

/// What a terminal gets: `out` (the `-i` lines, or nothing) and then the body of type
/// `media`, read up to [`TERMINAL_LIMIT`] and one byte more: pretty, coloured, sanitised
/// JSON or text, and a note on stderr instead of a body too large or binary.
pub(crate) fn on_terminal(ui: &Ui, mut out: Vec<u8>, media: &str, body: &[u8]) -> Vec<u8> {
    let theme = ui.stdout;
    if body.len() > TERMINAL_LIMIT {
        ui.info(&format!(
            "The response body is larger than {} MiB; not shown on a terminal (use -o FILE or a pipe).",
            TERMINAL_LIMIT / (1024 * 1024)
        ));
        return out;
    }
    match for_terminal(media, body, theme) {
        TerminalBody::Text(text) => out.extend_from_slice(text.as_bytes()),
        TerminalBody::Binary => ui.info(&format!(
            "The response body is binary ({} bytes{}); not shown on a terminal (use -o FILE or a pipe).",
            body.len(),
            if media.is_empty() {
                String::new()
            } else {
                format!(", {}", sanitize::line(media))
            }
        )),
    }
    out
}

#[cfg(test)]
mod tests {
    use reqwest::header::HeaderValue;

    use super::*;

    fn headers(pairs: &[(&'static str, &[u8])]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (name, value) in pairs {
            map.append(*name, HeaderValue::from_bytes(value).unwrap());
        }
        map
    }

    #[test]
    fn the_head_is_as_received_for_pipes_and_sanitised_for_a_terminal() {
        let h = headers(&[
            ("content-type", b"application/json; charset=UTF-8"),
            ("x-evil", "a\u{9b}2J".as_bytes()),
            ("x-bytes", b"caf\xe9"),
        ]);
        let piped = head(Version::HTTP_11, StatusCode::OK, &h, None);
        assert_eq!(
            piped,
            b"HTTP/1.1 200 OK\r\ncontent-type: application/json; charset=UTF-8\r\n\
              x-evil: a\xc2\x9b2J\r\nx-bytes: caf\xe9\r\n\r\n"
        );
        let shown = head(Version::HTTP_2, StatusCode::OK, &h, Some(Theme::PLAIN));
        assert_eq!(
            String::from_utf8(shown).unwrap(),
            "HTTP/2.0 200 OK\ncontent-type: application/json; charset=UTF-8\n\
             x-evil: a\\u{9b}2J\nx-bytes: caf\u{fffd}\n\n"
        );
        // A status without a reason phrase leaves no trailing space.
        let odd = head(
            Version::HTTP_11,
            StatusCode::from_u16(599).unwrap(),
            &HeaderMap::new(),
            None,
        );
        assert_eq!(odd, b"HTTP/1.1 599\r\n\r\n");
        assert_eq!(media_type(&h), "application/json");
        assert_eq!(media_type(&HeaderMap::new()), "");
    }

    #[test]
    fn a_terminal_gets_text_after_the_head_and_no_binary() {
        // Quiet: the notes about what is not shown stay out of the test output.
        let ui = Ui {
            quiet: true,
            ..Ui::plain()
        };
        let out = on_terminal(&ui, b"HEAD\n".to_vec(), "application/json", br#"{"a":1}"#);
        assert_eq!(String::from_utf8(out).unwrap(), "HEAD\n{\n  \"a\": 1\n}\n");
        let out = on_terminal(&ui, Vec::new(), "image/png", b"\x89PNG\0\0");
        assert!(out.is_empty());
        let too_large = vec![b'x'; TERMINAL_LIMIT + 1];
        let out = on_terminal(&ui, b"HEAD\n".to_vec(), "text/plain", &too_large);
        assert_eq!(out, b"HEAD\n");
    }
}
