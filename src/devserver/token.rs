//! The back channel: `/token` (authorization_code + PKCE, refresh_token with rotation and
//! reuse detection, client_credentials, device_code), `/device_authorization`,
//! `/introspect` (RFC 7662), `/revoke` (RFC 7009) and `/userinfo`, plus client
//! authentication (RFC 6749 §2.3.1) and token issuance (RFC 9068 access tokens, OIDC ID
//! tokens).

use std::sync::PoisonError;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde::Serialize;
use serde_json::{Value, json};

use super::authorize::{
    MAX_KEPT_REQUEST, bad_scope, requested_audience, split_scope, valid_pkce_value,
};
use super::misbehave::{self, SLOW_DOWN_POLLS, sign_id_token};
use super::state::{
    AccessRecord, DeviceRecord, DeviceStatus, Family, RefreshRecord, Store, bucket, ms, now_ms,
    source,
};
use super::wire::{
    Params, Req, Resp, basic_credentials, bearer, fingerprint, random_bytes, random_token,
    secrets_equal,
};
use super::{App, Client, Misbehave, User};
use crate::oauth::grant::Grant;
use crate::oauth::secret::{AccessToken, ClientSecret, DeviceCode, IdToken, Nonce, RefreshToken};
use crate::oauth::token_type::TokenType;

/// The realm of `WWW-Authenticate` challenges.
pub(crate) const REALM: &str = "oauthctl-devserver";

/// The user-code alphabet: 20 consonants, no vowels (no words), no look-alikes
/// (RFC 8628 §6.1).
const USER_CODE_ALPHABET: &[u8; 20] = b"BCDFGHJKLMNPQRSTVWXZ";

/// A token-endpoint error (RFC 6749 §5.2): 400, with `Cache-Control: no-store`.
fn err(error: &str, description: &str) -> Resp {
    Resp::oauth_error(400, error, description).with("Pragma", "no-cache")
}

/// `invalid_client`: 401 with a challenge (S11).
fn invalid_client(description: &str) -> Resp {
    Resp::oauth_error(401, "invalid_client", description)
        .with("WWW-Authenticate", &format!("Basic realm=\"{REALM}\""))
}

/// A successful token-endpoint answer (RFC 6749 §5.1).
fn ok<T: Serialize + ?Sized>(body: &T) -> Resp {
    Resp::json(200, body).with("Pragma", "no-cache")
}

/// The form body of a back-channel POST, strictly parsed.
fn form(req: &Req) -> Result<Params, Resp> {
    if !req.is_form() {
        return Err(err(
            "invalid_request",
            "the body must be application/x-www-form-urlencoded",
        ));
    }
    if !req.query.is_empty() {
        // RFC 6749 §3.2 / §2.3.1: credentials and grants never travel in the URL.
        return Err(err(
            "invalid_request",
            "parameters must be sent in the body, not the query",
        ));
    }
    req.form().map_err(|e| err("invalid_request", &e))
}

/// `429` with `Retry-After`.
fn too_many(description: &str, retry_s: u64) -> Resp {
    Resp::oauth_error(429, "temporarily_unavailable", description)
        .with("Retry-After", &retry_s.to_string())
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

/// Authenticates the client (S18): `client_secret_basic` (form-urldecoded),
/// `client_secret_post`, or `none` for public clients, which identify themselves by
/// `client_id` alone and may not present a secret. Wrong secrets are limited per client
/// and source ([`check_secret`]).
pub(crate) fn authenticate_client<'a>(
    app: &'a App,
    req: &Req,
    form: &Params,
) -> Result<&'a Client, Resp> {
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
    let client = app
        .cfg
        .registry
        .client(id)
        .ok_or_else(|| invalid_client("unknown client or wrong credentials"))?;
    match (&client.secret, secret) {
        (Some(expected), Some(given)) => {
            check_secret(app, req, client, expected, given).map(|()| client)
        }
        (Some(_), None) => Err(invalid_client("unknown client or wrong credentials")),
        (None, None) => Ok(client),
        (None, Some(_)) => Err(invalid_client(
            "this is a public client: it has no secret, send client_id only",
        )),
    }
}

