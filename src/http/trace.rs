//! The `-v` trace: request lines, headers, forms, URLs and bodies with every secret
//! redacted (security C67). Which names are secret is [`super::sensitive`]'s rule.

use reqwest::header::HeaderMap;
use url::Url;

use super::sensitive::{is_secret_name, is_sensitive_header};
use super::{HttpClient, Response, form_urlencode};

impl HttpClient {
    /// `-v`: the request line and headers, secrets redacted.
    pub fn trace_request(
        &self,
        method: &str,
        url: &Url,
        headers: &HeaderMap,
        form: Option<&[(&str, &str)]>,
    ) {
        if self.verbose == 0 {
            return;
        }
        crate::output::trace_line(&format!("> {method} {}", redact_url(url)));
        for (name, value) in headers {
            crate::output::trace_line(&format!(
                "> {}: {}",
                name,
                redact_header(name.as_str(), value.to_str().unwrap_or("<binary>"))
            ));
        }
        if let Some(form) = form {
            crate::output::trace_line(&format!("> {}", redact_form(form)));
        }
    }

    pub(super) fn trace_response(&self, resp: &Response) {
        if self.verbose == 0 {
            return;
        }
        crate::output::trace_line(&format!("< HTTP {}", resp.status));
        for (name, value) in &resp.headers {
            crate::output::trace_line(&format!(
                "< {}: {}",
                name,
                redact_header(name.as_str(), value.to_str().unwrap_or("<binary>"))
            ));
        }
        if self.verbose > 1 {
            crate::output::trace_line(&format!("< {}", redact_body(&resp.body)));
        }
    }
}

/// A header value for the trace, request or response alike: `[redacted]` for a sensitive
/// header ([`is_sensitive_header`]), the scheme kept for `Authorization`.
pub fn redact_header(name: &str, value: &str) -> String {
    if is_sensitive_header(name) {
        let scheme = value.split_whitespace().next().filter(|_| {
            name.eq_ignore_ascii_case("authorization")
                || name.eq_ignore_ascii_case("proxy-authorization")
        });
        match scheme {
            Some(s) => format!("{s} [redacted]"),
            None => "[redacted]".to_owned(),
        }
    } else {
        value.to_owned()
    }
}

/// A form body for the trace.
pub fn redact_form(pairs: &[(&str, &str)]) -> String {
    let redacted: Vec<(&str, &str)> = pairs
        .iter()
        .map(|(k, v)| (*k, if is_secret_name(k) { "[redacted]" } else { *v }))
        .collect();
    form_urlencode(&redacted)
}

/// A URL for the trace, with secret query values redacted.
pub fn redact_url(url: &Url) -> String {
    if url.query().is_none() {
        return url.to_string();
    }
    let mut u = url.clone();
    let pairs: Vec<(String, String)> = url
        .query_pairs()
        .map(|(k, v)| {
            let v = if is_secret_name(&k) || k == "state" || k == "nonce" {
                "[redacted]".to_owned()
            } else {
                v.into_owned()
            };
            (k.into_owned(), v)
        })
        .collect();
    u.query_pairs_mut().clear().extend_pairs(pairs);
    u.to_string()
}

/// A response body for the trace: JSON with secret members redacted, else a byte count.
pub fn redact_body(body: &[u8]) -> String {
    match serde_json::from_slice::<serde_json::Value>(body) {
        Ok(mut v) => {
            redact_json(&mut v);
            v.to_string()
        }
        Err(_) => format!("[{} bytes]", body.len()),
    }
}

fn redact_json(v: &mut serde_json::Value) {
    match v {
        serde_json::Value::Object(map) => {
            for (k, val) in map.iter_mut() {
                if is_secret_name(k) {
                    *val = serde_json::Value::String("[redacted]".to_owned());
                } else {
                    redact_json(val);
                }
            }
        }
        serde_json::Value::Array(items) => items.iter_mut().for_each(redact_json),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn traces_redact_secrets() {
        let form = [
            ("grant_type", "refresh_token"),
            ("refresh_token", "rt-123"),
            ("client_secret", "s"),
        ];
        let t = redact_form(&form);
        assert!(
            !t.contains("rt-123") && t.contains("grant_type=refresh_token"),
            "{t}"
        );
        assert_eq!(
            redact_header("Authorization", "Bearer abc"),
            "Bearer [redacted]"
        );
        assert_eq!(redact_header("Cookie", "a=b"), "[redacted]");
        assert_eq!(redact_header("Accept", "x"), "x");
        let body = br#"{"access_token":"at-1","nested":{"id_token":"x"},"expires_in":3600}"#;
        let t = redact_body(body);
        assert!(!t.contains("at-1") && t.contains("3600"), "{t}");
        let u = Url::parse("http://127.0.0.1:1/cb?code=c0de&state=s&x=1").unwrap();
        let t = redact_url(&u);
        assert!(!t.contains("c0de") && t.contains("x=1"), "{t}");
    }

    #[test]
    fn one_header_rule_for_both_directions() {
        // Response headers named like secrets (issue #12 item 8), as `call -H` ones are.
        for name in [
            "X-Auth-Token",
            "X-Api-Key",
            "Set-Cookie",
            "X-Session-Id",
            "X-Amz-Security-Token",
            "Api-Key",
        ] {
            assert!(is_sensitive_header(name), "{name}");
            assert_eq!(redact_header(name, "s3cret"), "[redacted]", "{name}");
        }
        assert_eq!(
            redact_header("Proxy-Authorization", "Basic eDp5"),
            "Basic [redacted]"
        );
        // Challenges carry no credential and explain a refusal.
        for name in [
            "WWW-Authenticate",
            "Proxy-Authenticate",
            "X-Request-Id",
            "Keep-Alive",
        ] {
            assert!(!is_sensitive_header(name), "{name}");
        }
        let challenge = r#"Bearer error="invalid_token""#;
        assert_eq!(redact_header("www-authenticate", challenge), challenge);
    }
}
