//! `call URL --login`, and `call URL` for a URL a resource-first login covers (README:
//! "Resource-first login").
//!
//! The profile is the one named with `-p`, else the resource-first profile whose resource
//! covers the URL (the most specific one). Without a login for it, the request goes out
//! without a token first; the API's `401` challenge then starts a resource-first login
//! (`commands::resource_login`), and the request is repeated with the new token. A token
//! the API rejects is refreshed once, as `call` always does; if it is still refused, or
//! cannot be refreshed, `--login` logs in again. A `403` with `insufficient_scope` and
//! `scope` is a step-up: a new authorization for the union of the granted and the
//! challenged scopes, unless the token already has them all (another authorization would
//! bring the same token), in which case the answer stands. At most
//! [`MAX_AUTHORIZATIONS`] authorizations happen in one call, the first included. Without
//! `--login`, a step-up the API asks for ends the call with exit 3 and the login to run.

use reqwest::header;
use url::Url;

use crate::config::Flags;
use crate::error::{Error, Result};
use crate::http::exchange::{Credentials, Exchange};
use crate::http::request::Request;
use crate::oauth::resource::{self, ResourceChallenge};
use crate::oauth::tokens::TokenSet;
use crate::output::Outcome;
use crate::text::sanitize;

use super::super::Context;
use super::super::resource_login::{self, LoggedIn};
use super::super::session::{Session, replace_rejected, usable_tokens};
use super::{
    Limit, MIN_TTL, Options, Shown, api_client, check_token_not_in_url, deliver, exchange_within,
    send_proven,
};

/// The most authorizations one call makes, the first included.
pub(crate) const MAX_AUTHORIZATIONS: usize = 3;

/// A call that goes the resource-first way, and the profile it starts with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Target {
    /// `-p NAME`, or the resource-first profile covering the URL; `None`: none yet.
    profile: Option<String>,
}

/// The resource-first profile whose resource covers `url`, the most specific one: among
/// the logged-in profiles (a resource-first login remembers its resource), then the
/// configured ones with a `resource_url`.
pub(crate) fn covering_profile(ctx: &Context<'_>, url: &Url) -> Result<Option<String>> {
    let (index, _) = ctx.index().load()?;
    let logged_in = index
        .profiles
        .iter()
        .filter(|(_, e)| e.login.resource_url.is_some())
        .filter_map(|(name, e)| Some((name, e.login.resource.as_deref()?)))
        .filter(|(_, r)| resource::covers(r, url))
        .max_by_key(|(name, r)| (resource::specificity(r), std::cmp::Reverse(*name)))
        .map(|(name, _)| name.clone());
    if logged_in.is_some() {
        return Ok(logged_in);
    }
    let configured = ctx.config()?.and_then(|f| {
        f.profiles
            .iter()
            .filter_map(|(name, p)| Some((name, p.resource_url.as_deref()?)))
            .filter(|(_, r)| resource::covers(r, url))
            .max_by_key(|(name, r)| (resource::specificity(r), std::cmp::Reverse(*name)))
            .map(|(name, _)| name.clone())
    });
    Ok(configured)
}

/// Whether this call goes the resource-first way: with `--login`, or when no profile is
/// named (`-p`, `--provider`, `--issuer`) and a resource-first profile covers the URL.
pub(super) fn target(ctx: &Context<'_>, args: &Options, url: &Url) -> Result<Option<Target>> {
    let flags = ctx.flags;
    if args.login {
        if flags.provider.is_some() {
            return Err(Error::usage(
                "`call --login` finds the authorization server from the API; --provider names \
                 one instead",
                Some(
                    "drop --provider (name the profile with -p), or log in first with \
                     `oauthctl login` and call without --login"
                        .to_owned(),
                ),
            ));
        }
        let profile = match &flags.profile {
            Some(p) => Some(p.clone()),
            None => covering_profile(ctx, url)?,
        };
        return Ok(Some(Target { profile }));
    }
    if flags.profile.is_some() || flags.provider.is_some() || flags.issuer.is_some() {
        return Ok(None);
    }
    Ok(covering_profile(ctx, url)?.map(|p| Target { profile: Some(p) }))
}

/// The "no login" error of a plain `call` that named no profile: the hint also offers
/// `--login`, which finds the API's authorization server from the API itself.
pub(super) fn no_login(ctx: &Context<'_>, url: &Url, e: Error) -> Error {
    let flags = ctx.flags;
    match e {
        Error::LoginRequired { message, hint }
            if flags.profile.is_none() && flags.provider.is_none() && flags.issuer.is_none() =>
        {
            let call = shlex::try_join(["call", url.as_str(), "--login"])
                .unwrap_or_else(|_| format!("call {url} --login"));
            Error::LoginRequired {
                message,
                hint: format!(
                    "{hint}; or `oauthctl {call}`, which finds the API's authorization server \
                     from the API (RFC 9728)"
                ),
            }
        }
        other => other,
    }
}

