//! The compact JWS parser: bounded, strict, and counting before splitting.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde_json::{Map, Value};

use crate::oauth::strict_json;

/// The largest token accepted (a real JWT is a few KiB).
pub(crate) const MAX_TOKEN_LEN: usize = 256 * 1024;

/// Why a string is not a decodable JWS.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub(crate) enum ParseError {
    /// No dots at all: an opaque token.
    #[error("this is not a JWT but an opaque token; its contents are known only to the server")]
    Opaque,
    /// Five segments: an encrypted JWT.
    #[error(
        "this is an encrypted JWT (JWE, 5 segments); it can only be read with the recipient's private key"
    )]
    Jwe,
    /// Too long to be a token.
    #[error("the input is {0} bytes long, more than the {MAX_TOKEN_LEN} bytes a token may have")]
    TooLarge(usize),
    /// Anything else.
    #[error("{0}")]
    Malformed(String),
}

/// A parsed compact JWS.
#[derive(Debug, Clone)]
pub(crate) struct Jws {
    pub header: Map<String, Value>,
    pub claims: Map<String, Value>,
    /// `BASE64URL(header) || '.' || BASE64URL(payload)`.
    pub signing_input: String,
    /// The third segment, as sent.
    pub signature_b64: String,
    /// The header's `alg`, if it is a string.
    pub alg: Option<String>,
}

fn b64(segment: &str, what: &str) -> Result<Vec<u8>, ParseError> {
    if segment.is_empty() && what != "signature" {
        return Err(ParseError::Malformed(format!(
            "the {what} segment is empty"
        )));
    }
    URL_SAFE_NO_PAD.decode(segment).map_err(|e| {
        ParseError::Malformed(format!(
            "the {what} segment is not unpadded base64url ({e})"
        ))
    })
}

/// Parses a compact JWS. Surrounding ASCII whitespace (a trailing newline) is ignored.
pub(crate) fn parse(input: &str) -> Result<Jws, ParseError> {
    if input.len() > MAX_TOKEN_LEN {
        return Err(ParseError::TooLarge(input.len()));
    }
    let token = input.trim_ascii();
    if let Some(bad) = token.bytes().find(|b| {
        !(b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'=' | b'+' | b'/'))
    }) {
        return Err(ParseError::Malformed(format!(
            "the token contains the character {:?}, which is not part of a JWT",
            char::from(bad)
        )));
    }
    // Count before splitting (CVE-2025-30204 class: no unbounded split on hostile input).
    let dots = token.bytes().filter(|&b| b == b'.').count();
    match dots {
        0 => return Err(ParseError::Opaque),
        2 => {}
        4 => return Err(ParseError::Jwe),
        n => {
            return Err(ParseError::Malformed(format!(
                "a JWT has 3 dot-separated segments, this has {}",
                n + 1
            )));
        }
    }
    let mut parts = token.splitn(3, '.');
    let (Some(h), Some(p), Some(s)) = (parts.next(), parts.next(), parts.next()) else {
        return Err(ParseError::Malformed("a JWT has 3 segments".to_owned()));
    };
    let header_bytes = b64(h, "header")?;
    let payload = b64(p, "payload")?;
    b64(s, "signature")?;
    let header = strict_json::object_from_slice(&header_bytes)
        .map_err(|e| ParseError::Malformed(format!("the header is not a JSON object: {e}")))?;
    let claims = strict_json::object_from_slice(&payload)
        .map_err(|e| ParseError::Malformed(format!("the payload is not a JSON object: {e}")))?;
    let alg = header.get("alg").and_then(Value::as_str).map(str::to_owned);
    Ok(Jws {
        header,
        claims,
        signing_input: format!("{h}.{p}"),
        signature_b64: s.to_owned(),
        alg,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::b64u;
    use proptest::prelude::*;

    #[test]
    fn malformed_inputs_are_clean_errors() {
        let many_dots = ".".repeat(1_000_000);
        let cases: Vec<(&str, &str)> = vec![
            ("abc", "opaque"),
            ("a.b", "segments"),
            ("a.b.c.d", "segments"),
            (&many_dots, "bytes long"),
            ("a.b.c.d.e", "JWE"),
            ("e30.e30=.", "base64url"),
            ("e30.e30.sig+", "base64url"),
            ("!!!.e30.", "character"),
            ("W10.e30.", "header is not a JSON object"),
            ("e30.bm90IGpzb24.", "payload is not a JSON object"),
            (".e30.", "empty"),
        ];
        for (input, expect) in cases {
            let err = parse(input).unwrap_err().to_string();
            assert!(
                err.to_lowercase().contains(&expect.to_lowercase()),
                "{input:.20}: {err}"
            );
        }
        // Duplicate claims (RFC 7519 §4) and invalid UTF-8.
        let dup = format!("e30.{}.", b64u(br#"{"sub":"a","sub":"b"}"#));
        assert!(parse(&dup).unwrap_err().to_string().contains("duplicate"));
        let bad_utf8 = format!("e30.{}.", b64u(b"{\"sub\":\"\xff\"}"));
        assert!(parse(&bad_utf8).is_err());
        let big = "a".repeat(MAX_TOKEN_LEN + 1);
        assert!(matches!(parse(&big), Err(ParseError::TooLarge(_))));
    }

    proptest! {
        // No panic on any input: an error or a parsed token.
        #[test]
        fn parser_never_panics(s in ".{0,400}") {
            let _ = parse(&s);
        }

        #[test]
        fn parser_never_panics_on_token_like_input(
            a in "[A-Za-z0-9_=+/-]{0,60}", b in "[A-Za-z0-9_-]{0,60}", c in "[A-Za-z0-9_.-]{0,60}"
        ) {
            let _ = parse(&format!("{a}.{b}.{c}"));
        }
    }
}
