//! `serve`: runs the development authorization server in the foreground for humans and
//! scripts. The first stdout line is the issuer URL (flushed at once); the banner goes to
//! stderr. It runs until the process is interrupted (Ctrl-C / SIGTERM end it with the
//! default signal action; the server keeps no state that needs saving).

use std::net::{IpAddr, Ipv4Addr};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use crate::devserver::{DevConfig, DevServer, Logger, Misbehave, ServerConfigFile, SigningAlg};
use crate::error::{Error, Result};
use crate::output::Outcome;

use super::Context;

/// What `serve` was asked for (docs/serve.md); `None` leaves the server-config file's value
/// or the built-in default.
#[derive(Debug, Clone)]
pub(crate) struct Options {
    /// Port to listen on (0 picks a free port).
    pub port: u16,
    /// Address to bind (default 127.0.0.1).
    pub listen: Option<IpAddr>,
    /// The server's own configuration file (TOML).
    pub server_config: Option<PathBuf>,
    pub access_token_ttl: Option<Duration>,
    pub refresh_token_ttl: Option<Duration>,
    pub code_ttl: Option<Duration>,
    /// Token-endpoint requests per client per minute, 0 = unlimited.
    pub rate_limit: Option<u32>,
    /// Sign this user in and approve every authorization request without a page.
    pub auto_approve: Option<String>,
    /// Keep the signing keys in this file.
    pub key_file: Option<PathBuf>,
    /// Signing algorithm for new keys.
    pub alg: SigningAlg,
    /// Rotate the signing key at start.
    pub rotate_key: bool,
    /// Accept a just-rotated refresh token again within this window.
    pub refresh_reuse_grace: Option<Duration>,
    /// No dynamic client registration.
    pub no_registration: bool,
    /// No Client ID Metadata Documents.
    pub no_client_id_metadata_documents: bool,
    /// Misbehave on purpose (a hostile mock server).
    pub misbehave: Vec<Misbehave>,
    /// Require DPoP at the token endpoint from every client.
    pub require_dpop: bool,
    /// Require the server's nonce in DPoP proofs.
    pub dpop_nonce: bool,
    /// Require pushed authorization requests from every client.
    pub require_par: bool,
    /// Serve https with the development CA.
    pub tls: bool,
    /// Where the development CA is kept (default: `Paths::serve_tls_dir`).
    pub tls_dir: Option<PathBuf>,
    /// Start the server's clock this many seconds from the real time.
    pub clock_offset: Option<i64>,
    /// Mint a token at the server running on `port` instead of starting one.
    pub mint: Option<Mint>,
}

/// `serve --mint`: what to ask the running server's `POST /admin/mint` for (docs/serve.md).
#[derive(Debug, Clone, Default)]
pub(crate) struct Mint {
    pub user: Option<String>,
    /// The global `--client-id`.
    pub client_id: Option<String>,
    pub scope: Option<String>,
    pub ttl: Option<Duration>,
    pub resource: Option<String>,
    pub audience: Option<String>,
    pub jkt: Option<String>,
}

impl Default for Options {
    fn default() -> Self {
        Self {
            port: 9400,
            listen: None,
            server_config: None,
            access_token_ttl: None,
            refresh_token_ttl: None,
            code_ttl: None,
            rate_limit: None,
            auto_approve: None,
            key_file: None,
            alg: SigningAlg::Es256,
            rotate_key: false,
            refresh_reuse_grace: None,
            no_registration: false,
            no_client_id_metadata_documents: false,
            misbehave: Vec::new(),
            require_dpop: false,
            dpop_nonce: false,
            require_par: false,
            tls: false,
            tls_dir: None,
            clock_offset: None,
            mint: None,
        }
    }
}

