//! Client ID Metadata Documents (draft-ietf-oauth-client-id-metadata-document): a
//! `client_id` that is a URL names the client described by the JSON document at that URL,
//! with no registration beforehand. The server fetches the document when it first needs the
//! client (at `/authorize`, at `/token`, …) through `fetch`: at most [`MAX_DOCUMENT`]
//! bytes, within [`FETCH_TIMEOUT`], no redirects followed; keeps it for [`CACHE_FOR`] (at
//! most [`MAX_CACHED`] documents, the oldest dropped first; refusals are not kept, so a
//! corrected document counts at once); and limits fetches per source like the other
//! endpoints.
//!
//! The URL must be `https` (plain `http` on a loopback address for development), in
//! normalised form, with a path, without fragment or user information. The document must
//! be a JSON object served `200` as `application/json` (or `application/…+json`), whose
//! `client_id` is the URL itself; it may not carry a secret, as nobody could have been given
//! one, so the client is public (`token_endpoint_auth_method` `none`, the default here); the
//! rest is client metadata as `/register` takes it (`client_metadata`), and the redirect
//! URI of an authorization request must be one the document lists.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::{Mutex, PoisonError};
use std::time::Duration;

use serde_json::{Map, Value};

use super::Client;
use super::capped::{Bounded, Bucket, bucket, ms, now_ms, source};
use super::client_metadata::{AuthMethod, ClientMetadata};
use super::fetch::{self, Bounds};
use crate::oauth::strict_json;

/// The deadline of one fetch.
pub(crate) const FETCH_TIMEOUT: Duration = Duration::from_secs(5);

/// The largest document read.
pub(crate) const MAX_DOCUMENT: u64 = 5 * 1024;

/// How long a fetched document is used before it is fetched again.
pub(crate) const CACHE_FOR: Duration = Duration::from_secs(60);

/// The most documents kept.
pub(crate) const MAX_CACHED: usize = 1024;

/// Whether `client_id` is meant as a metadata document URL (rather than a plain id).
pub(crate) fn is_url(client_id: &str) -> bool {
    client_id.starts_with("https://") || client_id.starts_with("http://")
}

/// Checks a `client_id` URL before anything is fetched.
pub(crate) fn check_url(client_id: &str) -> Result<url::Url, String> {
    let url = fetch::fetchable(client_id)?;
    if url.as_str() != client_id {
        return Err(
            "the client_id URL is not in normalised form (lower-case scheme and host, a path, \
             no dot segments, no default port)"
                .to_owned(),
        );
    }
    if url.path() == "/" {
        return Err("the client_id URL needs a path".to_owned());
    }
    if url.fragment().is_some() {
        return Err("the client_id URL may not have a fragment".to_owned());
    }
    Ok(url)
}

/// The client a fetched document describes (the document already parsed as an object).
pub(crate) fn client_from_document(
    client_id: &str,
    mut doc: Map<String, Value>,
    scopes: &[String],
) -> Result<Client, String> {
    match doc.get("client_id") {
        Some(Value::String(id)) if id == client_id => {}
        Some(Value::String(_)) => {
            return Err("its client_id is not the URL it was fetched from".to_owned());
        }
        _ => return Err("it has no client_id".to_owned()),
    }
    if doc.contains_key("client_secret") || doc.contains_key("client_secret_expires_at") {
        return Err("it may not carry a client secret".to_owned());
    }
    match doc.get("token_endpoint_auth_method") {
        None => {
            // A shared secret is impossible here, so the RFC 7591 default does not apply.
            doc.insert("token_endpoint_auth_method".into(), "none".into());
        }
        Some(Value::String(m)) if m == "none" => {}
        Some(Value::String(m)) if m.starts_with("client_secret_") => {
            return Err(format!(
                "token_endpoint_auth_method {} needs a shared secret, which a metadata \
                 document cannot have",
                m.chars().take(40).collect::<String>()
            ));
        }
        Some(_) => {
            return Err(
                "this server takes only public clients (token_endpoint_auth_method none) \
                 from metadata documents"
                    .to_owned(),
            );
        }
    }
    let metadata = ClientMetadata::read(&doc, scopes).map_err(|e| e.description)?;
    debug_assert_eq!(metadata.auth_method, AuthMethod::None);
    Ok(Client {
        id: client_id.to_owned(),
        secret: None,
        redirect_uris: metadata.redirect_uris,
        grant_types: metadata.grant_types,
        scopes: metadata.scopes,
        ..Client::default()
    })
}

/// Whether `media_type` is JSON: `application/json` or `application/…+json`.
fn is_json(media_type: Option<&str>) -> bool {
    media_type.is_some_and(|m| {
        m == "application/json" || (m.starts_with("application/") && m.ends_with("+json"))
    })
}

/// Fetches and reads the document at `url`.
fn fetch_client(url: &url::Url, client_id: &str, scopes: &[String]) -> Result<Client, String> {
    let bounds = Bounds {
        timeout: FETCH_TIMEOUT,
        max_bytes: MAX_DOCUMENT,
    };
    let fetched = fetch::get(url, "application/json", bounds)
        .map_err(|e| format!("it could not be fetched: {e}"))?;
    if fetched.status != 200 {
        return Err(format!(
            "it was answered with HTTP {} (redirects are not followed)",
            fetched.status
        ));
    }
    if !is_json(fetched.media_type.as_deref()) {
        return Err("it is not served as application/json".to_owned());
    }
    let doc = strict_json::object_from_slice(&fetched.body)
        .map_err(|e| format!("it is not a JSON object: {e}"))?;
    client_from_document(client_id, doc, scopes)
}

