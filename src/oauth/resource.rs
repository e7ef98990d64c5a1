//! Resource-first login, the pure rules (README: "Resource-first login"): a protected
//! resource's challenge (RFC 6750 §3, RFC 9728 §5.1), where its metadata lives (RFC 9728
//! §3.1), what the metadata says and whether it is for the URL at hand (RFC 9728 §3.3, §7.3),
//! which scopes to ask for first and after an `insufficient_scope` (step-up), and the
//! profile name a resource gets. No I/O: `flow::resource` fetches, this decides.

use std::fmt;

use serde_json::Value;
use url::Url;

use super::strict_json;
use super::token_type::TokenType;
use super::url_policy;
use super::www_authenticate::{self, Challenge};

/// The RFC 9728 §3 well-known path segment.
pub(crate) const WELL_KNOWN: &str = "/.well-known/oauth-protected-resource";

/// At most this many authorization servers are read from one document.
pub(crate) const MAX_AUTHORIZATION_SERVERS: usize = 16;
/// At most this many scopes are read from one document or challenge.
pub(crate) const MAX_SCOPES: usize = 64;

/// The protected resource metadata URLs for `url`, in the order RFC 9728 §3.1 and the MCP
/// authorization spec try them: the path-based one (the well-known segment between the host
/// and the path, the query dropped), then the root one. A URL without a path has the root
/// one only.
pub(crate) fn metadata_urls(url: &Url) -> Vec<Url> {
    let mut base = url.clone();
    base.set_query(None);
    base.set_fragment(None);
    let path = url.path();
    let mut out = Vec::new();
    if !path.is_empty() && path != "/" {
        let mut with_path = base.clone();
        with_path.set_path(&format!("{WELL_KNOWN}{path}"));
        out.push(with_path);
    }
    let mut root = base;
    root.set_path(WELL_KNOWN);
    out.push(root);
    out
}

/// What a resource server's `401` or `403` says about the token it wants.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct ResourceChallenge {
    /// The HTTP status (401 or 403).
    pub status: u16,
    /// `error` (`invalid_token`, `insufficient_scope`, …).
    pub error: Option<String>,
    /// The scopes the resource wants (`scope`, space-separated), at most [`MAX_SCOPES`].
    pub scope: Vec<String>,
    /// Where its protected resource metadata is (`resource_metadata`, RFC 9728 §5.1).
    pub resource_metadata: Option<String>,
}

impl ResourceChallenge {
    /// Reads the challenge of a `401` or `403` from its `WWW-Authenticate` values: the first
    /// `Bearer` challenge, else the first challenge of any scheme that names its metadata
    /// (`resource_metadata`). Parameters may come in any order. `None` for other statuses and
    /// for answers without such a challenge (nothing OAuth to act on).
    pub(crate) fn read<'a>(status: u16, values: impl IntoIterator<Item = &'a str>) -> Option<Self> {
        if status != 401 && status != 403 {
            return None;
        }
        let all: Vec<Challenge> = values
            .into_iter()
            .flat_map(www_authenticate::parse)
            .collect();
        let challenge = all
            .iter()
            .find(|c| TokenType::Bearer.is_scheme(&c.scheme))
            .or_else(|| all.iter().find(|c| c.param("resource_metadata").is_some()))?;
        Some(Self {
            status,
            error: challenge.param("error").map(str::to_owned),
            scope: challenge
                .param("scope")
                .map(|s| {
                    s.split_whitespace()
                        .take(MAX_SCOPES)
                        .map(str::to_owned)
                        .collect()
                })
                .unwrap_or_default(),
            resource_metadata: challenge
                .param("resource_metadata")
                .filter(|m| !m.is_empty())
                .map(str::to_owned),
        })
    }

    /// A `403` with `error="insufficient_scope"` that names the scopes it wants (RFC 6750
    /// §3.1): what a step-up answers.
    pub(crate) fn wants_more_scope(&self) -> bool {
        self.status == 403
            && self.error.as_deref() == Some("insufficient_scope")
            && !self.scope.is_empty()
    }

    /// A `401`: no token, or one the resource does not take.
    pub(crate) fn wants_a_token(&self) -> bool {
        self.status == 401
    }
}

