//! The command-line surface: plain clap types, no effects. Only the roof
//! (`main`, `lib` and the composition root in `app`) uses them; `app` turns them into each
//! command's own options. The value enums here mirror the ones the lower layers own
//! (`store::StoreChoice`, `oauth::client_auth::AuthMethod`, `output::ColorChoice`,
//! `devserver::Misbehave`, …) so that clap stays out of those layers.
//!
//! Fields that a profile may fill are `Option<T>` without defaults, so that "not given" is
//! distinguishable when settings are resolved (flags > env > profile > discovery > defaults).

use std::path::PathBuf;
use std::time::Duration;

use clap::{Args, Parser, Subcommand, ValueEnum};

use crate::text::duration::parse as parse_duration;

mod examples;
mod lazy;
mod login;
mod serve;
mod tools;
pub(crate) use lazy::{Lazy, Picked, parse, parse_from};
pub(crate) use login::Flow;
pub(crate) use login::{
    AssertionArgs, ExchangeArgs, ExchangeCommandArgs, LoginArgs, parse_key_value,
};
pub(crate) use serve::{ServeAlg, ServeArgs};
pub(crate) use tools::{DoctorArgs, GitCredentialArgs, GitOperation, JwtCommand, JwtSignArgs};

/// Exit codes, shown at the end of `--help` and in the man page.
const EXIT_CODES: &str = "\
Exit codes:
  0    success
  1    unexpected failure
  2    usage error
  3    login required (no cached token, or the refresh token was rejected)
  4    the authorization server rejected the request (an OAuth error response)
  5    network, TLS or timeout, or a malformed or unsafe server response
  6    token not valid (decode --verify failed, introspection says inactive)
  7    configuration error
  8    `call --fail` and the API answered HTTP >= 400
  9    `doctor` found a problem
  130  interrupted";

/// OAuth 2.0 and OpenID Connect from the terminal.
#[derive(Debug, Parser)]
#[command(
    name = "oauthctl",
    version,
    about = "OAuth 2.0 / OpenID Connect toolkit: log in, keep tokens safe, decode JWTs, call APIs",
    after_long_help = EXIT_CODES,
    propagate_version = true,
    max_term_width = 100
)]
pub(crate) struct Cli {
    #[command(flatten)]
    pub global: GlobalArgs,
    #[command(subcommand)]
    pub command: Picked<Command>,
}