#[derive(Debug)]
struct Cached {
    client: Client,
    fetched_ms: u64,
}

/// The fetched documents, and the fetches per source.
#[derive(Debug, Default)]
pub(crate) struct Documents {
    cache: Mutex<Bounded<Cached, MAX_CACHED>>,
    rate: Mutex<HashMap<IpAddr, Bucket>>,
}

impl Documents {
    /// The client whose metadata document is at `client_id` (a URL, see [`is_url`]), from
    /// the cache or fetched now for a request from `peer`; `Err` says why there is none.
    pub(crate) fn client(
        &self,
        client_id: &str,
        peer: Option<IpAddr>,
        scopes: &[String],
        per_minute: u32,
    ) -> Result<Client, String> {
        let url = check_url(client_id)?;
        let now = now_ms();
        {
            let cache = self.cache.lock().unwrap_or_else(PoisonError::into_inner);
            if let Some(c) = cache
                .get(client_id)
                .filter(|c| now.saturating_sub(c.fetched_ms) < ms(CACHE_FOR))
            {
                return Ok(c.client.clone());
            }
        }
        if per_minute > 0 {
            let mut rate = self.rate.lock().unwrap_or_else(PoisonError::into_inner);
            if bucket(&mut rate, source(peer), per_minute, now)
                .take(per_minute, now)
                .is_err()
            {
                return Err(
                    "too many metadata documents fetched for this address; retry in a \
                            minute"
                        .to_owned(),
                );
            }
        }
        // Fetched without any lock held: a slow document delays only its own request.
        let client = fetch_client(&url, client_id, scopes)?;
        self.cache
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .insert(
                client_id.to_owned(),
                Cached {
                    client: client.clone(),
                    fetched_ms: now_ms(),
                },
            );
        Ok(client)
    }

    /// How many documents are kept.
    pub(crate) fn len(&self) -> usize {
        self.cache
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .len()
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::oauth::grant::Grant;

    const ID: &str = "https://client.example/oauth/client.json";

    fn doc(v: &Value) -> Map<String, Value> {
        v.as_object().unwrap().clone()
    }

    #[test]
    fn client_id_urls_are_https_normalised_with_a_path() {
        for ok in [
            ID,
            "https://client.example/c?v=1",
            "http://127.0.0.1:8080/client.json",
            "http://localhost:8080/client.json",
        ] {
            assert!(check_url(ok).is_ok(), "{ok}");
        }
        for bad in [
            "http://client.example/client.json",
            "https://client.example",
            "https://client.example/",
            "https://Client.example/client.json",
            "HTTPS://client.example/client.json",
            "https://client.example:443/client.json",
            "https://client.example/a/../client.json",
            "https://client.example/./client.json",
            "https://client.example/client.json#f",
            "https://u@client.example/client.json",
        ] {
            assert!(check_url(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn a_document_describes_a_public_client_named_by_its_own_url() {
        let c = client_from_document(
            ID,
            doc(&json!({
                "client_id": ID,
                "client_name": "An app",
                "redirect_uris": ["http://127.0.0.1/callback"],
                "grant_types": ["authorization_code", "refresh_token"],
            })),
            &[],
        )
        .unwrap();
        assert_eq!(c.id, ID);
        assert!(c.is_public());
        assert_eq!(c.redirect_uris, ["http://127.0.0.1/callback"]);
        assert!(c.allows(Grant::RefreshToken));
        let cb = json!(["http://127.0.0.1/callback"]);
        for (d, needle) in [
            (
                json!({"client_id": "https://other.example/c.json", "redirect_uris": cb}),
                "not the URL",
            ),
            (json!({"redirect_uris": cb}), "no client_id"),
            (
                json!({"client_id": ID, "redirect_uris": cb, "client_secret": "s"}),
                "secret",
            ),
            (
                json!({"client_id": ID, "redirect_uris": cb, "token_endpoint_auth_method": "client_secret_basic"}),
                "shared secret",
            ),
            (
                json!({"client_id": ID, "redirect_uris": cb, "token_endpoint_auth_method": "private_key_jwt"}),
                "only public clients",
            ),
            (
                json!({"client_id": ID, "redirect_uris": ["http://app.example/cb"]}),
                "loopback",
            ),
            (json!({"client_id": ID}), "redirect_uris are required"),
            (
                json!({"client_id": ID, "redirect_uris": cb, "grant_types": ["client_credentials"]}),
                "cannot use client_credentials",
            ),
        ] {
            let e = client_from_document(ID, doc(&d), &[]).unwrap_err();
            assert!(e.contains(needle), "{d}: {e}");
        }
    }

    #[test]
    fn json_media_types() {
        for ok in ["application/json", "application/oauth-client+json"] {
            assert!(is_json(Some(ok)), "{ok}");
        }
        for bad in [
            None,
            Some("text/html"),
            Some("application/jsonx"),
            Some("text/json"),
        ] {
            assert!(!is_json(bad), "{bad:?}");
        }
    }
}
