//! `decode`: a JWT's header, claims and times, and with `--verify` whether its signature and
//! claims hold. Decoding without `--verify` never checks anything and says so on the first
//! line; verification failures print the decoded token and then exit 6.

use std::fmt::Write as _;
use std::io::{IsTerminal as _, Read as _};
use std::path::PathBuf;
use std::str::FromStr as _;
use std::time::Duration;

use colored::Color;
use jsonwebtoken::Algorithm;
use serde_json::{Map, Value, json};

use crate::error::{Error, Result};
use crate::flow::discovery::{self as fetch, DocumentCache, KeyFetch};
use crate::flow::keys::{self, label_keys};
use crate::oauth::jwt::{self, ClaimRules, Jws, ParseError, TimeClaim, TimeState};
use crate::oauth::token_type::TokenType;
use crate::output::{Outcome, Report, Theme, json as out_json};
use crate::text::sanitize;

use super::Context;

/// What `decode` was asked for.
#[derive(Debug, Clone)]
pub(crate) struct Options {
    /// The token (a leading `Bearer ` is ignored); `-` or `None` reads standard input.
    pub token: Option<String>,
    /// Decode the profile's cached access token.
    pub access_token: bool,
    /// Decode the profile's cached ID token.
    pub id_token: bool,
    /// Check the signature and the claims.
    pub verify: bool,
    /// `--jwks URL|FILE`.
    pub jwks: Option<String>,
    /// `--key PEM-FILE`.
    pub key: Option<PathBuf>,
    /// `--secret-env VAR` (HMAC).
    pub secret_env: Option<String>,
    /// `--alg`: allowed algorithms (empty: any that fits the key, never `none`).
    pub alg: Vec<String>,
    /// `--audience`: required audience.
    pub audience: Option<String>,
    /// `--leeway`: clock skew allowed for exp, nbf and iat.
    pub leeway: Duration,
}

/// The outcome of verification, if it was asked for.
#[derive(Debug, Clone)]
enum Verdict {
    NotChecked,
    Verified { key: String },
    Invalid,
}

/// What `decode` reports.
#[derive(Debug)]
struct DecodeReport {
    header: Map<String, Value>,
    claims: Map<String, Value>,
    times: Vec<TimeClaim>,
    verdict: Verdict,
    errors: Vec<String>,
    notes: Vec<String>,
    binding: Option<Binding>,
}

/// What a sender-constrained token is bound to (its `cnf` claim, RFC 7800), and whether
/// that is what this profile holds: the DPoP key's thumbprint (`jkt`, RFC 9449 §6.1), the
/// client certificate's (`x5t#S256`, RFC 8705 §3.1).
#[derive(Debug, Default)]
struct Binding {
    jkt: Option<String>,
    /// `None`: the profile has no DPoP key to compare with.
    jkt_matches: Option<bool>,
    x5t: Option<String>,
    /// `None`: the profile has no client certificate to compare with.
    x5t_matches: Option<bool>,
}

impl Binding {
    fn to_json(&self) -> Value {
        let mut out = Map::new();
        if let Some(jkt) = &self.jkt {
            out.insert("jkt".into(), json!(jkt));
            out.insert("matches_profile_dpop_key".into(), json!(self.jkt_matches));
        }
        if let Some(x5t) = &self.x5t {
            out.insert("x5t#S256".into(), json!(x5t));
            out.insert(
                "matches_profile_certificate".into(),
                json!(self.x5t_matches),
            );
        }
        Value::Object(out)
    }

    fn lines(&self, theme: Theme) -> Vec<String> {
        let verdict = |m: Option<bool>, what: &str| match m {
            Some(true) => theme.paint(&format!("the profile's {what}"), Color::Green),
            Some(false) => theme.paint(&format!("NOT the profile's {what}"), Color::Red),
            None => format!("the profile has no {what} to compare with"),
        };
        let mut out = Vec::new();
        if let Some(jkt) = &self.jkt {
            out.push(format!(
                "  DPoP key   jkt {}  {}",
                sanitize::line(jkt),
                verdict(self.jkt_matches, "DPoP key")
            ));
        }
        if let Some(x5t) = &self.x5t {
            out.push(format!(
                "  certificate  x5t#S256 {}  {}",
                sanitize::line(x5t),
                verdict(self.x5t_matches, "client certificate")
            ));
        }
        out
    }
}

