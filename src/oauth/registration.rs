//! Dynamic client registration (RFC 7591), the pure part: what oauthctl asks to be (a public
//! native client with a loopback redirect, RFC 8252 §8.4), how the answer is read, and which
//! client authentication the registered client uses. The answer decides, not the request:
//! a server may hand out a secret and another authentication method than the one asked for
//! (RFC 7591 §3.2.1). `flow::registration` sends the request.

use serde_json::{Value, json};

use super::client_auth::AuthMethod;
use super::errors::EndpointError;
use super::secret::{ClientSecret, RegistrationAccessToken};
use super::strict_json;
use super::token_chars::{TokenSyntax, check_token_chars};
use super::token_response::oauth_error;
use super::url_policy;

/// The `client_name` oauthctl registers under.
pub(crate) const CLIENT_NAME: &str = "oauthctl";

/// The registration request body (RFC 7591 §2): a native application (OpenID Connect
/// Dynamic Client Registration §2 `application_type`), a public client
/// (`token_endpoint_auth_method` `none`, RFC 8252 §8.4) using the authorization code grant
/// with refresh tokens, and the loopback `redirect_uri` of this login.
pub(crate) fn request_body(redirect_uri: &str) -> Value {
    json!({
        "client_name": CLIENT_NAME,
        "redirect_uris": [redirect_uri],
        "grant_types": ["authorization_code", "refresh_token"],
        "response_types": ["code"],
        "token_endpoint_auth_method": "none",
        "application_type": "native",
    })
}

/// A registered client, as the server described it. (The members are named as in RFC
/// 7591 §3.2.1.)
#[allow(clippy::struct_field_names)]
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Registration {
    pub client_id: String,
    /// The secret, when the server issued one (even to a client that asked for none).
    pub client_secret: Option<ClientSecret>,
    /// When the secret expires, Unix seconds; `None` or `Some(0)`: never (RFC 7591 §3.2.1).
    pub client_secret_expires_at: Option<i64>,
    /// The method the server registered, by its name (`None`: not stated).
    pub token_endpoint_auth_method: Option<String>,
    /// The token for reading, updating and deleting the registration (RFC 7592), if any.
    pub registration_access_token: Option<RegistrationAccessToken>,
    /// Where the registration can be managed (RFC 7592 §2), if said.
    pub registration_client_uri: Option<String>,
}

impl Registration {
    /// The client authentication method to use at the token endpoint: the one the server
    /// registered when it names a method oauthctl speaks; otherwise, with a secret,
    /// `client_secret_basic` unless the server's metadata lists only `client_secret_post`
    /// (RFC 8414 §2: basic is the default), and `none` without one.
    pub(crate) fn auth_method(&self, supported: Option<&[String]>) -> AuthMethod {
        if let Some(m) = self
            .token_endpoint_auth_method
            .as_deref()
            .and_then(AuthMethod::from_name)
        {
            return m;
        }
        if self.client_secret.is_none() {
            return AuthMethod::None;
        }
        secret_method(supported)
    }
}

/// The method a client with a secret uses at a server that lists `supported`:
/// `client_secret_basic` when listed or when nothing is listed (RFC 8414 §2's default),
/// else `client_secret_post` when listed, else basic.
pub(crate) fn secret_method(supported: Option<&[String]>) -> AuthMethod {
    let listed = |m: AuthMethod| supported.is_some_and(|l| l.iter().any(|s| s == m.as_str()));
    if supported.is_none() || listed(AuthMethod::ClientSecretBasic) {
        AuthMethod::ClientSecretBasic
    } else if listed(AuthMethod::ClientSecretPost) {
        AuthMethod::ClientSecretPost
    } else {
        AuthMethod::ClientSecretBasic
    }
}

