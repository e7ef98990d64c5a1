//! The registered public keys of clients: an inline `jwks` (parsed at start) or a
//! `jwks_uri` (fetched when first needed, kept for [`FRESH_FOR`], fetched again at most
//! every [`REFETCH_AFTER`] when an assertion names a key the cached set lacks).
//!
//! Fetching is bounded: https, or plain http to a loopback address (development); no
//! redirects; [`FETCH_TIMEOUT`] for the whole exchange; at most [`MAX_JWKS_BYTES`]. One
//! cached set per registered client, so the cache is as large as the registry at most.

use std::collections::HashMap;
use std::io::Read as _;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use serde_json::Value;

use crate::oauth::jwt::{self, VerificationKey};

/// How long a fetched key set is used before it is fetched again.
pub(crate) const FRESH_FOR: Duration = Duration::from_secs(300);

/// How soon a key set may be fetched again for a key it lacks.
pub(crate) const REFETCH_AFTER: Duration = Duration::from_secs(10);

/// The deadline of one fetch.
pub(crate) const FETCH_TIMEOUT: Duration = Duration::from_secs(5);

/// The largest key set read.
pub(crate) const MAX_JWKS_BYTES: u64 = 64 * 1024;

/// A client's key set: the keys that verify assertions and the document itself (whose
/// `x5c` members `self_signed_tls_client_auth` compares certificates with).
#[derive(Debug)]
pub(crate) struct KeySet {
    pub keys: Vec<VerificationKey>,
    pub document: Value,
}

impl KeySet {
    /// Parses a JWKS document; keys that cannot verify signatures are skipped, as in any
    /// key set (a JWKS that only lists certificates still serves mTLS).
    pub(crate) fn parse(document: Value) -> Result<Self, String> {
        let bytes = serde_json::to_vec(&document).map_err(|e| e.to_string())?;
        let set = jwt::parse_jwks(&bytes)?;
        Ok(Self {
            keys: set.keys,
            document,
        })
    }
}

#[derive(Debug)]
struct Fetched {
    set: Arc<KeySet>,
    at_ms: u64,
}

/// The key sets of the registry's clients.
#[derive(Debug, Default)]
pub(crate) struct ClientKeys {
    inline: HashMap<String, Arc<KeySet>>,
    fetched: Mutex<HashMap<String, Fetched>>,
}

fn ms(d: Duration) -> u64 {
    u64::try_from(d.as_millis()).unwrap_or(u64::MAX)
}

impl ClientKeys {
    /// The inline key sets, by client id; an unusable one is an error naming its client.
    pub(crate) fn new<'a>(
        inline: impl Iterator<Item = (&'a str, &'a Value)>,
    ) -> Result<Self, String> {
        let mut out = Self::default();
        for (id, doc) in inline {
            let set =
                KeySet::parse(doc.clone()).map_err(|e| format!("client `{id}`: jwks: {e}"))?;
            out.inline.insert(id.to_owned(), Arc::new(set));
        }
        Ok(out)
    }

    /// The key set of `client_id`: the inline one, or the one at `jwks_uri`, fetched when
    /// there is none younger than [`FRESH_FOR`], or when `refetch` asks for fresher keys
    /// and the cached set is older than [`REFETCH_AFTER`].
    pub(crate) fn get(
        &self,
        client_id: &str,
        jwks_uri: Option<&str>,
        refetch: bool,
        now_ms: u64,
    ) -> Result<Arc<KeySet>, String> {
        if let Some(set) = self.inline.get(client_id) {
            return Ok(Arc::clone(set));
        }
        let Some(uri) = jwks_uri else {
            return Err("the client has no registered keys (jwks or jwks_uri)".to_owned());
        };
        {
            let cache = self.fetched.lock().unwrap_or_else(PoisonError::into_inner);
            if let Some(f) = cache.get(client_id) {
                let age = now_ms.saturating_sub(f.at_ms);
                let keep = if refetch {
                    age < ms(REFETCH_AFTER)
                } else {
                    age < ms(FRESH_FOR)
                };
                if keep {
                    return Ok(Arc::clone(&f.set));
                }
            }
        }
        let set = Arc::new(fetch_jwks(uri)?);
        self.fetched
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .insert(
                client_id.to_owned(),
                Fetched {
                    set: Arc::clone(&set),
                    at_ms: now_ms,
                },
            );
        Ok(set)
    }
}

/// Whether `uri` may be fetched: https anywhere, http only to a loopback address.
pub(crate) fn fetchable(uri: &str) -> Result<url::Url, String> {
    let url = url::Url::parse(uri).map_err(|e| format!("jwks_uri {uri}: {e}"))?;
    let loopback = match url.host() {
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        Some(url::Host::Domain(d)) => d.eq_ignore_ascii_case("localhost"),
        None => false,
    };
    match url.scheme() {
        "https" => Ok(url),
        "http" if loopback => Ok(url),
        _ => Err(format!(
            "jwks_uri {uri}: must be https (or http on a loopback address)"
        )),
    }
}

