//! Pushed authorization requests (RFC 9126): the client POSTs the authorization request's
//! parameters to the PAR endpoint (with client authentication, and `client_id` always in
//! the body: it is an authorization request parameter there), gets a `request_uri`, and the
//! browser is sent to the authorization endpoint with only `client_id` and `request_uri`.
//!
//! Pure: the answer's rules and the front-channel URL; `flow::authcode` sends the request.

use serde_json::Value;
use url::Url;

use super::errors::EndpointError;
use super::strict_json;
use super::token_response::oauth_error;

/// The longest `request_uri` oauthctl puts in a URL.
pub const MAX_REQUEST_URI_LEN: usize = 2048;

/// A successful PAR answer (RFC 9126 §2.2).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pushed {
    /// The reference to the pushed request.
    pub request_uri: String,
    /// Its lifetime in seconds, as the server stated it.
    pub expires_in: u64,
}

/// Reads the PAR endpoint's answer: `201 {"request_uri", "expires_in"}` (200 is accepted
/// too), an OAuth error response (also with a 2xx status), or a malformed answer.
pub fn parse(status: u16, body: &[u8]) -> Result<Pushed, EndpointError> {
    if (300..400).contains(&status) {
        return Err(EndpointError::Malformed(format!(
            "the PAR endpoint answered a redirect (HTTP {status}); it is not followed"
        )));
    }
    let obj = strict_json::object_from_slice(body).map_err(|e| {
        EndpointError::Malformed(format!(
            "the PAR endpoint answered HTTP {status} without a JSON object: {e}"
        ))
    })?;
    if let Some(err) = oauth_error(&obj) {
        return Err(EndpointError::OAuth(err));
    }
    if !(200..300).contains(&status) {
        return Err(EndpointError::Malformed(format!(
            "the PAR endpoint answered HTTP {status} without an OAuth error"
        )));
    }
    let request_uri = match obj.get("request_uri") {
        Some(Value::String(s)) => s.clone(),
        Some(_) => {
            return Err(EndpointError::Malformed(
                "`request_uri` in the PAR answer is not a string".to_owned(),
            ));
        }
        None => {
            return Err(EndpointError::Malformed(
                "the PAR answer has no `request_uri`".to_owned(),
            ));
        }
    };
    // A URI of visible ASCII (RFC 3986), as it goes into the browser's URL.
    if request_uri.is_empty()
        || request_uri.len() > MAX_REQUEST_URI_LEN
        || !request_uri.bytes().all(|b| b.is_ascii_graphic())
    {
        return Err(EndpointError::Malformed(
            "the PAR answer's `request_uri` is not a URI".to_owned(),
        ));
    }
    let expires_in = match obj.get("expires_in") {
        Some(Value::Number(n)) => n.as_u64().ok_or_else(|| {
            EndpointError::Malformed("`expires_in` in the PAR answer is not a whole number".into())
        })?,
        _ => {
            return Err(EndpointError::Malformed(
                "the PAR answer has no numeric `expires_in`".to_owned(),
            ));
        }
    };
    Ok(Pushed {
        request_uri,
        expires_in,
    })
}

/// The URL the browser opens for a pushed request: the authorization endpoint (with any
/// query it has of its own) plus `client_id` and `request_uri` only (RFC 9126 §4).
pub fn authorization_url(endpoint: &Url, client_id: &str, request_uri: &str) -> Url {
    let mut url = endpoint.clone();
    url.query_pairs_mut()
        .append_pair("client_id", client_id)
        .append_pair("request_uri", request_uri);
    url
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::*;

    #[test]
    fn a_pushed_request_is_read() {
        // node-oidc-provider's answer.
        let p = parse(
            201,
            br#"{"expires_in":60,"request_uri":"urn:ietf:params:oauth:request_uri:3Pcx"}"#,
        )
        .unwrap();
        assert_eq!(p.request_uri, "urn:ietf:params:oauth:request_uri:3Pcx");
        assert_eq!(p.expires_in, 60);
        assert!(parse(200, br#"{"expires_in":90,"request_uri":"urn:x"}"#).is_ok());
    }

    #[test]
    fn errors_and_malformed_answers() {
        let e = parse(
            400,
            br#"{"error":"invalid_request","error_description":"redirect_uri did not match"}"#,
        )
        .unwrap_err();
        assert!(matches!(&e, EndpointError::OAuth(o) if o.is("invalid_request")));
        let e = parse(201, br#"{"error":"use_dpop_nonce"}"#).unwrap_err();
        assert!(matches!(&e, EndpointError::OAuth(o) if o.is("use_dpop_nonce")));
        for (status, body) in [
            (302, &b""[..]),
            (201, b"not json"),
            (201, br#"{"expires_in":60}"#),
            (201, br#"{"request_uri":5,"expires_in":60}"#),
            (201, br#"{"request_uri":"urn:x"}"#),
            (201, br#"{"request_uri":"urn:x","expires_in":-1}"#),
            (201, br#"{"request_uri":"urn:x y","expires_in":60}"#),
            (201, br#"{"request_uri":"","expires_in":60}"#),
            (
                201,
                br#"{"request_uri":"urn:x","request_uri":"urn:y","expires_in":60}"#,
            ),
            (500, br#"{"request_uri":"urn:x","expires_in":60}"#),
        ] {
            assert!(
                matches!(parse(status, body), Err(EndpointError::Malformed(_))),
                "{status} {}",
                String::from_utf8_lossy(body)
            );
        }
    }

    #[test]
    fn the_browser_gets_client_id_and_request_uri_only() {
        let endpoint = Url::parse("https://as.example/authorize?tenant=x").unwrap();
        let url = authorization_url(&endpoint, "cli", "urn:ietf:params:oauth:request_uri:a&b");
        let q: BTreeMap<String, String> = url.query_pairs().into_owned().collect();
        assert_eq!(q.len(), 3);
        assert_eq!(q["tenant"], "x");
        assert_eq!(q["client_id"], "cli");
        assert_eq!(q["request_uri"], "urn:ietf:params:oauth:request_uri:a&b");
    }
}
