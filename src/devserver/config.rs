//! What the dev server can be told ([`DevConfig`]): the documented defaults of `serve`
//! (docs/serve.md), the builder methods the command line and the tests use, and tenants.

use std::net::{IpAddr, Ipv4Addr};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use super::{Limits, Misbehave, Registry, ServerConfigFile, SigningAlg};

/// A sink for the server's one-line request log. Lines never contain secrets: no query
/// strings, no bodies, no tokens.
#[derive(Clone)]
pub struct Logger(pub Arc<dyn Fn(&str) + Send + Sync>);

impl std::fmt::Debug for Logger {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Logger")
    }
}

/// Everything the dev server can be told. `DevConfig::default()` is the documented
/// defaults of `serve` (docs/serve.md) on `127.0.0.1:0`.
#[derive(Debug, Clone)]
pub struct DevConfig {
    /// Address to bind; loopback unless the operator asks otherwise (`--listen`).
    pub listen: IpAddr,
    /// Port; 0 picks a free one.
    pub port: u16,
    /// Clients, users and scopes.
    pub registry: Registry,
    /// Access-token lifetime (default 1h).
    pub access_token_ttl: Duration,
    /// Refresh-token lifetime (default 30d).
    pub refresh_token_ttl: Duration,
    /// Authorization-code lifetime (default 60s).
    pub code_ttl: Duration,
    /// Device-code lifetime (default 10m).
    pub device_code_ttl: Duration,
    /// Minimum device polling interval (default 5s; `slow_down` adds 5s).
    pub device_interval: Duration,
    /// Token-endpoint requests per authenticated client per minute, and wrong client
    /// secrets per client and source address per minute; 0 disables both (default 120).
    pub rate_limit_per_minute: u32,
    /// Sign this user in and approve every authorization request without a page. Tests and
    /// scripts only; never the default.
    pub auto_approve: Option<String>,
    /// Signing algorithm for new keys (default ES256).
    pub alg: SigningAlg,
    /// Persist the signing keys here (PKCS#8 PEM, 0600).
    pub key_file: Option<PathBuf>,
    /// Rotate the signing key once at start (the previous key stays published).
    pub rotate_key_on_start: bool,
    /// Accept a rotated refresh token again within this window (CLI races). Off by
    /// default.
    pub refresh_reuse_grace: Option<Duration>,
    /// HTTP limits (request sizes, deadlines, connections).
    pub limits: Limits,
    /// Request log sink, if any.
    pub log: Option<Logger>,
    /// Deliberate misbehaviour for clients' negative tests; empty by default.
    pub misbehave: Vec<Misbehave>,
    /// Require DPoP (RFC 9449) at the token endpoint from every client (`--require-dpop`;
    /// per client: `dpop_bound_access_tokens`).
    pub require_dpop: bool,
    /// Require the server's nonce in DPoP proofs (`--dpop-nonce`, RFC 9449 §8 and §9).
    pub dpop_nonce: bool,
    /// Require pushed authorization requests from every client (`--require-par`,
    /// RFC 9126; per client: `require_pushed_authorization_requests`).
    pub require_par: bool,
    /// Serve https with the development CA kept in this directory (`--tls`).
    pub tls_dir: Option<PathBuf>,
    /// How long a pushed authorization request's `request_uri` is valid (default 60s).
    pub par_ttl: Duration,
    /// Dynamic client registration at `/register` (RFC 7591); on by default, off with
    /// `--no-registration`.
    pub registration: bool,
    /// Client ID Metadata Documents: a `client_id` that is a URL names the client its
    /// document describes; on by default, off with `--no-client-id-metadata-documents`.
    pub client_id_metadata_documents: bool,
    /// Where the server's clock starts, in seconds from the real time (`--clock-offset`;
    /// negative: the past). The admin endpoint moves it while the server runs.
    pub clock_offset_s: i64,
    /// More issuers, each at `/t/NAME` of this server with its own keys, state and
    /// registry (docs/serve.md, "Tenants"); none by default.
    pub tenants: Vec<Tenant>,
}

/// An issuer at `{issuer}/t/NAME`: its own signing keys, state and clients, users and
/// scopes; everything else (lifetimes, limits, flags, the clock) is the server's.
#[derive(Debug, Clone)]
pub struct Tenant {
    /// The path segment after `/t/` (see [`super::tenant_name_problem`]).
    pub name: String,
    /// Its clients, users and scopes.
    pub registry: Registry,
}

impl Default for DevConfig {
    fn default() -> Self {
        Self {
            listen: IpAddr::V4(Ipv4Addr::LOCALHOST),
            port: 0,
            registry: Registry::default(),
            access_token_ttl: Duration::from_secs(3600),
            refresh_token_ttl: Duration::from_secs(30 * 24 * 3600),
            code_ttl: Duration::from_secs(60),
            device_code_ttl: Duration::from_secs(600),
            device_interval: Duration::from_secs(5),
            rate_limit_per_minute: 120,
            auto_approve: None,
            alg: SigningAlg::Es256,
            key_file: None,
            rotate_key_on_start: false,
            refresh_reuse_grace: None,
            limits: Limits::default(),
            log: None,
            misbehave: Vec::new(),
            require_dpop: false,
            dpop_nonce: false,
            require_par: false,
            tls_dir: None,
            par_ttl: Duration::from_secs(60),
            registration: true,
            client_id_metadata_documents: true,
            clock_offset_s: 0,
            tenants: Vec::new(),
        }
    }
}

