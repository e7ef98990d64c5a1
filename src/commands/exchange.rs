//! `exchange` (and `login --flow token-exchange`): RFC 8693 token exchange. A subject token
//! (a profile's current access or ID token, a file's content, or standard input) and, for
//! a delegation, an actor token, for a new token cached as a profile of its own (`-p NAME`,
//! required: an exchange never lands in the default profile by accident).
//!
//! The new profile remembers what it exchanged, never the tokens: the profile the subject
//! came from (its parent), or the file. It is renewed by exchanging again with the parent's
//! *current* token, which the parent's own renewal refreshes first when it needs it (a
//! chain of exchanges renews from its root); a subject read from standard input cannot be
//! exchanged again. The issuer and client are the flags', the profile's configuration or
//! its last exchange's, else the parent's.

use std::collections::BTreeMap;

use crate::config::{Overrides, Settings};
use crate::error::{Error, Result};
use crate::flow::token_exchange::{self};
use crate::oauth::client_auth::AuthMethod;
use crate::oauth::grant::Grant;
use crate::oauth::id_token::DEFAULT_LEEWAY;
use crate::oauth::token_exchange::{ACCESS_TOKEN, REFRESH_TOKEN, short_name};
use crate::oauth::tokens::{CacheKey, normalize_scopes};
use crate::output::Outcome;
use crate::store::index::{RememberedExchange, RememberedLogin, TokenSource};

use super::credentials::{self, DpopUse};
use super::obtained::{self, Obtained, issuer_label};
use super::session::{MAX_CHAIN, dpop_setting, from_parent, request_for};
use super::{Context, remembered_profile};

/// What `exchange` was asked for. Without a subject, the profile's last exchange is
/// repeated, with the flags given now on top.
#[derive(Debug, Clone, Default)]
pub(crate) struct Options {
    /// `--subject-profile NAME` or `--subject-token-file FILE|-`.
    pub subject: Option<TokenSource>,
    /// `--subject-token-type`: a short name or a URI [default: access_token].
    pub subject_token_type: Option<String>,
    /// `--actor-profile NAME` or `--actor-token-file FILE|-`.
    pub actor: Option<TokenSource>,
    /// `--actor-token-type` [default: access_token].
    pub actor_token_type: Option<String>,
    /// `--audience` (repeatable).
    pub audiences: Vec<String>,
    /// `--resource` (repeatable).
    pub resources: Vec<String>,
    /// `--scope` (repeatable).
    pub scopes: Vec<String>,
    /// `--requested-token-type`: a short name or a URI.
    pub requested_token_type: Option<String>,
    /// `--auth-method`.
    pub auth_method: Option<AuthMethod>,
    /// `login --dpop`: bind the new tokens to a DPoP key; `None`: as the settings say
    /// (a DPoP-bound parent's client binds again).
    pub dpop: Option<bool>,
}

/// A token type as given (short name or URI), as a URI; `flag` names it for the error.
fn type_uri(given: Option<&str>, flag: &str) -> Result<Option<String>> {
    given
        .map(|t| {
            crate::oauth::token_exchange::token_type_uri(t)
                .map_err(|e| Error::usage(format!("{flag}: {e}"), None))
        })
        .transpose()
}