/// Flags accepted by every subcommand. In a subcommand's help they come after its own
/// flags, under their own heading.
#[derive(Debug, Clone, Args, Default)]
#[command(next_help_heading = "Global Options")]
pub(crate) struct GlobalArgs {
    /// Profile to use [default: the config's default_profile, else the --provider name, else `default`]
    #[arg(
        short,
        long,
        global = true,
        env = "OAUTHCTL_PROFILE",
        value_name = "NAME"
    )]
    pub profile: Option<String>,
    /// Provider preset or configured provider (`oauthctl providers`); NAME@ARG sets the
    /// preset's parameter, e.g. microsoft@contoso.onmicrosoft.com or gitlab@gitlab.example.com
    #[arg(long, global = true, env = "OAUTHCTL_PROVIDER", value_name = "NAME")]
    pub provider: Option<String>,
    /// Issuer URL of the authorization server (discovery is used for its endpoints)
    #[arg(long, global = true, env = "OAUTHCTL_ISSUER", value_name = "URL")]
    pub issuer: Option<String>,
    /// OAuth client identifier
    #[arg(long, global = true, env = "OAUTHCTL_CLIENT_ID", value_name = "ID")]
    pub client_id: Option<String>,
    /// Read the client secret from FILE (`-` reads standard input)
    #[arg(
        long,
        global = true,
        env = "OAUTHCTL_CLIENT_SECRET_FILE",
        value_name = "FILE"
    )]
    pub client_secret_file: Option<PathBuf>,
    /// Read the client secret from the environment variable VAR
    #[arg(long, global = true, value_name = "VAR")]
    pub client_secret_env: Option<String>,
    /// The client secret itself (visible to other users in `ps`; prefer --client-secret-file)
    #[arg(long, global = true, value_name = "SECRET", hide_env_values = true)]
    pub client_secret: Option<String>,
    /// Configuration file [default: $OAUTHCTL_HOME/config.toml, else $XDG_CONFIG_HOME/oauthctl/config.toml]
    #[arg(long, global = true, env = "OAUTHCTL_CONFIG", value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Print a JSON document on stdout instead of human output
    #[arg(short = 'j', long, global = true)]
    pub json: bool,
    /// When to colour output (NO_COLOR is honoured by `auto`)
    #[arg(long, global = true, value_enum, default_value_t = ColorChoice::Auto, value_name = "WHEN")]
    pub color: ColorChoice,
    /// Trace requests and responses on stderr, with every secret redacted (repeatable)
    #[arg(short, long, global = true, action = clap::ArgAction::Count)]
    pub verbose: u8,
    /// Print nothing on stderr but warnings and errors
    #[arg(short, long, global = true)]
    pub quiet: bool,
    /// Where tokens are cached
    #[arg(
        long,
        global = true,
        value_enum,
        env = "OAUTHCTL_TOKEN_STORE",
        value_name = "STORE"
    )]
    pub token_store: Option<TokenStoreChoice>,
    /// Trust the CA certificates in this PEM file too (SSL_CERT_FILE replaces the system roots)
    #[arg(long, global = true, env = "OAUTHCTL_CACERT", value_name = "FILE")]
    pub cacert: Option<PathBuf>,
    /// Permit plain http to non-loopback hosts (loopback http is always allowed)
    #[arg(long, global = true)]
    pub insecure_http: bool,
    /// The client's private key for private_key_jwt (PEM: RSA, EC or Ed25519)
    #[arg(
        long,
        global = true,
        env = "OAUTHCTL_CLIENT_KEY_FILE",
        value_name = "FILE"
    )]
    pub client_key_file: Option<PathBuf>,
    /// The key id (`kid`) of --client-key-file as the provider registered it
    #[arg(long, global = true, value_name = "KID")]
    pub client_key_id: Option<String>,
    /// The client certificate for mutual TLS (PEM; RFC 8705), with --client-key
    #[arg(
        long,
        global = true,
        env = "OAUTHCTL_CLIENT_CERT",
        value_name = "FILE",
        requires = "client_key"
    )]
    pub client_cert: Option<PathBuf>,
    /// The private key of --client-cert (PEM)
    #[arg(
        long,
        global = true,
        env = "OAUTHCTL_CLIENT_KEY",
        value_name = "FILE",
        requires = "client_cert"
    )]
    pub client_key: Option<PathBuf>,
}

/// `--color`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, ValueEnum)]
pub enum ColorChoice {
    #[default]
    Auto,
    Always,
    Never,
}