/// Applies the token-endpoint rate limit to an authenticated client: per client, or for a
/// public client (which anyone can name) per client and source.
fn rate_limited(app: &App, req: &Req, client: &Client) -> Option<Resp> {
    let limit = app.cfg.rate_limit_per_minute;
    if limit == 0 {
        return None;
    }
    let now = now_ms();
    let key = (
        client.id.clone(),
        client.is_public().then(|| source(req.peer)),
    );
    let mut store = app.store();
    bucket(&mut store.rate, key, limit, now)
        .take(limit, now)
        .err()
        .map(|retry| {
            too_many(
                "too many token requests for this client; retry later",
                retry,
            )
        })
}

/// `POST /token`.
pub(crate) fn token(app: &App, req: &Req) -> Resp {
    if let Some(elsewhere) = &app.decoy_token_url {
        // `token-307`: a client that follows this resends the code, verifier or secret.
        return Resp::new(307).with("Location", elsewhere);
    }
    let form = match form(req) {
        Ok(f) => f,
        Err(r) => return r,
    };
    // Authentication first: only authenticated requests spend a client's budget.
    let client = match authenticate_client(app, req, &form) {
        Ok(c) => c,
        Err(r) => return r,
    };
    if let Some(r) = rate_limited(app, req, client) {
        return r;
    }
    if app.cfg.misbehaves(Misbehave::Token200WithError) {
        return ok(&json!({"error": "invalid_grant",
                          "error_description": "an error with HTTP 200 (misbehave)"}));
    }
    let Some(grant_type) = form.get("grant_type") else {
        return err("invalid_request", "grant_type is required");
    };
    let Some(grant) = Grant::from_grant_type(grant_type) else {
        return err("unsupported_grant_type", "unsupported grant_type");
    };
    if !client.allows(grant) || (grant.needs_client_authentication() && client.is_public()) {
        return err(
            "unauthorized_client",
            "this client may not use this grant type",
        );
    }
    let result = match grant {
        Grant::AuthorizationCode => authorization_code(app, client, &form),
        Grant::RefreshToken => refresh(app, client, &form),
        Grant::ClientCredentials => client_credentials(app, client, &form),
        Grant::DeviceCode => device_code(app, client, &form),
    };
    match result {
        Ok(mut body) => {
            if app.cfg.misbehaves(Misbehave::TokenControlChars)
                || (grant == Grant::RefreshToken
                    && app.cfg.misbehaves(Misbehave::RefreshControlChars))
            {
                body.access_token = AccessToken::new(format!(
                    "{}{}",
                    body.access_token.expose(),
                    misbehave::INJECTED
                ));
            }
            ok(&body)
        }
        Err(r) => r,
    }
}

/// What one issuance covers.
struct Issue<'a> {
    client: &'a Client,
    user: Option<&'a User>,
    scope: Vec<String>,
    audience: Option<String>,
    auth_time: Option<u64>,
    nonce: Option<Nonce>,
    family: Option<u64>,
    /// Issued by the refresh-token grant.
    refreshed: bool,
}

fn has(scope: &[String], s: &str) -> bool {
    scope.iter().any(|x| x == s)
}

fn signing_failed<E>(_: E) -> Resp {
    Resp::oauth_error(500, "server_error", "signing failed")
}

/// The claims of an access token (RFC 9068 §2.2), serialized in this order.
#[derive(Serialize)]
struct AccessClaims<'a> {
    iss: &'a str,
    sub: &'a str,
    aud: &'a str,
    exp: u64,
    iat: u64,
    nbf: u64,
    jti: &'a str,
    client_id: &'a str,
    scope: &'a str,
    roles: &'a [String],
    #[serde(skip_serializing_if = "Option::is_none")]
    auth_time: Option<u64>,
}

/// A successful token response (RFC 6749 §5.1), members in this order.
#[derive(Serialize)]
struct TokenResponse {
    access_token: AccessToken,
    /// A [`TokenType`]'s value, or what `--misbehave wrong-token-type` sends instead.
    token_type: &'static str,
    expires_in: u64,
    scope: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    refresh_token: Option<RefreshToken>,
    #[serde(skip_serializing_if = "Option::is_none")]
    id_token: Option<IdToken>,
}

/// A signed access token that is not recorded yet.
struct SignedAccess {
    /// The token response so far (access token, type, lifetime, scope).
    body: TokenResponse,
    fingerprint: String,
    record: AccessRecord,
    now_s: u64,
}

