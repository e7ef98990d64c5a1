//! Authorization server metadata (OpenID Connect Discovery 1.0, RFC 8414): the well-known
//! URLs, parsing, and validation: the `issuer` must equal the requested one byte for byte
//! (Discovery §4.3, RFC 8414 §3.3), and every endpoint must pass the URL policy.

use serde::{Deserialize, Serialize};
use url::Url;

use super::providers::Endpoints;
use super::url_policy;

/// The metadata members oauthctl uses; everything else is kept in `extra`.
#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize)]
pub struct ProviderMetadata {
    pub issuer: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub authorization_endpoint: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub token_endpoint: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub device_authorization_endpoint: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub introspection_endpoint: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub revocation_endpoint: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub userinfo_endpoint: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub jwks_uri: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub code_challenge_methods_supported: Option<Vec<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id_token_signing_alg_values_supported: Option<Vec<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub grant_types_supported: Option<Vec<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub token_endpoint_auth_methods_supported: Option<Vec<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scopes_supported: Option<Vec<String>>,
    #[serde(default)]
    pub authorization_response_iss_parameter_supported: bool,
    /// The algorithms the server takes for client assertions (RFC 8414 §2).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub token_endpoint_auth_signing_alg_values_supported: Option<Vec<String>>,
    /// The algorithms the server takes for DPoP proofs; its presence says the server
    /// supports DPoP (RFC 9449 §5.1).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dpop_signing_alg_values_supported: Option<Vec<String>>,
    /// The PAR endpoint (RFC 9126 §5).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pushed_authorization_request_endpoint: Option<String>,
    /// Whether every authorization request must be pushed (RFC 9126 §5).
    #[serde(default)]
    pub require_pushed_authorization_requests: bool,
    /// Endpoints to use instead when the client presents a certificate (RFC 8705 §5).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mtls_endpoint_aliases: Option<MtlsAliases>,
    /// Whether the server binds access tokens to the client's certificate (RFC 8705 §3.3).
    #[serde(default)]
    pub tls_client_certificate_bound_access_tokens: bool,
}

/// `mtls_endpoint_aliases` (RFC 8705 §5): the endpoints a client with a certificate uses.
/// (The members are named as in the metadata.)
#[allow(clippy::struct_field_names)]
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, Serialize)]
pub struct MtlsAliases {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub token_endpoint: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub device_authorization_endpoint: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub introspection_endpoint: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub revocation_endpoint: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub userinfo_endpoint: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pushed_authorization_request_endpoint: Option<String>,
}

/// Why metadata was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub(crate) enum DiscoveryError {
    /// The document is not the JSON object the specs describe.
    #[error("the metadata at {url} is not valid: {reason}")]
    Malformed { url: String, reason: String },
    /// The document names another issuer (mix-up defence).
    #[error(
        "the metadata at {url} names issuer `{found}`, but `{expected}` was requested; \
         refusing it (issuers must match exactly)"
    )]
    IssuerMismatch {
        url: String,
        expected: String,
        found: String,
    },
    /// An endpoint fails the URL policy.
    #[error("the metadata's {field} is unsafe: {reason}")]
    UnsafeEndpoint { field: &'static str, reason: String },
}

/// The OpenID Connect discovery URL of `issuer`.
pub(crate) fn oidc_url(issuer: &str) -> Result<Url, String> {
    let base = issuer.trim_end_matches('/');
    Url::parse(&format!("{base}/.well-known/openid-configuration")).map_err(|e| e.to_string())
}

/// The RFC 8414 §3.1 metadata URL: the well-known segment goes between host and path.
pub(crate) fn oauth_url(issuer: &str) -> Result<Url, String> {
    let mut url = Url::parse(issuer).map_err(|e| e.to_string())?;
    let path = url.path().trim_end_matches('/').to_owned();
    url.set_path(&format!("/.well-known/oauth-authorization-server{path}"));
    url.set_query(None);
    Ok(url)
}

/// Parses and validates a metadata document fetched from `url` for `expected_issuer`.
/// `tenant_placeholder` accepts a multi-tenant issuer template (Entra ID `{tenantid}`).
pub(crate) fn parse(
    body: &[u8],
    url: &str,
    expected_issuer: &str,
    tenant_placeholder: Option<&str>,
    insecure_http: bool,
) -> Result<ProviderMetadata, DiscoveryError> {
    let meta: ProviderMetadata =
        serde_json::from_slice(body).map_err(|e| DiscoveryError::Malformed {
            url: url.to_owned(),
            reason: e.to_string(),
        })?;
    if !issuer_matches(&meta.issuer, expected_issuer, tenant_placeholder) {
        return Err(DiscoveryError::IssuerMismatch {
            url: url.to_owned(),
            expected: expected_issuer.to_owned(),
            found: meta.issuer,
        });
    }
    for (field, value) in meta.endpoint_fields() {
        if let Some(v) = value {
            url_policy::check(v, insecure_http)
                .map_err(|reason| DiscoveryError::UnsafeEndpoint { field, reason })?;
        }
    }
    Ok(meta)
}

