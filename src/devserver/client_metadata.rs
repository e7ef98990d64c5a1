//! Client metadata as a client states it about itself (RFC 7591 §2, OIDC Dynamic
//! Registration §2): in a registration request at `/register`, or in a Client ID Metadata
//! Document. [`ClientMetadata::read`] checks it against what this server supports and fills
//! in the defaults; the errors are those of RFC 7591 §3.2.2. Pure: no store, no I/O.
//!
//! The rules (docs/serve.md, "Dynamic client registration"):
//! - `redirect_uris`: at most [`MAX_REDIRECT_URIS`], each in normalised form (as a URL
//!   parser writes it back), without fragment or userinfo, `https`, or `http` on a loopback
//!   host (`127.0.0.1`, `[::1]`, `localhost`); a `native` application only the latter
//!   (OIDC Dynamic Registration §2; this server has no custom schemes). Required when the
//!   client uses the authorization code grant.
//! - `grant_types` (default `authorization_code`) and `response_types` (default: `code` when
//!   the grants include `authorization_code`, else none) must agree (RFC 7591 §2.1); `code`
//!   is the only response type.
//! - `token_endpoint_auth_method`: `none`, `client_secret_basic` (the default, RFC 7591 §2)
//!   or `client_secret_post`; a client without a secret cannot use client credentials.
//! - `scope`: scopes of this server only; it limits what the client may ask for.
//! - Members this server does not know are ignored (RFC 7591 §2).

use serde_json::{Map, Value, json};

use crate::oauth::grant::Grant;

/// The most redirect URIs one client may have.
pub(crate) const MAX_REDIRECT_URIS: usize = 16;

/// The longest string member kept (`client_name`, `client_uri`, …).
const MAX_TEXT: usize = 512;

/// The string members that are kept and shown back as they came.
const TEXT_MEMBERS: [&str; 4] = [
    "client_name",
    "client_uri",
    "software_id",
    "software_version",
];

/// How a client authenticates at the token endpoint.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum AuthMethod {
    /// A public client.
    None,
    /// The secret in HTTP Basic.
    ClientSecretBasic,
    /// The secret in the form body.
    ClientSecretPost,
}

impl AuthMethod {
    /// Its RFC 7591 name.
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Self::None => "none",
            Self::ClientSecretBasic => "client_secret_basic",
            Self::ClientSecretPost => "client_secret_post",
        }
    }
}

/// `application_type` (OIDC Dynamic Registration §2).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ApplicationType {
    Web,
    Native,
}

impl ApplicationType {
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Self::Web => "web",
            Self::Native => "native",
        }
    }
}

/// An error response of RFC 7591 §3.2.2.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct MetadataError {
    /// `invalid_redirect_uri` or `invalid_client_metadata`.
    pub error: &'static str,
    pub description: String,
}

impl MetadataError {
    pub(crate) fn metadata(description: impl Into<String>) -> Self {
        Self {
            error: "invalid_client_metadata",
            description: description.into(),
        }
    }

    fn redirect_uri(description: impl Into<String>) -> Self {
        Self {
            error: "invalid_redirect_uri",
            description: description.into(),
        }
    }
}

/// Client metadata this server accepts, with the defaults filled in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ClientMetadata {
    pub redirect_uris: Vec<String>,
    pub grant_types: Vec<Grant>,
    /// `["code"]` or empty.
    pub response_types: Vec<&'static str>,
    pub auth_method: AuthMethod,
    pub application_type: ApplicationType,
    /// The scopes the client may ask for; empty: all.
    pub scopes: Vec<String>,
    /// `client_name`, `client_uri`, `software_id`, `software_version`, as given.
    pub text: Vec<(&'static str, String)>,
}