/// A profile's cached login: its session and a usable token set, or `None` when it must
/// log in (no tokens, or none that can be renewed).
fn cached(ctx: &Context<'_>, profile: &str, login: bool) -> Result<Option<(Session, TokenSet)>> {
    let flags = profile_flags(ctx.flags, profile);
    let pctx = ctx.with_flags(&flags);
    let session = match Session::open(&pctx) {
        Ok(s) => s,
        Err(Error::LoginRequired { .. }) if login => return Ok(None),
        Err(e) => return Err(relogin_hint(ctx, profile, e)),
    };
    match usable_tokens(&pctx, &session, MIN_TTL) {
        Ok(tokens) => Ok(Some((session, tokens))),
        Err(Error::LoginRequired { .. }) if login => Ok(None),
        Err(e) => Err(relogin_hint(ctx, profile, e)),
    }
}

/// The global flags naming `profile`.
fn profile_flags(flags: &Flags, profile: &str) -> Flags {
    Flags {
        profile: Some(profile.to_owned()),
        ..flags.clone()
    }
}

/// `oauthctl [FLAGS] -p PROFILE ARGS`, quoted: the user's profile-selecting flags, and the
/// profile when they did not name it.
fn command(ctx: &Context<'_>, profile: &str, args: &[&str]) -> String {
    let mut words: Vec<String> = Vec::new();
    if ctx.flags.profile.is_none() {
        words.extend(["-p".to_owned(), profile.to_owned()]);
    }
    words.extend(args.iter().map(|a| (*a).to_owned()));
    let joined =
        shlex::try_join(words.iter().map(String::as_str)).unwrap_or_else(|_| words.join(" "));
    ctx.ui.rerun.command(&joined)
}

/// A "log in" error of a profile the user did not name: the hint names it.
fn relogin_hint(ctx: &Context<'_>, profile: &str, e: Error) -> Error {
    match e {
        Error::LoginRequired { message, .. } => Error::LoginRequired {
            message,
            hint: format!("run `{}`", command(ctx, profile, &["login"])),
        },
        other => other,
    }
}

/// The challenge of a response from the origin the request was for.
fn challenge_of(exchange: &Exchange) -> Option<ResourceChallenge> {
    if !exchange.credentials_sent {
        return None;
    }
    let values = exchange
        .response
        .headers()
        .get_all(header::WWW_AUTHENTICATE)
        .iter()
        .filter_map(|v| v.to_str().ok());
    ResourceChallenge::read(exchange.response.status().as_u16(), values)
}

/// Whether a refresh may turn the rejection into an acceptance: a `401` with
/// `invalid_token` (as `call` refreshes), for a token that can be renewed.
fn refresh_may_help(challenge: &ResourceChallenge) -> bool {
    challenge.status == 401 && challenge.error.as_deref() == Some("invalid_token")
}

/// What to do after a challenge.
enum Next {
    /// Log in, with these scopes (`None`: as the resource says).
    Login(Option<Vec<String>>),
    /// The answer stands, with this explanation on stderr.
    Deliver(Option<String>),
}

