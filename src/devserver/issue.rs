//! Token issuance: signs the access token (RFC 9068), and the refresh token and ID token
//! (OIDC Core §2) where the grant calls for them, records them, and builds the token
//! response (RFC 6749 §5.1). The grant handlers decide what to issue; this decides how.

use std::time::Duration;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde::Serialize;
use serde_json::{Map, Value, json};

use super::claims;
use super::misbehave::sign_id_token;
use super::scope::has;
use super::sender::Cnf;
use super::state::{IdTokenRecord, RefreshRecord, Store, ms};
use super::wire::{Resp, fingerprint, random_bytes, random_token};
use super::{App, Client, Misbehave, User};
use crate::oauth::grant::Grant;
use crate::oauth::secret::{AccessToken, IdToken, Nonce, RefreshToken};

/// What one issuance covers.
pub(crate) struct Issue<'a> {
    pub client: &'a Client,
    pub user: Option<&'a User>,
    pub scope: Vec<String>,
    pub audience: Option<String>,
    pub auth_time: Option<u64>,
    pub nonce: Option<Nonce>,
    pub family: Option<u64>,
    /// Issued by the refresh-token grant.
    pub refreshed: bool,
    /// What the access token is bound to (RFC 9449 §6, RFC 8705 §3).
    pub cnf: Cnf,
}

impl<'a> Issue<'a> {
    /// An issuance outside a sign-in (client credentials, JWT bearer, token exchange,
    /// minting): no grant to refresh, no authentication time, no nonce.
    pub(crate) fn without_grant(
        client: &'a Client,
        user: Option<&'a User>,
        scope: Vec<String>,
        audience: Option<String>,
        cnf: Cnf,
    ) -> Self {
        Self {
            client,
            user,
            scope,
            audience,
            auth_time: None,
            nonce: None,
            family: None,
            refreshed: false,
            cnf,
        }
    }
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
    #[serde(skip_serializing_if = "Cnf::is_empty")]
    cnf: &'a Cnf,
    /// RFC 8693 §4.1: the actor of a delegated token (and the actors before it, nested).
    #[serde(skip_serializing_if = "Option::is_none")]
    act: Option<&'a Value>,
    /// The user the token was issued for (equal to `sub`), if one of the server's users:
    /// what `/userinfo` answers for and introspection shows as `username`.
    #[serde(skip_serializing_if = "Option::is_none")]
    username: Option<&'a str>,
    /// The grant (a code or device sign-in, and its refreshes) the token came from:
    /// revoking the grant (a refresh token, a replayed code) revokes the token
    /// (docs/serve.md).
    #[serde(skip_serializing_if = "Option::is_none")]
    grant_id: Option<u64>,
    /// The custom claims (docs/serve.md), after the registered ones.
    #[serde(flatten)]
    custom: &'a Map<String, Value>,
}

/// Whom a token from a token exchange is about, when not the issuance's user or client
/// (RFC 8693 §1.1): the subject token's subject, its roles, and who acts for it.
#[derive(Debug, Clone, Default)]
pub(crate) struct Delegation {
    pub sub: String,
    pub roles: Vec<String>,
    pub act: Option<Value>,
}

/// A successful token response (RFC 6749 §5.1), members in this order.
#[derive(Serialize)]
pub(crate) struct TokenResponse {
    pub access_token: AccessToken,
    /// A [`TokenType`](crate::oauth::token_type::TokenType)'s value, or what
    /// `--misbehave wrong-token-type` sends instead.
    pub token_type: &'static str,
    pub expires_in: u64,
    pub scope: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub refresh_token: Option<RefreshToken>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id_token: Option<IdToken>,
    /// What `access_token` holds: a token exchange says so (RFC 8693 §2.2.1).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub issued_token_type: Option<&'static str>,
}

/// A signed access token. It is not recorded anywhere: it is self-contained
/// (`super::access`).
pub(crate) struct SignedAccess {
    /// The token response so far (access token, type, lifetime, scope).
    body: TokenResponse,
    now_s: u64,
    exp: u64,
}

impl SignedAccess {
    /// The token response so far.
    pub(crate) fn response(self) -> TokenResponse {
        self.body
    }
}

/// Builds and signs the access token of `g` (RFC 9068). Needs no store, so that the
/// signature is not made while the store is locked.
pub(crate) fn sign_access(app: &App, g: &Issue<'_>) -> Result<SignedAccess, Resp> {
    sign(app, g, None, app.cfg.access_token_ttl)
}