/// The exchange to make: the options on top of the profile's last exchange (`last`).
fn resolve(
    options: &Options,
    last: Option<&RememberedExchange>,
    profile: &str,
) -> Result<RememberedExchange> {
    let base = match (&options.subject, last) {
        (Some(_), _) => None,
        (None, Some(last)) => Some(last),
        (None, None) => {
            return Err(Error::usage(
                "name the subject token to exchange",
                Some(format!(
                    "pass --subject-profile NAME (a profile's current token) or \
                     --subject-token-file FILE (`-` reads standard input), e.g. \
                     `oauthctl -p {profile} exchange --subject-profile default --audience \
                     https://api.example`"
                )),
            ));
        }
    };
    let subject_token_type = type_uri(
        options.subject_token_type.as_deref(),
        "--subject-token-type",
    )?
    .or_else(|| base.map(|b| b.subject_token_type.clone()))
    .unwrap_or_else(|| ACCESS_TOKEN.to_owned());
    let actor = options
        .actor
        .clone()
        .or_else(|| base.and_then(|b| b.actor.clone()));
    let actor_token_type = match &actor {
        None if options.actor_token_type.is_some() => {
            return Err(Error::usage(
                "--actor-token-type goes with an actor token (--actor-profile or --actor-token-file)",
                None,
            ));
        }
        None => None,
        Some(_) => Some(
            type_uri(options.actor_token_type.as_deref(), "--actor-token-type")?
                .or_else(|| base.and_then(|b| b.actor_token_type.clone()))
                .unwrap_or_else(|| ACCESS_TOKEN.to_owned()),
        ),
    };
    let or_base = |given: &[String], last: fn(&RememberedExchange) -> &Vec<String>| {
        if given.is_empty() {
            base.map(|b| last(b).clone()).unwrap_or_default()
        } else {
            given.to_vec()
        }
    };
    let x = RememberedExchange {
        subject: options
            .subject
            .clone()
            .or_else(|| base.map(|b| b.subject.clone()))
            .unwrap_or(TokenSource::Stdin),
        subject_token_type,
        actor,
        actor_token_type,
        audiences: or_base(&options.audiences, |b| &b.audiences),
        resources: or_base(&options.resources, |b| &b.resources),
        requested_token_type: type_uri(
            options.requested_token_type.as_deref(),
            "--requested-token-type",
        )?
        .or_else(|| base.and_then(|b| b.requested_token_type.clone())),
    };
    for (source, kind, role) in [
        (Some(&x.subject), Some(&x.subject_token_type), "subject"),
        (x.actor.as_ref(), x.actor_token_type.as_ref(), "actor"),
    ] {
        match source {
            Some(TokenSource::Profile(p)) if p == profile => {
                return Err(Error::usage(
                    format!(
                        "profile `{profile}` cannot be its own {role}: name another profile with -p"
                    ),
                    None,
                ));
            }
            Some(TokenSource::Profile(p)) if kind.is_some_and(|k| k == REFRESH_TOKEN) => {
                return Err(Error::usage(
                    format!(
                        "a profile's refresh token is never handed to an exchange; exchange \
                         profile `{p}`'s access or ID token instead"
                    ),
                    None,
                ));
            }
            _ => {}
        }
    }
    if x.subject == TokenSource::Stdin && x.actor == Some(TokenSource::Stdin) {
        return Err(Error::usage(
            "the subject and actor tokens cannot both come from standard input",
            None,
        ));
    }
    Ok(x)
}

/// Refuses an exchange of `profile` from `parent` when `parent` is (through its own
/// exchanges) exchanged from `profile`: renewing either would never end.
fn check_no_loop(ctx: &Context<'_>, profile: &str, parent: &str) -> Result<()> {
    let mut chain = vec![profile.to_owned(), parent.to_owned()];
    let mut current = parent.to_owned();
    while let Some(next) = ctx
        .indexed(&current)
        .and_then(|e| e.login.exchange)
        .and_then(|x| x.parent().map(str::to_owned))
    {
        chain.push(next.clone());
        if next == profile || chain.len() > MAX_CHAIN {
            return Err(Error::usage(
                format!(
                    "profile `{profile}` cannot be exchanged from `{parent}`: the profiles would \
                     renew from each other in a loop ({})",
                    chain.join(" ← ")
                ),
                None,
            ));
        }
        current = next;
    }
    Ok(())
}

/// The cache key of an exchanged set: issuer, client, scopes and what was exchanged.
fn cache_key(
    issuer: &str,
    client_id: &str,
    profile: &str,
    scopes: &[String],
    x: &RememberedExchange,
) -> CacheKey {
    let source = |s: &TokenSource| match s {
        TokenSource::Profile(p) => format!("profile:{p}"),
        TokenSource::File(f) => format!("file:{}", f.display()),
        TokenSource::Stdin => "stdin".to_owned(),
    };
    let mut params = BTreeMap::new();
    params.insert("exchange.subject".to_owned(), source(&x.subject));
    params.insert(
        "exchange.subject_token_type".to_owned(),
        x.subject_token_type.clone(),
    );
    if let (Some(a), Some(t)) = (&x.actor, &x.actor_token_type) {
        params.insert("exchange.actor".to_owned(), source(a));
        params.insert("exchange.actor_token_type".to_owned(), t.clone());
    }
    params.insert("exchange.audience".to_owned(), x.audiences.join("\n"));
    params.insert("exchange.resource".to_owned(), x.resources.join("\n"));
    if let Some(t) = &x.requested_token_type {
        params.insert("exchange.requested_token_type".to_owned(), t.clone());
    }
    CacheKey::new(issuer, client_id, scopes, None, None)
        .with_params(&params)
        .for_profile(profile)
}

