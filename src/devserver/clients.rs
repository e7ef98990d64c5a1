//! Registered clients, users and scopes of the dev server: the built-in defaults
//! (docs/serve.md), the TOML server-config file, and the redirect URI rule (RFC 8252 §7.3,
//! RFC 9700 §4.1.3): exact string match, except that the port may differ when the registered
//! URI's host is the IP literal `127.0.0.1` or `[::1]`, or `localhost` for a client that opts
//! in (`localhost_any_port`; RFC 8252 §8.3 advises against `localhost`, so never by
//! default).

use std::path::Path;
use std::time::Duration;

use serde::{Deserialize, Deserializer};

use super::claims::CustomClaims;
use crate::oauth::grant::Grant;
use crate::oauth::secret::ClientSecret;

/// How a client authenticates (RFC 7591 §2 `token_endpoint_auth_method`, with the methods
/// of RFC 7523 and RFC 8705).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AuthMethod {
    /// HTTP Basic with the form-urlencoded id and secret.
    ClientSecretBasic,
    /// Id and secret in the form body.
    ClientSecretPost,
    /// An HS256 client assertion under the secret.
    ClientSecretJwt,
    /// A client assertion signed with the client's private key.
    PrivateKeyJwt,
    /// A certificate from the development CA naming the client (`--tls`).
    TlsClientAuth,
    /// A certificate listed in the client's JWKS (`--tls`).
    SelfSignedTlsClientAuth,
    /// A public client: `client_id` only.
    None,
}

impl AuthMethod {
    /// Every method, in the order the metadata lists them.
    pub const ALL: [Self; 7] = [
        Self::ClientSecretBasic,
        Self::ClientSecretPost,
        Self::ClientSecretJwt,
        Self::PrivateKeyJwt,
        Self::TlsClientAuth,
        Self::SelfSignedTlsClientAuth,
        Self::None,
    ];

    /// The registered name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::ClientSecretBasic => "client_secret_basic",
            Self::ClientSecretPost => "client_secret_post",
            Self::ClientSecretJwt => "client_secret_jwt",
            Self::PrivateKeyJwt => "private_key_jwt",
            Self::TlsClientAuth => "tls_client_auth",
            Self::SelfSignedTlsClientAuth => "self_signed_tls_client_auth",
            Self::None => "none",
        }
    }

    /// Whether the method needs a TLS client certificate.
    pub fn is_mtls(self) -> bool {
        matches!(self, Self::TlsClientAuth | Self::SelfSignedTlsClientAuth)
    }
}