impl SignedAccess {
    /// Records the access token, so that it can be introspected and revoked.
    fn record(self, store: &mut Store) -> TokenResponse {
        store.maybe_prune(now_ms());
        store.insert_access(self.fingerprint, self.record);
        self.body
    }
}

/// Builds and signs the access token of `g` (RFC 9068). Needs no store, so that the
/// signature is not made while the store is locked.
fn sign_access(app: &App, g: &Issue<'_>) -> Result<SignedAccess, Resp> {
    let now_s = now_ms() / 1000;
    let at_ttl = app.cfg.access_token_ttl.as_secs();
    let exp = now_s + at_ttl;
    let sub = g.user.map_or(g.client.id.as_str(), |u| u.username.as_str());
    let roles = g.user.map_or(&g.client.roles, |u| &u.roles);
    let aud = g.audience.clone().unwrap_or_else(|| app.api_audience());
    let jti = URL_SAFE_NO_PAD.encode(random_bytes(16));
    let scope = g.scope.join(" ");
    let claims = AccessClaims {
        iss: &app.issuer,
        sub,
        aud: &aud,
        exp,
        iat: now_s,
        nbf: now_s,
        jti: &jti,
        client_id: &g.client.id,
        scope: &scope,
        roles,
        auth_time: g.auth_time,
    };
    let access_token = AccessToken::new(
        app.keys
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .active()
            .sign("at+jwt", &claims)
            .map_err(signing_failed)?,
    );
    let fingerprint = fingerprint(access_token.expose());
    let body = TokenResponse {
        access_token,
        token_type: if app.cfg.misbehaves(Misbehave::WrongTokenType) {
            "mac"
        } else {
            TokenType::Bearer.as_str()
        },
        expires_in: if app.cfg.misbehaves(Misbehave::HugeExpiresIn) {
            u64::MAX
        } else {
            at_ttl
        },
        scope,
        refresh_token: None,
        id_token: None,
    };
    Ok(SignedAccess {
        body,
        fingerprint,
        record: AccessRecord {
            jti,
            client_id: g.client.id.clone(),
            family: g.family,
            sub: sub.to_owned(),
            username: g.user.map(|u| u.username.clone()),
            scope: g.scope.clone(),
            aud,
            iat: now_s,
            exp,
            revoked: false,
        },
        now_s,
    })
}

/// Signs and records an access token, and a refresh token and ID token where the grant
/// calls for them; returns the token response.
fn issue(app: &App, store: &mut Store, g: &Issue<'_>) -> Result<TokenResponse, Resp> {
    let signed = sign_access(app, g)?;
    let (now_s, exp) = (signed.now_s, signed.record.exp);
    let mut body = signed.record(store);
    if let Some(family) = g.family.filter(|_| g.client.allows(Grant::RefreshToken)) {
        let rt = RefreshToken::new(random_token());
        store.refresh.insert(
            fingerprint(rt.expose()),
            RefreshRecord {
                family,
                expires_ms: now_ms() + ms(app.cfg.refresh_token_ttl),
                issued_s: now_s,
                rotated_ms: None,
                revoked: false,
            },
        );
        body.refresh_token = Some(rt);
    }
    if let (Some(user), true) = (g.user, has(&g.scope, "openid")) {
        let mut id = json!({
            "iss": app.issuer, "sub": user.username, "aud": g.client.id, "azp": g.client.id,
            "exp": exp, "iat": now_s,
        });
        if let Some(t) = g.auth_time {
            id["auth_time"] = json!(t);
        }
        if let Some(n) = &g.nonce {
            id["nonce"] = json!(n);
        }
        add_profile_claims(&mut id, user, &g.scope);
        misbehave_id_claims(app, &mut id, g, now_s);
        let keys = app.keys.read().unwrap_or_else(PoisonError::into_inner);
        let signed = sign_id_token(
            &app.cfg.misbehave,
            keys.active(),
            app.decoy_key.as_ref(),
            &id,
        );
        body.id_token = Some(IdToken::new(signed.map_err(signing_failed)?));
    }
    Ok(body)
}

