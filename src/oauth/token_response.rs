//! Token endpoint responses (RFC 6749 §5.1, §5.2), validated before anything is stored:
//! an `error` member means an error even with HTTP 200; `access_token` and a supported
//! `token_type` ([`super::token_type`]) are required; every member must have its JSON type;
//! tokens must be visible ASCII; duplicate members, redirects and non-JSON bodies are
//! refused; `expires_in` is clamped, never overflowed.

use serde_json::{Map, Value};

use super::errors::{EndpointError, OAuthErrorResponse};
use super::expires_in::{expires_in_seconds, expiry_from};
use super::grant::Grant;
use super::secret::{AccessToken, IdToken, RefreshToken};
use super::strict_json;
use super::token_chars::{TokenSyntax, check_token_chars};
use super::token_type::TokenType;
use super::tokens::{TokenSet, normalize_scopes};

/// A validated successful token response.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TokenResponse {
    pub access_token: AccessToken,
    pub token_type: TokenType,
    /// Seconds, clamped to [`super::expires_in::MAX_EXPIRES_IN`].
    pub expires_in: Option<u64>,
    pub refresh_token: Option<RefreshToken>,
    pub id_token: Option<IdToken>,
    pub scope: Option<String>,
    /// What `access_token` holds, as a token exchange answers it (RFC 8693 §2.2.1): an
    /// access token, or another kind of token (then `token_type` may be `N_A`).
    pub issued_token_type: Option<String>,
}

impl TokenResponse {
    /// The set this response makes for `grant`, received at `now`. Without a `scope` in
    /// the response the granted scopes are `scope_if_absent` (what was requested, or held
    /// before).
    pub fn into_token_set(
        self,
        grant: Grant,
        issuer: &str,
        client_id: &str,
        scope_if_absent: &[String],
        now: i64,
    ) -> TokenSet {
        let scope = self
            .scope
            .as_deref()
            .map_or_else(|| scope_if_absent.to_vec(), |s| normalize_scopes(&[s]));
        TokenSet {
            access_token: self.access_token,
            token_type: self.token_type,
            expires_at: self.expires_in.map(|e| expiry_from(now, e)),
            refresh_token: self.refresh_token,
            id_token: self.id_token,
            scope,
            grant,
            issuer: issuer.to_owned(),
            client_id: client_id.to_owned(),
            obtained_at: now,
            dpop_key: None,
            issued_token_type: self.issued_token_type,
        }
    }
}

/// Why a token endpoint answer is not a usable token.
pub type TokenEndpointError = EndpointError;

/// Reads an optional string member; a member of another type is an error.
fn opt_str(obj: &Map<String, Value>, name: &str) -> Result<Option<String>, TokenEndpointError> {
    match obj.get(name) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.clone())),
        Some(other) => Err(TokenEndpointError::Malformed(format!(
            "`{name}` is {}, not a string",
            strict_json::kind(other)
        ))),
    }
}

/// Reads an OAuth error object, if the document is one.
pub fn oauth_error(obj: &Map<String, Value>) -> Option<OAuthErrorResponse> {
    let error = obj.get("error")?;
    let text = |v: Option<&Value>| v.and_then(Value::as_str).map(str::to_owned);
    Some(OAuthErrorResponse {
        error: error
            .as_str()
            .map_or_else(|| error.to_string(), str::to_owned),
        error_description: text(obj.get("error_description")),
        error_uri: text(obj.get("error_uri")),
    })
}

