//! Signing keys of the dev server: generation (aws-lc-rs CSPRNG, P-256 or RSA-2048), the
//! optional key file (PKCS#8 PEM blocks, 0600, created with that mode, never through a
//! symlink), the published JWKS, JWT signing and verification.
//!
//! The key file holds one or more `PRIVATE KEY` blocks: the first signs, the others are
//! previous keys still published in the JWKS so that tokens they signed keep verifying
//! after a rotation. These keys are for development only.

use std::io::Write as _;
use std::path::{Path, PathBuf};

use serde_json::json;

pub use crate::oauth::jose::SigningAlg;
pub(crate) use crate::oauth::jose::SigningKey;

/// The active key plus previous keys still published.
#[derive(Debug)]
pub(crate) struct KeySet {
    pub keys: Vec<SigningKey>,
    file: Option<PathBuf>,
}

/// What [`KeySet::verify_own`] checks besides the signature.
pub(crate) struct Own<'a> {
    /// The server's issuer identifier.
    pub issuer: &'a str,
    /// The header `typ` the token must have, if any.
    pub typ: Option<&'a str>,
    /// Claims that must be present.
    pub required: &'a [&'a str],
    /// The audiences one of which `aud` must be, if checked.
    pub audiences: Option<&'a [String]>,
}

impl Own<'_> {
    /// Whether a header's `typ` is the one asked for (any, when none is).
    fn accepts_typ(&self, typ: Option<&str>) -> bool {
        self.typ.is_none_or(|wanted| typ == Some(wanted))
    }
}

/// Why a token is not one of this server's.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Unverified {
    /// Not a JWS at all.
    Malformed,
    /// Another `typ` than the one asked for.
    Typ,
    /// No `kid`, or one of no current key.
    UnknownKey,
    Audience,
    Issuer,
    Signature,
    /// A required claim missing or malformed.
    Claims,
}

/// How many keys the JWKS publishes at most (active + previous).
const MAX_PUBLISHED: usize = 3;

impl KeySet {
    /// Loads the key file, or creates it with a new key; without a file, a fresh key.
    pub(crate) fn open(alg: SigningAlg, file: Option<&Path>) -> Result<Self, String> {
        let Some(path) = file else {
            return Ok(Self {
                keys: vec![SigningKey::generate(alg).map_err(|e| e.to_string())?],
                file: None,
            });
        };
        if let Some(text) = read_private(path)? {
            let keys = parse_pem_blocks(&text)?
                .iter()
                .map(|der| SigningKey::from_pkcs8(der, None).map_err(|e| e.to_string()))
                .collect::<Result<Vec<_>, _>>()
                .map_err(|e| format!("{}: {e}", path.display()))?;
            if keys.is_empty() {
                return Err(format!("{}: no PRIVATE KEY block", path.display()));
            }
            Ok(Self {
                keys,
                file: Some(path.to_owned()),
            })
        } else {
            let set = Self {
                keys: vec![SigningKey::generate(alg).map_err(|e| e.to_string())?],
                file: Some(path.to_owned()),
            };
            set.save()?;
            Ok(set)
        }
    }

    /// The signing key.
    pub(crate) fn active(&self) -> &SigningKey {
        &self.keys[0]
    }

    /// Generates a new signing key (same algorithm as `alg`), keeps the previous ones
    /// published (at most [`MAX_PUBLISHED`] in all), and persists the set. Returns the new kid.
    pub(crate) fn rotate(&mut self, alg: SigningAlg) -> Result<String, String> {
        let key = SigningKey::generate(alg).map_err(|e| e.to_string())?;
        let kid = key.kid().to_owned();
        self.keys.insert(0, key);
        self.keys.truncate(MAX_PUBLISHED);
        self.save()?;
        Ok(kid)
    }

    /// The JWKS document.
    pub(crate) fn jwks(&self) -> serde_json::Value {
        json!({"keys": self.keys.iter().map(SigningKey::jwk).collect::<Vec<_>>()})
    }

    /// The key with `kid`.
    pub(crate) fn find(&self, kid: &str) -> Option<&SigningKey> {
        self.keys.iter().find(|k| k.kid() == kid)
    }

