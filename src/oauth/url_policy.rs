//! Which URLs oauthctl talks to. Endpoints must be `https`, or `http` on a loopback host
//! (dev servers; RFC 8252 §8.3), unless the user passes `--insecure-http`. Userinfo, odd
//! schemes and fragments are refused everywhere.

use std::net::IpAddr;

use url::{Host, Url};

/// Whether `url`'s host is a loopback address or `localhost`.
pub(crate) fn is_loopback(url: &Url) -> bool {
    match url.host() {
        Some(Host::Ipv4(ip)) => ip.is_loopback(),
        Some(Host::Ipv6(ip)) => ip.is_loopback(),
        Some(Host::Domain(d)) => {
            let d = d.trim_end_matches('.');
            d.eq_ignore_ascii_case("localhost")
                || d.parse::<IpAddr>().is_ok_and(|ip| ip.is_loopback())
        }
        None => false,
    }
}

/// Parses `raw` and checks that oauthctl may send credentials to it.
pub(crate) fn check(raw: &str, insecure_http: bool) -> Result<Url, String> {
    let url = Url::parse(raw).map_err(|e| format!("`{raw}` is not a valid URL: {e}"))?;
    check_url(&url, insecure_http)?;
    Ok(url)
}

/// Checks an already-parsed URL (see [`check`]).
pub(crate) fn check_url(url: &Url, insecure_http: bool) -> Result<(), String> {
    match url.scheme() {
        "https" => {}
        "http" if is_loopback(url) || insecure_http => {}
        "http" => {
            return Err(format!(
                "refusing plain http to {}: tokens and secrets would travel unencrypted \
                 (pass --insecure-http to allow it)",
                url.host_str().unwrap_or_default()
            ));
        }
        other => {
            return Err(format!(
                "refusing URL scheme `{other}:` (only https and loopback http)"
            ));
        }
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err("refusing a URL with user:password@ in it".to_owned());
    }
    if url.host_str().is_none_or(str::is_empty) {
        return Err("the URL has no host".to_owned());
    }
    if url.fragment().is_some() {
        return Err("refusing an endpoint URL with a #fragment".to_owned());
    }
    Ok(())
}

/// A web origin (RFC 6454) for an `Origin` header: `http` or `https`, a host, an optional
/// port, nothing else (a `/` alone is allowed). Returns its serialisation.
pub(crate) fn web_origin(raw: &str) -> Result<String, String> {
    let url = Url::parse(raw).map_err(|e| format!("`{raw}` is not a URL: {e}"))?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err(format!("`{raw}` is not an http or https origin"));
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err(format!("`{raw}` has user information; an origin has none"));
    }
    if url.path() != "/" || url.query().is_some() || url.fragment().is_some() {
        return Err(format!(
            "`{raw}` has a path, query or fragment; an origin has none"
        ));
    }
    if url.host_str().is_none_or(str::is_empty) {
        return Err(format!("`{raw}` has no host"));
    }
    Ok(url.origin().ascii_serialization())
}

/// The URL without query and fragment, for messages.
pub(crate) fn display_base(url: &Url) -> String {
    let mut u = url.clone();
    u.set_query(None);
    u.set_fragment(None);
    u.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn policy_table() {
        let ok = [
            "https://as.example/token",
            "http://127.0.0.1:9400/token",
            "http://127.1.2.3/x",
            "http://[::1]:8080/",
            "http://localhost:3000/",
        ];
        for u in ok {
            assert!(check(u, false).is_ok(), "{u}");
        }
        let bad = [
            "http://as.example/token",
            "http://127.0.0.1.nip.io/",
            "javascript:alert(1)",
            "file:///etc/passwd",
            "https://user:pw@as.example/",
            "https://as.example/#frag",
            "ftp://as.example/",
            "not a url",
        ];
        for u in bad {
            assert!(check(u, false).is_err(), "{u}");
        }
        assert!(check("http://as.example/token", true).is_ok());
        assert!(check("javascript:alert(1)", true).is_err());
    }
}
