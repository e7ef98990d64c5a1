//! What a presented token is, as far as this server knows: the lookup that introspection,
//! revocation and userinfo share. Tokens are found by their fingerprint, never stored in
//! the clear.

use super::state::{AccessRecord, Family, RefreshRecord, Store};
use super::wire::fingerprint;

/// What a token string is, as far as this server knows.
pub(crate) enum Known {
    Access(AccessRecord),
    Refresh(RefreshRecord, Family),
}

/// The record of `token`, if this server issued it.
pub(crate) fn lookup(store: &Store, token: &str) -> Option<Known> {
    let fp = fingerprint(token);
    if let Some(a) = store.access.get(&fp) {
        return Some(Known::Access(a.clone()));
    }
    let r = store.refresh.get(&fp)?;
    let f = store.families.get(&r.family)?;
    Some(Known::Refresh(r.clone(), f.clone()))
}

/// Whether the grant (family) an access token belongs to was revoked or is gone.
pub(crate) fn family_revoked(store: &Store, family: Option<u64>) -> bool {
    family.is_some_and(|f| store.families.get(&f).is_none_or(|f| f.revoked))
}