/// Builds the server configuration: flags > server-config file > built-in defaults.
pub(crate) fn build_config(args: &Options, file: Option<ServerConfigFile>) -> DevConfig {
    let mut cfg = DevConfig::default();
    if let Some(file) = file {
        cfg = cfg.with_file(file);
    }
    cfg.listen = args.listen.unwrap_or(IpAddr::V4(Ipv4Addr::LOCALHOST));
    cfg.port = args.port;
    if let Some(t) = args.access_token_ttl {
        cfg.access_token_ttl = t;
    }
    if let Some(t) = args.refresh_token_ttl {
        cfg.refresh_token_ttl = t;
    }
    if let Some(t) = args.code_ttl {
        cfg.code_ttl = t;
    }
    if let Some(n) = args.rate_limit {
        cfg.rate_limit_per_minute = n;
    }
    cfg.auto_approve.clone_from(&args.auto_approve);
    cfg.key_file.clone_from(&args.key_file);
    cfg.alg = args.alg;
    cfg.rotate_key_on_start = args.rotate_key;
    cfg.refresh_reuse_grace = args.refresh_reuse_grace;
    cfg.registration &= !args.no_registration;
    cfg.client_id_metadata_documents &= !args.no_client_id_metadata_documents;
    for case in &args.misbehave {
        cfg = cfg.with_misbehave(*case);
    }
    cfg.require_dpop |= args.require_dpop;
    cfg.dpop_nonce |= args.dpop_nonce;
    cfg.require_par |= args.require_par;
    if let Some(offset) = args.clock_offset {
        cfg.clock_offset_s = offset;
    }
    cfg
}

/// The banner lines for stderr. Credentials are shown only for the built-in, well-known
/// development defaults, never for clients or users from a server-config file.
pub(crate) fn banner(server: &DevServer, show_credentials: bool) -> Vec<String> {
    let i = server.issuer();
    let cfg = server.config();
    let mut lines = vec![
        format!("oauthctl development authorization server at {i}"),
        format!("  discovery  {i}/.well-known/openid-configuration"),
        format!(
            "  demo API   {i}/api/me, {i}/api/data, {i}/api/admin (default audience {})",
            server.api_audience()
        ),
        "  clients:".to_owned(),
    ];
    let tenants: Vec<&str> = cfg
        .tenants
        .iter()
        .filter_map(|t| server.tenant_issuer(&t.name))
        .collect();
    if !tenants.is_empty() {
        lines.insert(3, format!("  tenants    {}", tenants.join(", ")));
    }
    for c in &server.registry().clients {
        let methods: Vec<&str> = c.auth_methods().iter().map(|m| m.as_str()).collect();
        let kind = match (&c.secret, show_credentials) {
            _ if c.is_public() => "public".to_owned(),
            // The built-in demo credentials are meant to be shown (docs/serve.md).
            (Some(s), true) => format!("confidential, secret `{}`", s.expose()),
            (Some(_), false) => "confidential".to_owned(),
            (None, _) => format!("confidential ({})", methods.join(", ")),
        };
        let mut line = format!(
            "    {:<14} {kind}; {}",
            c.id,
            c.grant_types
                .iter()
                .map(|g| g.as_grant_type())
                .collect::<Vec<_>>()
                .join(", ")
        );
        if !c.redirect_uris.is_empty() {
            line.push_str("; redirect ");
            line.push_str(&c.redirect_uris.join(" "));
        }
        lines.push(line);
    }
    lines.push("  users:".to_owned());
    for u in &server.registry().users {
        let pw = if show_credentials {
            format!(" password `{}`", u.password)
        } else {
            String::new()
        };
        lines.push(format!(
            "    {:<14}{pw} roles [{}]",
            u.username,
            u.roles.join(", ")
        ));
    }
    lines.push(format!(
        "  signing    {} (kid {}){}",
        cfg.alg.as_str(),
        server.signing_kid(),
        cfg.key_file
            .as_ref()
            .map(|p| format!(", keys in {}", p.display()))
            .unwrap_or_default()
    ));
    if let Some(user) = &cfg.auto_approve {
        lines.push(format!(
            "  auto-approve: every authorization request is approved as `{user}`"
        ));
    }
    if let Some(ca) = server.ca_cert_path() {
        lines.push(format!(
            "  TLS        clients must trust the development CA: pass --cacert {}",
            ca.display()
        ));
    }
    let mut required = Vec::new();
    if cfg.require_dpop {
        required.push("DPoP");
    }
    if cfg.dpop_nonce {
        required.push("DPoP nonces");
    }
    if cfg.require_par {
        required.push("pushed authorization requests");
    }
    if !required.is_empty() {
        lines.push(format!("  requires   {}", required.join(", ")));
    }
    let mut dynamic = Vec::new();
    if cfg.registration {
        dynamic.push(format!("registration at {i}/register"));
    }
    if cfg.client_id_metadata_documents {
        dynamic.push("client ids that are metadata document URLs".to_owned());
    }
    if !dynamic.is_empty() {
        lines.push(format!("  also       {}", dynamic.join("; ")));
    }
    if let Some(decoy) = server.decoy_addr() {
        lines.push(format!("  token-307 redirects to the decoy port {decoy}"));
    }
    lines.push("  press Ctrl-C to stop".to_owned());
    lines
}

