//! The embedded development authorization server (`oauthctl serve`, docs/serve.md) and its
//! protected demo API, as a library type the tests start in process:
//!
//! ```no_run
//! use oauthctl::devserver::{DevConfig, DevServer};
//! let server = DevServer::start(DevConfig::default()).unwrap(); // 127.0.0.1, free port
//! let discovery = format!("{}/.well-known/openid-configuration", server.issuer());
//! # let _ = discovery;
//! // … requests …
//! drop(server); // stops it: threads joined, port released
//! ```
//!
//! Layers: the crate's HTTP server ([`crate::httpd`]) owns the TCP socket, bounds and
//! validates every request before any handler sees it, and writes the answers; `adapter`
//! turns its requests into `wire::Req` and `wire::Resp` into its answers; `routes`
//! dispatches to the OAuth endpoints (`authorize`, `token`) and the demo API (`api`);
//! `state` is the in-memory store (capped; access tokens are not in it: `access` verifies
//! them, and `denylist` remembers the revoked ones); `keys` signs.
//! This module depends on nothing in `commands`, `flow` or `output`.

mod access;
mod adapter;
mod admin;
mod api;
mod assertion;
mod authorization_request;
mod authorize;
mod back_channel;
mod binding;
mod capped;
mod cimd;
mod claims;
mod client_auth;
mod client_keys;
mod client_metadata;
mod clients;
mod clock;
mod config;
mod denylist;
mod device_authorization;
mod device_pages;
mod directory;
mod dpop;
mod fetch;
mod form_checks;
mod grants;
mod introspect;
mod issue;
mod keys;
mod logout;
mod lookup;
mod misbehave;
pub mod mtls;
mod pages;
mod par;
mod pkce;
mod registration;
mod replay;
mod resource;
mod revoke;
mod routes;
mod scope;
mod sender;
mod state;
mod tls;
mod token;
mod userinfo;
mod wire;

use std::collections::HashMap;
use std::net::{IpAddr, SocketAddr, TcpListener};
use std::sync::{Arc, Mutex, PoisonError, RwLock};
use std::time::Duration;

pub use crate::httpd::Limits;
pub use claims::CustomClaims;
pub use clients::{
    AuthMethod, Client, Lifetimes, Registry, ServerConfigFile, TenantFile, User,
    redirect_uri_matches, tenant_name_problem,
};
pub use config::{DevConfig, Logger, Tenant};
pub use keys::SigningAlg;
pub use misbehave::{Misbehave, SLOW_DOWN_POLLS};
pub use tls::{CA_CERT_FILE, CA_KEY_FILE};

/// How many records of each kind the server holds in memory.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct StoreSizes {
    /// Authorization requests waiting for the user to sign in and consent (at most 1,024;
    /// the oldest is dropped first).
    pub pending_authorizations: usize,
    /// Authorization codes, redeemed or not, until ten minutes after they expire (at most
    /// 1,024).
    pub authorization_codes: usize,
    /// Device authorizations, until ten minutes after they expire (at most 1,024).
    pub device_authorizations: usize,
    /// Grants (one per code or device sign-in) while a refresh token of theirs may be
    /// used (at most 10,000). Access tokens are not kept: they are self-contained JWTs.
    pub grants: usize,
    /// Refresh tokens, until they expire (at most 50,000).
    pub refresh_tokens: usize,
    /// ID tokens and exchanged JWTs kept for token exchange, until they expire (at most
    /// 10,000).
    pub id_tokens: usize,
    /// Revoked access tokens (their `jti`) remembered until they expire (at most 100,000).
    pub revoked_access_tokens: usize,
    /// Revoked grants remembered until their access tokens have expired (at most 10,000
    /// before new grants are refused).
    pub revoked_grants: usize,
    /// Pushed authorization requests, until used or expired (at most 1,024).
    pub pushed_authorization_requests: usize,
    /// DPoP proofs remembered against replay (at most 65,536).
    pub dpop_proofs: usize,
    /// Client assertions remembered against replay (at most 65,536).
    pub client_assertions: usize,
}