/// Applies the claim misbehaviours (`id-token-*`, `refresh-new-sub`) to an ID token.
fn misbehave_id_claims(app: &App, id: &mut Value, g: &Issue<'_>, now_s: u64) {
    for case in &app.cfg.misbehave {
        match case {
            Misbehave::IdTokenWrongIss => id["iss"] = json!(format!("{}/", app.issuer)),
            Misbehave::IdTokenWrongAud => id["aud"] = json!("another-client"),
            Misbehave::IdTokenExtraAud => id["aud"] = json!([g.client.id, "another-client"]),
            Misbehave::IdTokenNoSub => remove(id, "sub"),
            Misbehave::IdTokenNoIat => remove(id, "iat"),
            Misbehave::IdTokenExpired => {
                id["iat"] = json!(now_s.saturating_sub(1200));
                id["exp"] = json!(now_s.saturating_sub(600));
            }
            Misbehave::IdTokenNonceMismatch => id["nonce"] = json!(random_token()),
            Misbehave::RefreshNewSub if g.refreshed => {
                id["sub"] = json!(format!("{}-other", id["sub"].as_str().unwrap_or_default()));
            }
            _ => {}
        }
    }
}

fn remove(v: &mut Value, name: &str) {
    if let Some(obj) = v.as_object_mut() {
        obj.remove(name);
    }
}

/// The `profile` and `email` claims of a user.
fn add_profile_claims(claims: &mut Value, user: &User, scope: &[String]) {
    if has(scope, "profile") {
        claims["preferred_username"] = json!(user.username);
        if let Some(n) = &user.name {
            claims["name"] = json!(n);
        }
    }
    if has(scope, "email")
        && let Some(e) = &user.email
    {
        claims["email"] = json!(e);
        claims["email_verified"] = json!(true);
    }
}

/// S256: BASE64URL(SHA256(ASCII(verifier))) (RFC 7636 §4.6).
fn s256(verifier: &str) -> String {
    URL_SAFE_NO_PAD.encode(aws_lc_rs::digest::digest(
        &aws_lc_rs::digest::SHA256,
        verifier.as_bytes(),
    ))
}

fn authorization_code(app: &App, client: &Client, form: &Params) -> Result<TokenResponse, Resp> {
    let code = form
        .get("code")
        .ok_or_else(|| err("invalid_request", "code is required"))?;
    let fp = fingerprint(code);
    let now = now_ms();
    let mut store = app.store();
    let bad = |d: &str| err("invalid_grant", d);
    let Some(record) = store.codes.get(&fp).cloned() else {
        return Err(bad("unknown authorization code"));
    };
    if record.client_id != client.id {
        return Err(bad("the code was issued to another client"));
    }
    if record.used {
        // S9: a replayed code revokes what it produced (RFC 6749 §4.1.2).
        if let Some(family) = record.family {
            store.revoke_family(family);
        }
        return Err(bad(
            "the code was already used; the tokens issued from it are revoked",
        ));
    }
    // From here on the code is spent, whatever the outcome.
    if let Some(c) = store.codes.get_mut(&fp) {
        c.used = true;
    }
    if record.expires_ms <= now {
        return Err(bad("the authorization code expired"));
    }
    if form.get("redirect_uri") != Some(record.redirect_uri.as_str()) {
        return Err(bad(
            "redirect_uri is missing or differs from the authorization request",
        ));
    }
    match (&record.code_challenge, form.get("code_verifier")) {
        (Some(challenge), Some(verifier)) => {
            if !valid_pkce_value(verifier) {
                return Err(bad(
                    "code_verifier must be 43-128 characters of [A-Za-z0-9-._~]",
                ));
            }
            if !secrets_equal(&s256(verifier), challenge) {
                return Err(bad("code_verifier does not match the code_challenge"));
            }
        }
        (Some(_), None) => return Err(bad("code_verifier is required")),
        (None, Some(_)) => {
            // S8: RFC 9700 §4.8.2 (PKCE downgrade).
            return Err(bad(
                "code_verifier sent, but the authorization request had no code_challenge",
            ));
        }
        (None, None) => {}
    }
    let user = app
        .cfg
        .registry
        .user(&record.user)
        .ok_or_else(|| bad("the user no longer exists"))?;
    let family = store.new_family(Family {
        client_id: client.id.clone(),
        user: user.username.clone(),
        scope: record.scope.clone(),
        audience: record.audience.clone(),
        auth_time: record.auth_time,
        revoked: false,
    });
    if let Some(c) = store.codes.get_mut(&fp) {
        c.family = Some(family);
    }
    issue(
        app,
        &mut store,
        &Issue {
            client,
            user: Some(user),
            scope: record.scope.clone(),
            audience: record.audience.clone(),
            auth_time: Some(record.auth_time),
            nonce: record.nonce.clone(),
            family: Some(family),
            refreshed: false,
        },
    )
}

