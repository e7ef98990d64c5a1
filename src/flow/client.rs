//! Talking to the authorization server as a client: client authentication (RFC 6749 §2.3.1:
//! `client_secret_basic` with form-urlencoded id and secret, `client_secret_post`, or a
//! public client's bare `client_id`; RFC 7523 §2.2 / OIDC Core §9: `private_key_jwt` and
//! `client_secret_jwt` with a fresh assertion for every request; RFC 8705 §2:
//! `tls_client_auth` and `self_signed_tls_client_auth`, the certificate presented by the
//! HTTP client and `client_id` in the body), DPoP proofs on every request when the login is
//! DPoP-bound (RFC 9449 §5) with one retry after `use_dpop_nonce` (§8), and the mapping of
//! token endpoint answers to errors.
//!
//! Starting DPoP unasked follows `oauth::dpop::suggests_dpop`: a client that may start it
//! (`ClientAuth::may_start_dpop`) and sent no proof repeats a refused request once with a
//! new proof key, if the request can be repeated (never an authorization code: that one only
//! remembers that the client needs DPoP, for the next login).

use std::fmt;
use std::sync::{Arc, Mutex, PoisonError};

use reqwest::header::{HeaderMap, WWW_AUTHENTICATE};
use url::Url;

// Proofs and assertions carry the wall clock, never an injected one: the server compares
// their `iat` with its own.
use crate::clock::{Clock as _, SystemClock};
use crate::error::{Error, Result};
use crate::http::HttpClient;
use crate::oauth::client_assertion::{self, Audience, Signer};
use crate::oauth::client_auth::{AuthMethod, Credential};
use crate::oauth::dpop;
use crate::oauth::errors::OAuthErrorResponse;
use crate::oauth::jose::{SigningAlg, SigningKey};
use crate::oauth::mtls::ClientCertificate;
use crate::oauth::secret::ClientSecret;
use crate::oauth::strict_json;
use crate::oauth::token_response::{self, TokenEndpointError, TokenResponse, oauth_error};
use crate::oauth::token_type::TokenType;
use crate::oauth::url_policy;

use super::dpop::{Dpop, Nonces};

/// A `private_key_jwt` client's key and the key id its registration gives it.
#[derive(Debug)]
pub struct AssertionKey {
    pub key: SigningKey,
    /// The `kid` to name in assertions; none: the server finds the key by its algorithm.
    pub kid: Option<String>,
}

/// What a client that sent no proof needs to start DPoP when the server asks for it.
#[derive(Debug, Clone)]
pub struct StartDpop {
    /// The algorithm of a new key (`oauth::dpop::key_alg` of the server's list).
    pub alg: SigningAlg,
    /// Where nonces and "this client needs DPoP" are kept.
    pub nonces: Arc<Nonces>,
    /// The authorization server, as the state file names it.
    pub issuer: String,
}

#[derive(Debug, Default)]
struct DpopSlot {
    current: Option<Dpop>,
    start: Option<StartDpop>,
}

/// The client's identity at the authorization server, and the DPoP key its requests are
/// proven with. Clones share the DPoP key: one started by a request is used by the next.
#[derive(Clone)]
pub struct ClientAuth {
    pub client_id: String,
    pub secret: Option<ClientSecret>,
    pub method: AuthMethod,
    /// `private_key_jwt`: the key assertions are signed with.
    pub key: Option<Arc<AssertionKey>>,
    /// The authorization server's issuer, the `aud` of assertions.
    pub issuer: Option<String>,
    /// Whether assertions name the issuer or the endpoint (a provider preset's quirk).
    pub audience: Audience,
    /// The client certificate (RFC 8705), presented on every request to the server.
    pub certificate: Option<Arc<ClientCertificate>>,
    dpop: Arc<Mutex<DpopSlot>>,
}

impl fmt::Debug for ClientAuth {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ClientAuth")
            .field("client_id", &self.client_id)
            .field("secret", &self.secret)
            .field("method", &self.method)
            .field("key", &self.key)
            .field("certificate", &self.certificate)
            .field("dpop", &self.dpop())
            .finish_non_exhaustive()
    }
}

