//! The request `call` sends, from its arguments: `[METHOD] URL`, `-H`, `-d`, `--json`,
//! `--form` and the bodies they read, with every check that refuses a request before a
//! login is looked up or a connection made, and a token from `--token-env` /
//! `--token-file`.

use std::io::Read as _;
use std::path::Path;

use reqwest::Method;
use reqwest::header::{self, HeaderName, HeaderValue};
use url::Url;

use super::Options;
use crate::error::{Error, Result};
use crate::http;
use crate::http::request::{Request, UserHeader};
use crate::oauth::secret::AccessToken;
use crate::oauth::token_type::TokenType;
use crate::oauth::url_policy;

/// The largest token `--token-file` reads.
const MAX_EXTERNAL_TOKEN: u64 = 64 * 1024;

/// `--token-file -` and a body from `@-` both want standard input: refused up front.
pub(super) fn check_stdin_use(args: &Options) -> Result<()> {
    let token_from_stdin = args
        .token_file
        .as_deref()
        .is_some_and(|p| p.as_os_str() == "-");
    let body_from_stdin = [&args.data, &args.json_body]
        .into_iter()
        .flatten()
        .any(|b| b == "@-");
    if token_from_stdin && body_from_stdin {
        return Err(Error::usage(
            "`--token-file -` and a body from `@-` both read standard input",
            Some(
                "put the body in a file (`-d @FILE`, `--json @FILE`) or the token in one \
                 (`--token-file FILE`, `--token-env VAR`)"
                    .to_owned(),
            ),
        ));
    }
    Ok(())
}

/// The token of `--token-env VAR` / `--token-file FILE|-`, if one of them is given, and a
/// name for where it came from. A leading `Bearer ` is dropped; anything that is not one
/// word of visible ASCII (as RFC 6750 §2.1's `b64token` is; CR, LF or NUL would inject
/// headers) is refused with exit 2, without quoting the value.
pub(super) fn external_token(
    args: &Options,
    stdin: &mut dyn std::io::Read,
) -> Result<Option<(AccessToken, String)>> {
    let (raw, origin) = if let Some(var) = &args.token_env {
        let value = std::env::var(var).map_err(|_| {
            Error::usage(
                format!("--token-env {var}: the variable is not set (or not UTF-8)"),
                Some(format!("export {var}=… with the access token")),
            )
        })?;
        (value, format!("${var}"))
    } else if let Some(path) = &args.token_file {
        let mut bytes = Vec::new();
        let (result, origin) = if path.as_os_str() == "-" {
            (
                stdin
                    .take(MAX_EXTERNAL_TOKEN + 1)
                    .read_to_end(&mut bytes)
                    .map_err(|e| Error::Other(format!("cannot read the token from stdin: {e}"))),
                "standard input".to_owned(),
            )
        } else {
            (
                std::fs::File::open(path)
                    .and_then(|f| f.take(MAX_EXTERNAL_TOKEN + 1).read_to_end(&mut bytes))
                    .map_err(|e| Error::io("read the token file", path, e)),
                path.display().to_string(),
            )
        };
        result?;
        if bytes.len() as u64 > MAX_EXTERNAL_TOKEN {
            return Err(Error::usage(
                format!(
                    "--token-file {origin}: more than {} KiB is not a token",
                    MAX_EXTERNAL_TOKEN / 1024
                ),
                None,
            ));
        }
        let text = String::from_utf8(bytes)
            .map_err(|_| Error::usage(format!("--token-file {origin}: not text (UTF-8)"), None))?;
        (text, origin)
    } else {
        return Ok(None);
    };
    let token = bearer_value(&raw).map_err(|why| {
        let flag = if args.token_env.is_some() {
            "--token-env"
        } else {
            "--token-file"
        };
        Error::usage(format!("{flag} {origin}: {why}"), None)
    })?;
    Ok(Some((AccessToken::new(token), origin)))
}

/// The token in `raw`: surrounding whitespace and a leading `Bearer ` (any case) dropped;
/// the rest must be one word of visible ASCII.
fn bearer_value(raw: &str) -> std::result::Result<String, &'static str> {
    let bearer = TokenType::Bearer;
    let mut text = raw.trim();
    if bearer.is_scheme(text) {
        text = "";
    } else if let Some((scheme, rest)) = text.split_once([' ', '\t'])
        && bearer.is_scheme(scheme)
    {
        text = rest.trim_start();
    }
    if text.is_empty() {
        return Err("the token is empty");
    }
    if !text.bytes().all(|b| b.is_ascii_graphic()) {
        return Err(
            "the token contains spaces, control characters (CR, LF, NUL, …) or non-ASCII \
             characters; a bearer token has none",
        );
    }
    Ok(text.to_owned())
}

