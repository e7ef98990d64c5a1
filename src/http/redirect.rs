//! The redirect and credential policy of an API exchange (`call -L`): which
//! hop comes next, with which method and body, and what goes with it. Credentials (the
//! token's `Authorization`, and every sensitive header: `Cookie`, `Proxy-Authorization`,
//! the user's `X-Api-Key`, `!`-marked ones, …) go only to the origin (scheme, host, port)
//! the user named; a redirect from https down to plain http is refused; 301, 302 and 303
//! turn the request into a GET without a body, 307 and 308 keep both; at most
//! [`MAX_REDIRECTS`] are followed. Pure: the decisions are made here and tested without a
//! socket; [`super::exchange`] sends.

use reqwest::Method;
use reqwest::header::{self, HeaderMap, HeaderValue};
use url::Url;

use super::request::Request;
use crate::error::{Error, Result};
use crate::oauth::url_policy;

/// Redirects followed at most with `-L`.
pub(crate) const MAX_REDIRECTS: usize = 10;

/// One request of an exchange: the first one, or one a redirect led to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Hop {
    pub(crate) url: Url,
    pub(crate) method: Method,
    /// Whether the body (and its `Content-*` headers) go along: no longer once a 301, 302
    /// or 303 turned the request into a GET.
    pub(crate) keep_body: bool,
    /// Whether this hop is on the origin the user named, so that the credentials go
    /// along.
    pub(crate) credentials: bool,
    /// The redirects followed to get here.
    pub(crate) redirects: usize,
}

impl Hop {
    /// The request as the user sent it: to the origin the user named, with everything.
    pub(crate) fn first(request: &Request) -> Self {
        Self {
            url: request.url.clone(),
            method: request.method.clone(),
            keep_body: true,
            credentials: true,
            redirects: 0,
        }
    }

    /// The body this hop sends.
    pub(crate) fn body<'r>(&self, request: &'r Request) -> Option<&'r [u8]> {
        request.body.as_deref().filter(|_| self.keep_body)
    }

    /// The headers of this hop: the user's (without the sensitive ones and `Host` when
    /// leaving the origin, without `Content-*` once a redirect dropped the body) and
    /// `authorization`, the token's `Authorization` value, on the origin only (none when it
    /// is empty: a request sent before any login, to read the API's challenge).
    pub(crate) fn headers(&self, request: &Request, authorization: &str) -> Result<HeaderMap> {
        let mut map = HeaderMap::new();
        for h in &request.headers {
            if !self.credentials && (h.sensitive || h.name == header::HOST) {
                continue;
            }
            if !self.keep_body && h.name.as_str().starts_with("content-") {
                continue;
            }
            map.append(h.name.clone(), h.value.clone());
        }
        if self.credentials && !authorization.is_empty() {
            let mut value = HeaderValue::from_str(authorization).map_err(|_| {
                Error::Other("the cached access token cannot be sent in a header".to_owned())
            })?;
            value.set_sensitive(true);
            map.insert(header::AUTHORIZATION, value);
        }
        Ok(map)
    }
}

/// What follows a response with `status` and `location` to `hop`: `None` when it is the
/// answer (not a redirect, no `Location`, or `follow` off), else the next hop; an error
/// when the redirect is refused (one too many, https to http, not http(s),
/// `user:password@`, a `Location` that is not a URL).
pub(crate) fn next_hop(
    request: &Request,
    hop: &Hop,
    status: u16,
    location: Option<&HeaderValue>,
    follow: bool,
) -> Result<Option<Hop>> {
    let Some(location) = location.filter(|_| follow && is_redirect(status)) else {
        return Ok(None);
    };
    if hop.redirects == MAX_REDIRECTS {
        return Err(Error::BadResponse(format!(
            "more than {MAX_REDIRECTS} redirects; stopped at {}",
            url_policy::display_base(&hop.url)
        )));
    }
    let url = redirect_target(&hop.url, location)?;
    let (method, body_kept) = after_redirect(status, &hop.method);
    Ok(Some(Hop {
        // Credentials go to the origin the user named, and nowhere else.
        credentials: url.origin() == request.url.origin(),
        url,
        method,
        keep_body: hop.keep_body && body_kept,
        redirects: hop.redirects + 1,
    }))
}

/// The statuses a redirect is followed for (RFC 9110 §15.4; not 300, 304, 305, 306).
fn is_redirect(status: u16) -> bool {
    matches!(status, 301 | 302 | 303 | 307 | 308)
}

/// The method after a redirect, and whether the body goes along: 301, 302 and 303 become
/// GET without a body (HEAD stays HEAD); 307 and 308 keep both (RFC 9110 §15.4).
fn after_redirect(status: u16, method: &Method) -> (Method, bool) {
    match status {
        301..=303 if *method == Method::HEAD => (Method::HEAD, false),
        301..=303 => (Method::GET, false),
        _ => (method.clone(), true),
    }
}

/// Where a redirect leads. Only http and https; never from https down to http (the user
/// asked for an encrypted exchange); never with `user:password@`.
fn redirect_target(current: &Url, location: &HeaderValue) -> Result<Url> {
    let raw = location
        .to_str()
        .map_err(|_| Error::BadResponse("a redirect's Location is not text".to_owned()))?;
    let mut next = current
        .join(raw)
        .map_err(|e| Error::BadResponse(format!("a redirect's Location is not a URL: {e}")))?;
    if !matches!(next.scheme(), "http" | "https") {
        return Err(Error::BadResponse(format!(
            "refusing a redirect to a `{}:` URL",
            next.scheme()
        )));
    }
    if current.scheme() == "https" && next.scheme() == "http" {
        return Err(Error::BadResponse(format!(
            "refusing a redirect from https to plain http ({})",
            url_policy::display_base(&next)
        )));
    }
    if !next.username().is_empty() || next.password().is_some() {
        return Err(Error::BadResponse(
            "refusing a redirect to a URL with user:password@ in it".to_owned(),
        ));
    }
    next.set_fragment(None);
    Ok(next)
}

#[cfg(test)]
mod tests;
