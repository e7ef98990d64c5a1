//! Authorization code + PKCE through the loopback listener (RFC 6749 §4.1, RFC 7636,
//! RFC 8252, RFC 9207, OIDC Core §3.1): bind first, then open the browser on a second thread,
//! wait for the one callback, exchange the code with the same `redirect_uri`, and verify the
//! ID token before anything is returned.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use reqwest::header::{HeaderMap, HeaderValue, ORIGIN};
use serde_json::{Map, Value};
use url::Url;

use crate::browser::{self, Browser};
use crate::error::{Error, Result};
use crate::http::HttpClient;
use crate::oauth::client_auth::AuthMethod;
use crate::oauth::dpop;
use crate::oauth::errors::EndpointError;
use crate::oauth::grant::Grant;
use crate::oauth::id_token::{IdTokenRules, allowed_algs};
use crate::oauth::par;
use crate::oauth::pkce::FlowSecrets;
use crate::oauth::redirect_uri::RedirectUri;
use crate::oauth::secret::{IdToken, Nonce};
use crate::oauth::token_response::TokenResponse;
use crate::oauth::url_policy;

use super::client::{ClientAuth, code_request, post_authenticated};
use super::discovery::DocumentCache;
use super::events::{Event, Events};
use super::loopback::{Callback, Expect, Listener, WaitError};
use super::paste::PasteBack;
use super::provider::Resolved;

/// Parameters a user may not override with `--param`: they carry the flow's security.
pub(crate) const RESERVED_PARAMS: &[&str] = &[
    "response_type",
    "client_id",
    "redirect_uri",
    "state",
    "nonce",
    "code_challenge",
    "code_challenge_method",
    "scope",
    "dpop_jkt",
    "request_uri",
];

/// What the authorization request asks for.
#[derive(Debug, Clone, Default)]
pub(crate) struct Request {
    pub scopes: Vec<String>,
    pub audience: Option<String>,
    pub resource: Option<String>,
    pub params: BTreeMap<String, String>,
    pub prompt: Option<String>,
    pub login_hint: Option<String>,
    pub port: u16,
    pub timeout: Duration,
    /// Clock skew allowed for the ID token's times, in seconds.
    pub leeway: i64,
    /// Push the request (RFC 9126) even when the provider does not require it.
    pub par: bool,
    /// The redirect URI (with `--port` applied); `None`: `http://127.0.0.1:PORT/callback`,
    /// or `[::1]` where IPv4 loopback is unavailable.
    pub redirect_uri: Option<RedirectUri>,
    /// The `Origin` header of the token request (clients Entra ID registered as SPAs).
    pub origin: Option<String>,
    /// Whether and when the address the browser ended on may be pasted instead.
    pub paste: Option<PasteBack>,
}

/// Tokens obtained, with the verified ID token claims.
#[derive(Debug, Clone)]
pub(crate) struct Obtained {
    pub response: TokenResponse,
    pub id_claims: Option<Map<String, Value>>,
}

/// The longest wait before reminding the user why a sign-in may never come back.
const REMIND_AFTER: Duration = Duration::from_secs(60);

/// Why the browser may never come back to the loopback listener: a provider that does not
/// accept the client or the redirect URI shows an error page and, by design, does not
/// redirect (RFC 6749 §4.1.2.1). `sent` is the redirect URI sent, `configured` the one
/// configured (`None`: the default).
fn unanswered_reasons(
    client_id: &str,
    sent: &str,
    configured: Option<&RedirectUri>,
    port: u16,
) -> String {
    let register = match configured {
        None => format!(
            "register http://127.0.0.1/callback if it accepts any loopback port, else register \
             that exact URI and log in with --port {port}"
        ),
        Some(r) if r.port().is_some() => format!("register exactly {}", r.as_str()),
        Some(r) => format!(
            "register {} if it accepts any loopback port, else register that exact URI and log \
             in with --redirect-uri {sent}",
            r.as_str()
        ),
    };
    format!(
        "an error on the sign-in page means the provider does not accept this request and \
         never redirects back: check that it knows the client id `{client_id}` and allows \
         the redirect URI {sent} ({register})"
    )
}

/// Whether the scopes ask for OpenID Connect.
pub(crate) fn wants_oidc(scopes: &[String]) -> bool {
    scopes.iter().any(|s| s == "openid")
}