/// `--token-store`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum TokenStoreChoice {
    /// The OS keyring when it answers, else files (with a warning)
    Auto,
    /// The OS keyring only
    Keyring,
    /// Files under OAUTHCTL_HOME (or the XDG state directory) only
    File,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub(crate) enum Command {
    /// Show a JWT's header, claims and times; with --verify, check signature and claims
    #[command(after_help = examples::DECODE)]
    Decode(Lazy<DecodeArgs>),
    /// Sign in and cache the tokens (authorization code + PKCE, device code, client credentials)
    #[command(after_help = examples::LOGIN)]
    Login(Lazy<LoginArgs>),
    /// Print the cached access token, refreshing it first when it is about to expire
    #[command(after_help = examples::TOKEN)]
    Token(Lazy<TokenArgs>),
    /// Refresh the cached tokens now
    #[command(after_help = examples::REFRESH)]
    Refresh,
    /// Exchange a token for another (RFC 8693 token exchange), cached as its own profile
    /// (-p NAME) and renewed from the profile it came from
    #[command(after_help = examples::EXCHANGE)]
    Exchange(Lazy<ExchangeCommandArgs>),
    /// Call an API with the profile's access token (curl-like: -H, -d, --json, -i, -o, -L)
    #[command(
        override_usage = "oauthctl call [OPTIONS] [METHOD] URL",
        after_help = examples::CALL
    )]
    Call(CallArgs),
    /// Ask the authorization server whether a token is active (RFC 7662 introspection)
    #[command(after_help = examples::INTROSPECT)]
    Introspect(Lazy<IntrospectArgs>),
    /// Revoke a token at the authorization server (RFC 7009): the profile's refresh token
    /// (else its access token), or one from standard input
    #[command(after_help = examples::REVOKE)]
    Revoke(Lazy<RevokeArgs>),
    /// Show the OpenID Connect userinfo claims for the profile's login
    #[command(after_help = examples::USERINFO)]
    Userinfo,
    /// Run a command with the access token in its environment (never in its arguments)
    #[command(
        override_usage = "oauthctl exec [OPTIONS] -- CMD [ARGS]...",
        after_help = examples::EXEC
    )]
    Exec(Lazy<ExecArgs>),
    /// Revoke the cached tokens (RFC 7009) and delete them from every store
    #[command(after_help = examples::LOGOUT)]
    Logout(Lazy<LogoutArgs>),
    /// Show the cached logins and the configured profiles: issuer, client, subject, scopes,
    /// expiry (no secrets)
    #[command(after_help = examples::STATUS)]
    Status,
    /// List the provider presets and the configured providers
    #[command(after_help = examples::PROVIDERS)]
    Providers,
    /// Run the whole main job against a built-in development server, narrated
    #[command(after_help = examples::DEMO)]
    Demo,
    /// Run the development authorization server and its protected demo API (local testing only)
    #[command(after_help = examples::SERVE)]
    Serve(Lazy<ServeArgs>),
    /// JWT tools: `jwt sign` mints test tokens (`decode` reads them)
    #[command(subcommand, after_help = examples::JWT)]
    Jwt(JwtCommand),
    /// A git credential helper: the profile's access token as the password for the git hosts
    /// the configuration maps to it
    #[command(name = "git-credential", after_help = examples::GIT_CREDENTIAL)]
    GitCredential(Lazy<GitCredentialArgs>),
    /// Check the setup: configuration, keyring, browser, loopback port, clock, provider
    /// metadata, TLS and file permissions; each problem with its fix
    #[command(after_help = examples::DOCTOR)]
    Doctor(Lazy<DoctorArgs>),
    /// Print a shell completion script
    #[command(after_help = examples::COMPLETIONS)]
    Completions {
        /// The shell
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
    /// Print a completion script or the man page (used to refresh the committed files)
    #[command(hide = true)]
    Generate {
        /// `man`, or a shell name
        target: String,
    },
}

/// `token --format`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, ValueEnum)]
pub(crate) enum TokenFormat {
    /// The token alone
    #[default]
    Raw,
    /// `Authorization: Bearer TOKEN` (a DPoP-bound token needs --dpop-proof instead)
    Header,
    /// A JSON document (no refresh token unless --include-refresh-token)
    Json,
    /// `export OAUTHCTL_ACCESS_TOKEN=…` lines for `eval`
    Env,
    /// A kubectl `ExecCredential` (client.authentication.k8s.io/v1, or the apiVersion in
    /// KUBERNETES_EXEC_INFO)
    ExecCredential,
}

