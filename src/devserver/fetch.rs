//! The dev server's one outbound HTTP client, for the documents it fetches itself (a
//! client's metadata document): GET only, to `https` or to plain `http` on a loopback
//! address (development); no redirects followed; no proxy; one deadline for the whole
//! exchange; a cap on the body, read no further. The request runs on a thread of its own
//! (reqwest's blocking client may not run inside an async runtime, whatever thread the
//! handler is called on); the connection that asked waits for it, at most the deadline, and
//! the server's other connections are served meanwhile. It shares nothing with the command-line client in `http`, which the dev
//! server may not use (docs/architecture.md).

use std::io::Read as _;
use std::time::Duration;

/// The bounds of one fetch.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Bounds {
    /// The deadline of the whole exchange, from connecting to the last byte.
    pub timeout: Duration,
    /// The largest body read; a larger one is an error.
    pub max_bytes: u64,
}

/// A response: status, media type (without parameters, lower case) and body.
#[derive(Debug)]
pub(crate) struct Fetched {
    pub status: u16,
    pub media_type: Option<String>,
    pub body: Vec<u8>,
}

/// Whether `uri` may be fetched: an absolute `https` URL, or `http` to `127.0.0.0/8`,
/// `[::1]` or `localhost`; never with user information.
pub(crate) fn fetchable(uri: &str) -> Result<url::Url, String> {
    let url = url::Url::parse(uri).map_err(|e| format!("not an absolute URL ({e})"))?;
    if !url.username().is_empty() || url.password().is_some() {
        return Err("a URL with user information is not fetched".to_owned());
    }
    let loopback = match url.host() {
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        Some(url::Host::Domain(d)) => d == "localhost",
        None => false,
    };
    match url.scheme() {
        "https" => Ok(url),
        "http" if loopback => Ok(url),
        _ => Err("only https is fetched (or http on a loopback address)".to_owned()),
    }
}

/// GETs `url` (see [`fetchable`]) within `bounds`, asking for `accept`. Any status is a
/// response; redirects come back as what they are.
pub(crate) fn get(url: &url::Url, accept: &'static str, bounds: Bounds) -> Result<Fetched, String> {
    let url = url.clone();
    let worker = std::thread::Builder::new()
        .name("devserver-fetch".into())
        .spawn(move || -> Result<Fetched, String> {
            let client = reqwest::blocking::Client::builder()
                .redirect(reqwest::redirect::Policy::none())
                .timeout(bounds.timeout)
                .no_proxy()
                .user_agent(concat!("oauthctl-devserver/", env!("CARGO_PKG_VERSION")))
                .build()
                .map_err(|e| e.to_string())?;
            let resp = client
                .get(url)
                .header("Accept", accept)
                .send()
                .map_err(|e| {
                    if e.is_timeout() {
                        format!(
                            "no answer within {}",
                            humantime::format_duration(bounds.timeout)
                        )
                    } else {
                        "cannot connect".to_owned()
                    }
                })?;
            let status = resp.status().as_u16();
            let media_type = resp
                .headers()
                .get("content-type")
                .and_then(|v| v.to_str().ok())
                .and_then(|v| v.split(';').next())
                .map(|m| m.trim().to_ascii_lowercase());
            let mut body = Vec::new();
            resp.take(bounds.max_bytes + 1)
                .read_to_end(&mut body)
                .map_err(|_| "the answer broke off".to_owned())?;
            if body.len() as u64 > bounds.max_bytes {
                return Err(format!("larger than {} bytes", bounds.max_bytes));
            }
            Ok(Fetched {
                status,
                media_type,
                body,
            })
        })
        .map_err(|e| format!("cannot start a fetch: {e}"))?;
    worker.join().map_err(|_| "the fetch failed".to_owned())?
}

#[cfg(test)]
mod tests {
    use std::io::Write as _;
    use std::net::TcpListener;

    use super::*;

    /// Answers every connection with `response` (raw HTTP) and closes it.
    fn serve(response: String) -> String {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!("http://{}/doc.json", listener.local_addr().unwrap());
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                let Ok(mut s) = stream else { break };
                let mut buf = [0u8; 4096];
                let _ = std::io::Read::read(&mut s, &mut buf);
                let _ = s.write_all(response.as_bytes());
            }
        });
        url
    }

    const BOUNDS: Bounds = Bounds {
        timeout: Duration::from_secs(5),
        max_bytes: 1024,
    };

    fn ok(body: &str, content_type: &str) -> String {
        format!(
            "HTTP/1.1 200 OK\r\nContent-Type: {content_type}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
            body.len()
        )
    }

    #[test]
    fn only_https_or_loopback_http_without_userinfo() {
        for ok in [
            "https://client.example/doc.json",
            "http://127.0.0.1:1/doc.json",
            "http://127.0.0.2/doc.json",
            "http://[::1]:1/doc.json",
            "http://localhost:1/doc.json",
        ] {
            assert!(fetchable(ok).is_ok(), "{ok}");
        }
        for bad in [
            "http://client.example/doc.json",
            "http://10.0.0.1/doc.json",
            "http://localhost.evil.example/doc.json",
            "https://user:pw@client.example/doc.json",
            "ftp://client.example/doc.json",
            "file:///etc/passwd",
            "/doc.json",
        ] {
            assert!(fetchable(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn bodies_are_read_up_to_the_cap_and_redirects_are_not_followed() {
        let url = fetchable(&serve(ok("{}", "application/json; charset=utf-8"))).unwrap();
        let f = get(&url, "application/json", BOUNDS).unwrap();
        assert_eq!(f.status, 200);
        assert_eq!(f.media_type.as_deref(), Some("application/json"));
        assert_eq!(f.body, b"{}");
        let big = fetchable(&serve(ok(&"x".repeat(1025), "application/json"))).unwrap();
        assert!(
            get(&big, "application/json", BOUNDS)
                .unwrap_err()
                .contains("larger than")
        );
        let elsewhere = serve(ok("{}", "application/json"));
        let redirect = fetchable(&serve(format!(
            "HTTP/1.1 302 Found\r\nLocation: {elsewhere}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
        )))
        .unwrap();
        let f = get(&redirect, "application/json", BOUNDS).unwrap();
        assert_eq!(f.status, 302, "not followed");
        let closed = fetchable("http://127.0.0.1:1/doc.json").unwrap();
        assert_eq!(
            get(&closed, "application/json", BOUNDS).unwrap_err(),
            "cannot connect"
        );
    }

    #[test]
    fn a_silent_server_meets_the_deadline() {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let url = fetchable(&format!(
            "http://{}/doc.json",
            listener.local_addr().unwrap()
        ))
        .unwrap();
        let started = std::time::Instant::now();
        let bounds = Bounds {
            timeout: Duration::from_millis(300),
            ..BOUNDS
        };
        let err = get(&url, "application/json", bounds).unwrap_err();
        assert!(err.starts_with("no answer within"), "{err}");
        assert!(started.elapsed() < Duration::from_secs(3));
        drop(listener);
    }
}
