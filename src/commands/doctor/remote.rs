//! What `doctor` checks at the authorization server: its metadata, the clock against its
//! `Date`, and the TLS chain.

use serde_json::Value;

use crate::error::{Error, NetworkKind};
use crate::oauth::discovery;
use crate::oauth::url_policy;

use super::{Finding, MAX_SKEW, Status, error_finding, finding};
use crate::commands::Context;

/// The issuer's metadata, fetched fresh: issuer match, endpoints, PKCE, DPoP, PAR, and the
/// clock against its `Date`.
pub(super) fn provider(ctx: &Context<'_>, issuer: &str, profile: &str) -> Vec<Finding> {
    let mut out = Vec::new();
    let http = match ctx.http() {
        Ok(h) => h,
        Err(e) => return vec![error_finding("provider", &e)],
    };
    let candidates = [discovery::oidc_url(issuer), discovery::oauth_url(issuer)];
    let mut found = None;
    for url in candidates.into_iter().flatten() {
        match http
            .checked_url(url.as_str())
            .and_then(|u| http.get_json(&u))
        {
            Ok(resp) if resp.status == 200 => {
                found = Some((url, resp));
                break;
            }
            Ok(_) => {}
            Err(e) => {
                let check = if matches!(
                    e,
                    Error::Network {
                        kind: NetworkKind::Certificate | NetworkKind::Tls,
                        ..
                    }
                ) {
                    "tls"
                } else {
                    "provider"
                };
                out.push(error_finding(check, &e));
                return out;
            }
        }
    }
    let Some((url, resp)) = found else {
        out.push(
            finding("provider", Status::Problem, format!("`{issuer}` publishes no discovery document"))
                .fix(format!("check the issuer URL of profile `{profile}` (`oauthctl providers` lists the presets)")),
        );
        return out;
    };
    // The clock, from the server's Date header.
    let date = resp
        .headers
        .get("date")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| httpdate::parse_http_date(v).ok())
        .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
        .and_then(|d| i64::try_from(d.as_secs()).ok());
    out.push(match date {
        None => finding("clock", Status::Skipped, "the server sent no Date header"),
        Some(date) => {
            let skew = date - ctx.clock().now();
            let how = if skew > 0 { "ahead of" } else { "behind" };
            let amount = humantime::format_duration(std::time::Duration::from_secs(skew.unsigned_abs()));
            if skew.abs() > MAX_SKEW {
                finding(
                    "clock",
                    Status::Problem,
                    format!("the authorization server's clock is {amount} {how} this computer's; tokens will look issued in the future or already expired"),
                )
                .fix("set the clock right: sudo timedatectl set-ntp true (or run an NTP client)")
            } else {
                finding("clock", Status::Ok, format!("within {MAX_SKEW}s of the authorization server's ({skew:+}s)"))
            }
        }
    });
    let doc: Value = if let Ok(Value::Object(m)) = serde_json::from_slice(&resp.body) {
        Value::Object(m)
    } else {
        out.push(finding(
            "metadata",
            Status::Problem,
            format!("{} is not a JSON object", url_policy::display_base(&url)),
        ));
        return out;
    };
    let s = |name: &str| doc.get(name).and_then(Value::as_str);
    let list = |name: &str| -> Vec<String> {
        doc.get(name)
            .and_then(Value::as_array)
            .map(|a| {
                a.iter()
                    .filter_map(Value::as_str)
                    .map(str::to_owned)
                    .collect()
            })
            .unwrap_or_default()
    };
    match s("issuer") {
        Some(found) if found == issuer => out.push(finding("metadata", Status::Ok, format!("issuer `{issuer}` matches {}", url_policy::display_base(&url)))),
        found => out.push(
            finding(
                "metadata",
                Status::Problem,
                format!(
                    "{} names issuer `{}`, but `{issuer}` was asked for (issuers must match exactly)",
                    url_policy::display_base(&url),
                    found.unwrap_or("(none)")
                ),
            )
            .fix(match found {
                Some(f) => format!("use the issuer exactly as published: issuer = \"{f}\" in [profiles.{profile}] of the configuration, or --issuer {f}"),
                None => "the server's metadata has no `issuer`: check the issuer URL".to_owned(),
            }),
        ),
    }
    let mut unsafe_endpoints = Vec::new();
    for name in [
        "authorization_endpoint",
        "token_endpoint",
        "device_authorization_endpoint",
        "introspection_endpoint",
        "revocation_endpoint",
        "userinfo_endpoint",
        "jwks_uri",
        "pushed_authorization_request_endpoint",
    ] {
        if let Some(v) = s(name)
            && let Err(why) = url_policy::check(v, ctx.flags.insecure_http)
        {
            unsafe_endpoints.push(format!("{name} ({why})"));
        }
    }
    out.push(if unsafe_endpoints.is_empty() {
        finding("endpoints", Status::Ok, "every endpoint is https (or http on loopback)")
    } else {
        finding("endpoints", Status::Problem, format!("refused: {}", unsafe_endpoints.join("; ")))
            .fix("the provider must publish https endpoints; for a test server reached over plain http, add --insecure-http")
    });
    let pkce = list("code_challenge_methods_supported");
    out.push(if pkce.iter().any(|m| m == "S256") {
        finding("pkce", Status::Ok, "PKCE S256 advertised")
    } else {
        finding(
            "pkce",
            Status::Warn,
            "PKCE S256 is not advertised (code_challenge_methods_supported); oauthctl sends it anyway",
        )
    });
    let dpop = list("dpop_signing_alg_values_supported");
    out.push(if dpop.is_empty() {
        finding(
            "dpop",
            Status::Ok,
            "DPoP not advertised: tokens are bearer tokens",
        )
    } else {
        finding(
            "dpop",
            Status::Ok,
            format!("DPoP advertised ({})", dpop.join(", ")),
        )
    });
    out.push(
        match (
            s("pushed_authorization_request_endpoint"),
            doc.get("require_pushed_authorization_requests"),
        ) {
            (Some(_), Some(Value::Bool(true))) => {
                finding("par", Status::Ok, "PAR advertised and required")
            }
            (Some(_), _) => finding("par", Status::Ok, "PAR advertised"),
            (None, _) => finding("par", Status::Ok, "PAR not advertised"),
        },
    );
    out
}

