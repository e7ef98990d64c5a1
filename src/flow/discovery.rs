//! Fetching authorization server metadata and key sets, with a small on-disk cache.
//!
//! Discovery tries OpenID Connect (`/.well-known/openid-configuration`) first, then RFC 8414
//! (`/.well-known/oauth-authorization-server`). Documents are cached for an hour. A key set
//! is refetched early for a `kid` it lacks (key rotation), unless that set was itself fetched
//! less than a minute ago while looking for that same `kid`: the first token signed with a
//! rotated key always gets its refetch, and a stream of tokens naming the same unknown kid
//! costs at most one fetch a minute. An explicit key set URL (`decode --jwks URL`) is
//! always fetched fresh.

use std::path::PathBuf;

use serde::{Deserialize, Serialize};
use url::Url;

use crate::error::{Error, Result};
use crate::http::HttpClient;
use crate::oauth::discovery::{self, DiscoveryError, ProviderMetadata};
use crate::oauth::jwt::{self, KeySet};
use crate::oauth::url_policy;
use crate::store::fsutil::{self, Exposure, ReadOutcome};

/// How long a cached discovery document is used.
pub(crate) const METADATA_TTL: i64 = 3600;
/// How long a cached key set is used.
pub(crate) const JWKS_TTL: i64 = 3600;
/// The shortest interval between two fetches of the same key set.
pub(crate) const JWKS_REFETCH_COOLDOWN: i64 = 60;
/// A cached document is at most the 1 MiB a protocol response may have, plus its envelope.
const MAX_CACHED_LEN: u64 = 2 << 20;

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
    /// For a key set: the `kid` of the token being verified when it was fetched (`""` for a
    /// token without one).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    fetched_for_kid: Option<String>,
}

/// A cached document's body with when, and for which `kid`, it was fetched.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Cached {
    body: String,
    fetched_at: i64,
    fetched_for_kid: Option<String>,
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

    /// The cached document at `url`, if any and readable.
    ///
    /// A cache another local user could have written (a directory or file not ours, or
    /// writable by group or others, or a symlink) is refused (exit 7), neither used nor
    /// skipped in silence: a planted discovery document would send the authorization code
    /// and PKCE verifier to a token endpoint of their choosing.
    fn get(&self, kind: &str, url: &str) -> Result<Option<Cached>> {
        if let Some(root) = self.dir.parent() {
            fsutil::check_dir_if_exists(root, Exposure::Trusted)?;
        }
        if !fsutil::check_dir_if_exists(&self.dir, Exposure::Trusted)? {
            return Ok(None);
        }
        let ReadOutcome::Data(bytes) =
            fsutil::read_private(&self.path(kind, url), Exposure::Trusted, MAX_CACHED_LEN)?
        else {
            return Ok(None);
        };
        let Ok(doc) = serde_json::from_slice::<CachedDocument>(&bytes) else {
            return Ok(None);
        };
        Ok((doc.url == url).then_some(Cached {
            body: doc.body,
            fetched_at: doc.fetched_at,
            fetched_for_kid: doc.fetched_for_kid,
        }))
    }

    /// Stores `body` for `url`. Failures are ignored: the cache is an optimisation.
    fn put(&self, kind: &str, url: &str, body: &str, now: i64, for_kid: Option<&str>) {
        let doc = CachedDocument {
            url: url.to_owned(),
            fetched_at: now,
            body: body.to_owned(),
            fetched_for_kid: for_kid.map(str::to_owned),
        };
        let Ok(bytes) = serde_json::to_vec(&doc) else {
            return;
        };
        let _ = fsutil::ensure_dir(&self.dir, Exposure::Trusted)
            .and_then(|()| fsutil::write_private_atomic(&self.dir, &self.path(kind, url), &bytes));
    }
}

fn discovery_error(e: &DiscoveryError) -> Error {
    Error::BadResponse(e.to_string())
}

