//! `userinfo`: the OpenID Connect userinfo claims (OIDC Core §5.3) for the profile's login.
//!
//! The access token goes in the `Authorization` header, never the query (RFC 6750 §2.3). The
//! response's `sub` must equal the cached ID token's `sub`; otherwise the values belong to
//! someone else (a token substitution or a confused server) and are refused with exit 5
//! (OIDC Core §5.3.2, security C47).

use reqwest::header::{self, HeaderValue};
use serde_json::{Map, Value};

use crate::error::{Error, Result};
use crate::http::{self, MAX_PROTOCOL_BODY};
use crate::oauth::errors::OAuthErrorResponse;
use crate::oauth::jwt;
use crate::oauth::strict_json;
use crate::oauth::url_policy;
use crate::oauth::www_authenticate;
use crate::output::{Outcome, Report, Theme, json as out_json};

use super::Context;
use super::session::{Session, provider, replace_rejected, usable_tokens};

/// Refresh first when the token expires within this time.
const MIN_TTL: std::time::Duration = std::time::Duration::from_secs(60);

/// Runs `userinfo`.
pub(crate) fn run(ctx: &Context<'_>) -> Result<Outcome> {
    let session = Session::open(ctx)?;
    let mut tokens = usable_tokens(ctx, &session, MIN_TTL)?;
    let (_, resolved) = provider(ctx, Some(&session.entry.issuer))?;
    let raw = resolved.require(
        "userinfo_endpoint",
        resolved.endpoints.userinfo_endpoint.as_ref(),
    )?;
    let http = ctx.http()?;
    let endpoint = http.checked_url(raw)?;
    let mut resp = get(http, &endpoint, tokens.access_token.expose())?;
    if resp.status == 401 && invalid_token(&resp) {
        let rejected = tokens.access_token.expose().to_owned();
        tokens = replace_rejected(ctx, &session, &rejected)?;
        resp = get(http, &endpoint, tokens.access_token.expose())?;
    }
    let claims = interpret(&resp, &url_policy::display_base(&endpoint))?;
    match tokens.id_token.as_ref() {
        Some(id) => check_subject(&claims, id.expose())?,
        None => ctx.ui.warn(
            "the cached login has no ID token, so the userinfo `sub` cannot be checked against it",
        ),
    }
    Ok(Outcome::report(UserinfoReport(claims)))
}

fn get(http: &http::HttpClient, endpoint: &url::Url, token: &str) -> Result<http::Response> {
    let mut bearer = HeaderValue::from_str(&format!("Bearer {token}")).map_err(|_| {
        Error::Other("the cached access token cannot be sent in a header".to_owned())
    })?;
    bearer.set_sensitive(true);
    let mut headers = header::HeaderMap::new();
    headers.insert(header::ACCEPT, HeaderValue::from_static("application/json"));
    headers.insert(header::AUTHORIZATION, bearer);
    http.trace_request("GET", endpoint, &headers, None);
    let req = http
        .client_for(endpoint)?
        .get(endpoint.clone())
        .headers(headers);
    http.send(req, endpoint, MAX_PROTOCOL_BODY)
}

fn invalid_token(resp: &http::Response) -> bool {
    www_authenticate::bearer_error(
        resp.headers
            .get_all(header::WWW_AUTHENTICATE)
            .iter()
            .filter_map(|v| v.to_str().ok()),
    )
    .is_some_and(|e| e == "invalid_token")
}

