//! Renewing a cached token set: the one home of the refresh use case (RFC 6749 §6, OIDC
//! Core §12.2; README: "Token storage").
//!
//! The protocol, whoever asks (`token`, `call`, `exec`, `userinfo`, `refresh`):
//!
//! 1. read the cache without a lock; a set that is still good enough is returned as is;
//! 2. take the per-key lock ([`crate::store::lock::Locks`]), then **re-read**: a sibling
//!    process may have renewed the set while this one waited, and its result is used;
//! 3. **renew** as the set's [`TokenSet::renewal`] says: the refresh token grant, the
//!    client-credentials grant again, or a token exchange or JWT bearer grant again with
//!    the fresh inputs ([`Fresh`]) its caller makes; a response without a refresh token
//!    (or ID token) keeps the old one; a new ID token must describe the same login as the
//!    old one; a DPoP-bound set keeps its proof key (a public client's refresh token is
//!    bound to it);
//! 4. on `invalid_grant` to a refresh, **compare-and-clear**: drop the refresh token only
//!    if the cache still holds that same one; a newer one stored meanwhile (a `login`
//!    outside the lock) is tried once instead. A repeated grant's refusal is the server's
//!    answer (exit 4): it has no refresh token to drop.
//!
//! At most one renewal happens among any number of concurrent callers that share the lock
//! directory. `store/` only stores and locks; the request itself is [`Renewer`].

use std::time::Duration;

use url::Url;

use crate::error::Error;
use crate::http::HttpClient;
use crate::oauth::grant::{Grant, Renewal};
use crate::oauth::jwt;
use crate::oauth::secret::AccessToken;
use crate::oauth::token_response::TokenResponse;
use crate::oauth::tokens::{CacheKey, TokenSet};
use crate::store::lock::Locks;
use crate::store::{StoreError, TokenStore};
use crate::text::time;

use super::authcode::{origin_headers, verify_id_token, wants_oidc};
use super::client::{ClientAuth, token_request};
use super::discovery::DocumentCache;
use super::provider::Resolved;
use super::{client_credentials, jwt_bearer, token_exchange};

/// How one renewal request failed, as the renewer reports it.
#[derive(Debug)]
pub enum RenewError {
    /// The server answered `invalid_grant`: the refresh token is dead (used, revoked,
    /// expired). `description` is the server's `error_description`, if any.
    InvalidGrant { description: Option<String> },
    /// Anything else (network, other OAuth errors): the cache is left as it was.
    Failed(Error),
}

/// Why no usable token set came out of a renewal.
#[derive(Debug, thiserror::Error)]
pub enum RenewalError {
    /// Nothing is cached under the key.
    #[error("no cached tokens")]
    NoTokens,
    /// An entry is cached but unusable (corrupt, or holding a token with control
    /// characters); the store's one-line explanation.
    #[error("{0}")]
    Unusable(String),
    /// The access token needs renewing and the set cannot be renewed (no refresh token,
    /// and a grant that needs the user). `remaining` is the access token's remaining
    /// lifetime in seconds (`None`: no stated expiry).
    #[error("{}", no_refresh_token(*remaining, *reason))]
    NoRefreshToken {
        remaining: Option<i64>,
        reason: Reason,
    },
    /// The server rejected the refresh token (`invalid_grant`); it has been dropped.
    #[error("the refresh token was rejected (invalid_grant){}", description.as_ref().map(|d| format!(": {d}")).unwrap_or_default())]
    RefreshTokenRejected { description: Option<String> },
    /// The token store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The renewal request failed for another reason.
    #[error(transparent)]
    Request(Error),
}

/// Why an access token was to be renewed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reason {
    /// It expires within the caller's margin (or has expired).
    Expiring,
    /// `oauthctl refresh` asked for it, whatever the expiry.
    Forced,
    /// A resource server rejected it.
    Rejected,
}

/// What is actually the case when there is no refresh token: an access token valid for
/// another hour has not "expired".
fn no_refresh_token(remaining: Option<i64>, reason: Reason) -> String {
    let left = |r: i64| time::short_duration(r.unsigned_abs());
    match (reason, remaining) {
        (Reason::Rejected, _) => {
            "the API rejected the cached access token and there is no refresh token to renew it"
                .to_owned()
        }
        (_, Some(r)) if r <= 0 => {
            "the cached access token has expired and there is no refresh token".to_owned()
        }
        (Reason::Expiring, Some(r)) => format!(
            "the cached access token expires in {} and there is no refresh token to renew it",
            left(r)
        ),
        (_, Some(r)) => format!(
            "there is no refresh token to refresh with; the cached access token is still valid \
             (it expires in {})",
            left(r)
        ),
        (_, None) => "there is no refresh token to refresh with; the cached access token \
                      states no expiry and is still usable"
            .to_owned(),
    }
}