/// Runs a resource-first `call`.
pub(super) fn run(
    ctx: &Context<'_>,
    args: &Options,
    request: &Request,
    target: Target,
) -> Result<Outcome> {
    let http = api_client(ctx, args)?;
    // `--max-time` bounds the exchanges with the API; a login in between has its own limit
    // (`--login-timeout`), and the time left starts again after it.
    let mut limit = Limit::new(args.max_time);
    let mut profile = target.profile;
    let mut current = match &profile {
        Some(p) => cached(ctx, p, args.login)?,
        None => None,
    };
    let mut authorizations = 0;
    let mut refreshed = false;
    loop {
        let exchange = match &current {
            Some((_, tokens)) => {
                check_token_not_in_url(&request.url, tokens.access_token.expose())?;
                send_proven(
                    ctx,
                    &http,
                    None,
                    request,
                    Shown::Profile(tokens),
                    args.location,
                    limit,
                )?
            }
            None => exchange_within(
                ctx,
                &http,
                request,
                &Credentials::NONE,
                args.location,
                limit,
            )?,
        };
        let Some(challenge) = challenge_of(&exchange) else {
            return deliver(ctx, args, exchange.response, limit, || {});
        };
        // A token the API rejects is refreshed once first, as `call` always does.
        if let (Some((session, tokens)), Some(name)) = (&current, &profile)
            && refresh_may_help(&challenge)
            && !refreshed
        {
            refreshed = true;
            let flags = profile_flags(ctx.flags, name);
            match replace_rejected(&ctx.with_flags(&flags), session, &tokens.access_token) {
                Ok(fresh) => {
                    ctx.ui.info(
                        "The API rejected the access token (invalid_token); refreshed it, \
                         retrying.",
                    );
                    if let Some((_, t)) = &mut current {
                        *t = fresh;
                    }
                    continue;
                }
                Err(Error::LoginRequired { .. }) if args.login => {}
                Err(e) => return Err(relogin_hint(ctx, name, e)),
            }
        }
        let next = decide(&challenge, current.as_ref().map(|(_, t)| t));
        let scopes = match next {
            Next::Deliver(note) => {
                return deliver(ctx, args, exchange.response, limit, || {
                    if let Some(n) = &note {
                        ctx.ui.info(n);
                    }
                });
            }
            Next::Login(scopes) => scopes,
        };
        if !args.login {
            return Err(login_needed(
                ctx,
                profile.as_deref(),
                &request.url,
                &challenge,
                scopes.as_deref(),
            ));
        }
        if authorizations == MAX_AUTHORIZATIONS {
            let note = format!(
                "The API still refuses the token (HTTP {}) after {MAX_AUTHORIZATIONS} \
                 authorizations; giving up.",
                challenge.status
            );
            return deliver(ctx, args, exchange.response, limit, || ctx.ui.warn(&note));
        }
        drop(exchange);
        authorizations += 1;
        ctx.ui.info(&match (&current, &challenge.status) {
            (Some(_), 403) => format!(
                "The API wants scope `{}` too (HTTP 403, insufficient_scope); logging in again.",
                sanitize::line(&challenge.scope.join(" "))
            ),
            (Some(_), status) => {
                format!("The API still refuses the token (HTTP {status}); logging in again.")
            }
            (None, status) => format!(
                "{} asks for a token (HTTP {status}); logging in.",
                crate::oauth::url_policy::display_base(&request.url)
            ),
        });
        let mut login = resource_login::Request::new(request.url.clone());
        login.challenge = Some(challenge);
        login.profile.clone_from(&profile);
        login.scopes = scopes;
        login
            .client_metadata_url
            .clone_from(&args.client_metadata_url);
        login.browser_command.clone_from(&args.browser_command);
        if let Some(t) = args.login_timeout {
            login.timeout = t;
        }
        let LoggedIn {
            profile: name,
            tokens,
            ..
        } = resource_login::run(ctx, &login)?;
        let flags = profile_flags(ctx.flags, &name);
        let session = Session::open(&ctx.with_flags(&flags))?;
        profile = Some(name);
        current = Some((session, tokens));
        refreshed = false;
        limit = Limit::new(args.max_time);
    }
}

/// What a challenge calls for, given the token it answered (if one was sent).
fn decide(challenge: &ResourceChallenge, tokens: Option<&TokenSet>) -> Next {
    let Some(tokens) = tokens else {
        // No token was sent: any OAuth challenge asks for a login.
        return Next::Login(None);
    };
    if challenge.wants_more_scope() {
        return match resource::step_up(&tokens.scope, &challenge.scope) {
            Some(union) => Next::Login(Some(union)),
            None => Next::Deliver(Some(format!(
                "The API refuses the token (HTTP 403, insufficient_scope) although it has scope \
                 `{}`: it wants more than a scope (a role or another user, say); not logging \
                 in again.",
                sanitize::line(&challenge.scope.join(" "))
            ))),
        };
    }
    if challenge.wants_a_token() {
        return Next::Login(None);
    }
    Next::Deliver(None)
}

/// The exit-3 error of a call without `--login` whose API wants a login.
fn login_needed(
    ctx: &Context<'_>,
    profile: Option<&str>,
    url: &Url,
    challenge: &ResourceChallenge,
    scopes: Option<&[String]>,
) -> Error {
    let url = url.as_str();
    let Some(profile) = profile else {
        return Error::LoginRequired {
            message: format!(
                "{} asks for a login (HTTP {})",
                sanitize::line(url),
                challenge.status
            ),
            hint: format!(
                "run `{}`",
                ctx.ui.rerun.command(
                    &shlex::try_join(["login", "--resource-url", url]).unwrap_or_default()
                )
            ),
        };
    };
    let mut args = vec!["login", "--resource-url", url];
    let joined;
    if let Some(s) = scopes {
        joined = s.join(" ");
        args.extend(["--scope", joined.as_str()]);
    }
    let what = if challenge.wants_more_scope() {
        format!(
            "the API wants scope `{}`, which the token of profile `{profile}` lacks (HTTP 403, \
             insufficient_scope)",
            sanitize::line(&challenge.scope.join(" "))
        )
    } else {
        format!(
            "the API refuses the token of profile `{profile}` (HTTP {})",
            challenge.status
        )
    };
    Error::LoginRequired {
        message: what,
        hint: format!(
            "run `{}` (or repeat this call with --login)",
            command(ctx, profile, &args)
        ),
    }
}