impl ClientMetadata {
    /// Reads the metadata `doc` against the server's `scopes`.
    pub(crate) fn read(doc: &Map<String, Value>, scopes: &[String]) -> Result<Self, MetadataError> {
        let application_type = match string(doc, "application_type")?.as_deref() {
            None | Some("web") => ApplicationType::Web,
            Some("native") => ApplicationType::Native,
            Some(other) => {
                return Err(MetadataError::metadata(format!(
                    "application_type `{}` is not web or native",
                    shown(other)
                )));
            }
        };
        let auth_method = match string(doc, "token_endpoint_auth_method")?.as_deref() {
            None | Some("client_secret_basic") => AuthMethod::ClientSecretBasic,
            Some("client_secret_post") => AuthMethod::ClientSecretPost,
            Some("none") => AuthMethod::None,
            Some(other) => {
                return Err(MetadataError::metadata(format!(
                    "token_endpoint_auth_method `{}` is not supported: use none, \
                     client_secret_basic or client_secret_post",
                    shown(other)
                )));
            }
        };
        let grant_types = match strings(doc, "grant_types")? {
            None => vec![Grant::AuthorizationCode],
            Some(names) => grants(&names)?,
        };
        if auth_method == AuthMethod::None
            && let Some(g) = grant_types.iter().find(|g| g.needs_client_authentication())
        {
            return Err(MetadataError::metadata(format!(
                "a client without a secret (token_endpoint_auth_method none) cannot use {}",
                g.as_grant_type()
            )));
        }
        let code = grant_types.contains(&Grant::AuthorizationCode);
        let response_types = match strings(doc, "response_types")? {
            None if code => vec!["code"],
            None => Vec::new(),
            Some(types) => {
                if let Some(t) = types.iter().find(|t| *t != "code") {
                    return Err(MetadataError::metadata(format!(
                        "response_type `{}` is not supported: only code",
                        shown(t)
                    )));
                }
                if types.is_empty() {
                    Vec::new()
                } else {
                    vec!["code"]
                }
            }
        };
        // RFC 7591 §2.1: the code response type goes with the authorization code grant.
        if code != (response_types == ["code"]) {
            return Err(MetadataError::metadata(
                "grant_types and response_types disagree: the authorization_code grant goes \
                 with the code response type, and only with it",
            ));
        }
        let redirect_uris = strings(doc, "redirect_uris")?.unwrap_or_default();
        if redirect_uris.len() > MAX_REDIRECT_URIS {
            return Err(MetadataError::metadata(format!(
                "at most {MAX_REDIRECT_URIS} redirect_uris"
            )));
        }
        if code && redirect_uris.is_empty() {
            return Err(MetadataError::redirect_uri(
                "redirect_uris are required for the authorization_code grant",
            ));
        }
        for uri in &redirect_uris {
            check_redirect_uri(uri, application_type)?;
        }
        let scopes = match string(doc, "scope")? {
            None => Vec::new(),
            Some(s) => {
                let asked = super::scope::split_scope(Some(&s));
                if let Some(bad) = asked.iter().find(|x| !scopes.contains(x)) {
                    return Err(MetadataError::metadata(format!(
                        "scope `{}` is not a scope of this server",
                        shown(bad)
                    )));
                }
                asked
            }
        };
        let mut text = Vec::new();
        for name in TEXT_MEMBERS {
            if let Some(v) = string(doc, name)? {
                if v.chars().count() > MAX_TEXT {
                    return Err(MetadataError::metadata(format!(
                        "{name} is longer than {MAX_TEXT} characters"
                    )));
                }
                text.push((name, v));
            }
        }
        Ok(Self {
            redirect_uris,
            grant_types,
            response_types,
            auth_method,
            application_type,
            scopes,
            text,
        })
    }

    /// The metadata as the server states it back (RFC 7591 §3.2.1), without identifiers
    /// and secrets.
    pub(crate) fn to_json(&self) -> Map<String, Value> {
        let mut out = Map::new();
        out.insert("redirect_uris".into(), json!(self.redirect_uris));
        out.insert(
            "grant_types".into(),
            json!(
                self.grant_types
                    .iter()
                    .map(|g| g.as_grant_type())
                    .collect::<Vec<_>>()
            ),
        );
        out.insert("response_types".into(), json!(self.response_types));
        out.insert(
            "token_endpoint_auth_method".into(),
            json!(self.auth_method.as_str()),
        );
        out.insert(
            "application_type".into(),
            json!(self.application_type.as_str()),
        );
        if !self.scopes.is_empty() {
            out.insert("scope".into(), json!(self.scopes.join(" ")));
        }
        for (name, value) in &self.text {
            out.insert((*name).into(), json!(value));
        }
        out
    }
}