impl ClientAuth {
    /// A client; the method defaults to `client_secret_basic` with a secret, `none` without.
    pub fn new(
        client_id: String,
        secret: Option<ClientSecret>,
        method: Option<AuthMethod>,
    ) -> Self {
        let method = method.unwrap_or(if secret.is_some() {
            AuthMethod::ClientSecretBasic
        } else {
            AuthMethod::None
        });
        Self {
            client_id,
            secret,
            method,
            key: None,
            issuer: None,
            audience: Audience::Issuer,
            certificate: None,
            dpop: Arc::default(),
        }
    }

    /// Whether the client authenticates: it has the credential its method needs.
    pub fn is_confidential(&self) -> bool {
        match self.method.credential() {
            Credential::Secret => self.secret.is_some(),
            Credential::PrivateKey => self.key.is_some(),
            Credential::Certificate => self.certificate.is_some(),
            Credential::Nothing => false,
        }
    }

    /// Proves every request with `dpop` (a DPoP-bound login).
    #[must_use]
    pub fn with_dpop(self, dpop: Dpop) -> Self {
        self.slot().current = Some(dpop);
        self
    }

    /// Lets a request start DPoP when the server's answer suggests it.
    #[must_use]
    pub fn may_start_dpop(self, start: StartDpop) -> Self {
        self.slot().start = Some(start);
        self
    }

    fn slot(&self) -> std::sync::MutexGuard<'_, DpopSlot> {
        self.dpop.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// The DPoP key requests are proven with, if any (given, or started by a request).
    pub fn dpop(&self) -> Option<Dpop> {
        self.slot().current.clone()
    }

    /// Starts DPoP after the server answered `error` to a request without a proof, when
    /// the rule says so (see the module documentation); `true` when it did, so that the
    /// request is repeated with a proof.
    pub fn start_dpop_after(&self, error: &OAuthErrorResponse) -> Result<bool> {
        self.start_dpop_if(|| dpop::suggests_dpop(true, error))
    }

    fn start_dpop_if(&self, suggested: impl FnOnce() -> bool) -> Result<bool> {
        let mut slot = self.slot();
        let Some(start) = slot.start.clone() else {
            return Ok(false);
        };
        if slot.current.is_some() || !suggested() {
            return Ok(false);
        }
        slot.current = Some(Dpop::generate(start.alg, start.nonces)?);
        Ok(true)
    }

    /// Records, after a request that needed DPoP succeeded with the proof this client
    /// started, that the client needs it: its next login binds from the start.
    pub(crate) fn remember_started_dpop(&self) {
        let start = self.slot().start.clone();
        if let Some(start) = start {
            let _ = start.nonces.set_required(&start.issuer, &self.client_id);
        }
    }

    /// After the server refused an authorization code sent without a proof as the rule
    /// says it would refuse a client that needs DPoP: remembers that, so that the next login
    /// binds its code from the start (the code itself is spent). `true` when it did.
    pub fn remember_dpop_need(&self, error: &OAuthErrorResponse) -> bool {
        let start = {
            let slot = self.slot();
            if slot.current.is_some() {
                return false;
            }
            slot.start.clone()
        };
        match start {
            Some(start) if dpop::suggests_dpop(true, error) => start
                .nonces
                .set_required(&start.issuer, &self.client_id)
                .is_ok(),
            _ => false,
        }
    }
}

/// The credentials of one request: form fields and HTTP Basic.
struct Credentials {
    form: Vec<(&'static str, String)>,
    basic: Option<(String, String)>,
}

/// The client authentication of a request to `endpoint`; the JWT methods sign a new
/// assertion every time (a server refuses a second use of one, also after
/// `use_dpop_nonce`).
fn credentials(client: &ClientAuth, endpoint: &Url) -> Result<Credentials> {
    let mut form = Vec::new();
    let mut basic = None;
    let id = || ("client_id", client.client_id.clone());
    let assertion = |signer: Signer<'_>| -> Result<Vec<(&'static str, String)>> {
        let aud = client.audience.value(client.issuer.as_deref(), endpoint);
        let jwt = client_assertion::assertion(signer, &client.client_id, &aud, SystemClock.now())
            .map_err(|e| Error::Other(format!("cannot sign the client assertion: {e}")))?;
        Ok(vec![
            id(),
            (
                "client_assertion_type",
                client_assertion::ASSERTION_TYPE.to_owned(),
            ),
            ("client_assertion", jwt),
        ])
    };
    match (client.method, &client.secret, &client.key) {
        (AuthMethod::ClientSecretBasic, Some(secret), _) => {
            basic = Some((client.client_id.clone(), secret.expose().to_owned()));
        }
        (AuthMethod::ClientSecretPost, Some(secret), _) => {
            form.push(id());
            form.push(("client_secret", secret.expose().to_owned()));
        }
        (AuthMethod::ClientSecretJwt, Some(secret), _) => form = assertion(Signer::Secret(secret))?,
        (AuthMethod::PrivateKeyJwt, _, Some(key)) => {
            form = assertion(Signer::Key {
                key: &key.key,
                kid: key.kid.as_deref(),
            })?;
        }
        (AuthMethod::PrivateKeyJwt, _, None) => {
            return Err(Error::config(
                "private_key_jwt needs the client's private key",
                Some(
                    "give it with --client-key-file FILE or client_key_file in the profile"
                        .to_owned(),
                ),
            ));
        }
        (AuthMethod::ClientSecretJwt, None, _) => {
            return Err(Error::config(
                "client_secret_jwt needs the client secret",
                Some(
                    "give it with --client-secret-file FILE or --client-secret-env VAR".to_owned(),
                ),
            ));
        }
        // The mTLS methods: the certificate is presented by the HTTP client; the body names
        // the client (RFC 8705 §2). A public client names itself the same way.
        _ => form.push(id()),
    }
    Ok(Credentials { form, basic })
}

