//! The protected demo API, a resource server as the tutorials build it: access tokens are
//! validated locally (signature against the published keys by `kid`, `typ: at+jwt`,
//! exact `iss`, `aud` containing `{issuer}/api`, `exp`), then scope and role are checked.
//! Errors follow RFC 6750 §3, and every challenge points to the API's protected resource
//! metadata (RFC 9728 §5.1), which names its resource identifier (`{issuer}/api`). Like any
//! stateless resource server it does not see revocations; introspection does.
//!
//! Sender-constrained tokens (`cnf`) are held to their binding (`super::sender`): a
//! DPoP-bound token needs the DPoP scheme and a proof for the request, a certificate-bound
//! one the TLS client certificate it was issued to.

use std::sync::PoisonError;

use jsonwebtoken::Validation;
use serde_json::{Value, json};

use super::back_channel::REALM;
use super::binding;
use super::dpop;
use super::sender::{self, Cnf, Denied, Scheme};
use super::state::now_ms;
use super::wire::{Req, Resp};
use super::{App, SigningAlg};
use crate::oauth::token_type::TokenType;

/// The claims the API reads.
#[derive(Debug, serde::Deserialize)]
struct Claims {
    sub: String,
    #[serde(default)]
    scope: String,
    #[serde(default)]
    roles: Vec<String>,
    #[serde(default)]
    client_id: Option<String>,
    /// The token's binding (RFC 7800), if any.
    #[serde(default)]
    cnf: Option<Cnf>,
    /// Who acts for the subject (RFC 8693 §4.1), in a delegated token.
    #[serde(default)]
    act: Option<Value>,
}

/// Where the API's protected resource metadata is (RFC 9728 §3.1: the well-known segment
/// goes between the host and the resource identifier's path).
pub(crate) fn metadata_url(app: &App) -> String {
    format!("{}/.well-known/oauth-protected-resource/api", app.issuer)
}

/// `GET /.well-known/oauth-protected-resource/api` (RFC 9728 §2, §3.2).
pub(crate) fn metadata(app: &App) -> Resp {
    Resp::json(
        200,
        &json!({
            "resource": app.api_audience(),
            "authorization_servers": [app.issuer],
            "scopes_supported": ["api:read", "api:write"],
            "bearer_methods_supported": ["header"],
            "resource_name": "oauthctl demo API",
            "dpop_signing_alg_values_supported": dpop::PROOF_ALGS.map(SigningAlg::as_str),
            "dpop_bound_access_tokens_required": app.cfg.require_dpop,
            "tls_client_certificate_bound_access_tokens": app.issuer.starts_with("https:"),
        }),
    )
}

/// 401 with `error="invalid_token"` (or a bare challenge when no token was sent).
fn unauthorized(app: &App, description: Option<&str>) -> Resp {
    let meta = metadata_url(app);
    match description {
        // Both schemes are offered (RFC 9449 §7.1).
        None => Resp::json(
            401,
            &json!({"error": "unauthorized", "error_description": "a bearer token is required"}),
        )
        .with(
            "WWW-Authenticate",
            &TokenType::Bearer.challenge(&[("realm", REALM), ("resource_metadata", &meta)]),
        )
        .with(
            "WWW-Authenticate",
            &sender::challenge(
                Scheme::Dpop,
                &[
                    ("realm", REALM),
                    ("algs", &sender::dpop_algs()),
                    ("resource_metadata", &meta),
                ],
            ),
        ),
        Some(d) => Resp::json(
            401,
            &json!({"error": "invalid_token", "error_description": d}),
        )
        .with(
            "WWW-Authenticate",
            &TokenType::Bearer.challenge(&[
                ("realm", REALM),
                ("error", "invalid_token"),
                ("error_description", d),
                ("resource_metadata", &meta),
            ]),
        ),
    }
}

/// 403 with `error="insufficient_scope"`.
fn forbidden(app: &App, scope: &str, description: &str) -> Resp {
    Resp::json(
        403,
        &json!({"error": "insufficient_scope", "error_description": description, "scope": scope}),
    )
    .with(
        "WWW-Authenticate",
        &TokenType::Bearer.challenge(&[
            ("realm", REALM),
            ("error", "insufficient_scope"),
            ("scope", scope),
            ("error_description", description),
            ("resource_metadata", &metadata_url(app)),
        ]),
    )
}

/// Validates the request's access token locally, and its binding.
fn validate(app: &App, req: &Req) -> Result<Claims, Resp> {
    validate_token(app, req)
}

/// The answer for a binding that does not hold.
fn denied(app: &App, d: Denied) -> Resp {
    d.into_resp(REALM, Some(&metadata_url(app)))
}

/// Checks the token's binding: see the module documentation.
pub(crate) fn check_binding(
    app: &App,
    req: &Req,
    token: &str,
    scheme: Scheme,
    cnf: &Cnf,
) -> Result<(), Denied> {
    if req.header_count("dpop") > 1 {
        return Err(Denied::new(
            400,
            Scheme::Dpop,
            "invalid_dpop_proof",
            "more than one DPoP header",
        ));
    }
    let url = app.request_url(req);
    let now = now_ms() / 1000;
    let request = sender::Request {
        method: &req.method,
        url: &url,
        proof: req.header("dpop"),
        peer_cert: req.peer_certificate(),
        now,
    };
    sender::check(token, scheme, cnf, request, app.nonces.as_ref(), |proof| {
        proof.use_once(&mut app.store().proofs, now)
    })
}