/// The parameters of an authorization request, in the order they are sent: with
/// `dpop_jkt` (RFC 9449 §10) when the code is to be bound to a DPoP key.
pub(crate) fn authorization_params(
    client_id: &str,
    redirect_uri: &str,
    secrets: &FlowSecrets,
    req: &Request,
    dpop_jkt: Option<&str>,
) -> Vec<(String, String)> {
    let mut q: Vec<(String, String)> = Vec::new();
    let mut push = |k: &str, v: &str| q.push((k.to_owned(), v.to_owned()));
    push("response_type", "code");
    push("client_id", client_id);
    push("redirect_uri", redirect_uri);
    if !req.scopes.is_empty() {
        push("scope", &req.scopes.join(" "));
    }
    push("state", secrets.state.expose());
    push("code_challenge", &secrets.challenge());
    push("code_challenge_method", "S256");
    if wants_oidc(&req.scopes) {
        push("nonce", secrets.nonce.expose());
    }
    if let Some(a) = &req.audience {
        push("audience", a);
    }
    if let Some(r) = &req.resource {
        push("resource", r);
    }
    if let Some(jkt) = dpop_jkt {
        push(dpop::DPOP_JKT, jkt);
    }
    let mut extra = req.params.clone();
    if let Some(p) = &req.prompt {
        extra.insert("prompt".into(), p.clone());
    }
    if let Some(h) = &req.login_hint {
        extra.insert("login_hint".into(), h.clone());
    }
    for (k, v) in &extra {
        push(k, v);
    }
    q
}

/// Builds the authorization URL (of a request that is not pushed and not DPoP-bound).
#[cfg(test)]
pub(crate) fn authorization_url(
    endpoint: &str,
    client_id: &str,
    redirect_uri: &str,
    secrets: &FlowSecrets,
    req: &Request,
) -> Result<Url> {
    let mut url = parse_endpoint(endpoint)?;
    url.query_pairs_mut().extend_pairs(authorization_params(
        client_id,
        redirect_uri,
        secrets,
        req,
        None,
    ));
    Ok(url)
}

fn parse_endpoint(endpoint: &str) -> Result<Url> {
    Url::parse(endpoint)
        .map_err(|e| Error::BadResponse(format!("authorization endpoint `{endpoint}`: {e}")))
}

/// Pushes the authorization request to the PAR endpoint (RFC 9126 §2), with client
/// authentication (and a DPoP proof for a DPoP-bound login), and returns the URL the
/// browser opens: the authorization endpoint with `client_id` and `request_uri` only.
fn push_request(
    http: &HttpClient,
    par_endpoint: &Url,
    authorization_endpoint: &str,
    client: &ClientAuth,
    params: &[(String, String)],
) -> Result<Url> {
    // `client_id` is an authorization request parameter here, so it is in the body
    // whatever the client authentication (node-oidc-provider refuses a pushed request
    // without it); the client authentication puts it there for every method but HTTP Basic.
    let mut form: Vec<(&str, &str)> = params
        .iter()
        .filter(|(k, _)| k != "client_id")
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    if client.method == AuthMethod::ClientSecretBasic && client.secret.is_some() {
        form.push(("client_id", &client.client_id));
    }
    let resp = post_authenticated(http, par_endpoint, client, &form, &HeaderMap::new())?;
    let pushed = par::parse(resp.status, &resp.body).map_err(|e| match e {
        EndpointError::OAuth(err) => Error::Rejected(err),
        EndpointError::Malformed(m) => Error::BadResponse(format!(
            "the PAR endpoint {}: {m}",
            url_policy::display_base(par_endpoint)
        )),
    })?;
    Ok(par::authorization_url(
        &parse_endpoint(authorization_endpoint)?,
        &client.client_id,
        &pushed.request_uri,
    ))
}

/// The PAR endpoint to push to, if the request is pushed: when the provider requires it
/// (`require_pushed_authorization_requests`) or `par` says so. Its mTLS alias for a client
/// with a certificate.
fn par_endpoint(
    http: &HttpClient,
    provider: &Resolved,
    client: &ClientAuth,
    par: bool,
) -> Result<Option<Url>> {
    let meta = provider.metadata.as_ref();
    let required = meta.is_some_and(|m| m.require_pushed_authorization_requests);
    if !(par || required) {
        return Ok(None);
    }
    let raw = meta
        .and_then(|m| m.par_endpoint(client.certificate.is_some()))
        .ok_or_else(|| {
            Error::config(
                format!(
                    "the provider `{}` publishes no pushed_authorization_request_endpoint, so \
                     the authorization request cannot be pushed (PAR)",
                    provider.provider.name
                ),
                Some("log in without --par (and without `par = true` in the profile)".to_owned()),
            )
        })?;
    http.checked_url(raw).map(Some)
}

/// Checks `--param` names against [`RESERVED_PARAMS`].
pub(crate) fn check_params(params: &BTreeMap<String, String>) -> Result<()> {
    if let Some(k) = params
        .keys()
        .find(|k| RESERVED_PARAMS.contains(&k.as_str()))
    {
        return Err(Error::usage(
            format!("--param {k}=… would override a parameter oauthctl sets itself"),
            Some("use --scope for scopes; the others are chosen per sign-in for safety".to_owned()),
        ));
    }
    Ok(())
}

