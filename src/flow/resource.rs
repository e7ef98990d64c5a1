//! Discovery from a protected resource (RFC 9728, then RFC 8414 / OpenID Connect
//! Discovery): from the URL of an API, and the challenge it answered with if any, to the
//! authorization server to log in at, with its metadata.
//!
//! The resource's metadata comes from the challenge's `resource_metadata` when it names one
//! (that URL only), else from the well-known URLs (path-based, then the root). It must be
//! about a resource that covers the URL (`oauth::resource::covers`): metadata for another
//! resource is refused here, before anything is sent to an authorization server. Each
//! document is strict JSON, capped and fetched within the protocol deadline, without
//! following redirects. The authorization server's metadata is found in the order the MCP
//! authorization spec gives and must name the issuer exactly.

use url::Url;

use crate::error::{Error, Result};
use crate::http::HttpClient;
use crate::oauth::discovery::ProviderMetadata;
use crate::oauth::resource::{self, MetadataError, ResourceChallenge, ResourceMetadata};
use crate::oauth::url_policy;

use super::discovery::{self, DocumentCache};

/// What discovery found.
#[derive(Debug, Clone)]
pub(crate) struct Found {
    /// Where the protected resource metadata was.
    pub metadata_url: Url,
    /// The protected resource metadata.
    pub resource: ResourceMetadata,
    /// The authorization server chosen among those it names, as it names it.
    pub issuer: String,
    /// That server's metadata.
    pub server: ProviderMetadata,
}

/// Discovers the authorization server of the resource at `url`. `challenge` is the
/// resource's `401`/`403` challenge, if it sent one; `choose` picks one of the authorization
/// servers the metadata names (by index).
pub(crate) fn discover(
    http: &HttpClient,
    cache: &DocumentCache,
    url: &Url,
    challenge: Option<&ResourceChallenge>,
    choose: &dyn Fn(&[String]) -> Result<usize>,
    now: i64,
) -> Result<Found> {
    let (metadata_url, metadata) = resource_metadata(http, url, challenge)?;
    let servers = &metadata.authorization_servers;
    let issuer = servers
        .get(choose(servers)?)
        .cloned()
        .ok_or_else(|| Error::Other("no authorization server was chosen".to_owned()))?;
    let server = discovery::resource_first_metadata(http, cache, &issuer, now)?;
    Ok(Found {
        metadata_url,
        resource: metadata,
        issuer,
        server,
    })
}

/// The protected resource metadata for `url`: from the challenge's pointer only, or from the
/// first well-known URL that answers 200.
fn resource_metadata(
    http: &HttpClient,
    url: &Url,
    challenge: Option<&ResourceChallenge>,
) -> Result<(Url, ResourceMetadata)> {
    let shown = url_policy::display_base(url);
    if let Some(pointer) = challenge.and_then(|c| c.resource_metadata.as_deref()) {
        let at = http.checked_url(pointer).map_err(|e| {
            Error::BadResponse(format!(
                "the challenge of {shown} points to its metadata at an unusable URL: {e}"
            ))
        })?;
        let resp = http.get_json(&at)?;
        if resp.status != 200 {
            return Err(Error::BadResponse(format!(
                "the protected resource metadata of {shown} is not at {} (HTTP {}), where its \
                 challenge says it is",
                url_policy::display_base(&at),
                resp.status
            )));
        }
        return read(&at, &resp.body, url, http.insecure_http()).map(|m| (at, m));
    }
    let mut tried = Vec::new();
    for at in resource::metadata_urls(url) {
        let at = http.checked_url(at.as_str())?;
        let resp = http.get_json(&at)?;
        if resp.status == 200 {
            return read(&at, &resp.body, url, http.insecure_http()).map(|m| (at, m));
        }
        tried.push(format!(
            "{} → HTTP {}",
            url_policy::display_base(&at),
            resp.status
        ));
    }
    Err(Error::BadResponse(format!(
        "{shown} publishes no protected resource metadata (RFC 9728; tried {}), so its \
         authorization server is unknown; log in with --issuer URL --client-id ID \
         --resource URI instead",
        tried.join(", ")
    )))
}

fn read(at: &Url, body: &[u8], url: &Url, insecure_http: bool) -> Result<ResourceMetadata> {
    resource::parse_metadata(body, url, insecure_http).map_err(|e: MetadataError| {
        Error::BadResponse(format!(
            "the protected resource metadata at {}: {e}",
            url_policy::display_base(at)
        ))
    })
}

/// Asks the resource at `url` for its challenge: one GET without credentials (and without
/// following redirects), within the protocol deadline; only the status and the
/// `WWW-Authenticate` header are read. `None` when it answers without an OAuth challenge.
pub(crate) fn probe(http: &HttpClient, url: &Url) -> Result<Option<ResourceChallenge>> {
    use reqwest::header::{HeaderMap, WWW_AUTHENTICATE};
    let timeout = crate::http::HttpOptions::protocol(None, false, 0, crate::http::discard_trace)?
        .timeout
        .unwrap_or(crate::http::DEFAULT_TIMEOUT);
    http.trace_request("GET", url, &HeaderMap::new(), None);
    let resp = http
        .client_for(url)?
        .get(url.clone())
        .timeout(timeout)
        .send()
        .map_err(|e| crate::http::network_error(url, &e))?;
    let values = resp
        .headers()
        .get_all(WWW_AUTHENTICATE)
        .iter()
        .filter_map(|v| v.to_str().ok());
    Ok(ResourceChallenge::read(resp.status().as_u16(), values))
}
