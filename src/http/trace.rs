//! The `-v` trace: request lines, headers, forms, URLs and bodies with every secret
//! redacted. Which names are secret is [`super::sensitive`]'s rule.

use reqwest::Method;
use reqwest::header::{HeaderMap, HeaderName, HeaderValue};
use url::Url;

use super::sensitive::{is_secret_name, is_sensitive_header};
use super::{HttpClient, Response, form_urlencode};

/// Where the protocol trace's lines go (one line per call, not yet sanitised for a
/// terminal: the receiver does that).
pub type Tracer = fn(&str);

/// A [`Tracer`] that drops every line: the default of clients that never trace.
pub fn discard(_line: &str) {}

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
        (self.trace)(&format!("> {method} {}", redact_url(url)));
        for (name, value) in headers {
            (self.trace)(&format!(
                "> {}: {}",
                name,
                redact_header(name.as_str(), value.to_str().unwrap_or("<binary>"))
            ));
        }
        if let Some(form) = form {
            (self.trace)(&format!("> {}", redact_form(form)));
        }
    }

    pub(super) fn trace_response(&self, resp: &Response) {
        if self.verbose == 0 {
            return;
        }
        (self.trace)(&format!("< HTTP {}", resp.status));
        for (name, value) in &resp.headers {
            (self.trace)(&format!(
                "< {}: {}",
                name,
                redact_header(name.as_str(), value.to_str().unwrap_or("<binary>"))
            ));
        }
        if self.verbose > 1 {
            (self.trace)(&format!("< {}", redact_body(&resp.body)));
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

/// Where the trace of an API exchange goes (`call` passes its `Ui`'s trace), or `None`
/// without `-v`.
pub(crate) type Sink<'a> = Option<&'a dyn Fn(&str)>;

/// A header value for `-v`: redacted by name (request and response alike, one rule) or
/// because the user marked it with `!`.
pub(crate) fn shown_value(name: &HeaderName, value: &HeaderValue) -> String {
    let text = value.to_str().unwrap_or("<binary>");
    if value.is_sensitive() && !is_sensitive_header(name.as_str()) {
        "[redacted]".to_owned()
    } else {
        redact_header(name.as_str(), text)
    }
}

/// `-v` for an API request: the request line and headers, secrets redacted; the
/// body only by size.
pub(crate) fn api_request(
    trace: Sink<'_>,
    method: &Method,
    url: &Url,
    headers: &HeaderMap,
    body: Option<usize>,
) {
    let Some(trace) = trace else {
        return;
    };
    trace(&format!("> {method} {}", redact_url(url)));
    for (name, value) in headers {
        trace(&format!("> {name}: {}", shown_value(name, value)));
    }
    if let Some(n) = body {
        trace(&format!("> [{n} bytes of body]"));
    }
}

/// `-v` for an API response: the status line and headers, secrets redacted.
pub(crate) fn api_response(trace: Sink<'_>, resp: &reqwest::blocking::Response) {
    let Some(trace) = trace else {
        return;
    };
    trace(&format!("< {:?} {}", resp.version(), resp.status()));
    for (name, value) in resp.headers() {
        trace(&format!("< {name}: {}", shown_value(name, value)));
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
    fn api_traces_never_show_a_sensitive_value() {
        let mut headers = HeaderMap::new();
        let mut add = |name: &'static str, value: &str, sensitive: bool| {
            let mut value = HeaderValue::from_str(value).unwrap();
            value.set_sensitive(sensitive);
            headers.append(HeaderName::from_static(name), value);
        };
        add("authorization", "Bearer tok", true);
        add("cookie", "c=1", true);
        add("x-api-key", "k", true);
        // Marked by the user (`-H '!X-Tenant: t'`): redacted although its name is harmless.
        add("x-tenant", "t", true);
        add("x-trace", "1", false);
        let shown: Vec<_> = headers
            .iter()
            .map(|(n, v)| format!("{n}: {}", shown_value(n, v)))
            .collect();
        assert_eq!(
            shown,
            [
                "authorization: Bearer [redacted]",
                "cookie: [redacted]",
                "x-api-key: [redacted]",
                "x-tenant: [redacted]",
                "x-trace: 1",
            ]
        );
        let lines = std::cell::RefCell::new(Vec::new());
        let sink = |line: &str| lines.borrow_mut().push(line.to_owned());
        let url = Url::parse("https://api.example/x?code=c0de&q=1").unwrap();
        api_request(Some(&sink), &Method::POST, &url, &headers, Some(7));
        let lines = lines.into_inner();
        assert_eq!(
            lines[0],
            "> POST https://api.example/x?code=%5Bredacted%5D&q=1"
        );
        assert_eq!(
            lines[1..6],
            shown.iter().map(|l| format!("> {l}")).collect::<Vec<_>>()[..]
        );
        assert_eq!(lines[6], "> [7 bytes of body]");
        for line in &lines {
            assert!(
                !line.contains("tok") && !line.contains("c=1") && !line.contains("c0de"),
                "{line}"
            );
        }
        // Without -v nothing is formatted.
        api_request(None, &Method::GET, &url, &headers, None);
    }

    #[test]
    fn one_header_rule_for_both_directions() {
        // Response headers named like secrets, as `call -H` ones are.
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
