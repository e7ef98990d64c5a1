//! The one error type at the application boundary. Each variant maps to a documented exit
//! code (design.md §4) and may carry a one-line hint with the next command to run.
//!
//! Messages never contain secrets: variants carry descriptions, never token values.
//!
//! A hint that suggests an oauthctl command names it plainly in backticks
//! (`` `oauthctl login` ``); the output layer repeats the invocation's profile and provider
//! flags in it ([`crate::output::Rerun`]), so that the command works as printed.

use std::fmt;
use std::path::PathBuf;

use crate::oauth::errors::{EndpointError, OAuthErrorResponse};

/// Everything that can end a command unsuccessfully.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// An invalid combination of flags or arguments that clap cannot express (exit 2).
    #[error("{message}")]
    Usage {
        message: String,
        hint: Option<String>,
    },
    /// No usable cached token, or the refresh token was rejected (exit 3).
    #[error("{message}")]
    LoginRequired { message: String, hint: String },
    /// The authorization server answered with an OAuth error response (exit 4).
    #[error("the authorization server refused the request: {0}")]
    Rejected(OAuthErrorResponse),
    /// DNS, connect, TLS or read failure while talking to a server (exit 5). `kind` says
    /// which, for the hint; `source` describes it.
    #[error("could not reach {url}: {source}")]
    Network {
        url: String,
        kind: NetworkKind,
        #[source]
        source: TransportError,
    },
    /// A wait that ran out: no browser callback, no device approval (exit 5).
    #[error("{0}")]
    Timeout(String),
    /// An HTTP exchange that ran past its deadline (exit 5); `hint` names what raises the
    /// limit for this command (`call --max-time`, `OAUTHCTL_HTTP_TIMEOUT`).
    #[error("{message}")]
    HttpTimeout { message: String, hint: String },
    /// No authorization response came back to the loopback redirect within `--timeout`;
    /// the hint says why that usually happens (exit 5).
    #[error("{message}")]
    NoCallback { message: String, hint: String },
    /// A server answered, but the answer is malformed or unsafe to use (exit 5).
    #[error("{0}")]
    BadResponse(String),
    /// A token was refused only for its times, as when the clocks of this computer and
    /// the provider disagree (exit 5, like any ID token that fails validation).
    #[error("{message}")]
    ClockSkew { message: String, hint: String },
    /// The token failed verification, or introspection says it is inactive (exit 6).
    #[error("{0}")]
    InvalidToken(String),
    /// The input is not a decodable token (exit 6).
    #[error("{message}")]
    Malformed {
        message: String,
        hint: Option<String>,
    },
    /// A configuration file, profile or required setting is wrong or missing (exit 7).
    #[error("{message}")]
    Config {
        message: String,
        hint: Option<String>,
    },
    /// `call --fail` and the API answered with an HTTP error status (exit 8).
    #[error("the server answered HTTP {status}")]
    HttpStatus { status: u16 },
    /// `exec`: the child exited with this status (or 128 + its signal); passed through
    /// without a message.
    #[error("the command exited with status {code}")]
    ChildExited { code: u8 },
    /// Ctrl-C while waiting (exit 130).
    #[error("interrupted")]
    Interrupted,
    /// A local file could not be read or written (exit 1).
    #[error("{context}: {source}")]
    Io {
        context: String,
        #[source]
        source: std::io::Error,
    },
    /// Anything else; a bug or an unexpected local condition (exit 1).
    #[error("{0}")]
    Other(String),
}

/// Shorthand for results at the application boundary.
pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    /// The documented exit-code contract (design.md §4).
    pub fn exit_code(&self) -> u8 {
        match self {
            Self::Usage { .. } => 2,
            Self::LoginRequired { .. } => 3,
            Self::Rejected(_) => 4,
            Self::Network { .. }
            | Self::Timeout(_)
            | Self::HttpTimeout { .. }
            | Self::NoCallback { .. }
            | Self::BadResponse(_)
            | Self::ClockSkew { .. } => 5,
            Self::InvalidToken(_) | Self::Malformed { .. } => 6,
            Self::Config { .. } => 7,
            Self::HttpStatus { .. } => 8,
            Self::ChildExited { code } => *code,
            Self::Interrupted => 130,
            Self::Io { .. } | Self::Other(_) => 1,
        }
    }

    /// One actionable line shown under the error.
    pub fn hint(&self) -> Option<String> {
        match self {
            Self::Usage { hint, .. } | Self::Malformed { hint, .. } | Self::Config { hint, .. } => {
                hint.clone()
            }
            Self::LoginRequired { hint, .. }
            | Self::HttpTimeout { hint, .. }
            | Self::ClockSkew { hint, .. }
            | Self::NoCallback { hint, .. } => Some(hint.clone()),
            Self::Rejected(e) => e.explanation().map(str::to_owned),
            Self::Network {
                kind: NetworkKind::Certificate,
                ..
            } => Some(
                "the server's certificate is not trusted: pass --cacert FILE (or set \
                 SSL_CERT_FILE) with the CA that issued it"
                    .to_owned(),
            ),
            Self::Network { .. } => Some(
                "check the URL, your network and proxy settings (HTTPS_PROXY, NO_PROXY); \
                 `-v` shows the request"
                    .to_owned(),
            ),
            Self::Timeout(_) => Some("retry, or raise the limit with --timeout".to_owned()),
            _ => None,
        }
    }

    /// A configuration error with a hint.
    pub fn config(message: impl fmt::Display, hint: impl Into<Option<String>>) -> Self {
        Self::Config {
            message: message.to_string(),
            hint: hint.into(),
        }
    }

    /// A usage error with a hint.
    pub fn usage(message: impl fmt::Display, hint: impl Into<Option<String>>) -> Self {
        Self::Usage {
            message: message.to_string(),
            hint: hint.into(),
        }
    }

    /// A failure talking to the server at `url` (shown without its query).
    pub fn network(url: impl Into<String>, kind: NetworkKind, detail: impl Into<String>) -> Self {
        Self::Network {
            url: url.into(),
            kind,
            source: TransportError(detail.into()),
        }
    }

    /// A local I/O failure on `path`.
    pub fn io(action: &str, path: &std::path::Path, source: std::io::Error) -> Self {
        Self::Io {
            context: format!("cannot {action} {}", path.display()),
            source,
        }
    }
}