/// Whether an answer asks for the server's nonce: `use_dpop_nonce` as an OAuth error (a
/// token or PAR endpoint, RFC 9449 §8) or in a `WWW-Authenticate: DPoP` challenge (§9).
fn asks_for_nonce(resp: &crate::http::Response) -> bool {
    let challenges = resp
        .headers
        .get_all(WWW_AUTHENTICATE)
        .iter()
        .filter_map(|v| v.to_str().ok());
    if dpop::asks_for_nonce(challenges) {
        return true;
    }
    resp.status >= 400
        && strict_json::object_from_slice(&resp.body)
            .ok()
            .and_then(|obj| oauth_error(&obj))
            .is_some_and(|e| dpop::error_asks_for_nonce(&e))
}

/// Whether an answer carries a `WWW-Authenticate: DPoP` challenge.
fn dpop_challenged(resp: &crate::http::Response) -> bool {
    let challenges = resp
        .headers
        .get_all(WWW_AUTHENTICATE)
        .iter()
        .filter_map(|v| v.to_str().ok());
    crate::oauth::www_authenticate::challenge_for(TokenType::DPoP, challenges).is_some()
}

/// POSTs `params` to a protocol endpoint (token, PAR, device authorization, introspection,
/// revocation) with client authentication and, for a DPoP-bound client, a proof; repeated
/// once with a new proof (and assertion) when the server asks for its nonce.
pub fn post_authenticated(
    http: &HttpClient,
    endpoint: &Url,
    client: &ClientAuth,
    params: &[(&str, &str)],
    headers: &HeaderMap,
) -> Result<crate::http::Response> {
    post(http, endpoint, client, params, headers, true)
}

/// [`post_authenticated`] without a DPoP proof, for an endpoint that takes none (device
/// authorization, RFC 8628 §3.1: the device code is bound when it is redeemed).
pub fn post_authenticated_unproven(
    http: &HttpClient,
    endpoint: &Url,
    client: &ClientAuth,
    params: &[(&str, &str)],
    headers: &HeaderMap,
) -> Result<crate::http::Response> {
    post(http, endpoint, client, params, headers, false)
}

fn post(
    http: &HttpClient,
    endpoint: &Url,
    client: &ClientAuth,
    params: &[(&str, &str)],
    headers: &HeaderMap,
    prove: bool,
) -> Result<crate::http::Response> {
    // The client certificate (mTLS) is presented by a client of its own.
    let with_certificate = client.certificate.as_ref().map(|c| http.for_certificate(c));
    let http = with_certificate.as_deref().unwrap_or(http);
    let mut retried = false;
    loop {
        let auth = credentials(client, endpoint)?;
        let mut form: Vec<(&str, &str)> = params.to_vec();
        form.extend(auth.form.iter().map(|(k, v)| (*k, v.as_str())));
        let mut headers = headers.clone();
        let dpop = client.dpop().filter(|_| prove);
        let mut used = None;
        if let Some(d) = &dpop {
            let proof = d.proof("POST", endpoint, None)?;
            headers.insert(dpop::PROOF_HEADER, proof.header);
            used = proof.nonce;
        }
        let basic = auth.basic.as_ref().map(|(i, s)| (i.as_str(), s.as_str()));
        let resp = http.post_form(endpoint, &form, basic, &headers)?;
        if let Some(d) = &dpop {
            d.observe(endpoint, &resp.headers);
            if !retried && asks_for_nonce(&resp) && d.has_new_nonce(endpoint, used.as_deref()) {
                retried = true;
                continue;
            }
        }
        return Ok(resp);
    }
}

