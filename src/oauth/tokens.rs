//! The cached token set, its expiry maths given a `now`, and the cache key that keeps
//! different logins apart. (The reading of `expires_in` and the token character rules,
//! which token responses share, are in `expires_in` and `token_chars`; re-exported here.)
//!
//! Pure: no I/O, no clock of its own (callers pass `now` in Unix seconds).

use std::collections::BTreeMap;
use std::fmt;
use std::time::Duration;

use serde::{Deserialize, Serialize};

use super::dpop::ProofKey;
pub use super::expires_in::{
    ExpiresInError, MAX_EXPIRES_IN, expires_in_seconds, expiry_from, parse_expires_in_str,
};
use super::grant::{Grant, Renewal};
use super::secret::{AccessToken, IdToken, RefreshToken};
pub use super::token_chars::{TokenCharError, TokenSyntax, check_token_chars};
use super::token_type::TokenType;

/// The on-disk / in-keyring format version of a serialised [`TokenSet`].
pub const TOKEN_SET_VERSION: u32 = 1;

/// Tokens from one successful token response, plus what is needed to use and refresh them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TokenSet {
    /// The access token.
    pub access_token: AccessToken,
    /// How the access token is presented.
    pub token_type: TokenType,
    /// Absolute expiry of the access token in Unix seconds; `None` when the server gave no
    /// `expires_in` (such tokens are treated as not expiring, e.g. GitHub OAuth apps).
    #[serde(default)]
    pub expires_at: Option<i64>,
    /// The refresh token, if any.
    #[serde(default)]
    pub refresh_token: Option<RefreshToken>,
    /// The OpenID Connect ID token, if any.
    #[serde(default)]
    pub id_token: Option<IdToken>,
    /// The granted scopes (the response's `scope`, or the requested ones when it had none).
    #[serde(default)]
    pub scope: Vec<String>,
    /// The grant that produced the set.
    pub grant: Grant,
    /// Issuer the tokens came from.
    pub issuer: String,
    /// Client the tokens were issued to.
    pub client_id: String,
    /// When the token response was received, in Unix seconds.
    pub obtained_at: i64,
    /// The DPoP proof key the tokens are bound to (RFC 9449), kept with them in the same
    /// store entry: it lives as long as they do (a public client's refresh token is bound to
    /// it too) and goes with them at logout.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dpop_key: Option<ProofKey>,
    /// What the token in `access_token` is, when a token exchange said so (RFC 8693
    /// §2.2.1 `issued_token_type`, a URI): an exchange may issue an ID token or another
    /// JWT instead of an access token, stored and printed in its place.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub issued_token_type: Option<String>,
}

/// Why a serialised token set could not be read. Messages never quote the input.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TokenSetDecodeError {
    /// Not JSON, truncated, or not the expected shape.
    #[error("not a valid token cache entry ({0})")]
    Malformed(String),
    /// Written by a different (newer) oauthctl.
    #[error("token cache entry has unsupported format version {0}")]
    UnsupportedVersion(u64),
    /// A token holds characters no token may have (stored unchecked by an older oauthctl);
    /// it is never used or printed.
    #[error("the cached `{field}` {reason}, which no token may have")]
    UnsafeToken {
        field: &'static str,
        reason: TokenCharError,
    },
}

#[derive(Serialize)]
struct WireOut<'a> {
    version: u32,
    #[serde(flatten)]
    tokens: &'a TokenSet,
}

impl TokenSet {
    /// Serialises the set with its format `version`, for a token store.
    pub fn to_json(&self) -> String {
        let wire = WireOut {
            version: TOKEN_SET_VERSION,
            tokens: self,
        };
        // Serialising plain strings, integers and enums into a String cannot fail.
        serde_json::to_string(&wire).unwrap_or_default()
    }

