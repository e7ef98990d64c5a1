//! The loopback redirect URI of a native app (RFC 8252 §7.3, §8.3): what `login
//! --redirect-uri` and a profile's `redirect_uri` may be, the address the listener binds for
//! it, the path it answers on, and the exact string sent as `redirect_uri`.
//!
//! Providers compare redirect URIs as strings, so the URI is never normalised: the string
//! sent in the authorization and token requests is the configured one with the port the
//! listener bound written after the host (or, when the configured URI names a port, the
//! configured string itself). Only `http` on `127.0.0.1`, `[::1]` or `localhost` is
//! accepted, spelled exactly so, with an optional port and any path; no query, no fragment,
//! no `user@`. Pure: parsing and string building only.

use std::fmt;

/// The redirect URI used when none is configured.
pub const DEFAULT: &str = "http://127.0.0.1/callback";

/// Which loopback host a redirect URI names, and so which addresses the listener binds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LoopbackHost {
    /// `127.0.0.1`: IPv4 only.
    Ipv4,
    /// `[::1]`: IPv6 only.
    Ipv6,
    /// `localhost`: both loopback addresses, on the same port (a browser may resolve the
    /// name to either).
    Localhost,
}

/// A validated loopback redirect URI, as configured (its port may be absent).
#[derive(Clone, PartialEq, Eq)]
pub struct RedirectUri {
    raw: String,
    host: LoopbackHost,
    /// Where the authority ends in `raw` (a port is written here when there is none).
    host_end: usize,
    /// Where the path starts in `raw`.
    path_start: usize,
    port: Option<u16>,
}

impl fmt::Debug for RedirectUri {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("RedirectUri").field(&self.raw).finish()
    }
}

/// Why a string is not a usable loopback redirect URI. The message names the rule; the hint
/// says what to write instead.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{uri}` cannot be the redirect URI: {reason}")]
pub struct RedirectUriError {
    pub uri: String,
    pub reason: &'static str,
    pub hint: &'static str,
}

const LOOPBACK_HINT: &str = "use http://127.0.0.1/PATH, http://[::1]/PATH or http://localhost/PATH \
     (a port after the host is optional; without one a free port is used)";

impl RedirectUri {
    /// The default: `http://127.0.0.1/callback`.
    pub fn default_uri() -> Self {
        Self::parse(DEFAULT).unwrap_or_else(|_| unreachable!("the default is valid"))
    }

