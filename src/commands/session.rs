//! A profile's cached login: its index entry, its store, and (lazily) what a renewal needs.
//! The renewal itself (lock, re-read, renew, compare-and-clear) is `crate::flow::renewal`;
//! this module only supplies it with the profile's settings and keeps the index true.

use std::time::Duration;

use crate::config::{Flags, Overrides, Settings};
use crate::error::{Error, Result};
use crate::flow::client::ClientAuth;
use crate::flow::provider::Resolved;
use crate::flow::renewal::{
    Fresh, RenewError, RenewalError, Renewed, Renewer, renew_if_needed, renew_now, renew_replacing,
};
use crate::flow::token_exchange::Request;
use crate::oauth::grant::Renewal;
use crate::oauth::secret::{AccessToken, SecurityToken};
use crate::oauth::token_exchange::{ID_TOKEN, JWT};
use crate::oauth::tokens::TokenSet;
use crate::output::Rerun;
use crate::store::TokenStore;
use crate::store::index::{IndexEntry, RememberedExchange, RememberedLogin, TokenSource};
use crate::store::lock::Locks;
use crate::store::select;

use super::Context;
use super::credentials::{self, DpopUse, read_token};

/// The profile's `dpop` setting: `Some(true)` binds, `Some(false)` never, `None` as the
/// server's answers say (README, "DPoP").
pub(crate) fn dpop_setting(settings: &Settings) -> Option<bool> {
    settings.dpop
}

/// A cached login.
pub(crate) struct Session {
    pub profile: String,
    pub entry: IndexEntry,
    pub store: Box<dyn TokenStore>,
}

impl std::fmt::Debug for Session {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Session")
            .field("profile", &self.profile)
            .field("store", &self.entry.store)
            .finish_non_exhaustive()
    }
}

/// The "log in first" error for `profile`. The hint names the plain command; the output
/// layer adds the flags of this invocation (`-p`, `--provider`, …, see [`crate::output::Rerun`]).
/// `first_time` adds how a login with no provider anywhere says where to sign in.
pub(crate) fn login_required(profile: &str, why: &str, first_time: bool) -> Error {
    Error::LoginRequired {
        message: format!("{why} for profile `{profile}`"),
        hint: if first_time {
            "run `oauthctl login` (with --issuer URL --client-id ID, or --provider NAME, the \
             first time)"
                .to_owned()
        } else {
            "run `oauthctl login`".to_owned()
        },
    }
}

impl Session {
    /// The profile's session, or exit 3 when it never logged in.
    pub(crate) fn open(ctx: &Context<'_>) -> Result<Self> {
        let profile = ctx.profile_name()?;
        let Some(entry) = ctx.indexed(&profile) else {
            // Where to sign in is known when the flags or the configured profile say it.
            let known = ctx.flags.provider.is_some()
                || ctx.flags.issuer.is_some()
                || ctx
                    .config()?
                    .is_some_and(|f| f.profiles.contains_key(&profile));
            return Err(login_required(&profile, "no cached tokens", !known));
        };
        let store = select::open_kind(entry.store, &ctx.paths)?;
        Ok(Self {
            profile,
            entry,
            store,
        })
    }

    /// The cached set, or exit 3 (saying why when an unusable entry was ignored).
    pub(crate) fn tokens(&self) -> Result<TokenSet> {
        let loaded = self.store.load_entry(&self.entry.cache_key)?;
        match (loaded.tokens, loaded.warning) {
            (Some(t), _) => Ok(t),
            (None, None) => Err(login_required(&self.profile, "no cached tokens", false)),
            (None, Some(why)) => Err(Error::LoginRequired {
                message: why,
                hint: "run `oauthctl login`".to_owned(),
            }),
        }
    }

    /// The settings a refresh (or revocation, introspection) uses: what the login
    /// remembered, under any flags and config given now.
    pub(crate) fn settings(ctx: &Context<'_>) -> Result<Settings> {
        ctx.settings(&Overrides::default())
    }
}

/// The settings and the provider's endpoints for this invocation; `issuer` (the cached
/// login's) is used when neither flags nor configuration name one.
pub(crate) fn provider(ctx: &Context<'_>, issuer: Option<&str>) -> Result<(Settings, Resolved)> {
    let mut settings = Session::settings(ctx)?;
    if settings.provider.issuer.is_none() {
        settings.provider.issuer = issuer.map(str::to_owned);
    }
    let resolved = ctx.resolve_provider(&settings)?;
    Ok((settings, resolved))
}

