//! The client a command presents to the authorization server: how it authenticates (a
//! secret, a private key for `private_key_jwt`, a certificate for mTLS), the provider's
//! endpoints as that client uses them (the `mtls_endpoint_aliases` when it has a
//! certificate), and whether its requests carry DPoP proofs.

use std::path::Path;
use std::str::FromStr as _;
use std::sync::Arc;

use crate::config::{ClientKeys, Settings};
use crate::error::{Error, Result};
use crate::flow::client::{AssertionKey, ClientAuth, StartDpop};
use crate::flow::dpop::{Dpop, Nonces};
use crate::flow::provider::Resolved;
use crate::oauth::client_assertion::{self, Audience};
use crate::oauth::client_auth::{AuthMethod, Credential};
use crate::oauth::dpop::{self, ProofKey};
use crate::oauth::jose::{SigningAlg, SigningKey};
use crate::oauth::mtls::ClientCertificate;
use crate::oauth::tokens::TokenSet;
use crate::store::index::RememberedLogin;

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
    method: Option<AuthMethod>,
    resolved: Resolved,
    dpop_use: DpopUse<'_>,
) -> Result<Client> {
    let secret = ctx.client_secret(&settings.client_secret)?;
    let keys = &settings.keys;
    // Without a method named, the credential given decides: a secret is
    // `client_secret_basic`, a private key `private_key_jwt`, a certificate alone
    // `tls_client_auth`, nothing `none`.
    let method = match (method, &secret, &keys.key_file, &keys.cert) {
        (None, None, Some(_), _) => Some(AuthMethod::PrivateKeyJwt),
        (None, None, None, Some(_)) => Some(AuthMethod::TlsClientAuth),
        (named, ..) => named,
    };
    complete(
        ctx,
        settings,
        ClientAuth::new(client_id, secret, method),
        resolved,
        dpop_use,
    )
}

/// Completes `auth` (its id, secret and method chosen) for `resolved`: the assertion
/// audience, the private key or certificate its method needs, and DPoP as `dpop_use` says.
pub(crate) fn complete(
    ctx: &Context<'_>,
    settings: &Settings,
    mut auth: ClientAuth,
    resolved: Resolved,
    dpop_use: DpopUse<'_>,
) -> Result<Client> {
    let keys = &settings.keys;
    auth.issuer = resolved.issuer().map(str::to_owned);
    if resolved.provider.quirks.assertion_aud_is_endpoint {
        auth.audience = Audience::Endpoint;
    }
    match auth.method.credential() {
        Credential::PrivateKey => {
            let offered = resolved.metadata.as_ref().and_then(|m| {
                m.token_endpoint_auth_signing_alg_values_supported
                    .as_deref()
            });
            auth.key = Some(Arc::new(assertion_key(keys, offered)?));
        }
        Credential::Certificate if keys.cert.is_none() => {
            return Err(Error::config(
                format!("{} needs the client certificate", auth.method.as_str()),
                Some(
                    "give it with --client-cert FILE --client-key FILE, or client_cert and \
                     client_key in the profile"
                        .to_owned(),
                ),
            ));
        }
        _ => {}
    }
    auth.certificate = certificate(settings)?.map(Arc::new);
    let resolved = if auth.certificate.is_some() {
        resolved.for_certificate()
    } else {
        resolved
    };
    let auth = with_dpop(ctx, auth, &resolved, dpop_use)?;
    Ok(Client { auth, resolved })
}

