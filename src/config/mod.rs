//! Settings: flags and `OAUTHCTL_*` environment (merged by clap), then the profile in the
//! config file, then what the profile remembered from its last login, then the provider
//! (configured or preset), then built-in defaults. [`Settings::resolve`] is pure.

pub(crate) mod file;
mod provider;

use std::collections::BTreeMap;
use std::path::PathBuf;

use crate::error::Error;
use crate::oauth::client_auth::AuthMethod;
use crate::oauth::providers::Provider;
use crate::oauth::secret::ClientSecret;
use crate::store::StoreChoice;
pub use file::{ConfigFile, ProfileConfig, ProviderConfig};
pub use provider::resolve_provider;

/// The global options that choose the configuration, profile, provider, client and token
/// store, as plain values: the first layer of [`Settings::resolve`]. The command line fills
/// them (flags, then `OAUTHCTL_*` variables); tests build them directly.
#[derive(Debug, Clone, Default)]
pub struct Flags {
    /// `--profile`.
    pub profile: Option<String>,
    /// `--provider NAME[@ARG]`.
    pub provider: Option<String>,
    /// `--issuer`.
    pub issuer: Option<String>,
    /// `--client-id`.
    pub client_id: Option<String>,
    /// `--client-secret-file` (`-` is standard input).
    pub client_secret_file: Option<PathBuf>,
    /// `--client-secret-env`.
    pub client_secret_env: Option<String>,
    /// `--client-secret` (warned about when read).
    pub client_secret: Option<ClientSecret>,
    /// `--config`.
    pub config: Option<PathBuf>,
    /// `--token-store`.
    pub token_store: Option<StoreChoice>,
    /// `--cacert`.
    pub cacert: Option<PathBuf>,
    /// `--insecure-http`.
    pub insecure_http: bool,
    /// `--client-key-file`: the private key of `private_key_jwt`.
    pub client_key_file: Option<PathBuf>,
    /// `--client-key-id`: the `kid` its assertions name.
    pub client_key_id: Option<String>,
    /// `--client-cert`: the client certificate for mutual TLS.
    pub client_cert: Option<PathBuf>,
    /// `--client-key`: the private key of `--client-cert`.
    pub client_key: Option<PathBuf>,
}

/// The client's keys and certificate, where they are (read only when needed).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ClientKeys {
    /// `private_key_jwt`: the private key (PEM).
    pub key_file: Option<PathBuf>,
    /// The `kid` client assertions name.
    pub key_id: Option<String>,
    /// The algorithm client assertions are signed with (a JOSE name).
    pub key_alg: Option<String>,
    /// Mutual TLS: the certificate (PEM) and its private key.
    pub cert: Option<PathBuf>,
    pub cert_key: Option<PathBuf>,
}

/// Where the client secret comes from. The secret itself is read only when needed.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum SecretSource {
    /// A public client.
    #[default]
    None,
    /// An environment variable's value.
    Env(String),
    /// A file's first line (`-` is standard input).
    File(PathBuf),
    /// Given on the command line (warned about).
    Inline(ClientSecret),
    /// The profile's last login read the secret from standard input, and oauthctl keeps no
    /// secrets: there is none to use now. Reading it is a configuration error that says
    /// how to give the secret again, so that nothing is sent without client authentication.
    StdinAtLogin { profile: String },
}

/// Per-command values that take part in resolution (login's `--scope`, `--audience`, …).
#[derive(Debug, Clone, Default)]
pub struct Overrides {
    pub scopes: Vec<String>,
    pub audience: Option<String>,
    pub resource: Option<String>,
    pub params: BTreeMap<String, String>,
    pub auth_method: Option<AuthMethod>,
}

