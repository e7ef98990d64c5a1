//! Makes remote-controlled text safe for a terminal: C0/C1 controls, ESC, DEL, BiDi
//! overrides and other invisible format characters (Unicode category Cf) become visible
//! `\u{…}` escapes, so a token or server message cannot move the cursor, rewrite the title,
//! plant an OSC 8 link or reorder what the user reads (CWE-150).

use std::borrow::Cow;
use std::fmt::Write as _;

/// Whether `c` must not reach a terminal raw. Newline and tab are unsafe too in
/// single-line values; [`multiline`] keeps them.
pub(crate) fn is_unsafe(c: char) -> bool {
    c.is_control() // C0, DEL, C1
        || matches!(c,
            '\u{00AD}'              // soft hyphen
            | '\u{061C}'            // Arabic letter mark
            | '\u{180E}'            // Mongolian vowel separator
            | '\u{200B}'..='\u{200F}' // zero-width space/joiners, LRM, RLM
            | '\u{2028}' | '\u{2029}' // line/paragraph separator
            | '\u{202A}'..='\u{202E}' // LRE, RLE, PDF, LRO, RLO
            | '\u{2060}'..='\u{206F}' // word joiner, invisible operators, LRI..PDI, deprecated
            | '\u{FEFF}'            // BOM / zero-width no-break space
            | '\u{FFF9}'..='\u{FFFB}' // interlinear annotations
            | '\u{E0000}'..='\u{E007F}' // tag characters
        )
}

/// Escapes every unsafe character of a single-line value.
pub(crate) fn line(s: &str) -> Cow<'_, str> {
    escape(s, |_| false)
}

/// Escapes every unsafe character but keeps `\n` and `\t` (bodies, multi-line text).
pub(crate) fn multiline(s: &str) -> Cow<'_, str> {
    escape(s, |c| c == '\n' || c == '\t')
}

fn escape(s: &str, keep: impl Fn(char) -> bool) -> Cow<'_, str> {
    if !s.chars().any(|c| is_unsafe(c) && !keep(c)) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        if is_unsafe(c) && !keep(c) {
            let _ = write!(out, "\\u{{{:x}}}", u32::from(c));
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// Escapes text for HTML element content and quoted attribute values; terminal-unsafe and
/// control characters are dropped.
pub(crate) fn html(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c if is_unsafe(c) => {}
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn escapes_ansi_osc_and_bidi() {
        assert_eq!(line("a\x1b[31mb"), "a\\u{1b}[31mb");
        assert_eq!(line("\u{202E}evil"), "\\u{202e}evil");
        assert_eq!(
            line("x\x1b]8;;http://e\x07y"),
            "x\\u{1b}]8;;http://e\\u{7}y"
        );
        assert_eq!(line("two\nlines"), "two\\u{a}lines");
        assert_eq!(multiline("two\nlines"), "two\nlines");
        assert!(matches!(line("plain ascii"), Cow::Borrowed(_)));
    }

    #[test]
    fn html_escapes_markup_and_drops_controls() {
        assert_eq!(
            html("<a href='x'>&\"\u{1b}"),
            "&lt;a href=&#39;x&#39;&gt;&amp;&quot;"
        );
    }

    proptest! {
        // F12: the output holds no control, ESC, OSC or BiDi/format character, for any input.
        #[test]
        fn output_never_contains_unsafe_chars(s in any::<String>()) {
            let out = line(&s);
            prop_assert!(!out.chars().any(is_unsafe));
            let out = multiline(&s);
            prop_assert!(!out.chars().any(|c| is_unsafe(c) && c != '\n' && c != '\t'));
        }
    }
}