/// Runs the flow.
#[allow(clippy::too_many_arguments)]
pub(crate) fn run(
    http: &HttpClient,
    cache: &DocumentCache,
    provider: &Resolved,
    client: &ClientAuth,
    req: &Request,
    browser: &dyn Browser,
    events: &dyn Events,
    now: impl Fn() -> i64,
) -> Result<Obtained> {
    let authorization_endpoint = provider.require(
        "authorization_endpoint",
        provider.endpoints.authorization_endpoint.as_ref(),
    )?;
    let token_endpoint = http.checked_url(
        provider.require("token_endpoint", provider.endpoints.token_endpoint.as_ref())?,
    )?;
    check_params(&req.params)?;
    let meta = provider.metadata.as_ref();
    // RFC 9700 §4.7.1: PKCE and state are sent regardless; say when support is unconfirmed.
    let s256 = meta
        .and_then(|m| m.code_challenge_methods_supported.as_ref())
        .is_some_and(|m| m.iter().any(|x| x == "S256"));
    if !s256 {
        events.emit(Event::Warning(
            "the provider does not advertise PKCE S256 support; sending it anyway".to_owned(),
        ));
    }
    let oidc = wants_oidc(&req.scopes) && !provider.provider.quirks.no_oidc;
    let par_endpoint = par_endpoint(http, provider, client, req.par)?;
    let secrets = FlowSecrets::generate();
    let listener = match &req.redirect_uri {
        Some(r) => Listener::bind_for(r).map_err(|e| {
            Error::Other(format!(
                "cannot listen for the redirect URI {}: {e}",
                r.as_str()
            ))
        }),
        None => Listener::bind(req.port).map_err(|e| {
            Error::Other(format!(
                "cannot listen on 127.0.0.1:{} for the redirect: {e}",
                req.port
            ))
        }),
    }?;
    let redirect_uri = listener.redirect_uri();
    // A DPoP-bound login binds the code to its key too (RFC 9449 §10).
    let jkt = client.dpop().map(|d| d.thumbprint().to_owned());
    let params = authorization_params(
        &client.client_id,
        &redirect_uri,
        &secrets,
        req,
        jkt.as_deref(),
    );
    // Pushed right before the browser opens: the request_uri lives about a minute.
    let url = if let Some(endpoint) = &par_endpoint {
        push_request(http, endpoint, authorization_endpoint, client, &params)?
    } else {
        let mut url = parse_endpoint(authorization_endpoint)?;
        url.query_pairs_mut().extend_pairs(&params);
        url
    };
    browser::check_url(url.as_str(), http.insecure_http())
        .map_err(|e| Error::BadResponse(format!("refusing to open the authorization URL: {e}")))?;
    events.emit(Event::AuthorizationUrl(url.to_string()));
    let expect = Expect {
        state: secrets.state.clone(),
        issuer: provider.issuer().map(str::to_owned),
        iss_required: meta.is_some_and(|m| m.authorization_response_iss_parameter_supported),
    };
    let deadline = Instant::now() + req.timeout;
    let port = listener.port();
    let mut reasons = unanswered_reasons(
        &client.client_id,
        &redirect_uri,
        req.redirect_uri.as_ref(),
        port,
    );
    if par_endpoint.is_some() {
        reasons.push_str(
            "; a pushed authorization request also expires about a minute after it was \
             made, and a sign-in started later fails at the provider without coming back",
        );
    }
    let waiting = listener
        .start(&expect)
        .map_err(|e| Error::Other(format!("the redirect listener failed: {e}")))?;
    let sink = waiting.paste_sink();
    let pasting = AtomicBool::new(false);
    // Paste-back, offered once: from the start, or when no browser could be opened.
    let offer_paste = || {
        if let Some(paste) = &req.paste
            && !pasting.swap(true, Ordering::SeqCst)
        {
            events.emit(Event::PasteBack {
                redirect_uri: redirect_uri.clone(),
            });
            paste.source.start(sink.clone());
        }
    };
    if req.paste.as_ref().is_some_and(|p| p.at_once) {
        offer_paste();
    }
    let done = AtomicBool::new(false);
    let (finished, wait_ended) = mpsc::channel::<()>();
    let callback = std::thread::scope(|s| {
        s.spawn(|| {
            browser.open_watched(url.as_str(), &done, &|e| {
                events.emit(Event::BrowserFailed(e));
                offer_paste();
            });
        });
        // Halfway through the wait (at most a minute in), say why a sign-in may never
        // come back, so that a provider's error page does not cost the whole --timeout.
        let reasons = &reasons;
        s.spawn(move || {
            let remind = REMIND_AFTER.min(req.timeout / 2);
            if let Err(mpsc::RecvTimeoutError::Timeout) = wait_ended.recv_timeout(remind) {
                events.emit(Event::StillWaiting(format!(
                    "Still waiting for the browser. {}; Ctrl-C stops waiting.",
                    capitalized(reasons)
                )));
            }
        });
        events.emit(Event::Waiting {
            what: "the browser",
            deadline,
        });
        let result = waiting.wait(req.timeout, &|why| {
            events.emit(Event::PasteRefused(why.to_owned()));
        });
        done.store(true, Ordering::SeqCst);
        drop(finished);
        events.emit(Event::DoneWaiting);
        result
    });
    let code = match callback {
        Ok(Callback::Code(code)) => code,
        Ok(Callback::Error(e)) => return Err(Error::Rejected(e)),
        Ok(Callback::Refused(why)) => {
            return Err(Error::BadResponse(format!(
                "the authorization response was refused: {why}"
            )));
        }
        Err(WaitError::Timeout(d)) => {
            return Err(Error::NoCallback {
                message: format!(
                    "no authorization response within {} (nothing came back to {redirect_uri})",
                    humantime::format_duration(d)
                ),
                hint: format!(
                    "{reasons}; if signing in only took longer, retry with a longer --timeout"
                ),
            });
        }
        Err(WaitError::Io(e)) => {
            return Err(Error::Other(format!("the redirect listener failed: {e}")));
        }
    };
    let mut params = vec![
        ("grant_type", Grant::AuthorizationCode.as_grant_type()),
        ("code", code.expose()),
        ("redirect_uri", redirect_uri.as_str()),
        ("code_verifier", secrets.verifier.expose()),
    ];
    if let Some(r) = &req.resource {
        params.push(("resource", r));
    }
    let response = match code_request(
        http,
        &token_endpoint,
        client,
        &params,
        &origin_headers(req.origin.as_deref()),
    ) {
        Err(Error::Rejected(e)) => {
            if client.remember_dpop_need(&e) {
                events.emit(Event::Warning(
                    "the provider supports DPoP and refused the code sent without a DPoP \
                     proof; the next login of this client binds its tokens with DPoP (or \
                     pass --dpop)"
                        .to_owned(),
                ));
            }
            return Err(Error::Rejected(e));
        }
        other => other?,
    };
    let id_claims = if oidc {
        let raw = response
            .id_token
            .as_ref()
            .map(IdToken::expose)
            .ok_or_else(|| {
                Error::BadResponse(
                    "the token response has no ID token although `openid` was requested".into(),
                )
            })?;
        Some(verify_id_token(
            http,
            cache,
            provider,
            client,
            raw,
            Some(&secrets.nonce),
            None,
            now(),
            req.leeway,
        )?)
    } else {
        None
    };
    Ok(Obtained {
        response,
        id_claims,
    })
}

