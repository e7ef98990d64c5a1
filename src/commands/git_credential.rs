//! `git-credential get|store|erase`: a git credential helper (gitcredentials(7), the
//! protocol of git-credential(1)). git writes `key=value` lines (`protocol`, `host`, `path`,
//! `username`, `password`, `wwwauth[]`, …) ending with a blank line; `get` answers
//! `username`, `password` (the profile's access token, renewed first as `token` renews it)
//! and `password_expiry_utc`.
//!
//! Which profile answers: the one the flags name (`-p`, `--provider`; the helper line in
//! git's configuration carries them), else the configured profile whose `git_hosts` entry
//! matches the request most specifically (`HOST[:PORT]` or `HOST/PATH-PREFIX`; a path needs
//! `credential.useHttpPath`). A profile with `git_hosts` answers only for those, even when
//! named. A request no profile is for gets no answer, so git goes on to its next helper.
//! The token is only sent over https (http only to loopback hosts, or with
//! `--insecure-http`).
//!
//! `store` keeps nothing (the token cache is oauthctl's own). `erase` is git saying the
//! server refused the credential: when the password is the cached access token, it is
//! renewed at once under the profile's lock (as `call` does after a `401`), so the next
//! `get` answers with a new one; an exhausted login then says to log in again.

use std::fmt::Write as _;
use std::io::{BufRead as _, Read as _};
use std::time::Duration;

use crate::config::Flags;
use crate::error::{Error, Result};
use crate::oauth::secret::AccessToken;
use crate::oauth::url_policy;
use crate::output::Outcome;

use super::Context;
use super::session::{Session, replace_rejected, usable_tokens};

/// The operation git asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Operation {
    Get,
    Store,
    Erase,
}

/// What `git-credential` was asked for.
#[derive(Debug, Clone)]
pub(crate) struct Options {
    pub operation: Operation,
}

/// The username when neither the profile nor git names one (GitLab requires it for OAuth
/// tokens; GitHub, Gitea and Azure DevOps accept any).
pub(crate) const DEFAULT_USERNAME: &str = "oauth2";

/// A request from git is a few short lines; anything longer is not one.
const MAX_REQUEST_LEN: u64 = 64 * 1024;

/// The token `get` answers with is valid for at least this long.
const MIN_TTL: Duration = Duration::from_secs(60);

/// What git sent.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub(crate) struct Request {
    pub protocol: Option<String>,
    pub host: Option<String>,
    pub path: Option<String>,
    pub username: Option<String>,
    /// Only `erase` carries it (the rejected credential); never shown.
    pub password: Option<AccessToken>,
    /// The server's `WWW-Authenticate` challenges (git 2.41 and later).
    pub wwwauth: Vec<String>,
}

impl Request {
    /// Parses git's `key=value` lines up to the first blank line (or the end). Unknown keys
    /// are ignored, as the protocol asks; a line without `=` is an error.
    pub(crate) fn parse(text: &str) -> Result<Self> {
        let mut req = Self::default();
        for line in text.split('\n') {
            let line = line.strip_suffix('\r').unwrap_or(line);
            if line.is_empty() {
                break;
            }
            let Some((key, value)) = line.split_once('=') else {
                return Err(Error::usage(
                    "git sent a credential line without `=`",
                    Some(
                        "git-credential reads `key=value` lines from git (git-credential(1))"
                            .to_owned(),
                    ),
                ));
            };
            let value = value.to_owned();
            match key {
                "protocol" => req.protocol = Some(value),
                "host" => req.host = Some(value),
                "path" => req.path = Some(value),
                "username" => req.username = Some(value),
                "password" => req.password = Some(AccessToken::new(value)),
                "wwwauth[]" => req.wwwauth.push(value),
                _ => {}
            }
        }
        Ok(req)
    }

    /// The URL git is about to send the credential to (for the transport policy).
    fn url(&self) -> Option<url::Url> {
        let protocol = self.protocol.as_deref()?;
        let host = self.host.as_deref()?;
        url::Url::parse(&format!("{protocol}://{host}/")).ok()
    }
}

