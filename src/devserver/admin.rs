//! The admin endpoint (docs/serve.md, "The admin endpoint"): `GET`/`POST /admin/clock` reads
//! and moves the settable clock, `POST /admin/mint` issues tokens without a flow.
//!
//! Threat model. Whoever drives this endpoint can mint a token for any user and make every
//! token expire, so only a process on this machine may: the peer address must be loopback
//! even when the server listens on another address (`--listen`); the `Host` header must be
//! one of the server's own names (checked before any handler, against DNS rebinding). A web
//! page the developer visits must not drive it either: browsers send `Origin` with every
//! cross-origin `POST` (and `Sec-Fetch-Site` with every request), so a request with an
//! `Origin` header, or a `Sec-Fetch-Site` other than `none` or `same-origin`, is refused; and
//! a `POST` must be `application/json`, which no HTML form can send and which a script on
//! another origin can send only after a CORS preflight that this server never grants (it
//! answers `OPTIONS` with 405 and no CORS header). No answer carries a CORS header, so no
//! other origin can read one.

use std::net::IpAddr;
use std::time::Duration;

use serde::Deserialize;
use serde_json::json;

use super::back_channel::ok;
use super::directory::Directory;
use super::issue::{Issue, issue_for};
use super::scope::{bad_scope, has, requested_audience, split_scope};
use super::sender::Cnf;
use super::wire::{Params, Req, Resp};
use super::{App, Client};
use crate::oauth::grant::Grant;
use crate::text::duration;

/// The longest lifetime `POST /admin/mint` gives a token.
const MAX_MINT_TTL: Duration = Duration::from_secs(366 * 24 * 3600);

/// Whether `ip` is a loopback address (`127.0.0.0/8`, `::1`, or `::ffff:127.x.y.z`).
fn is_loopback(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => v4.is_loopback(),
        IpAddr::V6(v6) => {
            v6.is_loopback() || v6.to_ipv4_mapped().is_some_and(|v4| v4.is_loopback())
        }
    }
}

/// The checks every admin request passes (the module's threat model), before its method or
/// body is looked at.
pub(crate) fn gate(req: &Req) -> Result<(), Resp> {
    if !req.peer.is_some_and(is_loopback) {
        return Err(Resp::oauth_error(
            403,
            "access_denied",
            "the admin endpoint answers loopback peers only (run the request on the server's machine)",
        ));
    }
    if req.header("origin").is_some() {
        return Err(Resp::oauth_error(
            403,
            "access_denied",
            "the admin endpoint refuses requests from web pages (an Origin header was sent)",
        ));
    }
    if req
        .header("sec-fetch-site")
        .is_some_and(|s| !matches!(s, "none" | "same-origin"))
    {
        return Err(Resp::oauth_error(
            403,
            "access_denied",
            "the admin endpoint refuses requests from web pages (Sec-Fetch-Site)",
        ));
    }
    if req.method == "POST" && !is_json(req) {
        return Err(Resp::oauth_error(
            415,
            "invalid_request",
            "send the admin request as Content-Type: application/json",
        ));
    }
    Ok(())
}

fn is_json(req: &Req) -> bool {
    req.header("content-type").is_some_and(|ct| {
        ct.split(';')
            .next()
            .is_some_and(|m| m.trim().eq_ignore_ascii_case("application/json"))
    })
}

/// A JSON body of type `T`, or a 400 that says what is wrong (one bounded line).
fn body<T: for<'de> Deserialize<'de>>(req: &Req) -> Result<T, Resp> {
    serde_json::from_slice(&req.body).map_err(|e| {
        let what = match e.classify() {
            serde_json::error::Category::Data => {
                let line = e.to_string();
                let what = line.split(" at line ").next().unwrap_or_default();
                what.chars().take(200).collect()
            }
            _ => "the body is not a JSON object".to_owned(),
        };
        Resp::oauth_error(400, "invalid_request", &crate::text::sanitize::line(&what))
    })
}

/// A duration as JSON: a string (`"15m"`, `"-1h"`) or a number of seconds.
#[derive(Deserialize)]
#[serde(untagged)]
enum Span {
    Seconds(i64),
    Text(String),
}

impl Span {
    fn seconds(&self, what: &str) -> Result<i64, Resp> {
        match self {
            Self::Seconds(s) if s.unsigned_abs() <= duration::MAX_SIGNED_SECS.unsigned_abs() => {
                Ok(*s)
            }
            Self::Seconds(_) => Err(bad(&format!("`{what}` is too large"))),
            Self::Text(t) => duration::parse_signed(t).map_err(|e| bad(&format!("`{what}`: {e}"))),
        }
    }
}

fn bad(description: &str) -> Resp {
    Resp::oauth_error(400, "invalid_request", description)
}

/// `POST /admin/clock`: one of the two.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ClockChange {
    /// Move the clock by this much (negative: back).
    advance: Option<Span>,
    /// Set the offset from the real time.
    offset: Option<Span>,
}