/// The client for a request about `cached` (a profile's token set, if the token is one):
/// another client named on the command line brings its own authentication method and
/// proves nothing with the profile's DPoP key; the profile's own client proves a
/// DPoP-bound set's requests with the set's key (introspection, revocation). Without a
/// client id (`None`) it is a configuration error that says how to give one.
pub(crate) fn for_cached(
    ctx: &Context<'_>,
    settings: &Settings,
    client_id: Option<String>,
    resolved: Resolved,
    cached: Option<&TokenSet>,
) -> Result<Client> {
    let client_id = client_id.ok_or_else(|| {
        Error::config(
            format!("no client id known for profile `{}`", settings.profile),
            Some(
                "pass --client-id ID (and --client-secret-file for a confidential client)"
                    .to_owned(),
            ),
        )
    })?;
    let other_client = ctx.flags.client_id.is_some();
    let (method, dpop) = match cached {
        Some(tokens) if !other_client => (settings.auth_method, DpopUse::Set(tokens, Some(false))),
        _ if other_client => (None, DpopUse::Never),
        _ => (settings.auth_method, DpopUse::Never),
    };
    client_with_method(ctx, settings, client_id, method, resolved, dpop)
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

/// The largest key or certificate file read.
const MAX_PEM: u64 = 1024 * 1024;

/// The largest token read from a file or standard input.
const MAX_TOKEN_FILE: u64 = 64 * 1024;

/// A token from `path` (`-`: standard input): its text without surrounding whitespace,
/// visible ASCII only (RFC 6749 Appendix A). `flag` names where it was given, for messages;
/// no message quotes the content.
pub(crate) fn read_token(path: &Path, flag: &str) -> Result<String> {
    use std::io::Read as _;
    let mut text = String::new();
    let read = if path.as_os_str() == "-" {
        std::io::stdin()
            .lock()
            .take(MAX_TOKEN_FILE + 1)
            .read_to_string(&mut text)
    } else {
        std::fs::File::open(path).and_then(|f| f.take(MAX_TOKEN_FILE + 1).read_to_string(&mut text))
    };
    let shown = if path.as_os_str() == "-" {
        "standard input".to_owned()
    } else {
        path.display().to_string()
    };
    read.map_err(|e| Error::usage(format!("{flag} {shown}: cannot read it: {e}"), None))?;
    if text.len() as u64 > MAX_TOKEN_FILE {
        return Err(Error::usage(
            format!("{flag} {shown}: more than {MAX_TOKEN_FILE} bytes, too long for a token"),
            None,
        ));
    }
    let token = text.trim();
    if token.is_empty() {
        return Err(Error::usage(format!("{flag} {shown}: it is empty"), None));
    }
    crate::oauth::tokens::check_token_chars(token, crate::oauth::tokens::TokenSyntax::Visible)
        .map_err(|e| {
            Error::usage(
                format!("{flag} {shown}: it {e}, which no token may have"),
                None,
            )
        })?;
    Ok(token.to_owned())
}

/// The hint for a key or certificate file given with `flag`.
fn pem_hint(flag: &str) -> String {
    let key = flag.trim_start_matches("--").replace('-', "_");
    format!(
        "give a readable PEM file with {flag} FILE (or {key} in the profile); keys must not \
         be encrypted (`openssl pkey -in KEY -out key.pem` writes a plain PKCS#8 one)"
    )
}

/// A PEM file's text; `flag` names where it was given, for messages.
pub(crate) fn read_pem(path: &Path, flag: &str) -> Result<String> {
    use std::io::Read as _;
    let fail = |why: String| {
        Error::config(
            format!("{flag} {}: {why}", path.display()),
            Some(pem_hint(flag)),
        )
    };
    let file = std::fs::File::open(path).map_err(|e| fail(format!("cannot read it: {e}")))?;
    let mut text = String::new();
    file.take(MAX_PEM + 1)
        .read_to_string(&mut text)
        .map_err(|e| fail(format!("not a PEM text file: {e}")))?;
    if text.len() as u64 > MAX_PEM {
        return Err(fail("too large for a PEM file".to_owned()));
    }
    Ok(text)
}

/// The private key of `private_key_jwt` (`--client-key-file`, `client_key_file`), with the
/// algorithm `client_key_alg` names, or the one that fits the key and the server's list.
fn assertion_key(keys: &ClientKeys, offered: Option<&[String]>) -> Result<AssertionKey> {
    let path = keys.key_file.as_deref().ok_or_else(|| {
        Error::config(
            "private_key_jwt needs the client's private key",
            Some(
                "give it with --client-key-file FILE, or client_key_file in the profile".to_owned(),
            ),
        )
    })?;
    let pem = read_pem(path, "--client-key-file")?;
    let bad = |e: crate::oauth::jose::KeyError| {
        Error::config(
            format!("--client-key-file {}: {e}", path.display()),
            Some(pem_hint("--client-key-file")),
        )
    };
    let named = keys
        .key_alg
        .as_deref()
        .map(|name| {
            SigningAlg::from_str(name).map_err(|e| {
                Error::config(
                    format!("client_key_alg: {e}"),
                    Some(
                        "set client_key_alg to an algorithm the key can sign, or leave it out \
                         to use the key's own"
                            .to_owned(),
                    ),
                )
            })
        })
        .transpose()?;
    let key = SigningKey::from_pem(&pem, named).map_err(bad)?;
    let fitting = client_assertion::key_alg(key.alg(), offered);
    let key = if named.is_none() && fitting != key.alg() {
        SigningKey::from_pem(&pem, Some(fitting)).map_err(bad)?
    } else {
        key
    };
    Ok(AssertionKey {
        key,
        kid: keys.key_id.clone(),
    })
}

/// The client certificate of a cached login (`login`, as the profile remembers it):
/// `--client-cert`/`--client-key` when given, else the login's (no configuration read).
pub(crate) fn login_certificate(
    ctx: &Context<'_>,
    login: &RememberedLogin,
) -> Result<Option<ClientCertificate>> {
    let (cert, key) = if ctx.flags.client_cert.is_some() || ctx.flags.client_key.is_some() {
        (ctx.flags.client_cert.clone(), ctx.flags.client_key.clone())
    } else {
        (login.client_cert.clone(), login.client_key.clone())
    };
    let settings_keys = ClientKeys {
        cert,
        cert_key: key,
        ..ClientKeys::default()
    };
    load_certificate(&settings_keys)
}

/// The client certificate `settings` name (`--client-cert` with `--client-key`, or
/// `client_cert` and `client_key` in the profile), read now.
pub(crate) fn certificate(settings: &Settings) -> Result<Option<ClientCertificate>> {
    load_certificate(&settings.keys)
}

fn load_certificate(keys: &ClientKeys) -> Result<Option<ClientCertificate>> {
    let (cert, key) = match (&keys.cert, &keys.cert_key) {
        (None, None) => return Ok(None),
        (Some(cert), Some(key)) => (cert, key),
        _ => {
            return Err(Error::config(
                "a client certificate needs its private key, and a key its certificate",
                Some(
                    "give both: --client-cert FILE --client-key FILE (or client_cert and \
                     client_key in the profile)"
                        .to_owned(),
                ),
            ));
        }
    };
    let cert_pem = read_pem(cert, "--client-cert")?;
    let key_pem = read_pem(key, "--client-key")?;
    ClientCertificate::from_pem(&cert_pem, &key_pem)
        .map(Some)
        .map_err(|e| {
            let (flag, path) = if matches!(e, crate::oauth::mtls::CertError::Key(_)) {
                ("--client-key", key)
            } else {
                ("--client-cert", cert)
            };
            Error::config(
                format!("{flag} {}: {e}", path.display()),
                Some(pem_hint(flag)),
            )
        })
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