/// Exact issuer comparison, with the multi-tenant template exception.
pub(crate) fn issuer_matches(
    found: &str,
    expected: &str,
    tenant_placeholder: Option<&str>,
) -> bool {
    if found == expected {
        return true;
    }
    // Entra ID's `common` metadata says `https://login.microsoftonline.com/{tenantid}/v2.0`.
    tenant_placeholder.is_some_and(|ph| {
        ["common", "organizations", "consumers"]
            .iter()
            .any(|t| expected.replace(&format!("/{t}/"), &format!("/{ph}/")) == found)
    })
}

impl ProviderMetadata {
    fn endpoint_fields(&self) -> [(&'static str, Option<&String>); 14] {
        let alias = |f: fn(&MtlsAliases) -> Option<&String>| {
            self.mtls_endpoint_aliases.as_ref().and_then(f)
        };
        [
            (
                "authorization_endpoint",
                self.authorization_endpoint.as_ref(),
            ),
            ("token_endpoint", self.token_endpoint.as_ref()),
            (
                "device_authorization_endpoint",
                self.device_authorization_endpoint.as_ref(),
            ),
            (
                "introspection_endpoint",
                self.introspection_endpoint.as_ref(),
            ),
            ("revocation_endpoint", self.revocation_endpoint.as_ref()),
            ("userinfo_endpoint", self.userinfo_endpoint.as_ref()),
            ("jwks_uri", self.jwks_uri.as_ref()),
            (
                "pushed_authorization_request_endpoint",
                self.pushed_authorization_request_endpoint.as_ref(),
            ),
            (
                "mtls_endpoint_aliases.token_endpoint",
                alias(|a| a.token_endpoint.as_ref()),
            ),
            (
                "mtls_endpoint_aliases.device_authorization_endpoint",
                alias(|a| a.device_authorization_endpoint.as_ref()),
            ),
            (
                "mtls_endpoint_aliases.introspection_endpoint",
                alias(|a| a.introspection_endpoint.as_ref()),
            ),
            (
                "mtls_endpoint_aliases.revocation_endpoint",
                alias(|a| a.revocation_endpoint.as_ref()),
            ),
            (
                "mtls_endpoint_aliases.userinfo_endpoint",
                alias(|a| a.userinfo_endpoint.as_ref()),
            ),
            (
                "mtls_endpoint_aliases.pushed_authorization_request_endpoint",
                alias(|a| a.pushed_authorization_request_endpoint.as_ref()),
            ),
        ]
    }

    /// Whether the server supports DPoP (it advertises its proof algorithms).
    pub fn advertises_dpop(&self) -> bool {
        self.dpop_signing_alg_values_supported
            .as_ref()
            .is_some_and(|l| !l.is_empty())
    }

    /// `endpoints` as a client with a certificate uses them (RFC 8705 §5): the server's
    /// aliases replace the token, device authorization, introspection, revocation and
    /// userinfo endpoints it names; the browser's and the keys' endpoints stay.
    pub fn with_mtls_aliases(&self, endpoints: &Endpoints) -> Endpoints {
        let Some(a) = &self.mtls_endpoint_aliases else {
            return endpoints.clone();
        };
        Endpoints {
            token_endpoint: a.token_endpoint.clone(),
            device_authorization_endpoint: a.device_authorization_endpoint.clone(),
            introspection_endpoint: a.introspection_endpoint.clone(),
            revocation_endpoint: a.revocation_endpoint.clone(),
            userinfo_endpoint: a.userinfo_endpoint.clone(),
            authorization_endpoint: None,
            jwks_uri: None,
        }
        .or(endpoints)
    }

    /// The PAR endpoint (RFC 9126 §5), or its alias for a client with a certificate.
    pub fn par_endpoint(&self, mtls: bool) -> Option<&str> {
        let alias = self
            .mtls_endpoint_aliases
            .as_ref()
            .and_then(|a| a.pushed_authorization_request_endpoint.as_deref())
            .filter(|_| mtls);
        alias.or(self.pushed_authorization_request_endpoint.as_deref())
    }

    /// The endpoints as a set.
    pub fn endpoints(&self) -> Endpoints {
        Endpoints {
            authorization_endpoint: self.authorization_endpoint.clone(),
            token_endpoint: self.token_endpoint.clone(),
            device_authorization_endpoint: self.device_authorization_endpoint.clone(),
            introspection_endpoint: self.introspection_endpoint.clone(),
            revocation_endpoint: self.revocation_endpoint.clone(),
            userinfo_endpoint: self.userinfo_endpoint.clone(),
            jwks_uri: self.jwks_uri.clone(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn well_known_urls() {
        assert_eq!(
            oidc_url("https://as.example/realms/x/").unwrap().as_str(),
            "https://as.example/realms/x/.well-known/openid-configuration"
        );
        assert_eq!(
            oauth_url("https://as.example/tenant/1").unwrap().as_str(),
            "https://as.example/.well-known/oauth-authorization-server/tenant/1"
        );
        assert_eq!(
            oauth_url("https://as.example").unwrap().as_str(),
            "https://as.example/.well-known/oauth-authorization-server"
        );
    }

    #[test]
    fn issuer_must_match_exactly() {
        let doc = br#"{"issuer":"https://as.example/","token_endpoint":"https://as.example/t"}"#;
        let e = parse(doc, "u", "https://as.example", None, false).unwrap_err();
        assert!(matches!(e, DiscoveryError::IssuerMismatch { .. }));
        assert!(parse(doc, "u", "https://as.example/", None, false).is_ok());
        let doc = br#"{"issuer":["https://as.example"]}"#;
        assert!(parse(doc, "u", "https://as.example", None, false).is_err());
        let doc = br#"{"issuer":"HTTPS://AS.EXAMPLE"}"#;
        assert!(parse(doc, "u", "https://as.example", None, false).is_err());
    }

    #[test]
    fn endpoints_must_be_safe() {
        let doc = br#"{"issuer":"https://as.example","token_endpoint":"http://evil.example/t"}"#;
        let e = parse(doc, "u", "https://as.example", None, false).unwrap_err();
        assert!(matches!(
            e,
            DiscoveryError::UnsafeEndpoint {
                field: "token_endpoint",
                ..
            }
        ));
        let doc = br#"{"issuer":"https://as.example","jwks_uri":"file:///etc/passwd"}"#;
        assert!(parse(doc, "u", "https://as.example", None, false).is_err());
    }

    #[test]
    fn entra_multi_tenant_template() {
        let found = "https://login.microsoftonline.com/{tenantid}/v2.0";
        let expected = "https://login.microsoftonline.com/common/v2.0";
        assert!(issuer_matches(found, expected, Some("{tenantid}")));
        assert!(!issuer_matches(found, expected, None));
    }

    #[test]
    fn dpop_par_and_mtls_metadata() {
        // What node-oidc-provider's strict fixture publishes (trimmed).
        let doc = br#"{"issuer":"http://127.0.0.1:39301",
            "token_endpoint":"http://127.0.0.1:39301/token",
            "userinfo_endpoint":"http://127.0.0.1:39301/me",
            "jwks_uri":"http://127.0.0.1:39301/jwks",
            "authorization_endpoint":"http://127.0.0.1:39301/auth",
            "pushed_authorization_request_endpoint":"http://127.0.0.1:39301/request",
            "require_pushed_authorization_requests":true,
            "dpop_signing_alg_values_supported":["ES256","Ed25519","EdDSA"],
            "token_endpoint_auth_signing_alg_values_supported":["HS256","RS256","ES256"],
            "tls_client_certificate_bound_access_tokens":true,
            "mtls_endpoint_aliases":{"token_endpoint":"https://127.0.0.1:39303/token",
               "userinfo_endpoint":"https://127.0.0.1:39303/me",
               "pushed_authorization_request_endpoint":"https://127.0.0.1:39303/request"}}"#;
        let m = parse(doc, "u", "http://127.0.0.1:39301", None, false).unwrap();
        assert!(m.advertises_dpop());
        assert!(m.require_pushed_authorization_requests);
        assert!(m.tls_client_certificate_bound_access_tokens);
        assert_eq!(
            m.par_endpoint(false),
            Some("http://127.0.0.1:39301/request")
        );
        assert_eq!(
            m.par_endpoint(true),
            Some("https://127.0.0.1:39303/request")
        );
        let t = m.with_mtls_aliases(&m.endpoints());
        assert_eq!(
            t.token_endpoint.as_deref(),
            Some("https://127.0.0.1:39303/token")
        );
        assert_eq!(
            t.userinfo_endpoint.as_deref(),
            Some("https://127.0.0.1:39303/me")
        );
        // Not aliased: the plain ones; the browser's and the keys' stay plain.
        assert_eq!(
            t.authorization_endpoint.as_deref(),
            Some("http://127.0.0.1:39301/auth")
        );
        assert_eq!(t.jwks_uri.as_deref(), Some("http://127.0.0.1:39301/jwks"));
        // Without aliases a certificate goes to the plain endpoints.
        let plain = br#"{"issuer":"https://as.example","token_endpoint":"https://as.example/t"}"#;
        let m = parse(plain, "u", "https://as.example", None, false).unwrap();
        assert!(!m.advertises_dpop() && !m.require_pushed_authorization_requests);
        assert_eq!(m.with_mtls_aliases(&m.endpoints()), m.endpoints());
        assert_eq!(m.par_endpoint(true), None);
        // Aliases are endpoints too: the URL policy holds for them.
        let bad = br#"{"issuer":"https://as.example","mtls_endpoint_aliases":{"token_endpoint":"http://evil.example/t"}}"#;
        let e = parse(bad, "u", "https://as.example", None, false).unwrap_err();
        assert!(
            e.to_string()
                .contains("mtls_endpoint_aliases.token_endpoint"),
            "{e}"
        );
    }

    #[test]
    fn malformed_documents_are_errors() {
        for doc in [&b"not json"[..], b"[]", b"{}", b"{\"issuer\": 1}"] {
            assert!(parse(doc, "u", "https://as.example", None, false).is_err());
        }
    }
}