/// Builds the request from the arguments; `stdin` serves `-d @-` / `--json @-`.
pub(super) fn build(args: &Options, stdin: &mut dyn std::io::Read) -> Result<Request> {
    let (method, raw_url) = match args.target.as_slice() {
        [url] => (None, url.as_str()),
        [method, url] => (Some(method.as_str()), url.as_str()),
        _ => return Err(Error::usage("expected `[METHOD] URL`", None)),
    };
    let url = parse_url(raw_url)?;
    let mut headers = args
        .headers
        .iter()
        .map(|h| parse_header(h))
        .collect::<Result<Vec<_>>>()?;
    let (body, content_type) = if let Some(data) = &args.data {
        (
            Some(read_source(data, stdin)?),
            Some("application/x-www-form-urlencoded"),
        )
    } else if let Some(json) = &args.json_body {
        add_default(&mut headers, header::ACCEPT, "application/json");
        (Some(read_source(json, stdin)?), Some("application/json"))
    } else if !args.form.is_empty() {
        let pairs: Vec<(&str, &str)> = args
            .form
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect();
        (
            Some(http::form_urlencode(&pairs).into_bytes()),
            Some("application/x-www-form-urlencoded"),
        )
    } else {
        (None, None)
    };
    if let Some(ct) = content_type {
        add_default(&mut headers, header::CONTENT_TYPE, ct);
    }
    let method = match method {
        Some(m) => parse_method(m)?,
        None if body.is_some() => Method::POST,
        None => Method::GET,
    };
    Ok(Request {
        method,
        url,
        headers,
        body,
    })
}

/// Adds a header unless the user set it.
fn add_default(headers: &mut Vec<UserHeader>, name: HeaderName, value: &'static str) {
    if !headers.iter().any(|h| h.name == name) {
        headers.push(UserHeader {
            name,
            value: HeaderValue::from_static(value),
            sensitive: false,
        });
    }
}

fn parse_method(raw: &str) -> Result<Method> {
    let upper = raw.to_ascii_uppercase();
    let valid = !upper.is_empty()
        && upper
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b));
    if !valid {
        return Err(Error::usage(
            format!("`{raw}` is not an HTTP method"),
            Some("usage: oauthctl call [METHOD] URL, e.g. `oauthctl call POST https://api.example/items --json '{…}'`".to_owned()),
        ));
    }
    Method::from_bytes(upper.as_bytes())
        .map_err(|_| Error::usage(format!("`{raw}` is not an HTTP method"), None))
}

/// Parses the URL, refusing control characters (the URL parser would silently drop
/// tabs and newlines), other schemes, and `user:password@` (which would become a second set
/// of credentials).
fn parse_url(raw: &str) -> Result<Url> {
    if raw.chars().any(char::is_control) {
        return Err(Error::usage(
            "the URL contains a control character (CR, LF, NUL, …); refusing it",
            None,
        ));
    }
    let mut url = Url::parse(raw).map_err(|e| {
        Error::usage(
            format!("`{raw}` is not a valid URL: {e}"),
            Some("give a full URL, e.g. https://api.example/items".to_owned()),
        )
    })?;
    if !matches!(url.scheme(), "https" | "http") {
        return Err(Error::usage(
            format!("`call` speaks http and https, not `{}:`", url.scheme()),
            None,
        ));
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err(Error::usage(
            "refusing a URL with user:password@ in it (call sends the profile's token)",
            None,
        ));
    }
    if url.host_str().is_none_or(str::is_empty) {
        return Err(Error::usage("the URL has no host", None));
    }
    url.set_fragment(None);
    Ok(url)
}

/// Parses `-H 'NAME: VALUE'` (or `'!NAME: VALUE'` for a sensitive header). CR, LF and NUL
/// are refused (header injection), and so is `Authorization`: the profile's token is
/// what `call` sends.
fn parse_header(raw: &str) -> Result<UserHeader> {
    let (marked, rest) = match raw.strip_prefix('!') {
        Some(rest) => (true, rest),
        None => (false, raw),
    };
    let Some((name, value)) = rest.split_once(':') else {
        return Err(Error::usage(
            format!(
                "`-H {}`: expected `NAME: VALUE`",
                rest.split(':').next().unwrap_or("")
            ),
            None,
        ));
    };
    let name = name.trim_matches([' ', '\t']);
    let value = value.trim_matches([' ', '\t']);
    if name
        .bytes()
        .chain(value.bytes())
        .any(|b| matches!(b, b'\r' | b'\n' | 0))
    {
        return Err(Error::usage(
            format!("header `{name}`: CR, LF and NUL are not allowed in header names or values"),
            None,
        ));
    }
    let name = HeaderName::from_bytes(name.as_bytes())
        .map_err(|_| Error::usage(format!("`{name}` is not a valid header name"), None))?;
    let mut value = HeaderValue::from_str(value).map_err(|_| {
        Error::usage(
            format!("the value of header `{name}` has characters a header may not carry"),
            None,
        )
    })?;
    if name == header::AUTHORIZATION {
        return Err(Error::usage(
            "`call` sends the profile's access token as `Authorization`; drop `-H Authorization`",
            Some(
                "for other credentials use curl, e.g. with `oauthctl token --format header`"
                    .to_owned(),
            ),
        ));
    }
    let sensitive = marked || http::is_sensitive_header(name.as_str());
    value.set_sensitive(sensitive);
    Ok(UserHeader {
        name,
        value,
        sensitive,
    })
}

