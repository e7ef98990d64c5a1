//! Client authentication at the token endpoint (RFC 6749 §2.3, OIDC Core §9, RFC 7523 §2.2,
//! RFC 8705 §2): which method a client uses, by its registered name. How a request is
//! authenticated with it lives in `flow::client`; the assertions of the JWT methods are built
//! by `oauth::client_assertion`.

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
    /// A JWT signed with the client's private key (RFC 7523 §2.2, OIDC Core §9).
    PrivateKeyJwt,
    /// A JWT with an HMAC of the client secret (OIDC Core §9).
    ClientSecretJwt,
    /// A client certificate issued by a CA the server trusts (RFC 8705 §2.1).
    TlsClientAuth,
    /// A self-signed client certificate registered with the server (RFC 8705 §2.2).
    SelfSignedTlsClientAuth,
}

impl AuthMethod {
    /// Every method, in the order the command line lists them.
    pub const ALL: [Self; 7] = [
        Self::ClientSecretBasic,
        Self::ClientSecretPost,
        Self::None,
        Self::PrivateKeyJwt,
        Self::ClientSecretJwt,
        Self::TlsClientAuth,
        Self::SelfSignedTlsClientAuth,
    ];

    /// The registered name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::ClientSecretBasic => "client_secret_basic",
            Self::ClientSecretPost => "client_secret_post",
            Self::None => "none",
            Self::PrivateKeyJwt => "private_key_jwt",
            Self::ClientSecretJwt => "client_secret_jwt",
            Self::TlsClientAuth => "tls_client_auth",
            Self::SelfSignedTlsClientAuth => "self_signed_tls_client_auth",
        }
    }

    /// What the method authenticates with.
    pub fn credential(self) -> Credential {
        match self {
            Self::ClientSecretBasic | Self::ClientSecretPost | Self::ClientSecretJwt => {
                Credential::Secret
            }
            Self::PrivateKeyJwt => Credential::PrivateKey,
            Self::TlsClientAuth | Self::SelfSignedTlsClientAuth => Credential::Certificate,
            Self::None => Credential::Nothing,
        }
    }

    /// The method with the registered name `name`.
    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|m| m.as_str() == name)
    }
}

/// What a client authentication method needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Credential {
    /// A client secret (`client_secret_basic`, `client_secret_post`, `client_secret_jwt`).
    Secret,
    /// A private key (`private_key_jwt`).
    PrivateKey,
    /// A client certificate and its key (`tls_client_auth`, `self_signed_tls_client_auth`).
    Certificate,
    /// Nothing: a public client.
    Nothing,
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
        assert_eq!(
            AuthMethod::from_name("private_key_jwt"),
            Some(AuthMethod::PrivateKeyJwt)
        );
        assert_eq!(
            AuthMethod::from_name("self_signed_tls_client_auth"),
            Some(AuthMethod::SelfSignedTlsClientAuth)
        );
        assert_eq!(
            AuthMethod::from_name("client_secret_jwt ").map(|_| ()),
            None
        );
    }

    #[test]
    fn each_method_names_its_credential() {
        use Credential::*;
        let want = [
            (AuthMethod::ClientSecretBasic, Secret),
            (AuthMethod::ClientSecretPost, Secret),
            (AuthMethod::ClientSecretJwt, Secret),
            (AuthMethod::PrivateKeyJwt, PrivateKey),
            (AuthMethod::TlsClientAuth, Certificate),
            (AuthMethod::SelfSignedTlsClientAuth, Certificate),
            (AuthMethod::None, Nothing),
        ];
        for (m, c) in want {
            assert_eq!(m.credential(), c, "{}", m.as_str());
        }
    }
}
