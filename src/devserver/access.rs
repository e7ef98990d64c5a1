//! Self-contained access tokens (RFC 9068): the server keeps no record of the access tokens
//! it issues. Every endpoint that takes one (the demo API, `/userinfo`, `/introspect`,
//! `/revoke`, token exchange) verifies it here instead: header `typ: at+jwt`, a `kid` naming
//! one of the server's current keys (the previous ones after a rotation included), the
//! signature with that key's algorithm (so `alg: none` and other algorithms are refused),
//! the exact `iss`, `exp` (no leeway) and, where the endpoint asks, `aud`. Everything the
//! endpoints need is in the token: `sub`, `client_id`, `scope`, `roles`, `aud`, `cnf`,
//! `act`, `username` (for a token issued for one of the server's users) and `grant_id`
//! (for a token from a code or device sign-in and its refreshes, so that revoking the
//! grant revokes it).
//!
//! Revocation is the one piece of state: a revoked token's `jti`, and a revoked grant's
//! id, are on denylists (`super::denylist`) until the tokens concerned have expired.

use serde::Deserialize;
use serde_json::Value;

use super::App;
use super::keys::{Own, Unverified};
use super::sender::Cnf;
use super::state::Store;

/// What an access token says (RFC 9068 §2.2 and this server's own claims).
#[derive(Debug, Clone, Deserialize)]
pub(crate) struct Claims {
    pub sub: String,
    pub aud: String,
    pub exp: u64,
    pub iat: u64,
    #[serde(default)]
    pub nbf: Option<u64>,
    pub jti: String,
    pub client_id: String,
    #[serde(default)]
    pub scope: String,
    #[serde(default)]
    pub roles: Vec<String>,
    /// The token's binding (RFC 7800), if any.
    #[serde(default)]
    pub cnf: Option<Cnf>,
    /// Who acts for the subject (RFC 8693 §4.1), in a delegated token.
    #[serde(default)]
    pub act: Option<Value>,
    /// The user the token was issued for (then equal to `sub`), if one of the server's.
    #[serde(default)]
    pub username: Option<String>,
    /// The grant (a code or device sign-in, and its refreshes) the token came from.
    #[serde(default)]
    pub grant_id: Option<u64>,
}

impl Claims {
    /// The scope values.
    pub(crate) fn scopes(&self) -> Vec<String> {
        self.scope.split_whitespace().map(str::to_owned).collect()
    }

    /// Whether the token has scope `s`.
    pub(crate) fn has_scope(&self, s: &str) -> bool {
        self.scope.split(' ').any(|x| x == s)
    }

    /// The binding, empty for a bearer token.
    pub(crate) fn binding(&self) -> Cnf {
        self.cnf.clone().unwrap_or_default()
    }
}

/// Why a token is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Invalid {
    Malformed,
    NotAccessToken,
    UnknownKey,
    Expired,
    NotYetValid,
    Audience,
    Issuer,
    Signature,
    Claims,
    Revoked,
}

impl Invalid {
    /// The `error_description` of the refusal.
    pub(crate) fn describe(self) -> &'static str {
        match self {
            Self::Malformed => "malformed token",
            Self::NotAccessToken => "not an access token (typ must be at+jwt)",
            Self::UnknownKey => "unknown signing key",
            Self::Expired => "the token expired",
            Self::NotYetValid => "the token is not valid yet",
            Self::Audience => "wrong audience",
            Self::Issuer => "wrong issuer",
            Self::Signature => "bad signature",
            Self::Claims => "invalid token",
            Self::Revoked => "the token was revoked",
        }
    }
}

/// Verifies `token` as an access token of this server (see the module documentation),
/// with `aud` one of `audiences` when given; not whether it was revoked.
pub(crate) fn verify(
    app: &App,
    token: &str,
    audiences: Option<&[String]>,
) -> Result<Claims, Invalid> {
    let own = Own {
        issuer: &app.issuer,
        typ: Some("at+jwt"),
        required: &["exp", "iss", "aud", "sub"],
        audiences,
    };
    let (_, claims): (_, Claims) = app.keys().verify_own(token, &own).map_err(|e| match e {
        Unverified::Malformed => Invalid::Malformed,
        Unverified::Typ => Invalid::NotAccessToken,
        Unverified::UnknownKey => Invalid::UnknownKey,
        Unverified::Audience => Invalid::Audience,
        Unverified::Issuer => Invalid::Issuer,
        Unverified::Signature => Invalid::Signature,
        Unverified::Claims => Invalid::Claims,
    })?;
    // Both against the server's settable clock (the JWT library would read the real time).
    let now = app.now_ms() / 1000;
    if claims.exp <= now {
        return Err(Invalid::Expired);
    }
    if claims.nbf.is_some_and(|nbf| nbf > now) {
        return Err(Invalid::NotYetValid);
    }
    Ok(claims)
}

/// Whether the token `claims` describe was revoked, alone or with its grant.
pub(crate) fn revoked(store: &Store, claims: &Claims, now_s: u64) -> bool {
    store.revoked_tokens.contains(&claims.jti, now_s) || store.grant_revoked(claims.grant_id, now_s)
}

/// [`verify`], then refused if revoked.
pub(crate) fn check(
    app: &App,
    token: &str,
    audiences: Option<&[String]>,
) -> Result<Claims, Invalid> {
    let claims = verify(app, token, audiences)?;
    if revoked(&app.store(), &claims, app.now_ms() / 1000) {
        return Err(Invalid::Revoked);
    }
    Ok(claims)
}

/// Revokes the grant `id` with its refresh tokens and its access tokens; the access tokens
/// stay denied until the longest access-token lifetime has passed from now.
pub(crate) fn revoke_grant(app: &App, store: &mut Store, id: u64) {
    let now_s = app.now_ms() / 1000;
    store.revoke_family(id, now_s, now_s + app.cfg.access_token_ttl.as_secs());
}