/// How specifically `pattern` (a `git_hosts` entry: `HOST[:PORT][/PATH]`, an optional
/// `https://` in front) matches `host` and `path`: `None` when it does not, else the length
/// of what matched (a longer match wins).
pub(crate) fn pattern_matches(pattern: &str, host: &str, path: Option<&str>) -> Option<usize> {
    let p = pattern
        .split_once("://")
        .map_or(pattern, |(_, rest)| rest)
        .trim_end_matches('/');
    let (p_host, p_path) = p.split_once('/').unwrap_or((p, ""));
    if p_host.is_empty() || !p_host.eq_ignore_ascii_case(host) {
        return None;
    }
    if p_path.is_empty() {
        return Some(p_host.len());
    }
    let path = path?.trim_start_matches('/').trim_end_matches('/');
    let under = |prefix: &str| path == prefix || path.starts_with(&format!("{prefix}/"));
    (under(p_path) || under(&format!("{p_path}.git"))).then_some(p_host.len() + 1 + p_path.len())
}

/// The profile that answers `req`: `Ok(None)` when none is for it.
fn profile_for(ctx: &Context<'_>, req: &Request) -> Result<Option<String>> {
    let Some(host) = req.host.as_deref() else {
        return Ok(None);
    };
    let file = ctx.config()?;
    let path = req.path.as_deref();
    if ctx.flags.profile.is_some() || ctx.flags.provider.is_some() {
        let name = ctx.profile_name()?;
        let hosts = file
            .and_then(|f| f.profiles.get(&name))
            .map(|p| p.git_hosts.as_slice())
            .unwrap_or_default();
        let allowed = hosts.is_empty()
            || hosts
                .iter()
                .any(|h| pattern_matches(h, host, path).is_some());
        return Ok(allowed.then_some(name));
    }
    let Some(file) = file else {
        return Ok(None);
    };
    let mut best: Option<(usize, &str)> = None;
    let mut tie: Option<&str> = None;
    for (name, profile) in &file.profiles {
        let Some(score) = profile
            .git_hosts
            .iter()
            .filter_map(|h| pattern_matches(h, host, path))
            .max()
        else {
            continue;
        };
        match best {
            Some((s, _)) if s > score => {}
            Some((s, _)) if s == score => tie = Some(name),
            _ => {
                best = Some((score, name));
                tie = None;
            }
        }
    }
    if let (Some((_, name)), Some(other)) = (best, tie) {
        return Err(Error::config(
            format!(
                "git host `{host}` is in the git_hosts of both profile `{name}` and profile `{other}`"
            ),
            Some("keep it in one profile, or give one of them a longer path prefix".to_owned()),
        ));
    }
    Ok(best.map(|(_, name)| name.to_owned()))
}

/// Runs `git-credential`.
pub(crate) fn run(ctx: &Context<'_>, args: &Options) -> Result<Outcome> {
    let mut text = String::new();
    std::io::stdin()
        .lock()
        .take(MAX_REQUEST_LEN)
        .read_line_until_blank(&mut text)
        .map_err(|e| Error::Other(format!("cannot read git's request from stdin: {e}")))?;
    let req = Request::parse(&text)?;
    if args.operation == Operation::Store {
        return Ok(Outcome::default());
    }
    let Some(profile) = profile_for(ctx, &req)? else {
        return Ok(Outcome::default());
    };
    let flags = Flags {
        profile: Some(profile.clone()),
        ..ctx.flags.clone()
    };
    let sub = Context {
        flags: &flags,
        ui: ctx.ui,
        paths: ctx.paths.clone(),
        config: ctx.config.clone(),
        http: ctx.http.clone(),
        clock: ctx.clock.clone(),
        browser: None,
        nonces: ctx.nonces.clone(),
        chain: ctx.chain.clone(),
    };
    let named = ctx.flags.profile.is_some() || ctx.flags.provider.is_some();
    let result = match args.operation {
        Operation::Get => get(&sub, &req, &profile),
        Operation::Erase => erase(&sub, &req),
        Operation::Store => Ok(Outcome::default()),
    };
    // A profile found through `git_hosts` is not on the helper's command line: the command
    // a hint suggests must name it.
    result.map_err(|e| match e {
        Error::LoginRequired { message, hint } if !named => Error::LoginRequired {
            message,
            hint: hint.replace("`oauthctl ", &format!("`oauthctl -p {profile} ")),
        },
        other => other,
    })
}

