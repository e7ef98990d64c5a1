//! The command-line surface of the helpers for other tools: `jwt sign`,
//! `git-credential` and `doctor`. Plain clap types, like the rest of `cli`.

use std::path::PathBuf;
use std::time::Duration;

use clap::{ArgGroup, Args, Subcommand, ValueEnum};

use super::Lazy;
use crate::text::duration::parse as parse_duration;

/// `jwt`: JWT tools (`decode` stays its own command).
#[derive(Debug, Clone, Subcommand)]
pub(crate) enum JwtCommand {
    /// Sign claims into a JWT (test tokens): HS256/384/512 with a secret from the
    /// environment, RS256, PS256, ES256, ES384 or EdDSA with a PEM private key
    #[command(after_help = super::examples::JWT_SIGN)]
    Sign(Lazy<JwtSignArgs>),
}

/// `jwt sign`.
#[derive(Debug, Clone, Args, Default)]
#[command(group(ArgGroup::new("signer").required(true).args(["key", "secret_env"])))]
pub(crate) struct JwtSignArgs {
    /// The claims: a JSON object, @FILE, or `-` (or @-) for standard input [default: `{}`]
    #[arg(value_name = "CLAIMS", allow_hyphen_values = true)]
    pub claims: Option<String>,
    /// Sign with the private key in this PEM file (PKCS#8, SEC1 or PKCS#1: RSA, EC P-256/P-384,
    /// Ed25519)
    #[arg(long, value_name = "PEM-FILE")]
    pub key: Option<PathBuf>,
    /// Sign with HMAC, the secret being the value of this environment variable (never an
    /// argument: argv is visible to other users)
    #[arg(long, value_name = "VAR", conflicts_with = "key")]
    pub secret_env: Option<String>,
    /// Algorithm [default: HS256 with --secret-env; with --key the key's own: RS256, ES256,
    /// ES384 or EdDSA]
    #[arg(long, value_name = "ALG")]
    pub alg: Option<String>,
    /// Expire after this long (`exp` = `iat` + DURATION) [default: 15m, unless the claims
    /// have an `exp`]
    #[arg(long, value_name = "DURATION", value_parser = parse_duration, conflicts_with = "no_exp")]
    pub exp: Option<Duration>,
    /// Add no `exp`
    #[arg(long)]
    pub no_exp: bool,
    /// Add no `iat` (issued now) claim
    #[arg(long)]
    pub no_iat: bool,
    /// Add no `jti` (random identifier) claim
    #[arg(long)]
    pub no_jti: bool,
    /// Also set `nbf` (not before) to now
    #[arg(long)]
    pub nbf: bool,
    /// `iss` claim
    #[arg(long, value_name = "ISS")]
    pub iss: Option<String>,
    /// `sub` claim
    #[arg(long, value_name = "SUB")]
    pub sub: Option<String>,
    /// `aud` claim (repeatable: several make an array)
    #[arg(long, value_name = "AUD")]
    pub aud: Vec<String>,
    /// `kid` header [default: none]
    #[arg(long, value_name = "KID")]
    pub kid: Option<String>,
    /// `typ` header
    #[arg(long, value_name = "TYP", default_value = "JWT")]
    pub typ: String,
}

/// `git-credential`: the operation git asks a credential helper for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum GitOperation {
    /// Answer with a username and the profile's access token as the password
    Get,
    /// Git accepted the credential: nothing to keep (oauthctl's cache already has it)
    Store,
    /// Git's server refused the credential: forget the cached access token so that the next
    /// `get` renews it
    Erase,
}

/// `git-credential`.
#[derive(Debug, Clone, Args)]
pub(crate) struct GitCredentialArgs {
    /// What git asks for (git passes it as the last argument)
    #[arg(value_enum, value_name = "OPERATION")]
    pub operation: GitOperation,
}

/// `doctor`.
#[derive(Debug, Clone, Args, Default)]
pub(crate) struct DoctorArgs {
    /// Also check the TLS chain of this https URL (an API the tokens are for)
    #[arg(value_name = "URL")]
    pub url: Option<String>,
}