/// The `cnf` binding of `claims`, compared with the profile's DPoP key (from its cached set)
/// and client certificate thumbprint; `None` for a token without `cnf.jkt` or
/// `cnf.x5t#S256`.
fn binding(
    claims: &Map<String, Value>,
    profile_jkt: impl FnOnce() -> Option<String>,
    profile_x5t: impl FnOnce() -> Option<String>,
) -> Option<Binding> {
    let cnf = claims.get("cnf").and_then(Value::as_object)?;
    let jkt = cnf.get("jkt").and_then(Value::as_str).map(str::to_owned);
    let x5t = cnf
        .get("x5t#S256")
        .and_then(Value::as_str)
        .map(str::to_owned);
    if jkt.is_none() && x5t.is_none() {
        return None;
    }
    let jkt_matches = jkt.as_ref().and_then(|j| profile_jkt().map(|p| &p == j));
    let x5t_matches = x5t.as_ref().and_then(|x| profile_x5t().map(|p| &p == x));
    Some(Binding {
        jkt,
        jkt_matches,
        x5t,
        x5t_matches,
    })
}

impl Report for DecodeReport {
    fn to_json(&self) -> Value {
        let times: Map<String, Value> = self
            .times
            .iter()
            .map(|t| {
                (
                    t.name.clone(),
                    serde_json::to_value(t).unwrap_or(Value::Null),
                )
            })
            .collect();
        json!({
            "header": self.header,
            "claims": self.claims,
            "verified": match self.verdict {
                Verdict::NotChecked => Value::Null,
                Verdict::Verified { .. } => Value::Bool(true),
                Verdict::Invalid => Value::Bool(false),
            },
            "key": match &self.verdict {
                Verdict::Verified { key } => Value::String(key.clone()),
                _ => Value::Null,
            },
            "errors": self.errors,
            "notes": self.notes,
            "times": times,
            "binding": self.binding.as_ref().map(Binding::to_json),
        })
    }

    fn human(&self, theme: Theme) -> String {
        let mut out = String::new();
        match &self.verdict {
            Verdict::NotChecked => {
                let _ = writeln!(
                    out,
                    "{} signature and claims not checked (add --verify)",
                    theme.paint("NOT VERIFIED", Color::Yellow)
                );
            }
            Verdict::Verified { key } => {
                let _ = writeln!(
                    out,
                    "{} signature by {}",
                    theme.paint("VERIFIED", Color::Green),
                    sanitize::line(key)
                );
            }
            Verdict::Invalid => {
                let _ = writeln!(
                    out,
                    "{} {}",
                    theme.paint("INVALID", Color::Red),
                    sanitize::line(&self.errors.join("; "))
                );
            }
        }
        for note in &self.notes {
            let _ = writeln!(
                out,
                "  {}",
                theme.dim(&format!("note: {}", sanitize::line(note)))
            );
        }
        if let Some(binding) = &self.binding {
            let _ = writeln!(out, "\n{}", theme.bold("Bound to"));
            for line in binding.lines(theme) {
                let _ = writeln!(out, "{line}");
            }
        }
        let _ = writeln!(out, "\n{}", theme.bold("Header"));
        out.push_str(&out_json::to_string(&self.header, true));
        let _ = writeln!(out, "\n{}", theme.bold("Claims"));
        out.push_str(&out_json::to_string(&self.claims, true));
        if !self.times.is_empty() {
            let _ = writeln!(out, "\n{}", theme.bold("Times"));
            let width = self.times.iter().map(|t| t.name.len()).max().unwrap_or(3);
            for t in &self.times {
                let color = match t.state {
                    TimeState::Expired | TimeState::Invalid => Color::Red,
                    TimeState::ExpiringSoon | TimeState::NotYetValid => Color::Yellow,
                    TimeState::Valid => Color::Green,
                    TimeState::Past => Color::White,
                };
                let iso = t
                    .iso
                    .clone()
                    .unwrap_or_else(|| sanitize::line(&t.value.to_string()).into_owned());
                let rel = sanitize::line(&t.relative);
                let _ = writeln!(
                    out,
                    "  {:width$}  {iso:20}  {}",
                    t.name,
                    if matches!(t.state, TimeState::Past) {
                        rel.into_owned()
                    } else {
                        theme.paint(&rel, color)
                    }
                );
            }
        }
        out
    }
}