    /// Parses and checks a configured redirect URI.
    pub fn parse(raw: &str) -> Result<Self, RedirectUriError> {
        let fail = |reason: &'static str, hint: &'static str| RedirectUriError {
            uri: crate::text::sanitize::line(raw).into_owned(),
            reason,
            hint,
        };
        if raw.chars().any(|c| c.is_control() || c.is_whitespace()) {
            return Err(fail(
                "it contains spaces or control characters",
                LOOPBACK_HINT,
            ));
        }
        let Some(rest) = raw.strip_prefix("http://") else {
            return Err(if raw.to_ascii_lowercase().starts_with("https://") {
                fail(
                    "a loopback redirect uses plain http (RFC 8252 §7.3); the listener has no \
                     TLS certificate",
                    "register and use http://127.0.0.1/PATH or http://localhost/PATH",
                )
            } else if raw.to_ascii_lowercase().starts_with("http://") {
                fail(
                    "write the scheme in lower case: providers compare redirect URIs as strings",
                    LOOPBACK_HINT,
                )
            } else {
                fail(
                    "only http loopback redirect URIs are supported (a claimed https URL or a \
                     private-use scheme needs an app that receives it)",
                    LOOPBACK_HINT,
                )
            });
        };
        if rest.contains('#') {
            return Err(fail(
                "a redirect URI must not have a #fragment (RFC 6749 §3.1.2)",
                LOOPBACK_HINT,
            ));
        }
        let authority_len = rest.find(['/', '?']).unwrap_or(rest.len());
        let (authority, tail) = rest.split_at(authority_len);
        if authority.contains('@') {
            return Err(fail(
                "it has user information (`user@`) before the host",
                LOOPBACK_HINT,
            ));
        }
        let (host, port_text) = if let Some(v6) = authority.strip_prefix('[') {
            match v6.split_once(']') {
                Some((inner, after)) => (&authority[..inner.len() + 2], after),
                None => {
                    return Err(fail(
                        "its IPv6 address is not closed with `]`",
                        LOOPBACK_HINT,
                    ));
                }
            }
        } else {
            match authority.split_once(':') {
                Some((h, _)) => (h, &authority[h.len()..]),
                None => (authority, ""),
            }
        };
        let host_kind = match host {
            "127.0.0.1" => LoopbackHost::Ipv4,
            "[::1]" => LoopbackHost::Ipv6,
            "localhost" => LoopbackHost::Localhost,
            other
                if other.eq_ignore_ascii_case("localhost")
                    || other
                        .parse::<std::net::Ipv4Addr>()
                        .is_ok_and(|ip| ip.is_loopback()) =>
            {
                return Err(fail(
                    "spell the loopback host exactly 127.0.0.1, [::1] or localhost, as the \
                     provider has it registered",
                    LOOPBACK_HINT,
                ));
            }
            _ => {
                return Err(fail(
                    "its host is not a loopback address: the authorization code would go to \
                     another machine",
                    LOOPBACK_HINT,
                ));
            }
        };
        let port = match port_text.strip_prefix(':') {
            None if port_text.is_empty() => None,
            None => {
                return Err(fail(
                    "it has text between the host and the path",
                    LOOPBACK_HINT,
                ));
            }
            Some(digits) => {
                let valid = !digits.is_empty()
                    && digits.bytes().all(|b| b.is_ascii_digit())
                    && !digits.starts_with('0');
                match digits.parse::<u16>() {
                    Ok(p) if valid && p > 0 => Some(p),
                    _ => {
                        return Err(fail(
                            "its port is not a number from 1 to 65535 (without leading zeros)",
                            "leave the port out to use a free one, or write it plainly",
                        ));
                    }
                }
            }
        };
        if tail.contains('?') {
            return Err(fail(
                "a query in a loopback redirect URI is not supported",
                LOOPBACK_HINT,
            ));
        }
        if let Some(reason) = bad_path(tail) {
            return Err(fail(reason, LOOPBACK_HINT));
        }
        let host_end = "http://".len() + host.len();
        Ok(Self {
            raw: raw.to_owned(),
            host: host_kind,
            host_end,
            path_start: "http://".len() + authority.len(),
            port,
        })
    }

    /// The URI as configured.
    pub fn as_str(&self) -> &str {
        &self.raw
    }

    /// The host, and so the addresses to bind.
    pub fn host(&self) -> LoopbackHost {
        self.host
    }

    /// The port the URI names, if any.
    pub fn port(&self) -> Option<u16> {
        self.port
    }

    /// The path the listener answers on (`/` for a URI without one: a browser asks for `/`).
    pub fn path(&self) -> &str {
        match &self.raw[self.path_start..] {
            "" => "/",
            path => path,
        }
    }

    /// With `--port`: the same URI with that port. An explicit port in the URI must agree.
    pub fn with_port(mut self, port: u16) -> Result<Self, String> {
        match self.port {
            Some(p) if p != port => Err(format!(
                "the redirect URI {} names port {p}, and --port says {port}",
                self.raw
            )),
            Some(_) => Ok(self),
            None if port == 0 => Ok(self),
            None => {
                self.raw.insert_str(self.host_end, &format!(":{port}"));
                self.path_start += 1 + port.to_string().len();
                self.port = Some(port);
                Ok(self)
            }
        }
    }

    /// The `redirect_uri` to send while listening on `port`: the configured string with
    /// `:PORT` after the host when it names none.
    pub fn for_port(&self, port: u16) -> String {
        let mut s = self.raw.clone();
        if self.port.is_none() {
            s.insert_str(self.host_end, &format!(":{port}"));
        }
        s
    }

    /// The `Host` header values a browser sends for this URI on `port`. Port 80 is the
    /// scheme's default, which browsers leave out.
    pub fn authorities(&self, port: u16) -> Vec<String> {
        let host = &self.raw["http://".len()..self.host_end];
        let mut out = vec![format!("{host}:{port}")];
        if port == 80 {
            out.push(host.to_owned());
        }
        out
    }