/// `token`.
#[derive(Debug, Clone, Args)]
pub(crate) struct TokenArgs {
    /// Output format
    #[arg(long, value_enum, default_value_t = TokenFormat::Raw)]
    pub format: TokenFormat,
    /// Print the ID token instead of the access token
    #[arg(long)]
    pub id_token: bool,
    /// Never refresh; fail when the cached token has expired
    #[arg(long)]
    pub no_refresh: bool,
    /// Refresh first when the token expires within this time
    #[arg(long, value_name = "DURATION", value_parser = parse_duration, default_value = "60s")]
    pub min_ttl: Duration,
    /// Include the refresh token in `--format json`
    #[arg(long)]
    pub include_refresh_token: bool,
    /// Print the headers of one METHOD request to URL instead: `Authorization`, and for a
    /// DPoP-bound token the `DPoP` proof for that request (for `curl -H @-`)
    #[arg(
        long,
        num_args = 2,
        value_names = ["METHOD", "URL"],
        conflicts_with_all = ["format", "id_token", "include_refresh_token"]
    )]
    pub dpop_proof: Option<Vec<String>>,
}

/// `call`.
#[derive(Debug, Clone, Args, Default)]
pub(crate) struct CallArgs {
    /// `[METHOD] URL`: the method (GET, or POST when a body is given) and the URL; query
    /// items may be part of the URL
    #[arg(value_name = "METHOD|URL", required = true, num_args = 1..=2)]
    pub target: Vec<String>,
    /// Request header `NAME: VALUE` (repeatable). `!NAME: VALUE` marks it as a secret: it is
    /// redacted in traces and dropped on a redirect to another origin
    #[arg(
        short = 'H',
        long = "header",
        value_name = "NAME: VALUE",
        allow_hyphen_values = true
    )]
    pub headers: Vec<String>,
    /// Request body, sent as is: DATA, @FILE, or @- for standard input (Content-Type
    /// application/x-www-form-urlencoded unless -H sets one)
    #[arg(short = 'd', long = "data", value_name = "DATA", allow_hyphen_values = true,
          conflicts_with_all = ["json_body", "form"])]
    pub data: Option<String>,
    /// JSON request body: BODY, @FILE or @- (sets Content-Type and Accept to application/json)
    #[arg(
        id = "json_body",
        long = "json",
        value_name = "BODY",
        allow_hyphen_values = true,
        conflicts_with = "form"
    )]
    pub json_body: Option<String>,
    // Stands in for the global `--json` flag, which `call` does not take (its output is the
    // response body): clap propagates a global flag only into subcommands that lack an
    // argument of the same id, and this one (a flag of the same type, so the values clap
    // copies between the levels agree) frees `--json` for the request body.
    /// Ignored (`call --json` takes a request body; the response body is the output)
    #[arg(id = "json", long = "json-report", hide = true)]
    pub json_report: bool,
    /// Form field K=V (repeatable), sent urlencoded
    #[arg(long = "form", value_name = "K=V", value_parser = parse_key_value)]
    pub form: Vec<(String, String)>,
    /// Write the status line and the response headers before the body
    #[arg(short = 'i', long)]
    pub include: bool,
    /// Write the body to FILE instead of standard output (`-` is standard output)
    #[arg(short = 'o', long = "output", value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Exit with status 8 when the API answers HTTP 400 or above (the body is still written)
    #[arg(long)]
    pub fail: bool,
    /// Give up on the whole exchange after this long: connecting, redirects, the retry and
    /// the whole body [default: no limit]
    #[arg(long, value_name = "DURATION", value_parser = parse_duration)]
    pub max_time: Option<Duration>,
    /// Follow redirects (at most 10); credentials go to the original origin only
    #[arg(short = 'L', long)]
    pub location: bool,
    /// Send the token in the environment variable VAR instead of the profile's (a token
    /// oauthctl did not obtain: never refreshed; no login or configuration needed)
    #[arg(long, value_name = "VAR", conflicts_with = "token_file")]
    pub token_env: Option<String>,
    /// Send the token in FILE (`-`: standard input) instead of the profile's (never
    /// refreshed; no login or configuration needed)
    #[arg(long, value_name = "FILE")]
    pub token_file: Option<PathBuf>,
    /// Log in when the API asks for it: without a login for the URL the request goes out
    /// without a token, and its 401 challenge leads to the authorization server (RFC 9728),
    /// a login and the same request again; a 403 insufficient_scope to a login for the
    /// missing scopes (at most 3 logins)
    #[arg(long, conflicts_with_all = ["token_env", "token_file"])]
    pub login: bool,
    /// With --login: the URL of this client's metadata document, used as its client id
    /// where the authorization server supports client ID metadata documents
    #[arg(long, value_name = "URL", requires = "login")]
    pub client_metadata_url: Option<String>,
    /// With --login: how long a login waits for the browser [default: 5m]
    #[arg(long, value_name = "DURATION", value_parser = parse_duration, requires = "login")]
    pub login_timeout: Option<Duration>,
    /// With --login: open the authorization URL with CMD (split into words without a shell;
    /// the URL is appended) [default: $BROWSER, else the system's browser]
    #[arg(long, value_name = "CMD", requires = "login")]
    pub browser_command: Option<String>,
}