/// Reads the token from the argument or standard input, bounded.
fn read_token(ctx: &Context<'_>, arg: Option<&str>) -> Result<String> {
    if let Some(token) = arg.filter(|t| *t != "-") {
        return Ok(token.to_owned());
    }
    let stdin = std::io::stdin();
    if arg.is_none() && stdin.is_terminal() {
        return Err(Error::usage(
            "no token given",
            Some("pass the token as an argument, or pipe it: `… | oauthctl decode`".to_owned()),
        ));
    }
    let _ = ctx;
    let mut buf = Vec::new();
    let limit = u64::try_from(jwt::MAX_TOKEN_LEN).unwrap_or(u64::MAX) + 1;
    stdin
        .lock()
        .take(limit)
        .read_to_end(&mut buf)
        .map_err(|e| Error::Other(format!("cannot read standard input: {e}")))?;
    if buf.len() > jwt::MAX_TOKEN_LEN {
        return Err(parse_error(&ParseError::TooLarge(buf.len())));
    }
    String::from_utf8(buf).map_err(|_| Error::Malformed {
        message: "the input is not text (invalid UTF-8), so it is not a JWT".to_owned(),
        hint: None,
    })
}

/// The token without a leading scheme (`Bearer `, in any case, RFC 9110 §11.1), as copied
/// from an `Authorization` header or a tutorial's `/login` answer.
fn without_scheme(input: &str) -> &str {
    let text = input.trim_start();
    match text.split_once([' ', '\t']) {
        Some((scheme, rest)) if TokenType::ALL.iter().any(|t| t.is_scheme(scheme)) => rest,
        _ => input,
    }
}

fn parse_error(e: &ParseError) -> Error {
    let hint = match e {
        ParseError::Opaque => {
            Some("ask the server what it means: `oauthctl introspect TOKEN` (RFC 7662)".to_owned())
        }
        ParseError::Jwe => Some(
            "encrypted tokens are meant for their recipient only; introspect it instead".to_owned(),
        ),
        ParseError::TooLarge(_) | ParseError::Malformed(_) => None,
    };
    Error::Malformed {
        message: format!("cannot decode: {e}"),
        hint,
    }
}

fn parse_algs(names: &[String]) -> Result<Vec<Algorithm>> {
    names
        .iter()
        .map(|n| {
            if n.eq_ignore_ascii_case("none") {
                return Err(Error::usage(
                    "`--alg none` is not allowed: unsigned tokens are never verified",
                    None,
                ));
            }
            Algorithm::from_str(n).map_err(|_| {
                Error::usage(
                    format!("unknown algorithm `{n}`"),
                    Some("use e.g. RS256, PS256, ES256, ES384, EdDSA, HS256".to_owned()),
                )
            })
        })
        .collect()
}

/// Where the verification keys come from.
enum KeySource {
    Fixed(Vec<jwt::VerificationKey>, Vec<String>),
    /// The issuer's JWKS URL (from discovery): cached, refetched for an unknown kid.
    Discovered(String),
    /// A JWKS URL the user named (`--jwks URL`): fetched fresh every time, so a key the
    /// issuer has retired no longer verifies.
    Named(String),
}