/// The TLS chain of `raw` (an https URL): a HEAD request through the same trust as every
/// other request (system roots, `SSL_CERT_FILE`, `--cacert`).
pub(super) fn tls(ctx: &Context<'_>, raw: &str) -> Finding {
    let url = match url::Url::parse(raw) {
        Ok(u) => u,
        Err(e) => return finding("tls", Status::Problem, format!("`{raw}` is not a URL: {e}")),
    };
    if url.scheme() != "https" {
        return finding(
            "tls",
            Status::Skipped,
            format!("{} is not https", url_policy::display_base(&url)),
        );
    }
    let http = match ctx.http() {
        Ok(h) => h,
        Err(e) => return error_finding("tls", &e),
    };
    let sent = http
        .client_for(&url)
        .and_then(|c| http.send(c.head(url.clone()), &url, 0));
    match sent {
        Ok(_) | Err(Error::BadResponse(_)) => finding(
            "tls",
            Status::Ok,
            format!(
                "the certificate chain of {} is trusted",
                url_policy::display_base(&url)
            ),
        ),
        Err(
            e @ Error::Network {
                kind: NetworkKind::Certificate,
                ..
            },
        ) => finding("tls", Status::Problem, e.to_string()).fix(format!(
            "trust the CA that issued it: {} (or export SSL_CERT_FILE=CA.pem)",
            ctx.ui.rerun.command("--cacert CA.pem doctor")
        )),
        Err(e) => error_finding("tls", &e),
    }
}