impl From<EndpointError> for Error {
    /// An OAuth error response is a refusal (exit 4); anything malformed a bad answer (5).
    fn from(e: EndpointError) -> Self {
        match e {
            EndpointError::OAuth(err) => Self::Rejected(err),
            EndpointError::Malformed(m) => Self::BadResponse(m),
        }
    }
}

impl From<ConfigFileError> for Error {
    fn from(e: ConfigFileError) -> Self {
        Self::Config {
            message: e.to_string(),
            hint: Some(format!("fix or remove {}", e.path.display())),
        }
    }
}

/// What failed on the way to a server. The hint follows from it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NetworkKind {
    /// No connection: the name did not resolve, the connection was refused or the host is
    /// unreachable, or the proxy failed.
    Connect,
    /// The server's certificate was refused (not trusted, expired, for another name).
    Certificate,
    /// The TLS handshake failed for another reason (no common version or cipher suite, a
    /// peer that does not speak TLS).
    Tls,
    /// The connection broke while the response was read.
    Read,
    /// Any other transport failure.
    Other,
}

/// A transport failure as the user sees it: the HTTP stack's description and its causes,
/// without the URL (whose query could hold a code or token).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct TransportError(pub String);

/// A configuration file problem located at a line and column.
#[derive(Debug, thiserror::Error)]
#[error("{}{}: {message}", path.display(), location.map(|(l, c)| format!(":{l}:{c}")).unwrap_or_default())]
pub struct ConfigFileError {
    pub path: PathBuf,
    pub location: Option<(usize, usize)>,
    pub message: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exit_codes_follow_the_contract() {
        let cases: Vec<(Error, u8)> = vec![
            (Error::usage("x", None), 2),
            (
                Error::LoginRequired {
                    message: "x".into(),
                    hint: "y".into(),
                },
                3,
            ),
            (
                Error::Rejected(OAuthErrorResponse::new("invalid_client")),
                4,
            ),
            (Error::network("u", NetworkKind::Connect, "m"), 5),
            (Error::network("u", NetworkKind::Certificate, "m"), 5),
            (Error::Timeout("t".into()), 5),
            (
                Error::NoCallback {
                    message: "m".into(),
                    hint: "h".into(),
                },
                5,
            ),
            (Error::BadResponse("b".into()), 5),
            (
                Error::ClockSkew {
                    message: "m".into(),
                    hint: "h".into(),
                },
                5,
            ),
            (Error::InvalidToken("i".into()), 6),
            (Error::config("c", None), 7),
            (Error::HttpStatus { status: 404 }, 8),
            (Error::ChildExited { code: 42 }, 42),
            (Error::Interrupted, 130),
            (Error::Other("o".into()), 1),
        ];
        for (err, code) in cases {
            assert_eq!(err.exit_code(), code, "{err:?}");
        }
    }

    #[test]
    fn rejected_errors_explain_common_codes() {
        let e = Error::Rejected(OAuthErrorResponse::new("invalid_grant"));
        assert!(e.hint().unwrap().contains("login"));
    }

    #[test]
    fn network_hints_follow_the_kind_not_the_text() {
        let untrusted = Error::network(
            "https://as.example",
            NetworkKind::Certificate,
            "invalid peer certificate: UnknownIssuer",
        );
        assert_eq!(
            untrusted.to_string(),
            "could not reach https://as.example: invalid peer certificate: UnknownIssuer"
        );
        assert!(untrusted.hint().unwrap().contains("--cacert"));
        // The word alone no longer decides: a refused connection to a host named
        // `certificate…` is a connection problem.
        let refused = Error::network(
            "https://certificates.example",
            NetworkKind::Connect,
            "tcp connect error: certificate? no: Connection refused",
        );
        let hint = refused.hint().unwrap();
        assert!(
            hint.contains("proxy settings") && !hint.contains("--cacert"),
            "{hint}"
        );
        for kind in [NetworkKind::Tls, NetworkKind::Read, NetworkKind::Other] {
            let hint = Error::network("u", kind, "m").hint().unwrap();
            assert!(!hint.contains("--cacert"), "{kind:?}");
        }
        assert!(std::error::Error::source(&untrusted).is_some());
    }

    #[test]
    fn config_file_errors_name_file_and_line() {
        let e = ConfigFileError {
            path: "/x/config.toml".into(),
            location: Some((3, 1)),
            message: "unknown key `colour`".into(),
        };
        assert_eq!(e.to_string(), "/x/config.toml:3:1: unknown key `colour`");
    }
}
