//! Token exchange (RFC 8693): a token for another token this server issued.
//!
//! The subject token (and the actor token of a delegation) must be an access token, an ID
//! token, or a JWT an exchange issued, from this server: signed with its keys, with its
//! `iss`, not expired, and not revoked, alone or with its grant; an ID token or JWT must
//! also be known to the server (it keeps the latest of them until they expire). Refresh tokens are not exchanged. Without an actor the
//! new token impersonates the subject (its `act`, if any, is kept); with one it is a
//! delegation: `act` names the actor, and the subject's earlier actors nest inside (§4.1).
//!
//! The new token's scope is the requested one, which may only narrow the subject's (and
//! must be the client's to ask for); without `scope`, the subject's scopes the client may
//! ask for. `audience` and `resource` (repeatable, §2.1) name at most one target here: the
//! demo API or one of the client's `token_exchange_audiences` (`invalid_target` otherwise).
//! `requested_token_type` may ask for an access token (the default), an ID token or a JWT;
//! the answer says which in `issued_token_type`, with `token_type` `N_A` for the latter
//! two (§2.2.1). No refresh token is issued: the client exchanges again. Errors about the
//! tokens are `invalid_request` (§2.2.2).

use serde_json::{Map, Value, json};

use crate::devserver::access::{self, Invalid};
use crate::devserver::back_channel::err;
use crate::devserver::binding::Binding;
use crate::devserver::issue::{Delegation, Issue, TokenResponse, sign_delegated};
use crate::devserver::keys::{Own, Unverified};
use crate::devserver::scope::{bad_scope, has, split_scope};
use crate::devserver::state::{IdTokenRecord, Store};
use crate::devserver::wire::{Params, Resp, fingerprint, random_bytes};
use crate::devserver::{App, Client};
use crate::oauth::secret::AccessToken;
use crate::oauth::token_exchange::{ACCESS_TOKEN, ID_TOKEN, JWT, NOT_APPLICABLE, REFRESH_TOKEN};

/// What a subject or actor token stands for.
#[derive(Debug, Clone)]
struct Inspected {
    sub: String,
    /// The user, when the subject is one of this server's users.
    username: Option<String>,
    scope: Vec<String>,
    act: Option<Value>,
}

/// What the client asked to be issued.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Wanted {
    AccessToken,
    IdToken,
    Jwt,
}

fn invalid_request(description: &str) -> Resp {
    err("invalid_request", description)
}

/// Checks a JWT this server signed (signature by one of its keys, its `iss`, `exp`) and
/// returns its header `typ` and claims.
fn own_jwt(app: &App, token: &str) -> Result<(Option<String>, Map<String, Value>), String> {
    let own = Own {
        issuer: &app.issuer,
        typ: None,
        required: &["exp", "iss", "sub"],
        audiences: None,
    };
    let (typ, claims): (_, Map<String, Value>) = app
        .keys()
        .verify_own(token, &own)
        .map_err(|e| match e {
            Unverified::Malformed => "not a token this server issued",
            Unverified::UnknownKey => "not signed by this server's keys",
            _ => "its signature or claims do not verify",
        })
        .map_err(str::to_owned)?;
    let now_s = app.now_ms() / 1000;
    if claims
        .get("exp")
        .and_then(Value::as_u64)
        .is_none_or(|exp| exp <= now_s)
    {
        return Err("expired".to_owned());
    }
    if claims
        .get("nbf")
        .and_then(Value::as_u64)
        .is_some_and(|nbf| nbf > now_s)
    {
        return Err("its signature or claims do not verify".to_owned());
    }
    Ok((typ, claims))
}

/// An access token this server issued and still honours (verified in
/// [`access::check`], as at the other endpoints).
fn inspect_access(app: &App, token: &str) -> Result<Inspected, String> {
    let claims = access::check(app, token, None).map_err(|e| match e {
        Invalid::Expired => "expired".to_owned(),
        Invalid::Revoked => "revoked".to_owned(),
        _ => "not an access token this server issued".to_owned(),
    })?;
    Ok(Inspected {
        scope: claims.scopes(),
        sub: claims.sub,
        username: claims.username,
        act: claims.act,
    })
}

