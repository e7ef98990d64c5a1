//! Request dispatch: counts hits, checks the `Host` header, routes to the endpoints, serves
//! the discovery documents (RFC 8414, OIDC Discovery) and the JWKS, and logs one
//! secret-free line per request.

use std::sync::PoisonError;
use std::time::Instant;

use serde_json::json;

use super::misbehave::garbage_jwk;
use super::wire::{Req, Resp};
use super::{App, AuthMethod, Misbehave, SigningAlg, resource};
use super::{
    admin, api, authorize, device_authorization, device_pages, introspect, logout, pages, par,
    registration, revoke, token, userinfo,
};
use super::{assertion, claims, dpop};
use crate::oauth::grant::Grant;

/// Distinct paths counted by `hits`; further unknown paths share one bucket.
const MAX_HIT_PATHS: usize = 1024;

/// Answers one request that the HTTP server (`crate::httpd`) has already bounded and checked.
/// The request is handed over: the connection has no use for it afterwards.
#[allow(clippy::needless_pass_by_value)]
pub(crate) fn handle(app: &App, mut req: Req) -> Resp {
    let started = Instant::now();
    count_hit(app, &req.path);
    let mut served = app;
    let mut resp = if let Err(resp) = check_host(app, &req) {
        resp
    } else {
        match tenant(app, &mut req) {
            Some(Ok(t)) => {
                served = t;
                route(t, &req)
            }
            Some(Err(resp)) => resp,
            None => route(app, &req),
        }
    };
    // The `Date` header follows the settable clock, so that a client comparing its clock
    // with the server's (RFC 9110 §6.6.1) sees the same time as the tokens carry. Without an
    // offset the HTTP server's own `Date` is that time already.
    if app.clock.offset_s() != 0 {
        let at = std::time::UNIX_EPOCH + std::time::Duration::from_millis(app.now_ms());
        resp = resp.with("Date", &httpdate::fmt_http_date(at));
    }
    if app.cfg.log.is_some() {
        app.log(&format!(
            "{} {}{} {} {}ms",
            req.method,
            served.base,
            loggable_path(&req.path),
            resp.status,
            started.elapsed().as_millis()
        ));
    }
    resp
}

/// The well-known paths that name a tenant by appending its path (RFC 8414 §3.1, RFC 9728
/// §3.1: `/.well-known/oauth-authorization-server/t/NAME`), besides those under its own
/// path (`/t/NAME/.well-known/openid-configuration`, OIDC Discovery §4).
const WELL_KNOWN_PREFIXES: [&str; 3] = [
    "/.well-known/oauth-authorization-server",
    "/.well-known/openid-configuration",
    resource::WELL_KNOWN,
];

/// The tenant a request is for, if any: its path is then made the path within the tenant
/// (`/t/acme/token` becomes `/token`; `/.well-known/oauth-authorization-server/t/acme`
/// becomes `/.well-known/oauth-authorization-server`). An unknown tenant is a 404.
fn tenant<'a>(app: &'a App, req: &mut Req) -> Option<Result<&'a App, Resp>> {
    if app.tenants.is_empty() {
        return None;
    }
    let (before, after) = if let Some(rest) = req.path.strip_prefix("/t/") {
        ("", rest)
    } else {
        let wk = WELL_KNOWN_PREFIXES.into_iter().find(|wk| {
            req.path
                .strip_prefix(wk)
                .is_some_and(|r| r.starts_with("/t/"))
        })?;
        (wk, &req.path[wk.len() + "/t/".len()..])
    };
    let (name, within) = after.split_at(after.find('/').unwrap_or(after.len()));
    let Some(t) = app.tenants.get(name) else {
        return Some(Err(not_found()));
    };
    req.path = match (before, within) {
        ("", "") => "/".to_owned(),
        (before, within) => format!("{before}{within}"),
    };
    Some(Ok(t))
}

/// The path for the log: only printable ASCII, bounded (the query never is logged).
fn loggable_path(path: &str) -> String {
    path.chars()
        .filter(char::is_ascii_graphic)
        .take(80)
        .collect()
}

fn count_hit(app: &App, path: &str) {
    let mut hits = app.hits.lock().unwrap_or_else(PoisonError::into_inner);
    if let Some(n) = hits.get_mut(path) {
        *n += 1;
    } else if hits.len() < MAX_HIT_PATHS {
        *hits.entry(path.to_owned()).or_insert(0) += 1;
    } else {
        *hits.entry("(other)".to_owned()).or_insert(0) += 1;
    }
}