impl From<RenewalError> for Error {
    fn from(e: RenewalError) -> Self {
        match e {
            RenewalError::Store(s) => s.into(),
            RenewalError::Request(inner) => inner,
            other => Error::LoginRequired {
                message: other.to_string(),
                hint: "run `oauthctl login` again".to_owned(),
            },
        }
    }
}

/// What a renewal attempt did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Renewed {
    /// The usable token set (freshly renewed or still valid).
    pub tokens: TokenSet,
    /// Whether this call sent a renewal request that succeeded.
    pub renewed: bool,
    /// One-line warnings for the user (e.g. an ignored corrupt cache entry).
    pub warnings: Vec<String>,
}

/// Returns a token set valid for at least `min_ttl` after `now`, renewed under the per-key
/// lock when needed. `renew` receives the current set and returns the new one (usually
/// [`Renewer::renew`]); see the module documentation for the protocol around it.
pub fn renew_if_needed<F>(
    store: &dyn TokenStore,
    locks: &Locks,
    key: &CacheKey,
    now: i64,
    min_ttl: Duration,
    renew: F,
) -> Result<Renewed, RenewalError>
where
    F: FnMut(&TokenSet) -> Result<TokenSet, RenewError>,
{
    run(store, locks, key, &Need::Expiring { now, min_ttl }, renew)
}

/// Renews now even if the access token is still valid (`oauthctl refresh`), with the same
/// locking, rotation and `invalid_grant` rules as [`renew_if_needed`].
pub fn renew_now<F>(
    store: &dyn TokenStore,
    locks: &Locks,
    key: &CacheKey,
    now: i64,
    renew: F,
) -> Result<Renewed, RenewalError>
where
    F: FnMut(&TokenSet) -> Result<TokenSet, RenewError>,
{
    run(store, locks, key, &Need::Always { now }, renew)
}

/// Renews because a resource server rejected the access token `rejected` (a `401` with
/// `error="invalid_token"`), unless the cache already holds another access token: a sibling
/// process that renewed meanwhile has done the work, and its token is used instead. Same
/// locking, rotation and `invalid_grant` rules as [`renew_if_needed`].
pub fn renew_replacing<F>(
    store: &dyn TokenStore,
    locks: &Locks,
    key: &CacheKey,
    rejected: &AccessToken,
    renew: F,
) -> Result<Renewed, RenewalError>
where
    F: FnMut(&TokenSet) -> Result<TokenSet, RenewError>,
{
    run(store, locks, key, &Need::Replacing(rejected), renew)
}

/// When a cached set is good enough to skip the renewal.
enum Need<'a> {
    /// Valid for at least `min_ttl` after `now`.
    Expiring { now: i64, min_ttl: Duration },
    /// Never: renew regardless (`now` only describes the token in errors).
    Always { now: i64 },
    /// Any access token but this rejected one.
    Replacing(&'a AccessToken),
}

impl Need<'_> {
    fn still_good(&self, t: &TokenSet) -> bool {
        match self {
            Self::Expiring { now, min_ttl } => !t.expires_within(*now, *min_ttl),
            Self::Always { .. } => false,
            Self::Replacing(rejected) => t.access_token != **rejected,
        }
    }

    /// Why the set is being renewed, and the time its remaining lifetime is told from.
    fn reason(&self) -> (Reason, Option<i64>) {
        match self {
            Self::Expiring { now, .. } => (Reason::Expiring, Some(*now)),
            Self::Always { now } => (Reason::Forced, Some(*now)),
            Self::Replacing(_) => (Reason::Rejected, None),
        }
    }
}

/// Why a load found no set: nothing cached, or (with the store's warning) an unusable entry.
fn absent(warning: Option<String>) -> RenewalError {
    warning.map_or(RenewalError::NoTokens, RenewalError::Unusable)
}

