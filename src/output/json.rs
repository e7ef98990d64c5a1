//! JSON writing for stdout. Output stays valid, standard JSON, but characters that a
//! terminal would interpret (C1 controls, BiDi overrides, other format characters; serde_json
//! already escapes C0) are written as `\uXXXX` escapes, so `--json` output is safe to view
//! on a terminal without changing what a JSON parser reads.

use std::io::{self, Write};

use serde::Serialize;
use serde_json::ser::{CompactFormatter, Formatter, PrettyFormatter};

use super::sanitize::is_unsafe;

/// Wraps a formatter and escapes terminal-unsafe characters in strings.
struct SafeFormatter<F>(F);

fn write_safe<W: ?Sized + Write>(writer: &mut W, fragment: &str) -> io::Result<()> {
    let mut start = 0;
    for (i, c) in fragment.char_indices() {
        if is_unsafe(c) {
            writer.write_all(&fragment.as_bytes()[start..i])?;
            let mut units = [0u16; 2];
            for unit in c.encode_utf16(&mut units) {
                write!(writer, "\\u{unit:04x}")?;
            }
            start = i + c.len_utf8();
        }
    }
    writer.write_all(&fragment.as_bytes()[start..])
}

macro_rules! delegate {
    ($($name:ident($($arg:ident: $ty:ty),*);)*) => {
        $(fn $name<W: ?Sized + Write>(&mut self, writer: &mut W $(, $arg: $ty)*) -> io::Result<()> {
            self.0.$name(writer $(, $arg)*)
        })*
    };
}

impl<F: Formatter> Formatter for SafeFormatter<F> {
    fn write_string_fragment<W: ?Sized + Write>(
        &mut self,
        writer: &mut W,
        fragment: &str,
    ) -> io::Result<()> {
        write_safe(writer, fragment)
    }

    delegate! {
        begin_array();
        end_array();
        begin_array_value(first: bool);
        end_array_value();
        begin_object();
        end_object();
        begin_object_key(first: bool);
        end_object_key();
        begin_object_value();
        end_object_value();
    }
}

/// Serialises `value` as pretty (or compact) terminal-safe JSON followed by a newline.
pub(crate) fn to_writer<T: Serialize + ?Sized>(
    mut out: impl Write,
    value: &T,
    pretty: bool,
) -> io::Result<()> {
    let result = if pretty {
        let mut ser = serde_json::Serializer::with_formatter(
            &mut out,
            SafeFormatter(PrettyFormatter::with_indent(b"  ")),
        );
        value.serialize(&mut ser)
    } else {
        let mut ser =
            serde_json::Serializer::with_formatter(&mut out, SafeFormatter(CompactFormatter));
        value.serialize(&mut ser)
    };
    result.map_err(io::Error::other)?;
    out.write_all(b"\n")
}

/// Terminal-safe JSON as a string.
pub(crate) fn to_string<T: Serialize + ?Sized>(value: &T, pretty: bool) -> String {
    let mut buf = Vec::new();
    // Writing into a Vec only fails if serialisation itself fails, which our types never do.
    if to_writer(&mut buf, value, pretty).is_err() {
        return "null".to_owned();
    }
    String::from_utf8(buf).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use serde_json::{Value, json};

    #[test]
    fn escapes_bidi_and_c1_but_stays_equal() {
        let v = json!({"name": "a\u{202E}b\u{85}c\u{1b}", "ok": "héllo"});
        let s = to_string(&v, false);
        assert!(s.contains("\\u202e") && s.contains("\\u0085") && s.contains("\\u001b"));
        assert!(s.contains("héllo"));
        let back: Value = serde_json::from_str(&s).unwrap();
        assert_eq!(back, v);
    }

    proptest! {
        #[test]
        fn round_trips_any_string(s in any::<String>()) {
            let v = json!({ "k": s });
            let out = to_string(&v, true);
            prop_assert!(!out.chars().any(|c| is_unsafe(c) && c != '\n'));
            let back: Value = serde_json::from_str(&out).unwrap();
            prop_assert_eq!(back, v);
        }
    }
}
