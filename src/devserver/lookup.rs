//! What a presented refresh token is, as far as this server knows: the lookup that
//! introspection and revocation share. Refresh tokens are found by their fingerprint, never
//! stored in the clear. Access tokens are not looked up but verified (`super::access`).

use super::state::{Family, RefreshRecord, Store};
use super::wire::fingerprint;

/// The record of the refresh token `token` and its grant, if this server issued it and
/// still keeps them.
pub(crate) fn refresh_token(store: &Store, token: &str) -> Option<(RefreshRecord, Family)> {
    let r = store.refresh.get(&fingerprint(token))?;
    let f = store.families.get(&r.family)?;
    Some((r.clone(), f.clone()))
}
