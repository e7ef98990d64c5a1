//! The redirect and credential policy, decided without a socket. tests/call.rs checks the
//! same rules end to end, against servers on two origins.

use reqwest::header::HeaderName;

use super::*;
use crate::http::request::UserHeader;

/// The token's `Authorization` value.
const AUTHORIZATION: &str = "Bearer tok";

fn header(name: &'static str, value: &str, sensitive: bool) -> UserHeader {
    let mut value = HeaderValue::from_str(value).unwrap();
    value.set_sensitive(sensitive);
    UserHeader {
        name: HeaderName::from_static(name),
        value,
        sensitive,
    }
}

/// `call METHOD URL --json '{}' -H …` with a credential of every kind, marked as `call -H`
/// marks them.
fn request(method: Method, url: &str) -> Request {
    Request {
        method,
        url: Url::parse(url).unwrap(),
        headers: vec![
            header("cookie", "c=1", true),
            header("x-api-key", "k", true),
            // `-H '!X-Tenant: t'`: sensitive because the user said so.
            header("x-tenant", "t", true),
            header("x-trace", "1", false),
            header("host", "api.example", false),
            header("accept", "application/json", false),
            header("content-type", "application/json", false),
        ],
        body: Some(b"{}".to_vec()),
    }
}

/// The hop after a `status` response from `hop` with `Location: to`, following redirects.
fn after(req: &Request, hop: &Hop, status: u16, to: &str) -> Result<Option<Hop>> {
    next_hop(
        req,
        hop,
        status,
        Some(&HeaderValue::from_str(to).unwrap()),
        true,
    )
}

/// The redirect that must be followed.
fn followed(req: &Request, hop: &Hop, status: u16, to: &str) -> Hop {
    after(req, hop, status, to)
        .unwrap()
        .expect("a redirect to follow")
}

fn names(headers: &HeaderMap) -> Vec<&str> {
    headers.keys().map(HeaderName::as_str).collect()
}

#[test]
fn redirect_rules_c58() {
    let here = Url::parse("https://api.example/a/b").unwrap();
    let v = |s: &str| HeaderValue::from_str(s).unwrap();
    assert_eq!(
        redirect_target(&here, &v("c")).unwrap().as_str(),
        "https://api.example/a/c"
    );
    assert_eq!(
        redirect_target(&here, &v("//other.example/x#f"))
            .unwrap()
            .as_str(),
        "https://other.example/x"
    );
    assert!(
        redirect_target(&here, &v("http://api.example/a")).is_err(),
        "https→http"
    );
    assert!(redirect_target(&here, &v("file:///etc/passwd")).is_err());
    assert!(redirect_target(&here, &v("https://u:p@api.example/")).is_err());
    let plain = Url::parse("http://127.0.0.1:1/").unwrap();
    assert!(
        redirect_target(&plain, &v("https://api.example/")).is_ok(),
        "upgrade is fine"
    );

    assert_eq!(after_redirect(302, &Method::POST), (Method::GET, false));
    assert_eq!(after_redirect(303, &Method::PUT), (Method::GET, false));
    assert_eq!(after_redirect(301, &Method::HEAD), (Method::HEAD, false));
    assert_eq!(after_redirect(307, &Method::POST), (Method::POST, true));
    assert_eq!(after_redirect(308, &Method::PATCH), (Method::PATCH, true));
}

#[test]
fn credentials_only_for_the_origin() {
    let r = request(Method::POST, "https://api.example/x");
    let first = Hop::first(&r);
    assert!(first.credentials && first.keep_body);
    let same = first.headers(&r, AUTHORIZATION).unwrap();
    assert_eq!(same.get(header::AUTHORIZATION).unwrap(), "Bearer tok");
    assert!(same.get(header::AUTHORIZATION).unwrap().is_sensitive());
    assert_eq!(same.len(), 8, "{same:?}");
    let other = Hop {
        credentials: false,
        keep_body: false,
        ..first
    }
    .headers(&r, AUTHORIZATION)
    .unwrap();
    assert_eq!(names(&other), ["x-trace", "accept"], "{other:?}");
    // A token that cannot be a header value is refused, not sent mangled.
    assert!(Hop::first(&r).headers(&r, "Bearer a\r\nX: 1").is_err());
}

#[test]
fn another_origin_gets_no_authorization_and_no_cookie() {
    let r = request(Method::POST, "https://api.example/x");
    let first = Hop::first(&r);
    // Another host, another port, another scheme: each is another origin.
    for to in [
        "https://other.example/landing",
        "https://api.example:8443/x",
        "//other.example/x",
    ] {
        let hop = followed(&r, &first, 307, to);
        assert!(!hop.credentials, "{to}");
        let headers = hop.headers(&r, AUTHORIZATION).unwrap();
        assert_eq!(
            names(&headers),
            ["x-trace", "accept", "content-type"],
            "{to}: {headers:?}"
        );
    }
    let loopback = request(Method::GET, "http://127.0.0.1:1/x");
    let upgraded = followed(
        &loopback,
        &Hop::first(&loopback),
        302,
        "https://127.0.0.1:1/x",
    );
    assert!(!upgraded.credentials, "http and https are two origins");
    // The same origin keeps them, through a relative Location too; a redirect back to
    // the origin after another one gets them again.
    let here = followed(&r, &first, 307, "/y?z=1");
    assert!(here.credentials);
    assert_eq!(here.url.as_str(), "https://api.example/y?z=1");
    let headers = here.headers(&r, AUTHORIZATION).unwrap();
    assert_eq!(headers.get(header::AUTHORIZATION).unwrap(), "Bearer tok");
    assert_eq!(headers.get(header::COOKIE).unwrap(), "c=1");
    let away = followed(&r, &here, 307, "https://other.example/");
    let back = followed(&r, &away, 307, "https://api.example/z");
    assert!(!away.credentials && back.credentials);
}

