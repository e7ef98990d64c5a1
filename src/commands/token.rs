//! `token`: the cached access token on stdout, refreshed first when it expires within
//! `--min-ttl`. The cached path reads the index and one store entry and nothing else: no
//! config parsing beyond the file, no HTTP client, no secret.

use std::time::Duration;

use serde_json::json;

use crate::error::{Error, Result};
use crate::oauth::secret::RefreshToken;
use crate::oauth::tokens::TokenSet;
use crate::output::Outcome;

use super::Context;
use super::exec_credential::{EXEC_INFO_ENV, ExecInfo};
use super::session::{Session, usable_tokens};

/// `--format`: how the token is printed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) enum Format {
    /// The token alone.
    #[default]
    Raw,
    /// `Authorization: Bearer TOKEN`.
    Header,
    /// A JSON document (no refresh token unless asked for).
    Json,
    /// `export OAUTHCTL_ACCESS_TOKEN=…` lines for `eval`.
    Env,
    /// A kubectl `ExecCredential` ([`super::exec_credential`]).
    ExecCredential,
}

/// What `token` was asked for.
#[derive(Debug, Clone)]
pub(crate) struct Options {
    pub format: Format,
    /// Print the ID token instead of the access token.
    pub id_token: bool,
    /// Never refresh; fail when the cached token has expired.
    pub no_refresh: bool,
    /// Refresh first when the token expires within this time.
    pub min_ttl: Duration,
    /// Include the refresh token in [`Format::Json`].
    pub include_refresh_token: bool,
    /// `--dpop-proof METHOD URL`: print the headers of one request instead (RFC 9449 §7.1).
    pub dpop_proof: Option<(String, String)>,
}

impl Default for Options {
    fn default() -> Self {
        Self {
            format: Format::Raw,
            id_token: false,
            no_refresh: false,
            min_ttl: Duration::from_secs(60),
            include_refresh_token: false,
            dpop_proof: None,
        }
    }
}

/// Shell-quotes a value for `--format env` (tokens are URL-safe, but be exact anyway).
fn shell_quote(s: &str) -> String {
    format!("'{}'", s.replace('\'', r"'\''"))
}

/// Renders the chosen token.
fn render(tokens: &TokenSet, args: &Options, now: i64) -> Result<Vec<u8>> {
    let value = if args.id_token {
        tokens
            .id_token
            .as_ref()
            .ok_or_else(|| {
                Error::usage(
                    "the cached login has no ID token (was `openid` requested?)",
                    None,
                )
            })?
            .expose()
            .to_owned()
    } else {
        tokens.access_token.expose().to_owned()
    };
    let kind = if args.id_token {
        "id_token"
    } else {
        "access_token"
    };
    Ok(match args.format {
        Format::Raw => format!("{value}\n").into_bytes(),
        Format::Header if !args.id_token && tokens.token_type.needs_proof() => {
            return Err(Error::usage(
                "the cached access token is DPoP-bound: every request needs a proof of its \
                 own beside the Authorization header, which a header alone cannot carry",
                Some(
                    "print both headers for one request with `oauthctl token --dpop-proof \
                     METHOD URL` (e.g. `... | curl -H @- URL`), or use `oauthctl call`"
                        .to_owned(),
                ),
            ));
        }
        Format::Header => {
            // An ID token is sent (where an API takes one) as a bearer credential.
            let scheme = if args.id_token {
                crate::oauth::token_type::TokenType::Bearer.scheme()
            } else {
                tokens.token_type.scheme()
            };
            format!("Authorization: {scheme} {value}\n").into_bytes()
        }
        Format::Env => {
            let name = if args.id_token {
                "OAUTHCTL_ID_TOKEN"
            } else {
                "OAUTHCTL_ACCESS_TOKEN"
            };
            format!(
                "export {name}={}\nexport OAUTHCTL_TOKEN_TYPE={}\n",
                shell_quote(&value),
                shell_quote(tokens.token_type.as_str())
            )
            .into_bytes()
        }
        Format::ExecCredential => {
            // kubectl reuses the credential until this time: the ID token's own expiry
            // when that is the credential (Kubernetes OIDC authentication).
            let expires_at = if args.id_token {
                crate::oauth::jwt::parse(&value)
                    .ok()
                    .and_then(|jws| jws.claims.get("exp").cloned())
                    .and_then(|exp| crate::oauth::jwt::numeric_date(&exp).ok())
            } else {
                tokens.expires_at
            };
            let info = ExecInfo::parse(std::env::var(EXEC_INFO_ENV).ok().as_deref())?;
            info.render(&value, expires_at)
        }
        Format::Json => {
            let mut doc = json!({
                kind: value,
                "token_type": tokens.token_type,
                "expires_at": tokens.expires_at,
                "expires_in": tokens.remaining(now),
                "scope": tokens.scope.join(" "),
                "issuer": tokens.issuer,
                "client_id": tokens.client_id,
            });
            // What a token exchange issued in place of an access token (RFC 8693 §2.2.1).
            if let (Some(t), false) = (&tokens.issued_token_type, args.id_token) {
                doc["issued_token_type"] = json!(t);
            }
            if args.include_refresh_token {
                doc["refresh_token"] =
                    json!(tokens.refresh_token.as_ref().map(RefreshToken::expose));
            }
            // Terminal-safe JSON: a scope or issuer from the server cannot carry C1 controls
            // or BiDi overrides to the screen (C0 controls are escaped by JSON itself).
            crate::output::json::to_string(&doc, false).into_bytes()
        }
    })
}

