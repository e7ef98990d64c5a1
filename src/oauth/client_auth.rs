//! Client authentication at the token endpoint (RFC 6749 §2.3, OIDC Core §9): which method
//! a client uses, by its registered name. How a request is authenticated with it lives in
//! `flow::client`.

use serde::{Deserialize, Serialize};

/// A client authentication method, spelt as registered (the config file and the provider's
/// metadata use these names).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum AuthMethod {
    /// HTTP Basic with form-urlencoded id and secret.
    #[default]
    ClientSecretBasic,
    /// Id and secret in the form body.
    ClientSecretPost,
    /// A public client: only `client_id`.
    None,
}

impl AuthMethod {
    /// Every method, in the order the command line lists them.
    pub const ALL: [Self; 3] = [Self::ClientSecretBasic, Self::ClientSecretPost, Self::None];

    /// The registered name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::ClientSecretBasic => "client_secret_basic",
            Self::ClientSecretPost => "client_secret_post",
            Self::None => "none",
        }
    }

    /// The method with the registered name `name`.
    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|m| m.as_str() == name)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_as_registered() {
        for m in AuthMethod::ALL {
            assert_eq!(AuthMethod::from_name(m.as_str()), Some(m));
            let json = serde_json::to_string(&m).unwrap();
            assert_eq!(json, format!("\"{}\"", m.as_str()));
        }
        assert_eq!(AuthMethod::from_name("client-secret-basic"), None);
        assert_eq!(AuthMethod::from_name("private_key_jwt"), None);
    }
}
