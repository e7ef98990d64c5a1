//! The grant handlers of the token endpoint, one module per [`Grant`]. The token endpoint
//! has authenticated the client and checked that it may use the grant; a handler checks
//! the grant's own parameters against the store and issues through `issue`.

mod client_credentials;
mod code;
mod device;
mod refresh;

use super::issue::TokenResponse;
use super::wire::{Params, Resp};
use super::{App, Client};
use crate::oauth::grant::Grant;

/// Redeems `grant` for `client`: the token response, or the error answer.
pub(crate) fn redeem(
    app: &App,
    client: &Client,
    grant: Grant,
    form: &Params,
) -> Result<TokenResponse, Resp> {
    match grant {
        Grant::AuthorizationCode => code::redeem(app, client, form),
        Grant::RefreshToken => refresh::redeem(app, client, form),
        Grant::ClientCredentials => client_credentials::redeem(app, client, form),
        Grant::DeviceCode => device::redeem(app, client, form),
    }
}
