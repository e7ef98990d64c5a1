//! Built-in provider presets (README: "`oauthctl providers`") and their quirks. Pure data:
//! no I/O.

use std::collections::BTreeMap;

use serde::Serialize;

/// Endpoints of an authorization server; any may be unknown until discovery.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Endpoints {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub authorization_endpoint: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub token_endpoint: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub device_authorization_endpoint: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub introspection_endpoint: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub revocation_endpoint: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub userinfo_endpoint: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub jwks_uri: Option<String>,
}

impl Endpoints {
    /// Fills every unknown endpoint from `other`.
    #[must_use]
    pub fn or(self, other: &Self) -> Self {
        let pick = |a: Option<String>, b: &Option<String>| a.or_else(|| b.clone());
        Self {
            authorization_endpoint: pick(
                self.authorization_endpoint,
                &other.authorization_endpoint,
            ),
            token_endpoint: pick(self.token_endpoint, &other.token_endpoint),
            device_authorization_endpoint: pick(
                self.device_authorization_endpoint,
                &other.device_authorization_endpoint,
            ),
            introspection_endpoint: pick(
                self.introspection_endpoint,
                &other.introspection_endpoint,
            ),
            revocation_endpoint: pick(self.revocation_endpoint, &other.revocation_endpoint),
            userinfo_endpoint: pick(self.userinfo_endpoint, &other.userinfo_endpoint),
            jwks_uri: pick(self.jwks_uri, &other.jwks_uri),
        }
    }

    /// Whether nothing is known.
    pub fn is_empty(&self) -> bool {
        *self == Self::default()
    }
}

/// Provider behaviour that differs from the standards.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Quirks {
    /// The provider publishes no discovery document; endpoints are explicit.
    pub no_discovery: bool,
    /// The provider is plain OAuth 2.0 (no ID tokens).
    pub no_oidc: bool,
    /// Access tokens do not expire and there are no refresh tokens (GitHub OAuth apps).
    pub non_expiring_tokens: bool,
    /// The token endpoint answers form-encoded unless asked for JSON (GitHub).
    pub token_needs_accept_json: bool,
    /// Multi-tenant issuer: the discovery `issuer` and the ID token `iss` contain this
    /// placeholder for the tenant id (Entra ID `common`, `organizations`, `consumers`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub issuer_tenant_placeholder: Option<&'static str>,
    /// SPA-registered clients must send an `Origin` header to the token endpoint (Entra ID).
    pub spa_needs_origin: bool,
    /// Client assertions (`private_key_jwt`, `client_secret_jwt`) must name the URL of the
    /// endpoint they are sent to as `aud`, not the issuer (Entra ID, Okta).
    pub assertion_aud_is_endpoint: bool,
}

/// A resolved provider: issuer and/or endpoints, default parameters and quirks.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Provider {
    pub name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub issuer: Option<String>,
    #[serde(flatten)]
    pub endpoints: Endpoints,
    /// Extra authorization request parameters the provider needs.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub params: BTreeMap<String, String>,
    /// Scopes used when neither flags nor the profile name any.
    pub default_scopes: Vec<String>,
    /// Client id used when none is configured (the embedded dev server's public client).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub default_client_id: Option<String>,
    pub quirks: Quirks,
}

/// A built-in preset.
#[derive(Debug, Clone, Copy)]
pub struct Preset {
    pub name: &'static str,
    pub description: &'static str,
    /// Name of the preset's parameter (`NAME@ARG`), if it takes one.
    pub parameter: Option<&'static str>,
    /// Whether the parameter must be given.
    pub parameter_required: bool,
}

/// The built-in presets, in display order.
pub const PRESETS: &[Preset] = &[
    Preset {
        name: "google",
        description: "Google (OIDC; offline access for a refresh token)",
        parameter: None,
        parameter_required: false,
    },
    Preset {
        name: "github",
        description: "GitHub OAuth apps (no OIDC, non-expiring tokens, device flow)",
        parameter: None,
        parameter_required: false,
    },
    Preset {
        name: "microsoft",
        description: "Microsoft Entra ID v2.0 (tenant parameter, default `common`)",
        parameter: Some("tenant"),
        parameter_required: false,
    },
    Preset {
        name: "gitlab",
        description: "GitLab (host parameter, default gitlab.com)",
        parameter: Some("host"),
        parameter_required: false,
    },
    Preset {
        name: "facebook",
        description: "Facebook Login (OIDC ID tokens, no refresh tokens)",
        parameter: None,
        parameter_required: false,
    },
    Preset {
        name: "okta",
        description: "Okta (domain parameter; default authorization server)",
        parameter: Some("domain"),
        parameter_required: true,
    },
    Preset {
        name: "auth0",
        description: "Auth0 (domain parameter)",
        parameter: Some("domain"),
        parameter_required: true,
    },
    Preset {
        name: "keycloak",
        description: "Keycloak (issuer parameter: https://HOST/realms/REALM)",
        parameter: Some("issuer"),
        parameter_required: true,
    },
    Preset {
        name: "local",
        description: "The embedded development server (`oauthctl serve`)",
        parameter: Some("port"),
        parameter_required: false,
    },
];

