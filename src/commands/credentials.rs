//! The client a command presents to the authorization server: how it authenticates (a
//! secret, a private key for `private_key_jwt`, a certificate for mTLS), the provider's
//! endpoints as that client uses them (the `mtls_endpoint_aliases` when it has a
//! certificate), and whether its requests carry DPoP proofs.

use std::sync::Arc;

use crate::config::Settings;
use crate::error::{Error, Result};
use crate::flow::client::{ClientAuth, StartDpop};
use crate::flow::dpop::{Dpop, Nonces};
use crate::flow::provider::Resolved;
use crate::oauth::client_assertion::Audience;
use crate::oauth::dpop::{self, ProofKey};
use crate::oauth::mtls::ClientCertificate;
use crate::oauth::tokens::TokenSet;

use super::Context;

/// Whether a command's requests are DPoP-bound.
#[derive(Debug, Clone, Copy)]
pub(crate) enum DpopUse<'a> {
    /// A login: `Some(true)` binds (`--dpop`, `dpop = true`), `Some(false)` never does
    /// (`dpop = false`), `None` binds when the client is known to need it and otherwise
    /// starts when the server's answer says so (`oauth::dpop::suggests_dpop`).
    Login(Option<bool>),
    /// Requests about a cached set: with its key when it has one; otherwise as a login
    /// with `None` would, unless `dpop = false`.
    Set(&'a TokenSet, Option<bool>),
    /// No proofs (a token that is not the profile's).
    Never,
}

/// The client and the provider as it uses them.
#[derive(Debug)]
pub(crate) struct Client {
    pub auth: ClientAuth,
    pub resolved: Resolved,
}

/// The nonces and DPoP state of this invocation.
pub(crate) fn nonces(ctx: &Context<'_>) -> Arc<Nonces> {
    ctx.nonces()
}

/// The client `client_id` of `settings` at `resolved`, with its credentials read now and
/// the authentication method of the settings.
pub(crate) fn client(
    ctx: &Context<'_>,
    settings: &Settings,
    client_id: String,
    resolved: Resolved,
    dpop_use: DpopUse<'_>,
) -> Result<Client> {
    client_with_method(
        ctx,
        settings,
        client_id,
        settings.auth_method,
        resolved,
        dpop_use,
    )
}

/// [`client`] with the authentication method `method` (`None`: the one the credentials
/// given suggest: `client_secret_basic` with a secret, `none` without).
pub(crate) fn client_with_method(
    ctx: &Context<'_>,
    settings: &Settings,
    client_id: String,
    method: Option<crate::oauth::client_auth::AuthMethod>,
    resolved: Resolved,
    dpop_use: DpopUse<'_>,
) -> Result<Client> {
    let secret = ctx.client_secret(&settings.client_secret)?;
    let mut auth = ClientAuth::new(client_id, secret, method);
    auth.issuer = resolved.issuer().map(str::to_owned);
    if resolved.provider.quirks.assertion_aud_is_endpoint {
        auth.audience = Audience::Endpoint;
    }
    let resolved = if auth.certificate.is_some() {
        resolved.for_certificate()
    } else {
        resolved
    };
    let auth = with_dpop(ctx, auth, &resolved, dpop_use)?;
    Ok(Client { auth, resolved })
}

/// The DPoP side of `auth` (see [`DpopUse`]).
fn with_dpop(
    ctx: &Context<'_>,
    auth: ClientAuth,
    resolved: &Resolved,
    dpop_use: DpopUse<'_>,
) -> Result<ClientAuth> {
    let meta = resolved.metadata.as_ref();
    let offered = meta.and_then(|m| m.dpop_signing_alg_values_supported.as_deref());
    let advertised = meta.is_some_and(crate::oauth::discovery::ProviderMetadata::advertises_dpop);
    let issuer = resolved
        .issuer()
        .map(str::to_owned)
        .or_else(|| resolved.endpoints.token_endpoint.clone())
        .unwrap_or_default();
    let alg = || {
        dpop::key_alg(offered).map_err(|e| {
            Error::config(
                format!("cannot make a DPoP key: {e}"),
                Some("log in without --dpop".to_owned()),
            )
        })
    };
    let want = match dpop_use {
        DpopUse::Never => return Ok(auth),
        DpopUse::Set(tokens, want) => {
            if let Some(stored) = &tokens.dpop_key {
                return Ok(auth.with_dpop(Dpop::from_stored(stored, nonces(ctx))?));
            }
            want
        }
        DpopUse::Login(Some(true)) => {
            return Ok(auth.with_dpop(Dpop::generate(alg()?, nonces(ctx))?));
        }
        DpopUse::Login(want) => {
            if want.is_none() && advertised && nonces(ctx).is_required(&issuer, &auth.client_id) {
                return Ok(auth.with_dpop(Dpop::generate(alg()?, nonces(ctx))?));
            }
            want
        }
    };
    if want == Some(false) || !advertised {
        return Ok(auth);
    }
    let Ok(alg) = dpop::key_alg(offered) else {
        return Ok(auth);
    };
    Ok(auth.may_start_dpop(StartDpop {
        alg,
        nonces: nonces(ctx),
        issuer,
    }))
}

/// The client certificate `settings` name (`--client-cert` with `--client-key`), read now.
#[allow(clippy::unnecessary_wraps)] // reads files once the settings name them
pub(crate) fn certificate(_settings: &Settings) -> Result<Option<ClientCertificate>> {
    Ok(None)
}

/// The key a set's access token is bound to, for resource requests: `None` for a token that
/// needs no proof (`Bearer`); exit 3 for a DPoP-bound token whose key is missing.
pub(crate) fn resource_dpop(ctx: &Context<'_>, tokens: &TokenSet) -> Result<Option<Dpop>> {
    if !tokens.token_type.needs_proof() {
        return Ok(None);
    }
    let stored: &ProofKey = tokens
        .dpop_key
        .as_ref()
        .ok_or_else(|| Error::LoginRequired {
            message: "the cached access token is DPoP-bound but its proof key is missing"
                .to_owned(),
            hint: "run `oauthctl login` again".to_owned(),
        })?;
    Dpop::from_stored(stored, nonces(ctx)).map(Some)
}