/// Everything a command needs to know about "who and where", resolved and validated.
#[derive(Debug, Clone)]
pub struct Settings {
    pub profile: String,
    /// The provider as it was named (`NAME` or `NAME@ARG`): the flag, else the profile,
    /// else what the last login remembered. `None` for a bare `--issuer`.
    pub provider_spec: Option<String>,
    pub provider: Provider,
    pub client_id: Option<String>,
    pub client_secret: SecretSource,
    pub auth_method: Option<AuthMethod>,
    /// Requested scopes, sorted and de-duplicated.
    pub scopes: Vec<String>,
    pub audience: Option<String>,
    pub resource: Option<String>,
    pub params: BTreeMap<String, String>,
    pub token_store: StoreChoice,
    pub insecure_http: bool,
    pub cacert: Option<PathBuf>,
    /// The client's key files.
    pub keys: ClientKeys,
    /// `dpop`: `Some(true)` binds logins to a DPoP key, `Some(false)` never; `None`: when the
    /// provider refuses tokens without it.
    pub dpop: Option<bool>,
    /// `par`: push every authorization request.
    pub par: bool,
}

pub use crate::oauth::tokens::normalize_scopes;

impl Settings {
    /// The profile name a command uses: `--profile`, else the `--provider` name, else the
    /// config's `default_profile`, else `default`.
    pub fn profile_name(global: &Flags, file: Option<&ConfigFile>) -> String {
        global
            .profile
            .clone()
            .or_else(|| global.provider.clone())
            .or_else(|| file.and_then(|f| f.default_profile.clone()))
            .unwrap_or_else(|| "default".to_owned())
    }

    /// Resolves settings. `remembered` is what the profile stored at its last login.
    pub fn resolve(
        global: &Flags,
        overrides: &Overrides,
        file: Option<&ConfigFile>,
        remembered: Option<&ProfileConfig>,
    ) -> Result<Self, Error> {
        let profile = Self::profile_name(global, file);
        let empty = ProfileConfig::default();
        let configured = file.and_then(|f| f.profiles.get(&profile));
        if global.profile.is_some() && configured.is_none() && remembered.is_none() {
            // An explicitly named profile that exists nowhere is fine only when the flags
            // say enough on their own (`--profile x --issuer URL`); commands check that.
        }
        let conf = configured.unwrap_or(&empty);
        let mem = remembered.unwrap_or(&empty);

        let (provider_name, provider) = provider::choose(global, conf, mem, file)?;

        let client_id = global
            .client_id
            .clone()
            .or_else(|| conf.client_id.clone())
            .or_else(|| mem.client_id.clone())
            .or_else(|| provider.default_client_id.clone());

        let client_secret = if let Some(path) = &global.client_secret_file {
            SecretSource::File(path.clone())
        } else if let Some(var) = &global.client_secret_env {
            SecretSource::Env(var.clone())
        } else if let Some(secret) = &global.client_secret {
            SecretSource::Inline(secret.clone())
        } else if let Some(path) = conf
            .client_secret_file
            .as_ref()
            .or(mem.client_secret_file.as_ref())
        {
            SecretSource::File(path.clone())
        } else if let Some(var) = conf
            .client_secret_env
            .as_ref()
            .or(mem.client_secret_env.as_ref())
        {
            SecretSource::Env(var.clone())
        } else if mem.client_secret_stdin {
            SecretSource::StdinAtLogin {
                profile: profile.clone(),
            }
        } else {
            SecretSource::None
        };

        let scopes = if !overrides.scopes.is_empty() {
            normalize_scopes(&overrides.scopes)
        } else if let Some(s) = conf.scopes.as_ref().or(mem.scopes.as_ref()) {
            normalize_scopes(s)
        } else {
            normalize_scopes(&provider.default_scopes)
        };

        let mut params = provider.params.clone();
        params.extend(mem.params.clone());
        params.extend(conf.params.clone());
        params.extend(overrides.params.clone());

        Ok(Self {
            profile,
            provider_spec: provider_name,
            client_id,
            client_secret,
            auth_method: overrides
                .auth_method
                .or(conf.auth_method)
                .or(mem.auth_method),
            scopes,
            audience: overrides
                .audience
                .clone()
                .or_else(|| conf.audience.clone())
                .or_else(|| mem.audience.clone()),
            resource: overrides
                .resource
                .clone()
                .or_else(|| conf.resource.clone())
                .or_else(|| mem.resource.clone()),
            params,
            token_store: global
                .token_store
                .or(conf.token_store)
                .or_else(|| file.and_then(|f| f.token_store))
                .unwrap_or(StoreChoice::Auto),
            insecure_http: global.insecure_http,
            cacert: global.cacert.clone(),
            keys: client_keys(global, conf, mem),
            dpop: conf.dpop.or(mem.dpop),
            par: conf.par.or(mem.par).unwrap_or(false),
            provider,
        })
    }