/// Fetches and parses the JWKS at `uri` (see the module documentation for the bounds).
/// The request runs on a thread of its own, outside the server's runtime.
pub(crate) fn fetch_jwks(uri: &str) -> Result<KeySet, String> {
    let url = fetchable(uri)?;
    let shown = url.to_string();
    let worker = std::thread::Builder::new()
        .name("jwks-fetch".into())
        .spawn(move || -> Result<Vec<u8>, String> {
            let client = reqwest::blocking::Client::builder()
                .redirect(reqwest::redirect::Policy::none())
                .timeout(FETCH_TIMEOUT)
                .no_proxy()
                .build()
                .map_err(|e| e.to_string())?;
            let resp = client
                .get(url)
                .header("Accept", "application/json")
                .send()
                .map_err(|e| e.to_string())?;
            if !resp.status().is_success() {
                return Err(format!("HTTP {}", resp.status().as_u16()));
            }
            let mut body = Vec::new();
            resp.take(MAX_JWKS_BYTES + 1)
                .read_to_end(&mut body)
                .map_err(|e| e.to_string())?;
            if body.len() as u64 > MAX_JWKS_BYTES {
                return Err(format!("larger than {MAX_JWKS_BYTES} bytes"));
            }
            Ok(body)
        })
        .map_err(|e| e.to_string())?;
    let body = worker
        .join()
        .map_err(|_| "the fetch failed".to_owned())?
        .map_err(|e| format!("cannot fetch the jwks_uri {shown}: {e}"))?;
    let document = crate::oauth::strict_json::from_slice(&body)
        .map_err(|e| format!("the jwks_uri {shown} is not JSON: {e}"))?;
    KeySet::parse(document).map_err(|e| format!("the jwks_uri {shown}: {e}"))
}

#[cfg(test)]
mod tests {
    use std::io::Write as _;
    use std::net::TcpListener;
    use std::sync::atomic::{AtomicUsize, Ordering};

    use serde_json::json;

    use super::*;
    use crate::oauth::jose::{SigningAlg, SigningKey};

    /// Serves `body` to every request; counts the requests.
    fn serve(body: String) -> (String, Arc<AtomicUsize>) {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!("http://{}/jwks", listener.local_addr().unwrap());
        let hits = Arc::new(AtomicUsize::new(0));
        let counter = Arc::clone(&hits);
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                let Ok(mut s) = stream else { break };
                counter.fetch_add(1, Ordering::SeqCst);
                let mut buf = [0u8; 4096];
                let _ = std::io::Read::read(&mut s, &mut buf);
                let _ = write!(
                    s,
                    "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                    body.len()
                );
            }
        });
        (url, hits)
    }

    #[test]
    fn key_sets_are_fetched_cached_and_refetched_for_new_keys() {
        let key = SigningKey::generate(SigningAlg::Es256).unwrap();
        let (url, hits) = serve(json!({"keys": [key.jwk()]}).to_string());
        let keys = ClientKeys::default();
        let set = keys.get("svc", Some(&url), false, 1_000).unwrap();
        assert_eq!(set.keys.len(), 1);
        assert_eq!(set.keys[0].kid.as_deref(), Some(key.kid()));
        keys.get("svc", Some(&url), false, 2_000).unwrap();
        assert_eq!(hits.load(Ordering::SeqCst), 1, "cached");
        keys.get("svc", Some(&url), true, 2_000).unwrap();
        assert_eq!(hits.load(Ordering::SeqCst), 1, "too soon to refetch");
        keys.get("svc", Some(&url), true, 1_000 + ms(REFETCH_AFTER))
            .unwrap();
        assert_eq!(hits.load(Ordering::SeqCst), 2, "refetched for a new key");
        keys.get("svc", Some(&url), false, 100_000 + ms(FRESH_FOR))
            .unwrap();
        assert_eq!(hits.load(Ordering::SeqCst), 3, "stale");
    }

    #[test]
    fn inline_sets_need_no_fetch_and_bad_ones_are_refused() {
        let key = SigningKey::generate(SigningAlg::EdDsa).unwrap();
        let doc = json!({"keys": [key.jwk()]});
        let keys = ClientKeys::new([("svc", &doc)].into_iter()).unwrap();
        assert_eq!(keys.get("svc", None, true, 0).unwrap().keys.len(), 1);
        assert!(
            keys.get("other", None, false, 0)
                .unwrap_err()
                .contains("no registered keys")
        );
        let bad = json!({"nokeys": []});
        let err = ClientKeys::new([("svc", &bad)].into_iter()).unwrap_err();
        assert!(err.contains("client `svc`: jwks"), "{err}");
    }

    #[test]
    fn only_https_or_loopback_http_is_fetched() {
        assert!(fetchable("https://keys.example/jwks").is_ok());
        assert!(fetchable("http://127.0.0.1:1/jwks").is_ok());
        assert!(fetchable("http://[::1]:1/jwks").is_ok());
        assert!(fetchable("http://localhost:1/jwks").is_ok());
        assert!(fetchable("http://keys.example/jwks").is_err());
        assert!(fetchable("file:///etc/passwd").is_err());
        let unreachable = fetch_jwks("http://127.0.0.1:1/jwks").unwrap_err();
        assert!(unreachable.contains("cannot fetch"), "{unreachable}");
        let (url, _) = serve("x".repeat(70_000));
        let big = fetch_jwks(&url).unwrap_err();
        assert!(big.contains("larger than"), "{big}");
    }
}
