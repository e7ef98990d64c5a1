//! The device authorization grant (RFC 8628): ask for a user code, show it, and poll the
//! token endpoint no faster than the server allows: at least every 5 s (or `interval`), 5 s
//! slower after each `slow_down`, exponentially slower while the network fails; stop on
//! `access_denied`, `expired_token`, any other error, or when the code expires.

use std::time::{Duration, Instant};

use reqwest::header::HeaderMap;
use serde_json::Value;

use crate::error::{Error, Result};
use crate::http::HttpClient;
use crate::oauth::grant::Grant;
use crate::oauth::secret::DeviceCode;
use crate::oauth::strict_json;
use crate::oauth::token_response::{self, TokenEndpointError, TokenResponse, oauth_error};

use super::client::{ClientAuth, check_binding, post_authenticated, post_authenticated_unproven};
use super::events::{Event, Events};
use super::provider::Resolved;

/// The slowest polling oauthctl accepts from a server (a larger `interval` is clamped).
pub const MAX_INTERVAL: u64 = 60;
/// The longest a device code is waited for.
pub const MAX_EXPIRES_IN: u64 = 30 * 60;

/// A validated device authorization response.
#[derive(Debug, Clone)]
pub struct DeviceAuthorization {
    pub device_code: DeviceCode,
    pub user_code: String,
    pub verification_uri: String,
    pub verification_uri_complete: Option<String>,
    pub expires_in: u64,
    pub interval: u64,
}

fn clamp_seconds(v: Option<&Value>, default: u64, min: u64, max: u64) -> u64 {
    let n = match v {
        Some(Value::Number(n)) => n.as_u64().or_else(|| n.as_i64().map(|_| 0)),
        Some(Value::String(s)) => s.parse::<u64>().ok(),
        _ => None,
    };
    n.unwrap_or(default).clamp(min, max)
}

/// Parses the device authorization response (RFC 8628 §3.2). Absurd `interval` and
/// `expires_in` values are clamped, never trusted.
pub fn parse_authorization(status: u16, body: &[u8]) -> Result<DeviceAuthorization> {
    let obj = strict_json::object_from_slice(body).map_err(|e| {
        Error::BadResponse(format!(
            "the device authorization endpoint answered HTTP {status} without JSON: {e}"
        ))
    })?;
    if let Some(err) = oauth_error(&obj) {
        return Err(Error::Rejected(err));
    }
    if !(200..300).contains(&status) {
        return Err(Error::BadResponse(format!(
            "the device authorization endpoint answered HTTP {status}"
        )));
    }
    let text = |name: &str| -> Result<Option<String>> {
        match obj.get(name) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::String(s)) if !s.is_empty() => Ok(Some(s.clone())),
            Some(_) => Err(Error::BadResponse(format!(
                "`{name}` in the device response is not a string"
            ))),
        }
    };
    let need = |name: &str, v: Option<String>| {
        v.ok_or_else(|| Error::BadResponse(format!("the device response has no `{name}`")))
    };
    Ok(DeviceAuthorization {
        device_code: DeviceCode::new(need("device_code", text("device_code")?)?),
        user_code: need("user_code", text("user_code")?)?,
        // Google calls it `verification_url`.
        verification_uri: need(
            "verification_uri",
            text("verification_uri")?.or(text("verification_url")?),
        )?,
        verification_uri_complete: text("verification_uri_complete")?,
        expires_in: clamp_seconds(obj.get("expires_in"), 600, 1, MAX_EXPIRES_IN),
        interval: clamp_seconds(obj.get("interval"), 5, 5, MAX_INTERVAL),
    })
}

/// What one poll said.
#[derive(Debug)]
pub enum Poll {
    Done(TokenResponse),
    Pending,
    SlowDown,
    NetworkTrouble(String),
}

/// Interprets one poll answer.
pub fn classify_poll(result: Result<crate::http::Response>) -> Result<Poll> {
    let resp = match result {
        Ok(r) => r,
        Err(e @ (Error::Network { .. } | Error::Timeout(_) | Error::HttpTimeout { .. })) => {
            return Ok(Poll::NetworkTrouble(e.to_string()));
        }
        Err(e) => return Err(e),
    };
    match token_response::parse(resp.status, &resp.body) {
        Ok(t) => Ok(Poll::Done(t)),
        Err(TokenEndpointError::OAuth(e)) if e.is("authorization_pending") => Ok(Poll::Pending),
        Err(TokenEndpointError::OAuth(e)) if e.is("slow_down") => Ok(Poll::SlowDown),
        Err(TokenEndpointError::OAuth(e)) => Err(Error::Rejected(e)),
        Err(TokenEndpointError::Malformed(m)) if resp.status >= 500 => Ok(Poll::NetworkTrouble(m)),
        Err(TokenEndpointError::Malformed(m)) => {
            Err(Error::BadResponse(format!("the token endpoint: {m}")))
        }
    }
}