/// Parses the answer of a token endpoint.
pub fn parse(status: u16, body: &[u8]) -> Result<TokenResponse, TokenEndpointError> {
    if (300..400).contains(&status) {
        return Err(TokenEndpointError::Malformed(format!(
            "the token endpoint answered a redirect (HTTP {status}); it is not followed, so \
             no code, verifier or secret is sent elsewhere"
        )));
    }
    let obj = match strict_json::object_from_slice(body) {
        Ok(obj) => obj,
        Err(e) if (200..300).contains(&status) => {
            return Err(TokenEndpointError::Malformed(format!(
                "the token response is not a JSON object: {e}"
            )));
        }
        Err(_) => {
            return Err(TokenEndpointError::Malformed(format!(
                "the token endpoint answered HTTP {status} without an OAuth error response"
            )));
        }
    };
    // RFC 6749 §5.2, and HTTP 200 with an error too (golang TestTokenRetrieveError200).
    if let Some(err) = oauth_error(&obj) {
        return Err(TokenEndpointError::OAuth(err));
    }
    if !(200..300).contains(&status) {
        return Err(TokenEndpointError::Malformed(format!(
            "the token endpoint answered HTTP {status} without an OAuth error"
        )));
    }
    let access_token = opt_str(&obj, "access_token")?
        .filter(|t| !t.is_empty())
        .ok_or_else(|| {
            TokenEndpointError::Malformed("the response has no `access_token`".into())
        })?;
    let raw_type = opt_str(&obj, "token_type")?
        .ok_or_else(|| TokenEndpointError::Malformed("the response has no `token_type`".into()))?;
    let issued_token_type = opt_str(&obj, "issued_token_type")?.filter(|t| !t.is_empty());
    let token_type = match TokenType::parse(&raw_type) {
        Ok(t) => t,
        // RFC 8693 §2.2.1: `N_A` for an exchanged token that is not an access token (an ID
        // token, a JWT): it is presented, where an API takes it, as a bearer credential.
        Err(_)
            if raw_type.eq_ignore_ascii_case(super::token_exchange::NOT_APPLICABLE)
                && issued_token_type
                    .as_deref()
                    .is_some_and(|t| t != super::token_exchange::ACCESS_TOKEN) =>
        {
            TokenType::Bearer
        }
        Err(e) => {
            return Err(TokenEndpointError::Malformed(format!(
                "`token_type` is `{}`; {e}",
                crate::text::sanitize::line(&raw_type)
            )));
        }
    };
    let expires_in = match obj.get("expires_in") {
        None => None,
        Some(v) => {
            expires_in_seconds(v).map_err(|e| TokenEndpointError::Malformed(e.to_string()))?
        }
    };
    let refresh_token = opt_str(&obj, "refresh_token")?.filter(|t| !t.is_empty());
    let id_token = opt_str(&obj, "id_token")?.filter(|t| !t.is_empty());
    let tokens = [
        ("access_token", Some(&access_token), TokenSyntax::Visible),
        (
            "refresh_token",
            refresh_token.as_ref(),
            TokenSyntax::VisibleOrSpace,
        ),
        ("id_token", id_token.as_ref(), TokenSyntax::Visible),
    ];
    for (name, value, syntax) in tokens {
        if let Some(v) = value {
            check_token_chars(v, syntax).map_err(|e| {
                TokenEndpointError::Malformed(format!(
                    "`{name}` {e}; a token is visible ASCII (RFC 6749 Appendix A), so the \
                     response is refused and nothing is stored"
                ))
            })?;
        }
    }
    Ok(TokenResponse {
        access_token: AccessToken::new(access_token),
        token_type,
        expires_in,
        refresh_token: refresh_token.map(RefreshToken::new),
        id_token: id_token.map(IdToken::new),
        scope: opt_str(&obj, "scope")?,
        issued_token_type,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ok(body: &str) -> TokenResponse {
        parse(200, body.as_bytes()).unwrap()
    }

    fn err(status: u16, body: &str) -> TokenEndpointError {
        parse(status, body.as_bytes()).unwrap_err()
    }

    #[test]
    fn accepts_a_normal_response() {
        let r = ok(
            r#"{"access_token":"at","token_type":"bearer","expires_in":3600,"refresh_token":"rt","scope":"a b"}"#,
        );
        assert_eq!(r.token_type, TokenType::Bearer);
        assert_eq!(r.expires_in, Some(3600));
        // RFC 9449 §5: a DPoP-bound token says so.
        let d = ok(r#"{"access_token":"at","token_type":"DPoP","expires_in":60}"#);
        assert_eq!(d.token_type, TokenType::DPoP);
        assert_eq!(
            r.refresh_token.as_ref().map(RefreshToken::expose),
            Some("rt")
        );
        let dbg = format!("{r:?}");
        assert!(!dbg.contains("\"at\"") && !dbg.contains("\"rt\""), "{dbg}");
        assert!(dbg.contains("AccessToken([redacted])"), "{dbg}");
    }

    #[test]
    fn a_response_makes_the_token_set_of_its_grant() {
        let t = ok(
            r#"{"access_token":"at","token_type":"bearer","expires_in":60,"refresh_token":"rt","scope":"b a b"}"#,
        )
        .into_token_set(Grant::DeviceCode, "https://i", "c", &["x".into()], 1000);
        assert_eq!(t.grant, Grant::DeviceCode);
        assert_eq!(t.token_type, TokenType::Bearer);
        assert_eq!(t.access_token.expose(), "at");
        assert_eq!(
            t.refresh_token.as_ref().map(RefreshToken::expose),
            Some("rt")
        );
        assert_eq!((t.expires_at, t.obtained_at), (Some(1060), 1000));
        assert_eq!(t.scope, ["a", "b"]);
        assert_eq!(
            (t.issuer.as_str(), t.client_id.as_str()),
            ("https://i", "c")
        );
        // Without `scope` and `expires_in`: the scopes held before, no stated expiry.
        let t = ok(r#"{"access_token":"at","token_type":"Bearer"}"#).into_token_set(
            Grant::ClientCredentials,
            "https://i",
            "c",
            &["x".into()],
            5,
        );
        assert_eq!(t.scope, ["x"]);
        assert_eq!(
            (t.expires_at, t.refresh_token, t.id_token),
            (None, None, None)
        );
    }

    #[test]
    fn errors_are_errors_even_with_200() {
        match err(
            200,
            r#"{"error":"invalid_grant","error_description":"bad"}"#,
        ) {
            TokenEndpointError::OAuth(e) => assert_eq!(e.error, "invalid_grant"),
            other @ TokenEndpointError::Malformed(_) => panic!("{other:?}"),
        }
        assert!(matches!(
            err(400, r#"{"error":"invalid_client"}"#),
            TokenEndpointError::OAuth(_)
        ));
        assert!(matches!(
            err(500, "<html>oops</html>"),
            TokenEndpointError::Malformed(_)
        ));
        assert!(matches!(err(307, ""), TokenEndpointError::Malformed(m) if m.contains("redirect")));
    }

    #[test]
    fn rejects_missing_or_mistyped_members() {
        let cases = [
            (r#"{"token_type":"Bearer"}"#, "access_token"),
            (
                r#"{"access_token":"","token_type":"Bearer"}"#,
                "access_token",
            ),
            (r#"{"access_token":"a"}"#, "token_type"),
            (
                r#"{"access_token":"a","token_type":"mac"}"#,
                "only Bearer, DPoP",
            ),
            (
                r#"{"access_token":"a","token_type":"N_A"}"#,
                "only Bearer, DPoP",
            ),
            (
                r#"{"access_token":5,"token_type":"Bearer"}"#,
                "not a string",
            ),
            (
                r#"{"access_token":"a","token_type":"Bearer","refresh_token":{}}"#,
                "not a string",
            ),
            (
                r#"{"access_token":"a","token_type":"Bearer","expires_in":"soon"}"#,
                "expires_in",
            ),
            (
                r#"{"access_token":"a","token_type":"Bearer","expires_in":true}"#,
                "expires_in",
            ),
            (
                r#"{"access_token":"a","access_token":"b","token_type":"Bearer"}"#,
                "duplicate",
            ),
            (
                r#"{"access_token":"a","token_type":"Bearer","expires_in":1e309}"#,
                "not a JSON object",
            ),
            ("not json", "not a JSON object"),
            ("[]", "not a JSON object"),
        ];
        for (body, expect) in cases {
            let e = err(200, body).to_string();
            assert!(e.contains(expect), "{body}: {e}");
        }
    }

    #[test]
    fn tokens_with_control_characters_are_refused() {
        // CR LF in a token would inject header lines wherever it is sent.
        let body = |field: &str, value: &str| {
            let mut v = serde_json::json!({"access_token": "at", "token_type": "Bearer"});
            v[field] = serde_json::json!(value);
            v.to_string()
        };
        for (field, value) in [
            ("access_token", "at\r\nX-Injected: SECRETVALUE"),
            ("access_token", "at\u{0}SECRETVALUE"),
            ("access_token", "at SECRETVALUE"),
            ("refresh_token", "rt\u{1b}[2JSECRETVALUE"),
            ("id_token", "eyJ.eyJ.sig\nSECRETVALUE"),
            ("id_token", "eyJ.eyJ.sïg"),
        ] {
            let e = err(200, &body(field, value)).to_string();
            assert!(e.contains(&format!("`{field}`")), "{e}");
            assert!(e.contains("nothing is stored"), "{e}");
            assert!(!e.contains("SECRETVALUE"), "{e}");
        }
        // RFC 6749 A.17: a refresh token may hold a space.
        assert_eq!(
            ok(&body("refresh_token", "r t"))
                .refresh_token
                .as_ref()
                .map(RefreshToken::expose),
            Some("r t")
        );
    }

    #[test]
    fn expires_in_never_overflows() {
        let body =
            |v: &str| format!(r#"{{"access_token":"a","token_type":"Bearer","expires_in":{v}}}"#);
        assert_eq!(ok(&body("\"3600\"")).expires_in, Some(3600));
        assert_eq!(
            ok(&body("18446744073709551615")).expires_in,
            Some(crate::oauth::expires_in::MAX_EXPIRES_IN)
        );
        assert_eq!(
            ok(&body("9223372036854775808")).expires_in,
            Some(crate::oauth::expires_in::MAX_EXPIRES_IN)
        );
        assert!(err(200, &body("-1")).to_string().contains("negative"));
    }

    #[test]
    fn an_exchanged_token_that_is_not_an_access_token_has_no_token_type() {
        // RFC 8693 §2.2.1: `N_A` with an issued_token_type other than an access token.
        let r = ok(
            r#"{"access_token":"ey.x.y","token_type":"N_A","expires_in":60,
              "issued_token_type":"urn:ietf:params:oauth:token-type:id_token"}"#,
        );
        assert_eq!(r.token_type, TokenType::Bearer);
        assert_eq!(
            r.issued_token_type.as_deref(),
            Some("urn:ietf:params:oauth:token-type:id_token")
        );
        let set = r.into_token_set(Grant::TokenExchange, "https://i", "c", &[], 10);
        assert_eq!(
            set.issued_token_type.as_deref(),
            Some("urn:ietf:params:oauth:token-type:id_token")
        );
        // An access token needs a real type, and N_A alone is no type.
        for body in [
            r#"{"access_token":"at","token_type":"N_A","issued_token_type":"urn:ietf:params:oauth:token-type:access_token"}"#,
            r#"{"access_token":"at","token_type":"N_A"}"#,
        ] {
            assert!(
                matches!(parse(200, body.as_bytes()), Err(TokenEndpointError::Malformed(m)) if m.contains("N_A")),
                "{body}"
            );
        }
        assert!(matches!(
            parse(
                200,
                br#"{"access_token":"at","token_type":"Bearer","issued_token_type":7}"#
            ),
            Err(TokenEndpointError::Malformed(_))
        ));
    }
}
