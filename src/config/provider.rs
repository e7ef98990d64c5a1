//! Which provider a profile talks to: named by `--provider`, by the profile in the config
//! file or by what its last login remembered; a `[providers.NAME]` table, else a preset
//! (`NAME@ARG` for its parameter); and the issuer that overrides the provider's own.

use crate::error::Error;
use crate::oauth::providers::{self, Endpoints, Provider};

use super::{ConfigFile, Flags, ProfileConfig, ProviderConfig};

/// The provider of a resolution and how it was named (`None` for a bare issuer): `global`
/// are the flags, `conf` the profile in the config file, `mem` what its last login
/// remembered.
pub(super) fn choose(
    global: &Flags,
    conf: &ProfileConfig,
    mem: &ProfileConfig,
    file: Option<&ConfigFile>,
) -> Result<(Option<String>, Provider), Error> {
    let mut provider_name = global
        .provider
        .clone()
        .or_else(|| conf.provider.clone())
        .or_else(|| mem.provider.clone());
    // Only what the last login remembered names the provider: its issuer is where the
    // tokens came from.
    let from_memory =
        global.provider.is_none() && conf.provider.is_none() && mem.provider.is_some();
    let custom = || Provider {
        name: "custom".to_owned(),
        ..Provider::default()
    };
    let mut provider = match &provider_name {
        Some(name) => match resolve_provider(name, file) {
            Ok(p) => p,
            // An earlier release remembered presets without their argument (`keycloak`
            // for `keycloak@URL`); the remembered issuer still names the server.
            Err(_)
                if from_memory
                    && mem.issuer.is_some()
                    && providers::is_preset(providers::split_name(name).0) =>
            {
                provider_name = None;
                custom()
            }
            Err(e) => return Err(e),
        },
        None => custom(),
    };
    // The remembered issuer also wins over the issuer of a provider only memory names
    // (`--provider local@9401 --issuer URL` logged in to URL; an earlier release
    // remembered `local` for `local@9401`), unless that provider has no issuer (then the
    // remembered value is its token endpoint).
    let explicit_issuer = global
        .issuer
        .clone()
        .or_else(|| conf.issuer.clone())
        .or_else(|| {
            (provider_name.is_none() || (from_memory && provider.issuer.is_some()))
                .then(|| mem.issuer.clone())
                .flatten()
        });
    if let Some(issuer) = explicit_issuer {
        provider.issuer = Some(issuer);
    }
    Ok((provider_name, provider))
}

/// A provider by name: a `[providers.NAME]` table (optionally based on a preset), else a
/// preset, with `NAME@ARG` for the preset's parameter.
pub fn resolve_provider(spec: &str, file: Option<&ConfigFile>) -> Result<Provider, Error> {
    if let Some(conf) = file.and_then(|f| f.providers.get(spec)) {
        return provider_from_config(spec, conf);
    }
    let (name, arg) = providers::split_name(spec);
    providers::preset(name, arg).map_err(|message| {
        Error::config(
            message,
            Some("`oauthctl providers` lists the presets and configured providers".to_owned()),
        )
    })
}