fn refresh(app: &App, client: &Client, form: &Params) -> Result<TokenResponse, Resp> {
    let rt = form
        .get("refresh_token")
        .ok_or_else(|| err("invalid_request", "refresh_token is required"))?;
    let fp = fingerprint(rt);
    let now = now_ms();
    let bad = |d: &str| err("invalid_grant", d);
    let mut store = app.store();
    let Some(record) = store.refresh.get(&fp).cloned() else {
        return Err(bad("unknown refresh token"));
    };
    let Some(family) = store.families.get(&record.family).cloned() else {
        return Err(bad("unknown refresh token"));
    };
    if family.client_id != client.id {
        return Err(bad("the refresh token was issued to another client"));
    }
    if record.revoked || family.revoked {
        return Err(bad("the refresh token was revoked"));
    }
    if record.expires_ms <= now {
        return Err(bad("the refresh token expired"));
    }
    if let Some(rotated) = record.rotated_ms {
        let grace = app.cfg.refresh_reuse_grace.map_or(0, ms);
        if now.saturating_sub(rotated) > grace || app.cfg.refresh_reuse_grace.is_none() {
            // S12: reuse of a rotated token revokes the whole family (RFC 9700 §4.14.2).
            store.revoke_family(record.family);
            return Err(bad(
                "refresh token reuse detected; every token of this grant is revoked",
            ));
        }
    }
    let requested = split_scope(form.get("scope"));
    let scope = if requested.is_empty() {
        family.scope.clone()
    } else if let Some(extra) = requested.iter().find(|s| !has(&family.scope, s)) {
        return Err(err(
            "invalid_scope",
            &format!("scope `{extra}` exceeds the original grant"),
        ));
    } else {
        requested
    };
    let user = app
        .cfg
        .registry
        .user(&family.user)
        .ok_or_else(|| bad("the user no longer exists"))?;
    if let Some(r) = store.refresh.get_mut(&fp) {
        r.rotated_ms.get_or_insert(now);
    }
    issue(
        app,
        &mut store,
        &Issue {
            client,
            user: Some(user),
            scope,
            audience: family.audience.clone(),
            auth_time: Some(family.auth_time),
            nonce: None,
            family: Some(record.family),
            refreshed: true,
        },
    )
}

fn client_credentials(app: &App, client: &Client, form: &Params) -> Result<TokenResponse, Resp> {
    let requested = split_scope(form.get("scope"));
    let scope = if requested.is_empty() {
        client
            .scopes
            .iter()
            .filter(|s| !matches!(s.as_str(), "openid" | "offline_access"))
            .cloned()
            .collect()
    } else {
        requested
    };
    if let Some(bad) = bad_scope(app, client, &scope).or_else(|| {
        scope
            .iter()
            .find(|s| *s == "openid" || *s == "offline_access")
            .map(String::as_str)
    }) {
        return Err(err(
            "invalid_scope",
            &format!("scope `{bad}` is not available to this client"),
        ));
    }
    let audience = requested_audience(form).map_err(|e| err("invalid_target", e))?;
    // No refresh token, no ID token: only the record needs the store, not the signature.
    let signed = sign_access(
        app,
        &Issue {
            client,
            user: None,
            scope,
            audience,
            auth_time: None,
            nonce: None,
            family: None,
            refreshed: false,
        },
    )?;
    Ok(signed.record(&mut app.store()))
}