/// `DATA`, `@FILE`, or `@-` (standard input), read whole so that a retry can replay it.
fn read_source(spec: &str, stdin: &mut dyn std::io::Read) -> Result<Vec<u8>> {
    match spec.strip_prefix('@') {
        Some("-") => {
            let mut buf = Vec::new();
            stdin
                .read_to_end(&mut buf)
                .map_err(|e| Error::Other(format!("cannot read the body from stdin: {e}")))?;
            Ok(buf)
        }
        Some(path) => {
            let path = Path::new(path);
            std::fs::read(path).map_err(|e| Error::io("read the body file", path, e))
        }
        None => Ok(spec.as_bytes().to_vec()),
    }
}

/// the bearer token travels over https, or plain http to a loopback host, unless the
/// user passes `--insecure-http`; never in the query.
pub(super) fn check_destination(url: &Url, insecure_http: bool) -> Result<()> {
    if url.scheme() == "http" && !url_policy::is_loopback(url) && !insecure_http {
        return Err(Error::usage(
            format!(
                "refusing to send the access token over plain http to {}",
                url.host_str().unwrap_or_default()
            ),
            Some("use https, or pass --insecure-http on a network you trust".to_owned()),
        ));
    }
    if url
        .query_pairs()
        .any(|(k, _)| k.eq_ignore_ascii_case("access_token"))
    {
        return Err(Error::usage(
            "the URL has an access_token query parameter; `call` sends the token only in the \
             Authorization header (RFC 6750 §2.3, §5.3)",
            None,
        ));
    }
    Ok(())
}