/// An ID token (or exchanged JWT) this server issued and still honours.
fn inspect_id(
    app: &App,
    store: &Store,
    token: &str,
    claims: &Map<String, Value>,
    now_s: u64,
) -> Result<Inspected, String> {
    let record: &IdTokenRecord = store
        .id_tokens
        .get(&fingerprint(token))
        .ok_or_else(|| "not a token this server issued".to_owned())?;
    if store.grant_revoked(record.family, now_s) {
        return Err("revoked with its grant".to_owned());
    }
    if record.exp <= now_s {
        return Err("expired".to_owned());
    }
    let sub = claims
        .get("sub")
        .and_then(Value::as_str)
        .ok_or_else(|| "it has no sub".to_owned())?;
    Ok(Inspected {
        sub: sub.to_owned(),
        username: app.cfg.registry.user(sub).map(|u| u.username.clone()),
        scope: record.scope.clone(),
        act: record.act.clone(),
    })
}

/// Checks a subject or actor token of type `kind` (RFC 8693 §3); `what` names the
/// parameter for the error.
fn inspect(app: &App, token: &str, kind: &str, what: &str) -> Result<Inspected, Resp> {
    let bad = |why: &str| invalid_request(&format!("{what} is invalid: {why}"));
    if kind == REFRESH_TOKEN {
        return Err(invalid_request(&format!(
            "{what}_type {REFRESH_TOKEN} is not accepted here: exchange an access token, an \
             ID token or a JWT of this server"
        )));
    }
    if ![ACCESS_TOKEN, ID_TOKEN, JWT].contains(&kind) {
        return Err(invalid_request(&format!(
            "{what}_type is not a token type this server exchanges (access_token, id_token, jwt)"
        )));
    }
    let (typ, claims) = own_jwt(app, token).map_err(|e| bad(&e))?;
    let is_access = typ.as_deref() == Some("at+jwt");
    match kind {
        k if k == ACCESS_TOKEN && !is_access => Err(bad("not an access token")),
        k if k == ID_TOKEN && is_access => Err(bad("an access token, not an ID token")),
        _ if is_access => inspect_access(app, token).map_err(|e| bad(&e)),
        _ => {
            inspect_id(app, &app.store(), token, &claims, app.now_ms() / 1000).map_err(|e| bad(&e))
        }
    }
}

/// The one target of the request (`audience` and `resource` together), checked against
/// what the client may ask for.
fn target(app: &App, client: &Client, form: &Params) -> Result<Option<String>, Resp> {
    let resources = form.all("resource");
    if let Some(r) = resources
        .iter()
        .find(|r| url::Url::parse(r).is_err() || r.contains('#'))
    {
        return Err(err(
            "invalid_target",
            &format!(
                "resource `{}` is not an absolute URI without a fragment",
                crate::text::sanitize::line(r)
            ),
        ));
    }
    let mut targets: Vec<&str> = form.all("audience");
    targets.extend(resources);
    targets.sort_unstable();
    targets.dedup();
    let Some(&first) = targets.first() else {
        return Ok(None);
    };
    if targets.len() > 1 {
        return Err(err(
            "invalid_target",
            "this server issues a token for one audience at a time",
        ));
    }
    if first != app.api_audience() && !client.token_exchange_audiences.iter().any(|a| a == first) {
        return Err(err(
            "invalid_target",
            "the audience is not one this client may ask for (its token_exchange_audiences)",
        ));
    }
    Ok(Some(first.to_owned()))
}

/// The scope of the new token: see the module documentation.
fn scope(
    app: &App,
    client: &Client,
    form: &Params,
    subject: &Inspected,
) -> Result<Vec<String>, Resp> {
    let requested = split_scope(form.get("scope"));
    let allowed = |s: &String| s != "offline_access" && client.may_request(s);
    if requested.is_empty() {
        return Ok(subject
            .scope
            .iter()
            .filter(|s| allowed(s))
            .cloned()
            .collect());
    }
    if let Some(wider) = requested.iter().find(|s| !has(&subject.scope, s)) {
        return Err(err(
            "invalid_scope",
            &format!("scope `{wider}` exceeds the subject token's"),
        ));
    }
    if let Some(bad) = bad_scope(&app.cfg.registry, client, &requested) {
        return Err(err(
            "invalid_scope",
            &format!("scope `{bad}` is not available to this client"),
        ));
    }
    // No refresh token is issued, so `offline_access` grants nothing.
    Ok(requested
        .into_iter()
        .filter(|s| s != "offline_access")
        .collect())
}

