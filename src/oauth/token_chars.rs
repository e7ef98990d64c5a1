//! Which characters a token may hold (RFC 6749 Appendix A), checked wherever a token enters:
//! a token response, and a cached set written by an older release.

/// Which characters a token value may hold (RFC 6749 Appendix A).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenSyntax {
    /// Visible ASCII (`%x21-7E`): access tokens, ID tokens, the token type. RFC 6749 A.12
    /// allows a space in an access token (VSCHAR), but a Bearer credential (RFC 6750 §2.1,
    /// b64token) and a JWS compact serialization have none, and a token with one cannot be
    /// sent as `Authorization: Bearer …`.
    Visible,
    /// Visible ASCII or space (`%x20-7E`, VSCHAR): refresh tokens (RFC 6749 A.17), which
    /// only ever travel in a form body.
    VisibleOrSpace,
}

/// Why a token value is refused. Never quotes the value.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum TokenCharError {
    /// CR, LF, NUL, ESC, DEL and the like: header injection and terminal escapes.
    #[error("contains a control character (0x{0:02x})")]
    Control(u32),
    /// A space where the syntax has none.
    #[error("contains a space")]
    Space,
    /// Anything outside ASCII.
    #[error("contains a non-ASCII character")]
    NonAscii,
}

/// Checks that `value` has only the characters `syntax` allows. A token holding CR or LF
/// would otherwise smuggle header lines (and a second request) through
/// `curl -H "$(oauthctl token --format header)"`, and one holding ESC would drive the
/// terminal it is printed on.
pub fn check_token_chars(value: &str, syntax: TokenSyntax) -> Result<(), TokenCharError> {
    for c in value.chars() {
        match c {
            '\u{21}'..='\u{7e}' => {}
            ' ' if syntax == TokenSyntax::VisibleOrSpace => {}
            ' ' => return Err(TokenCharError::Space),
            c if c.is_control() => return Err(TokenCharError::Control(u32::from(c))),
            _ => return Err(TokenCharError::NonAscii),
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn token_characters_are_visible_ascii() {
        use TokenSyntax::{Visible, VisibleOrSpace};
        // Real tokens: JWTs, opaque base64, Facebook's `app|secret`, GitHub's `gho_…`.
        for ok in [
            "eyJ.eyJ.sig",
            "ya29.a0Af-_~+/=",
            "123|abc",
            "gho_16C7e42F292c69",
        ] {
            assert_eq!(check_token_chars(ok, Visible), Ok(()), "{ok}");
        }
        assert_eq!(check_token_chars("a b", VisibleOrSpace), Ok(()));
        assert_eq!(
            check_token_chars("a b", Visible),
            Err(TokenCharError::Space)
        );
        for (bad, code) in [
            ("a\rb", 0x0d),
            ("a\nb", 0x0a),
            ("a\0", 0),
            ("\u{1b}[2J", 0x1b),
        ] {
            for syntax in [Visible, VisibleOrSpace] {
                assert_eq!(
                    check_token_chars(bad, syntax),
                    Err(TokenCharError::Control(code))
                );
            }
        }
        assert_eq!(
            check_token_chars("a\u{7f}", Visible),
            Err(TokenCharError::Control(0x7f))
        );
        assert_eq!(
            check_token_chars("a\u{85}", Visible),
            Err(TokenCharError::Control(0x85))
        );
        assert_eq!(
            check_token_chars("tökén", Visible),
            Err(TokenCharError::NonAscii)
        );
        assert_eq!(
            check_token_chars("a\u{202e}", Visible),
            Err(TokenCharError::NonAscii)
        );
    }
}
