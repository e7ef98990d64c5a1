//! The assertion of `login --flow jwt-bearer` (RFC 7523 §2.1): read from a file or standard
//! input (`--assertion-file`), or signed here from a private key (`--assertion-key` with
//! `--assertion-iss`, `--assertion-sub`, `--assertion-aud`, `--assertion-exp`,
//! `--assertion-kid`). The profile remembers how it was made, never the assertion or the
//! key: a key file's path, so that a renewal signs a new one, or the file a given
//! assertion came from, so that a renewal can say why it cannot use it again (a server
//! accepts an assertion's `jti` once, RFC 7523 §3).

use std::path::PathBuf;
use std::time::Duration;

use crate::error::{Error, Result};
use crate::flow::jwt_bearer::{DEFAULT_LIFETIME, Signing};
use crate::oauth::jose::SigningKey;
use crate::oauth::secret::Assertion;
use crate::store::index::RememberedAssertion;

use super::credentials::{read_pem, read_token};

/// How `login --flow jwt-bearer` gets its assertion.
#[derive(Debug, Clone, Default)]
pub(crate) struct Options {
    /// `--assertion-file FILE|-`: a ready assertion.
    pub file: Option<PathBuf>,
    /// `--assertion-key FILE`: sign one with this private key (PEM).
    pub key: Option<PathBuf>,
    /// `--assertion-iss` [default: the client id].
    pub issuer: Option<String>,
    /// `--assertion-sub` [default: the `iss`].
    pub subject: Option<String>,
    /// `--assertion-aud` [default: the issuer identifier].
    pub audience: Option<String>,
    /// `--assertion-exp`: its lifetime [default: 5m].
    pub lifetime: Option<Duration>,
    /// `--assertion-kid`: the `kid` its header names [default: none].
    pub key_id: Option<String>,
}

impl Options {
    /// Whether any flag that shapes a signed assertion was given.
    fn shapes_signing(&self) -> bool {
        self.issuer.is_some()
            || self.subject.is_some()
            || self.audience.is_some()
            || self.lifetime.is_some()
            || self.key_id.is_some()
    }
}

/// The assertion for a login with `options` (or, without any, as the profile's last JWT
/// bearer login made it: `remembered`), and what the profile keeps of how it was made.
/// `issuer_id` is the server's issuer identifier, the default `aud`.
pub(crate) fn assertion(
    options: &Options,
    remembered: Option<&RememberedAssertion>,
    issuer_id: &str,
    client_id: &str,
) -> Result<(Assertion, RememberedAssertion)> {
    if let Some(path) = &options.file {
        if options.key.is_some() || options.shapes_signing() {
            return Err(Error::usage(
                "--assertion-file gives a ready assertion; the --assertion-key, -iss, -sub, \
                 -aud, -exp and -kid flags sign a new one instead",
                None,
            ));
        }
        let assertion = Assertion::new(read_token(path, "--assertion-file")?);
        let how = RememberedAssertion {
            assertion_file: Some(path.clone()),
            ..RememberedAssertion::default()
        };
        return Ok((assertion, how));
    }
    let how = match (&options.key, remembered) {
        (Some(key), _) => RememberedAssertion {
            key_file: Some(key.clone()),
            ..RememberedAssertion::default()
        },
        // A repeated login signs as the last one did, with the flags given now on top.
        (None, Some(r)) if r.key_file.is_some() => r.clone(),
        _ => {
            return Err(Error::usage(
                "the JWT bearer flow needs an assertion",
                Some(
                    "give one with --assertion-file FILE (`-` reads standard input), or sign \
                     one with --assertion-key FILE --assertion-sub SUBJECT"
                        .to_owned(),
                ),
            ));
        }
    };
    if options.lifetime.is_some_and(|l| l.as_secs() == 0) {
        return Err(Error::usage(
            "--assertion-exp must be at least one second",
            None,
        ));
    }
    let how = RememberedAssertion {
        issuer: options.issuer.clone().or(how.issuer),
        subject: options.subject.clone().or(how.subject),
        audience: options.audience.clone().or(how.audience),
        lifetime_s: options.lifetime.map(|l| l.as_secs()).or(how.lifetime_s),
        key_id: options.key_id.clone().or(how.key_id),
        ..how
    };
    let assertion = signing(&how, issuer_id, client_id)?.sign()?;
    Ok((assertion, how))
}

/// What signs an assertion as `how` says: the key read now from its file, with its own
/// algorithm; `iss` the client id, `sub` the `iss` and `aud` the issuer identifier unless
/// `how` names others.
pub(crate) fn signing(
    how: &RememberedAssertion,
    issuer_id: &str,
    client_id: &str,
) -> Result<Signing> {
    let path = how.key_file.as_deref().ok_or_else(|| {
        Error::usage(
            "signing an assertion needs its private key (--assertion-key FILE)",
            None,
        )
    })?;
    // The key is a flag's (or the profile's last login's), never a configuration key.
    let hint = || {
        Some(
            "give a readable, unencrypted PEM private key with --assertion-key FILE (`openssl \
             pkey -in KEY -out key.pem` writes a plain PKCS#8 one)"
                .to_owned(),
        )
    };
    let pem = read_pem(path, "--assertion-key").map_err(|e| match e {
        Error::Config { message, .. } => Error::config(message, hint()),
        other => other,
    })?;
    let key = SigningKey::from_pem(&pem, None)
        .map_err(|e| Error::config(format!("--assertion-key {}: {e}", path.display()), hint()))?;
    let issuer = how.issuer.clone().unwrap_or_else(|| client_id.to_owned());
    Ok(Signing {
        key,
        kid: how.key_id.clone(),
        subject: how.subject.clone().unwrap_or_else(|| issuer.clone()),
        issuer,
        audience: how.audience.clone().unwrap_or_else(|| issuer_id.to_owned()),
        lifetime: how.lifetime_s.map_or(DEFAULT_LIFETIME, Duration::from_secs),
    })
}

