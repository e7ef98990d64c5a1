//! A refused token explained: what a `401`/`403` challenge says (RFC 6750 §3), whether a
//! refresh may help, and the command that gets a token the API accepts.

use std::fmt::Write as _;

use reqwest::header;
use url::Url;

use super::Credential;
use crate::commands::Context;
use crate::http::exchange::Exchange;
use crate::oauth::grant::Grant;
use crate::oauth::token_type::TokenType;
use crate::oauth::www_authenticate::{self, Challenge};
use crate::text::sanitize;

/// The challenge of a `401` or `403` for a `token_type` token (RFC 6750 §3 for `Bearer`),
/// if there is one.
pub(super) fn refusal_in(exchange: &Exchange, token_type: TokenType) -> Option<Refusal> {
    let status = exchange.response.status().as_u16();
    if status != 401 && status != 403 {
        return None;
    }
    let values = || {
        exchange
            .response
            .headers()
            .get_all(header::WWW_AUTHENTICATE)
            .iter()
            .filter_map(|v| v.to_str().ok())
    };
    if let Some(challenge) = www_authenticate::challenge_for(token_type, values()) {
        return Some(Refusal::from_challenge(status, &challenge));
    }
    // A token that needs no proof, refused by an API that names only DPoP (RFC 9449 §7.1):
    // it wants DPoP-bound tokens.
    let dpop = (!token_type.needs_proof())
        .then(|| www_authenticate::challenge_for(TokenType::DPoP, values()))
        .flatten()?;
    let mut refusal = Refusal::from_challenge(status, &dpop);
    refusal.wants_dpop = true;
    Some(refusal)
}

/// What a `401`/`403` Bearer challenge says (RFC 6750 §3).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Refusal {
    status: u16,
    error: Option<String>,
    description: Option<String>,
    /// The scopes the API requires (`scope`, space-separated).
    scope: Vec<String>,
    /// Where the API's protected resource metadata is (RFC 9728 §5.1).
    resource_metadata: Option<String>,
    /// The API challenged with DPoP only: it wants a DPoP-bound token (RFC 9449 §7.1).
    wants_dpop: bool,
}

impl Refusal {
    fn from_challenge(status: u16, c: &Challenge) -> Self {
        Self {
            status,
            error: c.param("error").map(str::to_owned),
            description: c.param("error_description").map(str::to_owned),
            scope: c
                .param("scope")
                .map(|s| s.split_whitespace().map(str::to_owned).collect())
                .unwrap_or_default(),
            resource_metadata: c.param("resource_metadata").map(str::to_owned),
            wants_dpop: false,
        }
    }

    fn is(&self, error: &str) -> bool {
        self.error.as_deref() == Some(error)
    }

    /// An `invalid_token` whose description is about the audience (`aud`): the token is
    /// for another API, and a refresh would only bring another one like it.
    fn about_audience(&self) -> bool {
        self.is("invalid_token")
            && self.description.as_deref().is_some_and(|d| {
                d.split(|c: char| !c.is_ascii_alphanumeric())
                    .any(|w| w.eq_ignore_ascii_case("aud") || w.eq_ignore_ascii_case("audience"))
            })
    }

    /// Whether refreshing the token and repeating the request may help: a `401` with
    /// `invalid_token` (RFC 6750 §3.1: expired, revoked, …) that is not about the audience.
    /// `insufficient_scope` never is: a refresh keeps the scopes (RFC 6749 §6).
    pub(super) fn refresh_may_help(&self) -> bool {
        self.status == 401 && self.is("invalid_token") && !self.about_audience() && !self.wants_dpop
    }

    /// `invalid_token: the token expired (required scope: a b)`, sanitised.
    fn describe(&self) -> String {
        if self.wants_dpop {
            return "it accepts DPoP-bound tokens only (WWW-Authenticate: DPoP)".to_owned();
        }
        let mut text = self.error.as_deref().map_or_else(
            || "its challenge gives no error code".to_owned(),
            |e| sanitize::line(e).into_owned(),
        );
        if let Some(d) = &self.description {
            let _ = write!(text, ": {}", sanitize::line(d));
        }
        if !self.scope.is_empty() {
            let _ = write!(
                text,
                " (required scope: {})",
                sanitize::line(&self.scope.join(" "))
            );
        }
        text
    }
}

/// Explains a `401`/`403` on stderr: what the API said, and the command that gets a token
/// it accepts (one that works as printed, with the user's profile flags).
pub(super) fn explain(ctx: &Context<'_>, refusal: &Refusal, credential: &Credential, url: &Url) {
    ctx.ui.info(&format!(
        "The API refused the token (HTTP {}): {}",
        refusal.status,
        refusal.describe()
    ));
    let resource = if refusal.about_audience() {
        resource_identifier(ctx, refusal, url)
    } else {
        url.origin().ascii_serialization()
    };
    if let Some(hint) = advice(ctx.flags, refusal, credential, &resource) {
        ctx.ui.info(&format!("hint: {hint}"));
    }
}