/// The headers of one `method` request to `url` with the access token: `Authorization`,
/// and for a DPoP-bound token the `DPoP` proof for that request (with `ath`, and the nonce
/// the server last handed out, RFC 9449 §7.1), one per line, as `curl -H @-` reads them.
fn proof_headers(ctx: &Context<'_>, tokens: &TokenSet, method: &str, url: &str) -> Result<Vec<u8>> {
    if method.is_empty() || !method.bytes().all(|b| b.is_ascii_alphabetic()) {
        return Err(Error::usage(
            format!(
                "`{}` is not an HTTP method",
                crate::text::sanitize::line(method)
            ),
            Some("e.g. --dpop-proof GET https://api.example/items".to_owned()),
        ));
    }
    let method = method.to_ascii_uppercase();
    let url = crate::oauth::url_policy::check(url, ctx.flags.insecure_http)
        .map_err(|e| Error::usage(e, None))?;
    let mut out = format!(
        "Authorization: {}\n",
        tokens.token_type.authorization(&tokens.access_token)
    );
    if let Some(dpop) = super::credentials::resource_dpop(ctx, tokens)? {
        let proof = dpop.proof(&method, &url, Some(&tokens.access_token))?;
        let value = proof
            .header
            .to_str()
            .map_err(|_| Error::Other("a DPoP proof is not text".to_owned()))?;
        out.push_str(crate::oauth::dpop::PROOF_HEADER);
        out.push_str(": ");
        out.push_str(value);
        out.push('\n');
    }
    Ok(out.into_bytes())
}

/// `--no-refresh` and an expired access token: the next step is a refresh when one can
/// work (a refresh token, or a client-credentials login), else a new login.
fn expired_without_refresh(profile: &str, tokens: &TokenSet) -> Error {
    let renewable = tokens.renewal().is_some();
    Error::LoginRequired {
        message: format!(
            "the cached access token for profile `{profile}` has expired (--no-refresh)"
        ),
        hint: if renewable {
            "run `oauthctl refresh` first, or leave out --no-refresh".to_owned()
        } else {
            "there is no refresh token: run `oauthctl login`".to_owned()
        },
    }
}

/// Runs `token`.
pub(crate) fn run(ctx: &Context<'_>, args: &Options) -> Result<Outcome> {
    if args.format == Format::ExecCredential {
        // Read first: a kubeconfig asking for an unknown apiVersion fails before anything.
        let info = ExecInfo::parse(std::env::var(EXEC_INFO_ENV).ok().as_deref())?;
        return cached(ctx, args).map_err(|e| info.explain(e));
    }
    cached(ctx, args)
}

