//! One exchange with an API (`call`): send the request, follow redirects as
//! [`super::redirect`] decides, all within one deadline, tracing each hop with `-v`.

use reqwest::blocking::{RequestBuilder, Response};
use reqwest::header;

use super::redirect::{self, Hop};
use super::request::Request;
use super::trace::{self, Sink};
use super::{Deadline, HttpClient, network_error};
use crate::error::{Error, Result};
use crate::oauth::dpop;
use crate::oauth::url_policy;

/// The time an exchange may take, and the caller's error when it runs out: only the
/// caller knows which limit that is and what raises it.
#[derive(Clone, Copy)]
pub(crate) struct Budget<'a> {
    pub(crate) deadline: Deadline,
    /// The error for a server (its URL without the query) that did not answer in time.
    pub(crate) timed_out: &'a dyn Fn(&str) -> Error,
}

impl std::fmt::Debug for Budget<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Budget")
            .field("deadline", &self.deadline)
            .finish_non_exhaustive()
    }
}

/// Makes the `DPoP` proof of one request (its method and URL).
pub(crate) type ProofFn<'a> =
    &'a dyn Fn(&reqwest::Method, &url::Url) -> Result<header::HeaderValue>;
/// Sees the headers of a response from a URL.
pub(crate) type ObserveFn<'a> = &'a dyn Fn(&url::Url, &header::HeaderMap);

/// What goes with each hop on the origin the user named (RFC 9449 §7, RFC 8705 §3): the
/// token's `Authorization` value, a DPoP proof made for that hop's method and URL, and the
/// client that presents the profile's certificate. A hop to another origin gets none of it.
pub(crate) struct Credentials<'a> {
    pub(crate) authorization: &'a str,
    /// Makes the `DPoP` header of a request (a DPoP-bound token).
    pub(crate) proof: Option<ProofFn<'a>>,
    /// Sees the headers of each response from the origin (a server's `DPoP-Nonce`).
    pub(crate) observe: Option<ObserveFn<'a>>,
    /// The client for hops on the origin: one that presents the client certificate.
    pub(crate) client: Option<&'a HttpClient>,
}

impl std::fmt::Debug for Credentials<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Credentials")
            .field("proof", &self.proof.is_some())
            .field("certificate", &self.client.is_some())
            .finish_non_exhaustive()
    }
}

/// A response and whether the credentials went with the request that produced it.
#[derive(Debug)]
pub(crate) struct Exchange {
    /// The response, its body not read yet.
    pub(crate) response: Response,
    /// Whether the last hop was on the origin the user named, with the credentials.
    pub(crate) credentials_sent: bool,
}

impl HttpClient {
    /// Sends `request` with `credentials` on its origin, following redirects with `follow`
    /// (at most [`redirect::MAX_REDIRECTS`]), all within `budget`.
    pub(crate) fn exchange(
        &self,
        request: &Request,
        credentials: &Credentials<'_>,
        follow: bool,
        budget: Budget<'_>,
        trace: Sink<'_>,
    ) -> Result<Exchange> {
        let mut hop = Hop::first(request);
        loop {
            let body = hop.body(request);
            let mut headers = hop.headers(request, credentials.authorization)?;
            // Each hop on the origin gets a proof of its own (its method and URL).
            if let (true, Some(proof)) = (hop.credentials, credentials.proof) {
                headers.insert(dpop::PROOF_HEADER, proof(&hop.method, &hop.url)?);
            }
            let http = match credentials.client {
                Some(client) if hop.credentials => client,
                _ => self,
            };
            trace::api_request(
                trace,
                &hop.method,
                &hop.url,
                &headers,
                body.map(<[u8]>::len),
            );
            let base = url_policy::display_base(&hop.url);
            let mut builder: RequestBuilder = http
                .client_for(&hop.url)?
                .request(hop.method.clone(), hop.url.clone())
                .headers(headers);
            if let Some(left) = budget.deadline.remaining() {
                if left.is_zero() {
                    return Err((budget.timed_out)(&base));
                }
                builder = builder.timeout(left);
            }
            if let Some(b) = body {
                builder = builder.body(b.to_vec());
            }
            let response = builder.send().map_err(|e| {
                if e.is_timeout() {
                    (budget.timed_out)(&base)
                } else {
                    network_error(&hop.url, &e)
                }
            })?;
            trace::api_response(trace, &response);
            if let (true, Some(observe)) = (hop.credentials, credentials.observe) {
                observe(&hop.url, response.headers());
            }
            let status = response.status().as_u16();
            let location = response.headers().get(header::LOCATION);
            match redirect::next_hop(request, &hop, status, location, follow)? {
                Some(next) => hop = next,
                None => {
                    return Ok(Exchange {
                        response,
                        credentials_sent: hop.credentials,
                    });
                }
            }
        }
    }
}