    /// The issuer, or a configuration error saying how to give one.
    pub fn require_issuer(&self) -> Result<&str, Error> {
        self.provider.issuer.as_deref().ok_or_else(|| {
            Error::config(
                format!("no issuer known for profile `{}`", self.profile),
                Some("pass --issuer URL or --provider NAME (see `oauthctl providers`)".to_owned()),
            )
        })
    }
}

/// The client's key files: flags, then the profile, then the last login. The mTLS pair is
/// taken together from one layer, so a certificate never meets another layer's key.
fn client_keys(global: &Flags, conf: &ProfileConfig, mem: &ProfileConfig) -> ClientKeys {
    let (cert, cert_key) = [
        (&global.client_cert, &global.client_key),
        (&conf.client_cert, &conf.client_key),
        (&mem.client_cert, &mem.client_key),
    ]
    .into_iter()
    .find(|(c, k)| c.is_some() || k.is_some())
    .map_or((None, None), |(c, k)| (c.clone(), k.clone()));
    ClientKeys {
        key_file: global
            .client_key_file
            .clone()
            .or_else(|| conf.client_key_file.clone())
            .or_else(|| mem.client_key_file.clone()),
        key_id: global
            .client_key_id
            .clone()
            .or_else(|| conf.client_key_id.clone())
            .or_else(|| mem.client_key_id.clone()),
        key_alg: conf
            .client_key_alg
            .clone()
            .or_else(|| mem.client_key_alg.clone()),
        cert,
        cert_key,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn global() -> Flags {
        Flags::default()
    }

    fn file(text: &str) -> ConfigFile {
        file::parse(std::path::Path::new("t.toml"), text).unwrap()
    }

    const CONF: &str = r#"
default_profile = "work"
token_store = "file"
[providers.corp]
issuer = "https://login.corp.example"
params = { domain_hint = "corp" }
[profiles.work]
provider = "corp"
client_id = "cli-app"
client_secret_env = "CORP_SECRET"
scopes = ["openid", "profile offline_access"]
audience = "https://api.corp.example"
[profiles.gh]
provider = "github"
client_id = "gh-client"
"#;

    #[test]
    fn resolution_table() {
        struct Case {
            name: &'static str,
            global: Flags,
            overrides: Overrides,
            file: Option<&'static ConfigFile>,
            remembered: Option<ProfileConfig>,
            profile: &'static str,
            issuer: Option<&'static str>,
            client_id: Option<&'static str>,
            scopes: &'static [&'static str],
        }
        let conf = file(CONF);
        let remembered = ProfileConfig {
            issuer: Some("http://127.0.0.1:9400".into()),
            client_id: Some("oauthctl".into()),
            scopes: Some(vec!["openid".into()]),
            ..ProfileConfig::default()
        };
        let conf: &'static ConfigFile = Box::leak(Box::new(conf));
        let cases = vec![
            Case {
                name: "nothing at all",
                global: global(),
                overrides: Overrides::default(),
                file: None,
                remembered: None,
                profile: "default",
                issuer: None,
                client_id: None,
                scopes: &[],
            },
            Case {
                name: "default_profile from the file",
                global: global(),
                overrides: Overrides::default(),
                file: Some(conf),
                remembered: None,
                profile: "work",
                issuer: Some("https://login.corp.example"),
                client_id: Some("cli-app"),
                scopes: &["offline_access", "openid", "profile"],
            },
            Case {
                name: "flags beat the profile",
                global: Flags {
                    issuer: Some("https://other.example".into()),
                    client_id: Some("flag-client".into()),
                    ..global()
                },
                overrides: Overrides {
                    scopes: vec!["api:read openid".into(), "openid".into()],
                    ..Overrides::default()
                },
                file: Some(conf),
                remembered: None,
                profile: "work",
                issuer: Some("https://other.example"),
                client_id: Some("flag-client"),
                scopes: &["api:read", "openid"],
            },
            Case {
                name: "--provider names the profile and a preset",
                global: Flags {
                    provider: Some("local".into()),
                    ..global()
                },
                overrides: Overrides::default(),
                file: Some(conf),
                remembered: None,
                profile: "local",
                issuer: Some("http://127.0.0.1:9400"),
                client_id: Some("oauthctl"),
                scopes: &[
                    "api:read",
                    "api:write",
                    "email",
                    "offline_access",
                    "openid",
                    "profile",
                ],
            },
            Case {
                name: "a configured profile on a preset",
                global: Flags {
                    profile: Some("gh".into()),
                    ..global()
                },
                overrides: Overrides::default(),
                file: Some(conf),
                remembered: None,
                profile: "gh",
                issuer: Some("https://github.com"),
                client_id: Some("gh-client"),
                scopes: &["read:user"],
            },
            Case {
                name: "what the last login remembered, without a config file",
                global: global(),
                overrides: Overrides::default(),
                file: None,
                remembered: Some(remembered.clone()),
                profile: "default",
                issuer: Some("http://127.0.0.1:9400"),
                client_id: Some("oauthctl"),
                scopes: &["openid"],
            },
            Case {
                name: "the config file beats what was remembered",
                global: Flags {
                    profile: Some("work".into()),
                    ..global()
                },
                overrides: Overrides::default(),
                file: Some(conf),
                remembered: Some(remembered),
                profile: "work",
                issuer: Some("https://login.corp.example"),
                client_id: Some("cli-app"),
                scopes: &["offline_access", "openid", "profile"],
            },
        ];
        for c in cases {
            let s = Settings::resolve(&c.global, &c.overrides, c.file, c.remembered.as_ref())
                .unwrap_or_else(|e| panic!("{}: {e}", c.name));
            assert_eq!(s.profile, c.profile, "{}", c.name);
            assert_eq!(s.provider.issuer.as_deref(), c.issuer, "{}", c.name);
            assert_eq!(s.client_id.as_deref(), c.client_id, "{}", c.name);
            assert_eq!(s.scopes, c.scopes, "{}", c.name);
        }
    }

    #[test]
    fn secret_sources_follow_precedence() {
        let conf = file(CONF);
        let s = Settings::resolve(&global(), &Overrides::default(), Some(&conf), None).unwrap();
        assert_eq!(s.client_secret, SecretSource::Env("CORP_SECRET".into()));
        assert_eq!(s.token_store, StoreChoice::File);
        assert_eq!(s.params["domain_hint"], "corp");
        let g = Flags {
            client_secret_file: Some("-".into()),
            ..global()
        };
        let s = Settings::resolve(&g, &Overrides::default(), Some(&conf), None).unwrap();
        assert_eq!(s.client_secret, SecretSource::File("-".into()));
        assert_eq!(
            format!("{:?}", SecretSource::Inline("hunter2".into())),
            "Inline(ClientSecret([redacted]))"
        );
    }

    #[test]
    fn a_secret_read_from_stdin_at_login_is_missing_until_given_again() {
        let remembered = ProfileConfig {
            issuer: Some("https://i.example".into()),
            client_id: Some("svc".into()),
            client_secret_stdin: true,
            ..ProfileConfig::default()
        };
        let g = Flags {
            profile: Some("svc".into()),
            ..global()
        };
        let s = Settings::resolve(&g, &Overrides::default(), None, Some(&remembered)).unwrap();
        assert_eq!(
            s.client_secret,
            SecretSource::StdinAtLogin {
                profile: "svc".into()
            }
        );
        let again = Flags {
            client_secret_file: Some("-".into()),
            ..g.clone()
        };
        let s = Settings::resolve(&again, &Overrides::default(), None, Some(&remembered)).unwrap();
        assert_eq!(s.client_secret, SecretSource::File("-".into()));
        let conf = file("[profiles.svc]\nclient_secret_env = \"SVC_SECRET\"\n");
        let s =
            Settings::resolve(&g, &Overrides::default(), Some(&conf), Some(&remembered)).unwrap();
        assert_eq!(s.client_secret, SecretSource::Env("SVC_SECRET".into()));
    }
}