/// Where an exchange's tokens come from, for `login`'s summary and `status`.
pub(crate) fn describe(x: &RememberedExchange) -> String {
    let what = |source: &TokenSource, kind: &str| {
        let kind = short_name(kind).replace('_', " ");
        match source {
            TokenSource::Profile(p) => format!("profile `{p}`'s {kind}"),
            TokenSource::File(f) => format!("the {kind} in {}", f.display()),
            TokenSource::Stdin => format!("an {kind} read from standard input"),
        }
    };
    let mut out = format!(
        "a token exchange of {}",
        what(&x.subject, &x.subject_token_type)
    );
    if let (Some(a), Some(t)) = (&x.actor, &x.actor_token_type) {
        out.push_str(", acted for by ");
        out.push_str(&what(a, t));
    }
    let renewal = if x.subject == TokenSource::Stdin || x.actor == Some(TokenSource::Stdin) {
        " (not kept: renewing needs a new exchange)"
    } else if x.parent().is_some() {
        " (renewed from it)"
    } else {
        " (read again at each renewal)"
    };
    out.push_str(renewal);
    out
}

/// Runs `exchange`.
pub(crate) fn run(ctx: &Context<'_>, options: &Options) -> Result<Outcome> {
    let Some(profile) = ctx.flags.profile.clone() else {
        return Err(Error::usage(
            "name the profile the exchanged token is cached under with -p NAME",
            Some(
                "e.g. `oauthctl -p api exchange --subject-profile default --audience \
                 https://api.example`"
                    .to_owned(),
            ),
        ));
    };
    let own = ctx.indexed(&profile);
    let last = own.as_ref().and_then(|e| e.login.exchange.as_ref());
    let x = resolve(options, last, &profile)?;
    let scopes = if options.scopes.is_empty() {
        own.as_ref()
            .filter(|e| e.login.exchange.is_some() && options.subject.is_none())
            .map(|e| e.login.scopes.clone())
            .unwrap_or_default()
    } else {
        normalize_scopes(&options.scopes)
    };
    let actor_profile = match &x.actor {
        Some(TokenSource::Profile(p)) => Some(p.as_str()),
        _ => None,
    };
    for (parent, role) in [(x.parent(), "subject"), (actor_profile, "actor")] {
        let Some(parent) = parent else { continue };
        check_no_loop(ctx, &profile, parent)?;
        // Before anything is resolved from it: a parent that never logged in needs that.
        if ctx.indexed(parent).is_none() {
            let e = super::session::login_required(parent, "no cached tokens", false);
            return Err(from_parent(parent, role, e));
        }
    }
    // The issuer and client: the flags', the profile's configuration or its own last
    // login's, else the parent's (without its scopes, audience and resource).
    let inherited = own.map(|e| e.login).or_else(|| {
        x.parent()
            .and_then(|p| ctx.indexed(p))
            .map(|e| RememberedLogin {
                scopes: Vec::new(),
                audience: None,
                resource: None,
                exchange: None,
                assertion: None,
                ..e.login
            })
    });
    let overrides = Overrides {
        auth_method: options.auth_method,
        ..Overrides::default()
    };
    let settings = Settings::resolve(
        ctx.flags,
        &overrides,
        ctx.config()?,
        inherited.as_ref().map(remembered_profile).as_ref(),
    )?;
    let client_id = settings.client_id.clone().ok_or_else(|| {
        Error::config(
            format!("no client id for profile `{profile}`"),
            Some("pass --client-id ID (and the client's credentials) for the exchange".to_owned()),
        )
    })?;
    let resolved = ctx.resolve_provider(&settings)?;
    let dpop = DpopUse::Login(options.dpop.or_else(|| dpop_setting(&settings)));
    let credentials::Client {
        auth: client,
        resolved,
    } = credentials::client(ctx, &settings, client_id.clone(), resolved, dpop)?;
    let http = ctx.http()?;
    let endpoint = http.checked_url(
        resolved.require("token_endpoint", resolved.endpoints.token_endpoint.as_ref())?,
    )?;
    let request = request_for(ctx, &profile, &x, &scopes, false)?;
    let response = token_exchange::request(http, &endpoint, &client, &request, ctx.clock().now())?;
    let issuer = issuer_label(&resolved);
    let key = cache_key(&issuer, &client_id, &profile, &scopes, &x);
    let mut login = obtained::remembered_login(
        ctx,
        &settings,
        &client,
        &issuer,
        &client_id,
        DEFAULT_LEEWAY,
        false,
    );
    login.scopes = scopes;
    login.audience = None;
    login.resource = None;
    let from = Some(describe(&x));
    // An opaque token names nobody: the subject token's profile knows whom it is about.
    let subject = x
        .parent()
        .and_then(|p| ctx.indexed(p))
        .and_then(|e| e.subject);
    login.exchange = Some(x);
    obtained::finish(
        ctx,
        Obtained {
            settings: &settings,
            client: &client,
            grant: Grant::TokenExchange,
            response,
            id_claims: None,
            key,
            login,
            from,
            subject,
        },
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::oauth::token_exchange::{ID_TOKEN, JWT};

    fn profile(p: &str) -> TokenSource {
        TokenSource::Profile(p.into())
    }

    #[test]
    fn options_become_an_exchange_on_top_of_the_last_one() {
        let first = resolve(
            &Options {
                subject: Some(profile("work")),
                audiences: vec!["a".into(), "b".into()],
                ..Options::default()
            },
            None,
            "api",
        )
        .unwrap();
        assert_eq!(first.subject_token_type, ACCESS_TOKEN);
        assert_eq!(first.audiences, ["a", "b"]);
        assert_eq!(
            (first.actor.as_ref(), first.actor_token_type.as_ref()),
            (None, None)
        );
        // Without a subject: the last exchange again, the flags given now on top.
        let again = resolve(
            &Options {
                actor: Some(profile("bot")),
                requested_token_type: Some("id_token".into()),
                ..Options::default()
            },
            Some(&first),
            "api",
        )
        .unwrap();
        assert_eq!(again.subject, TokenSource::Profile("work".into()));
        assert_eq!(again.audiences, ["a", "b"]);
        assert_eq!(again.actor_token_type.as_deref(), Some(ACCESS_TOKEN));
        assert_eq!(again.requested_token_type.as_deref(), Some(ID_TOKEN));
        // A new subject starts afresh.
        let fresh = resolve(
            &Options {
                subject: Some(TokenSource::File("t".into())),
                subject_token_type: Some("jwt".into()),
                ..Options::default()
            },
            Some(&again),
            "api",
        )
        .unwrap();
        assert!(fresh.audiences.is_empty() && fresh.actor.is_none());
        assert_eq!(fresh.subject_token_type, JWT);
    }

    #[test]
    fn what_cannot_be_exchanged_is_refused_before_any_request() {
        let refused = |o: Options, last: Option<&RememberedExchange>| {
            let e = resolve(&o, last, "api").unwrap_err();
            assert_eq!(e.exit_code(), 2, "{e}");
            e.to_string()
        };
        assert!(refused(Options::default(), None).contains("name the subject token"));
        assert!(
            refused(
                Options {
                    subject: Some(profile("api")),
                    ..Options::default()
                },
                None
            )
            .contains("its own subject")
        );
        assert!(
            refused(
                Options {
                    subject: Some(profile("w")),
                    actor: Some(profile("api")),
                    ..Options::default()
                },
                None
            )
            .contains("its own actor")
        );
        assert!(
            refused(
                Options {
                    subject: Some(profile("w")),
                    subject_token_type: Some("refresh_token".into()),
                    ..Options::default()
                },
                None
            )
            .contains("never handed to an exchange")
        );
        assert!(
            refused(
                Options {
                    subject: Some(TokenSource::Stdin),
                    actor: Some(TokenSource::Stdin),
                    ..Options::default()
                },
                None
            )
            .contains("both come from standard input")
        );
        assert!(
            refused(
                Options {
                    subject: Some(profile("w")),
                    subject_token_type: Some("bogus type".into()),
                    ..Options::default()
                },
                None
            )
            .contains("--subject-token-type")
        );
        assert!(
            refused(
                Options {
                    subject: Some(profile("w")),
                    actor_token_type: Some("jwt".into()),
                    ..Options::default()
                },
                None
            )
            .contains("goes with an actor token")
        );
    }

    #[test]
    fn descriptions_say_how_the_set_is_renewed() {
        let mut x = RememberedExchange {
            subject: TokenSource::Profile("work".into()),
            subject_token_type: ID_TOKEN.into(),
            actor: None,
            actor_token_type: None,
            audiences: Vec::new(),
            resources: Vec::new(),
            requested_token_type: None,
        };
        assert_eq!(
            describe(&x),
            "a token exchange of profile `work`'s id token (renewed from it)"
        );
        x.actor = Some(TokenSource::Stdin);
        x.actor_token_type = Some(ACCESS_TOKEN.into());
        assert!(describe(&x).ends_with(
            "acted for by an access token read from standard input (not kept: renewing needs \
             a new exchange)"
        ));
        // Different exchanges of one profile are cached apart.
        let a = cache_key("https://i", "c", "p", &[], &x);
        x.audiences.push("https://api".into());
        assert_ne!(a, cache_key("https://i", "c", "p", &[], &x));
    }
}
