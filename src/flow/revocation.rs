//! Revoking a token (RFC 7009 §2.1): an authenticated POST of `token` (and
//! `token_type_hint`) to the revocation endpoint; the answer is read by
//! `oauth::revocation`.

use reqwest::header::{HeaderMap, RETRY_AFTER};
use url::Url;

use crate::error::Result;
use crate::http::HttpClient;
use crate::oauth::{revocation, url_policy};

use super::client::{ClientAuth, post_authenticated};

/// Revokes `token` at `endpoint` as `client`. `Ok` is the server's 200: revoked, or a token
/// it did not know (RFC 7009 §2.2). An OAuth error response is `Error::Rejected` (exit 4);
/// a 503, a redirect or an odd answer `Error::BadResponse` (exit 5).
pub(crate) fn revoke(
    http: &HttpClient,
    endpoint: &Url,
    client: &ClientAuth,
    token: &str,
    hint: Option<&str>,
) -> Result<()> {
    let mut params = vec![("token", token)];
    if let Some(h) = hint {
        params.push(("token_type_hint", h));
    }
    let resp = post_authenticated(http, endpoint, client, &params, &HeaderMap::new())?;
    let retry_after = resp.headers.get(RETRY_AFTER).and_then(|v| v.to_str().ok());
    revocation::parse(
        resp.status,
        retry_after,
        &resp.body,
        &url_policy::display_base(endpoint),
    )?;
    Ok(())
}