/// A new assertion for renewing the JWT bearer set of `profile`, made as its login made
/// one; exit 3 for an assertion that was given, which cannot be used twice.
pub(crate) fn again(
    profile: &str,
    how: Option<&RememberedAssertion>,
    issuer_id: &str,
    client_id: &str,
) -> Result<Assertion> {
    match how {
        Some(how) if how.key_file.is_some() => signing(how, issuer_id, client_id)?.sign(),
        Some(how) => Err(Error::LoginRequired {
            message: format!(
                "the tokens of profile `{profile}` came from a JWT bearer assertion {}, and a \
                 server accepts an assertion once: there is nothing to renew them with",
                given_from(how)
            ),
            hint: "run `oauthctl login --flow jwt-bearer --assertion-file FILE` with a new \
                   assertion, or let oauthctl sign one each time with --assertion-key FILE"
                .to_owned(),
        }),
        None => Err(Error::LoginRequired {
            message: format!(
                "profile `{profile}` does not say how its JWT bearer assertion was made"
            ),
            hint: "run `oauthctl login --flow jwt-bearer` again".to_owned(),
        }),
    }
}

/// Where a given assertion came from, for messages.
fn given_from(how: &RememberedAssertion) -> String {
    match how.assertion_file.as_deref() {
        Some(p) if p.as_os_str() == "-" => "read from standard input".to_owned(),
        Some(p) => format!("read from {}", p.display()),
        None => "given at login".to_owned(),
    }
}

/// How the tokens were obtained, for `login`'s summary and `status`.
pub(crate) fn describe(how: &RememberedAssertion) -> String {
    match &how.key_file {
        Some(key) => format!(
            "a JWT bearer assertion signed with {} (a new one at each renewal)",
            key.display()
        ),
        None => format!(
            "a JWT bearer assertion {} (used once: renewing needs a new one)",
            given_from(how)
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::oauth::jose::SigningAlg;

    fn key_file(dir: &std::path::Path) -> PathBuf {
        let path = dir.join("key.pem");
        let key = SigningKey::generate(SigningAlg::Es256).unwrap();
        std::fs::write(&path, key.private_pem()).unwrap();
        path
    }

    #[test]
    fn signed_assertions_default_to_the_client_and_the_issuer() {
        let dir = tempfile::tempdir().unwrap();
        let options = Options {
            key: Some(key_file(dir.path())),
            ..Options::default()
        };
        let (a, how) = assertion(&options, None, "https://as.example", "svc").unwrap();
        let c = crate::oauth::jwt::parse(a.expose()).unwrap().claims;
        assert_eq!(
            (c["iss"].as_str(), c["sub"].as_str()),
            (Some("svc"), Some("svc"))
        );
        assert_eq!(c["aud"], "https://as.example");
        assert_eq!(c["exp"].as_i64().unwrap() - c["iat"].as_i64().unwrap(), 300);
        assert_eq!(how.key_file, options.key);
        assert_eq!(how.assertion_file, None);
        // A repeated login without flags signs as the last one did; flags given override.
        let remembered = RememberedAssertion {
            subject: Some("alice".into()),
            lifetime_s: Some(60),
            ..how
        };
        let (a, how) = assertion(
            &Options {
                audience: Some("https://as.example/token".into()),
                ..Options::default()
            },
            Some(&remembered),
            "https://as.example",
            "svc",
        )
        .unwrap();
        let c = crate::oauth::jwt::parse(a.expose()).unwrap().claims;
        assert_eq!(c["sub"], "alice");
        assert_eq!(c["aud"], "https://as.example/token");
        assert_eq!(how.lifetime_s, Some(60));
        let again = again("p", Some(&how), "https://as.example", "svc").unwrap();
        assert_ne!(again.expose(), a.expose(), "a fresh jti each time");
    }

    #[test]
    fn a_given_assertion_is_not_used_twice() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("assertion.jwt");
        std::fs::write(&file, "eyJ.eyJ.sig\n").unwrap();
        let options = Options {
            file: Some(file.clone()),
            ..Options::default()
        };
        let (a, how) = assertion(&options, None, "https://as", "svc").unwrap();
        assert_eq!(a.expose(), "eyJ.eyJ.sig");
        assert_eq!(
            (how.key_file, how.assertion_file.as_deref()),
            (None, Some(file.as_path()))
        );
        let how = RememberedAssertion {
            assertion_file: Some(file),
            ..RememberedAssertion::default()
        };
        let e = again("bot", Some(&how), "https://as", "svc").unwrap_err();
        assert_eq!(e.exit_code(), 3);
        assert!(
            e.to_string().contains("a server accepts an assertion once"),
            "{e}"
        );
        assert!(e.hint().unwrap().contains("--assertion-file"));
        // No assertion at all, or flags that contradict each other: usage errors.
        let e = assertion(&Options::default(), None, "https://as", "svc").unwrap_err();
        assert_eq!(e.exit_code(), 2);
        let both = Options {
            file: Some("x".into()),
            subject: Some("alice".into()),
            ..Options::default()
        };
        assert_eq!(
            assertion(&both, None, "https://as", "svc")
                .unwrap_err()
                .exit_code(),
            2
        );
    }
}
