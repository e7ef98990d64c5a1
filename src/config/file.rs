//! The configuration file schema (README: "Configuration") and its loading. Unknown keys
//! and bad values are errors that name the file, the line and the key.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::error::ConfigFileError;
use crate::oauth::client_auth::AuthMethod;
use crate::store::StoreChoice;
use crate::store::StoreError;
use crate::store::fsutil::{self, Exposure, ReadOutcome};

/// The whole file.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct ConfigFile {
    /// Profile used when neither `--profile` nor `--provider` is given.
    pub default_profile: Option<String>,
    /// Default token store for every profile.
    pub token_store: Option<StoreChoice>,
    /// Named providers.
    #[serde(default)]
    pub providers: BTreeMap<String, ProviderConfig>,
    /// Named profiles.
    #[serde(default)]
    pub profiles: BTreeMap<String, ProfileConfig>,
}

/// `[providers.NAME]`: an issuer (with discovery) or explicit endpoints, optionally based on
/// a preset.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct ProviderConfig {
    /// Start from this preset's quirks and endpoints.
    pub preset: Option<String>,
    /// The preset's parameter (Entra tenant, GitLab host, Okta/Auth0 domain).
    pub tenant: Option<String>,
    pub host: Option<String>,
    pub domain: Option<String>,
    pub issuer: Option<String>,
    pub authorization_endpoint: Option<String>,
    pub token_endpoint: Option<String>,
    pub device_authorization_endpoint: Option<String>,
    pub introspection_endpoint: Option<String>,
    pub revocation_endpoint: Option<String>,
    pub userinfo_endpoint: Option<String>,
    pub jwks_uri: Option<String>,
    /// Extra authorization request parameters this provider always needs.
    #[serde(default)]
    pub params: BTreeMap<String, String>,
}

/// `[profiles.NAME]`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct ProfileConfig {
    /// A configured provider or a preset name (`NAME@ARG` allowed).
    pub provider: Option<String>,
    pub issuer: Option<String>,
    pub client_id: Option<String>,
    pub client_secret_env: Option<String>,
    pub client_secret_file: Option<PathBuf>,
    pub auth_method: Option<AuthMethod>,
    pub scopes: Option<Vec<String>>,
    pub audience: Option<String>,
    pub resource: Option<String>,
    /// Extra authorization request parameters.
    #[serde(default)]
    pub params: BTreeMap<String, String>,
    pub token_store: Option<StoreChoice>,
    /// Git hosts (`HOST[:PORT]`, optionally with a path prefix: `HOST/ORG`) whose
    /// `oauthctl git-credential` requests this profile answers.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub git_hosts: Vec<String>,
    /// The username `git-credential` answers with [default: the one git sent, else `oauth2`].
    pub git_username: Option<String>,
    /// `private_key_jwt`: the client's private key (PEM).
    pub client_key_file: Option<PathBuf>,
    /// The `kid` the client's assertions name.
    pub client_key_id: Option<String>,
    /// The algorithm of the client's assertions (ES256, ES384, RS256, PS256, EdDSA)
    /// [default: the key's].
    pub client_key_alg: Option<String>,
    /// Mutual TLS (RFC 8705): the client certificate (PEM) and its private key.
    pub client_cert: Option<PathBuf>,
    pub client_key: Option<PathBuf>,
    /// DPoP (RFC 9449): `true` binds every login's tokens to a proof key, `false` never
    /// [default: when the provider refuses tokens without it].
    pub dpop: Option<bool>,
    /// Push every authorization request (PAR, RFC 9126) [default: when the provider requires
    /// it].
    pub par: Option<bool>,
    /// Set only in the layer made from a remembered login (never read from a file): that
    /// login read the client secret from standard input, which is not kept.
    #[serde(skip)]
    pub client_secret_stdin: bool,
}

/// Parses a configuration file's text; `path` is only used in error messages.
pub(crate) fn parse(path: &Path, text: &str) -> Result<ConfigFile, ConfigFileError> {
    toml::from_str::<ConfigFile>(text).map_err(|e| {
        let location = e.span().map(|span| line_col(text, span.start));
        ConfigFileError {
            path: path.to_owned(),
            location,
            message: e.message().trim().replace('\n', " "),
        }
    })
}