/// Only our own names are accepted as `Host` (DNS-rebinding defence).
fn check_host(app: &App, req: &Req) -> Result<(), Resp> {
    let Some(host) = req.header(http::header::HOST) else {
        return Err(Resp::oauth_error(
            400,
            "invalid_request",
            "a Host header is required",
        ));
    };
    if app.hosts.iter().any(|h| h.eq_ignore_ascii_case(host)) {
        Ok(())
    } else {
        Err(Resp::oauth_error(
            421,
            "invalid_request",
            "this server does not answer for that Host",
        ))
    }
}

fn route(app: &App, req: &Req) -> Resp {
    let m = req.method.as_ref();
    match req.path.as_str() {
        "/.well-known/openid-configuration" | "/.well-known/oauth-authorization-server" => {
            only(m, &["GET", "HEAD"]).unwrap_or_else(|| discovery(app))
        }
        "/jwks" => only(m, &["GET", "HEAD"]).unwrap_or_else(|| jwks(app)),
        "/authorize" => authorize::authorize(app, req),
        "/authorize/login" => only(m, &["POST"]).unwrap_or_else(|| authorize::login(app, req)),
        "/authorize/consent" => only(m, &["POST"]).unwrap_or_else(|| authorize::consent(app, req)),
        "/device" => device_pages::device_page(app, req),
        "/device/approve" => {
            only(m, &["POST"]).unwrap_or_else(|| device_pages::device_approve(app, req))
        }
        "/token" => only(m, &["POST"]).unwrap_or_else(|| token::token(app, req)),
        "/par" => only(m, &["POST"]).unwrap_or_else(|| par::push(app, req)),
        "/device_authorization" => only(m, &["POST"])
            .unwrap_or_else(|| device_authorization::device_authorization(app, req)),
        "/introspect" => only(m, &["POST"]).unwrap_or_else(|| introspect::introspect(app, req)),
        "/revoke" => only(m, &["POST"]).unwrap_or_else(|| revoke::revoke(app, req)),
        "/register" if app.cfg.registration => {
            only(m, &["POST"]).unwrap_or_else(|| registration::register(app, req))
        }
        "/userinfo" => only(m, &["GET", "POST"]).unwrap_or_else(|| userinfo::userinfo(app, req)),
        "/logout" => logout::logout(app, req),
        "/api/me" => only(m, &["GET"]).unwrap_or_else(|| api::me(app, req)),
        "/api/admin" => only(m, &["GET"]).unwrap_or_else(|| api::admin(app, req)),
        "/api/data" => match m {
            "GET" => api::list(app, req),
            "POST" => api::create(app, req),
            _ => not_allowed(&["GET", "POST"]),
        },
        "/" => only(m, &["GET"]).unwrap_or_else(|| pages::index(app)),
        "/admin/clock" => admin::gate(req)
            .err()
            .or_else(|| only(m, &["GET", "POST"]))
            .unwrap_or_else(|| admin::clock(app, req)),
        "/admin/mint" => admin::gate(req)
            .err()
            .or_else(|| only(m, &["POST"]))
            .unwrap_or_else(|| admin::mint(app, req)),
        p if p.starts_with(resource::WELL_KNOWN) => match api::metadata(app, p) {
            Some(doc) => only(m, &["GET", "HEAD"]).unwrap_or(doc),
            None => not_found(),
        },
        _ => not_found(),
    }
}

fn not_found() -> Resp {
    Resp::error_code(404, "not_found")
}

/// `None` if `method` is allowed, else a 405 answer.
fn only(method: &str, allowed: &[&str]) -> Option<Resp> {
    (!allowed.contains(&method)).then(|| not_allowed(allowed))
}

fn not_allowed(allowed: &[&str]) -> Resp {
    Resp::oauth_error(405, "invalid_request", "method not allowed")
        .with("Allow", &allowed.join(", "))
}

