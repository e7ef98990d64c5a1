//! `jwt sign`: signs claims into a compact JWS, for minting test tokens (the
//! case of a developer whose API checks HS256 tokens with flask-jwt-extended, or RS256 ones
//! against a PEM public key). HMAC secrets come from the environment only, never argv;
//! private keys from PEM files through [`crate::oauth::jose::SigningKey`].

use std::io::Read as _;
use std::path::PathBuf;
use std::time::Duration;

use serde_json::{Map, Value, json};

use crate::error::{Error, Result};
use crate::oauth::jose::{self, HmacAlg, SigningAlg, SigningKey};
use crate::oauth::pkce::random_bytes;
use crate::output::Outcome;

use super::Context;

/// The lifetime of a token whose claims name no `exp`, unless `--exp` or `--no-exp`.
pub(crate) const DEFAULT_LIFETIME: Duration = Duration::from_secs(15 * 60);

/// Claims given on the command line or on stdin are JSON objects of at most this size.
const MAX_CLAIMS_LEN: u64 = 1 << 20;

/// What `jwt sign` was asked for.
#[derive(Debug, Clone, Default)]
pub(crate) struct Options {
    /// JSON text, `@FILE`, `-` or `@-` (standard input); `None` is `{}`.
    pub claims: Option<String>,
    pub key: Option<PathBuf>,
    pub secret_env: Option<String>,
    pub alg: Option<String>,
    pub exp: Option<Duration>,
    pub no_exp: bool,
    pub no_iat: bool,
    pub no_jti: bool,
    pub nbf: bool,
    pub iss: Option<String>,
    pub sub: Option<String>,
    pub aud: Vec<String>,
    pub kid: Option<String>,
    pub typ: String,
}

/// How the token is signed.
enum Signer {
    Hmac(HmacAlg, Vec<u8>),
    Key(Box<SigningKey>),
}

/// Runs `jwt sign`.
pub(crate) fn run(ctx: &Context<'_>, args: &Options) -> Result<Outcome> {
    let claims = claims(
        ctx.clock().now(),
        read_claims(args.claims.as_deref())?,
        args,
    )?;
    let signer = signer(ctx, args)?;
    let (token, alg) = match &signer {
        Signer::Hmac(alg, secret) => (
            jose::sign_hmac(*alg, secret, &args.typ, args.kid.as_deref(), &claims),
            alg.as_str(),
        ),
        Signer::Key(key) => (
            key.sign_with_kid(&args.typ, args.kid.as_deref(), &claims),
            key.alg().as_str(),
        ),
    };
    let token = token.map_err(|e| Error::Other(format!("cannot sign: {e}")))?;
    if ctx.ui.json {
        let mut header = json!({"typ": args.typ, "alg": alg});
        if let Some(kid) = &args.kid {
            header["kid"] = json!(kid);
        }
        let doc = json!({"token": token, "header": header, "claims": claims});
        return Ok(Outcome::data(crate::output::json::to_string(&doc, true)));
    }
    Ok(Outcome::data(format!("{token}\n")))
}

