//! A bounded parser for `WWW-Authenticate` challenges (RFC 9110 §11.6.1, RFC 6750 §3), used by
//! `call` to recognise `Bearer error="invalid_token"` (security F11).
//!
//! Grammar: `challenge = auth-scheme [ 1*SP ( token68 / #auth-param ) ]`, several challenges
//! separated by commas; `auth-param = token BWS "=" BWS ( token / quoted-string )`, where a
//! quoted-string may hold `\`-escaped characters. Malformed input never panics: the parser
//! skips what it cannot read and always advances, so the work is linear in the input, and
//! the input, the number of challenges and the parameters per challenge are capped.

use super::token_type::TokenType;

/// Inputs longer than this are not parsed at all (no real challenge is this long).
pub(crate) const MAX_INPUT: usize = 16 * 1024;
/// At most this many challenges are read from one header value.
pub(crate) const MAX_CHALLENGES: usize = 16;
/// At most this many parameters are kept per challenge.
pub(crate) const MAX_PARAMS: usize = 32;

/// One challenge: a scheme with either a token68 or parameters.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub(crate) struct Challenge {
    /// The scheme as sent (compare case-insensitively).
    pub scheme: String,
    /// `name=value` parameters, names as sent, quoted values unescaped.
    pub params: Vec<(String, String)>,
    /// The token68 form (`Basic abc==`), when used instead of parameters.
    pub token68: Option<String>,
}

impl Challenge {
    /// A parameter by case-insensitive name (the first one wins).
    pub(crate) fn param(&self, name: &str) -> Option<&str> {
        self.params
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// Parses one header value into its challenges.
pub(crate) fn parse(input: &str) -> Vec<Challenge> {
    if input.len() > MAX_INPUT {
        return Vec::new();
    }
    let mut p = Parser {
        s: input.as_bytes(),
        i: 0,
    };
    let mut out = Vec::new();
    loop {
        p.skip(|b| b == b',' || is_ws(b));
        if p.eof() || out.len() >= MAX_CHALLENGES {
            break;
        }
        let Some(scheme) = p.token() else {
            p.i += 1; // not a scheme: skip the byte and resynchronise
            continue;
        };
        let mut challenge = Challenge {
            scheme,
            ..Challenge::default()
        };
        p.skip(is_ws);
        let start = p.i;
        if let Some(t68) = p.token68() {
            p.skip(is_ws);
            if p.eof() || p.peek() == Some(b',') {
                challenge.token68 = Some(t68);
                out.push(challenge);
                continue;
            }
        }
        p.i = start;
        p.params(&mut challenge.params);
        out.push(challenge);
    }
    out
}

/// The first challenge of `token_type`'s scheme among several header values: the one that
/// speaks about a token of that type (RFC 6750 §3 for `Bearer`).
pub(crate) fn challenge_for<'a>(
    token_type: TokenType,
    values: impl IntoIterator<Item = &'a str>,
) -> Option<Challenge> {
    values
        .into_iter()
        .flat_map(parse)
        .find(|c| token_type.is_scheme(&c.scheme))
}

fn is_ws(b: u8) -> bool {
    b == b' ' || b == b'\t'
}

/// RFC 9110 `tchar`.
fn is_tchar(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b)
}

fn is_token68_char(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b"-._~+/".contains(&b)
}

struct Parser<'a> {
    s: &'a [u8],
    i: usize,
}

