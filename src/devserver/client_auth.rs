//! Client authentication at the back-channel endpoints (RFC 6749 §2.3.1), with the
//! limit on wrong client secrets per client and source.

use std::borrow::Cow;

use super::back_channel::{REALM, err, too_many};
use super::directory::{Directory, Unknown};
use super::state::{bucket, now_ms, source};
use super::wire::{Params, Req, Resp, basic_credentials};
use super::{App, Client};
use crate::oauth::secret::ClientSecret;

/// `invalid_client`: 401 with a challenge.
fn invalid_client(description: &str) -> Resp {
    Resp::oauth_error(401, "invalid_client", description)
        .with("WWW-Authenticate", &format!("Basic realm=\"{REALM}\""))
}

/// Checks a presented client secret under the failed-authentication limit (RFC 6749
/// §2.3.1 asks for brute-force protection). Each guess takes one from the budget of this
/// client and source before it is compared, and a correct one gives it back: so only wrong
/// secrets count, a source that used up its budget gets `429` even for the right secret
/// (otherwise the limit would not slow a guesser down), and the client's own token-endpoint
/// budget is never spent by somebody else's failures.
fn check_secret(
    app: &App,
    req: &Req,
    client: &Client,
    expected: &ClientSecret,
    given: &str,
) -> Result<(), Resp> {
    let limit = app.cfg.rate_limit_per_minute;
    let key = (client.id.clone(), source(req.peer));
    if limit > 0 {
        let now = now_ms();
        let mut store = app.store();
        if let Err(retry) = bucket(&mut store.failures, key.clone(), limit, now).take(limit, now) {
            return Err(too_many(
                "too many failed authentications for this client from this address; retry later",
                retry,
            ));
        }
    }
    if expected.matches(given) {
        if limit > 0
            && let Some(b) = app.store().failures.get_mut(&key)
        {
            b.give_back(limit);
        }
        Ok(())
    } else {
        Err(invalid_client("unknown client or wrong credentials"))
    }
}

/// Authenticates the client: `client_secret_basic` (form-urldecoded),
/// `client_secret_post`, or `none` for public clients, which identify themselves by
/// `client_id` alone and may not present a secret. Wrong secrets are limited per client
/// and source ([`check_secret`]).
pub(crate) fn authenticate_client<'a>(
    app: &'a App,
    req: &Req,
    form: &Params,
) -> Result<Cow<'a, Client>, Resp> {
    if req.header_count("authorization") > 1 {
        return Err(err("invalid_request", "repeated Authorization header"));
    }
    let basic = match req.header("authorization") {
        Some(h) => Some(
            basic_credentials(h)
                .ok_or_else(|| invalid_client("malformed Basic authorization header"))?,
        ),
        None => None,
    };
    if basic.is_some() && form.has("client_secret") {
        return Err(err(
            "invalid_request",
            "use exactly one client authentication method",
        ));
    }
    let (id, secret) = match &basic {
        Some((id, secret)) => {
            if form.get("client_id").is_some_and(|f| f != id) {
                return Err(err(
                    "invalid_request",
                    "client_id differs from the authenticated client",
                ));
            }
            (id.as_str(), Some(secret.as_str()))
        }
        None => match form.get("client_id") {
            Some(id) => (id, form.get("client_secret")),
            None => return Err(invalid_client("client authentication is required")),
        },
    };
    let client = match Directory::of(app, req.peer).client(id) {
        Ok(client) => client,
        Err(Unknown::NoSuchClient) => {
            return Err(invalid_client("unknown client or wrong credentials"));
        }
        Err(Unknown::Refused(why)) => {
            return Err(invalid_client(&format!(
                "the client's metadata document was refused: {why}"
            )));
        }
    };
    match (&client.secret, secret) {
        (Some(expected), Some(given)) => {
            check_secret(app, req, &client, expected, given).map(|()| client)
        }
        (Some(_), None) => Err(invalid_client("unknown client or wrong credentials")),
        (None, None) => Ok(client),
        (None, Some(_)) => Err(invalid_client(
            "this is a public client: it has no secret, send client_id only",
        )),
    }
}