fn device_code(app: &App, client: &Client, form: &Params) -> Result<TokenResponse, Resp> {
    let code = form
        .get("device_code")
        .ok_or_else(|| err("invalid_request", "device_code is required"))?;
    let fp = fingerprint(code);
    let now = now_ms();
    let mut store = app.store();
    let Some(d) = store.devices.get_mut(&fp) else {
        return Err(err("invalid_grant", "unknown device code"));
    };
    if d.client_id != client.id {
        return Err(err(
            "invalid_grant",
            "the device code belongs to another client",
        ));
    }
    if d.status == DeviceStatus::Done {
        return Err(err("invalid_grant", "the device code was already used"));
    }
    if d.expires_ms <= now {
        return Err(err("expired_token", "the device code expired"));
    }
    if app.cfg.misbehaves(Misbehave::DeviceSlowDown) && d.polls < SLOW_DOWN_POLLS {
        d.polls += 1;
        d.last_poll_ms = Some(now);
        d.interval_ms += 5000;
        return Err(err(
            "slow_down",
            "polling too fast; add 5 seconds (misbehave)",
        ));
    }
    let (user, auth_time) = match d.status.clone() {
        DeviceStatus::Denied => return Err(err("access_denied", "the user denied the request")),
        DeviceStatus::Pending => {
            let too_fast = d
                .last_poll_ms
                .is_some_and(|last| now.saturating_sub(last) < d.interval_ms);
            d.last_poll_ms = Some(now);
            if too_fast {
                // RFC 8628 §3.5: slow down by 5 seconds for this and all later polls.
                d.interval_ms += 5000;
                return Err(err("slow_down", "polling too fast; add 5 seconds"));
            }
            return Err(err(
                "authorization_pending",
                "the user has not approved yet",
            ));
        }
        DeviceStatus::Approved { user, auth_time } => (user, auth_time),
        DeviceStatus::Done => return Err(err("invalid_grant", "already used")),
    };
    d.status = DeviceStatus::Done;
    let (scope, audience) = (d.scope.clone(), d.audience.clone());
    let user = app
        .cfg
        .registry
        .user(&user)
        .ok_or_else(|| err("invalid_grant", "the user no longer exists"))?;
    let family = store.new_family(Family {
        client_id: client.id.clone(),
        user: user.username.clone(),
        scope: scope.clone(),
        audience: audience.clone(),
        auth_time,
        revoked: false,
    });
    issue(
        app,
        &mut store,
        &Issue {
            client,
            user: Some(user),
            scope,
            audience,
            auth_time: Some(auth_time),
            nonce: None,
            family: Some(family),
            refreshed: false,
        },
    )
}

/// A random user code over [`USER_CODE_ALPHABET`], 8 characters (≈34.6 bits; attempts are
/// rate limited), by rejection sampling so every letter is equally likely.
fn user_code() -> String {
    let mut out = String::with_capacity(8);
    while out.len() < 8 {
        for b in random_bytes(16) {
            // 240 = 12 × 20: bytes at or above it would bias the result.
            if b < 240 && out.len() < 8 {
                out.push(char::from(USER_CODE_ALPHABET[usize::from(b % 20)]));
            }
        }
    }
    out
}

/// `POST /device_authorization` (RFC 8628 §3.1–3.2).
pub(crate) fn device_authorization(app: &App, req: &Req) -> Resp {
    if req.body.len() > MAX_KEPT_REQUEST {
        return err("invalid_request", "the request is larger than 8 KiB");
    }
    let form = match form(req) {
        Ok(f) => f,
        Err(r) => return r,
    };
    let client = match authenticate_client(app, req, &form) {
        Ok(c) => c,
        Err(r) => return r,
    };
    if !client.allows(Grant::DeviceCode) {
        return err(
            "unauthorized_client",
            "this client may not use the device grant",
        );
    }
    let scope = split_scope(form.get("scope"));
    if let Some(bad) = bad_scope(app, client, &scope) {
        return err("invalid_scope", &format!("scope `{bad}` is not available"));
    }
    let audience = match requested_audience(&form) {
        Ok(a) => a,
        Err(e) => return err("invalid_target", e),
    };
    let device_code = DeviceCode::new(random_token());
    let now = now_ms();
    let mut store = app.store();
    store.maybe_prune(now);
    let mut code = user_code();
    while store.user_codes.contains_key(&code) {
        code = user_code();
    }
    let interval_ms = ms(app.cfg.device_interval);
    let fp = fingerprint(device_code.expose());
    store.insert_device(
        fp,
        code.clone(),
        DeviceRecord {
            client_id: client.id.clone(),
            scope,
            audience,
            user_code: format!("{}-{}", &code[..4], &code[4..]),
            expires_ms: now + ms(app.cfg.device_code_ttl),
            interval_ms,
            last_poll_ms: None,
            polls: 0,
            status: DeviceStatus::Pending,
            csrf: String::new(),
        },
    );
    let display = format!("{}-{}", &code[..4], &code[4..]);
    let verification_uri = format!("{}/device", app.issuer);
    ok(&json!({
        "device_code": device_code,
        "user_code": display,
        "verification_uri": verification_uri,
        "verification_uri_complete": format!("{verification_uri}?user_code={display}"),
        "expires_in": app.cfg.device_code_ttl.as_secs(),
        "interval": interval_ms.div_ceil(1000),
    }))
}