/// The chosen token of the profile's cached login, rendered as `args.format` asks.
fn cached(ctx: &Context<'_>, args: &Options) -> Result<Outcome> {
    let session = Session::open(ctx)?;
    let now = ctx.clock().now();
    let tokens = if args.no_refresh {
        let t = session.tokens()?;
        if t.is_expired(now) {
            return Err(expired_without_refresh(&session.profile, &t));
        }
        t
    } else {
        usable_tokens(ctx, &session, args.min_ttl)?
    };
    if let Some((method, url)) = &args.dpop_proof {
        return Ok(Outcome::data(proof_headers(ctx, &tokens, method, url)?));
    }
    // The global `--json` asks for the JSON document too.
    let mut args = args.clone();
    if ctx.ui.json && args.format == Format::Raw {
        args.format = Format::Json;
    }
    Ok(Outcome::data(render(&tokens, &args, now)?))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::oauth::grant::Grant;
    use crate::oauth::secret::AccessToken;
    use crate::oauth::token_type::TokenType;

    fn args(format: Format) -> Options {
        Options {
            format,
            id_token: false,
            no_refresh: false,
            min_ttl: Duration::from_secs(60),
            include_refresh_token: false,
            dpop_proof: None,
        }
    }

    #[test]
    fn a_dpop_bound_token_has_no_header_alone() {
        let t = TokenSet {
            access_token: AccessToken::new("at-d"),
            token_type: TokenType::DPoP,
            expires_at: None,
            refresh_token: None,
            id_token: Some(crate::oauth::secret::IdToken::new("idt")),
            scope: vec![],
            grant: Grant::AuthorizationCode,
            issuer: "https://as.example".into(),
            client_id: "cli".into(),
            obtained_at: 1000,
            dpop_key: None,
            issued_token_type: None,
        };
        let e = render(&t, &args(Format::Header), 1000).unwrap_err();
        assert_eq!(e.exit_code(), 2);
        assert!(e.to_string().contains("DPoP-bound"), "{e}");
        assert!(e.hint().unwrap().contains("--dpop-proof METHOD URL"));
        assert!(!e.to_string().contains("at-d"));
        // The token itself, its type in the environment and JSON still print.
        assert_eq!(render(&t, &args(Format::Raw), 1000).unwrap(), b"at-d\n");
        let env = String::from_utf8(render(&t, &args(Format::Env), 1000).unwrap()).unwrap();
        assert!(env.contains("OAUTHCTL_TOKEN_TYPE='DPoP'"), "{env}");
        // The ID token is no access token: its header form is not refused.
        let mut id = args(Format::Header);
        id.id_token = true;
        assert_eq!(
            render(&t, &id, 1000).unwrap(),
            b"Authorization: Bearer idt\n"
        );
    }

    #[test]
    fn formats() {
        let t = TokenSet {
            access_token: AccessToken::new("at-1"),
            token_type: TokenType::Bearer,
            expires_at: Some(1100),
            refresh_token: Some(RefreshToken::new("rt-1")),
            id_token: None,
            scope: vec!["a".into(), "b".into()],
            grant: Grant::AuthorizationCode,
            issuer: "https://as.example".into(),
            client_id: "cli".into(),
            obtained_at: 1000,
            dpop_key: None,
            issued_token_type: None,
        };
        assert_eq!(render(&t, &args(Format::Raw), 1000).unwrap(), b"at-1\n");
        assert_eq!(
            render(&t, &args(Format::Header), 1000).unwrap(),
            b"Authorization: Bearer at-1\n"
        );
        let env = String::from_utf8(render(&t, &args(Format::Env), 1000).unwrap()).unwrap();
        assert_eq!(
            env,
            "export OAUTHCTL_ACCESS_TOKEN='at-1'\nexport OAUTHCTL_TOKEN_TYPE='Bearer'\n"
        );
        let json: serde_json::Value =
            serde_json::from_slice(&render(&t, &args(Format::Json), 1000).unwrap()).unwrap();
        assert_eq!(json["access_token"], "at-1");
        assert_eq!(json["expires_in"], 100);
        assert!(
            json.get("refresh_token").is_none(),
            "no refresh token unless asked for"
        );
        let mut with_rt = args(Format::Json);
        with_rt.include_refresh_token = true;
        let json: serde_json::Value =
            serde_json::from_slice(&render(&t, &with_rt, 1000).unwrap()).unwrap();
        assert_eq!(json["refresh_token"], "rt-1");
        let mut id = args(Format::Raw);
        id.id_token = true;
        assert_eq!(render(&t, &id, 1000).unwrap_err().exit_code(), 2);
        assert_eq!(shell_quote("a'b"), r"'a'\''b'");
    }

    #[test]
    fn json_output_carries_no_terminal_controls() {
        // `token` never writes control characters to a terminal; the
        // server-chosen scope and issuer are escaped like every `--json` document.
        let t = TokenSet {
            access_token: AccessToken::new("at-1"),
            token_type: TokenType::Bearer,
            expires_at: None,
            refresh_token: None,
            id_token: None,
            scope: vec!["a\u{9b}2J".into(), "b\u{202e}".into(), "c\u{1b}[0m".into()],
            grant: Grant::ClientCredentials,
            issuer: "https://as.example/\u{85}".into(),
            client_id: "cli".into(),
            obtained_at: 1000,
            dpop_key: None,
            issued_token_type: None,
        };
        let out = render(&t, &args(Format::Json), 1000).unwrap();
        let text = String::from_utf8(out).unwrap();
        assert!(
            !text
                .trim_end()
                .chars()
                .any(crate::text::sanitize::is_unsafe),
            "{text:?}"
        );
        let json: serde_json::Value = serde_json::from_str(&text).unwrap();
        assert_eq!(json["scope"], "a\u{9b}2J b\u{202e} c\u{1b}[0m");
    }
}
