//! The grant handlers of the token endpoint, one module per [`Grant`]. The token endpoint
//! has authenticated the client and checked that it may use the grant; a handler checks
//! the grant's own parameters against the store and issues through `issue`.

mod client_credentials;
mod code;
mod device;
mod exchange;
mod jwt_bearer;
mod refresh;

use super::binding::Binding;
use super::issue::TokenResponse;
use super::wire::{Params, Resp};
use super::{App, Client};
use crate::oauth::grant::Grant;

/// Redeems `grant` for `client`, with tokens bound as `binding` says: the token response,
/// or the error answer.
pub(crate) fn redeem(
    app: &App,
    client: &Client,
    grant: Grant,
    form: &Params,
    binding: &Binding,
) -> Result<TokenResponse, Resp> {
    match grant {
        Grant::AuthorizationCode => code::redeem(app, client, form, binding),
        Grant::RefreshToken => refresh::redeem(app, client, form, binding),
        Grant::ClientCredentials => client_credentials::redeem(app, client, form, binding),
        Grant::DeviceCode => device::redeem(app, client, form, binding),
        Grant::TokenExchange => exchange::redeem(app, client, form, binding),
        Grant::JwtBearer => jwt_bearer::redeem(app, client, form, binding),
    }
}

/// The answer while no new grant may be created because the revoked-grants list is full
/// (docs/serve.md, "Memory").
fn too_many_revoked_grants() -> Resp {
    Resp::oauth_error(
        503,
        "temporarily_unavailable",
        "too many revoked grants are remembered; retry later",
    )
}

/// The DPoP key a new grant's refresh tokens are bound to: a public client's proof key
/// (RFC 9449 §5: a confidential client authenticates every refresh instead).
fn refresh_binding(client: &Client, binding: &Binding) -> Option<String> {
    if client.is_public() {
        binding.jkt.clone()
    } else {
        None
    }
}
