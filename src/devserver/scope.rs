//! The `scope` and audience (`resource`, `audience`) parameters, as the authorization
//! request, the device authorization request and the token endpoint read them.

use std::collections::HashSet;

use super::resource::is_hosted;
use super::wire::Params;
use super::{Client, Registry};

/// Splits a `scope` parameter, removing repeats.
pub(crate) fn split_scope(raw: Option<&str>) -> Vec<String> {
    let mut seen = HashSet::new();
    raw.unwrap_or_default()
        .split(' ')
        .filter(|s| !s.is_empty())
        .filter(|s| seen.insert((*s).to_owned()))
        .map(str::to_owned)
        .collect()
}

/// Checks requested scopes against the server and the client; the first bad one, if any.
pub(crate) fn bad_scope<'a>(
    registry: &Registry,
    client: &Client,
    scope: &'a [String],
) -> Option<&'a str> {
    scope
        .iter()
        .find(|s| !registry.scopes.contains(s) || !client.may_request(s))
        .map(String::as_str)
}

/// The requested audience: `resource` (RFC 8707) or `audience`; both must agree, and this
/// server issues a token for one audience at a time (RFC 8707 §2: `invalid_target`). A
/// `resource` must be an absolute URI without a fragment that names a resource this server
/// hosts (`resource`, RFC 8707 §2); an `audience` is a name, taken as it is.
pub(crate) fn requested_audience(p: &Params, issuer: &str) -> Result<Option<String>, &'static str> {
    if p.all("resource").len() > 1 || p.all("audience").len() > 1 {
        return Err("this server issues a token for one resource at a time");
    }
    match (p.get("resource"), p.get("audience")) {
        (Some(r), Some(a)) if r != a => Err("`resource` and `audience` disagree"),
        (Some(r), _) if url::Url::parse(r).is_err() || r.contains('#') => {
            Err("`resource` must be an absolute URI without a fragment")
        }
        (Some(r), _) if !is_hosted(issuer, r) => {
            Err("this server hosts no such resource (see docs/serve.md for the ones it has)")
        }
        (Some(v), _) | (None, Some(v)) => Ok(Some(v.to_owned())),
        (None, None) => Ok(None),
    }
}

/// The audience of a token issued from a grant that was authorized for `granted`: a
/// `resource` (or `audience`) at the token endpoint must name the same one (RFC 8707 §2.2);
/// a grant authorized without one may be narrowed to any resource this server hosts.
pub(crate) fn token_audience(
    p: &Params,
    issuer: &str,
    granted: Option<&str>,
) -> Result<Option<String>, &'static str> {
    match (granted, requested_audience(p, issuer)?) {
        (granted, None) => Ok(granted.map(str::to_owned)),
        (Some(g), Some(asked)) if g != asked => {
            Err("the resource differs from the one the grant was authorized for")
        }
        (_, Some(asked)) => Ok(Some(asked)),
    }
}

/// Whether `scope` holds `s`.
pub(crate) fn has(scope: &[String], s: &str) -> bool {
    scope.iter().any(|x| x == s)
}
