//! Who a `client_id` names, for every endpoint that reads one: a client of the server's
//! configuration, else one registered at `/register` (RFC 7591), else, for a URL, the
//! client its Client ID Metadata Document describes
//! (draft-ietf-oauth-client-id-metadata-document). A configured client is borrowed from
//! the configuration; the others are copies, as they may be dropped meanwhile.

use std::borrow::Cow;
use std::net::IpAddr;

use super::{App, Client, Registry, cimd};

/// Why a `client_id` names no client.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Unknown {
    /// No client has this id.
    NoSuchClient,
    /// The id is a metadata document URL, and the document was refused (why, in words).
    Refused(String),
}

/// The clients as one endpoint sees them (see the module documentation).
#[derive(Debug, Clone, Copy)]
pub(crate) struct Directory<'a> {
    /// The configured clients, users and scopes.
    pub registry: &'a Registry,
    /// The issuer, which names the resources this server hosts.
    pub issuer: &'a str,
    /// The running server and the request's source, for registered clients and metadata
    /// documents; `None` knows the configured clients only.
    live: Option<(&'a App, Option<IpAddr>)>,
}

impl<'a> Directory<'a> {
    /// Every client the running server knows, for a request from `peer` (metadata document
    /// fetches are limited per source).
    pub(crate) fn of(app: &'a App, peer: Option<IpAddr>) -> Self {
        Self {
            registry: &app.cfg.registry,
            issuer: &app.issuer,
            live: Some((app, peer)),
        }
    }

    /// The configured clients of `registry` only (pure; for unit tests of the rules).
    #[cfg(test)]
    pub(crate) fn configured(registry: &'a Registry, issuer: &'a str) -> Self {
        Self {
            registry,
            issuer,
            live: None,
        }
    }

    /// The client `id`.
    pub(crate) fn client(&self, id: &str) -> Result<Cow<'a, Client>, Unknown> {
        if let Some(c) = self.registry.client(id) {
            return Ok(Cow::Borrowed(c));
        }
        let Some((app, peer)) = self.live else {
            return Err(Unknown::NoSuchClient);
        };
        if let Some(c) = app.registrations.get(id) {
            return Ok(Cow::Owned(c));
        }
        if app.cfg.client_id_metadata_documents && cimd::is_url(id) {
            return app
                .documents
                .client(
                    id,
                    peer,
                    &self.registry.scopes,
                    app.cfg.rate_limit_per_minute,
                )
                .map(Cow::Owned)
                .map_err(Unknown::Refused);
        }
        Err(Unknown::NoSuchClient)
    }
}