/// `introspect`.
#[derive(Debug, Clone, Args, Default)]
pub(crate) struct IntrospectArgs {
    /// The token; `-` reads it from standard input [default: the profile's access token]
    #[arg(value_name = "TOKEN")]
    pub token: Option<String>,
    /// `token_type_hint` (access_token, refresh_token) [default: access_token for the
    /// profile's token, none otherwise]
    #[arg(long, value_name = "HINT")]
    pub token_type_hint: Option<String>,
}

/// `revoke`.
#[derive(Debug, Clone, Args, Default)]
pub(crate) struct RevokeArgs {
    /// The token; `-` reads it from standard input [default: the profile's refresh token
    /// when one is cached, else its access token]
    #[arg(value_name = "TOKEN")]
    pub token: Option<String>,
    /// Which of the profile's tokens to revoke; sent as `token_type_hint` (with TOKEN, only
    /// sent)
    #[arg(long, value_enum, value_name = "HINT")]
    pub token_type_hint: Option<TokenTypeHint>,
    /// After the server confirmed, delete the profile's cached tokens from every store (as
    /// `logout --no-revoke` does)
    #[arg(long, conflicts_with = "token")]
    pub delete: bool,
}

/// `revoke --token-type-hint`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum TokenTypeHint {
    /// The access token
    #[value(name = "access_token", alias = "access-token")]
    AccessToken,
    /// The refresh token
    #[value(name = "refresh_token", alias = "refresh-token")]
    RefreshToken,
}

/// `exec`.
#[derive(Debug, Clone, Args, Default)]
pub(crate) struct ExecArgs {
    /// The command and its arguments
    #[arg(value_name = "CMD", required = true, num_args = 1.., trailing_var_arg = true,
          allow_hyphen_values = true)]
    pub command: Vec<String>,
    /// Refresh first when the token expires within this time
    #[arg(long, value_name = "DURATION", value_parser = parse_duration, default_value = "60s")]
    pub min_ttl: Duration,
}

/// `logout`.
#[derive(Debug, Clone, Args, Default)]
pub(crate) struct LogoutArgs {
    /// Delete the cached tokens without revoking them at the server
    #[arg(long)]
    pub no_revoke: bool,
    /// Also forget the client oauthctl registered for the profile at its authorization
    /// server (RFC 7591): its secret leaves the token store, and the server is asked to
    /// delete it (RFC 7592) where it allows that; the next login there registers anew
    #[arg(long)]
    pub forget_registration: bool,
}

