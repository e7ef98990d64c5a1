//! A request to an API as the user described it (`call`): the body is buffered, so a
//! redirect or a retry can send it again, and each header knows whether it is sensitive.

use reqwest::Method;
use reqwest::header::{HeaderName, HeaderValue};
use url::Url;

/// A header the user gave (`call -H`).
#[derive(Debug, Clone)]
pub(crate) struct UserHeader {
    pub(crate) name: HeaderName,
    pub(crate) value: HeaderValue,
    /// Sensitive by name ([`super::is_sensitive_header`]) or marked by the user
    /// (`-H '!Name: value'`): redacted in traces, never sent to another origin.
    pub(crate) sensitive: bool,
}

/// The request as the user described it.
#[derive(Debug, Clone)]
pub(crate) struct Request {
    pub(crate) method: Method,
    pub(crate) url: Url,
    pub(crate) headers: Vec<UserHeader>,
    pub(crate) body: Option<Vec<u8>>,
}