fn run<F>(
    store: &dyn TokenStore,
    locks: &Locks,
    key: &CacheKey,
    need: &Need<'_>,
    mut renew: F,
) -> Result<Renewed, RenewalError>
where
    F: FnMut(&TokenSet) -> Result<TokenSet, RenewError>,
{
    let mut warnings = Vec::new();
    let still_good = |t: &TokenSet| need.still_good(t);

    // Fast path without the lock: most calls find a valid token.
    let loaded = store.load_entry(key)?;
    let seen = match loaded.tokens {
        None => return Err(absent(loaded.warning)),
        Some(t) if still_good(&t) => {
            warnings.extend(loaded.warning);
            return Ok(Renewed {
                tokens: t,
                renewed: false,
                warnings,
            });
        }
        Some(t) => {
            warnings.extend(loaded.warning);
            t.access_token
        }
    };

    let _guard = locks.acquire(key)?;
    // Re-read under the lock, from the store of record: a sibling may have renewed while
    // we waited.
    let loaded = store.reload_entry(key)?;
    let Some(mut current) = loaded.tokens else {
        return Err(absent(loaded.warning));
    };
    // A sibling's fresh token is as good as another renewal would give, even when the
    // server's lifetime is shorter than `min_ttl`: renewing again would only cost a
    // request (and, with one renewal per waiting caller, a storm of them).
    let sibling_renewed = matches!(need, Need::Expiring { now, .. }
        if current.access_token != seen && !current.is_expired(*now));
    if sibling_renewed || still_good(&current) {
        return Ok(Renewed {
            tokens: current,
            renewed: false,
            warnings,
        });
    }

    let mut retried = false;
    loop {
        if current.renewal().is_none() {
            let (reason, now) = need.reason();
            return Err(RenewalError::NoRefreshToken {
                remaining: now.and_then(|n| current.remaining(n)),
                reason,
            });
        }
        let used = current.refresh_token.clone();
        match renew(&current) {
            Ok(mut fresh) => {
                if fresh.refresh_token.is_none() {
                    // No refresh token in the response keeps the old one (RFC 6749 §6).
                    fresh.refresh_token = used;
                }
                if fresh.id_token.is_none() {
                    fresh.id_token.clone_from(&current.id_token);
                }
                // The proof key lives as long as the refresh token it may be bound to.
                if fresh.dpop_key.is_none() {
                    fresh.dpop_key.clone_from(&current.dpop_key);
                }
                store.save(key, &fresh)?;
                return Ok(Renewed {
                    tokens: fresh,
                    renewed: true,
                    warnings,
                });
            }
            Err(RenewError::Failed(e)) => return Err(RenewalError::Request(e)),
            Err(RenewError::InvalidGrant { description }) => {
                // Someone outside the lock (a `login`) may have stored a newer RT.
                let latest = store.reload_entry(key)?.tokens;
                match latest {
                    Some(l) if l.refresh_token.is_some() && l.refresh_token != used => {
                        if retried {
                            return Err(RenewalError::RefreshTokenRejected { description });
                        }
                        retried = true;
                        if still_good(&l) {
                            return Ok(Renewed {
                                tokens: l,
                                renewed: false,
                                warnings,
                            });
                        }
                        current = l;
                    }
                    Some(mut l) if l.refresh_token == used => {
                        // Compare-and-clear: drop only the refresh token we know is dead.
                        l.refresh_token = None;
                        store.save(key, &l)?;
                        return Err(RenewalError::RefreshTokenRejected { description });
                    }
                    _ => return Err(RenewalError::RefreshTokenRejected { description }),
                }
            }
        }
    }
}

/// The fresh inputs of a grant renewed by doing it again with new ones
/// ([`Renewal::ExchangeAgain`], [`Renewal::SignAssertion`]), made by the caller only when
/// such a renewal happens: the parent's current token, a newly signed assertion.
#[derive(Debug)]
pub enum Fresh {
    /// The exchange to send again.
    Exchange(token_exchange::Request),
    /// The new assertion.
    Assertion(crate::oauth::secret::Assertion),
}

/// What a renewal request needs besides the current set.
#[derive(Debug)]
pub struct Renewer<'a> {
    pub http: &'a HttpClient,
    pub cache: &'a DocumentCache,
    pub provider: &'a Resolved,
    pub client: &'a ClientAuth,
    pub scopes: &'a [String],
    pub audience: Option<&'a str>,
    pub resource: Option<&'a str>,
    pub now: i64,
    /// Clock skew allowed for a new ID token's times, in seconds.
    pub leeway: i64,
    /// The `Origin` header of a refresh (clients Entra ID registered as SPAs).
    pub origin: Option<&'a str>,
    /// The inputs of a token exchange or JWT bearer renewal (see [`Fresh`]).
    pub fresh: Option<&'a Fresh>,
}

