//! The command-line surface of `login` and `exchange`: the grants, their options, and
//! client assertions. Plain clap types, like the rest of `cli`.

use std::path::PathBuf;
use std::time::Duration;

use clap::{Args, ValueEnum};

use crate::text::duration::parse as parse_duration;

use super::AuthMethod;

/// `login --flow`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, ValueEnum)]
pub enum Flow {
    /// Authorization code + PKCE through the browser and a loopback redirect
    #[default]
    Code,
    /// Device authorization grant (RFC 8628): enter a code on another device
    Device,
    /// Client credentials (a confidential client acting for itself)
    ClientCredentials,
    /// JWT bearer grant (RFC 7523): a signed assertion (--assertion-file, or signed with
    /// --assertion-key)
    JwtBearer,
    /// Token exchange (RFC 8693), as `oauthctl exchange` does (--subject-profile, …)
    TokenExchange,
}

/// `login`.
#[derive(Debug, Clone, Args, Default)]
pub(crate) struct LoginArgs {
    /// The grant to use
    #[arg(long, value_enum, default_value_t = Flow::Code)]
    pub flow: Flow,
    /// Scope to request (repeatable; a space-separated list works too)
    #[arg(long = "scope", value_name = "SCOPE")]
    pub scopes: Vec<String>,
    /// Audience to request (`audience` parameter; repeatable for a token exchange)
    #[arg(long = "audience", value_name = "AUD")]
    pub audiences: Vec<String>,
    /// Resource indicator to request (RFC 8707; repeatable for a token exchange)
    #[arg(long = "resource", value_name = "URI")]
    pub resources: Vec<String>,
    /// Log in for the API at URL: its protected resource metadata (RFC 9728) names the
    /// authorization server, a client is found or registered there, and the tokens are
    /// for that resource (the profile is named after it unless -p names one)
    #[arg(long, value_name = "URL", conflicts_with_all = ["resources", "audiences"])]
    pub resource_url: Option<String>,
    /// With --resource-url: the URL of this client's metadata document, used as its client
    /// id where the authorization server supports client ID metadata documents
    #[arg(long, value_name = "URL")]
    pub client_metadata_url: Option<String>,
    /// Extra authorization request parameter (repeatable)
    #[arg(long = "param", value_name = "K=V", value_parser = parse_key_value)]
    pub params: Vec<(String, String)>,
    /// `prompt` parameter (login, consent, select_account, none)
    #[arg(long, value_name = "PROMPT")]
    pub prompt: Option<String>,
    /// `login_hint` parameter
    #[arg(long, value_name = "HINT")]
    pub login_hint: Option<String>,
    /// Loopback port for the redirect [default: the redirect URI's, else any free port]
    #[arg(long, value_name = "PORT")]
    pub port: Option<u16>,
    /// Redirect URI registered for the client: `http://127.0.0.1/PATH`, `http://[::1]/PATH`
    /// or `http://localhost/PATH`, with a port or without (then a free one) [default: the
    /// profile's, the preset's, else http://127.0.0.1/callback]
    #[arg(long, value_name = "URI")]
    pub redirect_uri: Option<String>,
    /// Send `Origin: URL` with the token requests (the code exchange and refreshes), for a
    /// client Entra ID registered as a single-page application (remembered)
    #[arg(long, value_name = "URL")]
    pub origin: Option<String>,
    /// How long to wait for the browser or the device approval
    #[arg(long, value_name = "DURATION", value_parser = parse_duration, default_value = "5m")]
    pub timeout: Duration,
    /// Print the authorization URL instead of opening a browser
    #[arg(long)]
    pub no_browser: bool,
    /// Open the URL with CMD (split into words without a shell; the URL is appended)
    #[arg(long, value_name = "CMD", conflicts_with = "no_browser")]
    pub browser_command: Option<String>,
    /// Do not draw the device flow's QR code (it is drawn only on a terminal)
    #[arg(long)]
    pub no_qr: bool,
    /// Client authentication at the token endpoint
    #[arg(long, value_enum, value_name = "METHOD")]
    pub auth_method: Option<AuthMethod>,
    /// Clock skew allowed for the ID token's exp, nbf and iat (remembered for refreshes)
    #[arg(long, value_name = "DURATION", value_parser = parse_duration, default_value = "60s")]
    pub leeway: Duration,
    /// Bind the tokens to a proof key kept with them (DPoP, RFC 9449): every request that
    /// uses them carries a proof signed with it [default: when the provider refuses tokens
    /// without it]
    #[arg(long)]
    pub dpop: bool,
    /// Push the authorization request to the provider first (PAR, RFC 9126) [default: when
    /// the provider requires it]
    #[arg(long)]
    pub par: bool,
    // The flags of `--flow jwt-bearer` and `--flow token-exchange`, among login's own (a
    // heading of their own would come after the global flags).
    #[command(flatten)]
    pub assertion: Box<AssertionArgs>,
    #[command(flatten)]
    pub exchange: Box<ExchangeArgs>,
}