fn get(ctx: &Context<'_>, req: &Request, profile: &str) -> Result<Outcome> {
    let url = req.url().ok_or_else(|| {
        Error::usage(
            "git's request names no usable protocol and host",
            Some("git-credential reads `key=value` lines from git (git-credential(1))".to_owned()),
        )
    })?;
    if let Err(why) = url_policy::check_url(&url, ctx.flags.insecure_http) {
        return Err(Error::config(
            format!(
                "not sending profile `{profile}`'s access token to {}: {why}",
                url_policy::display_base(&url)
            ),
            Some("use an https remote (plain http only reaches loopback hosts unless --insecure-http)".to_owned()),
        ));
    }
    let session = Session::open(ctx)?;
    let tokens = usable_tokens(ctx, &session, MIN_TTL)?;
    let username = ctx
        .config()?
        .and_then(|f| f.profiles.get(profile))
        .and_then(|p| p.git_username.clone())
        .or_else(|| req.username.clone())
        .unwrap_or_else(|| DEFAULT_USERNAME.to_owned());
    let mut out = format!(
        "username={username}\npassword={}\n",
        tokens.access_token.expose()
    );
    if let Some(at) = tokens.expires_at {
        let _ = writeln!(out, "password_expiry_utc={at}");
    }
    Ok(Outcome::data(out))
}

fn erase(ctx: &Context<'_>, req: &Request) -> Result<Outcome> {
    let Some(rejected) = &req.password else {
        return Ok(Outcome::default());
    };
    let session = Session::open(ctx)?;
    let cached = session.tokens()?;
    if cached.access_token != *rejected {
        // Not ours (or already replaced by another process): nothing to forget.
        return Ok(Outcome::default());
    }
    replace_rejected(ctx, &session, rejected)?;
    Ok(Outcome::default())
}

/// Reads lines into a string until a blank line or the end.
trait ReadUntilBlank {
    fn read_line_until_blank(&mut self, out: &mut String) -> std::io::Result<()>;
}

impl<R: std::io::Read> ReadUntilBlank for std::io::Take<R> {
    fn read_line_until_blank(&mut self, out: &mut String) -> std::io::Result<()> {
        let mut reader = std::io::BufReader::new(self);
        loop {
            let mut line = String::new();
            if reader.read_line(&mut line)? == 0 {
                return Ok(());
            }
            let blank = line.trim_end_matches(['\r', '\n']).is_empty();
            out.push_str(&line);
            if blank {
                return Ok(());
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_gits_request() {
        let r = Request::parse(
            "protocol=https\nhost=git.example:8443\npath=org/repo.git\nusername=me\n\
             wwwauth[]=Bearer realm=\"x\"\ncapability[]=authtype\n\nhost=ignored\n",
        )
        .unwrap();
        assert_eq!(r.protocol.as_deref(), Some("https"));
        assert_eq!(r.host.as_deref(), Some("git.example:8443"));
        assert_eq!(r.path.as_deref(), Some("org/repo.git"));
        assert_eq!(r.username.as_deref(), Some("me"));
        assert_eq!(r.wwwauth, ["Bearer realm=\"x\""]);
        assert!(Request::parse("protocol https\n").is_err());
        let erase = Request::parse("password=at-1\r\n").unwrap();
        assert!(erase.password.is_some_and(|p| p.expose() == "at-1"));
    }

    #[test]
    fn host_patterns_match_hosts_and_path_prefixes() {
        assert_eq!(
            pattern_matches("git.example", "git.example", None),
            Some(11)
        );
        assert_eq!(
            pattern_matches("GIT.example", "git.EXAMPLE", Some("a/b")),
            Some(11)
        );
        assert_eq!(
            pattern_matches("git.example", "git.example:8443", None),
            None
        );
        assert_eq!(
            pattern_matches("https://git.example/", "git.example", None),
            Some(11)
        );
        assert_eq!(pattern_matches("other.example", "git.example", None), None);
        // A path prefix needs git to send the path (credential.useHttpPath).
        assert_eq!(
            pattern_matches("git.example/org", "git.example", None),
            None
        );
        for path in ["org", "org/repo.git", "/org/repo/", "org.git"] {
            assert_eq!(
                pattern_matches("git.example/org/", "git.example", Some(path)),
                Some(15),
                "{path}"
            );
        }
        for path in ["organisation/repo.git", "other/org"] {
            assert_eq!(
                pattern_matches("git.example/org", "git.example", Some(path)),
                None
            );
        }
    }
}