    /// Reads a set written by [`TokenSet::to_json`]. Never panics; the error never contains
    /// any part of the input (which may hold tokens).
    pub fn from_json(bytes: &[u8]) -> Result<Self, TokenSetDecodeError> {
        let mut value: serde_json::Value =
            serde_json::from_slice(bytes).map_err(|e| malformed(&e))?;
        let obj = value
            .as_object_mut()
            .ok_or_else(|| TokenSetDecodeError::Malformed("not a JSON object".into()))?;
        let version = obj
            .remove("version")
            .and_then(|v| v.as_u64())
            .ok_or_else(|| TokenSetDecodeError::Malformed("missing `version`".into()))?;
        if version != u64::from(TOKEN_SET_VERSION) {
            return Err(TokenSetDecodeError::UnsupportedVersion(version));
        }
        // Older versions stored the token type as sent: say what is wrong with it rather
        // than only that it is not a known type.
        if let Some(serde_json::Value::String(t)) = obj.get("token_type") {
            check_token_chars(t, TokenSyntax::Visible).map_err(|reason| {
                TokenSetDecodeError::UnsafeToken {
                    field: "token_type",
                    reason,
                }
            })?;
        }
        let tokens: Self = serde_json::from_value(value).map_err(|e| malformed(&e))?;
        // Older versions stored what the server sent, unchecked: such a set is unusable.
        tokens
            .check_chars()
            .map_err(|(field, e)| TokenSetDecodeError::UnsafeToken { field, reason: e })?;
        Ok(tokens)
    }

    /// Checks every token of the set with [`check_token_chars`]; the error names the field.
    pub fn check_chars(&self) -> Result<(), (&'static str, TokenCharError)> {
        let fields = [
            (
                "access_token",
                Some(self.access_token.expose()),
                TokenSyntax::Visible,
            ),
            (
                "refresh_token",
                self.refresh_token.as_ref().map(RefreshToken::expose),
                TokenSyntax::VisibleOrSpace,
            ),
            (
                "id_token",
                self.id_token.as_ref().map(IdToken::expose),
                TokenSyntax::Visible,
            ),
        ];
        for (field, value, syntax) in fields {
            if let Some(v) = value {
                check_token_chars(v, syntax).map_err(|e| (field, e))?;
            }
        }
        Ok(())
    }

    /// How the access token can be renewed now: with the refresh token when the set has
    /// one, else by repeating the grant when the grant allows it (client credentials; token
    /// exchange and JWT bearer with fresh inputs, which the profile's login says whether it
    /// has), else not at all (a new login is needed).
    pub fn renewal(&self) -> Option<Renewal> {
        if self.refresh_token.is_some() {
            return Some(Renewal::RefreshToken);
        }
        match self.grant.renewal() {
            Renewal::RefreshToken => None,
            other => Some(other),
        }
    }

    /// Seconds until the access token expires (negative once expired); `None` if unknown.
    pub fn remaining(&self, now: i64) -> Option<i64> {
        self.expires_at.map(|at| at.saturating_sub(now))
    }

    /// Whether the access token has expired at `now`. Unknown expiry counts as not expired.
    pub fn is_expired(&self, now: i64) -> bool {
        self.remaining(now).is_some_and(|r| r <= 0)
    }

    /// Whether the access token expires within `min_ttl` of `now` (or already has), i.e.
    /// whether `token --min-ttl` should refresh it first.
    ///
    /// The margin is at most half the token's lifetime: a server that issues 30-second
    /// tokens would otherwise make every call with the default 60 s margin refresh, and
    /// parallel callers would refresh once each instead of sharing one new token.
    pub fn expires_within(&self, now: i64, min_ttl: Duration) -> bool {
        let mut ttl = i64::try_from(min_ttl.as_secs()).unwrap_or(i64::MAX);
        if let Some(lifetime) = self.expires_at.map(|e| e.saturating_sub(self.obtained_at))
            && lifetime > 0
        {
            ttl = ttl.min(lifetime / 2);
        }
        self.remaining(now).is_some_and(|r| r <= ttl)
    }
}

/// serde_json's messages can quote the offending value (a token); keep only the category
/// and position.
fn malformed(e: &serde_json::Error) -> TokenSetDecodeError {
    let what = match e.classify() {
        serde_json::error::Category::Io => "read error",
        serde_json::error::Category::Syntax => "invalid JSON",
        serde_json::error::Category::Data => "unexpected field types",
        serde_json::error::Category::Eof => "truncated",
    };
    if e.line() == 0 {
        TokenSetDecodeError::Malformed(what.to_owned())
    } else {
        TokenSetDecodeError::Malformed(format!("{what} at line {} column {}", e.line(), e.column()))
    }
}

/// Identifies one cached token set: a SHA-256 over issuer, client id, the sorted set of
/// scopes, audience and resource, so that tokens granted for one of these are never
/// handed out for another. Rendered as 64 lowercase hex characters,
/// so it is safe as a file name and a keyring account.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct CacheKey(String);