/// Renews `current` for the profile: resolves the provider and reads the client secret
/// only now, so the cached path costs no network and no secret access.
pub(crate) fn renew_with(
    ctx: &Context<'_>,
    session: &Session,
    current: &TokenSet,
) -> Result<TokenSet, RenewError> {
    let inner = || -> Result<(Settings, Resolved, ClientAuth)> {
        let (settings, resolved) = provider(ctx, Some(&session.entry.issuer))?;
        let dpop = DpopUse::Set(current, dpop_setting(&settings));
        let client =
            credentials::client(ctx, &settings, current.client_id.clone(), resolved, dpop)?;
        Ok((settings, client.resolved, client.auth))
    };
    let (settings, resolved, client) = inner().map_err(RenewError::Failed)?;
    // The `Origin` an Entra ID SPA client redeems its refresh token with.
    let origin = settings
        .origin
        .as_deref()
        .map(|o| {
            crate::oauth::url_policy::web_origin(o).map_err(|m| {
                Error::config(
                    format!("`origin` of profile `{}`: {m}", session.profile),
                    Some("an origin is SCHEME://HOST[:PORT], e.g. http://localhost".to_owned()),
                )
            })
        })
        .transpose()
        .map_err(RenewError::Failed)?;
    // RFC 6749 §4.4: only an authenticated client may use the client-credentials grant;
    // an anonymous request would only earn `invalid_client`.
    if current.grant.needs_client_authentication() && !client.is_confidential() {
        return Err(RenewError::Failed(Error::config(
            format!(
                "profile `{}` has no client secret to renew its client-credentials tokens with",
                session.profile
            ),
            Some(format!(
                "give it with --client-secret-file FILE (`-` reads standard input) or \
                 --client-secret-env VAR, or set client_secret_env or client_secret_file in \
                 [profiles.{}] of the config",
                session.profile
            )),
        )));
    }
    // Token exchange and JWT bearer renew with fresh inputs, made only now: the parent's
    // current token (renewed first when it needs it), a new assertion.
    let login = &session.entry.login;
    let fresh = match current.renewal() {
        Some(Renewal::ExchangeAgain) => {
            Some(again(ctx, &session.profile, login).map(Fresh::Exchange))
        }
        Some(Renewal::SignAssertion) => Some(
            super::jwt_bearer::again(
                &session.profile,
                login.assertion.as_ref(),
                &super::obtained::issuer_label(&resolved),
                &current.client_id,
            )
            .map(Fresh::Assertion),
        ),
        _ => None,
    }
    .transpose()
    .map_err(RenewError::Failed)?;
    let http = ctx.http().map_err(RenewError::Failed)?;
    let cache = ctx.documents();
    Renewer {
        http,
        cache: &cache,
        provider: &resolved,
        client: &client,
        scopes: &session.entry.scopes,
        audience: session.entry.audience.as_deref(),
        resource: session.entry.resource.as_deref(),
        now: ctx.clock().now(),
        leeway: session
            .entry
            .login
            .leeway
            .unwrap_or(crate::oauth::id_token::DEFAULT_LEEWAY),
        origin: origin.as_deref(),
        fresh: fresh.as_ref(),
    }
    .renew(current)
    .map(|mut t| {
        if t.scope.is_empty() {
            t.scope.clone_from(&settings.scopes);
        }
        t
    })
}

/// Records in the index what the cache now holds for the profile (expiry, whether there is
/// a refresh token), so that `status` stays true without opening a store.
pub(crate) fn note_tokens(ctx: &Context<'_>, session: &Session, tokens: &TokenSet) {
    let now = ctx.clock().now();
    let result = ctx.index().update(|index| {
        if let Some(e) = index.profiles.get_mut(&session.profile) {
            e.expires_at = tokens.expires_at;
            e.has_refresh_token = tokens.refresh_token.is_some();
            e.updated_at = now;
        }
    });
    if let Err(e) = result {
        ctx.ui.warn(&format!("could not update the index: {e}"));
    }
}

/// How long a command waits for another process's renewal of the same profile.
pub(crate) const LOCK_WAIT: Duration = Duration::from_secs(60);

/// The profile's locks, waiting [`LOCK_WAIT`].
pub(crate) fn locks(ctx: &Context<'_>) -> Locks {
    Locks::for_paths(&ctx.paths).with_timeout(LOCK_WAIT)
}