/// The API's resource identifier (RFC 8707) for a `--resource` hint: the `resource` its
/// protected resource metadata names, when the challenge points to metadata on the API's own
/// origin (RFC 9728 §5.1) and that identifier is the URL called or a prefix of it at a
/// path-segment boundary (RFC 9728 §3.3 asks for the URL itself; an identifier covering
/// several paths is common). Otherwise, or when the metadata cannot be read, the URL's origin.
/// Nothing secret is sent for it: a plain GET through the protocol client.
fn resource_identifier(ctx: &Context<'_>, refusal: &Refusal, url: &Url) -> String {
    let origin = url.origin().ascii_serialization();
    let from_metadata = || -> Option<String> {
        let http = ctx.http().ok()?;
        let meta = http
            .checked_url(refusal.resource_metadata.as_deref()?)
            .ok()?;
        if meta.origin() != url.origin() {
            return None;
        }
        let resp = http.get_json(&meta).ok().filter(|r| r.status == 200)?;
        let doc: serde_json::Value = serde_json::from_slice(&resp.body).ok()?;
        let raw = doc.get("resource")?.as_str()?;
        let resource = Url::parse(raw).ok()?;
        let prefix = resource.path().trim_end_matches('/');
        let covers = resource.origin() == url.origin()
            && resource.query().is_none()
            && resource.fragment().is_none()
            && url
                .path()
                .strip_prefix(prefix)
                .is_some_and(|rest| rest.is_empty() || rest.starts_with('/'));
        // The identifier exactly as published: servers compare it as a string.
        covers.then(|| raw.to_owned())
    };
    from_metadata().unwrap_or(origin)
}

/// The next step after a refusal, if there is one to suggest.
fn advice(
    global: &crate::config::Flags,
    refusal: &Refusal,
    credential: &Credential,
    resource: &str,
) -> Option<String> {
    match credential {
        Credential::External { origin, .. } if refusal.wants_dpop => Some(format!(
            "the token from {origin} is a bearer token; the API wants a DPoP-bound one, \
             sent with a proof per request"
        )),
        Credential::Profile { tokens, .. } if refusal.wants_dpop => Some(format!(
            "log in binding the tokens to a DPoP key: {}",
            login_command(global, tokens.grant, &["--dpop"])
        )),
        Credential::External { origin, .. } => {
            if refusal.is("insufficient_scope") && !refusal.scope.is_empty() {
                Some(format!(
                    "the token from {origin} lacks scope `{}`; get one that has it",
                    sanitize::line(&refusal.scope.join(" "))
                ))
            } else if refusal.about_audience() {
                Some(format!(
                    "the token from {origin} was issued for another API (audience); get one \
                     for {resource}"
                ))
            } else if refusal.is("invalid_token") {
                Some(format!(
                    "the token from {origin} is not accepted (expired or revoked?): get a new \
                     one; `oauthctl decode` shows its claims and expiry"
                ))
            } else {
                None
            }
        }
        Credential::Profile { session, tokens } => {
            let login = |extra: &[&str]| login_command(global, tokens.grant, extra);
            if refusal.is("insufficient_scope") && !refusal.scope.is_empty() {
                let missing: Vec<&str> = refusal
                    .scope
                    .iter()
                    .map(String::as_str)
                    .filter(|s| !tokens.scope.iter().any(|g| g == s))
                    .collect();
                if missing.is_empty() {
                    return Some(format!(
                        "the token already has scope `{}`; the API wants more than a scope \
                         (a role or another user, say): ask its owner",
                        sanitize::line(&refusal.scope.join(" "))
                    ));
                }
                let mut wanted: Vec<&str> = if session.entry.scopes.is_empty() {
                    tokens.scope.iter().map(String::as_str).collect()
                } else {
                    session.entry.scopes.iter().map(String::as_str).collect()
                };
                for s in &refusal.scope {
                    if !wanted.contains(&s.as_str()) {
                        wanted.push(s);
                    }
                }
                let scopes = wanted.join(" ");
                Some(format!(
                    "the token lacks scope `{}`; log in asking for it: {}",
                    sanitize::line(&missing.join(" ")),
                    login(&["--scope", &scopes])
                ))
            } else if refusal.about_audience() {
                // A profile that named its API with `audience` (Auth0 and others) keeps
                // that parameter; otherwise the RFC 8707 resource indicator.
                let flag = if session.entry.audience.is_some() && session.entry.resource.is_none() {
                    "--audience"
                } else {
                    "--resource"
                };
                Some(format!(
                    "the token is for another API (audience); log in for this one: {}",
                    login(&[flag, resource])
                ))
            } else if refusal.is("invalid_token") {
                Some(format!(
                    "the token is still not accepted; log in again: {}",
                    login(&[])
                ))
            } else {
                None
            }
        }
    }
}

