//! The grant: how a token set was obtained (RFC 6749 §1.3), from `login --flow` through the
//! token request, the token cache and its renewal to the dev server's token endpoint.
//!
//! A grant knows three things: its `grant_type` parameter at the token endpoint, its name
//! in the token cache and in JSON output (stable: caches written by earlier releases carry
//! these names), and how a set it produced is renewed. Adding a grant means a variant here
//! (the compiler then points at every `match` that must decide about it), its request in
//! `flow/`, its `login --flow` value in `cli/`, and its handler in the dev server.
//!
//! Pure: no I/O.

use std::fmt;

use serde::{Deserialize, Serialize};

/// How a token set was obtained.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Grant {
    /// Authorization code + PKCE (RFC 6749 §4.1, RFC 7636).
    AuthorizationCode,
    /// Device authorization grant (RFC 8628).
    DeviceCode,
    /// Client credentials (RFC 6749 §4.4).
    ClientCredentials,
    /// A refresh (RFC 6749 §6): at the token endpoint, the renewal of another grant's set;
    /// in a cache entry, a set whose original grant is unknown.
    RefreshToken,
}

/// How a token set whose access token expires gets a new one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Renewal {
    /// The refresh token grant with the set's refresh token (RFC 6749 §6).
    RefreshToken,
    /// The same grant again: it needs no user, only the client's credentials (client
    /// credentials, RFC 6749 §4.4.3: no refresh token should be issued).
    RepeatGrant,
}

impl Grant {
    /// Every grant, in the order the dev server advertises them.
    pub const ALL: [Self; 4] = [
        Self::AuthorizationCode,
        Self::RefreshToken,
        Self::ClientCredentials,
        Self::DeviceCode,
    ];

    /// The `grant_type` parameter of the token request.
    pub fn as_grant_type(self) -> &'static str {
        match self {
            Self::AuthorizationCode => "authorization_code",
            // RFC 8628 §3.4.
            Self::DeviceCode => "urn:ietf:params:oauth:grant-type:device_code",
            Self::ClientCredentials => "client_credentials",
            Self::RefreshToken => "refresh_token",
        }
    }

    /// The grant a token request's `grant_type` names (exact match, RFC 6749 §4.1.3).
    pub fn from_grant_type(value: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|g| g.as_grant_type() == value)
    }

    /// The grant's name in the token cache and in JSON output (`login --json`'s `grant`).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::AuthorizationCode => "authorization_code",
            Self::DeviceCode => "device_code",
            Self::ClientCredentials => "client_credentials",
            Self::RefreshToken => "refresh_token",
        }
    }

    /// How a set this grant produced is renewed: [`Renewal::RepeatGrant`] for a grant that
    /// needs no user, else with a refresh token. A set's own refresh token, when it has one,
    /// is used first whatever the grant (see [`super::tokens::TokenSet::renewal`]).
    pub fn renewal(self) -> Renewal {
        match self {
            Self::ClientCredentials => Renewal::RepeatGrant,
            Self::AuthorizationCode | Self::DeviceCode | Self::RefreshToken => {
                Renewal::RefreshToken
            }
        }
    }

    /// Whether only a confidential client (one that authenticates) may use the grant
    /// (RFC 6749 §4.4: the client credentials grant).
    pub fn needs_client_authentication(self) -> bool {
        match self {
            Self::ClientCredentials => true,
            Self::AuthorizationCode | Self::DeviceCode | Self::RefreshToken => false,
        }
    }
}

impl fmt::Display for Grant {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn grant_types_round_trip() {
        for g in Grant::ALL {
            assert_eq!(Grant::from_grant_type(g.as_grant_type()), Some(g), "{g}");
        }
        assert_eq!(
            Grant::DeviceCode.as_grant_type(),
            "urn:ietf:params:oauth:grant-type:device_code"
        );
        for unknown in [
            "",
            "password",
            "implicit",
            "device_code",
            "AUTHORIZATION_CODE",
            "authorization_code ",
        ] {
            assert_eq!(Grant::from_grant_type(unknown), None, "{unknown:?}");
        }
    }

    #[test]
    fn cache_names_are_stable() {
        // Token caches written by earlier releases carry these names: never change them.
        let names = [
            (Grant::AuthorizationCode, "authorization_code"),
            (Grant::DeviceCode, "device_code"),
            (Grant::ClientCredentials, "client_credentials"),
            (Grant::RefreshToken, "refresh_token"),
        ];
        for (g, name) in names {
            assert_eq!(g.as_str(), name);
            assert_eq!(g.to_string(), name);
            assert_eq!(serde_json::to_value(g).unwrap(), name);
            assert_eq!(
                serde_json::from_value::<Grant>(serde_json::json!(name)).unwrap(),
                g
            );
        }
        assert!(serde_json::from_str::<Grant>("\"password\"").is_err());
    }

    #[test]
    fn renewal_and_client_authentication() {
        assert_eq!(Grant::ClientCredentials.renewal(), Renewal::RepeatGrant);
        for g in [
            Grant::AuthorizationCode,
            Grant::DeviceCode,
            Grant::RefreshToken,
        ] {
            assert_eq!(g.renewal(), Renewal::RefreshToken, "{g}");
            assert!(!g.needs_client_authentication(), "{g}");
        }
        assert!(Grant::ClientCredentials.needs_client_authentication());
    }
}