/// Reads a token endpoint's answer: OAuth errors are exit 4, rate limiting and malformed
/// answers exit 5.
fn read_token_response(
    http: &HttpClient,
    endpoint: &Url,
    resp: &crate::http::Response,
) -> Result<TokenResponse> {
    // The token endpoint's clock, to explain an ID token that seems to come from the future.
    http.note_server_date(&resp.headers);
    if resp.status == 429 {
        let after = resp
            .headers
            .get(reqwest::header::RETRY_AFTER)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("a while");
        return Err(Error::BadResponse(format!(
            "the token endpoint is rate limiting this client (HTTP 429); retry after {after} s"
        )));
    }
    token_response::parse(resp.status, &resp.body).map_err(|e| match e {
        TokenEndpointError::OAuth(err) => Error::Rejected(err),
        TokenEndpointError::Malformed(m) => Error::BadResponse(format!(
            "the token endpoint {}: {m}",
            url_policy::display_base(endpoint)
        )),
    })
}

/// A DPoP-bound token is usable only with the key its request was proven with.
pub(crate) fn check_binding(client: &ClientAuth, response: TokenResponse) -> Result<TokenResponse> {
    if response.token_type == TokenType::DPoP && client.dpop().is_none() {
        return Err(Error::BadResponse(
            "the token endpoint issued a DPoP-bound token to a request without a DPoP proof; \
             it could not be used, so it is refused"
                .to_owned(),
        ));
    }
    Ok(response)
}

/// A token request that may be repeated (refresh, client credentials, the grants that need
/// no user): POST, check the answer, map OAuth errors to exit 4; when the answer suggests
/// DPoP and the client may start it, once more with a proof.
pub fn token_request(
    http: &HttpClient,
    endpoint: &Url,
    client: &ClientAuth,
    params: &[(&str, &str)],
    headers: &HeaderMap,
) -> Result<TokenResponse> {
    let resp = post_authenticated(http, endpoint, client, params, headers)?;
    let answer = read_token_response(http, endpoint, &resp);
    let started = match &answer {
        Err(Error::Rejected(e)) => client.start_dpop_after(e)?,
        Err(_) if dpop_challenged(&resp) => client.start_dpop_if(|| true)?,
        _ => false,
    };
    if !started {
        return answer.and_then(|r| check_binding(client, r));
    }
    let resp = post_authenticated(http, endpoint, client, params, headers)?;
    let response = read_token_response(http, endpoint, &resp)?;
    client.remember_started_dpop();
    check_binding(client, response)
}

