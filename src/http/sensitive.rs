//! Which names carry secrets: form fields, JSON members and headers, in either direction.
//! One rule for both uses: a sensitive value is redacted in `-v` traces, and `call` never
//! sends a sensitive header to another origin after a redirect.

/// Form fields, headers and JSON members whose values are secrets.
const SECRET_NAMES: &[&str] = &[
    "access_token",
    "refresh_token",
    "id_token",
    "code",
    "code_verifier",
    "client_secret",
    "client_assertion",
    "assertion",
    "device_code",
    "token",
    "subject_token",
    "actor_token",
    "password",
    "authorization",
    "cookie",
    "set-cookie",
    "proxy-authorization",
];

/// Whether a field, header or member called `name` carries a secret.
pub fn is_secret_name(name: &str) -> bool {
    SECRET_NAMES.iter().any(|s| s.eq_ignore_ascii_case(name))
}

/// Header names that always carry credentials (a DPoP proof, RFC 9449 §4.1, is one: it
/// proves the key for one request, and stays out of traces and other origins with the
/// token it goes with).
const CREDENTIAL_HEADERS: &[&str] = &[
    "authorization",
    "proxy-authorization",
    "cookie",
    "set-cookie",
    "x-api-key",
    "dpop",
];
/// A header whose name contains one of these is treated as a credential too
/// (`X-Auth-Token`, `Api-Key`, `X-Session-Id`, `X-Amz-Security-Token`, …).
const SECRET_WORDS: &[&str] = &[
    "auth",
    "token",
    "secret",
    "key",
    "cookie",
    "session",
    "password",
    "credential",
    "signature",
];
/// Challenges name a scheme and describe an error; they carry no credential
/// (RFC 9110 §11.6.1, §11.7.1), and `call` explains them.
const CHALLENGE_HEADERS: &[&str] = &["www-authenticate", "proxy-authenticate"];

/// Whether a header named `name` is sensitive, in either direction: its value is redacted
/// in `-v` traces, and `call` never sends it to another origin after a redirect.
pub fn is_sensitive_header(name: &str) -> bool {
    let n = name.to_ascii_lowercase();
    if CHALLENGE_HEADERS.contains(&n.as_str()) {
        return false;
    }
    CREDENTIAL_HEADERS.contains(&n.as_str()) || SECRET_WORDS.iter().any(|w| n.contains(w))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sensitive_header_names() {
        for n in [
            "Authorization",
            "Cookie",
            "x-api-key",
            "X-Auth-Token",
            "Api-Key",
            "X-Session-Id",
            "Proxy-Authorization",
            "DPoP",
            "dpop",
        ] {
            assert!(is_sensitive_header(n), "{n}");
        }
        // A server's nonce is a public challenge value.
        assert!(!is_sensitive_header("DPoP-Nonce"));
        assert!(is_secret_name("client_assertion"));
        for n in [
            "Accept",
            "Content-Type",
            "X-Request-Id",
            "User-Agent",
            "Keep-Alive",
            "WWW-Authenticate",
            "DPoP-Nonce",
        ] {
            assert!(!is_sensitive_header(n), "{n}");
        }
    }
}
