//! Client authentication at the back-channel endpoints (`/token`, `/par`,
//! `/device_authorization`, `/introspect`, `/revoke`), one module for all of them: secrets
//! (RFC 6749 §2.3.1), client assertions (`client_secret_jwt`, `private_key_jwt`; RFC 7523
//! §2.2), TLS client certificates (`tls_client_auth`, `self_signed_tls_client_auth`;
//! RFC 8705 §2), or `none` for public clients. A client may use only the methods of its
//! registration ([`Client::auth_methods`]); wrong secrets and wrong HMAC assertions are
//! limited per client and source.

use std::borrow::Cow;

use rustls::pki_types::UnixTime;

use super::assertion::{self, ASSERTION_TYPE, AssertionError, Audiences, Keys};
use super::back_channel::{REALM, err, too_many};
use super::capped::{bucket, now_ms, source};
use super::clients::AuthMethod;
use super::directory::{Directory, Unknown};
use super::mtls;
use super::wire::{Params, Req, Resp, basic_credentials};
use super::{App, Client};
use crate::oauth::secret::ClientSecret;

/// `invalid_client`: 401 with a challenge.
fn invalid_client(description: &str) -> Resp {
    Resp::oauth_error(401, "invalid_client", description)
        .with("WWW-Authenticate", &format!("Basic realm=\"{REALM}\""))
}

/// An authenticated client, and how it authenticated.
#[derive(Debug, Clone)]
pub(crate) struct Authenticated<'a> {
    /// A configured client, or a copy of one registered at `/register` or described by a
    /// metadata document (`directory`).
    pub client: Cow<'a, Client>,
    pub method: AuthMethod,
}

/// The client `id` names, for a request from `req`'s source (`directory`).
fn lookup<'a>(app: &'a App, req: &Req, id: &str) -> Result<Cow<'a, Client>, Resp> {
    match Directory::of(app, req.peer).client(id) {
        Ok(client) => Ok(client),
        Err(Unknown::NoSuchClient) => Err(invalid_client("unknown client or wrong credentials")),
        Err(Unknown::Refused(why)) => Err(invalid_client(&format!(
            "the client's metadata document was refused: {why}"
        ))),
    }
}

impl Authenticated<'_> {
    /// Whether the client proved itself with its TLS certificate: its tokens are then bound
    /// to that certificate (RFC 8705 §3).
    pub(crate) fn by_certificate(&self) -> bool {
        self.method.is_mtls()
    }
}

/// Runs `check` (a comparison with the client's secret) under the failed-authentication
/// limit (RFC 6749 §2.3.1 asks for brute-force protection). Each guess takes one from the
/// budget of this client and source before it is compared, and a correct one gives it
/// back: so only wrong guesses count, a source that used up its budget gets `429` even for
/// the right secret (otherwise the limit would not slow a guesser down), and the client's
/// own token-endpoint budget is never spent by somebody else's failures.
fn limited<T>(
    app: &App,
    req: &Req,
    client: &Client,
    check: impl FnOnce() -> Result<T, Resp>,
) -> Result<T, Resp> {
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
    let result = check();
    if result.is_ok()
        && limit > 0
        && let Some(b) = app.store().failures.get_mut(&key)
    {
        b.give_back(limit);
    }
    result
}

fn check_secret(
    app: &App,
    req: &Req,
    client: &Client,
    expected: &ClientSecret,
    given: &str,
) -> Result<(), Resp> {
    limited(app, req, client, || {
        if expected.matches(given) {
            Ok(())
        } else {
            Err(invalid_client("unknown client or wrong credentials"))
        }
    })
}

/// Refuses a method the client is not registered for.
fn allowed(client: &Client, method: AuthMethod) -> Result<(), Resp> {
    if client.may_authenticate_with(method) {
        return Ok(());
    }
    let registered: Vec<&str> = client.auth_methods().iter().map(|m| m.as_str()).collect();
    Err(invalid_client(&format!(
        "this client may not authenticate with {}; it is registered for {}",
        method.as_str(),
        registered.join(", ")
    )))
}

/// Authenticates the client that sent `req` (see the module documentation); `Ok` names it
/// and the method it used.
pub(crate) fn authenticate<'a>(
    app: &'a App,
    req: &Req,
    form: &Params,
) -> Result<Authenticated<'a>, Resp> {
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
    let assertion = form.has("client_assertion") || form.has("client_assertion_type");
    if usize::from(basic.is_some())
        + usize::from(form.has("client_secret"))
        + usize::from(assertion)
        > 1
    {
        return Err(err(
            "invalid_request",
            "use exactly one client authentication method",
        ));
    }
    if assertion {
        return by_assertion(app, req, form);
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
    let client = lookup(app, req, id)?;
    let method = if basic.is_some() {
        AuthMethod::ClientSecretBasic
    } else {
        AuthMethod::ClientSecretPost
    };
    match (&client.secret, secret) {
        (Some(expected), Some(given)) => {
            allowed(&client, method)?;
            check_secret(app, req, &client, expected, given)?;
            Ok(Authenticated { client, method })
        }
        (None, Some(_)) if client.is_public() => Err(invalid_client(
            "this is a public client: it has no secret, send client_id only",
        )),
        (None, Some(_)) => Err(invalid_client(
            "this client has no secret: authenticate as it is registered",
        )),
        (_, None) => by_client_id(app, req, client),
    }
}

/// Authenticates the client and returns it (the endpoints that do not care how).
pub(crate) fn authenticate_client<'a>(
    app: &'a App,
    req: &Req,
    form: &Params,
) -> Result<Cow<'a, Client>, Resp> {
    authenticate(app, req, form).map(|a| a.client)
}