fn validate_token(app: &App, req: &Req) -> Result<Claims, Resp> {
    if req.query.split('&').any(|p| p.starts_with("access_token=")) {
        return Err(Resp::json(400, &json!({"error": "invalid_request"})).with(
            "WWW-Authenticate",
            &TokenType::Bearer.challenge(&[
                ("realm", REALM),
                ("error", "invalid_request"),
                (
                    "error_description",
                    "send the token in the Authorization header",
                ),
            ]),
        ));
    }
    let Some((scheme, token)) = sender::presented(req).map_err(|d| denied(app, d))? else {
        return Err(unauthorized(app, None));
    };
    let header = jsonwebtoken::decode_header(token)
        .map_err(|_| unauthorized(app, Some("malformed token")))?;
    if header.typ.as_deref() != Some("at+jwt") {
        return Err(unauthorized(
            app,
            Some("not an access token (typ must be at+jwt)"),
        ));
    }
    let keys = app.keys.read().unwrap_or_else(PoisonError::into_inner);
    let key = header
        .kid
        .as_deref()
        .and_then(|kid| keys.find(kid))
        .ok_or_else(|| unauthorized(app, Some("unknown signing key")))?;
    let mut v = Validation::new(key.alg().algorithm());
    v.leeway = 0;
    v.set_issuer(&[&app.issuer]);
    v.set_audience(&[app.api_audience()]);
    v.set_required_spec_claims(&["exp", "iss", "aud", "sub"]);
    let claims = jsonwebtoken::decode::<Claims>(token, key.decoding(), &v)
        .map(|d| d.claims)
        .map_err(|e| {
            let why = match e.kind() {
                jsonwebtoken::errors::ErrorKind::ExpiredSignature => "the token expired",
                jsonwebtoken::errors::ErrorKind::InvalidAudience => "wrong audience",
                jsonwebtoken::errors::ErrorKind::InvalidIssuer => "wrong issuer",
                jsonwebtoken::errors::ErrorKind::InvalidSignature => "bad signature",
                _ => "invalid token",
            };
            unauthorized(app, Some(why))
        })?;
    drop(keys);
    check_binding(
        app,
        req,
        token,
        scheme,
        &claims.cnf.clone().unwrap_or_default(),
    )
    .map_err(|d| denied(app, d))?;
    Ok(claims)
}

fn has_scope(c: &Claims, s: &str) -> bool {
    c.scope.split(' ').any(|x| x == s)
}

/// `GET /api/me`: who the token is for.
pub(crate) fn me(app: &App, req: &Req) -> Resp {
    binding::with_nonce(app, me_inner(app, req))
}

fn me_inner(app: &App, req: &Req) -> Resp {
    match validate(app, req) {
        Ok(c) => {
            let mut me = json!({"sub": c.sub, "scope": c.scope, "roles": c.roles,
                                "client_id": c.client_id});
            if let Some(act) = c.act {
                me["act"] = act;
            }
            Resp::json(200, &me)
        }
        Err(r) => r,
    }
}

/// `GET /api/data`: needs scope `api:read`.
pub(crate) fn list(app: &App, req: &Req) -> Resp {
    binding::with_nonce(app, list_inner(app, req))
}

fn list_inner(app: &App, req: &Req) -> Resp {
    let c = match validate(app, req) {
        Ok(c) => c,
        Err(r) => return r,
    };
    if !has_scope(&c, "api:read") {
        return forbidden(app, "api:read", "the api:read scope is required");
    }
    let items = app.store().items.clone();
    Resp::json(200, &json!({"items": items}))
}

/// The largest number of items the demo keeps.
const MAX_ITEMS: usize = 1000;

/// `POST /api/data`: needs scope `api:write` and role `admin`; stores the JSON body.
pub(crate) fn create(app: &App, req: &Req) -> Resp {
    binding::with_nonce(app, create_inner(app, req))
}

fn create_inner(app: &App, req: &Req) -> Resp {
    let c = match validate(app, req) {
        Ok(c) => c,
        Err(r) => return r,
    };
    if !has_scope(&c, "api:write") {
        return forbidden(app, "api:write", "the api:write scope is required");
    }
    if !c.roles.iter().any(|r| r == "admin") {
        return forbidden(app, "api:write", "the admin role is required");
    }
    let value: Value = if req.body.is_empty() {
        json!({})
    } else {
        match serde_json::from_slice(&req.body) {
            Ok(v) => v,
            Err(_) => {
                return Resp::json(
                    400,
                    &json!({"error": "invalid_request", "error_description": "the body must be JSON"}),
                );
            }
        }
    };
    let mut store = app.store();
    if store.items.len() >= MAX_ITEMS {
        store.items.remove(0);
    }
    let item = json!({"id": store.items.len() + 1, "by": c.sub, "data": value});
    store.items.push(item.clone());
    Resp::json(201, &item)
}