/// A registered client.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Client {
    /// `client_id`.
    pub id: String,
    /// The secret of a confidential client; `None` makes the client public.
    #[serde(default)]
    pub secret: Option<ClientSecret>,
    /// Registered redirect URIs (see [`redirect_uri_matches`]).
    #[serde(default)]
    pub redirect_uris: Vec<String>,
    /// Allowed grants, written as their `grant_type` values in the server-config file.
    #[serde(default, deserialize_with = "de_grant_types")]
    pub grant_types: Vec<Grant>,
    /// Scopes the client may request; empty means every scope of the server.
    #[serde(default)]
    pub scopes: Vec<String>,
    /// Roles carried by client-credentials tokens.
    #[serde(default)]
    pub roles: Vec<String>,
    /// A resource-server client that may introspect any token of this server.
    #[serde(default)]
    pub introspect_any: bool,
    /// The one authentication method the client must use; absent: see
    /// [`Client::auth_methods`].
    #[serde(default)]
    pub token_endpoint_auth_method: Option<AuthMethod>,
    /// The client's public keys, inline (a JWKS document): `private_key_jwt`, and the `x5c`
    /// of `self_signed_tls_client_auth`.
    #[serde(default)]
    pub jwks: Option<serde_json::Value>,
    /// Where the client's JWKS is (https, or http on a loopback address).
    #[serde(default)]
    pub jwks_uri: Option<String>,
    /// `tls_client_auth`: the subject DN (RFC 4514) of the client's certificate.
    #[serde(default)]
    pub tls_client_auth_subject_dn: Option<String>,
    /// `tls_client_auth`: a DNS name among the certificate's subject alternative names.
    #[serde(default)]
    pub tls_client_auth_san_dns: Option<String>,
    /// `tls_client_auth`: a URI among the certificate's subject alternative names.
    #[serde(default)]
    pub tls_client_auth_san_uri: Option<String>,
    /// Every token request of the client needs a DPoP proof (RFC 9449 §5.2).
    #[serde(default)]
    pub dpop_bound_access_tokens: bool,
    /// Every authorization request of the client must be pushed first (RFC 9126 §6).
    #[serde(default)]
    pub require_pushed_authorization_requests: bool,
    /// Any port is accepted on the client's `http://localhost` redirect URIs too, as on its
    /// `127.0.0.1` and `[::1]` ones (an explicit opt-in, RFC 8252 §8.3).
    #[serde(default)]
    pub localhost_any_port: bool,
    /// Token exchange (RFC 8693): the audiences (or resources) the client may ask for
    /// besides the demo API's; any other is `invalid_target`.
    #[serde(default)]
    pub token_exchange_audiences: Vec<String>,
    /// Custom claims every token issued to the client carries (`[clients.claims]`,
    /// docs/serve.md); a user's claim of the same name wins.
    #[serde(default)]
    pub claims: CustomClaims,
    /// Where RP-initiated logout may send the browser back to (exact match).
    #[serde(default)]
    pub post_logout_redirect_uris: Vec<String>,
}

impl Client {
    /// The authentication methods the client may use: its `token_endpoint_auth_method`,
    /// or what its registration allows: the secret methods with a `secret`,
    /// `private_key_jwt` and `self_signed_tls_client_auth` with keys, `tls_client_auth`
    /// with a certificate name, and `none` with none of these.
    pub fn auth_methods(&self) -> Vec<AuthMethod> {
        if let Some(m) = self.token_endpoint_auth_method {
            return vec![m];
        }
        let mut methods = Vec::new();
        if self.secret.is_some() {
            methods.extend([
                AuthMethod::ClientSecretBasic,
                AuthMethod::ClientSecretPost,
                AuthMethod::ClientSecretJwt,
            ]);
        }
        if self.jwks.is_some() || self.jwks_uri.is_some() {
            methods.extend([
                AuthMethod::PrivateKeyJwt,
                AuthMethod::SelfSignedTlsClientAuth,
            ]);
        }
        if self.tls_client_auth_subject_dn.is_some()
            || self.tls_client_auth_san_dns.is_some()
            || self.tls_client_auth_san_uri.is_some()
        {
            methods.push(AuthMethod::TlsClientAuth);
        }
        if methods.is_empty() {
            methods.push(AuthMethod::None);
        }
        methods
    }

    /// Whether the client may authenticate with `method`.
    pub fn may_authenticate_with(&self, method: AuthMethod) -> bool {
        self.auth_methods().contains(&method)
    }

    /// Whether the client is public: it has no credential and identifies itself by
    /// `client_id` alone.
    pub fn is_public(&self) -> bool {
        self.auth_methods() == [AuthMethod::None]
    }

