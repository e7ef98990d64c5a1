//! How `call` shows a response on a terminal: JSON pretty-printed and coloured, text with
//! every unsafe character escaped, binary not at all (like HTTPie). When stdout is not a
//! terminal none of this applies: the bytes are written untouched.

use std::fmt::Write as _;

use colored::Color;
use serde_json::Value;

use super::{Theme, json, sanitize};

/// What to put on the terminal for a body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum TerminalBody {
    /// Printable text, already sanitised and ending in a newline (or empty).
    Text(String),
    /// Binary data: show a note instead.
    Binary,
}

/// Whether `media_type` (lower-case, without parameters) is JSON.
pub(crate) fn is_json_type(media_type: &str) -> bool {
    media_type == "application/json"
        || (media_type.starts_with("application/") && media_type.ends_with("+json"))
}

/// Whether a body looks binary: a NUL byte in its first 8 KiB, or not UTF-8.
pub(crate) fn looks_binary(body: &[u8]) -> bool {
    body[..body.len().min(8192)].contains(&0) || std::str::from_utf8(body).is_err()
}

/// Renders `body` of type `media_type` for a terminal.
pub(crate) fn for_terminal(media_type: &str, body: &[u8], theme: Theme) -> TerminalBody {
    if looks_binary(body) {
        return TerminalBody::Binary;
    }
    let text = String::from_utf8_lossy(body);
    let trimmed = text.trim_start();
    let jsonish = is_json_type(media_type)
        || ((media_type.is_empty() || media_type == "text/plain")
            && (trimmed.starts_with('{') || trimmed.starts_with('[')));
    if jsonish && let Ok(value) = serde_json::from_str::<Value>(&text) {
        let mut out = String::new();
        pretty(&value, theme, 0, &mut out);
        out.push('\n');
        return TerminalBody::Text(out);
    }
    let mut out = sanitize::multiline(&text).into_owned();
    if !out.is_empty() && !out.ends_with('\n') {
        out.push('\n');
    }
    TerminalBody::Text(out)
}

/// A JSON string literal with terminal-unsafe characters escaped as `\uXXXX`.
fn literal(s: &str) -> String {
    json::to_string(s, false).trim_end().to_owned()
}

/// Pretty JSON with two-space indentation, keys and values coloured by kind.
pub(crate) fn pretty(value: &Value, theme: Theme, depth: usize, out: &mut String) {
    let pad = |d: usize| "  ".repeat(d);
    match value {
        Value::Null => out.push_str(&theme.paint("null", Color::Magenta)),
        Value::Bool(b) => out.push_str(&theme.paint(&b.to_string(), Color::Yellow)),
        Value::Number(n) => out.push_str(&theme.paint(&n.to_string(), Color::Cyan)),
        Value::String(s) => out.push_str(&theme.paint(&literal(s), Color::Green)),
        Value::Array(items) if items.is_empty() => out.push_str("[]"),
        Value::Object(map) if map.is_empty() => out.push_str("{}"),
        Value::Array(items) => {
            out.push_str("[\n");
            for (i, item) in items.iter().enumerate() {
                out.push_str(&pad(depth + 1));
                pretty(item, theme, depth + 1, out);
                out.push_str(if i + 1 < items.len() { ",\n" } else { "\n" });
            }
            let _ = write!(out, "{}]", pad(depth));
        }
        Value::Object(map) => {
            out.push_str("{\n");
            for (i, (k, v)) in map.iter().enumerate() {
                let _ = write!(
                    out,
                    "{}{}: ",
                    pad(depth + 1),
                    theme.paint(&literal(k), Color::Blue)
                );
                pretty(v, theme, depth + 1, out);
                out.push_str(if i + 1 < map.len() { ",\n" } else { "\n" });
            }
            let _ = write!(out, "{}}}", pad(depth));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const COLOUR: Theme = Theme { enabled: true };

    fn text(t: TerminalBody) -> String {
        match t {
            TerminalBody::Text(s) => s,
            TerminalBody::Binary => panic!("binary"),
        }
    }

    #[test]
    fn json_is_pretty_printed_in_order() {
        let out = text(for_terminal(
            "application/json",
            br#"{"b":1,"a":[true,null,"x"],"e":{}}"#,
            Theme::PLAIN,
        ));
        assert_eq!(
            out,
            "{\n  \"b\": 1,\n  \"a\": [\n    true,\n    null,\n    \"x\"\n  ],\n  \"e\": {}\n}\n"
        );
        // +json types and untyped bodies that are JSON are pretty-printed too.
        assert!(
            text(for_terminal(
                "application/problem+json",
                b"[1]",
                Theme::PLAIN
            ))
            .contains("[\n  1\n]")
        );
        assert!(text(for_terminal("", b" {\"a\":1}", Theme::PLAIN)).contains("\"a\": 1"));
    }

    #[test]
    fn colour_only_with_a_colour_theme_and_strings_stay_safe() {
        let body = br#"{"k\u001b]8;;x":"v\u202e\u001b[2J"}"#;
        let plain = text(for_terminal("application/json", body, Theme::PLAIN));
        assert!(
            !plain.contains('\u{1b}') && !plain.contains('\u{202e}'),
            "{plain}"
        );
        assert!(
            plain.contains("\\u001b") && plain.contains("\\u202e"),
            "{plain}"
        );
        // As `main` does: the Theme alone decides, not the crate's own tty detection.
        colored::control::set_override(true);
        let coloured = text(for_terminal("application/json", body, COLOUR));
        assert!(coloured.contains("\u{1b}["), "colour codes");
        // The only escapes are the theme's own SGR sequences, never the body's.
        assert!(!coloured.contains("\u{1b}]") && !coloured.contains("\u{1b}[2J"));
    }

    #[test]
    fn text_is_sanitised_and_binary_is_withheld() {
        assert_eq!(
            text(for_terminal(
                "text/plain",
                b"hi\x1b[31m\nthere",
                Theme::PLAIN
            )),
            "hi\\u{1b}[31m\nthere\n"
        );
        assert_eq!(text(for_terminal("text/plain", b"", Theme::PLAIN)), "");
        assert_eq!(
            for_terminal("image/png", b"\x89PNG\r\n\x1a\n\0\0", Theme::PLAIN),
            TerminalBody::Binary
        );
        assert_eq!(
            for_terminal("application/json", b"\xff\xfe{}", Theme::PLAIN),
            TerminalBody::Binary
        );
        // Malformed JSON is shown as text.
        assert_eq!(
            text(for_terminal("application/json", b"{nope", Theme::PLAIN)),
            "{nope\n"
        );
    }

    proptest! {
        // Whatever the body, nothing unsafe reaches the terminal in plain mode.
        #[test]
        fn terminal_output_is_safe(body in proptest::collection::vec(any::<u8>(), 0..200), json in any::<bool>()) {
            let media = if json { "application/json" } else { "text/plain" };
            if let TerminalBody::Text(t) = for_terminal(media, &body, Theme::PLAIN) {
                prop_assert!(!t.chars().any(|c| sanitize::is_unsafe(c) && c != '\n' && c != '\t'));
            }
        }
    }
}
