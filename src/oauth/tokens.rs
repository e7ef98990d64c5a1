//! The cached token set, its expiry maths given a `now`, and the cache key that keeps
//! different logins apart. (The reading of `expires_in` and the token character rules,
//! which token responses share, are in `expires_in` and `token_chars`; re-exported here.)
//!
//! Pure: no I/O, no clock of its own (callers pass `now` in Unix seconds).

use std::collections::BTreeMap;
use std::fmt;
use std::time::Duration;

use serde::{Deserialize, Serialize};

pub use super::expires_in::{
    ExpiresInError, MAX_EXPIRES_IN, expires_in_seconds, expiry_from, parse_expires_in_str,
};
use super::secret::Secret;
pub use super::token_chars::{TokenCharError, TokenSyntax, check_token_chars};

/// The on-disk / in-keyring format version of a serialised [`TokenSet`].
pub const TOKEN_SET_VERSION: u32 = 1;

/// Which grant produced a token set.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Grant {
    /// Authorization code + PKCE (RFC 6749 §4.1, RFC 7636).
    AuthorizationCode,
    /// Device authorization grant (RFC 8628).
    DeviceCode,
    /// Client credentials (RFC 6749 §4.4).
    ClientCredentials,
    /// A refresh (RFC 6749 §6) of a set whose original grant is unknown.
    RefreshToken,
}

impl Grant {
    /// The grant's name as in the JSON output.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::AuthorizationCode => "authorization_code",
            Self::DeviceCode => "device_code",
            Self::ClientCredentials => "client_credentials",
            Self::RefreshToken => "refresh_token",
        }
    }
}