/// `decode`.
#[derive(Debug, Clone, Args, Default)]
pub(crate) struct DecodeArgs {
    /// The token (a leading `Bearer ` is ignored); `-` or nothing reads it from standard input
    #[arg(value_name = "TOKEN")]
    pub token: Option<String>,
    /// Decode the profile's cached access token
    #[arg(long, conflicts_with_all = ["token", "id_token"])]
    pub access_token: bool,
    /// Decode the profile's cached ID token
    #[arg(long, conflicts_with = "token")]
    pub id_token: bool,
    /// Check the signature and the claims (issuer, audience, expiry)
    #[arg(long)]
    pub verify: bool,
    /// Verify with the keys of this JWKS (an https or loopback URL, or a file)
    #[arg(long, value_name = "URL|FILE", requires = "verify")]
    pub jwks: Option<String>,
    /// Verify with this public key (PEM: RSA, EC or Ed25519)
    #[arg(
        long,
        value_name = "PEM-FILE",
        requires = "verify",
        conflicts_with = "jwks"
    )]
    pub key: Option<PathBuf>,
    /// Verify an HMAC (HS*) token with the secret in this environment variable
    #[arg(long, value_name = "VAR", requires = "verify", conflicts_with_all = ["jwks", "key"])]
    pub secret_env: Option<String>,
    /// Allowed algorithms (repeatable or comma-separated) [default: any that fits the key, never `none`]
    #[arg(long, value_name = "ALG", value_delimiter = ',')]
    pub alg: Vec<String>,
    /// Required audience (`aud` must contain it); without it the audience is not checked
    #[arg(long, value_name = "AUD")]
    pub audience: Option<String>,
    /// Clock skew allowed for exp, nbf and iat
    #[arg(long, value_name = "DURATION", value_parser = parse_duration, default_value = "60s")]
    pub leeway: Duration,
}

/// `login --auth-method`. On the command line the registered names (as in the config file
/// and the provider's metadata) are the primary spelling; clap's kebab-case forms stay
/// accepted as aliases.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum AuthMethod {
    /// HTTP Basic with form-urlencoded id and secret
    #[value(name = "client_secret_basic", alias = "client-secret-basic")]
    ClientSecretBasic,
    /// id and secret in the form body
    #[value(name = "client_secret_post", alias = "client-secret-post")]
    ClientSecretPost,
    /// public client: only `client_id`
    None,
    /// a JWT signed with the client's private key (--client-key-file)
    #[value(name = "private_key_jwt", alias = "private-key-jwt")]
    PrivateKeyJwt,
    /// a JWT with an HMAC of the client secret
    #[value(name = "client_secret_jwt", alias = "client-secret-jwt")]
    ClientSecretJwt,
    /// a client certificate issued by a CA the server trusts (--client-cert)
    #[value(name = "tls_client_auth", alias = "tls-client-auth")]
    TlsClientAuth,
    /// a self-signed client certificate registered with the server (--client-cert)
    #[value(
        name = "self_signed_tls_client_auth",
        alias = "self-signed-tls-client-auth"
    )]
    SelfSignedTlsClientAuth,
}

#[cfg(test)]
mod tests {
    use super::serve::MisbehaveCase;
    use super::*;
    use crate::devserver::Misbehave;
    use clap::CommandFactory;

    #[test]
    fn cli_is_well_formed() {
        Cli::command().debug_assert();
    }

    #[test]
    fn misbehave_cases_are_the_servers() {
        let names: Vec<String> = MisbehaveCase::value_variants()
            .iter()
            .filter_map(ValueEnum::to_possible_value)
            .map(|v| v.get_name().to_owned())
            .collect();
        let server: Vec<&str> = Misbehave::ALL.iter().map(|m| m.name()).collect();
        assert_eq!(names, server);
        let parsed = Cli::try_parse_from(["oauthctl", "serve", "--misbehave", "token-307"])
            .map(|cli| format!("{:?}", cli.command.0));
        assert!(parsed.is_ok_and(|c| c.contains("Token307")));
        assert!(Cli::try_parse_from(["oauthctl", "serve", "--misbehave", "x"]).is_err());
    }
}
