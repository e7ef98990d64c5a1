//! The protected demo API, a resource server as the tutorials build it: access tokens are
//! validated locally (signature against the published keys by `kid`, `typ: at+jwt`,
//! exact `iss`, an `aud` naming a resource that covers the route (`resource`), `exp`),
//! then scope and role are checked. Errors follow RFC 6750 §3; every challenge points to
//! the route's protected resource metadata (RFC 9728 §5.1) and names the scope the request
//! needs, so that a client can discover, log in and step up from the challenge alone. As
//! the API runs inside the authorization server, it also refuses revoked tokens (the
//! denylists of `super::access`).
//!
//! Sender-constrained tokens (`cnf`) are held to their binding (`super::sender`): a
//! DPoP-bound token needs the DPoP scheme and a proof for the request, a certificate-bound
//! one the TLS client certificate it was issued to. A request without a token is offered
//! both schemes (RFC 9449 §7.1).

use serde_json::{Value, json};

use super::access::{self, Claims};
use super::back_channel::REALM;
use super::binding;
use super::dpop;
use super::resource::{self, Resource, Route};
use super::sender::{self, Cnf, Denied};
use super::wire::{Req, Resp};
use super::{App, SigningAlg};
use crate::oauth::token_type::TokenType;

/// `GET /.well-known/oauth-protected-resource[/…]` (RFC 9728 §3.2): the metadata of the
/// resource at `path`, if this server hosts one.
pub(crate) fn metadata(app: &App, path: &str) -> Option<Resp> {
    let r = Resource::with_metadata_at(path)?;
    let mut doc = r.metadata(&app.issuer);
    // RFC 9449 §5.1 and RFC 8705 §3.4: what the resources take besides bearer tokens.
    doc["dpop_signing_alg_values_supported"] = json!(dpop::PROOF_ALGS.map(SigningAlg::as_str));
    doc["dpop_bound_access_tokens_required"] = json!(app.cfg.require_dpop);
    doc["tls_client_certificate_bound_access_tokens"] = json!(app.ca.is_some());
    Some(Resp::json(200, &doc))
}

/// What a request to a route needs: where the route's metadata is and the scope for the
/// request's method.
struct Need<'a> {
    route: Route,
    issuer: &'a str,
    scope: Option<&'static str>,
}

impl<'a> Need<'a> {
    fn of(app: &'a App, route: Route, req: &Req) -> Self {
        Self {
            route,
            issuer: &app.issuer,
            scope: route.scope(&req.method),
        }
    }

    /// The URL of the route's protected resource metadata (RFC 9728), for refusals only:
    /// an answered request never spells it.
    fn metadata(&self) -> String {
        Resource::Route(self.route).metadata_url(self.issuer)
    }

    /// The challenge parameters every refusal carries: `resource_metadata` (`metadata`)
    /// and `scope`.
    fn params<'m>(&self, metadata: &'m str) -> Vec<(&'m str, &'m str)> {
        let mut p = vec![("resource_metadata", metadata)];
        if let Some(s) = self.scope {
            p.push(("scope", s));
        }
        p
    }
}

/// 401: a bare challenge when no token was sent, else `error="invalid_token"`.
fn unauthorized(need: &Need<'_>, description: Option<&str>) -> Resp {
    let mut params = vec![("realm", REALM)];
    let (error, text) = match description {
        None => ("unauthorized", "a bearer token is required"),
        Some(d) => {
            params.push(("error", "invalid_token"));
            params.push(("error_description", d));
            ("invalid_token", d)
        }
    };
    let metadata = need.metadata();
    params.extend(need.params(&metadata));
    let resp = Resp::oauth_error(401, error, text)
        .with("WWW-Authenticate", &TokenType::Bearer.challenge(&params));
    if description.is_some() {
        return resp;
    }
    let algs = sender::dpop_algs();
    let mut dpop = vec![("realm", REALM), ("algs", algs.as_str())];
    dpop.extend(need.params(&metadata));
    resp.with("WWW-Authenticate", &TokenType::DPoP.challenge(&dpop))
}

/// The answer for a binding that does not hold.
fn denied(need: &Need<'_>, d: Denied) -> Resp {
    d.into_resp(REALM, Some(&need.metadata()))
}

