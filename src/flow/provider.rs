//! The endpoints to use: explicit ones (presets, config) over discovered ones.

use crate::error::{Error, Result};
use crate::http::HttpClient;
use crate::oauth::discovery::ProviderMetadata;
use crate::oauth::providers::{Endpoints, Provider};

use super::discovery::{self, DocumentCache};

/// A provider with its endpoints known.
#[derive(Debug, Clone)]
pub struct Resolved {
    pub provider: Provider,
    pub endpoints: Endpoints,
    /// The discovery document, when there is one.
    pub metadata: Option<ProviderMetadata>,
}

impl Resolved {
    /// The issuer, if known.
    pub fn issuer(&self) -> Option<&str> {
        self.provider.issuer.as_deref()
    }

    /// The same provider as a client with a certificate uses it (RFC 8705 §5): its
    /// `mtls_endpoint_aliases` replace the endpoints they name. Explicit endpoints from the
    /// configuration stay as given.
    #[must_use]
    pub fn for_certificate(mut self) -> Self {
        if let Some(meta) = &self.metadata {
            let aliased = meta.with_mtls_aliases(&meta.endpoints());
            self.endpoints = self.provider.endpoints.clone().or(&aliased);
        }
        self
    }

    /// An endpoint by name, or a configuration error naming it.
    pub fn require<'a>(&'a self, name: &str, value: Option<&'a String>) -> Result<&'a str> {
        value.map(String::as_str).ok_or_else(|| {
            Error::config(
                format!("the provider `{}` has no {name}", self.provider.name),
                Some(format!("set `{name}` in the provider's config table")),
            )
        })
    }
}

/// Resolves endpoints: discovery for providers that have it, explicit endpoints on top.
pub fn resolve(
    http: &HttpClient,
    cache: &DocumentCache,
    provider: &Provider,
    now: i64,
) -> Result<Resolved> {
    if provider.quirks.no_discovery || provider.issuer.is_none() {
        if provider.endpoints.token_endpoint.is_none() {
            return Err(Error::config(
                format!(
                    "no issuer or token endpoint known for provider `{}`",
                    provider.name
                ),
                Some("pass --issuer URL or --provider NAME (see `oauthctl providers`)".to_owned()),
            ));
        }
        return Ok(Resolved {
            provider: provider.clone(),
            endpoints: provider.endpoints.clone(),
            metadata: None,
        });
    }
    let issuer = provider.issuer.as_deref().unwrap_or_default();
    match discovery::metadata(
        http,
        cache,
        issuer,
        provider.quirks.issuer_tenant_placeholder,
        now,
    ) {
        Ok(meta) => Ok(Resolved {
            provider: provider.clone(),
            endpoints: provider.endpoints.clone().or(&meta.endpoints()),
            metadata: Some(meta),
        }),
        // Explicit endpoints suffice where a provider's discovery is unreachable.
        Err(_) if provider.endpoints.token_endpoint.is_some() => Ok(Resolved {
            provider: provider.clone(),
            endpoints: provider.endpoints.clone(),
            metadata: None,
        }),
        Err(e) => Err(e),
    }
}