/// The metadata of `issuer`: from the cache when fresh, else fetched and validated. The
/// URLs tried: OpenID Connect discovery, then RFC 8414 (path insertion), then, for an issuer
/// with a path, OpenID Connect by path insertion.
pub(crate) fn metadata(
    http: &HttpClient,
    cache: &DocumentCache,
    issuer: &str,
    tenant_placeholder: Option<&str>,
    now: i64,
) -> Result<ProviderMetadata> {
    let issuer_url = checked_issuer(http, issuer)?;
    let mut candidates = vec![
        discovery::oidc_url(issuer_url.as_str()).map_err(Error::Other)?,
        discovery::oauth_url(issuer).map_err(Error::Other)?,
    ];
    let insertion = discovery::oidc_insertion_url(issuer).map_err(Error::Other)?;
    if !candidates.contains(&insertion) {
        candidates.push(insertion);
    }
    metadata_at(http, cache, issuer, tenant_placeholder, &candidates, now)
}

/// The metadata of an authorization server a protected resource named
/// (`flow::resource`), tried in the order the MCP authorization spec gives
/// ([`discovery::resource_first_urls`]: RFC 8414 first, never a root URL for an issuer with
/// a path), with the same cache and the same exact issuer check.
pub(crate) fn resource_first_metadata(
    http: &HttpClient,
    cache: &DocumentCache,
    issuer: &str,
    now: i64,
) -> Result<ProviderMetadata> {
    checked_issuer(http, issuer)?;
    let candidates = discovery::resource_first_urls(issuer).map_err(Error::Other)?;
    metadata_at(http, cache, issuer, None, &candidates, now)
}

fn checked_issuer(http: &HttpClient, issuer: &str) -> Result<Url> {
    http.checked_url(issuer).map_err(|e| {
        Error::config(
            format!("issuer `{issuer}`: {e}"),
            Some(
                "issuers are https URLs (http only on loopback, or with --insecure-http)"
                    .to_owned(),
            ),
        )
    })
}

/// The first of `candidates` that has the metadata of `issuer`: a fresh cached copy of any
/// of them, else the first that answers 200 (which must then be valid).
fn metadata_at(
    http: &HttpClient,
    cache: &DocumentCache,
    issuer: &str,
    tenant_placeholder: Option<&str>,
    candidates: &[Url],
    now: i64,
) -> Result<ProviderMetadata> {
    for url in candidates {
        if let Some(doc) = cache.get("meta", url.as_str())?
            && now - doc.fetched_at < METADATA_TTL
            && now >= doc.fetched_at
            && let Ok(meta) = discovery::parse(
                doc.body.as_bytes(),
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
    for url in candidates {
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
                cache.put("meta", url.as_str(), text, now, None);
            }
            return Ok(meta);
        }
        last_status = Some((url.clone(), resp.status));
    }
    let Some((url, status)) = last_status else {
        return Err(Error::Other(format!(
            "no discovery URL for issuer `{issuer}`"
        )));
    };
    Err(Error::BadResponse(format!(
        "no discovery document for issuer `{issuer}` (last tried {} → HTTP {status})",
        url_policy::display_base(&url)
    )))
}