fn key_source(
    ctx: &Context<'_>,
    args: &Options,
    jws: &Jws,
    notes: &mut Vec<String>,
) -> Result<KeySource> {
    if let Some(path) = &args.key {
        let pem = std::fs::read(path).map_err(|e| Error::io("read", path, e))?;
        let mut key = jwt::key_from_pem(&pem)
            .map_err(|e| Error::config(format!("--key {}: {e}", path.display()), None))?;
        key.label = format!("the key in {}", path.display());
        return Ok(KeySource::Fixed(vec![key], Vec::new()));
    }
    if let Some(var) = &args.secret_env {
        let secret = std::env::var(var)
            .ok()
            .filter(|s| !s.is_empty())
            .ok_or_else(|| {
                Error::config(
                    format!("--secret-env {var}: the variable is not set or empty"),
                    Some(format!("export {var}=… with the HMAC secret")),
                )
            })?;
        let key = jwt::key_from_secret(secret.as_bytes(), &format!("the secret in ${var}"))
            .map_err(|e| Error::config(format!("--secret-env {var}: {e}"), None))?;
        return Ok(KeySource::Fixed(vec![key], Vec::new()));
    }
    if let Some(jwks) = &args.jwks {
        if jwks.starts_with("https://") || jwks.starts_with("http://") {
            return Ok(KeySource::Named(jwks.clone()));
        }
        let bytes =
            std::fs::read(jwks).map_err(|e| Error::io("read", std::path::Path::new(jwks), e))?;
        let set = jwt::parse_jwks(&bytes)
            .map_err(|e| Error::config(format!("--jwks {jwks}: {e}"), None))?;
        let skipped = set.skipped.clone();
        return Ok(KeySource::Fixed(label_keys(set, jwks), skipped));
    }
    // Keys of the issuer the token names (or the one --issuer names): "signed by whom it
    // claims". Only https (or loopback http) issuers are contacted.
    let issuer = match (&ctx.flags.issuer, jws.claims.get("iss")) {
        (Some(expected), _) => expected.clone(),
        (None, Some(Value::String(iss))) => iss.clone(),
        (None, _) => {
            return Err(Error::config(
                "no key to verify with: the token has no `iss` to discover keys from",
                Some("pass --jwks URL|FILE, --key PEM-FILE or --secret-env VAR".to_owned()),
            ));
        }
    };
    let http = ctx.http()?;
    let cache = DocumentCache::new(ctx.paths.discovery_cache());
    let meta = fetch::metadata(http, &cache, &issuer, None, ctx.clock().now())?;
    let jwks_uri = meta.jwks_uri.ok_or_else(|| {
        Error::BadResponse(format!("the issuer `{issuer}` publishes no jwks_uri"))
    })?;
    notes.push(format!("keys from the discovery document of `{issuer}`"));
    Ok(KeySource::Discovered(jwks_uri))
}

/// Verifies the signature; returns the label of the key that verified it.
fn verify_signature(
    ctx: &Context<'_>,
    jws: &Jws,
    source: KeySource,
    algs: &[Algorithm],
    notes: &mut Vec<String>,
) -> Result<std::result::Result<String, String>> {
    // Fail fast on `none`, unknown algs and crit before any network access.
    if let Err(e) = jwt::signature_alg(jws, algs) {
        return Ok(Err(e.to_string()));
    }
    let (url, how) = match source {
        KeySource::Fixed(keys, skipped) => {
            notes.extend(skipped.into_iter().map(|s| format!("skipped {s}")));
            return Ok(jwt::verify_signature(jws, &keys, algs)
                .map(|k| k.label.clone())
                .map_err(|e| e.to_string()));
        }
        KeySource::Discovered(url) => {
            let kid = jws.header.get("kid").and_then(Value::as_str);
            (url, KeyFetch::Cached { kid })
        }
        KeySource::Named(url) => (url, KeyFetch::Fresh),
    };
    let http = ctx.http()?;
    let cache = DocumentCache::new(ctx.paths.discovery_cache());
    let check = keys::verify_with_key_set(http, &cache, &url, how, jws, algs, ctx.clock().now())?;
    notes.extend(check.skipped.iter().map(|s| format!("skipped {s}")));
    if check.refetched {
        notes.push("refetched the key set for an unknown kid".to_owned());
    }
    Ok(check.verdict.map_err(|e| e.to_string()))
}

/// The `x5t#S256` of the profile's client certificate, when one is configured.
fn profile_x5t(ctx: &Context<'_>) -> Option<String> {
    let settings = super::session::Session::settings(ctx).ok()?;
    super::credentials::certificate(&settings)
        .ok()
        .flatten()
        .map(|c| c.thumbprint().to_owned())
}