/// Runs the server until the process is interrupted.
pub(crate) fn run(ctx: &Context<'_>, args: &Options) -> Result<Outcome> {
    if let Some(mint) = &args.mint {
        return mint_at(ctx, args, mint);
    }
    let ui = ctx.ui;
    let file = match &args.server_config {
        Some(path) => Some(ServerConfigFile::load(path).map_err(|e| {
            Error::config(
                e,
                Some("see `oauthctl serve --help` and docs/serve.md".to_owned()),
            )
        })?),
        None => None,
    };
    let show_credentials = file
        .as_ref()
        .is_none_or(|f| f.clients.is_none() && f.users.is_none());
    let mut cfg = build_config(args, file);
    if args.tls {
        cfg.tls_dir = Some(
            args.tls_dir
                .clone()
                .unwrap_or_else(|| ctx.paths.serve_tls_dir()),
        );
    }
    if ui.verbose > 0 {
        cfg.log = Some(Logger(Arc::new(|line: &str| {
            crate::output::trace_line(&format!("serve: {line}"));
        })));
    }
    let listen = cfg.listen;
    let server = DevServer::start(cfg).map_err(|e| match e {
        crate::devserver::DevServerError::Config(m) => Error::config(m, None),
        crate::devserver::DevServerError::Tls(m) => Error::config(
            format!("TLS: {m}"),
            Some("fix or remove the --tls-dir directory (a new CA is made there)".to_owned()),
        ),
        crate::devserver::DevServerError::Bind { .. } => Error::usage(
            e.to_string(),
            Some("pick another --port, or --port 0 for a free one".to_owned()),
        ),
        other => Error::Other(other.to_string()),
    })?;
    ui.stdout_line(server.issuer())
        .map_err(|e| Error::Other(format!("cannot write to stdout: {e}")))?;
    ui.warn(if server.ca_cert_path().is_some() {
        "this is a development server: well-known credentials, in-memory state, a \
         development CA; never use it in production"
    } else {
        "this is a development server: well-known credentials, in-memory state, no TLS; \
         never use it in production"
    });
    if !server.config().misbehave.is_empty() {
        let cases: Vec<String> = server
            .config()
            .misbehave
            .iter()
            .map(|m| m.name().to_owned())
            .collect();
        ui.warn(&format!(
            "MISBEHAVING ON PURPOSE: {}. This server is a hostile mock for negative tests; \
             a correct client must refuse what it sends",
            cases.join(", ")
        ));
    }
    if !listen.is_loopback() {
        ui.warn(&format!(
            "listening on {listen}, which is not a loopback address: other machines can reach \
             this development server"
        ));
    }
    for line in banner(&server, show_credentials) {
        ui.info(&line);
    }
    // Serve until a signal ends the process.
    loop {
        std::thread::park();
    }
}

/// The body of `POST /admin/mint` for `mint`.
fn mint_request(mint: &Mint) -> serde_json::Value {
    let mut body = serde_json::Map::new();
    let mut put = |name: &str, value: Option<String>| {
        if let Some(v) = value {
            body.insert(name.to_owned(), serde_json::Value::String(v));
        }
    };
    put("user", mint.user.clone());
    put("client_id", mint.client_id.clone());
    put("scope", mint.scope.clone());
    put("ttl", mint.ttl.map(|t| format!("{}s", t.as_secs())));
    put("resource", mint.resource.clone());
    put("audience", mint.audience.clone());
    put("jkt", mint.jkt.clone());
    serde_json::Value::Object(body)
}

