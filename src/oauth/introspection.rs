//! Reading a token introspection response (RFC 7662 §2.2, security C60): a JSON object
//! with HTTP 200; an OAuth error means an error even with HTTP 200; a redirect is never
//! followed. `active` counts only when it is the JSON value `true` (not `"true"`, not `1`),
//! and the other members of an inactive answer are ignored: they describe nothing.
//!
//! Pure: no I/O.

use serde_json::{Map, Value};

use super::errors::EndpointError;
use super::strict_json;
use super::token_response::oauth_error;

/// A well-formed introspection answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Introspection {
    doc: Map<String, Value>,
}

impl Introspection {
    /// Reads the answer of the introspection endpoint (`endpoint` names it in messages).
    pub(crate) fn parse(status: u16, body: &[u8], endpoint: &str) -> Result<Self, EndpointError> {
        if (300..400).contains(&status) {
            return Err(EndpointError::Malformed(format!(
                "the introspection endpoint {endpoint} answered with a redirect (HTTP {status}); not following it"
            )));
        }
        let doc = strict_json::object_from_slice(body);
        if let Some(err) = doc.as_ref().ok().and_then(oauth_error) {
            return Err(EndpointError::OAuth(err));
        }
        match doc {
            Ok(doc) if status == 200 => Ok(Self { doc }),
            Ok(_) => Err(EndpointError::Malformed(format!(
                "the introspection endpoint {endpoint} answered HTTP {status}"
            ))),
            Err(e) => Err(EndpointError::Malformed(format!(
                "the introspection endpoint {endpoint} (HTTP {status}) did not answer with a JSON object: {e}"
            ))),
        }
    }

    /// Whether the token is active: only `"active": true` itself says so (C60).
    pub(crate) fn is_active(&self) -> bool {
        self.doc.get("active") == Some(&Value::Bool(true))
    }

    /// What the answer says about an active token: every member; `None` for an inactive
    /// one, whose other members must not be believed.
    pub(crate) fn active_claims(&self) -> Option<&Map<String, Value>> {
        self.is_active().then_some(&self.doc)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn answer(text: &str) -> Introspection {
        Introspection::parse(200, text.as_bytes(), "e").unwrap()
    }

    #[test]
    fn only_json_true_is_active_c60() {
        let active = answer(r#"{"active":true,"sub":"alice"}"#);
        assert!(active.is_active());
        assert_eq!(active.active_claims().unwrap()["sub"], "alice");
        for d in [
            r#"{"active":"true"}"#,
            r#"{"active":1}"#,
            "{}",
            r#"{"active":false,"sub":"x"}"#,
            r#"{"active":null}"#,
            r#"{"active":[true]}"#,
            r#"{"active":"true","sub":"mallory","scope":"admin"}"#,
        ] {
            let a = answer(d);
            assert!(!a.is_active(), "{d}");
            assert_eq!(a.active_claims(), None, "{d}");
        }
    }

    #[test]
    fn errors_and_malformed_answers() {
        let parse = |status: u16, body: &[u8]| Introspection::parse(status, body, "e");
        assert!(matches!(
            parse(401, br#"{"error":"invalid_client"}"#),
            Err(EndpointError::OAuth(e)) if e.is("invalid_client")
        ));
        // An error with HTTP 200 is still an error.
        assert!(matches!(
            parse(200, br#"{"error":"invalid_request"}"#),
            Err(EndpointError::OAuth(_))
        ));
        for (status, body) in [
            (200, &b"nope"[..]),
            (500, b"{}"),
            (302, b""),
            (200, b"[true]"),
            (200, br#"{"active":true,"active":true}"#),
        ] {
            assert!(
                matches!(parse(status, body), Err(EndpointError::Malformed(_))),
                "{status}"
            );
        }
        assert!(matches!(
            parse(302, b""),
            Err(EndpointError::Malformed(m)) if m.contains("redirect")
        ));
        assert!(parse(200, br#"{"active":false}"#).is_ok());
    }
}