/// What a token string is, as far as this server knows.
enum Known {
    Access(AccessRecord),
    Refresh(RefreshRecord, Family),
}

fn lookup(store: &Store, token: &str) -> Option<Known> {
    let fp = fingerprint(token);
    if let Some(a) = store.access.get(&fp) {
        return Some(Known::Access(a.clone()));
    }
    let r = store.refresh.get(&fp)?;
    let f = store.families.get(&r.family)?;
    Some(Known::Refresh(r.clone(), f.clone()))
}

fn family_revoked(store: &Store, family: Option<u64>) -> bool {
    family.is_some_and(|f| store.families.get(&f).is_none_or(|f| f.revoked))
}

/// `POST /introspect` (RFC 7662; S15).
pub(crate) fn introspect(app: &App, req: &Req) -> Resp {
    let form = match form(req) {
        Ok(f) => f,
        Err(r) => return r,
    };
    let caller = match authenticate_client(app, req, &form) {
        Ok(c) => c,
        Err(r) => return r,
    };
    let Some(token) = form.get("token") else {
        return err("invalid_request", "token is required");
    };
    let inactive = || Resp::json(200, &json!({"active": false}));
    let now = now_ms();
    let store = app.store();
    let may_see = |owner: &str| caller.introspect_any || caller.id == owner;
    let active = if app.cfg.misbehaves(Misbehave::IntrospectionActiveString) {
        json!("true")
    } else {
        json!(true)
    };
    match lookup(&store, token) {
        Some(Known::Access(a))
            if !a.revoked
                && a.exp > now / 1000
                && !family_revoked(&store, a.family)
                && may_see(&a.client_id) =>
        {
            let mut body = json!({
                "active": active, "token_type": TokenType::Bearer.as_str(),
                "scope": a.scope.join(" "),
                "client_id": a.client_id, "sub": a.sub, "aud": a.aud, "iss": app.issuer,
                "exp": a.exp, "iat": a.iat, "nbf": a.iat, "jti": a.jti,
            });
            if let Some(u) = &a.username {
                body["username"] = json!(u);
            }
            Resp::json(200, &body)
        }
        Some(Known::Refresh(r, f))
            if !r.revoked
                && !f.revoked
                && r.rotated_ms.is_none()
                && r.expires_ms > now
                && may_see(&f.client_id) =>
        {
            Resp::json(
                200,
                &json!({
                    "active": active, "token_type": "refresh_token", "scope": f.scope.join(" "),
                    "client_id": f.client_id, "sub": f.user, "username": f.user,
                    "iss": app.issuer, "exp": r.expires_ms / 1000, "iat": r.issued_s,
                }),
            )
        }
        _ => inactive(),
    }
}

/// `POST /revoke` (RFC 7009; S16): 200 whatever the token was; only the caller's own tokens
/// are revoked; revoking a refresh token revokes its whole grant, access tokens included.
pub(crate) fn revoke(app: &App, req: &Req) -> Resp {
    let form = match form(req) {
        Ok(f) => f,
        Err(r) => return r,
    };
    let caller = match authenticate_client(app, req, &form) {
        Ok(c) => c,
        Err(r) => return r,
    };
    let Some(token) = form.get("token") else {
        return err("invalid_request", "token is required");
    };
    let mut store = app.store();
    match lookup(&store, token) {
        Some(Known::Access(a)) if a.client_id == caller.id => {
            if let Some(rec) = store.access.get_mut(&fingerprint(token)) {
                rec.revoked = true;
            }
        }
        Some(Known::Refresh(r, f)) if f.client_id == caller.id => store.revoke_family(r.family),
        _ => {}
    }
    Resp::new(200)
}