    /// What is wrong with the registration, if anything: a method without what it needs,
    /// both `jwks` and `jwks_uri`, a `jwks_uri` that may not be fetched.
    fn problem(&self) -> Option<String> {
        let keys = self.jwks.is_some() || self.jwks_uri.is_some();
        let names = self.tls_client_auth_subject_dn.is_some()
            || self.tls_client_auth_san_dns.is_some()
            || self.tls_client_auth_san_uri.is_some();
        if self.jwks.is_some() && self.jwks_uri.is_some() {
            return Some("give jwks or jwks_uri, not both".to_owned());
        }
        if let Some(uri) = &self.jwks_uri
            && let Err(e) = super::client_keys::fetchable(uri)
        {
            return Some(e);
        }
        let method = self.token_endpoint_auth_method?;
        let missing = match method {
            AuthMethod::ClientSecretBasic
            | AuthMethod::ClientSecretPost
            | AuthMethod::ClientSecretJwt => self.secret.is_none().then_some("a secret"),
            AuthMethod::PrivateKeyJwt | AuthMethod::SelfSignedTlsClientAuth => {
                (!keys).then_some("jwks or jwks_uri")
            }
            AuthMethod::TlsClientAuth => (!names).then_some(
                "tls_client_auth_subject_dn, tls_client_auth_san_dns or tls_client_auth_san_uri",
            ),
            AuthMethod::None => self
                .secret
                .is_some()
                .then_some("no secret (a public client has none)"),
        };
        missing.map(|m| format!("{} needs {m}", method.as_str()))
    }

    /// Whether the client may use `grant`.
    pub fn allows(&self, grant: Grant) -> bool {
        self.grant_types.contains(&grant)
    }

    /// Whether the client may request `scope`.
    pub fn may_request(&self, scope: &str) -> bool {
        self.scopes.is_empty() || self.scopes.iter().any(|s| s == scope)
    }
}

/// A user who can sign in on the login page.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct User {
    pub username: String,
    pub password: String,
    #[serde(default)]
    pub roles: Vec<String>,
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub email: Option<String>,
    /// Custom claims of the user's tokens, ID tokens and userinfo (`[users.claims]`,
    /// docs/serve.md).
    #[serde(default)]
    pub claims: CustomClaims,
}

/// Clients, users and scopes together.
#[derive(Debug, Clone)]
pub struct Registry {
    pub clients: Vec<Client>,
    pub users: Vec<User>,
    pub scopes: Vec<String>,
}

impl Default for Registry {
    fn default() -> Self {
        let s = |v: &[&str]| v.iter().map(|x| (*x).to_owned()).collect::<Vec<_>>();
        Self {
            clients: vec![
                Client {
                    id: "oauthctl".into(),
                    secret: None,
                    // `localhost` too, on any port, as providers such as Entra ID and
                    // node-oidc-provider accept it of native clients, so that a login with
                    // `--redirect-uri http://localhost/callback` can be tried here.
                    redirect_uris: s(&[
                        "http://127.0.0.1/callback",
                        "http://[::1]/callback",
                        "http://localhost/callback",
                    ]),
                    grant_types: vec![
                        Grant::AuthorizationCode,
                        Grant::DeviceCode,
                        Grant::RefreshToken,
                        Grant::TokenExchange,
                    ],
                    scopes: Vec::new(),
                    roles: Vec::new(),
                    introspect_any: false,
                    localhost_any_port: true,
                    ..Client::default()
                },
                Client {
                    id: "demo-service".into(),
                    secret: Some("demo-secret".into()),
                    redirect_uris: Vec::new(),
                    grant_types: vec![Grant::ClientCredentials, Grant::TokenExchange],
                    scopes: s(&["api:read", "api:write"]),
                    roles: Vec::new(),
                    introspect_any: true,
                    ..Client::default()
                },
            ],
            users: vec![
                User {
                    username: "alice".into(),
                    password: "alice".into(),
                    roles: s(&["admin"]),
                    name: Some("Alice Example".into()),
                    email: Some("alice@example.com".into()),
                    claims: CustomClaims::default(),
                },
                User {
                    username: "bob".into(),
                    password: "bob".into(),
                    roles: s(&["reader"]),
                    name: Some("Bob Example".into()),
                    email: Some("bob@example.com".into()),
                    claims: CustomClaims::default(),
                },
            ],
            scopes: s(&[
                "openid",
                "profile",
                "email",
                "offline_access",
                "api:read",
                "api:write",
                "api:admin",
            ]),
        }
    }
}

impl Registry {
    /// The client `id`.
    pub fn client(&self, id: &str) -> Option<&Client> {
        self.clients.iter().find(|c| c.id == id)
    }