/// Runs the flow; `sleep` is a seam so tests need not wait.
#[allow(clippy::too_many_arguments)]
pub fn run(
    http: &HttpClient,
    provider: &Resolved,
    client: &ClientAuth,
    scopes: &[String],
    audience: Option<&str>,
    resource: Option<&str>,
    timeout: Duration,
    events: &dyn Events,
    sleep: &dyn Fn(Duration),
) -> Result<TokenResponse> {
    let endpoint = http.checked_url(provider.require(
        "device_authorization_endpoint",
        provider.endpoints.device_authorization_endpoint.as_ref(),
    )?)?;
    let token_endpoint = http.checked_url(
        provider.require("token_endpoint", provider.endpoints.token_endpoint.as_ref())?,
    )?;
    let scope = scopes.join(" ");
    let mut form: Vec<(&str, &str)> = Vec::new();
    if !scope.is_empty() {
        form.push(("scope", &scope));
    }
    if let Some(a) = audience {
        form.push(("audience", a));
    }
    if let Some(r) = resource {
        form.push(("resource", r));
    }
    let resp = post_authenticated_unproven(http, &endpoint, client, &form, &HeaderMap::new())?;
    let auth = parse_authorization(resp.status, &resp.body)?;
    let loopback = url::Url::parse(&auth.verification_uri)
        .is_ok_and(|u| crate::oauth::url_policy::is_loopback(&u));
    if !auth.verification_uri.starts_with("https://") && !loopback {
        events.emit(Event::Warning(format!(
            "the verification page is not https: {}",
            auth.verification_uri
        )));
    }
    events.emit(Event::DeviceCode {
        user_code: auth.user_code.clone(),
        verification_uri: auth.verification_uri.clone(),
        verification_uri_complete: auth.verification_uri_complete.clone(),
    });
    let wait = timeout.min(Duration::from_secs(auth.expires_in));
    let start = Instant::now();
    let deadline = start + wait;
    events.emit(Event::Waiting {
        what: "the device approval",
        deadline,
    });
    let mut interval = auth.interval;
    let mut backoff = 0u32;
    let params = [
        ("grant_type", Grant::DeviceCode.as_grant_type()),
        ("device_code", auth.device_code.expose()),
    ];
    // Time spent: the clock, or the pauses taken if `sleep` does not really wait (tests).
    let mut slept = Duration::ZERO;
    let mut started_dpop = false;
    let result = loop {
        let pause = Duration::from_secs(interval.saturating_mul(1u64 << backoff.min(4)));
        if start.elapsed().max(slept) + pause > wait {
            break Err(Error::Timeout(format!(
                "the device code was not approved within {}",
                humantime::format_duration(wait)
            )));
        }
        sleep(pause);
        slept += pause;
        let answer = post_authenticated(http, &token_endpoint, client, &params, &HeaderMap::new());
        match classify_poll(answer) {
            Ok(Poll::Done(tokens)) => {
                if started_dpop {
                    client.remember_started_dpop();
                }
                break check_binding(client, tokens);
            }
            // A server that wants DPoP refuses a poll without a proof; the device code
            // stays usable, so polling goes on with a proof (`oauth::dpop::suggests_dpop`).
            Err(Error::Rejected(e)) if client.start_dpop_after(&e)? => {
                started_dpop = true;
                backoff = 0;
            }
            Ok(Poll::Pending) => backoff = 0,
            Ok(Poll::SlowDown) => {
                backoff = 0;
                interval = (interval + 5).min(MAX_INTERVAL);
            }
            Ok(Poll::NetworkTrouble(_)) => backoff += 1,
            Err(e) => break Err(e),
        }
    };
    events.emit(Event::DoneWaiting);
    result
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn intervals_and_lifetimes_are_clamped() {
        let cases = [
            (r#""interval":0"#, 5),
            (r#""interval":-3"#, 5),
            (r#""interval":1000000000000"#, MAX_INTERVAL),
            (r#""interval":"7""#, 7),
            (r#""interval":"soon""#, 5),
            (r#""interval":12"#, 12),
        ];
        for (field, want) in cases {
            let body = format!(
                r#"{{"device_code":"d","user_code":"BCDF-GHJK","verification_uri":"https://as.example/device",{field},"expires_in":-5}}"#
            );
            let a = parse_authorization(200, body.as_bytes()).unwrap();
            assert_eq!(a.interval, want, "{field}");
            assert_eq!(a.expires_in, 1);
        }
        let a = parse_authorization(
            200,
            br#"{"device_code":"d","user_code":"U","verification_url":"https://g.example/device"}"#,
        )
        .unwrap();
        assert_eq!((a.interval, a.expires_in), (5, 600));
        assert!(!format!("{a:?}").contains("\"d\""));
    }

    #[test]
    fn bad_device_responses_are_errors() {
        assert_eq!(
            parse_authorization(400, br#"{"error":"invalid_client"}"#)
                .unwrap_err()
                .exit_code(),
            4
        );
        assert_eq!(
            parse_authorization(200, br#"{"user_code":"U"}"#)
                .unwrap_err()
                .exit_code(),
            5
        );
        assert_eq!(
            parse_authorization(200, b"<html>").unwrap_err().exit_code(),
            5
        );
        assert_eq!(
            parse_authorization(
                200,
                br#"{"device_code":1,"user_code":"U","verification_uri":"x"}"#
            )
            .unwrap_err()
            .exit_code(),
            5
        );
    }
}