/// `GET /admin/clock` answers the clock; `POST` moves it first.
pub(crate) fn clock(app: &App, req: &Req) -> Resp {
    if req.method == "POST" {
        let change: ClockChange = match body(req) {
            Ok(c) => c,
            Err(r) => return r,
        };
        match (&change.advance, &change.offset) {
            (Some(by), None) => match by.seconds("advance") {
                Ok(s) => {
                    app.clock.advance_s(s);
                }
                Err(r) => return r,
            },
            (None, Some(to)) => match to.seconds("offset") {
                Ok(s) => app.clock.set_offset_s(s),
                Err(r) => return r,
            },
            _ => return bad("send one of `advance` (e.g. \"15m\") and `offset` (e.g. \"-1h\")"),
        }
    }
    ok(&clock_document(app))
}

/// The clock as the admin endpoint shows it.
fn clock_document(app: &App) -> serde_json::Value {
    let offset = app.clock.offset_s();
    let now_ms = app.now_ms();
    let sign = if offset < 0 { "-" } else { "+" };
    let span = humantime::format_duration(Duration::from_secs(offset.unsigned_abs()));
    json!({
        "offset": format!("{sign}{span}"),
        "offset_seconds": offset,
        "now": now_ms / 1000,
        "now_utc": humantime::format_rfc3339_seconds(
            std::time::UNIX_EPOCH + Duration::from_millis(now_ms)
        ).to_string(),
    })
}

/// `POST /admin/mint`.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct MintRequest {
    /// The user the token is about; none: the client itself (as client credentials).
    user: Option<String>,
    /// The client the token is issued to [default: the first configured client that may
    /// use the authorization code grant (with a user) or client credentials (without)].
    client_id: Option<String>,
    /// Space-separated scopes [default: the client's, without `openid` and
    /// `offline_access`].
    scope: Option<String>,
    /// The resource (RFC 8707) or audience (RFC 8693) of the token.
    resource: Option<String>,
    audience: Option<String>,
    /// The access token's lifetime [default: the server's access-token lifetime].
    ttl: Option<Span>,
    /// Bind the token to this DPoP key (its RFC 7638 thumbprint, RFC 9449 §6.1).
    jkt: Option<String>,
}

/// `POST /admin/mint`: a token response (RFC 6749 §5.1) as the token endpoint gives, from
/// the same issuance code, without a flow; no refresh token.
pub(crate) fn mint(app: &App, req: &Req) -> Resp {
    let asked: MintRequest = match body(req) {
        Ok(m) => m,
        Err(r) => return r,
    };
    match minted(app, req, &asked) {
        Ok(r) | Err(r) => r,
    }
}

fn minted(app: &App, req: &Req, asked: &MintRequest) -> Result<Resp, Resp> {
    let registry = &app.cfg.registry;
    let user = match &asked.user {
        Some(name) => Some(registry.user(name).ok_or_else(|| {
            bad("no such user (see the server's users in docs/serve.md or --server-config)")
        })?),
        None => None,
    };
    let directory = Directory::of(app, req.peer);
    let client = match &asked.client_id {
        Some(id) => directory
            .client(id)
            .map_err(|_| bad("no such client"))?
            .into_owned(),
        None => default_client(&registry.clients, user.is_some())
            .ok_or_else(|| bad("no client to mint for: name one with `client_id`"))?
            .clone(),
    };
    let scope = match &asked.scope {
        Some(s) => split_scope(Some(s)),
        None => client
            .scopes
            .iter()
            .filter(|s| !matches!(s.as_str(), "openid" | "offline_access"))
            .cloned()
            .collect(),
    };
    if user.is_none() && has(&scope, "openid") {
        return Err(bad("`openid` needs a `user`"));
    }
    if has(&scope, "offline_access") {
        return Err(bad(
            "minted tokens come without a refresh token: leave out `offline_access`",
        ));
    }
    if let Some(s) = bad_scope(registry, &client, &scope) {
        return Err(bad(&format!("scope `{s}` is not available to this client")));
    }
    let audience = mint_audience(app, asked)?;
    let ttl = match &asked.ttl {
        None => app.cfg.access_token_ttl,
        Some(span) => {
            let secs = span.seconds("ttl")?;
            let ttl = Duration::from_secs(u64::try_from(secs).unwrap_or(0));
            if ttl.is_zero() || ttl > MAX_MINT_TTL {
                return Err(bad("`ttl` must be between 1s and 366d"));
            }
            ttl
        }
    };
    let jkt = match &asked.jkt {
        Some(j) if !is_thumbprint(j) => {
            return Err(bad(
                "`jkt` must be a JWK SHA-256 thumbprint (RFC 7638): 43 base64url characters",
            ));
        }
        j => j.clone(),
    };
    let now_s = app.now_ms() / 1000;
    let body = issue_for(
        app,
        &mut app.store(),
        &Issue {
            auth_time: user.map(|_| now_s),
            ..Issue::without_grant(
                &client,
                user,
                scope,
                audience,
                Cnf {
                    jkt,
                    x5t_s256: None,
                },
            )
        },
        ttl,
    )?;
    Ok(ok(&body))
}