/// Reads the registration endpoint's answer (RFC 7591 §3.2): `201` (or `200`) with the
/// client information, or an error response (exit 4 as any OAuth error). The members must
/// have their types, the client id and secret must be visible ASCII (they travel in forms
/// and headers), and a `registration_client_uri` must pass the URL policy. A server that
/// registered other redirect URIs than the one asked for cannot complete this login: that is
/// refused too.
pub(crate) fn parse_response(
    status: u16,
    body: &[u8],
    redirect_uri: &str,
    insecure_http: bool,
) -> Result<Registration, EndpointError> {
    let malformed = |m: String| EndpointError::Malformed(format!("the registration answer {m}"));
    if (300..400).contains(&status) {
        return Err(malformed(format!(
            "is a redirect (HTTP {status}); it is not followed"
        )));
    }
    let obj = match strict_json::object_from_slice(body) {
        Ok(obj) => obj,
        Err(e) => {
            return Err(malformed(format!(
                "(HTTP {status}) is not a JSON object: {e}"
            )));
        }
    };
    if let Some(err) = oauth_error(&obj) {
        return Err(EndpointError::OAuth(err));
    }
    if !(200..300).contains(&status) {
        return Err(malformed(format!(
            "is HTTP {status} without an OAuth error"
        )));
    }
    let text = |name: &str| -> Result<Option<String>, EndpointError> {
        match obj.get(name) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::String(s)) => Ok(Some(s.clone())),
            Some(other) => Err(malformed(format!(
                "has `{name}` as {}, not a string",
                strict_json::kind(other)
            ))),
        }
    };
    let visible = |name: &str, value: &str, syntax| {
        check_token_chars(value, syntax).map_err(|e| malformed(format!("has a `{name}` that {e}")))
    };
    let client_id = text("client_id")?
        .filter(|c| !c.is_empty())
        .ok_or_else(|| malformed("has no `client_id`".to_owned()))?;
    visible("client_id", &client_id, TokenSyntax::Visible)?;
    let client_secret = text("client_secret")?.filter(|s| !s.is_empty());
    if let Some(s) = &client_secret {
        // RFC 6749 Appendix A.2: a secret is VSCHAR (a space is allowed).
        visible("client_secret", s, TokenSyntax::VisibleOrSpace)?;
    }
    let registration_access_token = text("registration_access_token")?;
    if let Some(t) = &registration_access_token {
        visible("registration_access_token", t, TokenSyntax::Visible)?;
    }
    let registration_client_uri = text("registration_client_uri")?;
    if let Some(u) = &registration_client_uri {
        url_policy::check(u, insecure_http)
            .map_err(|e| malformed(format!("has an unsafe `registration_client_uri`: {e}")))?;
    }
    let client_secret_expires_at = match obj.get("client_secret_expires_at") {
        None | Some(Value::Null) => None,
        Some(Value::Number(n)) => Some(n.as_i64().ok_or_else(|| {
            malformed("has a `client_secret_expires_at` out of range".to_owned())
        })?),
        Some(other) => {
            return Err(malformed(format!(
                "has `client_secret_expires_at` as {}, not a number",
                strict_json::kind(other)
            )));
        }
    };
    match obj.get("redirect_uris") {
        None | Some(Value::Null) => {}
        Some(Value::Array(uris)) if uris.iter().any(|u| u.as_str() == Some(redirect_uri)) => {}
        Some(_) => {
            return Err(malformed(format!(
                "registers other redirect URIs than {redirect_uri}, so this login could not \
                 come back"
            )));
        }
    }
    Ok(Registration {
        client_id,
        client_secret: client_secret.map(ClientSecret::new),
        client_secret_expires_at,
        token_endpoint_auth_method: text("token_endpoint_auth_method")?,
        registration_access_token: registration_access_token.map(RegistrationAccessToken::new),
        registration_client_uri,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const REDIRECT: &str = "http://127.0.0.1:4567/callback";

    fn parse(status: u16, body: &str) -> Result<Registration, EndpointError> {
        parse_response(status, body.as_bytes(), REDIRECT, false)
    }

    #[test]
    fn the_request_asks_for_a_public_native_client() {
        let body = request_body(REDIRECT);
        assert_eq!(body["redirect_uris"], json!([REDIRECT]));
        assert_eq!(body["application_type"], "native");
        assert_eq!(body["token_endpoint_auth_method"], "none");
        assert_eq!(
            body["grant_types"],
            json!(["authorization_code", "refresh_token"])
        );
        assert_eq!(body["response_types"], json!(["code"]));
        assert!(body.get("scope").is_none());
    }

    #[test]
    fn the_answer_decides_the_secret_and_the_method() {
        // What the MCP conformance server answers by default: a secret although only
        // `none` is supported, and no method.
        let r = parse(
            201,
            r#"{"client_id":"test-client-id","client_secret":"test-client-secret","client_name":"oauthctl","redirect_uris":["http://127.0.0.1:4567/callback"]}"#,
        )
        .unwrap();
        assert_eq!(r.client_id, "test-client-id");
        assert_eq!(
            r.client_secret.as_ref().map(ClientSecret::expose),
            Some("test-client-secret")
        );
        let none = vec!["none".to_owned()];
        assert_eq!(r.auth_method(Some(&none)), AuthMethod::ClientSecretBasic);
        assert_eq!(r.auth_method(None), AuthMethod::ClientSecretBasic);
        let post = vec!["client_secret_post".to_owned()];
        assert_eq!(r.auth_method(Some(&post)), AuthMethod::ClientSecretPost);
        // The registered method wins.
        for (method, expected) in [
            ("client_secret_post", AuthMethod::ClientSecretPost),
            ("client_secret_basic", AuthMethod::ClientSecretBasic),
            ("none", AuthMethod::None),
        ] {
            let r = parse(
                201,
                &format!(
                    r#"{{"client_id":"c","client_secret":"s","token_endpoint_auth_method":"{method}"}}"#
                ),
            )
            .unwrap();
            assert_eq!(r.auth_method(Some(&none)), expected, "{method}");
        }
        // No secret: a public client, whatever the server lists.
        let r = parse(
            200,
            r#"{"client_id":"c","token_endpoint_auth_method":"none","registration_access_token":"rat","registration_client_uri":"https://as.example/register/c","client_secret_expires_at":0}"#,
        )
        .unwrap();
        assert_eq!(r.auth_method(Some(&post)), AuthMethod::None);
        assert!(r.registration_access_token.is_some());
        assert!(!format!("{r:?}").contains("rat\""), "{r:?}");
        let r = parse(
            201,
            r#"{"client_id":"c","client_secret":"s","client_secret_expires_at":100}"#,
        )
        .unwrap();
        assert_eq!(r.client_secret_expires_at, Some(100));
    }

    #[test]
    fn errors_and_malformed_answers() {
        let e = parse(
            400,
            r#"{"error":"invalid_redirect_uri","error_description":"no"}"#,
        )
        .unwrap_err();
        assert!(matches!(e, EndpointError::OAuth(ref o) if o.error == "invalid_redirect_uri"));
        let bad = [
            (201, r#"{"client_secret":"s"}"#),
            (201, r#"{"client_id":""}"#),
            (201, r#"{"client_id":7}"#),
            (201, r#"{"client_id":"a\r\nb"}"#),
            (201, r#"{"client_id":"c","client_secret":"s\u0000"}"#),
            (201, r#"{"client_id":"c","client_id":"d"}"#),
            (
                201,
                r#"{"client_id":"c","client_secret_expires_at":"soon"}"#,
            ),
            (
                201,
                r#"{"client_id":"c","registration_client_uri":"http://evil.example/r"}"#,
            ),
            (
                201,
                r#"{"client_id":"c","redirect_uris":["http://127.0.0.1:1/other"]}"#,
            ),
            (500, r#"{"client_id":"c"}"#),
            (302, ""),
            (201, "<html>"),
        ];
        for (status, body) in bad {
            let e = parse(status, body).unwrap_err();
            assert!(
                matches!(e, EndpointError::Malformed(_)),
                "{status} {body}: {e}"
            );
        }
        // A secret never shows in a message.
        let e = parse(201, r#"{"client_id":"c","client_secret":"hunter2\n"}"#).unwrap_err();
        assert!(!e.to_string().contains("hunter2"), "{e}");
    }
}