/// `oauthctl [--config F] [-p P] [--provider X] [--issuer U] [--client-id C] login [--flow …]
/// EXTRA…`, shell-quoted: the profile-selecting flags exactly as the user gave them, so the
/// command works as printed.
fn login_command(global: &crate::config::Flags, grant: Grant, extra: &[&str]) -> String {
    let config = global
        .config
        .as_ref()
        .map(|c| c.to_string_lossy().into_owned());
    let mut words: Vec<&str> = vec!["oauthctl"];
    let flags = [
        ("--config", config.as_deref()),
        ("-p", global.profile.as_deref()),
        ("--provider", global.provider.as_deref()),
        ("--issuer", global.issuer.as_deref()),
        ("--client-id", global.client_id.as_deref()),
    ];
    for (flag, value) in flags {
        if let Some(v) = value {
            words.extend([flag, v]);
        }
    }
    words.push("login");
    match grant {
        Grant::ClientCredentials => words.extend(["--flow", "client-credentials"]),
        Grant::DeviceCode => words.extend(["--flow", "device"]),
        // Both repeat the profile's last exchange or assertion (signed anew from its key).
        Grant::TokenExchange => words.extend(["--flow", "token-exchange"]),
        Grant::JwtBearer => words.extend(["--flow", "jwt-bearer"]),
        Grant::AuthorizationCode | Grant::RefreshToken => {}
    }
    words.extend(extra);
    let text = shlex::try_join(words.iter().copied()).unwrap_or_else(|_| words.join(" "));
    format!("`{}`", sanitize::line(&text))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn refusal(status: u16, challenge: &str) -> Refusal {
        Refusal::from_challenge(status, &www_authenticate::parse(challenge)[0])
    }

    #[test]
    fn refusals_say_whether_a_refresh_can_help() {
        let expired = refusal(
            401,
            r#"Bearer error="invalid_token", error_description="expired""#,
        );
        assert!(expired.refresh_may_help());
        for audience in [
            r#"Bearer error="invalid_token", error_description="wrong audience""#,
            r#"Bearer error="invalid_token", error_description="Invalid AUD claim""#,
            r#"Bearer error="invalid_token", error_description="aud mismatch""#,
        ] {
            let r = refusal(401, audience);
            assert!(r.about_audience() && !r.refresh_may_help(), "{audience}");
        }
        // "audit" is not about the audience.
        assert!(
            refusal(
                401,
                r#"Bearer error="invalid_token", error_description="audit failed""#
            )
            .refresh_may_help()
        );
        let scope = refusal(
            403,
            "Bearer error=\"insufficient_scope\", scope=\"a b\", error_description=\"x\u{1b}[2J\"",
        );
        assert!(!scope.refresh_may_help());
        assert_eq!(scope.scope, ["a", "b"]);
        assert_eq!(
            scope.describe(),
            "insufficient_scope: x\\u{1b}[2J (required scope: a b)"
        );
        assert!(!refusal(401, r#"Bearer realm="api""#).refresh_may_help());
    }

    #[test]
    fn an_api_that_wants_dpop_says_so() {
        let mut r = refusal(401, r#"DPoP error="invalid_token", algs="ES256""#);
        r.wants_dpop = true;
        assert!(
            !r.refresh_may_help(),
            "a refresh brings another bearer token"
        );
        assert!(r.describe().contains("DPoP-bound tokens only"));
        let tokens = crate::oauth::tokens::TokenSet {
            access_token: crate::oauth::secret::AccessToken::new("at"),
            token_type: TokenType::Bearer,
            expires_at: None,
            refresh_token: None,
            id_token: None,
            scope: vec![],
            grant: Grant::AuthorizationCode,
            issuer: "https://as.example".into(),
            client_id: "cli".into(),
            obtained_at: 0,
            dpop_key: None,
            issued_token_type: None,
        };
        let external = Credential::External {
            token: tokens.access_token.clone(),
            origin: "$T".into(),
        };
        let global = crate::config::Flags::default();
        let hint = advice(&global, &r, &external, "https://api.example").unwrap();
        assert!(hint.contains("DPoP-bound"), "{hint}");
        assert_eq!(
            login_command(&global, tokens.grant, &["--dpop"]),
            "`oauthctl login --dpop`"
        );
    }

    #[test]
    fn login_hints_keep_the_users_profile_flags() {
        let mut global = crate::config::Flags::default();
        assert_eq!(
            login_command(&global, Grant::AuthorizationCode, &["--scope", "a b"]),
            "`oauthctl login --scope 'a b'`"
        );
        global.provider = Some("local@9401".into());
        global.profile = Some("my work".into());
        global.config = Some("conf dir/c.toml".into());
        assert_eq!(
            login_command(
                &global,
                Grant::ClientCredentials,
                &["--resource", "https://x/api"]
            ),
            "`oauthctl --config 'conf dir/c.toml' -p 'my work' --provider local@9401 login \
             --flow client-credentials --resource https://x/api`"
        );
        global = crate::config::Flags::default();
        assert_eq!(
            login_command(&global, Grant::DeviceCode, &[]),
            "`oauthctl login --flow device`"
        );
        assert_eq!(
            login_command(&global, Grant::TokenExchange, &["--scope", "api:read"]),
            "`oauthctl login --flow token-exchange --scope api:read`"
        );
        assert_eq!(
            login_command(&global, Grant::JwtBearer, &[]),
            "`oauthctl login --flow jwt-bearer`"
        );
    }
}