/// Why the server did not start.
#[derive(Debug, thiserror::Error)]
pub enum DevServerError {
    /// The address could not be bound.
    #[error("cannot listen on {addr}: {source}")]
    Bind {
        addr: SocketAddr,
        #[source]
        source: std::io::Error,
    },
    /// The signing key could not be created, loaded or saved.
    #[error("signing key: {0}")]
    Key(String),
    /// The configuration is inconsistent.
    #[error("server configuration: {0}")]
    Config(String),
    /// The development CA of `--tls` could not be made, read or used.
    #[error("TLS: {0}")]
    Tls(String),
    /// Another local failure (threads, the decoy port).
    #[error("{0}")]
    Io(String),
}

/// Shared by the handlers.
#[derive(Debug)]
pub(crate) struct App {
    pub cfg: DevConfig,
    pub issuer: String,
    /// The `Host` values this server answers for: `127.0.0.1:PORT`, `localhost:PORT`,
    /// `[::1]:PORT` and the issuer's, compared case-insensitively.
    pub hosts: Vec<String>,
    pub keys: RwLock<keys::KeySet>,
    pub store: Mutex<state::Store>,
    pub hits: Mutex<HashMap<String, usize>>,
    /// The extra key of `unknown-kid` (never published) and `kid-absent-multi-key`
    /// (published next to the signing key).
    pub decoy_key: Option<keys::SigningKey>,
    /// Where `token-307` redirects to.
    pub decoy_token_url: Option<String>,
    /// The DPoP nonces, when proofs must carry one (`dpop_nonce`).
    pub nonces: Option<dpop::Nonces>,
    /// The development CA, with `--tls`.
    pub ca: Option<Arc<tls::DevCa>>,
    /// The clients' registered key sets (`private_key_jwt`, `self_signed_tls_client_auth`).
    pub client_keys: client_keys::ClientKeys,
    /// The clients registered at `/register`.
    pub registrations: registration::Registrations,
    /// The fetched Client ID Metadata Documents.
    pub documents: cimd::Documents,
    /// The server's settable clock, shared by every tenant.
    pub clock: Arc<clock::ServerClock>,
    /// The path of the issuer: empty for the server, `/t/NAME` for a tenant. Pages put it
    /// before the paths their forms post to.
    pub base: String,
    /// The tenants, by name (none in a tenant).
    pub tenants: HashMap<String, App>,
}

impl App {
    /// The store, even after a panic elsewhere (its data stays consistent per operation).
    pub(crate) fn store(&self) -> std::sync::MutexGuard<'_, state::Store> {
        self.store.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// The signing keys, even after a panic elsewhere (a rotation replaces them whole).
    pub(crate) fn keys(&self) -> std::sync::RwLockReadGuard<'_, keys::KeySet> {
        self.keys.read().unwrap_or_else(PoisonError::into_inner)
    }

    /// The server's now (the settable clock), in milliseconds since the Unix epoch: what
    /// every protocol time is read from.
    pub(crate) fn now_ms(&self) -> u64 {
        self.clock.now_ms()
    }

    /// The audience of access tokens for the demo API.
    pub(crate) fn api_audience(&self) -> String {
        format!("{}/api", self.issuer)
    }

    /// The URL a request was sent to, without query: this server's scheme, the `Host` it
    /// was sent to (one of [`App::hosts`], checked before any handler runs) and the path
    /// (a tenant's path within the server, then the path within the tenant).
    /// What a DPoP proof's `htu` must match (RFC 9449 §4.3).
    pub(crate) fn request_url(&self, req: &wire::Req) -> String {
        let scheme = self.issuer.split_once("://").map_or("http", |(s, _)| s);
        let host = req.header("host").unwrap_or_default();
        format!("{scheme}://{host}{}{}", self.base, req.path)
    }

    /// The current DPoP nonce, when nonces are on: every answer of the token endpoint and
    /// the resources carries it (RFC 9449 §8.2), so clients keep theirs fresh.
    pub(crate) fn dpop_nonce_header(&self) -> Option<String> {
        self.nonces
            .as_ref()
            .map(|n| n.current(self.now_ms() / 1000))
    }

    /// Writes a log line, if logging is on.
    pub(crate) fn log(&self, line: &str) {
        if let Some(log) = &self.cfg.log {
            (log.0)(line);
        }
    }
}

