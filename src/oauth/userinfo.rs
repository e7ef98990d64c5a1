//! Reading a userinfo response (OIDC Core §5.3.2, RFC 6750 §3, security C47): the claims
//! are a JSON object with a non-empty string `sub`, and that `sub` must be the ID token's;
//! otherwise the values belong to someone else (a token substitution or a confused
//! server) and are refused. An error is told by the `WWW-Authenticate` challenge of the
//! token's scheme; a redirect is never followed; a signed or encrypted answer
//! (`application/jwt`) is not read.
//!
//! Pure: no I/O.

use serde_json::{Map, Value};

use super::errors::{EndpointError, OAuthErrorResponse};
use super::jwt;
use super::secret::IdToken;
use super::strict_json;
use super::token_type::TokenType;
use super::www_authenticate;

/// The parts of a userinfo answer the rules read.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Answer<'a> {
    pub status: u16,
    /// The `Content-Type` without parameters, lowercase.
    pub media_type: &'a str,
    /// The `WWW-Authenticate` header values.
    pub challenges: &'a [&'a str],
    pub body: &'a [u8],
}

/// The claims of a userinfo answer to a request made with a `token_type` token, or why
/// there are none: the challenge's OAuth error, or a malformed, signed or subject-less
/// answer. `endpoint` names the endpoint in messages.
pub(crate) fn claims(
    answer: &Answer<'_>,
    token_type: TokenType,
    endpoint: &str,
) -> Result<Map<String, Value>, EndpointError> {
    if (300..400).contains(&answer.status) {
        return Err(EndpointError::Malformed(format!(
            "the userinfo endpoint {endpoint} answered with a redirect (HTTP {}); not following it",
            answer.status
        )));
    }
    if answer.status != 200 {
        let challenge =
            www_authenticate::challenge_for(token_type, answer.challenges.iter().copied());
        if let Some(error) = challenge.as_ref().and_then(|c| c.param("error")) {
            return Err(EndpointError::OAuth(OAuthErrorResponse {
                error: error.to_owned(),
                error_description: challenge
                    .as_ref()
                    .and_then(|c| c.param("error_description"))
                    .map(str::to_owned),
                error_uri: None,
            }));
        }
        return Err(EndpointError::Malformed(format!(
            "the userinfo endpoint {endpoint} answered HTTP {}",
            answer.status
        )));
    }
    if answer.media_type == "application/jwt" {
        return Err(EndpointError::Malformed(
            "the userinfo endpoint sent a signed or encrypted response (application/jwt), \
             which oauthctl does not read yet"
                .to_owned(),
        ));
    }
    let claims = strict_json::object_from_slice(answer.body).map_err(|e| {
        EndpointError::Malformed(format!(
            "the userinfo endpoint {endpoint} did not answer with a JSON object: {e}"
        ))
    })?;
    match claims.get("sub") {
        Some(Value::String(s)) if !s.is_empty() => Ok(claims),
        _ => Err(EndpointError::Malformed(
            "the userinfo response has no string `sub`; refusing its claims".to_owned(),
        )),
    }
}

/// C47: the userinfo `sub` must be the ID token's (OIDC Core §5.3.2).
pub(crate) fn check_subject(
    claims: &Map<String, Value>,
    id_token: &IdToken,
) -> Result<(), EndpointError> {
    let id_sub = jwt::parse(id_token.expose())
        .ok()
        .and_then(|jws| {
            jws.claims
                .get("sub")
                .and_then(Value::as_str)
                .map(str::to_owned)
        })
        .ok_or_else(|| {
            EndpointError::Malformed("the cached ID token has no readable `sub`".to_owned())
        })?;
    match claims.get("sub").and_then(Value::as_str) {
        Some(sub) if sub == id_sub => Ok(()),
        _ => Err(EndpointError::Malformed(
            "the userinfo `sub` differs from the ID token's `sub`; refusing the userinfo claims \
             (OIDC Core §5.3.2)"
                .to_owned(),
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn answer<'a>(status: u16, challenges: &'a [&'a str], body: &'a str) -> Answer<'a> {
        Answer {
            status,
            media_type: "application/json",
            challenges,
            body: body.as_bytes(),
        }
    }

    fn run(a: &Answer<'_>) -> Result<Map<String, Value>, EndpointError> {
        claims(a, TokenType::Bearer, "e")
    }

    fn id_token(sub: &str) -> IdToken {
        use base64::Engine as _;
        let e = |v: &str| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(v);
        IdToken::new(format!(
            "{}.{}.c2ln",
            e(r#"{"alg":"ES256"}"#),
            e(&format!(r#"{{"sub":"{sub}"}}"#))
        ))
    }

    fn malformed<T>(r: &Result<T, EndpointError>) -> bool {
        matches!(r, Err(EndpointError::Malformed(_)))
    }

    #[test]
    fn subject_must_match_the_id_token_c47() {
        let claims = run(&answer(200, &[], r#"{"sub":"alice","email":"a@x"}"#)).unwrap();
        assert!(check_subject(&claims, &id_token("alice")).is_ok());
        assert!(malformed(&check_subject(&claims, &id_token("bob"))));
        assert!(malformed(&check_subject(
            &claims,
            &IdToken::new("not-a-jwt")
        )));
    }

    #[test]
    fn answers_without_a_usable_subject_are_refused() {
        for body in [
            r#"{"email":"a@x"}"#,
            r#"{"sub":1}"#,
            r#"{"sub":""}"#,
            "[]",
            "nope",
            r#"{"sub":"a","sub":"b"}"#,
        ] {
            assert!(malformed(&run(&answer(200, &[], body))), "{body}");
        }
        let jwt = Answer {
            media_type: "application/jwt",
            ..answer(200, &[], "a.b.c")
        };
        assert!(malformed(&run(&jwt)));
        assert!(malformed(&run(&answer(500, &[], ""))));
        assert!(malformed(&run(&answer(302, &[], ""))));
    }

    #[test]
    fn the_challenge_of_the_token_scheme_names_the_error() {
        let challenges = [
            r#"Basic realm="x""#,
            r#"Bearer error="invalid_token", error_description="expired""#,
        ];
        match run(&answer(401, &challenges, "")) {
            Err(EndpointError::OAuth(e)) => {
                assert_eq!(e.error, "invalid_token");
                assert_eq!(e.error_description.as_deref(), Some("expired"));
            }
            other => panic!("{other:?}"),
        }
        // A challenge of another scheme says nothing about this token.
        assert!(malformed(&run(&answer(
            401,
            &[r#"Basic error="invalid_token""#],
            ""
        ))));
    }
}