/// The claims, or why there are none: an RFC 6750 error (exit 4), or a malformed, signed
/// or subject-less answer (exit 5).
fn interpret(resp: &http::Response, endpoint: &str) -> Result<Map<String, Value>> {
    if resp.is_redirect() {
        return Err(Error::BadResponse(format!(
            "the userinfo endpoint {endpoint} answered with a redirect (HTTP {}); not following it",
            resp.status
        )));
    }
    if resp.status != 200 {
        let challenge = resp
            .headers
            .get_all(header::WWW_AUTHENTICATE)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(www_authenticate::parse)
            .find(|c| c.scheme.eq_ignore_ascii_case("bearer"));
        if let Some(error) = challenge.as_ref().and_then(|c| c.param("error")) {
            return Err(Error::Rejected(OAuthErrorResponse {
                error: error.to_owned(),
                error_description: challenge
                    .as_ref()
                    .and_then(|c| c.param("error_description"))
                    .map(str::to_owned),
                error_uri: None,
            }));
        }
        return Err(Error::BadResponse(format!(
            "the userinfo endpoint {endpoint} answered HTTP {}",
            resp.status
        )));
    }
    if resp.media_type() == "application/jwt" {
        return Err(Error::BadResponse(
            "the userinfo endpoint sent a signed or encrypted response (application/jwt), \
             which oauthctl does not read yet"
                .to_owned(),
        ));
    }
    let claims = strict_json::object_from_slice(&resp.body).map_err(|e| {
        Error::BadResponse(format!(
            "the userinfo endpoint {endpoint} did not answer with a JSON object: {e}"
        ))
    })?;
    match claims.get("sub") {
        Some(Value::String(s)) if !s.is_empty() => Ok(claims),
        _ => Err(Error::BadResponse(
            "the userinfo response has no string `sub`; refusing its claims".to_owned(),
        )),
    }
}

/// C47: the userinfo `sub` must be the ID token's.
fn check_subject(claims: &Map<String, Value>, id_token: &str) -> Result<()> {
    let id_sub = jwt::parse(id_token)
        .ok()
        .and_then(|jws| {
            jws.claims
                .get("sub")
                .and_then(Value::as_str)
                .map(str::to_owned)
        })
        .ok_or_else(|| {
            Error::BadResponse("the cached ID token has no readable `sub`".to_owned())
        })?;
    match claims.get("sub").and_then(Value::as_str) {
        Some(sub) if sub == id_sub => Ok(()),
        _ => Err(Error::BadResponse(
            "the userinfo `sub` differs from the ID token's `sub`; refusing the userinfo claims \
             (OIDC Core §5.3.2)"
                .to_owned(),
        )),
    }
}

/// The claims.
#[derive(Debug)]
struct UserinfoReport(Map<String, Value>);

impl Report for UserinfoReport {
    fn to_json(&self) -> Value {
        Value::Object(self.0.clone())
    }

    fn human(&self, _theme: Theme) -> String {
        out_json::to_string(&self.0, true)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn response(status: u16, headers: &[(&str, &str)], body: &str) -> http::Response {
        let mut map = reqwest::header::HeaderMap::new();
        for (k, v) in headers {
            map.append(
                reqwest::header::HeaderName::from_bytes(k.as_bytes()).unwrap(),
                HeaderValue::from_str(v).unwrap(),
            );
        }
        http::Response {
            status,
            headers: map,
            body: body.as_bytes().to_vec(),
            url: url::Url::parse("https://as.example/userinfo").unwrap(),
        }
    }

    fn id_token(sub: &str) -> String {
        use base64::Engine as _;
        let e = |v: &str| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(v);
        format!(
            "{}.{}.c2ln",
            e(r#"{"alg":"ES256"}"#),
            e(&format!(r#"{{"sub":"{sub}"}}"#))
        )
    }

    #[test]
    fn subject_must_match_the_id_token_c47() {
        let claims =
            interpret(&response(200, &[], r#"{"sub":"alice","email":"a@x"}"#), "e").unwrap();
        assert!(check_subject(&claims, &id_token("alice")).is_ok());
        assert_eq!(
            check_subject(&claims, &id_token("bob"))
                .unwrap_err()
                .exit_code(),
            5
        );
        assert_eq!(
            check_subject(&claims, "not-a-jwt").unwrap_err().exit_code(),
            5
        );
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
            assert_eq!(
                interpret(&response(200, &[], body), "e")
                    .unwrap_err()
                    .exit_code(),
                5,
                "{body}"
            );
        }
        let jwt = response(200, &[("content-type", "application/jwt")], "a.b.c");
        assert_eq!(interpret(&jwt, "e").unwrap_err().exit_code(), 5);
        let e = interpret(
            &response(
                401,
                &[(
                    "www-authenticate",
                    r#"Bearer error="invalid_token", error_description="expired""#,
                )],
                "",
            ),
            "e",
        )
        .unwrap_err();
        assert_eq!(e.exit_code(), 4);
        assert_eq!(
            interpret(&response(500, &[], ""), "e")
                .unwrap_err()
                .exit_code(),
            5
        );
        assert_eq!(
            interpret(&response(302, &[], ""), "e")
                .unwrap_err()
                .exit_code(),
            5
        );
    }
}