/// The assertion of `login --flow jwt-bearer` (RFC 7523 §2.1).
#[derive(Debug, Clone, Args, Default)]
#[allow(clippy::struct_field_names)] // the flags are named `--assertion-*`
pub(crate) struct AssertionArgs {
    /// --flow jwt-bearer: a ready assertion in FILE (`-` reads standard input); a server
    /// takes it once, so the tokens cannot be renewed without a new one
    #[arg(long, value_name = "FILE", conflicts_with = "assertion_key")]
    pub assertion_file: Option<PathBuf>,
    /// --flow jwt-bearer: sign the assertion with this private key (PEM: RSA, EC or Ed25519;
    /// its algorithm is the key's); a new one is signed at each renewal (the path is
    /// remembered, not the key)
    #[arg(long, value_name = "FILE")]
    pub assertion_key: Option<PathBuf>,
    /// The assertion's `iss` [default: the client id]
    #[arg(long, value_name = "ISS")]
    pub assertion_iss: Option<String>,
    /// The assertion's `sub`, whom the token is for [default: its `iss`]
    #[arg(long, value_name = "SUB")]
    pub assertion_sub: Option<String>,
    /// The assertion's `aud` [default: the issuer identifier]
    #[arg(long, value_name = "AUD")]
    pub assertion_aud: Option<String>,
    /// How long the assertion is valid (`exp` after `iat`) [default: 5m]
    #[arg(long, value_name = "DURATION", value_parser = parse_duration)]
    pub assertion_exp: Option<Duration>,
    /// The `kid` the assertion's header names [default: none]
    #[arg(long, value_name = "KID")]
    pub assertion_kid: Option<String>,
}

/// What a token exchange exchanges (RFC 8693 §2.1): `exchange`, `login --flow
/// token-exchange`.
#[derive(Debug, Clone, Args, Default)]
pub(crate) struct ExchangeArgs {
    /// Exchange this profile's current token (renewed first when needed); the new profile
    /// is renewed from it [default: the profile's last exchange]
    #[arg(long, value_name = "NAME", conflicts_with = "subject_token_file")]
    pub subject_profile: Option<String>,
    /// Exchange the token in FILE (`-` reads standard input; a file is read again at each
    /// renewal)
    #[arg(long, value_name = "FILE")]
    pub subject_token_file: Option<PathBuf>,
    /// The subject token's type: access_token, id_token (a profile's ID token), jwt,
    /// refresh_token, or a URI [default: access_token]
    #[arg(long, value_name = "TYPE")]
    pub subject_token_type: Option<String>,
    /// Delegation: this profile's current token acts for the subject (`act`)
    #[arg(long, value_name = "NAME", conflicts_with = "actor_token_file")]
    pub actor_profile: Option<String>,
    /// Delegation: the actor token in FILE (`-` reads standard input)
    #[arg(long, value_name = "FILE")]
    pub actor_token_file: Option<PathBuf>,
    /// The actor token's type (as --subject-token-type) [default: access_token]
    #[arg(long, value_name = "TYPE")]
    pub actor_token_type: Option<String>,
    /// The type of token to ask for: access_token, id_token, jwt, or a URI [default: the
    /// server's choice, usually an access token]
    #[arg(long, value_name = "TYPE")]
    pub requested_token_type: Option<String>,
}

/// `exchange`.
#[derive(Debug, Clone, Args, Default)]
pub(crate) struct ExchangeCommandArgs {
    #[command(flatten)]
    pub exchange: ExchangeArgs,
    /// Scope to request (repeatable; a space-separated list works too) [default: the
    /// server's, usually the subject token's]
    #[arg(long = "scope", value_name = "SCOPE")]
    pub scopes: Vec<String>,
    /// Audience of the new token (repeatable)
    #[arg(long = "audience", value_name = "AUD")]
    pub audiences: Vec<String>,
    /// Resource the new token is for (RFC 8707; repeatable)
    #[arg(long = "resource", value_name = "URI")]
    pub resources: Vec<String>,
    /// Client authentication at the token endpoint
    #[arg(long, value_enum, value_name = "METHOD")]
    pub auth_method: Option<AuthMethod>,
}

/// Parses `K=V`.
pub(crate) fn parse_key_value(s: &str) -> Result<(String, String), String> {
    match s.split_once('=') {
        Some((k, v)) if !k.is_empty() => Ok((k.to_owned(), v.to_owned())),
        _ => Err("expected K=V".to_owned()),
    }
}