/// A request naming the client by `client_id` only: its TLS certificate, or nothing for a
/// public client.
fn by_client_id<'a>(
    app: &App,
    req: &Req,
    client: Cow<'a, Client>,
) -> Result<Authenticated<'a>, Resp> {
    let methods = client.auth_methods();
    if let Some(cert) = req
        .peer_certs
        .as_deref()
        .and_then(mtls::PeerCertificates::leaf)
    {
        let mut why = None;
        for method in methods.iter().copied().filter(|m| m.is_mtls()) {
            match certificate_names(app, req, &client, method, cert) {
                Ok(()) => return Ok(Authenticated { client, method }),
                Err(e) => why = Some(e),
            }
        }
        if let Some(why) = why {
            return Err(invalid_client(&why));
        }
    }
    if methods.contains(&AuthMethod::None) {
        return Ok(Authenticated {
            client,
            method: AuthMethod::None,
        });
    }
    if methods.iter().any(|m| m.is_mtls()) {
        let why = if app.ca.is_some() {
            "this client authenticates with its TLS client certificate, and none was presented"
        } else {
            "this client authenticates with a TLS client certificate: it needs `serve --tls`"
        };
        return Err(invalid_client(why));
    }
    Err(invalid_client("unknown client or wrong credentials"))
}

/// Whether the certificate `cert` authenticates `client` by `method` (RFC 8705 §2.1, §2.2).
fn certificate_names(
    app: &App,
    req: &Req,
    client: &Client,
    method: AuthMethod,
    cert: &[u8],
) -> Result<(), String> {
    match method {
        AuthMethod::TlsClientAuth => {
            let Some(ca) = &app.ca else {
                return Err("no TLS".to_owned());
            };
            let chain = req
                .peer_certs
                .as_deref()
                .map(mtls::PeerCertificates::intermediates);
            if !mtls::chains_to(
                cert,
                chain.unwrap_or_default(),
                ca.cert_der(),
                UnixTime::now(),
                false,
            ) {
                return Err(
                    "the client certificate was not issued by this server's development CA"
                        .to_owned(),
                );
            }
            let dn = client
                .tls_client_auth_subject_dn
                .as_deref()
                .is_some_and(|dn| mtls::subject_matches(cert, dn));
            let dns = client
                .tls_client_auth_san_dns
                .as_ref()
                .is_some_and(|n| mtls::san_dns(cert).contains(n));
            let uri = client
                .tls_client_auth_san_uri
                .as_ref()
                .is_some_and(|n| mtls::san_uri(cert).contains(n));
            if dn || dns || uri {
                Ok(())
            } else {
                Err("the client certificate does not name this client as registered".to_owned())
            }
        }
        AuthMethod::SelfSignedTlsClientAuth => {
            let keys =
                app.client_keys
                    .get(&client.id, client.jwks_uri.as_deref(), false, now_ms())?;
            if mtls::registered_in_jwks(&keys.document, cert) {
                Ok(())
            } else {
                Err("the client certificate is not one the client registered (x5c)".to_owned())
            }
        }
        _ => Err("not a certificate method".to_owned()),
    }
}

/// A client assertion (RFC 7523 §2.2): `client_assertion_type` and `client_assertion`.
fn by_assertion<'a>(app: &'a App, req: &Req, form: &Params) -> Result<Authenticated<'a>, Resp> {
    if form.get("client_assertion_type") != Some(ASSERTION_TYPE) {
        return Err(err(
            "invalid_request",
            &format!("client_assertion_type must be {ASSERTION_TYPE}"),
        ));
    }
    let Some(raw) = form.get("client_assertion") else {
        return Err(err("invalid_request", "client_assertion is required"));
    };
    let parsed = assertion::read(raw).map_err(|e| invalid_client(e.description()))?;
    if form
        .get("client_id")
        .is_some_and(|id| id != parsed.client_id)
    {
        return Err(err(
            "invalid_request",
            "client_id differs from the client the assertion names",
        ));
    }
    let client = lookup(app, req, &parsed.client_id)?;
    let endpoint = format!("{}{}", app.issuer, req.path);
    let token_endpoint = format!("{}/token", app.issuer);
    let audiences = Audiences {
        issuer: &app.issuer,
        endpoint: &endpoint,
        token_endpoint: &token_endpoint,
    };
    let now = app.now_ms() / 1000;
    let (method, verified) = if parsed.alg() == Some(assertion::SECRET_ALG) {
        allowed(&client, AuthMethod::ClientSecretJwt)?;
        let Some(secret) = &client.secret else {
            return Err(invalid_client("this client has no secret"));
        };
        let verified = limited(app, req, &client, || {
            parsed
                .verify(Keys::Secret(secret), audiences, now)
                .map_err(|e| invalid_client(e.description()))
        })?;
        (AuthMethod::ClientSecretJwt, verified)
    } else {
        allowed(&client, AuthMethod::PrivateKeyJwt)?;
        let verify = |refetch: bool| -> Result<_, AssertionError> {
            let keys = app
                .client_keys
                .get(&client.id, client.jwks_uri.as_deref(), refetch, now_ms())
                .map_err(AssertionError::Invalid)?;
            parsed.verify(Keys::Public(&keys.keys), audiences, now)
        };
        let verified = match verify(false) {
            // A key the cached set lacks: the client may have rotated its keys.
            Err(AssertionError::NoKey(_)) if client.jwks_uri.is_some() => verify(true),
            other => other,
        }
        .map_err(|e| invalid_client(e.description()))?;
        (AuthMethod::PrivateKeyJwt, verified)
    };
    verified
        .use_once(&client.id, &mut app.store().assertions, now)
        .map_err(|e| invalid_client(e.description()))?;
    Ok(Authenticated { client, method })
}