fn capitalized(s: &str) -> String {
    let mut chars = s.chars();
    chars
        .next()
        .map_or_else(String::new, |c| c.to_uppercase().chain(chars).collect())
}

/// Extra headers for the token endpoint: `Origin` for a client Entra ID registered as a
/// single-page application, which redeems codes and refresh tokens only in cross-origin
/// requests (README: "Entra ID SPA clients"). Native clients send none.
pub(crate) fn origin_headers(origin: Option<&str>) -> HeaderMap {
    let mut headers = HeaderMap::new();
    if let Some(value) = origin.and_then(|o| HeaderValue::from_str(o).ok()) {
        headers.insert(ORIGIN, value);
    }
    headers
}

/// Verifies an ID token with the provider's keys and rules, allowing `leeway` seconds of
/// clock skew.
#[allow(clippy::too_many_arguments)]
pub(crate) fn verify_id_token(
    http: &HttpClient,
    cache: &DocumentCache,
    provider: &Resolved,
    client: &ClientAuth,
    raw: &str,
    nonce: Option<&Nonce>,
    previous: Option<Map<String, Value>>,
    now: i64,
    leeway: i64,
) -> Result<Map<String, Value>> {
    let issuer = provider.issuer().ok_or_else(|| {
        Error::config(
            "an ID token can only be checked against a known issuer",
            None,
        )
    })?;
    let jwks_uri = provider.endpoints.jwks_uri.as_deref().ok_or_else(|| {
        Error::BadResponse(
            "the provider publishes no jwks_uri, so its ID token cannot be verified".into(),
        )
    })?;
    let rules = IdTokenRules {
        issuer: issuer.to_owned(),
        client_id: client.client_id.clone(),
        nonce: nonce.cloned(),
        now,
        leeway,
        algs: allowed_algs(
            provider
                .metadata
                .as_ref()
                .and_then(|m| m.id_token_signing_alg_values_supported.as_deref()),
        ),
        tenant_placeholder: provider.provider.quirks.issuer_tenant_placeholder,
        previous,
    };
    super::id_check::verify(http, cache, jwks_uri, raw, &rules)
}

#[cfg(test)]
mod tests;