/// A running dev server. Dropping it stops it.
pub struct DevServer {
    app: Arc<App>,
    addr: SocketAddr,
    http: Option<crate::httpd::Server>,
    decoy: Option<misbehave::Decoy>,
}

fn issuer_for(addr: SocketAddr, tls: bool) -> String {
    let scheme = if tls { "https" } else { "http" };
    match addr.ip() {
        IpAddr::V4(ip) if ip.is_unspecified() => format!("{scheme}://127.0.0.1:{}", addr.port()),
        IpAddr::V6(ip) if ip.is_unspecified() => format!("{scheme}://[::1]:{}", addr.port()),
        IpAddr::V4(ip) => format!("{scheme}://{ip}:{}", addr.port()),
        IpAddr::V6(ip) => format!("{scheme}://[{ip}]:{}", addr.port()),
    }
}

/// The tenant `t` of a server with `cfg` at `issuer`: the server's configuration with the
/// tenant's registry, its own signing key (never persisted), state, registered clients and
/// DPoP nonces, and no misbehaviour (that is the root issuer's alone).
fn tenant_app(
    cfg: &DevConfig,
    t: &Tenant,
    issuer: &str,
    hosts: &[String],
    ca: Option<&Arc<tls::DevCa>>,
    clock: &Arc<clock::ServerClock>,
) -> Result<App, DevServerError> {
    if let Some(problem) = tenant_name_problem(&t.name) {
        return Err(DevServerError::Config(format!(
            "tenant `{}`: {problem}",
            t.name
        )));
    }
    let in_tenant = |e: String| DevServerError::Config(format!("tenant `{}`: {e}", t.name));
    if let Some(user) = &cfg.auto_approve
        && t.registry.user(user).is_none()
    {
        return Err(in_tenant(format!(
            "--auto-approve names user `{user}`, which this tenant does not have"
        )));
    }
    let cfg = DevConfig {
        registry: t.registry.clone(),
        key_file: None,
        rotate_key_on_start: false,
        misbehave: Vec::new(),
        tenants: Vec::new(),
        log: None,
        ..cfg.clone()
    };
    let keys = keys::KeySet::open(cfg.alg, None).map_err(DevServerError::Key)?;
    let client_keys = client_keys::ClientKeys::new(
        cfg.registry
            .clients
            .iter()
            .filter_map(|c| Some((c.id.as_str(), c.jwks.as_ref()?))),
    )
    .map_err(in_tenant)?;
    let base = format!("/t/{}", t.name);
    Ok(App {
        issuer: format!("{issuer}{base}"),
        hosts: hosts.to_vec(),
        keys: RwLock::new(keys),
        store: Mutex::new(state::Store::default()),
        hits: Mutex::new(HashMap::new()),
        decoy_key: None,
        decoy_token_url: None,
        nonces: cfg.dpop_nonce.then(dpop::Nonces::generate),
        ca: ca.cloned(),
        client_keys,
        registrations: registration::Registrations::default(),
        documents: cimd::Documents::default(),
        clock: Arc::clone(clock),
        base,
        tenants: HashMap::new(),
        cfg,
    })
}