pub(super) fn check_token_not_in_url(url: &Url, token: &str) -> Result<()> {
    if !token.is_empty() && url.as_str().contains(token) {
        return Err(Error::usage(
            "the URL contains the profile's access token; `call` sends it only in the \
             Authorization header",
            None,
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use std::io::Cursor;

    use super::*;
    use crate::http::redirect::{Hop, next_hop};

    fn args(target: &[&str]) -> Options {
        Options {
            target: target.iter().map(|s| (*s).to_owned()).collect(),
            ..Options::default()
        }
    }

    fn built(a: &Options) -> Result<Request> {
        build(a, &mut std::io::empty())
    }

    #[test]
    fn method_is_inferred_or_explicit() {
        let r = built(&args(&["https://api.example/x?a=1"])).unwrap();
        assert_eq!(r.method, Method::GET);
        assert_eq!(r.url.query(), Some("a=1"));
        let mut a = args(&["https://api.example/x"]);
        a.data = Some("k=v".into());
        let r = built(&a).unwrap();
        assert_eq!(r.method, Method::POST);
        assert_eq!(r.body.as_deref(), Some(&b"k=v"[..]));
        let r = built(&args(&["delete", "https://api.example/x"])).unwrap();
        assert_eq!(r.method, Method::DELETE);
        let e = built(&args(&["https://api.example/x", "GET"])).unwrap_err();
        assert_eq!(e.exit_code(), 2);
    }

    #[test]
    fn bodies_set_content_type_unless_given() {
        let mut a = args(&["https://api.example/x"]);
        a.json_body = Some(r#"{"a":1}"#.into());
        let r = built(&a).unwrap();
        let ct: Vec<_> = r
            .headers
            .iter()
            .map(|h| (h.name.as_str(), h.value.to_str().unwrap()))
            .collect();
        assert!(ct.contains(&("content-type", "application/json")), "{ct:?}");
        assert!(ct.contains(&("accept", "application/json")), "{ct:?}");
        a.headers = vec!["Content-Type: application/merge-patch+json".into()];
        let r = built(&a).unwrap();
        assert_eq!(
            r.headers
                .iter()
                .filter(|h| h.name == header::CONTENT_TYPE)
                .count(),
            1
        );
        let mut f = args(&["https://api.example/x"]);
        f.form = vec![("a b".into(), "c&d".into()), ("e".into(), "f".into())];
        let r = built(&f).unwrap();
        assert_eq!(r.body.as_deref(), Some(&b"a+b=c%26d&e=f"[..]));
        let mut stdin = Cursor::new(b"from stdin".to_vec());
        let mut s = args(&["PUT", "https://api.example/x"]);
        s.data = Some("@-".into());
        let r = build(&s, &mut stdin).unwrap();
        assert_eq!(r.body.as_deref(), Some(&b"from stdin"[..]));
        assert_eq!(r.method, Method::PUT);
    }

    #[test]
    fn control_characters_are_refused_c58b() {
        for url in [
            "https://api.example/x\r\nX-Evil: 1",
            "https://api.example/\0",
            "https://api.example/\tx",
        ] {
            assert_eq!(built(&args(&[url])).unwrap_err().exit_code(), 2, "{url:?}");
        }
        for h in [
            "X-A: b\r\nX-Evil: 1",
            "X-A\n: b",
            "X-A: \0",
            "X-A b",
            "Bad Name: v",
            "Authorization: Bearer x",
        ] {
            let mut a = args(&["https://api.example/x"]);
            a.headers = vec![h.into()];
            assert_eq!(built(&a).unwrap_err().exit_code(), 2, "{h:?}");
        }
        for url in [
            "ftp://api.example/",
            "https://u:p@api.example/",
            "nope",
            "/api/data",
        ] {
            assert_eq!(built(&args(&[url])).unwrap_err().exit_code(), 2, "{url:?}");
        }
    }

    #[test]
    fn sensitive_headers() {
        // Which names are sensitive is http::sensitive's rule (tested there); `!` marks
        // any header.
        assert!(parse_header("Cookie: c=1").unwrap().sensitive);
        assert!(parse_header("!X-Tenant: acme").unwrap().sensitive);
        assert!(!parse_header("X-Tenant: acme").unwrap().sensitive);
        assert_eq!(parse_header("X-Empty:").unwrap().value, "");
    }

    #[test]
    fn destination_policy_c59() {
        let ok = [
            "https://api.example/x",
            "http://127.0.0.1:8080/x",
            "http://localhost/x",
            "http://[::1]/",
        ];
        for u in ok {
            assert!(
                check_destination(&Url::parse(u).unwrap(), false).is_ok(),
                "{u}"
            );
        }
        let plain = Url::parse("http://api.example/x").unwrap();
        assert_eq!(check_destination(&plain, false).unwrap_err().exit_code(), 2);
        assert!(check_destination(&plain, true).is_ok());
        let q = Url::parse("https://api.example/x?access_token=abc").unwrap();
        assert_eq!(check_destination(&q, true).unwrap_err().exit_code(), 2);
        let t = Url::parse("https://api.example/x?q=tok-123").unwrap();
        assert!(check_token_not_in_url(&t, "tok-123").is_err());
        assert!(check_token_not_in_url(&t, "other").is_ok());
    }

    #[test]
    fn user_headers_follow_the_credential_policy() {
        let mut a = args(&["POST", "https://api.example/x"]);
        a.headers = vec![
            "Cookie: c=1".into(),
            "X-Api-Key: k".into(),
            "!X-Tenant: t".into(),
            "X-Trace: 1".into(),
            "Host: api.example".into(),
        ];
        a.json_body = Some("{}".into());
        let r = built(&a).unwrap();
        let authorization = TokenType::Bearer.authorization(&AccessToken::new("tok"));
        let first = Hop::first(&r);
        let same = first.headers(&r, &authorization).unwrap();
        assert_eq!(same.get(header::AUTHORIZATION).unwrap(), "Bearer tok");
        assert_eq!(same.len(), 8, "{same:?}");
        let elsewhere = HeaderValue::from_static("https://other.example/");
        let other = next_hop(&r, &first, 303, Some(&elsewhere), true)
            .unwrap()
            .unwrap()
            .headers(&r, &authorization)
            .unwrap();
        let names: Vec<_> = other.keys().map(HeaderName::as_str).collect();
        assert_eq!(names, ["x-trace", "accept"], "{other:?}");
    }

    #[test]
    fn external_tokens_are_one_visible_word() {
        assert_eq!(bearer_value(" abc.def-_~+/= \n").unwrap(), "abc.def-_~+/=");
        assert_eq!(bearer_value("Bearer abc").unwrap(), "abc");
        assert_eq!(bearer_value("bearer\tabc\r\n").unwrap(), "abc");
        for bad in [
            "",
            " \n",
            "Bearer ",
            "abc\r\nX-Injected: 1",
            "a\u{0}b",
            "a b",
            "tök",
            "a\u{1b}[2J",
        ] {
            assert!(bearer_value(bad).is_err(), "{bad:?}");
        }
        let err = bearer_value("s3cret\r\nX: 1").unwrap_err();
        assert!(!err.contains("s3cret"));
    }
}