/// Protected resource metadata (RFC 9728 §2), the members oauthctl uses.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ResourceMetadata {
    /// The resource identifier, exactly as published: it is sent as the RFC 8707
    /// `resource` parameter, and servers compare it as a string.
    pub resource: String,
    /// The authorization servers' issuer identifiers, as published (compared exactly with
    /// the `issuer` of their metadata).
    pub authorization_servers: Vec<String>,
    /// The scopes the resource uses, if it says.
    pub scopes_supported: Option<Vec<String>>,
}

/// Why protected resource metadata was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum MetadataError {
    /// Not the JSON object RFC 9728 §2 describes.
    Malformed(String),
    /// The document is for another resource than the URL (RFC 9728 §3.3, §7.3).
    OtherResource { resource: String, url: String },
    /// It names no authorization server to log in at.
    NoAuthorizationServer,
}

impl fmt::Display for MetadataError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Malformed(why) => write!(f, "it is not valid protected resource metadata: {why}"),
            Self::OtherResource { resource, url } => write!(
                f,
                "it describes the resource `{resource}`, which does not cover {url}; refusing \
                 to log in for it (a resource's metadata must name that resource, RFC 9728 \
                 §3.3)"
            ),
            Self::NoAuthorizationServer => {
                f.write_str("it names no authorization server (`authorization_servers`)")
            }
        }
    }
}

/// A string array member, or `None` when absent; at most `max` items are kept.
fn string_array(
    doc: &serde_json::Map<String, Value>,
    name: &str,
    max: usize,
) -> Result<Option<Vec<String>>, MetadataError> {
    match doc.get(name) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Array(items)) => items
            .iter()
            .take(max)
            .map(|v| {
                v.as_str().map(str::to_owned).ok_or_else(|| {
                    MetadataError::Malformed(format!("`{name}` holds {}", strict_json::kind(v)))
                })
            })
            .collect::<Result<Vec<_>, _>>()
            .map(Some),
        Some(other) => Err(MetadataError::Malformed(format!(
            "`{name}` is {}, not an array",
            strict_json::kind(other)
        ))),
    }
}

/// Parses protected resource metadata fetched for `url` and checks it: strict JSON (no
/// duplicate members), a `resource` that passes the URL policy and covers `url`
/// ([`covers`]), authorization servers that pass it too, and scopes that are scope tokens
/// (RFC 6749 §3.3). The resource check comes first, so that metadata for another resource
/// is refused whatever else it says.
pub(crate) fn parse_metadata(
    body: &[u8],
    url: &Url,
    insecure_http: bool,
) -> Result<ResourceMetadata, MetadataError> {
    let doc = strict_json::object_from_slice(body).map_err(MetadataError::Malformed)?;
    let resource = match doc.get("resource") {
        Some(Value::String(r)) => r.clone(),
        Some(other) => {
            return Err(MetadataError::Malformed(format!(
                "`resource` is {}, not a string",
                strict_json::kind(other)
            )));
        }
        None => return Err(MetadataError::Malformed("no `resource` member".to_owned())),
    };
    if !covers(&resource, url) {
        return Err(MetadataError::OtherResource {
            resource,
            url: url_policy::display_base(url),
        });
    }
    url_policy::check(&resource, insecure_http)
        .map_err(|e| MetadataError::Malformed(format!("`resource`: {e}")))?;
    let authorization_servers =
        string_array(&doc, "authorization_servers", MAX_AUTHORIZATION_SERVERS)?.unwrap_or_default();
    if authorization_servers.is_empty() {
        return Err(MetadataError::NoAuthorizationServer);
    }
    for issuer in &authorization_servers {
        url_policy::check(issuer, insecure_http).map_err(|e| {
            MetadataError::Malformed(format!("authorization server `{issuer}`: {e}"))
        })?;
    }
    let scopes_supported = string_array(&doc, "scopes_supported", MAX_SCOPES)?;
    if let Some(bad) = scopes_supported
        .iter()
        .flatten()
        .find(|s| !is_scope_token(s))
    {
        return Err(MetadataError::Malformed(format!(
            "`scopes_supported` holds `{}`, which is not a scope",
            crate::text::sanitize::line(bad)
        )));
    }
    Ok(ResourceMetadata {
        resource,
        authorization_servers,
        scopes_supported,
    })
}

/// RFC 6749 §3.3: `scope-token = 1*( %x21 / %x23-5B / %x5D-7E )`.
pub(crate) fn is_scope_token(s: &str) -> bool {
    !s.is_empty()
        && s.bytes()
            .all(|b| b == 0x21 || (0x23..=0x5b).contains(&b) || (0x5d..=0x7e).contains(&b))
}