/// A redirect URI this server accepts for a client of `kind`.
fn check_redirect_uri(uri: &str, kind: ApplicationType) -> Result<(), MetadataError> {
    let bad = |why: &str| {
        Err(MetadataError::redirect_uri(format!(
            "`{}`: {why}",
            shown(uri)
        )))
    };
    let Ok(url) = url::Url::parse(uri) else {
        return bad("not an absolute URL");
    };
    if url.as_str() != uri {
        return bad("not in normalised form (lower-case scheme and host, no dot segments)");
    }
    if url.fragment().is_some() {
        return bad("a redirect URI has no fragment (RFC 6749 §3.1.2)");
    }
    if !url.username().is_empty() || url.password().is_some() {
        return bad("a redirect URI has no user information");
    }
    let loopback = match url.host() {
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        Some(url::Host::Domain(d)) => d == "localhost",
        None => false,
    };
    match (url.scheme(), kind) {
        ("http", _) if loopback => Ok(()),
        ("https", ApplicationType::Web) => Ok(()),
        ("https", ApplicationType::Native) => {
            bad("a native application uses a loopback http redirect URI (RFC 8252 §7.3)")
        }
        ("http", _) => bad("plain http is allowed on a loopback address only"),
        _ => bad("only https, or http on a loopback address"),
    }
}

/// Keeps a client-chosen value short and printable inside an error description.
fn shown(s: &str) -> String {
    s.chars().filter(|c| !c.is_control()).take(80).collect()
}

/// The string member `name`, if present (`null` counts as absent).
fn string(doc: &Map<String, Value>, name: &str) -> Result<Option<String>, MetadataError> {
    match doc.get(name) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.clone())),
        Some(_) => Err(MetadataError::metadata(format!("{name} must be a string"))),
    }
}

/// The array-of-strings member `name`, if present, without repeats.
fn strings(doc: &Map<String, Value>, name: &str) -> Result<Option<Vec<String>>, MetadataError> {
    let wrong = || MetadataError::metadata(format!("{name} must be an array of strings"));
    match doc.get(name) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Array(items)) => {
            let mut out: Vec<String> = Vec::with_capacity(items.len());
            for item in items {
                let s = item.as_str().ok_or_else(wrong)?;
                if !out.iter().any(|x| x == s) {
                    out.push(s.to_owned());
                }
            }
            Ok(Some(out))
        }
        Some(_) => Err(wrong()),
    }
}