/// The profile's tokens with an access token valid for at least `min_ttl`, renewed first
/// under the profile's lock when needed (one renewal among any number of parallel callers).
/// `token`, `call`, `exec`, `introspect` and `userinfo` all obtain their token this way.
pub(crate) fn usable_tokens(
    ctx: &Context<'_>,
    session: &Session,
    min_ttl: Duration,
) -> Result<TokenSet> {
    let outcome = renew_if_needed(
        session.store.as_ref(),
        &locks(ctx),
        &session.entry.cache_key,
        ctx.clock().now(),
        min_ttl,
        |current| renew_with(ctx, session, current),
    );
    settle(ctx, session, outcome).map(|o| o.tokens)
}

/// New tokens after a resource server rejected the access token `rejected`
/// (`401` + `error="invalid_token"`): a renewal under the lock, unless another process has
/// already replaced that token.
pub(crate) fn replace_rejected(
    ctx: &Context<'_>,
    session: &Session,
    rejected: &AccessToken,
) -> Result<TokenSet> {
    let outcome = renew_replacing(
        session.store.as_ref(),
        &locks(ctx),
        &session.entry.cache_key,
        rejected,
        |current| renew_with(ctx, session, current),
    );
    settle(ctx, session, outcome).map(|o| o.tokens)
}

/// Shows a renewal attempt's warnings and keeps the index true: a renewed set's expiry,
/// and after `invalid_grant` the refresh token the cache no longer holds.
pub(crate) fn settle(
    ctx: &Context<'_>,
    session: &Session,
    outcome: Result<Renewed, RenewalError>,
) -> Result<Renewed> {
    match outcome {
        Ok(outcome) => {
            for w in &outcome.warnings {
                ctx.ui.warn(w);
            }
            if outcome.renewed {
                note_tokens(ctx, session, &outcome.tokens);
            }
            Ok(outcome)
        }
        Err(e @ RenewalError::RefreshTokenRejected { .. }) => {
            if let Ok(Some(cached)) = session.store.load(&session.entry.cache_key) {
                note_tokens(ctx, session, &cached);
            }
            Err(e.into())
        }
        Err(e) => Err(e.into()),
    }
}

// Renewing an exchanged profile exchanges again (RFC 8693): the subject and actor tokens
// are read anew, a parent profile's renewed first through its own renewal. This is where
// renewal and token exchange meet, so it lives with renewal; `exchange` builds its first
// request the same way.

/// How long a parent's access token must stay valid for its exchange.
pub(crate) const PARENT_MIN_TTL: Duration = Duration::from_secs(60);

/// The longest chain of exchanges followed (a profile from a profile from …).
pub(crate) const MAX_CHAIN: usize = 8;

/// The parent's error, told as the parent's: a login it needs is suggested for it.
pub(crate) fn from_parent(parent: &str, role: &str, e: Error) -> Error {
    match e {
        Error::LoginRequired { message, hint } => {
            let mut rerun = Rerun::default();
            rerun.value("-p", Some(parent));
            Error::LoginRequired {
                message: format!("{message} (the {role} token's profile)"),
                hint: rerun.hint(&hint).into_owned(),
            }
        }
        other => other,
    }
}

/// The `exp` of a JWT, if it is one with a numeric `exp`.
fn jwt_exp(token: &str) -> Option<i64> {
    let jws = crate::oauth::jwt::parse(token).ok()?;
    crate::oauth::jwt::numeric_date(jws.claims.get("exp")?).ok()
}

