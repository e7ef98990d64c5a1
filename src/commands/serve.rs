//! `serve`: runs the development authorization server in the foreground for humans and
//! scripts. The first stdout line is the issuer URL (flushed at once); the banner goes to
//! stderr. It runs until the process is interrupted (Ctrl-C / SIGTERM end it with the
//! default signal action; the server keeps no state that needs saving).

use std::net::{IpAddr, Ipv4Addr};
use std::sync::Arc;

use crate::cli::{ServeAlg, ServeArgs};
use crate::devserver::{DevConfig, DevServer, Logger, ServerConfigFile, SigningAlg};
use crate::error::{Error, Result};
use crate::output::Outcome;

use super::Context;

/// Builds the server configuration: flags > server-config file > built-in defaults.
pub fn build_config(args: &ServeArgs, file: Option<ServerConfigFile>) -> DevConfig {
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
    cfg.alg = match args.alg {
        ServeAlg::Es256 => SigningAlg::Es256,
        ServeAlg::Rs256 => SigningAlg::Rs256,
    };
    cfg.rotate_key_on_start = args.rotate_key;
    cfg.refresh_reuse_grace = args.refresh_reuse_grace;
    for case in &args.misbehave {
        cfg = cfg.with_misbehave(*case);
    }
    cfg
}

/// The banner lines for stderr. Credentials are shown only for the built-in, well-known
/// development defaults, never for clients or users from a server-config file.
pub fn banner(server: &DevServer, show_credentials: bool) -> Vec<String> {
    let i = server.issuer();
    let cfg = server.config();
    let mut lines = vec![
        format!("oauthctl development authorization server at {i}"),
        format!("  discovery  {i}/.well-known/openid-configuration"),
        format!(
            "  demo API   {i}/api/me, {i}/api/data (access-token audience {})",
            server.api_audience()
        ),
        "  clients:".to_owned(),
    ];
    for c in &server.registry().clients {
        let kind = match (&c.secret, show_credentials) {
            (None, _) => "public".to_owned(),
            // The built-in demo credentials are meant to be shown (design.md §6).
            (Some(s), true) => format!("confidential, secret `{}`", s.expose()),
            (Some(_), false) => "confidential".to_owned(),
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
    if let Some(decoy) = server.decoy_addr() {
        lines.push(format!("  token-307 redirects to the decoy port {decoy}"));
    }
    lines.push("  press Ctrl-C to stop".to_owned());
    lines
}

/// Runs the server until the process is interrupted.
pub fn run(ctx: &Context<'_>, args: &ServeArgs) -> Result<Outcome> {
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
    if ui.verbose > 0 {
        cfg.log = Some(Logger(Arc::new(|line: &str| {
            crate::output::trace_line(&format!("serve: {line}"));
        })));
    }
    let listen = cfg.listen;
    let server = DevServer::start(cfg).map_err(|e| match e {
        crate::devserver::DevServerError::Config(m) => Error::config(m, None),
        crate::devserver::DevServerError::Bind { .. } => Error::usage(
            e.to_string(),
            Some("pick another --port, or --port 0 for a free one".to_owned()),
        ),
        other => Error::Other(other.to_string()),
    })?;
    ui.stdout_line(server.issuer())
        .map_err(|e| Error::Other(format!("cannot write to stdout: {e}")))?;
    ui.warn(
        "this is a development server: well-known credentials, in-memory state, no TLS; \
         never use it in production",
    );
    if !server.config().misbehave.is_empty() {
        let cases: Vec<String> = server.config().misbehave.iter().map(|m| m.name()).collect();
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

#[cfg(test)]
mod tests {
    use super::*;
    use clap::Parser as _;

    fn args(argv: &[&str]) -> ServeArgs {
        let mut full = vec!["oauthctl", "serve"];
        full.extend_from_slice(argv);
        match crate::cli::Cli::parse_from(full).command.0 {
            crate::cli::Command::Serve(a) => a.0,
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn flags_override_the_file_and_defaults() {
        let cfg = build_config(&args(&[]), None);
        assert_eq!(cfg.port, 9400);
        assert!(cfg.listen.is_loopback());
        assert_eq!(cfg.rate_limit_per_minute, 120);
        assert!(cfg.auto_approve.is_none());
        let file = ServerConfigFile::parse(
            "rate_limit_per_minute = 7\n[lifetimes]\naccess_token = \"5m\"\ncode = \"30s\"\n",
        )
        .unwrap();
        let cfg = build_config(
            &args(&["--port", "0", "--code-ttl", "10s", "--alg", "rs256"]),
            Some(file),
        );
        assert_eq!(cfg.port, 0);
        assert_eq!(cfg.rate_limit_per_minute, 7);
        assert_eq!(cfg.access_token_ttl.as_secs(), 300);
        assert_eq!(cfg.code_ttl.as_secs(), 10);
        assert_eq!(cfg.alg, SigningAlg::Rs256);
        assert!(cfg.misbehave.is_empty(), "never misbehaves by default");
    }

    #[test]
    fn misbehave_is_repeatable() {
        use crate::devserver::Misbehave;
        let cfg = build_config(
            &args(&[
                "--misbehave",
                "token-307",
                "--misbehave",
                "id-token-alg-none",
                "--misbehave",
                "token-307",
            ]),
            None,
        );
        assert_eq!(
            cfg.misbehave,
            vec![Misbehave::Token307, Misbehave::IdTokenAlgNone]
        );
        assert!(
            crate::cli::Cli::try_parse_from(["oauthctl", "serve", "--misbehave", "x"]).is_err()
        );
    }
}
