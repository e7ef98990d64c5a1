//! Fetching authorization server metadata and key sets, with a small on-disk cache.
//!
//! Discovery tries OpenID Connect (`/.well-known/openid-configuration`) first, then RFC 8414
//! (`/.well-known/oauth-authorization-server`). Documents are cached for an hour; a key set
//! is refetched early only for an unknown `kid` (key rotation), at most once per minute, so
//! a stream of tokens with made-up kids cannot turn oauthctl into a request amplifier.

use std::fs;
use std::io::Write as _;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use url::Url;

use crate::error::{Error, Result};
use crate::http::HttpClient;
use crate::oauth::discovery::{self, DiscoveryError, ProviderMetadata};
use crate::oauth::jwt::{self, KeySet};
use crate::oauth::url_policy;

/// How long a cached discovery document is used.
pub const METADATA_TTL: i64 = 3600;
/// How long a cached key set is used.
pub const JWKS_TTL: i64 = 3600;
/// The shortest interval between two fetches of the same key set.
pub const JWKS_REFETCH_COOLDOWN: i64 = 60;

/// A directory of cached documents, keyed by URL.
#[derive(Debug, Clone)]
pub struct DocumentCache {
    dir: PathBuf,
}

#[derive(Debug, Serialize, Deserialize)]
struct CachedDocument {
    url: String,
    fetched_at: i64,
    body: String,
}

impl DocumentCache {
    /// A cache in `dir` (created on first write).
    pub fn new(dir: impl Into<PathBuf>) -> Self {
        Self { dir: dir.into() }
    }

    fn path(&self, kind: &str, url: &str) -> PathBuf {
        let digest = aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA256, url.as_bytes());
        let hex = crate::oauth::tokens::hex(&digest.as_ref()[..16]);
        self.dir.join(format!("{kind}-{hex}.json"))
    }

    /// The cached body of `url` and when it was fetched, if any and readable.
    fn get(&self, kind: &str, url: &str) -> Option<(String, i64)> {
        let text = fs::read_to_string(self.path(kind, url)).ok()?;
        let doc: CachedDocument = serde_json::from_str(&text).ok()?;
        (doc.url == url).then_some((doc.body, doc.fetched_at))
    }

    /// Stores `body` for `url`. Failures are ignored: the cache is an optimisation.
    fn put(&self, kind: &str, url: &str, body: &str, now: i64) {
        let _ = self.try_put(kind, url, body, now);
    }

    fn try_put(&self, kind: &str, url: &str, body: &str, now: i64) -> std::io::Result<()> {
        create_private_dir(&self.dir)?;
        let doc = CachedDocument {
            url: url.to_owned(),
            fetched_at: now,
            body: body.to_owned(),
        };
        let mut tmp = tempfile::NamedTempFile::new_in(&self.dir)?;
        tmp.write_all(&serde_json::to_vec(&doc).map_err(std::io::Error::other)?)?;
        tmp.persist(self.path(kind, url)).map_err(|e| e.error)?;
        Ok(())
    }
}

/// Creates `dir` (and parents) with mode 0700 where the platform has modes.
pub fn create_private_dir(dir: &Path) -> std::io::Result<()> {
    let mut builder = fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::DirBuilderExt as _;
        builder.mode(0o700);
    }
    builder.create(dir)
}

fn discovery_error(e: &DiscoveryError) -> Error {
    Error::BadResponse(e.to_string())
}

/// The metadata of `issuer`: from the cache when fresh, else fetched and validated.
pub fn metadata(
    http: &HttpClient,
    cache: &DocumentCache,
    issuer: &str,
    tenant_placeholder: Option<&str>,
    now: i64,
) -> Result<ProviderMetadata> {
    let issuer_url = http.checked_url(issuer).map_err(|e| {
        Error::config(
            format!("issuer `{issuer}`: {e}"),
            Some(
                "issuers are https URLs (http only on loopback, or with --insecure-http)"
                    .to_owned(),
            ),
        )
    })?;
    let candidates = [
        discovery::oidc_url(issuer_url.as_str()).map_err(Error::Other)?,
        discovery::oauth_url(issuer).map_err(Error::Other)?,
    ];
    for url in &candidates {
        if let Some((body, fetched_at)) = cache.get("meta", url.as_str())
            && now - fetched_at < METADATA_TTL
            && now >= fetched_at
            && let Ok(meta) = discovery::parse(
                body.as_bytes(),
                url.as_str(),
                issuer,
                tenant_placeholder,
                http.insecure_http(),
            )
        {
            return Ok(meta);
        }
    }
    let mut last_status = None;
    for url in &candidates {
        let resp = http.get_json(url)?;
        if resp.status == 200 {
            let meta = discovery::parse(
                &resp.body,
                url.as_str(),
                issuer,
                tenant_placeholder,
                http.insecure_http(),
            )
            .map_err(|e| discovery_error(&e))?;
            if let Ok(text) = std::str::from_utf8(&resp.body) {
                cache.put("meta", url.as_str(), text, now);
            }
            return Ok(meta);
        }
        last_status = Some((url.clone(), resp.status));
    }
    let (url, status) = last_status.unwrap_or((candidates[0].clone(), 0));
    Err(Error::BadResponse(format!(
        "no discovery document for issuer `{issuer}` (last tried {} → HTTP {status})",
        url_policy::display_base(&url)
    )))
}

/// The key set at `jwks_uri`. With `refresh`, the cache is bypassed unless it was filled
/// less than [`JWKS_REFETCH_COOLDOWN`] seconds ago. Returns the keys and whether they were
/// fetched now.
pub fn key_set(
    http: &HttpClient,
    cache: &DocumentCache,
    jwks_uri: &str,
    refresh: bool,
    now: i64,
) -> Result<(KeySet, bool)> {
    let url: Url = http.checked_url(jwks_uri)?;
    if let Some((body, fetched_at)) = cache.get("jwks", url.as_str()) {
        let age = now - fetched_at;
        let fresh = (0..JWKS_TTL).contains(&age);
        let cooling = (0..JWKS_REFETCH_COOLDOWN).contains(&age);
        if ((fresh && !refresh) || cooling)
            && let Ok(set) = jwt::parse_jwks(body.as_bytes())
        {
            return Ok((set, false));
        }
    }
    let resp = http.get_json(&url)?;
    if resp.status != 200 {
        return Err(Error::BadResponse(format!(
            "the key set at {} answered HTTP {}",
            url_policy::display_base(&url),
            resp.status
        )));
    }
    let set = jwt::parse_jwks(&resp.body).map_err(|e| {
        Error::BadResponse(format!(
            "the key set at {}: {e}",
            url_policy::display_base(&url)
        ))
    })?;
    if let Ok(text) = std::str::from_utf8(&resp.body) {
        cache.put("jwks", url.as_str(), text, now);
    }
    Ok((set, true))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cache_round_trips_and_is_private() {
        let dir = tempfile::tempdir().unwrap();
        let cache = DocumentCache::new(dir.path().join("d"));
        assert!(cache.get("meta", "https://a/").is_none());
        cache.put("meta", "https://a/", "{\"x\":1}", 100);
        assert_eq!(
            cache.get("meta", "https://a/"),
            Some(("{\"x\":1}".to_owned(), 100))
        );
        assert!(cache.get("meta", "https://b/").is_none());
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt as _;
            let mode = fs::metadata(dir.path().join("d"))
                .unwrap()
                .permissions()
                .mode();
            assert_eq!(mode & 0o777, 0o700);
        }
    }
}