/// Whether the resource identifier `resource` covers `url`: the same origin (scheme, host,
/// port), no query or fragment in the identifier, and `url`'s path equal to the
/// identifier's path or below it at a segment boundary (`/api` covers `/api` and
/// `/api/data`, not `/apiary`). RFC 9728 §3.3 asks for the identifier the metadata was
/// looked up for; an identifier that covers several paths (the origin, an API prefix) is
/// common, and the MCP authorization spec allows it.
pub(crate) fn covers(resource: &str, url: &Url) -> bool {
    let Ok(r) = Url::parse(resource) else {
        return false;
    };
    if r.origin() != url.origin()
        || !r.origin().is_tuple()
        || r.query().is_some()
        || r.fragment().is_some()
        || !r.username().is_empty()
        || r.password().is_some()
    {
        return false;
    }
    let prefix = r.path().trim_end_matches('/');
    url.path()
        .strip_prefix(prefix)
        .is_some_and(|rest| rest.is_empty() || rest.starts_with('/'))
}

/// How closely `resource` fits `url` (the length of its path), for choosing among several
/// profiles whose resources cover the same URL: the most specific one wins.
pub(crate) fn specificity(resource: &str) -> usize {
    Url::parse(resource).map_or(0, |r| r.path().trim_end_matches('/').len())
}

/// The scopes of the first authorization for a resource: the challenge's `scope`, else the
/// metadata's `scopes_supported`, else none at all (no default scope is added: a resource
/// that names none wants none, and the authorization server decides).
pub(crate) fn initial_scopes(challenge: &[String], supported: Option<&[String]>) -> Vec<String> {
    let chosen = if challenge.is_empty() {
        supported.unwrap_or_default()
    } else {
        challenge
    };
    super::tokens::normalize_scopes(chosen)
}

/// The scopes of a step-up authorization after an `insufficient_scope` that wants
/// `challenged`: the union of what the token was granted and what is challenged. `None`
/// when the token already has every challenged scope: another authorization would bring
/// the same token, so a step-up gives up instead of looping.
pub(crate) fn step_up(granted: &[String], challenged: &[String]) -> Option<Vec<String>> {
    if challenged.iter().all(|s| granted.contains(s)) {
        return None;
    }
    let mut all: Vec<&String> = granted.iter().chain(challenged).collect();
    all.sort();
    all.dedup();
    Some(all.into_iter().cloned().collect())
}

/// The longest profile name derived from a resource.
const MAX_NAME: usize = 64;

/// The profile name of a resource: its host, port and path, readable and stable
/// (`http://localhost:8080/mcp` → `localhost-8080-mcp`, `https://api.example/` →
/// `api.example`): lower-case, characters other than letters, digits, `.` and `_` become
/// `-`, runs of `-` collapse, at most 64 characters. The scheme and a default port are
/// left out.
pub(crate) fn profile_name(resource: &str) -> String {
    let raw = match Url::parse(resource) {
        Ok(u) if u.host_str().is_some_and(|h| !h.is_empty()) => {
            let mut s = u.host_str().unwrap_or_default().to_owned();
            if let Some(port) = u.port() {
                s.push('-');
                s.push_str(&port.to_string());
            }
            s.push_str(u.path());
            s
        }
        _ => resource.to_owned(),
    };
    let mut name = String::with_capacity(raw.len());
    for c in raw.to_ascii_lowercase().chars() {
        let c = if c.is_ascii_alphanumeric() || c == '.' || c == '_' {
            c
        } else {
            '-'
        };
        if c == '-' && (name.is_empty() || name.ends_with('-')) {
            continue;
        }
        if name.len() >= MAX_NAME {
            break;
        }
        name.push(c);
    }
    let name = name.trim_matches(['-', '.']).to_owned();
    if name.is_empty() {
        "resource".to_owned()
    } else {
        name
    }
}

/// The first name from `base`, `base-2`, `base-3`, … that `taken` does not claim.
pub(crate) fn free_name(base: &str, taken: impl Fn(&str) -> bool) -> String {
    if !taken(base) {
        return base.to_owned();
    }
    (2..1000)
        .map(|n| format!("{base}-{n}"))
        .find(|n| !taken(n))
        .unwrap_or_else(|| base.to_owned())
}

#[cfg(test)]
mod tests;