    /// Verifies `token` as a JWT this server signed and issued: the header's `typ` is
    /// `typ` when one is asked for, its `kid` names one of these keys (so the algorithm is
    /// that key's: `none` and HMAC are refused), `iss` is `issuer`, the `required` claims
    /// are present and `aud` is one of `audiences` when given. Time claims are the caller's
    /// to check, against the server's settable clock (the JWT library reads the real time).
    /// Returns the header's `typ` and the claims.
    pub(crate) fn verify_own<T: serde::de::DeserializeOwned>(
        &self,
        token: &str,
        own: &Own<'_>,
    ) -> Result<(Option<String>, T), Unverified> {
        // With one key (the usual case) the token is verified with it at once, and its header
        // checked from what the library decoded anyway: one header decode instead of two.
        // Whatever fails takes the checks below, which say why in the same order as for
        // several keys, without verifying the signature a second time.
        let decode = |key: &SigningKey| {
            jsonwebtoken::decode::<T>(token, key.decoding(), &validation(key, own))
        };
        let mut failed = None;
        if let [key] = self.keys.as_slice() {
            match decode(key) {
                Ok(data)
                    if own.accepts_typ(data.header.typ.as_deref())
                        && data.header.kid.as_deref() == Some(key.kid()) =>
                {
                    return Ok((data.header.typ, data.claims));
                }
                // The header's `typ` or `kid` is wrong: refused below.
                Ok(_) => {}
                Err(e) => failed = Some(e),
            }
        }
        let header = jsonwebtoken::decode_header(token).map_err(|_| Unverified::Malformed)?;
        if !own.accepts_typ(header.typ.as_deref()) {
            return Err(Unverified::Typ);
        }
        let key = header
            .kid
            .as_deref()
            .and_then(|kid| self.find(kid))
            .ok_or(Unverified::UnknownKey)?;
        let decoded = match failed {
            // The one key is `key`: its verdict stands.
            Some(e) => Err(e),
            None => decode(key),
        };
        let claims = decoded
            .map_err(|e| match e.kind() {
                jsonwebtoken::errors::ErrorKind::InvalidAudience => Unverified::Audience,
                jsonwebtoken::errors::ErrorKind::InvalidIssuer => Unverified::Issuer,
                jsonwebtoken::errors::ErrorKind::InvalidSignature => Unverified::Signature,
                _ => Unverified::Claims,
            })?
            .claims;
        Ok((header.typ, claims))
    }

    fn save(&self) -> Result<(), String> {
        let Some(path) = &self.file else {
            return Ok(());
        };
        let text: String = self.keys.iter().map(SigningKey::private_pem).collect();
        write_private(path, text.as_bytes()).map_err(|e| format!("{}: {e}", path.display()))
    }
}

/// What [`KeySet::verify_own`] asks of the JWT library for a token signed with `key`: its
/// algorithm only, `iss`, the required claims and the audience; no time claims (the caller
/// checks them against the server's clock) and no leeway.
fn validation(key: &SigningKey, own: &Own<'_>) -> jsonwebtoken::Validation {
    let mut v = jsonwebtoken::Validation::new(key.alg().algorithm());
    v.leeway = 0;
    v.validate_exp = false;
    v.validate_nbf = false;
    v.set_issuer(&[own.issuer]);
    match own.audiences {
        Some(a) => v.set_audience(a),
        None => v.validate_aud = false,
    }
    v.set_required_spec_claims(own.required);
    v
}

fn parse_pem_blocks(text: &str) -> Result<Vec<Vec<u8>>, String> {
    let blocks = crate::oauth::jose::pem_blocks(text).map_err(|e| e.to_string())?;
    if blocks.iter().any(|(label, _)| label != "PRIVATE KEY") {
        return Err("the key file must hold PKCS#8 `PRIVATE KEY` blocks".into());
    }
    Ok(blocks.into_iter().map(|(_, der)| der).collect())
}

/// Reads a private file: refuses symlinks and files others can read (like ssh).
#[cfg(unix)]
pub(super) fn read_private(path: &Path) -> Result<Option<String>, String> {
    use std::io::Read as _;
    use std::os::unix::fs::{MetadataExt as _, OpenOptionsExt as _};
    let file = match std::fs::OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_NOFOLLOW)
        .open(path)
    {
        Ok(f) => f,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => {
            return Err(format!(
                "cannot open {} (symlinks are refused): {e}",
                path.display()
            ));
        }
    };
    let meta = file.metadata().map_err(|e| e.to_string())?;
    if !meta.is_file() {
        return Err(format!("{} is not a regular file", path.display()));
    }
    if meta.mode() & 0o077 != 0 {
        return Err(format!(
            "{} is readable by other users; run `chmod 600 {}`",
            path.display(),
            path.display()
        ));
    }
    let mut text = String::new();
    file.take(1024 * 1024)
        .read_to_string(&mut text)
        .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    Ok(Some(text))
}

#[cfg(not(unix))]
pub(super) fn read_private(path: &Path) -> Result<Option<String>, String> {
    match std::fs::read_to_string(path) {
        Ok(t) => Ok(Some(t)),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(e.to_string()),
    }
}

/// Writes a private file atomically: a new temporary file created 0600 (`O_EXCL`, so no
/// symlink is followed) in the same directory, then renamed over the target.
pub(super) fn write_private(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    write_file(path, bytes, 0o600)
}