    /// The user `name`.
    pub fn user(&self, name: &str) -> Option<&User> {
        self.users.iter().find(|u| u.username == name)
    }
}

/// The server-config file (`oauthctl serve --server-config FILE`). Every section is
/// optional; a section that is present replaces the built-in default for it.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ServerConfigFile {
    #[serde(default)]
    pub clients: Option<Vec<Client>>,
    #[serde(default)]
    pub users: Option<Vec<User>>,
    #[serde(default)]
    pub scopes: Option<Vec<String>>,
    #[serde(default)]
    pub lifetimes: Option<Lifetimes>,
    /// Token-endpoint requests per client per minute (0 = off).
    #[serde(default)]
    pub rate_limit_per_minute: Option<u32>,
    /// `[tenants.NAME]`: more issuers, at `/t/NAME` (docs/serve.md, "Tenants").
    #[serde(default)]
    pub tenants: Option<std::collections::BTreeMap<String, TenantFile>>,
}

/// `[tenants.NAME]`: a tenant's own clients, users and scopes; a section left out is the
/// top-level one (the file's, else the built-in default).
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TenantFile {
    #[serde(default)]
    pub clients: Option<Vec<Client>>,
    #[serde(default)]
    pub users: Option<Vec<User>>,
    #[serde(default)]
    pub scopes: Option<Vec<String>>,
}

/// What is wrong with a tenant name, if anything: 1 to 63 characters of `a-z`, `0-9` and
/// `-`, starting with a letter or digit (it is a path segment of the tenant's issuer).
pub fn tenant_name_problem(name: &str) -> Option<&'static str> {
    let ok = (1..=63).contains(&name.len())
        && name
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        && !name.starts_with('-');
    (!ok).then_some("a tenant name is 1 to 63 characters of a-z, 0-9 and -, not starting with -")
}

/// `[lifetimes]`: humantime strings (`"1h"`) or seconds.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Lifetimes {
    #[serde(default, deserialize_with = "de_duration")]
    pub access_token: Option<Duration>,
    #[serde(default, deserialize_with = "de_duration")]
    pub refresh_token: Option<Duration>,
    #[serde(default, deserialize_with = "de_duration")]
    pub code: Option<Duration>,
    #[serde(default, deserialize_with = "de_duration")]
    pub device_code: Option<Duration>,
}

fn de_duration<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<Duration>, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Raw {
        Secs(u64),
        Text(String),
    }
    Ok(Some(match Raw::deserialize(d)? {
        Raw::Secs(s) => Duration::from_secs(s),
        Raw::Text(t) => humantime::parse_duration(&t).map_err(serde::de::Error::custom)?,
    }))
}

impl ServerConfigFile {
    /// Reads and parses `path`; unknown keys are errors that name the key and the line.
    pub fn load(path: &Path) -> Result<Self, String> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
        Self::parse(&text).map_err(|e| format!("{}: {e}", path.display()))
    }

    /// Parses TOML text.
    pub fn parse(text: &str) -> Result<Self, String> {
        let line_of = |at: usize| text[..at.min(text.len())].matches('\n').count() + 1;
        let file: Self = toml::from_str(text).map_err(|e| {
            let loc = e.span().map(|s| format!("line {}: ", line_of(s.start)));
            format!("{}{}", loc.unwrap_or_default(), e.message())
        })?;
        for name in file.tenants.iter().flat_map(|t| t.keys()) {
            if let Some(problem) = tenant_name_problem(name) {
                return Err(format!("tenant `{name}`: {problem}"));
            }
        }
        let tenants = || file.tenants.iter().flat_map(|t| t.values());
        let all_clients = || {
            file.clients
                .iter()
                .flatten()
                .chain(tenants().flat_map(|t| t.clients.iter().flatten()))
        };
        let all_users = file
            .users
            .iter()
            .flatten()
            .chain(tenants().flat_map(|t| t.users.iter().flatten()));
        let claims = all_clients()
            .map(|c| (format!("client `{}`", c.id), &c.claims))
            .chain(all_users.map(|u| (format!("user `{}`", u.username), &u.claims)));
        for (owner, claims) in claims {
            if let Err((at, problem)) = claims.check() {
                let loc = at.map(|a| format!("line {}: ", line_of(a)));
                return Err(format!("{}{owner}: {problem}", loc.unwrap_or_default()));
            }
        }
        for c in all_clients() {
            if let Some(problem) = c.problem() {
                return Err(format!("client `{}`: {problem}", c.id));
            }
            // RFC 6749 §4.4: only a client that authenticates may use such a grant.
            if let Some(g) = c
                .grant_types
                .iter()
                .find(|g| g.needs_client_authentication() && c.is_public())
            {
                return Err(format!(
                    "client `{}`: a public client cannot use {}",
                    c.id,
                    g.as_grant_type()
                ));
            }
        }
        Ok(file)
    }
}