/// The published keys; `kid-absent-multi-key` adds the decoy key, `jwks-unparseable-key`
/// puts a broken key first.
fn jwks(app: &App) -> Resp {
    let mut doc = app.keys().jwks();
    if let Some(keys) = doc["keys"].as_array_mut() {
        if let Some(decoy) = app
            .decoy_key
            .as_ref()
            .filter(|_| app.cfg.misbehaves(Misbehave::KidAbsentMultiKey))
            .filter(|_| !app.cfg.misbehaves(Misbehave::UnknownKid))
        {
            keys.insert(0, decoy.jwk().clone());
        }
        if app.cfg.misbehaves(Misbehave::JwksUnparseableKey) {
            keys.insert(0, garbage_jwk());
        }
    }
    Resp::json(200, &doc)
}

/// The metadata document (RFC 8414 / OIDC Discovery), identical at both well-known paths.
fn discovery(app: &App) -> Resp {
    let i = &app.issuer;
    let alg = app.cfg.alg.as_str();
    let issuer = if app.cfg.misbehaves(Misbehave::DiscoveryIssuerMismatch) {
        format!("{i}/")
    } else {
        i.clone()
    };
    let tls = app.ca.is_some();
    // Every method this server accepts; the mTLS ones only where clients can present a
    // certificate (`--tls`).
    let auth_methods: Vec<&str> = AuthMethod::ALL
        .into_iter()
        .filter(|m| tls || !m.is_mtls())
        .map(AuthMethod::as_str)
        .collect();
    let mut claims_supported = vec![
        "iss",
        "sub",
        "aud",
        "exp",
        "iat",
        "auth_time",
        "nonce",
        "azp",
        "name",
        "email",
        "email_verified",
        "preferred_username",
        "roles",
    ];
    claims_supported.extend(claims::configured_names(&app.cfg.registry));
    let assertion_algs: Vec<&str> = std::iter::once(assertion::SECRET_ALG)
        .chain(assertion::PRIVATE_KEY_ALGS.map(SigningAlg::as_str))
        .collect();
    Resp::json(
        200,
        &without_nulls(json!({
            "issuer": issuer,
            "authorization_endpoint": format!("{i}/authorize"),
            "token_endpoint": format!("{i}/token"),
            "device_authorization_endpoint": format!("{i}/device_authorization"),
            "introspection_endpoint": format!("{i}/introspect"),
            "revocation_endpoint": format!("{i}/revoke"),
            "userinfo_endpoint": format!("{i}/userinfo"),
            "end_session_endpoint": format!("{i}/logout"),
            "jwks_uri": format!("{i}/jwks"),
            "scopes_supported": app.cfg.registry.scopes,
            "response_types_supported": ["code"],
            "response_modes_supported": ["query"],
            "grant_types_supported": Grant::ALL.map(Grant::as_grant_type),
            "subject_types_supported": ["public"],
            "id_token_signing_alg_values_supported": [alg],
            "token_endpoint_auth_methods_supported": auth_methods,
            "introspection_endpoint_auth_methods_supported": auth_methods,
            "revocation_endpoint_auth_methods_supported": auth_methods,
            "code_challenge_methods_supported": ["S256"],
            "authorization_response_iss_parameter_supported": true,
            "claims_supported": claims_supported,
            "resource_indicators_supported": true,
            "token_endpoint_auth_signing_alg_values_supported": assertion_algs,
            "introspection_endpoint_auth_signing_alg_values_supported": assertion_algs,
            "revocation_endpoint_auth_signing_alg_values_supported": assertion_algs,
            "dpop_signing_alg_values_supported": dpop::PROOF_ALGS.map(SigningAlg::as_str),
            "pushed_authorization_request_endpoint": format!("{i}/par"),
            "require_pushed_authorization_requests": app.cfg.require_par,
            // With `--tls` every endpoint takes client certificates, so there are no
            // `mtls_endpoint_aliases` (RFC 8705 §5): clients use the endpoints above.
            "tls_client_certificate_bound_access_tokens": tls,
            "registration_endpoint": app.cfg.registration.then(|| format!("{i}/register")),
            "client_id_metadata_document_supported": app.cfg.client_id_metadata_documents,
        })),
    )
}

/// `doc` without its `null` members: a member for a feature that is off is left out
/// (RFC 8414 §2).
fn without_nulls(mut doc: serde_json::Value) -> serde_json::Value {
    if let Some(members) = doc.as_object_mut() {
        members.retain(|_, v| !v.is_null());
    }
    doc
}