/// `GET|POST /userinfo` (OIDC Core §5.3): the bearer token in the header only.
pub(crate) fn userinfo(app: &App, req: &Req) -> Resp {
    let challenge = |status: u16, error: &str, desc: &str| {
        Resp::json(status, &json!({"error": error, "error_description": desc})).with(
            "WWW-Authenticate",
            &TokenType::Bearer.challenge(&[
                ("realm", REALM),
                ("error", error),
                ("error_description", desc),
            ]),
        )
    };
    if req.query.contains("access_token")
        || (req.is_form() && req.form().is_ok_and(|f| f.has("access_token")))
    {
        return challenge(
            400,
            "invalid_request",
            "send the token in the Authorization header",
        );
    }
    let Some(token) = req.header("authorization").and_then(bearer) else {
        return Resp::json(401, &json!({"error": "invalid_token"})).with(
            "WWW-Authenticate",
            &TokenType::Bearer.challenge(&[("realm", REALM)]),
        );
    };
    let store = app.store();
    let now_s = now_ms() / 1000;
    let record = match lookup(&store, token) {
        Some(Known::Access(a))
            if !a.revoked && a.exp > now_s && !family_revoked(&store, a.family) =>
        {
            a
        }
        _ => {
            return challenge(
                401,
                "invalid_token",
                "the access token is invalid or expired",
            );
        }
    };
    if !has(&record.scope, "openid") {
        return challenge(403, "insufficient_scope", "the openid scope is required");
    }
    let Some(user) = record
        .username
        .as_deref()
        .and_then(|u| app.cfg.registry.user(u))
    else {
        return challenge(401, "invalid_token", "the token has no user");
    };
    let sub = if app.cfg.misbehaves(Misbehave::UserinfoSubMismatch) {
        format!("{}-other", user.username)
    } else {
        user.username.clone()
    };
    let mut claims = json!({"sub": sub});
    add_profile_claims(&mut claims, user, &record.scope);
    Resp::json(200, &claims)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn s256_matches_rfc7636_appendix_b() {
        assert_eq!(
            s256("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"),
            "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
        );
    }

    #[test]
    fn token_documents_keep_their_member_order() {
        let roles = vec!["reader".to_owned()];
        let claims = AccessClaims {
            iss: "http://127.0.0.1:1",
            sub: "svc",
            aud: "http://127.0.0.1:1/api",
            exp: 20,
            iat: 10,
            nbf: 10,
            jti: "j",
            client_id: "svc",
            scope: "api:read",
            roles: &roles,
            auth_time: None,
        };
        assert_eq!(
            serde_json::to_string(&claims).unwrap(),
            r#"{"iss":"http://127.0.0.1:1","sub":"svc","aud":"http://127.0.0.1:1/api","exp":20,"iat":10,"nbf":10,"jti":"j","client_id":"svc","scope":"api:read","roles":["reader"]}"#
        );
        let with_auth_time = AccessClaims {
            auth_time: Some(5),
            ..claims
        };
        assert!(
            serde_json::to_string(&with_auth_time)
                .unwrap()
                .ends_with(r#""roles":["reader"],"auth_time":5}"#)
        );
        let mut body = TokenResponse {
            access_token: "at".into(),
            token_type: TokenType::Bearer.as_str(),
            expires_in: 3600,
            scope: "api:read".into(),
            refresh_token: None,
            id_token: None,
        };
        assert_eq!(
            serde_json::to_string(&body).unwrap(),
            r#"{"access_token":"at","token_type":"Bearer","expires_in":3600,"scope":"api:read"}"#
        );
        body.refresh_token = Some("rt".into());
        body.id_token = Some("it".into());
        assert!(
            serde_json::to_string(&body)
                .unwrap()
                .ends_with(r#""scope":"api:read","refresh_token":"rt","id_token":"it"}"#)
        );
    }

    #[test]
    fn user_codes_use_the_consonant_alphabet() {
        for _ in 0..100 {
            let c = user_code();
            assert_eq!(c.len(), 8);
            assert!(c.bytes().all(|b| USER_CODE_ALPHABET.contains(&b)), "{c}");
        }
    }
}