/// The grants named by `names`.
fn grants(names: &[String]) -> Result<Vec<Grant>, MetadataError> {
    names
        .iter()
        .map(|n| {
            Grant::from_grant_type(n).ok_or_else(|| {
                MetadataError::metadata(format!(
                    "grant type `{}` is not supported by this server",
                    shown(n)
                ))
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scopes() -> Vec<String> {
        ["openid", "api:read"].map(String::from).to_vec()
    }

    fn read(doc: &Value) -> Result<ClientMetadata, MetadataError> {
        ClientMetadata::read(doc.as_object().unwrap(), &scopes())
    }

    fn error(doc: &Value) -> (&'static str, String) {
        let e = read(doc).unwrap_err();
        (e.error, e.description)
    }

    #[test]
    fn the_defaults_are_those_of_rfc_7591() {
        let m = read(&json!({"redirect_uris": ["https://app.example/cb"]})).unwrap();
        assert_eq!(m.grant_types, [Grant::AuthorizationCode]);
        assert_eq!(m.response_types, ["code"]);
        assert_eq!(m.auth_method, AuthMethod::ClientSecretBasic);
        assert_eq!(m.application_type, ApplicationType::Web);
        assert!(m.scopes.is_empty());
        let native = read(&json!({
            "redirect_uris": ["http://127.0.0.1/callback", "http://[::1]:8080/cb", "http://localhost/x"],
            "application_type": "native",
            "token_endpoint_auth_method": "none",
            "grant_types": ["authorization_code", "refresh_token", "refresh_token"],
            "scope": "openid api:read",
            "client_name": "My CLI",
            "logo_uri": "ignored",
            "unknown": {"ignored": true},
        }))
        .unwrap();
        assert_eq!(
            native.grant_types,
            [Grant::AuthorizationCode, Grant::RefreshToken]
        );
        assert_eq!(native.auth_method, AuthMethod::None);
        let back = native.to_json();
        assert_eq!(back["scope"], "openid api:read");
        assert_eq!(back["client_name"], "My CLI");
        assert_eq!(back["application_type"], "native");
        assert_eq!(back["token_endpoint_auth_method"], "none");
        assert!(!back.contains_key("logo_uri") && !back.contains_key("unknown"));
        // A machine client: no redirect URIs, no response types.
        let machine = read(&json!({"grant_types": ["client_credentials"]})).unwrap();
        assert!(machine.response_types.is_empty() && machine.redirect_uris.is_empty());
        assert_eq!(machine.to_json()["response_types"], json!([]));
    }

    #[test]
    fn redirect_uris_are_https_or_loopback_http() {
        for bad in [
            "http://app.example/cb",
            "http://127.0.0.1.evil.example/cb",
            "myapp:/callback",
            "javascript:alert(1)",
            "https://app.example/cb#x",
            "https://user@app.example/cb",
            "HTTPS://app.example/cb",
            "https://app.example/a/../cb",
            "https://app.example",
            "/cb",
            "",
        ] {
            let (e, d) = error(&json!({"redirect_uris": [bad]}));
            assert_eq!(e, "invalid_redirect_uri", "{bad}: {d}");
        }
        let (e, d) = error(
            &json!({"redirect_uris": ["https://app.example/cb"], "application_type": "native"}),
        );
        assert_eq!(e, "invalid_redirect_uri", "{d}");
        let (e, _) = error(&json!({}));
        assert_eq!(e, "invalid_redirect_uri", "the code grant needs one");
        let many: Vec<String> = (0..=MAX_REDIRECT_URIS)
            .map(|i| format!("https://app.example/{i}"))
            .collect();
        assert_eq!(
            error(&json!({"redirect_uris": many})).0,
            "invalid_client_metadata"
        );
    }

    #[test]
    fn grants_response_types_and_methods_must_agree() {
        let cb = json!(["https://app.example/cb"]);
        for (doc, needle) in [
            (
                json!({"redirect_uris": cb, "response_types": ["token"]}),
                "only code",
            ),
            (
                json!({"redirect_uris": cb, "grant_types": ["implicit"]}),
                "not supported",
            ),
            (
                json!({"redirect_uris": cb, "grant_types": ["password"]}),
                "not supported",
            ),
            (
                json!({"redirect_uris": cb, "response_types": []}),
                "disagree",
            ),
            (
                json!({"grant_types": ["client_credentials"], "response_types": ["code"]}),
                "disagree",
            ),
            (
                json!({"grant_types": ["client_credentials"], "token_endpoint_auth_method": "none"}),
                "cannot use client_credentials",
            ),
            (
                json!({"redirect_uris": cb, "token_endpoint_auth_method": "private_key_jwt"}),
                "not supported",
            ),
            (
                json!({"redirect_uris": cb, "application_type": "desktop"}),
                "web or native",
            ),
            (
                json!({"redirect_uris": cb, "scope": "openid admin"}),
                "`admin`",
            ),
            (
                json!({"redirect_uris": "https://app.example/cb"}),
                "array of strings",
            ),
            (
                json!({"redirect_uris": cb, "client_name": 5}),
                "must be a string",
            ),
            (
                json!({"redirect_uris": cb, "client_name": "x".repeat(MAX_TEXT + 1)}),
                "longer than",
            ),
        ] {
            let (e, d) = error(&doc);
            assert_eq!(e, "invalid_client_metadata", "{doc}: {d}");
            assert!(d.contains(needle), "{doc}: {d}");
        }
    }
}