impl Renewer<'_> {
    /// One renewal of `current`, as its [`TokenSet::renewal`] says. A new ID token must
    /// describe the same login as the old one (OIDC Core §12.2); otherwise the request
    /// fails and the previous tokens are kept.
    pub fn renew(&self, current: &TokenSet) -> Result<TokenSet, RenewError> {
        let endpoint = self
            .provider
            .require(
                "token_endpoint",
                self.provider.endpoints.token_endpoint.as_ref(),
            )
            .and_then(|e| self.http.checked_url(e))
            .map_err(RenewError::Failed)?;
        let with_refresh_token = current.renewal() == Some(Renewal::RefreshToken);
        let response = match (current.renewal(), &current.refresh_token) {
            (Some(Renewal::RefreshToken), Some(rt)) => {
                let mut params = vec![
                    ("grant_type", Grant::RefreshToken.as_grant_type()),
                    ("refresh_token", rt.expose()),
                ];
                // RFC 8707 §2.2: the same resource as the login, so that the new access
                // token is for it too.
                if let Some(r) = self.resource {
                    params.push(("resource", r));
                }
                token_request(
                    self.http,
                    &endpoint,
                    self.client,
                    &params,
                    &origin_headers(self.origin),
                )
            }
            (Some(Renewal::RepeatGrant | Renewal::ExchangeAgain | Renewal::SignAssertion), _) => {
                self.repeat(current.grant, &endpoint)
            }
            _ => {
                return Err(RenewError::Failed(Error::LoginRequired {
                    message: "the access token expired and there is no refresh token".into(),
                    hint: "run `oauthctl login` again".into(),
                }));
            }
        };
        let response = match response {
            Ok(r) => r,
            // Only a refresh token can be dead; a repeated grant's refusal is the answer.
            Err(Error::Rejected(e)) if with_refresh_token && e.is("invalid_grant") => {
                return Err(RenewError::InvalidGrant {
                    description: e.error_description,
                });
            }
            Err(e) => return Err(RenewError::Failed(e)),
        };
        if let Some(raw) = &response.id_token
            && wants_oidc(self.scopes)
            && !self.provider.provider.quirks.no_oidc
        {
            let previous = current
                .id_token
                .as_ref()
                .and_then(|t| jwt::parse(t.expose()).ok())
                .map(|j| j.claims);
            verify_id_token(
                self.http,
                self.cache,
                self.provider,
                self.client,
                raw.expose(),
                None,
                previous,
                self.now,
                self.leeway,
            )
            .map_err(RenewError::Failed)?;
        }
        // The protocol above keeps the old refresh and ID tokens when these are absent.
        let mut fresh = response.into_token_set(
            current.grant,
            &current.issuer,
            &current.client_id,
            &current.scope,
            self.now,
        );
        // The key the request was proven with: the set's own, or one the renewal started.
        fresh.dpop_key = self.client.dpop().map(|d| d.stored().clone());
        Ok(fresh)
    }

    /// The request that repeats `grant` (one whose [`Grant::renewal`] is not
    /// [`Renewal::RefreshToken`]: it needs no user), with the fresh inputs token exchange
    /// and JWT bearer need.
    fn repeat(&self, grant: Grant, endpoint: &Url) -> crate::error::Result<TokenResponse> {
        match (grant, self.fresh) {
            (Grant::ClientCredentials, _) => client_credentials::request(
                self.http,
                endpoint,
                self.client,
                self.scopes,
                self.audience,
                self.resource,
            ),
            (Grant::TokenExchange, Some(Fresh::Exchange(req))) => {
                token_exchange::request(self.http, endpoint, self.client, req, self.now)
            }
            (Grant::JwtBearer, Some(Fresh::Assertion(assertion))) => jwt_bearer::request(
                self.http,
                endpoint,
                self.client,
                assertion,
                self.scopes,
                self.audience,
                self.resource,
            ),
            (Grant::TokenExchange | Grant::JwtBearer, _) => Err(Error::LoginRequired {
                message: format!("there is nothing to renew the {grant} set with"),
                hint: "run `oauthctl login` again".into(),
            }),
            (Grant::AuthorizationCode | Grant::DeviceCode | Grant::RefreshToken, _) => {
                Err(Error::LoginRequired {
                    message: format!("a {grant} grant cannot be repeated without the user"),
                    hint: "run `oauthctl login` again".into(),
                })
            }
        }
    }
}

#[cfg(test)]
mod tests;