/// Splits `NAME@ARG` into its parts.
pub fn split_name(spec: &str) -> (&str, Option<&str>) {
    match spec.split_once('@') {
        Some((name, arg)) if !arg.is_empty() => (name, Some(arg)),
        Some((name, _)) => (name, None),
        None => (spec, None),
    }
}

/// Whether `name` is a preset.
pub fn is_preset(name: &str) -> bool {
    PRESETS.iter().any(|p| p.name == name)
}

fn scopes(list: &[&str]) -> Vec<String> {
    list.iter().map(|s| (*s).to_owned()).collect()
}

fn https_host(arg: &str) -> String {
    if arg.starts_with("https://") || arg.starts_with("http://") {
        arg.trim_end_matches('/').to_owned()
    } else {
        format!("https://{}", arg.trim_end_matches('/'))
    }
}

/// The provider for preset `name` with its parameter `arg`.
pub fn preset(name: &str, arg: Option<&str>) -> Result<Provider, String> {
    let meta = PRESETS
        .iter()
        .find(|p| p.name == name)
        .ok_or_else(|| format!("unknown provider preset `{name}`"))?;
    if meta.parameter_required && arg.is_none() {
        return Err(format!(
            "the `{name}` preset needs its {} parameter: --provider {name}@{}",
            meta.parameter.unwrap_or("parameter"),
            match name {
                "keycloak" => "https://HOST/realms/REALM",
                _ => "DOMAIN",
            }
        ));
    }
    let mut p = Provider {
        name: name.to_owned(),
        ..Provider::default()
    };
    match name {
        "google" => {
            p.issuer = Some("https://accounts.google.com".into());
            // Explicit endpoints (also published by discovery) let a login proceed when the
            // discovery document cannot be fetched.
            p.endpoints = Endpoints {
                authorization_endpoint: Some("https://accounts.google.com/o/oauth2/v2/auth".into()),
                token_endpoint: Some("https://oauth2.googleapis.com/token".into()),
                device_authorization_endpoint: Some(
                    "https://oauth2.googleapis.com/device/code".into(),
                ),
                revocation_endpoint: Some("https://oauth2.googleapis.com/revoke".into()),
                userinfo_endpoint: Some("https://openidconnect.googleapis.com/v1/userinfo".into()),
                jwks_uri: Some("https://www.googleapis.com/oauth2/v3/certs".into()),
                ..Endpoints::default()
            };
            // Google returns a refresh token only with offline access and a fresh consent.
            p.params.insert("access_type".into(), "offline".into());
            p.params.insert("prompt".into(), "consent".into());
            p.default_scopes = scopes(&["openid", "email", "profile"]);
        }
        "github" => {
            p.issuer = Some("https://github.com".into());
            p.endpoints = Endpoints {
                authorization_endpoint: Some("https://github.com/login/oauth/authorize".into()),
                token_endpoint: Some("https://github.com/login/oauth/access_token".into()),
                device_authorization_endpoint: Some("https://github.com/login/device/code".into()),
                userinfo_endpoint: Some("https://api.github.com/user".into()),
                ..Endpoints::default()
            };
            p.default_scopes = scopes(&["read:user"]);
            p.quirks = Quirks {
                no_discovery: true,
                no_oidc: true,
                non_expiring_tokens: true,
                token_needs_accept_json: true,
                ..Quirks::default()
            };
        }
        "microsoft" => {
            let tenant = arg.unwrap_or("common");
            let base = format!("https://login.microsoftonline.com/{tenant}");
            p.issuer = Some(format!("{base}/v2.0"));
            p.endpoints = Endpoints {
                authorization_endpoint: Some(format!("{base}/oauth2/v2.0/authorize")),
                token_endpoint: Some(format!("{base}/oauth2/v2.0/token")),
                device_authorization_endpoint: Some(format!("{base}/oauth2/v2.0/devicecode")),
                userinfo_endpoint: Some("https://graph.microsoft.com/oidc/userinfo".into()),
                jwks_uri: Some(format!("{base}/discovery/v2.0/keys")),
                ..Endpoints::default()
            };
            p.default_scopes = scopes(&["openid", "profile", "email", "offline_access"]);
            p.quirks.spa_needs_origin = true;
            p.quirks.assertion_aud_is_endpoint = true;
            if matches!(tenant, "common" | "organizations" | "consumers") {
                p.quirks.issuer_tenant_placeholder = Some("{tenantid}");
            }
        }
        "gitlab" => {
            let base = https_host(arg.unwrap_or("gitlab.com"));
            p.endpoints = Endpoints {
                authorization_endpoint: Some(format!("{base}/oauth/authorize")),
                token_endpoint: Some(format!("{base}/oauth/token")),
                revocation_endpoint: Some(format!("{base}/oauth/revoke")),
                introspection_endpoint: Some(format!("{base}/oauth/introspect")),
                userinfo_endpoint: Some(format!("{base}/oauth/userinfo")),
                jwks_uri: Some(format!("{base}/oauth/discovery/keys")),
                ..Endpoints::default()
            };
            p.issuer = Some(base);
            p.default_scopes = scopes(&["openid", "profile", "email"]);
        }
        "facebook" => {
            p.issuer = Some("https://www.facebook.com".into());
            p.endpoints = Endpoints {
                authorization_endpoint: Some("https://www.facebook.com/v19.0/dialog/oauth".into()),
                token_endpoint: Some("https://graph.facebook.com/v19.0/oauth/access_token".into()),
                jwks_uri: Some("https://www.facebook.com/.well-known/oauth/openid/jwks/".into()),
                ..Endpoints::default()
            };
            p.default_scopes = scopes(&["openid", "email", "public_profile"]);
            p.quirks.no_discovery = true;
        }
        "okta" => {
            let base = https_host(arg.unwrap_or_default());
            p.issuer = Some(if base.contains("/oauth2/") {
                base
            } else {
                format!("{base}/oauth2/default")
            });
            p.quirks.assertion_aud_is_endpoint = true;
            p.default_scopes = scopes(&["openid", "profile", "email", "offline_access"]);
        }
        "auth0" => {
            // Auth0's issuer carries a trailing slash, and exact matching keeps it.
            p.issuer = Some(format!("{}/", https_host(arg.unwrap_or_default())));
            p.default_scopes = scopes(&["openid", "profile", "email", "offline_access"]);
        }
        "keycloak" => {
            p.issuer = Some(arg.unwrap_or_default().trim_end_matches('/').to_owned());
            p.default_scopes = scopes(&["openid", "profile", "email", "offline_access"]);
        }
        "local" => {
            let port = arg.unwrap_or("9400");
            p.issuer = Some(format!("http://127.0.0.1:{port}"));
            // Everything the demo API offers, so that alice (role admin) can also write.
            p.default_scopes = scopes(&[
                "openid",
                "profile",
                "email",
                "offline_access",
                "api:read",
                "api:write",
            ]);
            p.default_client_id = Some("oauthctl".into());
        }
        _ => unreachable!("every preset has a definition"),
    }
    Ok(p)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_listed_preset_resolves() {
        for meta in PRESETS {
            let arg = meta.parameter_required.then_some(match meta.name {
                "keycloak" => "https://kc.example/realms/dev",
                _ => "tenant.example.com",
            });
            let p = preset(meta.name, arg).unwrap();
            assert!(p.issuer.is_some(), "{}", meta.name);
        }
    }

    #[test]
    fn parameters_shape_the_issuer() {
        assert_eq!(
            preset("microsoft", Some("contoso.onmicrosoft.com"))
                .unwrap()
                .issuer
                .unwrap(),
            "https://login.microsoftonline.com/contoso.onmicrosoft.com/v2.0"
        );
        assert!(
            preset("microsoft", Some("contoso"))
                .unwrap()
                .quirks
                .issuer_tenant_placeholder
                .is_none()
        );
        assert!(
            preset("microsoft", None)
                .unwrap()
                .quirks
                .issuer_tenant_placeholder
                .is_some()
        );
        assert_eq!(
            preset("gitlab", Some("gitlab.example.com"))
                .unwrap()
                .issuer
                .unwrap(),
            "https://gitlab.example.com"
        );
        assert_eq!(
            preset("auth0", Some("me.eu.auth0.com"))
                .unwrap()
                .issuer
                .unwrap(),
            "https://me.eu.auth0.com/"
        );
        assert_eq!(
            preset("okta", Some("dev-1.okta.com"))
                .unwrap()
                .issuer
                .unwrap(),
            "https://dev-1.okta.com/oauth2/default"
        );
        assert!(preset("okta", None).unwrap_err().contains("domain"));
    }

    #[test]
    fn quirks_are_carried() {
        let g = preset("google", None).unwrap();
        assert_eq!(g.params["access_type"], "offline");
        assert_eq!(g.params["prompt"], "consent");
        let gh = preset("github", None).unwrap();
        assert!(gh.quirks.no_oidc && gh.quirks.non_expiring_tokens && gh.quirks.no_discovery);
        // Client assertions name the endpoint where the provider insists; the issuer
        // elsewhere (security C63).
        for name in ["microsoft", "okta@dev-1.okta.com"] {
            let (n, arg) = split_name(name);
            assert!(
                preset(n, arg).unwrap().quirks.assertion_aud_is_endpoint,
                "{name}"
            );
        }
        for name in [
            "google",
            "keycloak@https://kc.example/realms/x",
            "auth0@t.auth0.com",
            "local",
        ] {
            let (n, arg) = split_name(name);
            assert!(
                !preset(n, arg).unwrap().quirks.assertion_aud_is_endpoint,
                "{name}"
            );
        }
        assert_eq!(
            split_name("gitlab@h.example"),
            ("gitlab", Some("h.example"))
        );
        assert_eq!(split_name("google"), ("google", None));
    }
}