/// A configuration file is small; anything bigger is not one.
const MAX_CONFIG_LEN: u64 = 1 << 20;

/// Loads the file at `path`; `Ok(None)` when it does not exist.
///
/// Like ssh with `~/.ssh/config`, the file must be ours and writable by nobody else: it
/// names the endpoints that receive authorization codes, PKCE verifiers and client
/// secrets, so another local user who could edit or plant it could collect them (exit 7).
/// Readable by others is fine; it holds no secret. It is never read through a symlink.
pub(crate) fn load(path: &Path) -> crate::Result<Option<ConfigFile>> {
    let fail = |message: String| ConfigFileError {
        path: path.to_owned(),
        location: None,
        message,
    };
    let outcome =
        fsutil::read_private(path, Exposure::Trusted, MAX_CONFIG_LEN).map_err(|e| match e {
            StoreError::Io { source, .. } => fail(format!("cannot read: {source}")).into(),
            unsafe_file => crate::Error::from(unsafe_file),
        })?;
    let bytes = match outcome {
        ReadOutcome::Missing => return Ok(None),
        ReadOutcome::TooLarge(n) => return Err(fail(format!("too large ({n} bytes)")).into()),
        ReadOutcome::Data(bytes) => bytes,
    };
    let text = String::from_utf8(bytes).map_err(|_| fail("not UTF-8 text".to_owned()))?;
    Ok(Some(parse(path, &text)?))
}

/// 1-based line and column of byte `offset` in `text`.
fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let before = &text[..offset.min(text.len())];
    let line = before.matches('\n').count() + 1;
    let col = before
        .rfind('\n')
        .map_or(before.len(), |i| before.len() - i - 1)
        + 1;
    (line, col)
}

#[cfg(test)]
mod tests {
    use super::*;

    const SAMPLE: &str = r#"
default_profile = "work"

[providers.corp]
issuer = "https://login.corp.example"

[profiles.work]
provider = "corp"
client_id = "cli-app"
client_secret_env = "CORP_SECRET"
scopes = ["openid", "profile", "offline_access"]
audience = "https://api.corp.example"
"#;

    #[test]
    fn parses_the_design_example() {
        let c = parse(Path::new("c.toml"), SAMPLE).unwrap();
        assert_eq!(c.default_profile.as_deref(), Some("work"));
        let p = &c.profiles["work"];
        assert_eq!(p.provider.as_deref(), Some("corp"));
        assert_eq!(p.scopes.as_ref().unwrap().len(), 3);
        assert_eq!(
            c.providers["corp"].issuer.as_deref(),
            Some("https://login.corp.example")
        );
    }

    #[test]
    fn unknown_keys_name_the_key_and_line() {
        let text = "[profiles.work]\nclient_id = \"x\"\nclient_secert = \"oops\"\n";
        let e = parse(Path::new("/etc/c.toml"), text).unwrap_err();
        let msg = e.to_string();
        assert!(msg.starts_with("/etc/c.toml:3:1: "), "{msg}");
        assert!(msg.contains("client_secert"), "{msg}");
    }

    #[test]
    fn what_only_a_remembered_login_knows_is_not_a_config_key() {
        let text = "[profiles.work]\nclient_secret_stdin = true\n";
        let e = parse(Path::new("c.toml"), text).unwrap_err();
        assert!(e.to_string().contains("client_secret_stdin"), "{e}");
    }

    #[test]
    fn bad_values_name_the_line() {
        let text = "default_profile = \"a\"\n[profiles.a]\nscopes = \"openid\"\n";
        let e = parse(Path::new("c.toml"), text).unwrap_err();
        assert_eq!(e.location.map(|l| l.0), Some(3), "{e}");
        let text = "token_store = \"cloud\"\n";
        let e = parse(Path::new("c.toml"), text).unwrap_err();
        assert!(
            e.to_string().contains("cloud") || e.to_string().contains("variant"),
            "{e}"
        );
    }

    #[test]
    fn syntax_errors_are_located() {
        let e = parse(Path::new("c.toml"), "a = = 1").unwrap_err();
        assert_eq!(e.location.map(|l| l.0), Some(1));
    }
}
