//! The type of an access token (RFC 6749 §7.1): how it is presented to a resource server.
//! The one place that knows the `Authorization` scheme's name and builds the header value;
//! a token set carries its type, so that everything that sends or prints a token asks it.
//!
//! `Bearer` (RFC 6750) and `DPoP` (RFC 9449: the token is bound to a key, and every request
//! carries a proof signed with it beside the `Authorization: DPoP` header; `oauth::dpop`)
//! are supported; a token response of any other type is refused.
//!
//! Pure: no I/O.

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use super::secret::AccessToken;

/// How an access token is used.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TokenType {
    /// RFC 6750: whoever holds the token may use it.
    Bearer,
    /// RFC 9449: only the holder of the proof key may use it, with a proof per request.
    DPoP,
}

/// A `token_type` oauthctl cannot use.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("only {} tokens are supported", supported())]
pub struct UnsupportedTokenType;

/// The supported types, for messages: `Bearer, DPoP`.
fn supported() -> String {
    TokenType::ALL
        .iter()
        .map(|t| t.as_str())
        .collect::<Vec<_>>()
        .join(", ")
}

impl TokenType {
    /// Every supported type.
    pub const ALL: [Self; 2] = [Self::Bearer, Self::DPoP];

    /// The `token_type` value as written in token responses, introspection answers, the
    /// token cache and `OAUTHCTL_TOKEN_TYPE`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Bearer => "Bearer",
            Self::DPoP => "DPoP",
        }
    }

    /// The HTTP authentication scheme (RFC 9110 §11.1) the token is sent with.
    pub fn scheme(self) -> &'static str {
        match self {
            Self::Bearer => "Bearer",
            Self::DPoP => "DPoP",
        }
    }

    /// Whether a request with the token needs a proof of possession beside the header
    /// (RFC 9449 §7.1), so that the header alone (`token --format header`) cannot use it.
    pub fn needs_proof(self) -> bool {
        match self {
            Self::Bearer => false,
            Self::DPoP => true,
        }
    }

    /// Reads a `token_type` (case-insensitive, RFC 6749 §5.1).
    pub fn parse(value: &str) -> Result<Self, UnsupportedTokenType> {
        Self::ALL
            .into_iter()
            .find(|t| value.eq_ignore_ascii_case(t.as_str()))
            .ok_or(UnsupportedTokenType)
    }

    /// Whether an authentication scheme as received (`bearer`, `Bearer`) is this type's
    /// (schemes are case-insensitive, RFC 9110 §11.1).
    pub fn is_scheme(self, scheme: &str) -> bool {
        scheme.eq_ignore_ascii_case(self.scheme())
    }

    /// The `Authorization` header value that presents `token`.
    pub fn authorization(self, token: &AccessToken) -> String {
        format!("{} {}", self.scheme(), token.expose())
    }

    /// The credentials of an `Authorization` header value of this scheme (`Bearer abc` →
    /// `abc`; the scheme is followed by a space, RFC 9110 §11.4), surrounding whitespace
    /// dropped; `None` for another scheme or none at all.
    pub fn credentials(self, header_value: &str) -> Option<&str> {
        let (scheme, rest) = header_value.trim().split_once(' ')?;
        self.is_scheme(scheme)
            .then(|| rest.trim())
            .filter(|t| !t.is_empty())
    }

    /// A `WWW-Authenticate` challenge of this scheme with `params` as quoted strings
    /// (RFC 6750 §3, RFC 9110 §11.6.1): `Bearer realm="x", error="invalid_token"`.
    pub fn challenge(self, params: &[(&str, &str)]) -> String {
        let mut out = self.scheme().to_owned();
        for (i, (name, value)) in params.iter().enumerate() {
            out.push_str(if i == 0 { " " } else { ", " });
            out.push_str(name);
            out.push_str("=\"");
            for c in value.chars() {
                if c == '"' || c == '\\' {
                    out.push('\\');
                }
                out.push(c);
            }
            out.push('"');
        }
        out
    }
}