/// The first client that may use the authorization code grant (for a user) or client
/// credentials (for none).
fn default_client(clients: &[Client], for_user: bool) -> Option<&Client> {
    let grant = if for_user {
        Grant::AuthorizationCode
    } else {
        Grant::ClientCredentials
    };
    clients.iter().find(|c| c.allows(grant))
}

/// The `resource` or `audience`, by the token endpoint's rules (RFC 8707 §2).
fn mint_audience(app: &App, asked: &MintRequest) -> Result<Option<String>, Resp> {
    let mut form = url::form_urlencoded::Serializer::new(String::new());
    if let Some(r) = &asked.resource {
        form.append_pair("resource", r);
    }
    if let Some(a) = &asked.audience {
        form.append_pair("audience", a);
    }
    let params = Params::parse(form.finish().as_bytes()).map_err(|e| bad(&e))?;
    requested_audience(&params, &app.issuer)
        .map_err(|e| Resp::oauth_error(400, "invalid_target", e))
}

/// 43 base64url characters: a SHA-256 thumbprint.
fn is_thumbprint(s: &str) -> bool {
    s.len() == 43
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::net::{Ipv4Addr, Ipv6Addr};

    fn req(peer: &str, method: &str, headers: &[(&str, &str)]) -> Req {
        Req {
            peer: Some(peer.parse().unwrap()),
            ..Req::for_tests(method, "/admin/clock", headers, b"{}")
        }
    }

    const JSON: (&str, &str) = ("Content-Type", "application/json");

    #[test]
    fn only_loopback_peers_reach_the_admin_endpoint() {
        assert!(gate(&req("127.0.0.1", "POST", &[JSON])).is_ok());
        assert!(gate(&req("127.8.9.10", "GET", &[])).is_ok());
        assert!(gate(&req("::1", "POST", &[JSON])).is_ok());
        assert!(gate(&req("::ffff:127.0.0.1", "POST", &[JSON])).is_ok());
        for peer in [
            "192.168.1.20",
            "10.0.0.1",
            "::ffff:192.168.1.20",
            "fe80::1",
            "0.0.0.0",
        ] {
            let refused = gate(&req(peer, "POST", &[JSON])).unwrap_err();
            assert_eq!(refused.status, 403, "{peer}");
            assert!(String::from_utf8_lossy(&refused.body).contains("loopback"));
        }
        let mut unknown = req("127.0.0.1", "GET", &[]);
        unknown.peer = None;
        assert_eq!(gate(&unknown).unwrap_err().status, 403);
        assert!(is_loopback(IpAddr::V4(Ipv4Addr::LOCALHOST)));
        assert!(!is_loopback(IpAddr::V6(Ipv6Addr::UNSPECIFIED)));
    }

    #[test]
    fn requests_a_browser_could_send_are_refused() {
        for origin in ["http://evil.example", "null", "http://127.0.0.1:9400"] {
            let r = gate(&req("127.0.0.1", "POST", &[JSON, ("Origin", origin)])).unwrap_err();
            assert_eq!(r.status, 403, "{origin}");
        }
        let cross = gate(&req(
            "127.0.0.1",
            "GET",
            &[("Sec-Fetch-Site", "cross-site")],
        ));
        assert_eq!(cross.unwrap_err().status, 403);
        assert!(gate(&req("127.0.0.1", "GET", &[("Sec-Fetch-Site", "none")])).is_ok());
        for ct in [
            "application/x-www-form-urlencoded",
            "text/plain",
            "multipart/form-data; boundary=x",
        ] {
            let r = gate(&req("127.0.0.1", "POST", &[("Content-Type", ct)])).unwrap_err();
            assert_eq!(r.status, 415, "{ct}");
        }
        assert_eq!(
            gate(&req("127.0.0.1", "POST", &[])).unwrap_err().status,
            415
        );
        assert!(
            gate(&req(
                "127.0.0.1",
                "POST",
                &[("Content-Type", "Application/JSON; charset=utf-8")]
            ))
            .is_ok()
        );
    }

    #[test]
    fn thumbprints_are_43_base64url_characters() {
        assert!(is_thumbprint("0ZcOCORZNYy-DWpqq30jZyJGHTN0d2HglBV3uiguA4I"));
        assert!(!is_thumbprint("0ZcOCORZNYy-DWpqq30jZyJGHTN0d2HglBV3uiguA4"));
        assert!(!is_thumbprint(
            "0ZcOCORZNYy+DWpqq30jZyJGHTN0d2HglBV3uiguA4I"
        ));
    }
}