/// The authorization code's token request (RFC 6749 §4.1.3): like [`token_request`], but
/// never repeated with a new proof key (the code may be spent); a refusal that suggests
/// DPoP is remembered for the next login instead (see [`ClientAuth::remember_dpop_need`]).
pub fn code_request(
    http: &HttpClient,
    endpoint: &Url,
    client: &ClientAuth,
    params: &[(&str, &str)],
    headers: &HeaderMap,
) -> Result<TokenResponse> {
    let resp = post_authenticated(http, endpoint, client, params, headers)?;
    read_token_response(http, endpoint, &resp).and_then(|r| check_binding(client, r))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn auth_method_defaults() {
        assert_eq!(
            ClientAuth::new("c".into(), None, None).method,
            AuthMethod::None
        );
        let c = ClientAuth::new("c".into(), Some("s3cret".into()), None);
        assert_eq!(c.method, AuthMethod::ClientSecretBasic);
        assert!(c.is_confidential());
        let shown = format!("{c:?}");
        assert!(!shown.contains("s3cret"), "{shown}");
        assert!(shown.contains("ClientSecret([redacted])"), "{shown}");
    }

    fn form(c: &Credentials) -> std::collections::BTreeMap<&str, &str> {
        c.form.iter().map(|(k, v)| (*k, v.as_str())).collect()
    }

    #[test]
    fn each_method_authenticates_its_way() {
        let endpoint = Url::parse("https://as.example/token").unwrap();
        let basic = ClientAuth::new("cli".into(), Some("s".into()), None);
        let c = credentials(&basic, &endpoint).unwrap();
        assert!(c.form.is_empty());
        assert_eq!(c.basic, Some(("cli".into(), "s".into())));
        let post = ClientAuth::new(
            "cli".into(),
            Some("s".into()),
            Some(AuthMethod::ClientSecretPost),
        );
        let c = credentials(&post, &endpoint).unwrap();
        assert_eq!(form(&c)["client_secret"], "s");
        assert_eq!(c.basic, None);
        // mTLS and public clients name themselves in the body.
        for m in [
            AuthMethod::TlsClientAuth,
            AuthMethod::SelfSignedTlsClientAuth,
            AuthMethod::None,
        ] {
            let c = credentials(&ClientAuth::new("cli".into(), None, Some(m)), &endpoint).unwrap();
            assert_eq!(form(&c), [("client_id", "cli")].into(), "{m:?}");
            assert_eq!(c.basic, None);
        }
    }

    #[test]
    fn jwt_methods_send_a_fresh_assertion_for_the_issuer() {
        use base64::Engine as _;
        let endpoint = Url::parse("https://as.example/token").unwrap();
        let mut client = ClientAuth::new("cli".into(), None, Some(AuthMethod::PrivateKeyJwt));
        assert!(!client.is_confidential());
        let Err(e) = credentials(&client, &endpoint) else {
            panic!("a private_key_jwt client without a key authenticated");
        };
        assert_eq!(e.exit_code(), 7);
        client.key = Some(Arc::new(AssertionKey {
            key: SigningKey::generate(SigningAlg::Es256).unwrap(),
            kid: Some("k1".into()),
        }));
        client.issuer = Some("https://as.example/".into());
        assert!(client.is_confidential());
        let claims = |c: &Credentials| -> serde_json::Value {
            let jwt = form(c)["client_assertion"].to_owned();
            serde_json::from_slice(
                &base64::engine::general_purpose::URL_SAFE_NO_PAD
                    .decode(jwt.split('.').nth(1).unwrap())
                    .unwrap(),
            )
            .unwrap()
        };
        let one = credentials(&client, &endpoint).unwrap();
        let two = credentials(&client, &endpoint).unwrap();
        assert_eq!(
            form(&one)["client_assertion_type"],
            "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
        );
        assert_eq!(form(&one)["client_id"], "cli");
        assert_eq!(claims(&one)["aud"], "https://as.example/");
        assert_ne!(claims(&one)["jti"], claims(&two)["jti"]);
        client.audience = Audience::Endpoint;
        assert_eq!(
            claims(&credentials(&client, &endpoint).unwrap())["aud"],
            "https://as.example/token"
        );
        let hs = ClientAuth::new(
            "cli".into(),
            Some("shared-secret".into()),
            Some(AuthMethod::ClientSecretJwt),
        );
        let c = credentials(&hs, &endpoint).unwrap();
        assert!(form(&c)["client_assertion"].split('.').count() == 3);
        assert!(!form(&c)["client_assertion"].contains("shared-secret"));
        assert_eq!(c.basic, None);
    }

    #[test]
    fn dpop_starts_only_when_allowed_and_suggested() {
        let nonces = Arc::new(Nonces::in_memory());
        let plain = ClientAuth::new("cli".into(), None, None);
        assert!(
            !plain
                .start_dpop_after(&OAuthErrorResponse::new("invalid_grant"))
                .unwrap()
        );
        let client = ClientAuth::new("cli".into(), None, None).may_start_dpop(StartDpop {
            alg: SigningAlg::Es256,
            nonces: Arc::clone(&nonces),
            issuer: "https://as.example".into(),
        });
        assert!(
            !client
                .start_dpop_after(&OAuthErrorResponse::new("invalid_scope"))
                .unwrap()
        );
        assert!(client.dpop().is_none());
        let shared = client.clone();
        assert!(
            client
                .start_dpop_after(&OAuthErrorResponse::new("invalid_grant"))
                .unwrap()
        );
        assert!(shared.dpop().is_some(), "clones share the started key");
        assert!(
            !client
                .start_dpop_after(&OAuthErrorResponse::new("invalid_grant"))
                .unwrap(),
            "once"
        );
        assert!(!nonces.is_required("https://as.example", "cli"));
        client.remember_started_dpop();
        assert!(nonces.is_required("https://as.example", "cli"));
    }
}