/// Exchanges the subject token (see the module documentation).
pub(super) fn redeem(
    app: &App,
    client: &Client,
    form: &Params,
    binding: &Binding,
) -> Result<TokenResponse, Resp> {
    let (Some(subject_token), Some(subject_type)) =
        (form.get("subject_token"), form.get("subject_token_type"))
    else {
        return Err(invalid_request(
            "subject_token and subject_token_type are required",
        ));
    };
    let actor = match (form.get("actor_token"), form.get("actor_token_type")) {
        (Some(t), Some(k)) => Some((t, k)),
        (None, None) => None,
        _ => {
            return Err(invalid_request(
                "actor_token and actor_token_type go together",
            ));
        }
    };
    let wanted = match form.get("requested_token_type") {
        None => Wanted::AccessToken,
        Some(t) if t == ACCESS_TOKEN => Wanted::AccessToken,
        Some(t) if t == ID_TOKEN => Wanted::IdToken,
        Some(t) if t == JWT => Wanted::Jwt,
        Some(t) if t == REFRESH_TOKEN => {
            return Err(invalid_request(
                "this server issues no refresh token by token exchange: exchange again",
            ));
        }
        Some(_) => {
            return Err(invalid_request(
                "requested_token_type must be an access token, an ID token or a JWT",
            ));
        }
    };
    let audience = target(app, client, form)?;
    let subject = inspect(app, subject_token, subject_type, "subject_token")?;
    let actor = actor
        .map(|(t, k)| inspect(app, t, k, "actor_token"))
        .transpose()?;
    let scope = scope(app, client, form, &subject)?;
    // RFC 8693 §4.1: the current actor outermost, the earlier ones nested inside.
    let act = match &actor {
        Some(a) => {
            let mut act = json!({ "sub": a.sub });
            if let Some(prior) = &subject.act {
                act["act"] = prior.clone();
            }
            Some(act)
        }
        None => subject.act.clone(),
    };
    let user = subject
        .username
        .as_deref()
        .and_then(|u| app.cfg.registry.user(u));
    match wanted {
        Wanted::AccessToken => {
            let roles = user.map_or_else(
                || {
                    app.cfg
                        .registry
                        .client(&subject.sub)
                        .map(|c| c.roles.clone())
                        .unwrap_or_default()
                },
                |u| u.roles.clone(),
            );
            let signed = sign_delegated(
                app,
                &Issue::without_grant(client, user, scope, audience, binding.cnf()),
                &Delegation {
                    sub: subject.sub,
                    roles,
                    act,
                },
            )?;
            let mut body = signed.response();
            body.issued_token_type = Some(ACCESS_TOKEN);
            Ok(body)
        }
        Wanted::IdToken | Wanted::Jwt => {
            sign_other(app, client, wanted, &subject.sub, &scope, audience, act)
        }
    }
}

/// An ID token or a plain JWT for the subject: `token_type` `N_A` (RFC 8693 §2.2.1). It is
/// kept like the ID tokens of a login, so that it can be exchanged again.
fn sign_other(
    app: &App,
    client: &Client,
    wanted: Wanted,
    sub: &str,
    scope: &[String],
    audience: Option<String>,
    act: Option<Value>,
) -> Result<TokenResponse, Resp> {
    use base64::Engine as _;
    let now_s = app.now_ms() / 1000;
    let ttl = app.cfg.access_token_ttl.as_secs();
    let exp = now_s + ttl;
    let mut claims = json!({"iss": app.issuer, "sub": sub, "exp": exp, "iat": now_s});
    let issued = if wanted == Wanted::IdToken {
        claims["aud"] = json!(audience.unwrap_or_else(|| client.id.clone()));
        claims["azp"] = json!(client.id);
        ID_TOKEN
    } else {
        claims["aud"] = json!(audience.unwrap_or_else(|| app.api_audience()));
        claims["client_id"] = json!(client.id);
        claims["scope"] = json!(scope.join(" "));
        claims["jti"] =
            json!(base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(random_bytes(16)));
        JWT
    };
    if let Some(a) = &act {
        claims["act"] = a.clone();
    }
    let token = app
        .keys()
        .active()
        .sign("JWT", &claims)
        .map_err(|_| Resp::oauth_error(500, "server_error", "signing failed"))?;
    app.store().id_tokens.insert(
        fingerprint(&token),
        IdTokenRecord {
            family: None,
            scope: scope.to_vec(),
            act,
            exp,
        },
    );
    Ok(TokenResponse {
        access_token: AccessToken::new(token),
        token_type: NOT_APPLICABLE,
        expires_in: ttl,
        scope: scope.join(" "),
        refresh_token: None,
        id_token: None,
        issued_token_type: Some(issued),
    })
}