#[test]
fn https_to_http_is_refused() {
    let r = request(Method::GET, "https://api.example/x");
    let first = Hop::first(&r);
    for to in ["http://api.example/x", "http://127.0.0.1:8080/"] {
        let err = after(&r, &first, 302, to).unwrap_err();
        assert_eq!(err.exit_code(), 5, "{to}");
        assert!(
            err.to_string()
                .contains("refusing a redirect from https to plain http"),
            "{err}"
        );
    }
    // From a later https hop just the same.
    let away = followed(&r, &first, 302, "https://other.example/");
    assert!(after(&r, &away, 301, "http://other.example/").is_err());
    // Other schemes and user:password@ neither.
    for to in [
        "file:///etc/passwd",
        "ftp://api.example/",
        "https://u:p@api.example/",
    ] {
        assert_eq!(
            after(&r, &first, 302, to).unwrap_err().exit_code(),
            5,
            "{to}"
        );
    }
    let not_text = HeaderValue::from_bytes(b"/caf\xe9").unwrap();
    assert!(next_hop(&r, &first, 302, Some(&not_text), true).is_err());
}

#[test]
fn see_other_becomes_get_without_body() {
    let r = request(Method::POST, "https://api.example/x");
    for status in [301, 302, 303] {
        let hop = followed(&r, &Hop::first(&r), status, "/done");
        assert_eq!(hop.method, Method::GET, "{status}");
        assert!(!hop.keep_body && hop.body(&r).is_none(), "{status}");
        let headers = hop.headers(&r, AUTHORIZATION).unwrap();
        assert_eq!(headers.get(header::CONTENT_TYPE), None, "{status}");
        assert!(headers.contains_key(header::AUTHORIZATION), "{status}");
        assert!(headers.contains_key(header::ACCEPT), "{status}");
        // Once dropped, the body does not come back with a later 307.
        let later = followed(&r, &hop, 307, "/later");
        assert_eq!(later.method, Method::GET);
        assert!(later.body(&r).is_none());
    }
    let head = request(Method::HEAD, "https://api.example/x");
    let hop = followed(&head, &Hop::first(&head), 303, "/done");
    assert_eq!(hop.method, Method::HEAD);
}

#[test]
fn temporary_and_permanent_redirects_keep_method_and_body() {
    for (status, method) in [
        (307, Method::POST),
        (308, Method::PATCH),
        (307, Method::PUT),
    ] {
        let r = request(method.clone(), "https://api.example/x");
        for to in ["/moved", "https://other.example/moved"] {
            let hop = followed(&r, &Hop::first(&r), status, to);
            assert_eq!(hop.method, method, "{status} {to}");
            assert_eq!(hop.body(&r), Some(&b"{}"[..]), "{status} {to}");
            let headers = hop.headers(&r, AUTHORIZATION).unwrap();
            assert_eq!(
                headers.get(header::CONTENT_TYPE).unwrap(),
                "application/json"
            );
        }
    }
}

#[test]
fn at_most_ten_redirects() {
    let r = request(Method::GET, "https://api.example/loop");
    let mut hop = Hop::first(&r);
    for n in 1..=MAX_REDIRECTS {
        hop = followed(&r, &hop, 302, "/loop");
        assert_eq!(hop.redirects, n);
    }
    let err = after(&r, &hop, 302, "/loop").unwrap_err();
    assert_eq!(err.exit_code(), 5);
    assert_eq!(
        err.to_string(),
        "more than 10 redirects; stopped at https://api.example/loop"
    );
}

#[test]
fn only_redirects_with_a_location_are_followed_and_only_with_l() {
    let r = request(Method::GET, "https://api.example/x");
    let first = Hop::first(&r);
    let to = HeaderValue::from_static("/elsewhere");
    // Without -L the redirect is the answer.
    assert_eq!(next_hop(&r, &first, 302, Some(&to), false).unwrap(), None);
    // No Location, or a status that is not a redirect to follow.
    assert_eq!(next_hop(&r, &first, 302, None, true).unwrap(), None);
    for status in [200, 201, 300, 304, 305, 400] {
        assert_eq!(
            next_hop(&r, &first, status, Some(&to), true).unwrap(),
            None,
            "{status}"
        );
    }
    // Even a refused Location is not looked at without -L.
    let down = HeaderValue::from_static("http://api.example/");
    assert_eq!(next_hop(&r, &first, 302, Some(&down), false).unwrap(), None);
}

#[test]
fn a_request_before_any_login_carries_no_authorization_but_the_users_headers() {
    let r = request(Method::POST, "https://api.example/x");
    let headers = Hop::first(&r).headers(&r, "").unwrap();
    assert!(headers.get(header::AUTHORIZATION).is_none(), "{headers:?}");
    assert_eq!(headers.get("x-api-key").unwrap(), "k");
    assert_eq!(
        Hop::first(&r)
            .headers(&r, AUTHORIZATION)
            .unwrap()
            .get(header::AUTHORIZATION)
            .unwrap(),
        AUTHORIZATION
    );
}