/// Writes a file atomically as [`write_private`] does, created with `mode` (unix).
pub(super) fn write_file(path: &Path, bytes: &[u8], mode: u32) -> std::io::Result<()> {
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or_else(|| Path::new("."));
    let name = path
        .file_name()
        .map_or_else(|| "key".into(), |n| n.to_string_lossy().into_owned());
    let tmp = dir.join(format!(
        ".{name}.{}.tmp",
        crate::devserver::wire::random_token()
    ));
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt as _;
        options.mode(mode).custom_flags(libc::O_NOFOLLOW);
    }
    #[cfg(not(unix))]
    let _ = mode;
    let result = (|| {
        let mut file = options.open(&tmp)?;
        file.write_all(bytes)?;
        file.sync_all()?;
        std::fs::rename(&tmp, path)
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result
}

#[cfg(test)]
mod tests {
    use super::*;

    /// What `verify_own` says of each kind of token, with the keys of `set`.
    fn verdicts(set: &KeySet) -> Vec<Result<String, Unverified>> {
        let key = set.active();
        let claims = |iss: &str, sub: Option<&str>| {
            let mut c = json!({"iss": iss, "aud": "api", "exp": 4_000_000_000u64});
            if let Some(sub) = sub {
                c["sub"] = json!(sub);
            }
            c
        };
        let good = claims("https://issuer", Some("alice"));
        let stranger = SigningKey::generate(SigningAlg::Es256).unwrap();
        // One character in the middle of the signature changed.
        let mut tampered = key.sign("at+jwt", &good).unwrap();
        let at = tampered.len() - 10;
        let other = if &tampered[at..=at] == "A" { "B" } else { "A" };
        tampered.replace_range(at..=at, other);
        let tokens = [
            key.sign("at+jwt", &good).unwrap(),
            key.sign("JWT", &good).unwrap(),
            key.sign_without_kid("at+jwt", &good).unwrap(),
            key.sign_with_kid("at+jwt", Some("other"), &good).unwrap(),
            stranger
                .sign_with_kid("at+jwt", Some(key.kid()), &good)
                .unwrap(),
            tampered,
            key.sign("at+jwt", &claims("https://elsewhere", Some("alice")))
                .unwrap(),
            key.sign("at+jwt", &claims("https://issuer", None)).unwrap(),
            "not.a.jwt".to_owned(),
        ];
        let own = Own {
            issuer: "https://issuer",
            typ: Some("at+jwt"),
            required: &["exp", "iss", "aud", "sub"],
            audiences: Some(&["api".to_owned()]),
        };
        let mut out: Vec<_> = tokens
            .iter()
            .map(|t| {
                set.verify_own::<serde_json::Value>(t, &own)
                    .map(|(typ, c)| format!("{typ:?} {}", c["sub"]))
            })
            .collect();
        let elsewhere = Own {
            audiences: Some(&["other-api".to_owned()]),
            ..own
        };
        out.push(
            set.verify_own::<serde_json::Value>(&key.sign("at+jwt", &good).unwrap(), &elsewhere)
                .map(|_| String::new()),
        );
        out
    }

    #[test]
    fn own_tokens_are_judged_alike_with_one_key_or_several() {
        use Unverified::*;
        let expected = vec![
            Ok("Some(\"at+jwt\") \"alice\"".to_owned()),
            Err(Typ),
            Err(UnknownKey),
            Err(UnknownKey),
            Err(Signature),
            Err(Signature),
            Err(Issuer),
            Err(Claims),
            Err(Malformed),
            Err(Audience),
        ];
        let mut set = KeySet::open(SigningAlg::Es256, None).unwrap();
        assert_eq!(set.keys.len(), 1);
        assert_eq!(verdicts(&set), expected);
        let before = set.active().sign("at+jwt", &json!({"iss": "https://issuer", "aud": "api", "exp": 4_000_000_000u64, "sub": "bob"})).unwrap();
        set.rotate(SigningAlg::Es256).unwrap();
        assert_eq!(set.keys.len(), 2);
        assert_eq!(verdicts(&set), expected);
        // A token of the previous key still verifies.
        let own = Own {
            issuer: "https://issuer",
            typ: Some("at+jwt"),
            required: &["sub"],
            audiences: None,
        };
        let (_, c) = set.verify_own::<serde_json::Value>(&before, &own).unwrap();
        assert_eq!(c["sub"], "bob");
    }

    #[cfg(unix)]
    #[test]
    fn key_file_is_private_and_survives_rotation() {
        use std::os::unix::fs::PermissionsExt as _;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("keys.pem");
        let mut set = KeySet::open(SigningAlg::Es256, Some(&path)).unwrap();
        let first = set.active().kid().to_owned();
        let mode = std::fs::metadata(&path).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
        let again = KeySet::open(SigningAlg::Es256, Some(&path)).unwrap();
        assert_eq!(again.active().kid(), first);
        let new = set.rotate(SigningAlg::Es256).unwrap();
        let reloaded = KeySet::open(SigningAlg::Es256, Some(&path)).unwrap();
        assert_eq!(reloaded.active().kid(), new);
        assert!(reloaded.find(&first).is_some());
        assert_eq!(reloaded.jwks()["keys"].as_array().unwrap().len(), 2);
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).unwrap();
        assert!(KeySet::open(SigningAlg::Es256, Some(&path)).is_err());
        let link = dir.path().join("link.pem");
        std::os::unix::fs::symlink(&path, &link).unwrap();
        assert!(KeySet::open(SigningAlg::Es256, Some(&link)).is_err());
    }
}