/// Profile `parent`'s current token of type `kind` (its access token, or its ID token),
/// renewed first through its own renewal when it expires within [`PARENT_MIN_TTL`].
fn profile_token(ctx: &Context<'_>, parent: &str, kind: &str, role: &str) -> Result<SecurityToken> {
    if ctx.chain().iter().any(|p| p == parent) || ctx.chain().len() >= MAX_CHAIN {
        let mut chain = ctx.chain().to_vec();
        chain.push(parent.to_owned());
        return Err(Error::config(
            format!(
                "the token exchanges of these profiles go round in a loop: {}",
                chain.join(" ← ")
            ),
            Some(
                "exchange one of them from another profile (`oauthctl -p NAME exchange …`)"
                    .to_owned(),
            ),
        ));
    }
    let flags = Flags {
        profile: Some(parent.to_owned()),
        config: ctx.flags.config.clone(),
        token_store: ctx.flags.token_store,
        cacert: ctx.flags.cacert.clone(),
        insecure_http: ctx.flags.insecure_http,
        ..Flags::default()
    };
    let pctx = ctx.for_profile(&flags)?;
    let parent_err = |e| from_parent(parent, role, e);
    let session = Session::open(&pctx).map_err(parent_err)?;
    let mut tokens = usable_tokens(&pctx, &session, PARENT_MIN_TTL).map_err(parent_err)?;
    let now = ctx.clock().now();
    let token = match kind {
        k if k == ID_TOKEN => {
            let margin = i64::try_from(PARENT_MIN_TTL.as_secs()).unwrap_or(i64::MAX);
            let fresh = |t: &TokenSet| {
                t.id_token
                    .as_ref()
                    .and_then(|i| jwt_exp(i.expose()))
                    .is_some_and(|exp| exp - now > margin)
            };
            if !fresh(&tokens) && tokens.renewal().is_some() {
                let renewed = renew_now(
                    session.store.as_ref(),
                    &locks(&pctx),
                    &session.entry.cache_key,
                    now,
                    |current| renew_with(&pctx, &session, current),
                );
                tokens = settle(&pctx, &session, renewed).map_err(parent_err)?.tokens;
            }
            tokens
                .id_token
                .as_ref()
                .ok_or_else(|| {
                    Error::usage(
                        format!("profile `{parent}` has no ID token to exchange (was `openid` requested?)"),
                        None,
                    )
                })?
                .expose()
                .to_owned()
        }
        k if k == JWT && crate::oauth::jwt::parse(tokens.access_token.expose()).is_err() => {
            return Err(Error::usage(
                format!(
                    "profile `{parent}`'s access token is not a JWT, so it is no {role} token of type jwt"
                ),
                Some(format!("use --{role}-token-type access_token")),
            ));
        }
        _ => tokens.access_token.expose().to_owned(),
    };
    Ok(SecurityToken::new(token))
}

/// The subject or actor token from `source`, read now. `renewing`: standard input was read
/// at the first exchange and is not kept, so there is nothing to read.
fn token_from(
    ctx: &Context<'_>,
    profile: &str,
    source: &TokenSource,
    kind: &str,
    role: &str,
    renewing: bool,
) -> Result<SecurityToken> {
    match source {
        TokenSource::Profile(parent) => profile_token(ctx, parent, kind, role),
        TokenSource::File(path) => {
            read_token(path, &format!("--{role}-token-file")).map(SecurityToken::new)
        }
        TokenSource::Stdin if renewing => Err(Error::LoginRequired {
            message: format!(
                "the {role} token of profile `{profile}`'s exchange was read from standard input \
                 and is not kept: there is nothing to exchange again"
            ),
            hint: format!(
                "run `oauthctl exchange --{role}-token-file -` again with a new {role} token"
            ),
        }),
        TokenSource::Stdin => {
            read_token(std::path::Path::new("-"), &format!("--{role}-token-file"))
                .map(SecurityToken::new)
        }
    }
}

/// The request for exchange `x` of `profile`, its tokens read now.
pub(crate) fn request_for(
    ctx: &Context<'_>,
    profile: &str,
    x: &RememberedExchange,
    scopes: &[String],
    renewing: bool,
) -> Result<Request> {
    let subject = token_from(
        ctx,
        profile,
        &x.subject,
        &x.subject_token_type,
        "subject",
        renewing,
    )?;
    let actor = match (&x.actor, &x.actor_token_type) {
        (Some(source), Some(kind)) => Some((
            token_from(ctx, profile, source, kind, "actor", renewing)?,
            kind.clone(),
        )),
        _ => None,
    };
    Ok(Request {
        subject,
        subject_token_type: x.subject_token_type.clone(),
        actor,
        audiences: x.audiences.clone(),
        resources: x.resources.clone(),
        scopes: scopes.to_vec(),
        requested_token_type: x.requested_token_type.clone(),
    })
}

/// The exchange that renews profile `profile`'s set, as its login (`login`) remembers it:
/// the parent's current token (renewed first when needed), a file read again.
pub(crate) fn again(ctx: &Context<'_>, profile: &str, login: &RememberedLogin) -> Result<Request> {
    let x = login
        .exchange
        .as_ref()
        .ok_or_else(|| Error::LoginRequired {
            message: format!("profile `{profile}` does not say what its token exchange exchanged"),
            hint: "run `oauthctl exchange --subject-profile NAME` again".to_owned(),
        })?;
    request_for(ctx, profile, x, &login.scopes, true)
}