/// `serve --mint`: asks the server running on this machine at `--port` for a token and
/// prints the access token (`--json`: the whole token response).
fn mint_at(ctx: &Context<'_>, args: &Options, mint: &Mint) -> Result<Outcome> {
    let mut mint = mint.clone();
    mint.client_id.clone_from(&ctx.flags.client_id);
    let scheme = if args.tls { "https" } else { "http" };
    let raw = format!("{scheme}://127.0.0.1:{}/admin/mint", args.port);
    let http = ctx.http()?;
    let url = http.checked_url(&raw)?;
    let req = http
        .client_for(&url)?
        .post(url.clone())
        .header(reqwest::header::CONTENT_TYPE, "application/json")
        .header(reqwest::header::ACCEPT, "application/json")
        .body(mint_request(&mint).to_string());
    let resp = http.send(req, &url, 64 * 1024)?;
    let doc: serde_json::Map<String, serde_json::Value> = serde_json::from_slice(&resp.body)
        .map_err(|_| Error::BadResponse("the admin endpoint did not answer JSON".to_owned()))?;
    if resp.status != 200 {
        return Err(match crate::oauth::token_response::oauth_error(&doc) {
            Some(err) => Error::Rejected(err),
            None => Error::BadResponse(format!("the admin endpoint answered HTTP {}", resp.status)),
        });
    }
    let Some(token) = doc
        .get("access_token")
        .and_then(serde_json::Value::as_str)
        .filter(|t| !t.is_empty() && t.bytes().all(|b| b.is_ascii_graphic()))
    else {
        return Err(Error::BadResponse(
            "the admin endpoint's answer has no access_token".to_owned(),
        ));
    };
    Ok(if ctx.ui.json {
        Outcome::data(format!("{}\n", serde_json::Value::Object(doc.clone())))
    } else {
        Outcome::data(format!("{token}\n"))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flags_override_the_file_and_defaults() {
        let cfg = build_config(&Options::default(), None);
        assert_eq!(cfg.port, 9400);
        assert!(cfg.listen.is_loopback());
        assert_eq!(cfg.rate_limit_per_minute, 120);
        assert!(cfg.auto_approve.is_none());
        let file = ServerConfigFile::parse(
            "rate_limit_per_minute = 7\n[lifetimes]\naccess_token = \"5m\"\ncode = \"30s\"\n",
        )
        .unwrap();
        let options = Options {
            port: 0,
            code_ttl: Some(Duration::from_secs(10)),
            alg: SigningAlg::Rs256,
            ..Options::default()
        };
        let cfg = build_config(&options, Some(file));
        assert_eq!(cfg.port, 0);
        assert_eq!(cfg.rate_limit_per_minute, 7);
        assert_eq!(cfg.access_token_ttl.as_secs(), 300);
        assert_eq!(cfg.code_ttl.as_secs(), 10);
        assert_eq!(cfg.alg, SigningAlg::Rs256);
        assert!(cfg.misbehave.is_empty(), "never misbehaves by default");
        assert!(!cfg.require_dpop && !cfg.dpop_nonce && !cfg.require_par);
        let strict = Options {
            require_dpop: true,
            dpop_nonce: true,
            require_par: true,
            ..Options::default()
        };
        let cfg = build_config(&strict, None);
        assert!(cfg.require_dpop && cfg.dpop_nonce && cfg.require_par);
    }

    #[test]
    fn registration_and_metadata_documents_are_on_unless_switched_off() {
        let cfg = build_config(&Options::default(), None);
        assert!(cfg.registration && cfg.client_id_metadata_documents);
        let off = Options {
            no_registration: true,
            no_client_id_metadata_documents: true,
            ..Options::default()
        };
        let cfg = build_config(&off, None);
        assert!(!cfg.registration && !cfg.client_id_metadata_documents);
    }

    #[test]
    fn misbehave_is_repeatable() {
        let options = Options {
            misbehave: vec![
                Misbehave::Token307,
                Misbehave::IdTokenAlgNone,
                Misbehave::Token307,
            ],
            ..Options::default()
        };
        let cfg = build_config(&options, None);
        assert_eq!(
            cfg.misbehave,
            vec![Misbehave::Token307, Misbehave::IdTokenAlgNone]
        );
    }
}