fn provider_from_config(name: &str, conf: &ProviderConfig) -> Result<Provider, Error> {
    let mut base = match &conf.preset {
        Some(preset) => {
            let arg = conf
                .tenant
                .as_deref()
                .or(conf.host.as_deref())
                .or(conf.domain.as_deref())
                .or(conf.issuer.as_deref());
            providers::preset(preset, arg)
                .map_err(|m| Error::config(format!("provider `{name}`: {m}"), None))?
        }
        None => Provider::default(),
    };
    name.clone_into(&mut base.name);
    if let Some(issuer) = &conf.issuer {
        base.issuer = Some(issuer.clone());
    }
    let explicit = Endpoints {
        authorization_endpoint: conf.authorization_endpoint.clone(),
        token_endpoint: conf.token_endpoint.clone(),
        device_authorization_endpoint: conf.device_authorization_endpoint.clone(),
        introspection_endpoint: conf.introspection_endpoint.clone(),
        revocation_endpoint: conf.revocation_endpoint.clone(),
        userinfo_endpoint: conf.userinfo_endpoint.clone(),
        jwks_uri: conf.jwks_uri.clone(),
    };
    if conf.preset.is_none() && conf.issuer.is_none() && explicit.token_endpoint.is_none() {
        return Err(Error::config(
            format!("provider `{name}` has neither `issuer` nor `token_endpoint`"),
            Some("set `issuer = \"https://…\"` (discovery) or the endpoints".to_owned()),
        ));
    }
    base.endpoints = explicit.or(&base.endpoints);
    base.params.extend(conf.params.clone());
    Ok(base)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::{Overrides, Settings, file};

    fn global() -> Flags {
        Flags::default()
    }

    fn file(text: &str) -> ConfigFile {
        file::parse(std::path::Path::new("t.toml"), text).unwrap()
    }

    #[test]
    fn the_provider_is_kept_as_named_with_its_argument() {
        let g = Flags {
            provider: Some("local@9401".into()),
            ..global()
        };
        let s = Settings::resolve(&g, &Overrides::default(), None, None).unwrap();
        assert_eq!(s.provider_spec.as_deref(), Some("local@9401"));
        assert_eq!(s.provider.name, "local");
        // From a remembered login, without the flag: the same server.
        let remembered = ProfileConfig {
            provider: Some("keycloak@https://kc.example/realms/dev".into()),
            issuer: Some("https://kc.example/realms/dev".into()),
            ..ProfileConfig::default()
        };
        let s =
            Settings::resolve(&global(), &Overrides::default(), None, Some(&remembered)).unwrap();
        assert_eq!(
            s.provider_spec.as_deref(),
            Some("keycloak@https://kc.example/realms/dev")
        );
        assert_eq!(
            s.provider.issuer.as_deref(),
            Some("https://kc.example/realms/dev")
        );
        let s = Settings::resolve(&global(), &Overrides::default(), None, None).unwrap();
        assert_eq!(s.provider_spec, None);
    }

    #[test]
    fn what_an_earlier_release_remembered_still_reaches_the_same_server() {
        // It kept the preset's name without its argument.
        let local = ProfileConfig {
            provider: Some("local".into()),
            issuer: Some("http://127.0.0.1:9401".into()),
            client_id: Some("oauthctl".into()),
            ..ProfileConfig::default()
        };
        let s = Settings::resolve(&global(), &Overrides::default(), None, Some(&local)).unwrap();
        assert_eq!(s.provider.issuer.as_deref(), Some("http://127.0.0.1:9401"));
        assert_eq!(s.provider.name, "local");
        let keycloak = ProfileConfig {
            provider: Some("keycloak".into()),
            issuer: Some("https://kc.example/realms/dev".into()),
            client_id: Some("cli".into()),
            ..ProfileConfig::default()
        };
        let s = Settings::resolve(&global(), &Overrides::default(), None, Some(&keycloak)).unwrap();
        assert_eq!(
            s.provider.issuer.as_deref(),
            Some("https://kc.example/realms/dev")
        );
        assert_eq!(
            s.provider_spec, None,
            "a re-login remembers the issuer alone"
        );
        // Named by a flag or the config file, the provider is checked as before.
        let g = Flags {
            provider: Some("keycloak".into()),
            ..global()
        };
        let e = Settings::resolve(&g, &Overrides::default(), None, Some(&keycloak)).unwrap_err();
        assert_eq!(e.exit_code(), 7);
        let g = Flags {
            provider: Some("local@9402".into()),
            ..global()
        };
        let s = Settings::resolve(&g, &Overrides::default(), None, Some(&local)).unwrap();
        assert_eq!(s.provider.issuer.as_deref(), Some("http://127.0.0.1:9402"));
        // A provider without an issuer keeps its endpoints (memory holds its token endpoint).
        let conf = file("[providers.gh2]\ntoken_endpoint = \"https://gh.example/token\"\n");
        let endpoints_only = ProfileConfig {
            provider: Some("gh2".into()),
            issuer: Some("https://gh.example/token".into()),
            ..ProfileConfig::default()
        };
        let s = Settings::resolve(
            &global(),
            &Overrides::default(),
            Some(&conf),
            Some(&endpoints_only),
        )
        .unwrap();
        assert_eq!(s.provider.issuer, None);
    }

    #[test]
    fn unknown_provider_is_a_config_error() {
        let g = Flags {
            provider: Some("nope".into()),
            ..global()
        };
        let e = Settings::resolve(&g, &Overrides::default(), None, None).unwrap_err();
        assert_eq!(e.exit_code(), 7);
        let conf = file("[providers.x]\nparams = {}\n[profiles.default]\nprovider = \"x\"\n");
        let e = Settings::resolve(&global(), &Overrides::default(), Some(&conf), None).unwrap_err();
        assert!(e.to_string().contains("neither"), "{e}");
    }

    #[test]
    fn preset_based_provider_tables() {
        let conf = file("[providers.ms]\npreset = \"microsoft\"\ntenant = \"contoso\"\n");
        let p = resolve_provider("ms", Some(&conf)).unwrap();
        assert_eq!(
            p.issuer.as_deref(),
            Some("https://login.microsoftonline.com/contoso/v2.0")
        );
        assert!(p.endpoints.device_authorization_endpoint.is_some());
    }
}