impl Parser<'_> {
    fn eof(&self) -> bool {
        self.i >= self.s.len()
    }

    fn peek(&self) -> Option<u8> {
        self.s.get(self.i).copied()
    }

    fn skip(&mut self, what: impl Fn(u8) -> bool) {
        while self.peek().is_some_and(&what) {
            self.i += 1;
        }
    }

    fn take(&mut self, what: impl Fn(u8) -> bool) -> &[u8] {
        let start = self.i;
        self.skip(what);
        &self.s[start..self.i]
    }

    fn token(&mut self) -> Option<String> {
        let t = self.take(is_tchar);
        (!t.is_empty()).then(|| String::from_utf8_lossy(t).into_owned())
    }

    fn token68(&mut self) -> Option<String> {
        let start = self.i;
        self.skip(is_token68_char);
        if self.i == start {
            return None;
        }
        self.skip(|b| b == b'=');
        Some(String::from_utf8_lossy(&self.s[start..self.i]).into_owned())
    }

    /// A quoted-string after its opening quote; an unterminated one ends at the input's end.
    fn quoted(&mut self) -> String {
        let mut value = Vec::new();
        while let Some(b) = self.peek() {
            self.i += 1;
            match b {
                b'"' => break,
                b'\\' => {
                    if let Some(next) = self.peek() {
                        value.push(next);
                        self.i += 1;
                    }
                }
                _ => value.push(b),
            }
        }
        String::from_utf8_lossy(&value).into_owned()
    }

    /// `#auth-param`; stops before a token that is not followed by `=` (the next scheme).
    fn params(&mut self, params: &mut Vec<(String, String)>) {
        loop {
            self.skip(|b| b == b',' || is_ws(b));
            let start = self.i;
            let Some(name) = self.token() else {
                return;
            };
            self.skip(is_ws);
            if self.peek() != Some(b'=') {
                self.i = start;
                return;
            }
            self.i += 1;
            self.skip(is_ws);
            let value = if self.peek() == Some(b'"') {
                self.i += 1;
                self.quoted()
            } else {
                self.token().unwrap_or_default()
            };
            if params.len() < MAX_PARAMS {
                params.push((name, value));
            }
            self.skip(is_ws);
            match self.peek() {
                Some(b',') => self.i += 1,
                _ => return,
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use std::fmt::Write as _;

    use super::*;
    use proptest::prelude::*;

    fn p(name: &str, value: &str) -> (String, String) {
        (name.to_owned(), value.to_owned())
    }

    #[test]
    fn rfc_6750_examples() {
        let c = parse(
            r#"Bearer realm="example", error="invalid_token", error_description="The access token expired""#,
        );
        assert_eq!(c.len(), 1);
        assert_eq!(c[0].scheme, "Bearer");
        assert_eq!(c[0].param("ERROR"), Some("invalid_token"));
        assert_eq!(
            c[0].param("error_description"),
            Some("The access token expired")
        );
        assert_eq!(parse(r#"Bearer realm="example""#)[0].params.len(), 1);
        assert_eq!(parse("Bearer")[0].scheme, "Bearer");
    }

    #[test]
    fn several_challenges_token68_and_unquoted_values() {
        let c = parse(
            r#"Basic YWxhZGRpbjpvcGVuc2VzYW1l==, Bearer error=invalid_token , DPoP algs="ES256 PS256""#,
        );
        assert_eq!(c.len(), 3, "{c:?}");
        assert_eq!(c[0].token68.as_deref(), Some("YWxhZGRpbjpvcGVuc2VzYW1l=="));
        assert_eq!(c[1].param("error"), Some("invalid_token"));
        assert_eq!(c[2].params, vec![p("algs", "ES256 PS256")]);
        let c = parse(
            r#"Newauth realm="apps", type=1, title="Login to \"apps\"", Basic realm="simple""#,
        );
        assert_eq!(c.len(), 2);
        assert_eq!(c[0].param("title"), Some(r#"Login to "apps""#));
        assert_eq!(c[0].param("type"), Some("1"));
        assert_eq!(c[1].param("realm"), Some("simple"));
    }

    #[test]
    fn quoted_string_escapes_and_commas_inside_quotes() {
        let c = parse(r#"Bearer error_description="a, b=\"c\" \\ d", error="invalid_token""#);
        assert_eq!(c.len(), 1, "{c:?}");
        assert_eq!(c[0].param("error_description"), Some(r#"a, b="c" \ d"#));
        assert_eq!(c[0].param("error"), Some("invalid_token"));
        // An `error` inside a quoted value is not a parameter.
        let c = parse(r#"Bearer realm="x error=\"invalid_token\"""#);
        assert_eq!(c[0].param("error"), None);
    }

    #[test]
    fn the_challenge_of_the_token_type_is_picked() {
        let error = |values: &[&str]| {
            challenge_for(TokenType::Bearer, values.iter().copied())
                .and_then(|c| c.param("error").map(str::to_owned))
        };
        assert_eq!(
            error(&[
                r#"Basic realm="x", error="nope""#,
                r#"bearer error="invalid_token""#
            ]),
            Some("invalid_token".to_owned())
        );
        assert_eq!(error(&[r#"Bearer realm="x""#]), None);
        assert_eq!(error(&["Basic abc"]), None);
        assert!(challenge_for(TokenType::Bearer, ["Basic abc"]).is_none());
    }

    #[test]
    fn garbage_and_limits() {
        for s in [
            "",
            ",,,",
            "\"",
            "=\"",
            "Bearer =",
            "Bearer error=\"unterminated",
            "@@@ Bearer",
        ] {
            let _ = parse(s);
        }
        assert_eq!(
            parse("Bearer error=\"unterminated")[0].param("error"),
            Some("unterminated")
        );
        assert!(parse(&"a".repeat(MAX_INPUT + 1)).is_empty());
        assert_eq!(parse(&"A, ".repeat(100)).len(), MAX_CHALLENGES);
        let many = (0..100).fold(String::new(), |mut s, i| {
            let _ = write!(s, "p{i}=v, ");
            s
        });
        assert_eq!(parse(&format!("Bearer {many}"))[0].params.len(), MAX_PARAMS);
    }

    proptest! {
        // F11: no panic, bounded output, for any input.
        #[test]
        fn never_panics(s in any::<String>()) {
            let c = parse(&s);
            prop_assert!(c.len() <= MAX_CHALLENGES);
            prop_assert!(c.iter().all(|c| c.params.len() <= MAX_PARAMS));
        }

        #[test]
        fn never_panics_on_challenge_like_input(s in r#"[A-Za-z =",\\\t-]{0,80}"#) {
            let _ = parse(&s);
        }

        #[test]
        fn quoted_values_round_trip(v in "[ -~]{0,40}") {
            let quoted = v.replace('\\', "\\\\").replace('"', "\\\"");
            let c = parse(&format!("Bearer error=\"invalid_token\", error_description=\"{quoted}\""));
            prop_assert_eq!(c.len(), 1);
            prop_assert_eq!(c[0].param("error_description"), Some(v.as_str()));
        }
    }
}