/// Tokens from one successful token response, plus what is needed to use and refresh them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TokenSet {
    /// The access token.
    pub access_token: Secret,
    /// The token type, normally `Bearer`.
    pub token_type: String,
    /// Absolute expiry of the access token in Unix seconds; `None` when the server gave no
    /// `expires_in` (such tokens are treated as not expiring, e.g. GitHub OAuth apps).
    #[serde(default)]
    pub expires_at: Option<i64>,
    /// The refresh token, if any.
    #[serde(default)]
    pub refresh_token: Option<Secret>,
    /// The OpenID Connect ID token, if any.
    #[serde(default)]
    pub id_token: Option<Secret>,
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
        let tokens: Self = serde_json::from_value(value).map_err(|e| malformed(&e))?;
        // Older versions stored what the server sent, unchecked: such a set is unusable.
        tokens
            .check_chars()
            .map_err(|(field, e)| TokenSetDecodeError::UnsafeToken { field, reason: e })?;
        Ok(tokens)
    }

    /// Checks every token of the set (and the token type) with [`check_token_chars`];
    /// the error names the field.
    pub fn check_chars(&self) -> Result<(), (&'static str, TokenCharError)> {
        let fields = [
            (
                "access_token",
                Some(&self.access_token),
                TokenSyntax::Visible,
            ),
            (
                "refresh_token",
                self.refresh_token.as_ref(),
                TokenSyntax::VisibleOrSpace,
            ),
            ("id_token", self.id_token.as_ref(), TokenSyntax::Visible),
        ];
        for (field, value, syntax) in fields {
            if let Some(v) = value {
                check_token_chars(v.expose(), syntax).map_err(|e| (field, e))?;
            }
        }
        check_token_chars(&self.token_type, TokenSyntax::Visible).map_err(|e| ("token_type", e))
    }

    /// Seconds until the access token expires (negative once expired); `None` if unknown.
    pub fn remaining(&self, now: i64) -> Option<i64> {
        self.expires_at.map(|at| at.saturating_sub(now))
    }

    /// The set a token response makes, received at `now`. Without a `scope` in the response
    /// the granted scopes are `scope_if_absent` (what was requested, or held before).
    pub fn from_response(
        response: &super::token_response::TokenResponse,
        grant: Grant,
        issuer: &str,
        client_id: &str,
        scope_if_absent: &[String],
        now: i64,
    ) -> Self {
        let scope = response
            .scope
            .as_deref()
            .map_or_else(|| scope_if_absent.to_vec(), |s| normalize_scopes(&[s]));
        Self {
            access_token: Secret::new(response.access_token.clone()),
            token_type: response.token_type.clone(),
            expires_at: response.expires_in.map(|e| expiry_from(now, e)),
            refresh_token: response.refresh_token.clone().map(Secret::new),
            id_token: response.id_token.clone().map(Secret::new),
            scope,
            grant,
            issuer: issuer.to_owned(),
            client_id: client_id.to_owned(),
            obtained_at: now,
        }
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
/// scopes, audience and resource (security C29). Rendered as 64 lowercase hex characters,
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
mod tests {
    use super::*;
    use serde_json::json;

    pub(crate) fn sample() -> TokenSet {
        TokenSet {
            access_token: Secret::new("at-secret-value"),
            token_type: "Bearer".into(),
            expires_at: Some(13_600),
            refresh_token: Some(Secret::new("rt-secret-value")),
            id_token: Some(Secret::new("idt-secret-value")),
            scope: vec!["openid".into(), "profile".into()],
            grant: Grant::AuthorizationCode,
            issuer: "https://issuer.example".into(),
            client_id: "cli".into(),
            obtained_at: 10_000,
        }
    }

    #[test]
    fn the_refresh_margin_is_at_most_half_the_lifetime() {
        let mut t = TokenSet::from_json(
            br#"{"version":1,"access_token":"a","token_type":"Bearer","expires_at":1030,"scope":[],"grant":"authorization_code","issuer":"i","client_id":"c","obtained_at":1000}"#,
        )
        .unwrap();
        let sixty = Duration::from_secs(60);
        // A 30 s token: the 60 s margin becomes 15 s.
        assert!(!t.expires_within(1000, sixty));
        assert!(!t.expires_within(1014, sixty));
        assert!(t.expires_within(1015, sixty));
        // A one-hour token keeps the full margin.
        t.expires_at = Some(4600);
        assert!(!t.expires_within(4539, sixty));
        assert!(t.expires_within(4540, sixty));
    }

    #[test]
    fn profiles_never_share_a_key() {
        let k = CacheKey::new("https://as", "cli", &["openid"], None, None);
        let alice = k.clone().for_profile("alice");
        let bob = k.clone().for_profile("bob");
        assert_ne!(alice, bob);
        assert_ne!(alice, k);
        assert_eq!(alice, k.for_profile("alice"));
        assert!(CacheKey::parse(alice.as_str()).is_some());
    }

    #[test]
    fn serde_round_trip_with_version() {
        let t = sample();
        let json = t.to_json();
        let v: serde_json::Value = serde_json::from_str(&json).unwrap();
        assert_eq!(v["version"], 1);
        assert_eq!(v["grant"], "authorization_code");
        assert_eq!(TokenSet::from_json(json.as_bytes()).unwrap(), t);
    }

    #[test]
    fn optional_fields_may_be_missing() {
        let json = br#"{"version":1,"access_token":"a","token_type":"Bearer","grant":"client_credentials","issuer":"i","client_id":"c","obtained_at":5}"#;
        let t = TokenSet::from_json(json).unwrap();
        assert_eq!(t.refresh_token, None);
        assert_eq!(t.expires_at, None);
        assert!(t.scope.is_empty());
    }

    #[test]
    fn decode_errors_never_quote_the_input() {
        let cases: Vec<&[u8]> = vec![
            br#"{"version":1,"access_token":42,"token_type":"SECRETVALUE"}"#,
            br#"{"version":1,"access_token":"SECRETVALUE","grant":"SECRETVALUE"}"#,
            br#"{"version":"SECRETVALUE"}"#,
            br#"["SECRETVALUE"]"#,
            br#"{"version":1,"access_token":"SECRETVALUE"#,
            b"SECRETVALUE",
        ];
        for c in cases {
            let e = TokenSet::from_json(c).unwrap_err();
            assert!(!e.to_string().contains("SECRETVALUE"), "{e}");
            assert!(!format!("{e:?}").contains("SECRETVALUE"), "{e:?}");
        }
    }

    #[test]
    fn a_cached_set_with_control_characters_is_unusable() {
        // Issue #12 item 1: what an older oauthctl stored unchecked is never handed out.
        for (field, value) in [
            ("access_token", "at\r\nX-Injected: SECRETVALUE"),
            ("refresh_token", "rt\u{1b}]0;SECRETVALUE\u{7}"),
            ("id_token", "a.b.c\n"),
            ("token_type", "Bearer\r\nX: y"),
        ] {
            let mut v: serde_json::Value = serde_json::from_str(&sample().to_json()).unwrap();
            v[field] = json!(value);
            let e = TokenSet::from_json(v.to_string().as_bytes()).unwrap_err();
            assert!(
                matches!(e, TokenSetDecodeError::UnsafeToken { field: f, .. } if f == field),
                "{e:?}"
            );
            let msg = e.to_string();
            assert!(
                msg.contains(field) && msg.contains("control character"),
                "{msg}"
            );
            assert!(!msg.contains("SECRETVALUE"), "{msg}");
        }
        let mut v: serde_json::Value = serde_json::from_str(&sample().to_json()).unwrap();
        v["refresh_token"] = json!("refresh with spaces");
        assert!(TokenSet::from_json(v.to_string().as_bytes()).is_ok());
    }

    #[test]
    fn unknown_version_is_reported() {
        let mut v: serde_json::Value = serde_json::from_str(&sample().to_json()).unwrap();
        v["version"] = json!(7);
        assert_eq!(
            TokenSet::from_json(v.to_string().as_bytes()),
            Err(TokenSetDecodeError::UnsupportedVersion(7))
        );
    }

    #[test]
    fn debug_of_a_token_set_redacts_every_secret() {
        let dbg = format!("{:?}", sample());
        assert!(!dbg.contains("secret-value"), "{dbg}");
        assert!(dbg.contains("[redacted]"));
    }

    #[test]
    fn expiry_maths() {
        let t = TokenSet {
            expires_at: Some(1000),
            ..sample()
        };
        assert_eq!(t.remaining(900), Some(100));
        assert!(!t.is_expired(999));
        assert!(t.is_expired(1000));
        assert!(t.expires_within(940, Duration::from_secs(60)));
        assert!(!t.expires_within(939, Duration::from_secs(60)));
        assert!(t.expires_within(2000, Duration::ZERO));
        // Extreme inputs saturate instead of overflowing.
        assert!(t.expires_within(i64::MIN, Duration::MAX));
        assert!(t.is_expired(i64::MAX));
        let forever = TokenSet {
            expires_at: None,
            ..sample()
        };
        assert!(!forever.is_expired(i64::MAX));
        assert!(!forever.expires_within(0, Duration::MAX));
    }

    #[test]
    fn cache_key_separates_what_must_not_share_a_token() {
        let base = CacheKey::new("https://i", "c", &["a", "b"], Some("aud"), None);
        let variants = [
            CacheKey::new("https://j", "c", &["a", "b"], Some("aud"), None),
            CacheKey::new("https://i", "d", &["a", "b"], Some("aud"), None),
            CacheKey::new("https://i", "c", &["a"], Some("aud"), None),
            CacheKey::new("https://i", "c", &["a", "b", "c"], Some("aud"), None),
            CacheKey::new("https://i", "c", &["a", "b"], Some("aud2"), None),
            CacheKey::new("https://i", "c", &["a", "b"], None, None),
            CacheKey::new("https://i", "c", &["a", "b"], None, Some("aud")),
            CacheKey::new("https://i", "c", &["a", "b"], Some("aud"), Some("r")),
            // Field boundaries are unambiguous.
            CacheKey::new("https://ic", "", &["a", "b"], Some("aud"), None),
            CacheKey::new("https://i", "c", &["ab"], Some("aud"), None),
        ];
        for v in &variants {
            assert_ne!(&base, v);
        }
        let mut all: Vec<&CacheKey> = variants.iter().collect();
        all.sort();
        all.dedup();
        assert_eq!(all.len(), variants.len());
    }

    #[test]
    fn cache_key_is_stable_and_scope_order_insensitive() {
        let a = CacheKey::new("https://i", "c", &["b", "a", "a"], Some("aud"), None);
        let b = CacheKey::new("https://i", "c", &["a b"], Some("aud"), Some(""));
        assert_eq!(a, b);
        assert_eq!(a.as_str().len(), 64);
        assert!(CacheKey::parse(a.as_str()).is_some());
        // Stable across releases: a change here orphans every user's cache.
        assert_eq!(
            CacheKey::new("https://issuer.example", "cli", &["openid"], None, None).as_str(),
            "c43d07550e6b0d5da2d901e5e3b5b7869a7de9dc7352278c56b8da2beca3dfe9"
        );
    }

    #[test]
    fn extra_parameters_are_part_of_the_key() {
        let base = CacheKey::new("https://i", "c", &["openid"], None, None);
        let params = |pairs: &[(&str, &str)]| -> BTreeMap<String, String> {
            pairs
                .iter()
                .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
                .collect()
        };
        // None: the key of earlier releases.
        assert_eq!(base.clone().with_params(&BTreeMap::new()), base);
        let a = base.clone().with_params(&params(&[("acr_values", "a")]));
        let b = base.clone().with_params(&params(&[("acr_values", "b")]));
        let other = base.clone().with_params(&params(&[("organization", "a")]));
        let both = base
            .clone()
            .with_params(&params(&[("acr_values", "a"), ("organization", "x")]));
        // Field boundaries are unambiguous.
        let shifted = base.clone().with_params(&params(&[("acr_valuesa", "")]));
        let keys = [&base, &a, &b, &other, &both, &shifted];
        for (i, x) in keys.iter().enumerate() {
            for y in &keys[i + 1..] {
                assert_ne!(x, y);
            }
        }
        assert_eq!(a, base.with_params(&params(&[("acr_values", "a")])));
        assert!(CacheKey::parse(a.as_str()).is_some());
    }

    #[test]
    fn cache_key_parse_rejects_paths() {
        assert!(CacheKey::parse("../../etc/passwd").is_none());
        assert!(CacheKey::parse(&"A".repeat(64)).is_none());
        assert!(serde_json::from_str::<CacheKey>("\"../x\"").is_err());
    }
}