impl CacheKey {
    /// Derives the key. Scopes are split on whitespace, sorted and de-duplicated, so
    /// `["b a", "a"]` and `["a", "b"]` give the same key. An empty audience or resource is
    /// the same as none.
    pub fn new<S: AsRef<str>>(
        issuer: &str,
        client_id: &str,
        scopes: &[S],
        audience: Option<&str>,
        resource: Option<&str>,
    ) -> Self {
        let scopes = normalize_scopes(scopes);
        let mut ctx = aws_lc_rs::digest::Context::new(&aws_lc_rs::digest::SHA256);
        ctx.update(b"oauthctl-cache-key-v1");
        // Each field is tagged and length-prefixed, so no two inputs share an encoding.
        let mut field = |tag: u8, value: Option<&str>| {
            ctx.update(&[tag]);
            match value.filter(|v| !v.is_empty()) {
                None => ctx.update(&[0]),
                Some(v) => {
                    ctx.update(&[1]);
                    ctx.update(&(v.len() as u64).to_be_bytes());
                    ctx.update(v.as_bytes());
                }
            }
        };
        field(b'i', Some(issuer));
        field(b'c', Some(client_id));
        field(b'a', audience);
        field(b'r', resource);
        ctx.update(b"s");
        ctx.update(&(scopes.len() as u64).to_be_bytes());
        for s in &scopes {
            ctx.update(&(s.len() as u64).to_be_bytes());
            ctx.update(s.as_bytes());
        }
        Self(hex(ctx.finish().as_ref()))
    }

    /// The same key for a login that sent the extra authorization request parameters
    /// `params` (`--param K=V`, a profile's `params`): logins that differ only in those
    /// never share a cached set. No parameters leave the key as it is, so the keys of
    /// logins without any stay what earlier releases derived.
    #[must_use]
    pub fn with_params(self, params: &BTreeMap<String, String>) -> Self {
        if params.is_empty() {
            return self;
        }
        let mut ctx = aws_lc_rs::digest::Context::new(&aws_lc_rs::digest::SHA256);
        ctx.update(b"oauthctl-cache-key-params-v1");
        ctx.update(self.0.as_bytes());
        ctx.update(&(params.len() as u64).to_be_bytes());
        for (name, value) in params {
            for part in [name, value] {
                ctx.update(&(part.len() as u64).to_be_bytes());
                ctx.update(part.as_bytes());
            }
        }
        Self(hex(ctx.finish().as_ref()))
    }

    /// The same key within profile `profile`: two profiles that log in to the same client
    /// with the same scopes (alice and bob) never share a cached set.
    #[must_use]
    pub fn for_profile(self, profile: &str) -> Self {
        let mut ctx = aws_lc_rs::digest::Context::new(&aws_lc_rs::digest::SHA256);
        ctx.update(b"oauthctl-cache-key-profile-v1");
        ctx.update(&(profile.len() as u64).to_be_bytes());
        ctx.update(profile.as_bytes());
        ctx.update(self.0.as_bytes());
        Self(hex(ctx.finish().as_ref()))
    }

    /// The key as 64 hex characters.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Accepts only what [`CacheKey::new`] produces (64 lowercase hex characters).
    pub fn parse(text: &str) -> Option<Self> {
        (text.len() == 64 && text.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f')))
            .then(|| Self(text.to_owned()))
    }
}

impl fmt::Display for CacheKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl TryFrom<String> for CacheKey {
    type Error = String;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(&value).ok_or_else(|| "a cache key is 64 lowercase hex characters".to_owned())
    }
}

impl From<CacheKey> for String {
    fn from(key: CacheKey) -> Self {
        key.0
    }
}

/// Scopes split on whitespace, sorted, de-duplicated.
pub fn normalize_scopes<S: AsRef<str>>(scopes: &[S]) -> Vec<String> {
    let mut out: Vec<String> = scopes
        .iter()
        .flat_map(|s| s.as_ref().split_whitespace())
        .map(str::to_owned)
        .collect();
    out.sort();
    out.dedup();
    out
}

/// Lowercase hex.
pub(crate) fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut s = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        s.push(char::from(DIGITS[usize::from(b >> 4)]));
        s.push(char::from(DIGITS[usize::from(b & 0x0f)]));
    }
    s
}

#[cfg(test)]
mod tests;