    /// The query of a URL pasted by the user after signing in elsewhere (the address the
    /// browser ended on): it must be this redirect URI on `port`, with a query.
    pub fn pasted_query<'a>(&self, port: u16, pasted: &'a str) -> Result<&'a str, &'static str> {
        let pasted = pasted.trim();
        let Some((address, query)) = pasted.split_once('?') else {
            return Err(if pasted.is_empty() {
                "nothing was pasted"
            } else {
                "that address has no query (`?code=…&state=…`); paste the whole address of \
                 the page the provider sent the browser to"
            });
        };
        let query = query.split_once('#').map_or(query, |(q, _)| q);
        let sent = self.for_port(port);
        let origin_and_path = |s: &str| -> String {
            // Entra ID answers a URI without a path at `/` (with a slash).
            let rest = s.strip_prefix("http://").unwrap_or(s);
            if rest.contains('/') {
                s.to_owned()
            } else {
                format!("{s}/")
            }
        };
        if origin_and_path(address) == origin_and_path(&sent)
            || self.authorities(port).iter().any(|a| {
                origin_and_path(address) == origin_and_path(&format!("http://{a}{}", self.path()))
            })
        {
            Ok(query)
        } else {
            Err("that is not an address at this login's redirect URI")
        }
    }
}

/// Why `path` (everything after the authority) cannot be matched by a browser's request,
/// if it cannot: it must start with `/`, consist of RFC 3986 path characters, and have no
/// dot segments (browsers remove them, so the request would never match).
fn bad_path(path: &str) -> Option<&'static str> {
    if path.is_empty() {
        return None;
    }
    if !path.starts_with('/') {
        return Some("its path must start with `/`");
    }
    let bytes = path.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        if b == b'%' {
            let hex = bytes.get(i + 1..i + 3);
            if !hex.is_some_and(|h| h.iter().all(u8::is_ascii_hexdigit)) {
                return Some("its path has a `%` that is not followed by two hex digits");
            }
            i += 3;
            continue;
        }
        let allowed = b.is_ascii_alphanumeric() || b"-._~!$&'()*+,;=:@/".contains(&b);
        if !allowed {
            return Some(
                "its path has characters a browser would percent-encode; write them encoded",
            );
        }
        i += 1;
    }
    if path
        .split('/')
        .any(|segment| segment == "." || segment == "..")
    {
        return Some("its path has `.` or `..` segments, which browsers remove");
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn loopback_hosts_with_any_path_and_an_optional_port_are_accepted() {
        let cases = [
            (
                "http://127.0.0.1/callback",
                LoopbackHost::Ipv4,
                None,
                "/callback",
            ),
            (
                "http://[::1]:8080/cb",
                LoopbackHost::Ipv6,
                Some(8080),
                "/cb",
            ),
            (
                "http://localhost:8765/oauth/cb",
                LoopbackHost::Localhost,
                Some(8765),
                "/oauth/cb",
            ),
            ("http://localhost", LoopbackHost::Localhost, None, "/"),
            ("http://localhost/", LoopbackHost::Localhost, None, "/"),
            (
                "http://127.0.0.1:1/a/b%20c/",
                LoopbackHost::Ipv4,
                Some(1),
                "/a/b%20c/",
            ),
            (
                "http://localhost:65535/x",
                LoopbackHost::Localhost,
                Some(65535),
                "/x",
            ),
        ];
        for (raw, host, port, path) in cases {
            let r = RedirectUri::parse(raw).unwrap_or_else(|e| panic!("{raw}: {e}"));
            assert_eq!((r.host(), r.port(), r.path()), (host, port, path), "{raw}");
            assert_eq!(r.as_str(), raw);
        }
        assert_eq!(RedirectUri::default_uri().as_str(), DEFAULT);
    }

    #[test]
    fn the_sent_uri_is_the_configured_string_with_the_port_filled_in() {
        let r = RedirectUri::parse("http://localhost/oauth/cb").unwrap();
        assert_eq!(r.for_port(41235), "http://localhost:41235/oauth/cb");
        let r = RedirectUri::parse("http://localhost").unwrap();
        assert_eq!(r.for_port(7), "http://localhost:7");
        let r = RedirectUri::parse("http://[::1]/x").unwrap();
        assert_eq!(r.for_port(9), "http://[::1]:9/x");
        assert_eq!(r.authorities(9), ["[::1]:9"]);
        // A URI that names its port is sent as it is.
        let r = RedirectUri::parse("http://localhost:8765/oauth/cb").unwrap();
        assert_eq!(r.for_port(8765), "http://localhost:8765/oauth/cb");
        assert_eq!(r.authorities(8765), ["localhost:8765"]);
        assert_eq!(
            RedirectUri::parse("http://127.0.0.1:80/cb")
                .unwrap()
                .authorities(80),
            ["127.0.0.1:80", "127.0.0.1"]
        );
    }

    #[test]
    fn port_flags_fill_or_must_agree() {
        let r = RedirectUri::parse("http://localhost/cb").unwrap();
        let fixed = r.clone().with_port(5000).unwrap();
        assert_eq!(
            (fixed.as_str(), fixed.port()),
            ("http://localhost:5000/cb", Some(5000))
        );
        assert_eq!(fixed.path(), "/cb");
        assert_eq!(r.clone().with_port(0).unwrap(), r, "0 is any free port");
        let named = RedirectUri::parse("http://localhost:8765/cb").unwrap();
        assert!(named.clone().with_port(8765).is_ok());
        let e = named.with_port(9000).unwrap_err();
        assert!(e.contains("8765") && e.contains("9000"), "{e}");
    }

    #[test]
    fn anything_else_is_refused_with_a_reason() {
        for (raw, why) in [
            ("https://localhost/cb", "plain http"),
            ("HTTP://127.0.0.1/cb", "lower case"),
            ("com.example.app:/cb", "only http loopback"),
            ("http://example.com/cb", "not a loopback"),
            ("http://127.0.0.2/cb", "spell the loopback host"),
            ("http://127.000.000.001/cb", "not a loopback"),
            ("http://LOCALHOST/cb", "spell the loopback host"),
            ("http://localhost.evil.example/cb", "not a loopback"),
            ("http://[::2]/cb", "not a loopback"),
            ("http://[0:0:0:0:0:0:0:1]/cb", "not a loopback"),
            ("http://0.0.0.0/cb", "not a loopback"),
            ("http://user@localhost/cb", "user information"),
            ("http://localhost@evil.example/cb", "user information"),
            ("http://localhost/cb#frag", "fragment"),
            ("http://localhost/cb?x=1", "query"),
            ("http://localhost:0/cb", "port"),
            ("http://localhost:080/cb", "port"),
            ("http://localhost:65536/cb", "port"),
            ("http://localhost:/cb", "port"),
            ("http://localhost:8a/cb", "port"),
            ("http://[::1/cb", "not closed"),
            ("http://[::1]x/cb", "between the host"),
            ("http://localhost/a/../cb", "segments"),
            ("http://localhost/./cb", "segments"),
            ("http://localhost/c b", "spaces"),
            ("http://localhost/cb\n", "control"),
            ("http://localhost/caf\u{e9}", "percent-encode"),
            ("http://localhost/%zz", "hex digits"),
            ("http://localhost/a\"b", "percent-encode"),
        ] {
            let e = RedirectUri::parse(raw).unwrap_err();
            assert!(e.reason.contains(why), "{raw}: {e}");
            assert!(!e.hint.is_empty());
            assert!(!e.uri.contains('\n'), "the message is one line");
        }
    }

    #[test]
    fn a_pasted_address_must_be_this_redirect_uri() {
        let r = RedirectUri::parse("http://localhost/oauth/cb").unwrap();
        let ok = "http://localhost:41235/oauth/cb?code=c&state=s";
        assert_eq!(r.pasted_query(41235, ok), Ok("code=c&state=s"));
        assert_eq!(
            r.pasted_query(41235, &format!("  {ok}#x \r")),
            Ok("code=c&state=s")
        );
        for bad in [
            "http://localhost:41236/oauth/cb?code=c&state=s",
            "http://localhost:41235/oauth/cb2?code=c&state=s",
            "http://127.0.0.1:41235/oauth/cb?code=c&state=s",
            "https://localhost:41235/oauth/cb?code=c&state=s",
            "http://evil.example/oauth/cb?code=c&state=s",
        ] {
            assert!(r.pasted_query(41235, bad).is_err(), "{bad}");
        }
        assert!(
            r.pasted_query(41235, "http://localhost:41235/oauth/cb")
                .is_err()
        );
        assert!(r.pasted_query(41235, "").is_err());
        // A URI without a path comes back with a slash.
        let bare = RedirectUri::parse("http://localhost").unwrap();
        assert_eq!(
            bare.pasted_query(5, "http://localhost:5/?code=c"),
            Ok("code=c")
        );
        assert_eq!(
            bare.pasted_query(5, "http://localhost:5?code=c"),
            Ok("code=c")
        );
    }
}