impl DevServer {
    /// Binds, loads or creates the signing key, and starts serving.
    pub fn start(mut cfg: DevConfig) -> Result<Self, DevServerError> {
        if cfg.misbehaves(Misbehave::IdTokenHs256WithRsaPubkey) {
            // The attack needs an RSA public key to abuse as an HMAC secret.
            cfg.alg = SigningAlg::Rs256;
        }
        if let Some(user) = &cfg.auto_approve
            && cfg.registry.user(user).is_none()
        {
            return Err(DevServerError::Config(format!(
                "--auto-approve names unknown user `{user}`"
            )));
        }
        let mut keyset =
            keys::KeySet::open(cfg.alg, cfg.key_file.as_deref()).map_err(DevServerError::Key)?;
        if cfg.rotate_key_on_start {
            keyset.rotate(cfg.alg).map_err(DevServerError::Key)?;
        }
        let decoy_key = if cfg.misbehaves(Misbehave::UnknownKid)
            || cfg.misbehaves(Misbehave::KidAbsentMultiKey)
        {
            Some(
                keys::SigningKey::generate(cfg.alg)
                    .map_err(|e| DevServerError::Key(e.to_string()))?,
            )
        } else {
            None
        };
        let client_keys = client_keys::ClientKeys::new(
            cfg.registry
                .clients
                .iter()
                .filter_map(|c| Some((c.id.as_str(), c.jwks.as_ref()?))),
        )
        .map_err(DevServerError::Config)?;
        let ca = match &cfg.tls_dir {
            Some(dir) => Some(Arc::new(
                tls::DevCa::open(dir).map_err(DevServerError::Tls)?,
            )),
            None => None,
        };
        let tls_config = ca
            .as_ref()
            .map(|ca| ca.server_config(Some(cfg.listen)))
            .transpose()
            .map_err(DevServerError::Tls)?;
        let decoy = if cfg.misbehaves(Misbehave::Token307) {
            Some(misbehave::Decoy::start().map_err(|e| DevServerError::Io(e.to_string()))?)
        } else {
            None
        };
        let want = SocketAddr::new(cfg.listen, cfg.port);
        let listener = TcpListener::bind(want)
            .map_err(|source| DevServerError::Bind { addr: want, source })?;
        let addr = listener
            .local_addr()
            .map_err(|e| DevServerError::Io(e.to_string()))?;
        let issuer = issuer_for(addr, ca.is_some());
        let port = addr.port();
        let hosts = vec![
            format!("127.0.0.1:{port}"),
            format!("localhost:{port}"),
            format!("[::1]:{port}"),
            issuer
                .split_once("://")
                .map(|(_, host)| host.to_owned())
                .unwrap_or_default(),
        ];
        let clock = Arc::new(clock::ServerClock::new(cfg.clock_offset_s));
        let mut tenants = HashMap::new();
        for t in &cfg.tenants {
            let tenant = tenant_app(&cfg, t, &issuer, &hosts, ca.as_ref(), &clock)?;
            if tenants.insert(t.name.clone(), tenant).is_some() {
                return Err(DevServerError::Config(format!(
                    "tenant `{}` is declared twice",
                    t.name
                )));
            }
        }
        let app = Arc::new(App {
            issuer,
            hosts,
            keys: RwLock::new(keyset),
            store: Mutex::new(state::Store::default()),
            hits: Mutex::new(HashMap::new()),
            decoy_key,
            decoy_token_url: decoy.as_ref().map(misbehave::Decoy::token_url),
            nonces: cfg.dpop_nonce.then(dpop::Nonces::generate),
            ca,
            client_keys,
            registrations: registration::Registrations::default(),
            documents: cimd::Documents::default(),
            clock,
            base: String::new(),
            tenants,
            cfg,
        });
        let router = Arc::clone(&app);
        let handler: crate::httpd::Handler = Arc::new(move |req, peer: &crate::httpd::Peer| {
            adapter::from_resp(routes::handle(&router, adapter::to_req(req, peer)))
        });
        let options = crate::httpd::Options {
            name: "devserver",
            tls: tls_config,
            ..crate::httpd::Options::new(app.cfg.limits.clone())
        };
        let http = crate::httpd::Server::start(listener, options, handler)
            .map_err(|e| DevServerError::Io(e.to_string()))?;
        Ok(Self {
            app,
            addr,
            http: Some(http),
            decoy,
        })
    }

    /// The issuer URL, e.g. `http://127.0.0.1:9400` (no trailing slash; identical to the
    /// discovery document's `issuer`).
    pub fn issuer(&self) -> &str {
        &self.app.issuer
    }

    /// The bound address.
    pub fn local_addr(&self) -> SocketAddr {
        self.addr
    }

    /// The audience of access tokens, which the demo API requires: `{issuer}/api`.
    pub fn api_audience(&self) -> String {
        self.app.api_audience()
    }

    /// How many requests reached `path` (without query), whatever their outcome.
    pub fn hits(&self, path: &str) -> usize {
        self.app
            .hits
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .get(path)
            .copied()
            .unwrap_or(0)
    }

