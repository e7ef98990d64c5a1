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
    /// Token exchange (RFC 8693): a token for another token (a subject, and an actor for
    /// delegation), narrower or for another audience.
    TokenExchange,
    /// A JWT as an authorization grant (RFC 7523 §2.1): an assertion signed by a key the
    /// server trusts stands for the subject it names.
    JwtBearer,
}

/// How a token set whose access token expires gets a new one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Renewal {
    /// The refresh token grant with the set's refresh token (RFC 6749 §6).
    RefreshToken,
    /// The same grant again: it needs no user, only the client's credentials (client
    /// credentials, RFC 6749 §4.4.3: no refresh token should be issued).
    RepeatGrant,
    /// The token exchange again, with the parent's current token as the subject (RFC 8693
    /// issues no refresh token for an exchanged one, as a rule): the parent is renewed
    /// first when it needs it.
    ExchangeAgain,
    /// The JWT bearer grant again with a newly signed assertion (an assertion's `jti` is
    /// single use, RFC 7523 §3): possible only when oauthctl signed it from a key file.
    SignAssertion,
}

impl Grant {
    /// Every grant, in the order the dev server advertises them.
    pub const ALL: [Self; 6] = [
        Self::AuthorizationCode,
        Self::RefreshToken,
        Self::ClientCredentials,
        Self::DeviceCode,
        Self::TokenExchange,
        Self::JwtBearer,
    ];

    /// The `grant_type` parameter of the token request.
    pub fn as_grant_type(self) -> &'static str {
        match self {
            Self::AuthorizationCode => "authorization_code",
            // RFC 8628 §3.4.
            Self::DeviceCode => "urn:ietf:params:oauth:grant-type:device_code",
            Self::ClientCredentials => "client_credentials",
            Self::RefreshToken => "refresh_token",
            // RFC 8693 §2.1.
            Self::TokenExchange => "urn:ietf:params:oauth:grant-type:token-exchange",
            // RFC 7523 §2.1.
            Self::JwtBearer => "urn:ietf:params:oauth:grant-type:jwt-bearer",
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
            Self::TokenExchange => "token_exchange",
            Self::JwtBearer => "jwt_bearer",
        }
    }

    /// How a set this grant produced is renewed: [`Renewal::RepeatGrant`] for a grant that
    /// needs no user, the grant again with fresh inputs for token exchange and JWT bearer,
    /// else with a refresh token. A set's own refresh token, when it has one, is used first
    /// whatever the grant (see [`super::tokens::TokenSet::renewal`]).
    pub fn renewal(self) -> Renewal {
        match self {
            Self::ClientCredentials => Renewal::RepeatGrant,
            Self::TokenExchange => Renewal::ExchangeAgain,
            Self::JwtBearer => Renewal::SignAssertion,
            Self::AuthorizationCode | Self::DeviceCode | Self::RefreshToken => {
                Renewal::RefreshToken
            }
        }
    }

    /// Whether only a confidential client (one that authenticates) may use the grant
    /// (RFC 6749 §4.4: the client credentials grant). Token exchange and JWT bearer leave
    /// client authentication to the server's policy (RFC 8693 §2.1, RFC 7523 §3.1).
    pub fn needs_client_authentication(self) -> bool {
        match self {
            Self::ClientCredentials => true,
            Self::AuthorizationCode
            | Self::DeviceCode
            | Self::RefreshToken
            | Self::TokenExchange
            | Self::JwtBearer => false,
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
        assert_eq!(
            Grant::TokenExchange.as_grant_type(),
            "urn:ietf:params:oauth:grant-type:token-exchange"
        );
        assert_eq!(
            Grant::JwtBearer.as_grant_type(),
            "urn:ietf:params:oauth:grant-type:jwt-bearer"
        );
        for unknown in [
            "",
            "password",
            "implicit",
            "device_code",
            "token_exchange",
            "jwt_bearer",
            "urn:ietf:params:oauth:grant-type:saml2-bearer",
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
            (Grant::TokenExchange, "token_exchange"),
            (Grant::JwtBearer, "jwt_bearer"),
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
        assert_eq!(Grant::TokenExchange.renewal(), Renewal::ExchangeAgain);
        assert_eq!(Grant::JwtBearer.renewal(), Renewal::SignAssertion);
        for g in [Grant::TokenExchange, Grant::JwtBearer] {
            assert!(!g.needs_client_authentication(), "{g}");
        }
    }
}