/// Reads `grant_types` as `grant_type` values (`authorization_code`,
/// `urn:ietf:params:oauth:grant-type:device_code`, …).
fn de_grant_types<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<Grant>, D::Error> {
    Vec::<String>::deserialize(d)?
        .iter()
        .map(|name| {
            Grant::from_grant_type(name)
                .ok_or_else(|| serde::de::Error::custom(format!("unknown grant type `{name}`")))
        })
        .collect()
}

/// Splits `http://127.0.0.1...` / `http://[::1]...` (and `http://localhost...` when
/// `localhost` is allowed) into (scheme+host, rest after the host).
fn loopback_parts(uri: &str, localhost: bool) -> Option<(&'static str, &str)> {
    let hosts: &[&'static str] = if localhost {
        &["http://127.0.0.1", "http://[::1]", "http://localhost"]
    } else {
        &["http://127.0.0.1", "http://[::1]"]
    };
    for &prefix in hosts {
        if let Some(rest) = uri.strip_prefix(prefix)
            && (rest.starts_with('/') || rest.starts_with(':'))
        {
            return Some((prefix, rest));
        }
    }
    None
}

/// Strips an optional `:PORT` (1–65535, no leading zero) from the front of `rest`.
fn strip_port(rest: &str) -> Option<&str> {
    let Some(after) = rest.strip_prefix(':') else {
        return Some(rest);
    };
    let digits = after.bytes().take_while(u8::is_ascii_digit).count();
    let (port, tail) = after.split_at(digits);
    let valid =
        !port.is_empty() && !port.starts_with('0') && port.parse::<u16>().is_ok_and(|p| p > 0);
    valid.then_some(tail)
}

/// Whether `candidate` matches the registered redirect URI `registered`: byte-for-byte,
/// except that for a loopback IP literal registration any port is allowed (RFC 8252 §7.3).
/// `localhost` gets no such relaxation.
pub fn redirect_uri_matches(registered: &str, candidate: &str) -> bool {
    redirect_uri_allowed(registered, candidate, false)
}

/// [`redirect_uri_matches`], and with `localhost_any_port` the same port relaxation for a
/// `http://localhost` registration (host and path still exact: `localhost` never matches
/// `127.0.0.1`, nor the other way round).
pub(crate) fn redirect_uri_allowed(
    registered: &str,
    candidate: &str,
    localhost_any_port: bool,
) -> bool {
    if registered == candidate {
        return true;
    }
    let (Some((reg_host, reg_rest)), Some((cand_host, cand_rest))) = (
        loopback_parts(registered, localhost_any_port),
        loopback_parts(candidate, localhost_any_port),
    ) else {
        return false;
    };
    let (Some(reg_path), Some(cand_path)) = (strip_port(reg_rest), strip_port(cand_rest)) else {
        return false;
    };
    reg_host == cand_host && reg_path == cand_path && cand_path.starts_with('/')
}

#[cfg(test)]
mod tests;
