//! Values that must not leak, one type per concept: tokens, codes, client secrets and the
//! per-flow values of an authorization request. Each is made by the `secret_type!` macro:
//!
//! - `Debug` prints the type name and `[redacted]` (`AccessToken([redacted])`), so a struct
//!   holding one can derive `Debug`; there is no `Display`, so `format!("{token}")` does
//!   not compile;
//! - the value is read only through an explicit `expose()`, so every place where a secret
//!   leaves its type is visible;
//! - equality is constant-time (over SHA-256 digests, so not even the length leaks), and
//!   `matches(&str)` compares with an untyped value the same way: callers compare these with
//!   what a client or a callback sent;
//! - serde is transparent: the token cache and the protocol documents hold the plain
//!   string. Callers that render reports must not serialise one unless it is the requested
//!   artefact.
//!
//! Pure: no I/O.

use aws_lc_rs::digest;

/// Compares two secrets in constant time, over their SHA-256 digests so that the lengths
/// leak nothing either.
pub fn constant_time_eq(a: &str, b: &str) -> bool {
    let da = digest::digest(&digest::SHA256, a.as_bytes());
    let db = digest::digest(&digest::SHA256, b.as_bytes());
    aws_lc_rs::constant_time::verify_slices_are_equal(da.as_ref(), db.as_ref()).is_ok()
}

/// Defines a secret newtype over `String` (see the module documentation).
macro_rules! secret_type {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Clone, serde::Serialize, serde::Deserialize)]
        #[serde(transparent)]
        pub struct $name(String);

        impl $name {
            /// Wraps a value.
            pub fn new(value: impl Into<String>) -> Self {
                Self(value.into())
            }

            /// The value itself. Every call site is a place where the secret leaves its type.
            pub fn expose(&self) -> &str {
                &self.0
            }

            /// Whether `other` is this value, compared in constant time.
            pub fn matches(&self, other: &str) -> bool {
                constant_time_eq(&self.0, other)
            }
        }

        impl std::fmt::Debug for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(concat!(stringify!($name), "([redacted])"))
            }
        }

        impl PartialEq for $name {
            fn eq(&self, other: &Self) -> bool {
                constant_time_eq(&self.0, &other.0)
            }
        }

        impl Eq for $name {}

        impl From<String> for $name {
            fn from(value: String) -> Self {
                Self(value)
            }
        }

        impl From<&str> for $name {
            fn from(value: &str) -> Self {
                Self(value.to_owned())
            }
        }
    };
}

secret_type!(
    /// An access token (RFC 6749 §1.4).
    AccessToken
);
secret_type!(
    /// A refresh token (RFC 6749 §1.5).
    RefreshToken
);
secret_type!(
    /// An OpenID Connect ID token (OIDC Core §2), as the compact JWT.
    IdToken
);
secret_type!(
    /// A client secret (RFC 6749 §2.3.1).
    ClientSecret
);
secret_type!(
    /// The registration access token of a dynamically registered client (RFC 7591 §3.2.1,
    /// RFC 7592 §3).
    RegistrationAccessToken
);
secret_type!(
    /// An authorization code (RFC 6749 §1.3.1).
    AuthorizationCode
);
secret_type!(
    /// A PKCE code verifier (RFC 7636 §4.1).
    PkceVerifier
);
secret_type!(
    /// The `state` of an authorization request (RFC 6749 §10.12).
    State
);
secret_type!(
    /// The OpenID Connect `nonce` of an authorization request (OIDC Core §3.1.2.1).
    Nonce
);
secret_type!(
    /// A device code (RFC 8628 §3.2).
    DeviceCode
);
secret_type!(
    /// A token handed to a token exchange as its subject or actor token (RFC 8693 §1: a
    /// security token of any type).
    SecurityToken
);
secret_type!(
    /// A JWT used as an authorization grant (RFC 7523 §2.1).
    Assertion
);
secret_type!(
    /// A private key as PKCS#8 PEM: a DPoP proof key kept beside the tokens it binds
    /// (RFC 9449 §2).
    PrivateKeyPem
);

#[cfg(test)]
mod tests {
    use super::*;

    /// Every type, with its name as `Debug` shows it.
    fn all(value: &str) -> Vec<(String, &'static str)> {
        vec![
            (format!("{:?}", AccessToken::new(value)), "AccessToken"),
            (format!("{:?}", RefreshToken::new(value)), "RefreshToken"),
            (format!("{:?}", IdToken::new(value)), "IdToken"),
            (format!("{:?}", ClientSecret::new(value)), "ClientSecret"),
            (
                format!("{:?}", AuthorizationCode::new(value)),
                "AuthorizationCode",
            ),
            (format!("{:?}", PkceVerifier::new(value)), "PkceVerifier"),
            (format!("{:?}", State::new(value)), "State"),
            (format!("{:?}", Nonce::new(value)), "Nonce"),
            (format!("{:?}", DeviceCode::new(value)), "DeviceCode"),
            (format!("{:?}", PrivateKeyPem::new(value)), "PrivateKeyPem"),
            (format!("{:?}", SecurityToken::new(value)), "SecurityToken"),
            (format!("{:?}", Assertion::new(value)), "Assertion"),
        ]
    }

    #[test]
    fn debug_names_the_concept_and_hides_the_value() {
        for (shown, name) in all("hunter2") {
            assert_eq!(shown, format!("{name}([redacted])"));
        }
        let t = AccessToken::new("hunter2");
        assert_eq!(format!("{:?}", Some(&t)), "Some(AccessToken([redacted]))");
        assert_eq!(format!("{t:#?}"), "AccessToken([redacted])");
        assert_eq!(t.expose(), "hunter2");
    }

    #[test]
    fn a_struct_holding_secrets_derives_a_safe_debug() {
        #[derive(Debug)]
        #[allow(dead_code)]
        struct Holder {
            id: &'static str,
            secret: Option<ClientSecret>,
            code: AuthorizationCode,
        }
        let h = Holder {
            id: "cli",
            secret: Some(ClientSecret::new("s3cret")),
            code: AuthorizationCode::new("c0de"),
        };
        let shown = format!("{h:?}");
        assert!(
            !shown.contains("s3cret") && !shown.contains("c0de"),
            "{shown}"
        );
        assert!(shown.contains("\"cli\""), "{shown}");
    }

    #[test]
    fn serialises_transparently() {
        let s = RefreshToken::new("v");
        assert_eq!(serde_json::to_string(&s).unwrap(), "\"v\"");
        let back: RefreshToken = serde_json::from_str("\"v\"").unwrap();
        assert_eq!(back, s);
        assert!(serde_json::from_str::<RefreshToken>("5").is_err());
    }

    #[test]
    fn equality_compares_values() {
        assert_eq!(State::new("abc"), State::from("abc"));
        assert_ne!(State::new("abc"), State::new("abd"));
        assert_ne!(State::new("abc"), State::new("abcd"));
        assert_ne!(State::new(""), State::new("a"));
        assert!(State::new("abc").matches("abc"));
        assert!(!State::new("abc").matches("ab"));
        assert!(constant_time_eq("demo-secret", "demo-secret"));
        assert!(!constant_time_eq("demo-secret", "demo-secreT"));
        assert!(!constant_time_eq("demo-secret", ""));
    }
}