/// Runs `decode`.
pub(crate) fn run(ctx: &Context<'_>, args: &Options) -> Result<Outcome> {
    let algs = parse_algs(&args.alg)?;
    let mut cached = None;
    let input = if args.access_token || args.id_token {
        let tokens = super::session::Session::open(ctx)?.tokens()?;
        cached = Some(tokens.clone());
        if args.id_token {
            tokens
                .id_token
                .ok_or_else(|| Error::usage("the cached login has no ID token", None))?
                .expose()
                .to_owned()
        } else {
            tokens.access_token.expose().to_owned()
        }
    } else {
        read_token(ctx, args.token.as_deref())?
    };
    let jws = jwt::parse(without_scheme(&input)).map_err(|e| parse_error(&e))?;
    let now = ctx.clock().now();
    let leeway = i64::try_from(args.leeway.as_secs()).unwrap_or(i64::MAX);
    let times = jwt::time_claims(&jws.claims, now, leeway);
    let mut notes = Vec::new();
    for name in ["jku", "x5u", "jwk", "x5c"] {
        if jws.header.contains_key(name) {
            notes.push(format!(
                "the header's `{name}` is ignored: keys never come from the token"
            ));
        }
    }
    // A bound token is compared with what this profile holds; looked up only for such a
    // token, so that decoding others never opens the token store.
    let profile_jkt = || {
        let tokens = cached.or_else(|| {
            super::session::Session::open(ctx)
                .ok()
                .and_then(|s| s.tokens().ok())
        })?;
        let key = tokens.dpop_key.as_ref()?.signing_key().ok()?;
        Some(key.thumbprint().to_owned())
    };
    let binding = binding(&jws.claims, profile_jkt, || profile_x5t(ctx));
    let mut report = DecodeReport {
        header: jws.header.clone(),
        claims: jws.claims.clone(),
        times,
        verdict: Verdict::NotChecked,
        errors: Vec::new(),
        notes: Vec::new(),
        binding,
    };
    if !args.verify {
        report.notes = notes;
        return Ok(Outcome::report(report));
    }

    let source = key_source(ctx, args, &jws, &mut notes)?;
    let signature = verify_signature(ctx, &jws, source, &algs, &mut notes)?;
    let rules = ClaimRules {
        now,
        leeway,
        issuer: ctx.flags.issuer.clone(),
        audience: args.audience.clone(),
        require_exp: false,
    };
    let mut errors = Vec::new();
    if let Err(e) = &signature {
        errors.push(e.clone());
    }
    errors.extend(jwt::check_claims(&jws.claims, &rules));
    if !jws.claims.contains_key("exp") {
        notes.push("the token has no `exp`: it never expires".to_owned());
    }
    if args.audience.is_none() {
        notes.push("audience not checked (pass --audience)".to_owned());
    }
    if ctx.flags.issuer.is_none()
        && (args.key.is_some() || args.jwks.is_some() || args.secret_env.is_some())
    {
        notes.push("issuer not checked (pass --issuer)".to_owned());
    }
    report.notes = notes;
    if errors.is_empty() {
        report.verdict = Verdict::Verified {
            key: signature.unwrap_or_default(),
        };
        return Ok(Outcome::report(report));
    }
    let summary = errors.join("; ");
    report.verdict = Verdict::Invalid;
    report.errors = errors;
    Ok(
        Outcome::report(report).then_fail(Error::InvalidToken(format!(
            "the token is INVALID: {summary}"
        ))),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn claims(cnf: Value) -> Map<String, Value> {
        let mut m = Map::new();
        m.insert("sub".into(), json!("alice"));
        m.insert("cnf".into(), cnf);
        m
    }

    #[test]
    fn a_bound_token_is_compared_with_the_profile() {
        let c = claims(json!({"jkt": "abc"}));
        let b = binding(&c, || Some("abc".into()), || None).unwrap();
        assert_eq!(b.jkt_matches, Some(true));
        assert_eq!(b.to_json()["matches_profile_dpop_key"], true);
        let b = binding(&c, || Some("xyz".into()), || None).unwrap();
        assert_eq!(b.jkt_matches, Some(false));
        assert!(b.lines(Theme::PLAIN)[0].contains("NOT the profile's DPoP key"));
        let b = binding(&c, || None, || None).unwrap();
        assert_eq!(b.jkt_matches, None);
        assert_eq!(b.to_json()["matches_profile_dpop_key"], Value::Null);
        let c = claims(json!({"x5t#S256": "t1"}));
        let b = binding(&c, || panic!("no jkt to compare"), || Some("t1".into())).unwrap();
        assert_eq!(b.x5t_matches, Some(true));
        assert_eq!(b.to_json()["x5t#S256"], "t1");
        // No `cnf`, or one of another kind: nothing is looked up.
        let plain = json!({"sub": "a"}).as_object().unwrap().clone();
        assert!(binding(&plain, || panic!(), || panic!()).is_none());
        assert!(binding(&claims(json!({"jwk": {}})), || panic!(), || panic!()).is_none());
        assert!(binding(&claims(json!("x")), || panic!(), || panic!()).is_none());
    }
}
