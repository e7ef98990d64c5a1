//! The answer of a revocation endpoint (RFC 7009 §2.2): HTTP 200 means the token is revoked,
//! also when the server did not know it (so 200 is all a client can learn); an OAuth error
//! response (`unsupported_token_type`, `invalid_client`, …) is the server refusing, even
//! with HTTP 200; `503` asks the client to try again later (§2.2.1, with `Retry-After`);
//! anything else, redirects included, is not an answer. Pure.

use super::errors::EndpointError;
use super::strict_json;
use super::token_response::oauth_error;

/// Reads the answer of the revocation endpoint (`endpoint` names it in messages;
/// `retry_after` is the `Retry-After` header, if any).
pub(crate) fn parse(
    status: u16,
    retry_after: Option<&str>,
    body: &[u8],
    endpoint: &str,
) -> Result<(), EndpointError> {
    if (300..400).contains(&status) {
        return Err(EndpointError::Malformed(format!(
            "the revocation endpoint {endpoint} answered with a redirect (HTTP {status}); not \
             following it"
        )));
    }
    // The body of a success is to be ignored (§2.2), except an error response in it.
    let error = strict_json::object_from_slice(body)
        .ok()
        .and_then(|doc| oauth_error(&doc));
    if let Some(err) = error {
        return Err(EndpointError::OAuth(err));
    }
    match status {
        200 => Ok(()),
        503 => {
            let after = retry_after
                .map(str::trim)
                .filter(|s| !s.is_empty() && s.len() <= 64)
                .map(|s| format!("; it asks to retry after {}", time_or_seconds(s)))
                .unwrap_or_default();
            Err(EndpointError::Malformed(format!(
                "the revocation endpoint {endpoint} is unavailable (HTTP 503){after}"
            )))
        }
        other => Err(EndpointError::Malformed(format!(
            "the revocation endpoint {endpoint} answered HTTP {other} without an OAuth error"
        ))),
    }
}

/// `Retry-After` as written: seconds get their unit, a date stays a date.
fn time_or_seconds(value: &str) -> String {
    if value.bytes().all(|b| b.is_ascii_digit()) {
        format!("{value} s")
    } else {
        crate::text::sanitize::line(value).into_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn two_hundred_is_revoked_whatever_the_body() {
        for body in [&b""[..], b"{}", b"ok", b"{\"revoked\":true}"] {
            assert_eq!(parse(200, None, body, "e"), Ok(()));
        }
    }

    #[test]
    fn error_responses_are_refusals_even_with_200() {
        for status in [400, 401, 200] {
            match parse(
                status,
                None,
                br#"{"error":"unsupported_token_type","error_description":"JWT"}"#,
                "e",
            ) {
                Err(EndpointError::OAuth(e)) => {
                    assert!(e.is("unsupported_token_type"), "{status}");
                }
                other => panic!("{status}: {other:?}"),
            }
        }
    }

    #[test]
    fn unavailable_redirected_and_odd_answers_are_not_answers() {
        let e = parse(503, Some("30"), b"", "https://as.example/revoke").unwrap_err();
        assert!(e.to_string().contains("retry after 30 s"), "{e}");
        let e = parse(503, Some("\u{1b}[2J"), b"", "e").unwrap_err();
        assert!(!e.to_string().contains('\u{1b}'), "{e}");
        let e = parse(307, None, b"", "e").unwrap_err();
        assert!(e.to_string().contains("redirect"), "{e}");
        let e = parse(500, None, b"<html>", "e").unwrap_err();
        assert!(matches!(e, EndpointError::Malformed(_)));
    }
}
