//! `userinfo`: the OpenID Connect userinfo claims (OIDC Core §5.3) for the profile's login.
//!
//! The access token goes in the `Authorization` header, never the query (RFC 6750 §2.3). The
//! response's `sub` must equal the cached ID token's `sub`; otherwise the values belong to
//! someone else (a token substitution or a confused server) and are refused with exit 5
//! (OIDC Core §5.3.2).

use reqwest::header::{self, HeaderValue};
use serde_json::{Map, Value};

use crate::error::{Error, Result};
use crate::http::{self, MAX_PROTOCOL_BODY};
use crate::oauth::dpop;
use crate::oauth::token_type::TokenType;
use crate::oauth::tokens::TokenSet;
use crate::oauth::url_policy;
use crate::oauth::userinfo::{self, Answer};
use crate::oauth::www_authenticate;
use crate::output::{Outcome, Report, Theme, json as out_json};

use super::Context;
use super::credentials;
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
    let mut resp = get(ctx, http, &endpoint, &tokens)?;
    if resp.status == 401 && invalid_token(&resp, tokens.token_type) {
        let rejected = tokens.access_token.clone();
        tokens = replace_rejected(ctx, &session, &rejected)?;
        resp = get(ctx, http, &endpoint, &tokens)?;
    }
    let claims = interpret(
        &resp,
        tokens.token_type,
        &url_policy::display_base(&endpoint),
    )?;
    match tokens.id_token.as_ref() {
        Some(id) => userinfo::check_subject(&claims, id)?,
        None => ctx.ui.warn(
            "the cached login has no ID token, so the userinfo `sub` cannot be checked against it",
        ),
    }
    Ok(Outcome::report(UserinfoReport(claims)))
}

/// GETs the userinfo endpoint with the token (and, for a DPoP-bound token, a proof with its
/// `ath`, repeated once with the server's nonce when it asks for one, RFC 9449 §9).
fn get(
    ctx: &Context<'_>,
    http: &http::HttpClient,
    endpoint: &url::Url,
    tokens: &TokenSet,
) -> Result<http::Response> {
    let dpop = credentials::resource_dpop(ctx, tokens)?;
    let mut retried = false;
    loop {
        let mut authorization =
            HeaderValue::from_str(&tokens.token_type.authorization(&tokens.access_token)).map_err(
                |_| Error::Other("the cached access token cannot be sent in a header".to_owned()),
            )?;
        authorization.set_sensitive(true);
        let mut headers = header::HeaderMap::new();
        headers.insert(header::ACCEPT, HeaderValue::from_static("application/json"));
        headers.insert(header::AUTHORIZATION, authorization);
        let mut used = None;
        if let Some(d) = &dpop {
            let proof = d.proof("GET", endpoint, Some(&tokens.access_token))?;
            headers.insert(dpop::PROOF_HEADER, proof.header);
            used = proof.nonce;
        }
        http.trace_request("GET", endpoint, &headers, None);
        let req = http
            .client_for(endpoint)?
            .get(endpoint.clone())
            .headers(headers);
        let resp = http.send(req, endpoint, MAX_PROTOCOL_BODY)?;
        if let Some(d) = &dpop {
            d.observe(endpoint, &resp.headers);
            if !retried
                && resp.status == 401
                && dpop::asks_for_nonce(challenges(&resp))
                && d.has_new_nonce(endpoint, used.as_deref())
            {
                retried = true;
                continue;
            }
        }
        return Ok(resp);
    }
}

/// The `WWW-Authenticate` values of a response.
fn challenges(resp: &http::Response) -> Vec<&str> {
    resp.headers
        .get_all(header::WWW_AUTHENTICATE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .collect()
}

fn invalid_token(resp: &http::Response, token_type: TokenType) -> bool {
    www_authenticate::challenge_for(token_type, challenges(resp))
        .is_some_and(|c| c.param("error") == Some("invalid_token"))
}

/// The claims, or why there are none: an RFC 6750 error (exit 4), or a malformed, signed
/// or subject-less answer (exit 5); the rules are [`userinfo::claims`].
fn interpret(
    resp: &http::Response,
    token_type: TokenType,
    endpoint: &str,
) -> Result<Map<String, Value>> {
    let media_type = resp.media_type();
    let challenges = challenges(resp);
    let answer = Answer {
        status: resp.status,
        media_type: &media_type,
        challenges: &challenges,
        body: &resp.body,
    };
    Ok(userinfo::claims(&answer, token_type, endpoint)?)
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

    fn interpret(resp: &http::Response) -> Result<Map<String, Value>> {
        super::interpret(resp, TokenType::Bearer, "e")
    }

    #[test]
    fn answers_map_to_exit_codes() {
        assert!(interpret(&response(200, &[], r#"{"sub":"alice"}"#)).is_ok());
        assert_eq!(
            interpret(&response(200, &[], r#"{"email":"a@x"}"#))
                .unwrap_err()
                .exit_code(),
            5
        );
        let jwt = response(200, &[("content-type", "application/jwt")], "a.b.c");
        assert_eq!(interpret(&jwt).unwrap_err().exit_code(), 5);
        let expired = response(
            401,
            &[(
                "www-authenticate",
                r#"Bearer error="invalid_token", error_description="expired""#,
            )],
            "",
        );
        assert_eq!(interpret(&expired).unwrap_err().exit_code(), 4);
        assert!(invalid_token(&expired, TokenType::Bearer));
        assert!(!invalid_token(&response(401, &[], ""), TokenType::Bearer));
        for status in [500, 302] {
            assert_eq!(
                interpret(&response(status, &[], ""))
                    .unwrap_err()
                    .exit_code(),
                5
            );
        }
    }
}
