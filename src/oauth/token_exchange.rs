//! Token exchange (RFC 8693): the token type identifiers (§3) with the short names the
//! command line takes, and the check of what an exchange answered (§2.2.1: the
//! `issued_token_type` is required, and a token of another type than the one requested is
//! refused).
//!
//! Pure: no I/O.

/// The prefix of the token type URIs RFC 8693 §3 registers.
const PREFIX: &str = "urn:ietf:params:oauth:token-type:";
/// An OAuth 2.0 access token (RFC 8693 §3).
pub const ACCESS_TOKEN: &str = "urn:ietf:params:oauth:token-type:access_token";
/// An OAuth 2.0 refresh token.
pub const REFRESH_TOKEN: &str = "urn:ietf:params:oauth:token-type:refresh_token";
/// An OpenID Connect ID token.
pub const ID_TOKEN: &str = "urn:ietf:params:oauth:token-type:id_token";
/// A JWT (RFC 7519).
pub const JWT: &str = "urn:ietf:params:oauth:token-type:jwt";
/// The `token_type` of an issued token that is not an access token (RFC 8693 §2.2.1).
pub const NOT_APPLICABLE: &str = "N_A";

/// The short names the command line takes for the registered types.
pub const SHORT_NAMES: [&str; 6] = [
    "access_token",
    "refresh_token",
    "id_token",
    "jwt",
    "saml1",
    "saml2",
];

/// The longest token type identifier accepted.
const MAX_URI: usize = 256;

/// The token type URI for `name`: a short name (`access_token`, `id_token`, `jwt`, …) or an
/// absolute URI as it is (RFC 8693 §3 lets deployments define their own).
pub fn token_type_uri(name: &str) -> Result<String, String> {
    if SHORT_NAMES.contains(&name) {
        return Ok(format!("{PREFIX}{name}"));
    }
    let absolute = url::Url::parse(name).is_ok()
        && name.len() <= MAX_URI
        && name.bytes().all(|b| b.is_ascii_graphic());
    if absolute {
        Ok(name.to_owned())
    } else {
        Err(format!(
            "a token type is one of {} or an absolute URI such as {ACCESS_TOKEN}",
            SHORT_NAMES.join(", ")
        ))
    }
}

/// The short name of a registered token type URI, else the URI itself (for messages).
pub fn short_name(uri: &str) -> &str {
    uri.strip_prefix(PREFIX)
        .filter(|s| SHORT_NAMES.contains(s))
        .unwrap_or(uri)
}

/// What is wrong with the `issued_token_type` of an exchange's answer, if anything: none
/// (RFC 8693 §2.2.1 requires it), or another type than `requested`.
pub fn check_issued(issued: Option<&str>, requested: Option<&str>) -> Result<(), String> {
    let Some(issued) = issued else {
        return Err(
            "the token exchange response has no `issued_token_type` (RFC 8693 §2.2.1 \
             requires one), so what it issued is unknown; nothing is stored"
                .to_owned(),
        );
    };
    if let Some(wanted) = requested
        && wanted != issued
    {
        return Err(format!(
            "the token exchange was asked for {} and issued {}; nothing is stored",
            short_name(wanted),
            crate::text::sanitize::line(short_name(issued))
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_names_and_uris() {
        assert_eq!(token_type_uri("access_token").unwrap(), ACCESS_TOKEN);
        assert_eq!(token_type_uri("id_token").unwrap(), ID_TOKEN);
        assert_eq!(token_type_uri("jwt").unwrap(), JWT);
        assert_eq!(token_type_uri("refresh_token").unwrap(), REFRESH_TOKEN);
        assert_eq!(token_type_uri(ID_TOKEN).unwrap(), ID_TOKEN);
        assert_eq!(
            token_type_uri("https://tokens.example/kerberos").unwrap(),
            "https://tokens.example/kerberos"
        );
        for bad in ["", "access token", "bearer", "urn:x y", "id-token"] {
            let e = token_type_uri(bad).unwrap_err();
            assert!(
                e.contains("access_token, refresh_token, id_token, jwt"),
                "{e}"
            );
        }
        assert!(token_type_uri(&format!("urn:{}", "x".repeat(300))).is_err());
        assert_eq!(short_name(JWT), "jwt");
        assert_eq!(short_name("urn:other:thing"), "urn:other:thing");
    }

    #[test]
    fn the_issued_type_is_required_and_must_be_the_requested_one() {
        check_issued(Some(ID_TOKEN), Some(ID_TOKEN)).unwrap();
        check_issued(Some(ID_TOKEN), None).unwrap();
        let e = check_issued(Some(JWT), Some(ID_TOKEN)).unwrap_err();
        assert!(e.contains("asked for id_token and issued jwt"), "{e}");
        let e = check_issued(None, None).unwrap_err();
        assert!(e.contains("no `issued_token_type`"), "{e}");
    }
}