impl fmt::Display for TokenType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Serialize for TokenType {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for TokenType {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = String::deserialize(d)?;
        // The message never quotes the value: a cache entry's field may hold anything.
        Self::parse(&text).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parsing_is_case_insensitive_and_refuses_other_types() {
        for ok in ["Bearer", "bearer", "BEARER", "bEaReR"] {
            assert_eq!(TokenType::parse(ok), Ok(TokenType::Bearer), "{ok}");
        }
        for ok in ["DPoP", "dpop", "DPOP"] {
            assert_eq!(TokenType::parse(ok), Ok(TokenType::DPoP), "{ok}");
        }
        for bad in ["mac", "N_A", "", " Bearer", "Bearer ", "Bearer\r\n"] {
            assert_eq!(TokenType::parse(bad), Err(UnsupportedTokenType), "{bad:?}");
        }
        assert_eq!(
            UnsupportedTokenType.to_string(),
            "only Bearer, DPoP tokens are supported"
        );
    }

    #[test]
    fn the_header_value_and_scheme_come_from_the_type() {
        let t = TokenType::Bearer;
        assert_eq!(t.as_str(), "Bearer");
        assert_eq!(t.scheme(), "Bearer");
        assert_eq!(t.to_string(), "Bearer");
        assert_eq!(t.authorization(&AccessToken::new("abc")), "Bearer abc");
        assert!(t.is_scheme("bearer") && t.is_scheme("BEARER") && !t.is_scheme("Basic"));
        assert!(!t.needs_proof());
        let d = TokenType::DPoP;
        assert_eq!(d.as_str(), "DPoP");
        assert_eq!(d.authorization(&AccessToken::new("abc")), "DPoP abc");
        assert!(d.is_scheme("dpop") && !d.is_scheme("Bearer"));
        assert!(d.needs_proof());
        assert_eq!(d.credentials("DPoP abc"), Some("abc"));
        assert_eq!(d.credentials("Bearer abc"), None);
    }

    #[test]
    fn credentials_are_read_from_a_header_value() {
        let t = TokenType::Bearer;
        assert_eq!(t.credentials("Bearer abc"), Some("abc"));
        assert_eq!(t.credentials("  bearer \t abc  "), Some("abc"));
        assert_eq!(t.credentials("Bearer\tabc"), None);
        assert_eq!(t.credentials("Bearer "), None);
        assert_eq!(t.credentials("Bearer"), None);
        assert_eq!(t.credentials("Basic YWxhZGRpbjpvcGVuc2VzYW1l"), None);
        assert_eq!(t.credentials(""), None);
    }

    #[test]
    fn challenges_quote_their_parameters() {
        let t = TokenType::Bearer;
        assert_eq!(t.challenge(&[]), "Bearer");
        assert_eq!(t.challenge(&[("realm", "r")]), r#"Bearer realm="r""#);
        assert_eq!(
            t.challenge(&[("realm", "r"), ("error", "invalid_token")]),
            r#"Bearer realm="r", error="invalid_token""#
        );
        assert_eq!(
            t.challenge(&[("error_description", r#"a "b" \ c"#)]),
            r#"Bearer error_description="a \"b\" \\ c""#
        );
        // What oauthctl's own parser reads back.
        let parsed = crate::oauth::www_authenticate::parse(&t.challenge(&[
            ("error", "invalid_token"),
            ("error_description", r#"x "y""#),
        ]));
        assert!(t.is_scheme(&parsed[0].scheme));
        assert_eq!(parsed[0].param("error_description"), Some(r#"x "y""#));
    }

    #[test]
    fn serde_uses_the_token_type_value() {
        assert_eq!(
            serde_json::to_string(&TokenType::Bearer).unwrap(),
            "\"Bearer\""
        );
        for ok in ["\"Bearer\"", "\"bearer\""] {
            assert_eq!(
                serde_json::from_str::<TokenType>(ok).unwrap(),
                TokenType::Bearer
            );
        }
        let e = serde_json::from_str::<TokenType>("\"SECRETVALUE\"").unwrap_err();
        assert!(!e.to_string().contains("SECRETVALUE"), "{e}");
    }
}
