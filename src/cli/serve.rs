//! The command-line surface of `serve`, the development authorization server. Plain clap
//! types, like the rest of `cli`.

use std::path::PathBuf;
use std::time::Duration;

use clap::{Args, ValueEnum};

use crate::devserver::Misbehave;
use crate::text::duration::parse as parse_duration;
use crate::text::duration::parse_signed as parse_signed_duration;

/// `serve`: the development authorization server (docs/serve.md).
#[derive(Debug, Clone, Args)]
pub(crate) struct ServeArgs {
    /// Port to listen on (0 picks a free port)
    #[arg(long, default_value_t = 9400, value_name = "PORT")]
    pub port: u16,
    /// Address to bind [default: 127.0.0.1]; a non-loopback address exposes the server to
    /// the network and prints a warning
    #[arg(long, value_name = "ADDR")]
    pub listen: Option<std::net::IpAddr>,
    /// Server configuration (TOML: clients, users, scopes, lifetimes, rate limit); distinct
    /// from the global --config, which is the CLI's own configuration
    #[arg(long, value_name = "FILE")]
    pub server_config: Option<PathBuf>,
    /// Access-token lifetime [default: 1h]
    #[arg(long, value_name = "DURATION", value_parser = parse_duration)]
    pub access_token_ttl: Option<Duration>,
    /// Refresh-token lifetime [default: 30d]
    #[arg(long, value_name = "DURATION", value_parser = parse_duration)]
    pub refresh_token_ttl: Option<Duration>,
    /// Authorization-code lifetime [default: 60s]
    #[arg(long, value_name = "DURATION", value_parser = parse_duration)]
    pub code_ttl: Option<Duration>,
    /// Token-endpoint requests per client per minute, 0 = unlimited [default: 120]
    #[arg(long, value_name = "N")]
    pub rate_limit: Option<u32>,
    /// Sign USER in and approve every authorization request without showing a page (tests
    /// and scripts only)
    #[arg(long, value_name = "USER")]
    pub auto_approve: Option<String>,
    /// Keep the signing keys in FILE (PKCS#8 PEM, created 0600) so tokens survive restarts
    #[arg(long, value_name = "FILE")]
    pub key_file: Option<PathBuf>,
    /// Signing algorithm for new keys
    #[arg(long, value_enum, ignore_case = true, default_value_t = ServeAlg::Es256, value_name = "ALG")]
    pub alg: ServeAlg,
    /// Rotate the signing key at start: a new key signs, the previous one stays published in
    /// the JWKS (with --key-file, the rotation is saved)
    #[arg(long)]
    pub rotate_key: bool,
    /// Accept a just-rotated refresh token again within this window (off by default)
    #[arg(long, value_name = "DURATION", value_parser = parse_duration)]
    pub refresh_reuse_grace: Option<Duration>,
    /// Turn off dynamic client registration (RFC 7591, POST /register), which is open to
    /// anyone who can reach the server by default
    #[arg(long)]
    pub no_registration: bool,
    /// Turn off Client ID Metadata Documents (a client_id that is an https URL, fetched by
    /// the server), which are accepted by default
    #[arg(long)]
    pub no_client_id_metadata_documents: bool,
    /// Misbehave on purpose, as a hostile mock server for a client's negative tests
    /// (repeatable; never use it for anything else)
    #[arg(long, value_enum, value_name = "CASE")]
    pub misbehave: Vec<MisbehaveCase>,
    /// Require a DPoP proof (RFC 9449) with every token request, so that every access token
    /// is bound to the client's key
    #[arg(long)]
    pub require_dpop: bool,
    /// Require the server's nonce in DPoP proofs (answered with use_dpop_nonce and a
    /// DPoP-Nonce header)
    #[arg(long)]
    pub dpop_nonce: bool,
    /// Require pushed authorization requests (RFC 9126, POST /par) from every client
    #[arg(long)]
    pub require_par: bool,
    /// Serve https, with a certificate from a development CA whose file is printed on
    /// stderr (pass it to clients as --cacert); enables mTLS client authentication
    #[arg(long)]
    pub tls: bool,
    /// Keep the development CA of --tls in DIR [default: serve-tls in the state directory]
    #[arg(long, value_name = "DIR", requires = "tls")]
    pub tls_dir: Option<PathBuf>,
    /// Start the server's clock this far from the real time, e.g. -1h or +30m (a signed
    /// humantime duration or seconds); every token time, expiry and the Date header follow
    /// it, and POST /admin/clock moves it while the server runs
    #[arg(long, value_name = "DURATION", value_parser = parse_signed_duration, allow_hyphen_values = true)]
    pub clock_offset: Option<i64>,
    /// Do not start a server: mint a token at the one running on --port (on this machine,
    /// through its admin endpoint) and print the access token (--json: the token response)
    #[arg(long, conflicts_with_all = ["listen", "server_config", "auto_approve", "key_file", "rotate_key", "misbehave", "clock_offset"])]
    pub mint: bool,
    /// --mint: the user the token is about [default: none, a token for the client itself]
    #[arg(long, value_name = "USER", requires = "mint")]
    pub user: Option<String>,
    /// --mint: space-separated scopes [default: the client's]
    #[arg(long, value_name = "SCOPES", requires = "mint")]
    pub scope: Option<String>,
    /// --mint: the access token's lifetime [default: the server's access-token lifetime]
    #[arg(long, value_name = "DURATION", value_parser = parse_duration, requires = "mint")]
    pub ttl: Option<Duration>,
    /// --mint: the resource the token is for (RFC 8707), a URL this server hosts
    #[arg(long, value_name = "URL", requires = "mint")]
    pub resource: Option<String>,
    /// --mint: the audience of the token, a name taken as it is (RFC 8693)
    #[arg(long, value_name = "AUD", requires = "mint")]
    pub audience: Option<String>,
    /// --mint: bind the token to the DPoP key with this JWK thumbprint (RFC 7638)
    #[arg(long, value_name = "JKT", requires = "mint")]
    pub jkt: Option<String>,
}

/// `serve --alg`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ServeAlg {
    /// ECDSA P-256 / SHA-256
    #[value(name = "ES256")]
    Es256,
    /// RSA 2048 PKCS#1 v1.5 / SHA-256
    #[value(name = "RS256")]
    Rs256,
}

/// `serve --misbehave`: the dev server's cases, named and described by
/// [`Misbehave::describe`] (the server documents its own cases; this only offers them).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct MisbehaveCase(pub Misbehave);

/// Every case, in the dev server's order.
const MISBEHAVE_CASES: [MisbehaveCase; Misbehave::ALL.len()] = {
    let mut cases = [MisbehaveCase(Misbehave::ALL[0]); Misbehave::ALL.len()];
    let mut i = 0;
    while i < cases.len() {
        cases[i] = MisbehaveCase(Misbehave::ALL[i]);
        i += 1;
    }
    cases
};

impl ValueEnum for MisbehaveCase {
    fn value_variants<'a>() -> &'a [Self] {
        &MISBEHAVE_CASES
    }

    fn to_possible_value(&self) -> Option<clap::builder::PossibleValue> {
        let (name, help) = self.0.describe();
        Some(clap::builder::PossibleValue::new(name).help(help))
    }
}