    /// How many records the server holds, by kind: what its memory grows with.
    pub fn store_sizes(&self) -> StoreSizes {
        let store = self.app.store();
        StoreSizes {
            pending_authorizations: store.pending.len(),
            authorization_codes: store.codes.len(),
            device_authorizations: store.devices.len(),
            grants: store.families.len(),
            refresh_tokens: store.refresh.len(),
            id_tokens: store.id_tokens.len(),
            revoked_access_tokens: store.revoked_tokens.len(),
            revoked_grants: store.revoked_grants.len(),
            pushed_authorization_requests: store.pushed.len(),
            dpop_proofs: store.proofs.len(),
            client_assertions: store.assertions.len(),
        }
    }

    /// Fills both revocation lists (revoked access tokens, revoked grants) to their caps with
    /// entries that end `ttl` from now: for tests of what the server does at the caps.
    #[cfg(any(test, feature = "testing"))]
    pub fn fill_revocation_lists(&self, ttl: std::time::Duration) {
        let now_s = self.app.now_ms() / 1000;
        self.app
            .store()
            .fill_revocations(now_s + ttl.as_secs(), now_s);
    }

    /// How many clients registered at `/register` are kept (at most 1,024; the oldest is
    /// dropped first).
    pub fn registered_clients(&self) -> usize {
        self.app.registrations.len()
    }

    /// How many fetched Client ID Metadata Documents are kept (at most 1,024, each for a
    /// minute).
    pub fn client_id_metadata_documents(&self) -> usize {
        self.app.documents.len()
    }

    /// Rotates the signing key: a new key signs from now on, the previous ones stay in the
    /// JWKS (at most three keys are published). Persists to the key file, if any. Returns
    /// the new `kid`.
    pub fn rotate_keys(&self) -> Result<String, DevServerError> {
        self.app
            .keys
            .write()
            .unwrap_or_else(PoisonError::into_inner)
            .rotate(self.app.cfg.alg)
            .map_err(DevServerError::Key)
    }

    /// The `kid` of the current signing key.
    pub fn signing_kid(&self) -> String {
        self.app.keys().active().kid().to_owned()
    }

    /// The decoy address `token-307` redirects to, if that case is on.
    pub fn decoy_addr(&self) -> Option<SocketAddr> {
        self.decoy.as_ref().map(|d| d.addr)
    }

    /// How many connections reached the decoy port (`token-307`).
    pub fn decoy_connections(&self) -> usize {
        self.decoy.as_ref().map_or(0, |d| {
            d.connections.load(std::sync::atomic::Ordering::SeqCst)
        })
    }

    /// The `kid` of the extra key of `unknown-kid` and `kid-absent-multi-key`.
    pub fn decoy_kid(&self) -> Option<&str> {
        self.app.decoy_key.as_ref().map(keys::SigningKey::kid)
    }

    /// How far the server's clock is from the real time, in seconds (negative: the past).
    pub fn clock_offset(&self) -> i64 {
        self.app.clock.offset_s()
    }

    /// Sets the server's clock `offset_s` seconds from the real time.
    pub fn set_clock_offset(&self, offset_s: i64) {
        self.app.clock.set_offset_s(offset_s);
    }

    /// Moves the server's clock forward by `by`, as if that time had passed; returns the new
    /// offset in seconds.
    pub fn advance_clock(&self, by: Duration) -> i64 {
        self.app
            .clock
            .advance_s(i64::try_from(by.as_secs()).unwrap_or(i64::MAX))
    }

    /// The server's now, in seconds since the Unix epoch (the real time plus the offset).
    pub fn now(&self) -> u64 {
        self.app.now_ms() / 1000
    }

    /// The issuer of tenant `name` (`{issuer}/t/NAME`), if the server has it.
    pub fn tenant_issuer(&self, name: &str) -> Option<&str> {
        self.app.tenants.get(name).map(|t| t.issuer.as_str())
    }

    /// The registry the server runs with.
    pub fn registry(&self) -> &Registry {
        &self.app.cfg.registry
    }

    /// The configuration the server runs with.
    pub fn config(&self) -> &DevConfig {
        &self.app.cfg
    }
}

impl std::fmt::Debug for DevServer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DevServer")
            .field("issuer", &self.app.issuer)
            .finish_non_exhaustive()
    }
}

impl Drop for DevServer {
    fn drop(&mut self) {
        // No new requests, open connections closed, the server's threads joined.
        if let Some(mut http) = self.http.take() {
            http.stop();
        }
        self.decoy.take();
    }
}
