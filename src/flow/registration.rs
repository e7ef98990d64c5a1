//! Dynamic client registration (RFC 7591 §3): one JSON POST to the registration endpoint,
//! without redirects, within the protocol deadline and size cap; what to ask and how to
//! read the answer is `oauth::registration`. And its end (RFC 7592 §2.3).

use reqwest::header::{ACCEPT, AUTHORIZATION, CONTENT_TYPE, HeaderMap, HeaderValue};
use url::Url;

use crate::error::{Error, Result};
use crate::http::{HttpClient, MAX_PROTOCOL_BODY};
use crate::oauth::errors::EndpointError;
use crate::oauth::registration::{self, Registration};
use crate::oauth::secret::RegistrationAccessToken;
use crate::oauth::url_policy;

/// Registers oauthctl as a public native client with `redirect_uri` at `endpoint`.
pub(crate) fn register(
    http: &HttpClient,
    endpoint: &Url,
    redirect_uri: &str,
) -> Result<Registration> {
    let body = serde_json::to_vec(&registration::request_body(redirect_uri))
        .map_err(|e| Error::Other(format!("cannot build the registration request: {e}")))?;
    let mut headers = HeaderMap::new();
    headers.insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
    headers.insert(ACCEPT, HeaderValue::from_static("application/json"));
    http.trace_request("POST", endpoint, &headers, None);
    let request = http
        .client_for(endpoint)?
        .post(endpoint.clone())
        .headers(headers)
        .body(body);
    let resp = http.send(request, endpoint, MAX_PROTOCOL_BODY)?;
    registration::parse_response(resp.status, &resp.body, redirect_uri, http.insecure_http())
        .map_err(|e| match e {
            EndpointError::OAuth(err) => Error::Rejected(err),
            EndpointError::Malformed(m) => {
                Error::BadResponse(format!("{} (at {})", m, url_policy::display_base(endpoint)))
            }
        })
}

/// Deletes a registration (RFC 7592 §2.3): `DELETE` of its client configuration URI with
/// its registration access token. Returns the status the server answered (204 on success).
pub(crate) fn deregister(
    http: &HttpClient,
    uri: &Url,
    token: &RegistrationAccessToken,
) -> Result<u16> {
    let mut headers = HeaderMap::new();
    headers.insert(ACCEPT, HeaderValue::from_static("application/json"));
    let mut authorization = HeaderValue::from_str(&format!("Bearer {}", token.expose()))
        .map_err(|_| Error::BadResponse("the registration access token is unusable".into()))?;
    authorization.set_sensitive(true);
    headers.insert(AUTHORIZATION, authorization);
    http.trace_request("DELETE", uri, &headers, None);
    let request = http.client_for(uri)?.delete(uri.clone()).headers(headers);
    Ok(http.send(request, uri, MAX_PROTOCOL_BODY)?.status)
}