/// The claims as given: an object from the argument, a file or standard input.
fn read_claims(arg: Option<&str>) -> Result<Map<String, Value>> {
    let (text, origin) = match arg {
        None => return Ok(Map::new()),
        Some("-" | "@-") => {
            let mut text = String::new();
            std::io::stdin()
                .lock()
                .take(MAX_CLAIMS_LEN + 1)
                .read_to_string(&mut text)
                .map_err(|e| Error::Other(format!("cannot read the claims from stdin: {e}")))?;
            (text, "standard input".to_owned())
        }
        Some(arg) => match arg.strip_prefix('@') {
            Some(path) => {
                let path = std::path::Path::new(path);
                let text = std::fs::read_to_string(path)
                    .map_err(|e| Error::io("read the claims file", path, e))?;
                (text, path.display().to_string())
            }
            None => (arg.to_owned(), "the argument".to_owned()),
        },
    };
    if text.len() as u64 > MAX_CLAIMS_LEN {
        return Err(Error::usage(
            format!("the claims in {origin} are larger than 1 MiB"),
            None,
        ));
    }
    match serde_json::from_str::<Value>(&text) {
        Ok(Value::Object(map)) => Ok(map),
        Ok(_) => Err(Error::usage(
            format!("the claims in {origin} are not a JSON object"),
            Some(r#"give an object, e.g. '{"sub": "alice", "roles": ["admin"]}'"#.to_owned()),
        )),
        Err(e) => Err(Error::usage(
            format!("the claims in {origin} are not valid JSON: {e}"),
            Some(
                r#"give an object, e.g. '{"sub": "alice"}', @FILE, or - for standard input"#
                    .to_owned(),
            ),
        )),
    }
}

/// The claims with the conveniences applied: `--iss`/`--sub`/`--aud` replace what the
/// claims say; `iat` (now), `exp` and `jti` are added unless present or turned off;
/// `--exp` replaces a given `exp`.
fn claims(now: i64, mut claims: Map<String, Value>, args: &Options) -> Result<Map<String, Value>> {
    if let Some(iss) = &args.iss {
        claims.insert("iss".into(), json!(iss));
    }
    if let Some(sub) = &args.sub {
        claims.insert("sub".into(), json!(sub));
    }
    match args.aud.as_slice() {
        [] => {}
        [one] => {
            claims.insert("aud".into(), json!(one));
        }
        many => {
            claims.insert("aud".into(), json!(many));
        }
    }
    if !args.no_iat && !claims.contains_key("iat") {
        claims.insert("iat".into(), json!(now));
    }
    if args.nbf {
        claims.insert("nbf".into(), json!(now));
    }
    let lifetime = |d: Duration| {
        i64::try_from(d.as_secs())
            .ok()
            .and_then(|s| now.checked_add(s))
            .ok_or_else(|| Error::usage("--exp is too far in the future", None))
    };
    if let Some(exp) = args.exp {
        claims.insert("exp".into(), json!(lifetime(exp)?));
    } else if !args.no_exp && !claims.contains_key("exp") {
        claims.insert("exp".into(), json!(lifetime(DEFAULT_LIFETIME)?));
    }
    if !args.no_jti && !claims.contains_key("jti") {
        claims.insert(
            "jti".into(),
            json!(crate::oauth::tokens::hex(&random_bytes(16))),
        );
    }
    Ok(claims)
}

const KEY_ALGS: &str = "RS256, PS256, ES256, ES384 or EdDSA with --key";
const HMAC_ALGS: &str = "HS256, HS384 or HS512 with --secret-env";

/// The signing key and algorithm from `--key`/`--secret-env` and `--alg`.
fn signer(ctx: &Context<'_>, args: &Options) -> Result<Signer> {
    let unsupported = |alg: &str| {
        Error::usage(
            format!("`--alg {alg}` is not supported here"),
            Some(format!("use {HMAC_ALGS}, or {KEY_ALGS}")),
        )
    };
    if let Some(var) = &args.secret_env {
        let alg = match args.alg.as_deref() {
            None => HmacAlg::Hs256,
            Some(name) => HmacAlg::from_name(name).ok_or_else(|| {
                if name.parse::<SigningAlg>().is_ok() {
                    Error::usage(
                        format!("`--alg {name}` signs with a private key, not a secret"),
                        Some(format!("use --key PEM-FILE for {name}, or {HMAC_ALGS}")),
                    )
                } else {
                    unsupported(name)
                }
            })?,
        };
        let secret = std::env::var_os(var)
            .filter(|s| !s.is_empty())
            .ok_or_else(|| {
                Error::config(
                    format!("--secret-env {var}: the variable is not set or empty"),
                    Some(format!("export {var}=… with the HMAC secret")),
                )
            })?;
        let secret = secret.as_encoded_bytes().to_vec();
        let min = match alg {
            HmacAlg::Hs256 => 32,
            HmacAlg::Hs384 => 48,
            HmacAlg::Hs512 => 64,
        };
        if secret.len() < min {
            ctx.ui.warn(&format!(
                "the secret in ${var} has {} bytes; {} wants at least {min} (RFC 7518 §3.2), \
                 and some verifiers refuse shorter ones",
                secret.len(),
                alg.as_str()
            ));
        }
        return Ok(Signer::Hmac(alg, secret));
    }
    let Some(path) = &args.key else {
        return Err(Error::usage(
            "nothing to sign with",
            Some("pass --key PEM-FILE or --secret-env VAR".to_owned()),
        ));
    };
    let alg = match args.alg.as_deref() {
        None => None,
        Some(name) if HmacAlg::from_name(name).is_some() => {
            return Err(Error::usage(
                format!("`--alg {name}` signs with a secret, not a private key"),
                Some(format!("use --secret-env VAR for {name}, or {KEY_ALGS}")),
            ));
        }
        Some(name) => Some(name.parse::<SigningAlg>().map_err(|_| unsupported(name))?),
    };
    let pem = std::fs::read_to_string(path).map_err(|e| Error::io("read --key", path, e))?;
    let key = SigningKey::from_pem(&pem, alg)
        .map_err(|e| Error::config(format!("--key {}: {e}", path.display()), None))?;
    Ok(Signer::Key(Box::new(key)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn options() -> Options {
        Options {
            typ: "JWT".into(),
            ..Options::default()
        }
    }

    #[test]
    fn conveniences_fill_what_the_claims_lack() {
        let given = read_claims(Some(r#"{"sub": "bob", "roles": ["a"]}"#)).unwrap();
        let c = claims(1000, given, &options()).unwrap();
        assert_eq!(c["sub"], "bob");
        assert_eq!(c["iat"], 1000);
        assert_eq!(c["exp"], 1000 + 900);
        assert_eq!(c["jti"].as_str().map(str::len), Some(32));
        assert!(c.get("nbf").is_none());
        // Flags win over the claims; --exp replaces a given exp; several --aud make an array.
        let given = read_claims(Some(r#"{"sub": "bob", "exp": 5, "iat": 7, "jti": "j"}"#)).unwrap();
        let args = Options {
            sub: Some("alice".into()),
            aud: vec!["a".into(), "b".into()],
            exp: Some(Duration::from_secs(60)),
            nbf: true,
            ..options()
        };
        let c = claims(1000, given, &args).unwrap();
        assert_eq!(c["sub"], "alice");
        assert_eq!(c["aud"], json!(["a", "b"]));
        assert_eq!(
            (&c["iat"], &c["exp"], &c["nbf"]),
            (&json!(7), &json!(1060), &json!(1000))
        );
        assert_eq!(c["jti"], "j");
        // A given exp is kept without --exp; everything automatic can be turned off.
        let given = read_claims(Some(r#"{"exp": 5}"#)).unwrap();
        assert_eq!(claims(1000, given, &options()).unwrap()["exp"], 5);
        let off = Options {
            no_exp: true,
            no_iat: true,
            no_jti: true,
            ..options()
        };
        assert_eq!(claims(1000, Map::new(), &off).unwrap(), Map::new());
    }

    #[test]
    fn claims_must_be_a_json_object() {
        for bad in ["[1]", "\"x\"", "{", "null"] {
            let e = read_claims(Some(bad)).unwrap_err();
            assert_eq!(e.exit_code(), 2, "{bad}");
        }
        assert_eq!(read_claims(None).unwrap(), Map::new());
        let e = read_claims(Some("@/nonexistent/claims.json")).unwrap_err();
        assert_eq!(e.exit_code(), 1);
    }
}