/// [`sign_access`] for a token exchange: the token is about `d.sub` (with `d.roles`), and
/// names its actors in `act`.
pub(crate) fn sign_delegated(
    app: &App,
    g: &Issue<'_>,
    d: &Delegation,
) -> Result<SignedAccess, Resp> {
    sign(app, g, Some(d), app.cfg.access_token_ttl)
}

fn sign(
    app: &App,
    g: &Issue<'_>,
    delegation: Option<&Delegation>,
    ttl: Duration,
) -> Result<SignedAccess, Resp> {
    let now_ms = app.now_ms();
    let now_s = now_ms / 1000;
    let at_ttl = ttl.as_secs();
    let exp = now_s + at_ttl;
    let sub = delegation.map_or_else(
        || g.user.map_or(g.client.id.as_str(), |u| u.username.as_str()),
        |d| d.sub.as_str(),
    );
    let roles = delegation.map_or_else(
        || g.user.map_or(&g.client.roles, |u| &u.roles),
        |d| &d.roles,
    );
    let act = delegation.and_then(|d| d.act.as_ref());
    let aud = g.audience.clone().unwrap_or_else(|| app.api_audience());
    let jti = URL_SAFE_NO_PAD.encode(random_bytes(16));
    let scope = g.scope.join(" ");
    let custom = claims::for_token(&app.issuer, g.client, g.user, sub, &g.scope);
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
        cnf: &g.cnf,
        act,
        username: g.user.map(|u| u.username.as_str()),
        grant_id: g.family,
        custom: &custom,
    };
    let access_token = AccessToken::new(
        app.keys()
            .active()
            .sign("at+jwt", &claims)
            .map_err(signing_failed)?,
    );
    let body = TokenResponse {
        access_token,
        token_type: if app.cfg.misbehaves(Misbehave::WrongTokenType) {
            "mac"
        } else {
            g.cnf.token_type().as_str()
        },
        expires_in: if app.cfg.misbehaves(Misbehave::HugeExpiresIn) {
            u64::MAX
        } else {
            at_ttl
        },
        scope,
        refresh_token: None,
        id_token: None,
        issued_token_type: None,
    };
    Ok(SignedAccess { body, now_s, exp })
}

/// Signs and records an access token, and a refresh token and ID token where the grant
/// calls for them; returns the token response.
pub(crate) fn issue(app: &App, store: &mut Store, g: &Issue<'_>) -> Result<TokenResponse, Resp> {
    issue_for(app, store, g, app.cfg.access_token_ttl)
}

/// [`issue`] with an access token (and ID token) that lives `ttl` rather than the
/// configured lifetime: what the admin endpoint mints (`POST /admin/mint`).
pub(crate) fn issue_for(
    app: &App,
    store: &mut Store,
    g: &Issue<'_>,
    ttl: Duration,
) -> Result<TokenResponse, Resp> {
    let signed = sign(app, g, None, ttl)?;
    let (now_s, exp) = (signed.now_s, signed.exp);
    let mut body = signed.response();
    if let Some(family) = g.family.filter(|_| g.client.allows(Grant::RefreshToken)) {
        let rt = RefreshToken::new(random_token());
        let expires_ms = app.now_ms() + ms(app.cfg.refresh_token_ttl);
        store.refresh.insert(
            fingerprint(rt.expose()),
            RefreshRecord {
                family,
                expires_ms,
                issued_s: now_s,
                rotated_ms: None,
                revoked: false,
            },
        );
        // The grant is kept as long as its latest refresh token.
        if let Some(f) = store.families.get_mut(&family) {
            f.expires_ms = f.expires_ms.max(expires_ms);
        }
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
        claims::add_to(
            &mut id,
            claims::for_token(&app.issuer, g.client, Some(user), &user.username, &g.scope),
        );
        misbehave_id_claims(app, &mut id, g, now_s);
        let keys = app.keys();
        let signed = sign_id_token(
            &app.cfg.misbehave,
            keys.active(),
            app.decoy_key.as_ref(),
            &id,
        );
        let id_token = IdToken::new(signed.map_err(signing_failed)?);
        // Kept so that a token exchange knows the ID token and its grant (revoked or not).
        store.id_tokens.insert(
            fingerprint(id_token.expose()),
            IdTokenRecord {
                family: g.family,
                scope: g.scope.clone(),
                act: None,
                exp,
            },
        );
        body.id_token = Some(id_token);
    }
    // After the grant's expiry was extended, so that pruning keeps it.
    store.maybe_prune(app.now_ms());
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
pub(crate) fn add_profile_claims(claims: &mut Value, user: &User, scope: &[String]) {
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::oauth::token_type::TokenType;

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
            cnf: &Cnf::default(),
            act: None,
            username: None,
            grant_id: None,
            custom: &Map::new(),
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
            issued_token_type: None,
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
}