/// How [`key_set`] may use the cache.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum KeyFetch<'a> {
    /// The cached set while it is younger than [`JWKS_TTL`], else a fetch. `kid` is the key
    /// the caller is looking for (the token's `kid`); a fetch records it.
    Cached { kid: Option<&'a str> },
    /// The set in hand has no key for `kid` (key rotation): fetch again, unless the cached
    /// set was itself fetched for this same `kid` less than [`JWKS_REFETCH_COOLDOWN`]
    /// seconds ago.
    Rotated { kid: Option<&'a str> },
    /// Always fetch, never read the cache (a key set URL the user named).
    Fresh,
}

/// The key set at `jwks_uri`, from the cache or the network as `how` says. Returns the keys
/// and whether they were fetched now.
pub(crate) fn key_set(
    http: &HttpClient,
    cache: &DocumentCache,
    jwks_uri: &str,
    how: KeyFetch<'_>,
    now: i64,
) -> Result<(KeySet, bool)> {
    let url: Url = http.checked_url(jwks_uri)?;
    // A token without a `kid` is recorded as looking for the empty one.
    let wanted = match how {
        KeyFetch::Cached { kid } | KeyFetch::Rotated { kid } => Some(kid.unwrap_or_default()),
        KeyFetch::Fresh => None,
    };
    if let Some(kid) = wanted
        && let Some(doc) = cache.get("jwks", url.as_str())?
    {
        let age = now - doc.fetched_at;
        let usable = match how {
            KeyFetch::Cached { .. } => (0..JWKS_TTL).contains(&age),
            KeyFetch::Rotated { .. } => {
                (0..JWKS_REFETCH_COOLDOWN).contains(&age)
                    && doc.fetched_for_kid.as_deref() == Some(kid)
            }
            KeyFetch::Fresh => false,
        };
        if usable && let Ok(set) = jwt::parse_jwks(doc.body.as_bytes()) {
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
        cache.put("jwks", url.as_str(), text, now, wanted);
    }
    Ok((set, true))
}

#[cfg(test)]
mod tests {
    use std::fs;

    use super::*;

    #[test]
    fn cache_round_trips_and_is_private() {
        let dir = tempfile::tempdir().unwrap();
        let cache = DocumentCache::new(dir.path().join("d"));
        assert!(cache.get("meta", "https://a/").unwrap().is_none());
        cache.put("meta", "https://a/", "{\"x\":1}", 100, None);
        assert_eq!(
            cache.get("meta", "https://a/").unwrap(),
            Some(Cached {
                body: "{\"x\":1}".to_owned(),
                fetched_at: 100,
                fetched_for_kid: None
            })
        );
        assert!(cache.get("meta", "https://b/").unwrap().is_none());
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt as _;
            let mode = |p: &std::path::Path| fs::metadata(p).unwrap().permissions().mode() & 0o777;
            assert_eq!(mode(&dir.path().join("d")), 0o700);
            assert_eq!(mode(&cache.path("meta", "https://a/")), 0o600);
        }
    }

    #[cfg(unix)]
    #[test]
    fn a_cache_others_could_write_is_refused_not_used() {
        // A planted discovery document must never be used.
        use std::os::unix::fs::{PermissionsExt as _, symlink};
        let set_mode = |p: &std::path::Path, m: u32| {
            fs::set_permissions(p, fs::Permissions::from_mode(m)).unwrap();
        };
        let home = tempfile::tempdir().unwrap();
        let root = home.path().join("cache");
        let cache = DocumentCache::new(root.join("discovery"));
        cache.put("meta", "https://a/", "{}", 100, None);
        let file = cache.path("meta", "https://a/");
        let refused = |what: &str| {
            let e = cache.get("meta", "https://a/").unwrap_err();
            assert_eq!(e.exit_code(), 7, "{what}: {e}");
            e
        };
        // A group- or world-writable cache root, cache directory, or document.
        for (path, dir_mode) in [(&root, 0o777), (&cache.dir, 0o770), (&file, 0o666)] {
            let before = fs::metadata(path).unwrap().permissions().mode();
            set_mode(path, dir_mode);
            let e = refused(&path.display().to_string());
            assert!(e.to_string().contains("writable by group or others"), "{e}");
            assert_eq!(e.hint(), Some(format!("chmod go-w {}", path.display())));
            set_mode(path, before);
        }
        // Readable by others is fine: nothing in it is secret.
        set_mode(&file, 0o644);
        assert!(cache.get("meta", "https://a/").unwrap().is_some());
        // A document that is a symbolic link, even to a file of ours.
        let elsewhere = home.path().join("planted.json");
        fs::rename(&file, &elsewhere).unwrap();
        symlink(&elsewhere, &file).unwrap();
        assert!(refused("symlink").to_string().contains("symbolic link"));
        fs::remove_file(&file).unwrap();
        // A cache directory that is a symbolic link.
        let real = home.path().join("real");
        fs::rename(&cache.dir, &real).unwrap();
        symlink(&real, &cache.dir).unwrap();
        assert!(
            refused("symlinked dir")
                .to_string()
                .contains("symbolic link")
        );
    }
}