impl DevConfig {
    /// The defaults, with `user` auto-approving every authorization request.
    pub fn auto_approve(user: &str) -> Self {
        Self::default().with_auto_approve(user)
    }

    /// Sets `auto_approve`.
    #[must_use]
    pub fn with_auto_approve(mut self, user: &str) -> Self {
        self.auto_approve = Some(user.to_owned());
        self
    }

    /// Sets the access-token lifetime (use a short one to test expiry).
    #[must_use]
    pub fn with_access_token_ttl(mut self, ttl: Duration) -> Self {
        self.access_token_ttl = ttl;
        self
    }

    /// Sets the refresh-token lifetime.
    #[must_use]
    pub fn with_refresh_token_ttl(mut self, ttl: Duration) -> Self {
        self.refresh_token_ttl = ttl;
        self
    }

    /// Sets the authorization-code lifetime.
    #[must_use]
    pub fn with_code_ttl(mut self, ttl: Duration) -> Self {
        self.code_ttl = ttl;
        self
    }

    /// Sets the device-code lifetime and polling interval.
    #[must_use]
    pub fn with_device_timing(mut self, ttl: Duration, interval: Duration) -> Self {
        self.device_code_ttl = ttl;
        self.device_interval = interval;
        self
    }

    /// Sets the token-endpoint rate limit (per client per minute; 0 = off).
    #[must_use]
    pub fn with_rate_limit(mut self, per_minute: u32) -> Self {
        self.rate_limit_per_minute = per_minute;
        self
    }

    /// Sets the signing algorithm.
    #[must_use]
    pub fn with_alg(mut self, alg: SigningAlg) -> Self {
        self.alg = alg;
        self
    }

    /// Sets the refresh-token reuse grace window.
    #[must_use]
    pub fn with_refresh_reuse_grace(mut self, grace: Duration) -> Self {
        self.refresh_reuse_grace = Some(grace);
        self
    }

    /// Turns on one misbehaviour (several may be combined). The server then deliberately
    /// breaks the protocol in that way, for a client's negative tests.
    #[must_use]
    pub fn with_misbehave(mut self, case: Misbehave) -> Self {
        if !self.misbehave.contains(&case) {
            self.misbehave.push(case);
        }
        self
    }

    /// Requires DPoP at the token endpoint from every client.
    #[must_use]
    pub fn with_require_dpop(mut self) -> Self {
        self.require_dpop = true;
        self
    }

    /// Requires the server's nonce in DPoP proofs.
    #[must_use]
    pub fn with_dpop_nonce(mut self) -> Self {
        self.dpop_nonce = true;
        self
    }

    /// Requires pushed authorization requests from every client.
    #[must_use]
    pub fn with_require_par(mut self) -> Self {
        self.require_par = true;
        self
    }

    /// Sets how long a pushed authorization request stays valid.
    #[must_use]
    pub fn with_par_ttl(mut self, ttl: Duration) -> Self {
        self.par_ttl = ttl;
        self
    }

    /// Serves https with the development CA kept in `dir` (made there on first use).
    #[must_use]
    pub fn with_tls(mut self, dir: impl Into<PathBuf>) -> Self {
        self.tls_dir = Some(dir.into());
        self
    }

    /// Turns dynamic client registration (`/register`) on or off.
    #[must_use]
    pub fn with_registration(mut self, on: bool) -> Self {
        self.registration = on;
        self
    }

    /// Turns Client ID Metadata Documents on or off.
    #[must_use]
    pub fn with_client_id_metadata_documents(mut self, on: bool) -> Self {
        self.client_id_metadata_documents = on;
        self
    }

    /// Starts the server's clock `offset_s` seconds from the real time (negative: the past).
    #[must_use]
    pub fn with_clock_offset(mut self, offset_s: i64) -> Self {
        self.clock_offset_s = offset_s;
        self
    }

    /// Adds the tenant `name` (an issuer at `/t/NAME`) with `registry`.
    #[must_use]
    pub fn with_tenant(mut self, name: &str, registry: Registry) -> Self {
        self.tenants.push(Tenant {
            name: name.to_owned(),
            registry,
        });
        self
    }

    /// Whether `case` is on.
    pub fn misbehaves(&self, case: Misbehave) -> bool {
        self.misbehave.contains(&case)
    }

    /// Applies a server-config file: its sections replace the matching defaults.
    #[must_use]
    pub fn with_file(mut self, file: ServerConfigFile) -> Self {
        if let Some(clients) = file.clients {
            self.registry.clients = clients;
        }
        if let Some(users) = file.users {
            self.registry.users = users;
        }
        if let Some(scopes) = file.scopes {
            self.registry.scopes = scopes;
        }
        if let Some(l) = file.lifetimes {
            self.access_token_ttl = l.access_token.unwrap_or(self.access_token_ttl);
            self.refresh_token_ttl = l.refresh_token.unwrap_or(self.refresh_token_ttl);
            self.code_ttl = l.code.unwrap_or(self.code_ttl);
            self.device_code_ttl = l.device_code.unwrap_or(self.device_code_ttl);
        }
        if let Some(n) = file.rate_limit_per_minute {
            self.rate_limit_per_minute = n;
        }
        for (name, t) in file.tenants.unwrap_or_default() {
            let registry = Registry {
                clients: t.clients.unwrap_or_else(|| self.registry.clients.clone()),
                users: t.users.unwrap_or_else(|| self.registry.users.clone()),
                scopes: t.scopes.unwrap_or_else(|| self.registry.scopes.clone()),
            };
            self = self.with_tenant(&name, registry);
        }
        self
    }
}