/// Checks that `token`, presented with `scheme`, is used as its binding `cnf` requires:
/// see the module documentation.
pub(crate) fn check_binding(
    app: &App,
    req: &Req,
    token: &str,
    scheme: TokenType,
    cnf: &Cnf,
) -> Result<(), Denied> {
    if req.header_count("dpop") > 1 {
        return Err(Denied::new(
            400,
            TokenType::DPoP,
            "invalid_dpop_proof",
            "more than one DPoP header",
        ));
    }
    let now = app.now_ms() / 1000;
    let request = sender::Request {
        method: &req.method,
        url: &|| app.request_url(req),
        proof: req.header("dpop"),
        peer_cert: req.peer_certificate(),
        now,
    };
    sender::check(token, scheme, cnf, request, app.nonces.as_ref(), |proof| {
        proof.use_once(&mut app.store().proofs, now)
    })
}

/// 403 with `error="insufficient_scope"` and the scope the request needs.
fn forbidden(need: &Need<'_>, scope: &str, description: &str) -> Resp {
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
            ("resource_metadata", &need.metadata()),
        ]),
    )
}

/// Validates the request's access token locally, and its binding.
fn validate(app: &App, req: &Req, need: &Need<'_>) -> Result<Claims, Resp> {
    if req.query.split('&').any(|p| p.starts_with("access_token=")) {
        return Err(Resp::error_code(400, "invalid_request").with(
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
    let Some((scheme, token)) = sender::presented(req).map_err(|d| denied(need, d))? else {
        return Err(unauthorized(need, None));
    };
    let audiences = resource::audiences(&app.issuer, need.route);
    let claims = access::check(app, token, Some(&audiences))
        .map_err(|e| unauthorized(need, Some(e.describe())))?;
    let cnf = claims.binding();
    check_binding(app, req, token, scheme, &cnf).map_err(|d| denied(need, d))?;
    Ok(claims)
}

/// Validates the token of a request to `route` and checks that it has the scope the
/// request's method needs.
fn authorized<'a>(app: &'a App, req: &Req, route: Route) -> Result<(Claims, Need<'a>), Resp> {
    let need = Need::of(app, route, req);
    let claims = validate(app, req, &need)?;
    if let Some(scope) = need.scope.filter(|s| !claims.has_scope(s)) {
        return Err(forbidden(
            &need,
            scope,
            &format!("the {scope} scope is required"),
        ));
    }
    Ok((claims, need))
}

/// `GET /api/me`: who the token is for.
pub(crate) fn me(app: &App, req: &Req) -> Resp {
    binding::with_nonce(app, me_inner(app, req))
}

fn me_inner(app: &App, req: &Req) -> Resp {
    match authorized(app, req, Route::Me) {
        Ok((c, _)) => {
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
    if let Err(r) = authorized(app, req, Route::Data) {
        return r;
    }
    let items = app.store().items.clone();
    Resp::json(200, &json!({"items": items}))
}

/// `GET /api/admin`: needs scope `api:admin`, which the default login does not ask for
/// (so that a client's step-up can be tried); what the server holds, in numbers.
pub(crate) fn admin(app: &App, req: &Req) -> Resp {
    binding::with_nonce(app, admin_inner(app, req))
}

fn admin_inner(app: &App, req: &Req) -> Resp {
    let (c, _) = match authorized(app, req, Route::Admin) {
        Ok(v) => v,
        Err(r) => return r,
    };
    let items = app.store().items.len();
    Resp::json(200, &json!({"sub": c.sub, "items": items}))
}

/// The largest number of items the demo keeps.
const MAX_ITEMS: usize = 1000;

/// `POST /api/data`: needs scope `api:write` and role `admin`; stores the JSON body.
pub(crate) fn create(app: &App, req: &Req) -> Resp {
    binding::with_nonce(app, create_inner(app, req))
}

fn create_inner(app: &App, req: &Req) -> Resp {
    let (c, need) = match authorized(app, req, Route::Data) {
        Ok(v) => v,
        Err(r) => return r,
    };
    if !c.roles.iter().any(|r| r == "admin") {
        return forbidden(&need, "api:write", "the admin role is required");
    }
    let value: Value = if req.body.is_empty() {
        json!({})
    } else {
        match serde_json::from_slice(&req.body) {
            Ok(v) => v,
            Err(_) => {
                return Resp::oauth_error(400, "invalid_request", "the body must be JSON");
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
