//! `AuthorizationRequest::parse`, refusal by refusal. tests/serve/authorize.rs drives the
//! same rules end to end through `/authorize`.

use super::*;
use crate::devserver::Registry;

const CB: &str = "http://127.0.0.1:53682/callback";
/// A syntactically valid S256 challenge (43 characters).
const CHALLENGE: &str = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM";

/// The default registry plus a confidential code-flow client `web` (PKCE optional) and a
/// client `machine` with a redirect URI but only the client credentials grant.
fn registry() -> Registry {
    let mut r = Registry::default();
    r.clients.push(Client {
        id: "web".into(),
        secret: Some("web-secret".into()),
        redirect_uris: vec!["https://app.example/cb".into()],
        grant_types: vec![Grant::AuthorizationCode],
        scopes: vec![],
        roles: vec![],
        introspect_any: false,
    });
    r.clients.push(Client {
        id: "machine".into(),
        secret: Some("machine-secret".into()),
        redirect_uris: vec!["https://machine.example/cb".into()],
        grant_types: vec![Grant::ClientCredentials],
        scopes: vec![],
        roles: vec![],
        introspect_any: false,
    });
    r
}

/// The issuer the resources are named after.
const ISSUER: &str = "http://127.0.0.1:9400";

/// Parses against the configured clients of `registry`.
fn parse<'a>(registry: &'a Registry, raw: &[u8]) -> Result<AuthorizationRequest<'a>, Refusal> {
    AuthorizationRequest::parse(&Directory::configured(registry, ISSUER), raw)
}

fn encode(params: &[(&str, &str)]) -> Vec<u8> {
    let mut ser = url::form_urlencoded::Serializer::new(String::new());
    ser.extend_pairs(params);
    ser.finish().into_bytes()
}

/// A valid request of the public client `oauthctl`.
fn valid() -> Vec<(&'static str, &'static str)> {
    vec![
        ("response_type", "code"),
        ("client_id", "oauthctl"),
        ("redirect_uri", CB),
        ("state", "st-1"),
        ("code_challenge", CHALLENGE),
        ("code_challenge_method", "S256"),
    ]
}

/// `valid()` with `name` removed.
fn without(name: &str) -> Vec<(&'static str, &'static str)> {
    valid().into_iter().filter(|(k, _)| *k != name).collect()
}

/// `valid()` with `name` set to `value` (replaced, or added).
fn with(name: &'static str, value: &'static str) -> Vec<(&'static str, &'static str)> {
    let mut p = without(name);
    p.push((name, value));
    p
}

/// The error page a request is refused with: (status, title, message).
fn page(registry: &Registry, params: &[(&str, &str)]) -> (u16, &'static str, String) {
    match parse(registry, &encode(params)) {
        Err(Refusal::Page {
            status,
            title,
            message,
        }) => (status, title, message),
        other => panic!("expected an error page for {params:?}, got {other:?}"),
    }
}

/// The error response a request is refused with: (error, description, where it goes).
fn redirect(registry: &Registry, params: &[(&str, &str)]) -> (&'static str, String, ReturnTo) {
    match parse(registry, &encode(params)) {
        Err(Refusal::Redirect {
            to,
            error,
            description,
        }) => (error, description, to),
        other => panic!("expected an error redirect for {params:?}, got {other:?}"),
    }
}

/// Just the `error` of the error response to `params`.
fn error_of(registry: &Registry, params: &[(&str, &str)]) -> &'static str {
    redirect(registry, params).0
}

#[test]
fn a_valid_request_keeps_what_the_handlers_need() {
    let r = registry();
    let mut params = with("state", "xyz state/+=");
    params.extend([
        ("scope", "openid api:read openid"),
        ("nonce", "n-1"),
        ("resource", "http://127.0.0.1:9400/api/data"),
        ("response_mode", "query"),
        ("prompt", "login none"),
    ]);
    let req = parse(&r, &encode(&params)).unwrap();
    assert_eq!(req.client.id, "oauthctl");
    assert_eq!(req.return_to.redirect_uri, CB);
    assert_eq!(
        req.return_to.state.as_ref().map(State::expose),
        Some("xyz state/+="),
        "the state is kept verbatim"
    );
    assert_eq!(req.scope, ["openid", "api:read"], "repeats removed");
    assert_eq!(req.nonce.as_ref().map(Nonce::expose), Some("n-1"));
    assert_eq!(req.code_challenge.as_deref(), Some(CHALLENGE));
    assert_eq!(
        req.audience.as_deref(),
        Some("http://127.0.0.1:9400/api/data")
    );
    assert!(req.prompt_none);

    let plain = parse(&r, &encode(&valid())).unwrap();
    assert!(plain.scope.is_empty());
    assert!(plain.nonce.is_none() && plain.audience.is_none());
    assert!(!plain.prompt_none);
    // Another loopback port than the registered one (RFC 8252 §7.3), and the IPv6 literal.
    let v6 = with("redirect_uri", "http://[::1]:61000/callback");
    assert!(parse(&r, &encode(&v6)).is_ok());
    // Empty values count as absent.
    let empty_state = with("state", "");
    let req = parse(&r, &encode(&empty_state)).unwrap();
    assert!(req.return_to.state.is_none());
}

#[test]
fn until_the_client_and_redirect_uri_are_known_refusals_are_pages() {
    let r = registry();
    let too_big = "s".repeat(MAX_KEPT_REQUEST);
    let mut big: Vec<(&str, &str)> = valid();
    big.push(("state", too_big.as_str()));
    assert_eq!(page(&r, &big).0, 413);

    let mut two_ids = valid();
    two_ids.push(("client_id", "oauthctl"));
    let mut two_uris = valid();
    two_uris.push(("redirect_uri", CB));
    for repeated in [two_ids, two_uris] {
        let (status, title, message) = page(&r, &repeated);
        assert_eq!((status, title), (400, "Invalid request"));
        assert!(message.contains("must not be repeated"), "{message}");
    }
    for missing in ["client_id", "redirect_uri"] {
        let (status, _, message) = page(&r, &without(missing));
        assert_eq!(status, 400);
        assert!(message.contains(missing), "{message}");
    }
    assert_eq!(page(&r, &with("client_id", "")).0, 400, "empty client_id");

    let (status, title, message) = page(&r, &with("client_id", "nobody"));
    assert_eq!((status, title), (400, "Unknown client"));
    assert!(message.contains("`nobody`"), "{message}");

    for uri in [
        "http://localhost:53682/callback",
        "https://127.0.0.1:53682/callback",
        "http://127.0.0.1:53682/callback/",
        "http://127.0.0.1:53682/callback?x=1",
        "https://evil.example/callback",
        "https://app.example/cb",
    ] {
        let (status, title, message) = page(&r, &with("redirect_uri", uri));
        assert_eq!((status, title), (400, "Invalid redirect URI"), "{uri}");
        assert!(
            message.contains(uri) && message.contains("`oauthctl`"),
            "{message}"
        );
    }
    // A client without redirect URIs cannot get past this stage.
    let service = with("client_id", "demo-service");
    assert_eq!(page(&r, &service).1, "Invalid redirect URI");
    // A page wins even when later parameters are wrong too: nothing is redirected.
    let mut both = with("redirect_uri", "https://evil.example/callback");
    both.retain(|(k, _)| *k != "response_type");
    both.push(("response_type", "token"));
    assert_eq!(page(&r, &both).1, "Invalid redirect URI");
}

#[test]
fn once_they_are_known_refusals_go_back_with_the_state() {
    let r = registry();
    let (error, description, to) = redirect(&r, &without("response_type"));
    assert_eq!(error, "invalid_request");
    assert!(description.contains("response_type"), "{description}");
    assert_eq!(to.redirect_uri, CB);
    assert_eq!(to.state.as_ref().map(State::expose), Some("st-1"));

    assert_eq!(
        error_of(&r, &with("response_type", "token")),
        "unsupported_response_type"
    );
    assert_eq!(
        error_of(&r, &with("response_type", "code id_token")),
        "unsupported_response_type"
    );
    let machine = [
        ("response_type", "code"),
        ("client_id", "machine"),
        ("redirect_uri", "https://machine.example/cb"),
    ];
    assert_eq!(error_of(&r, &machine), "unauthorized_client");
    assert_eq!(
        error_of(&r, &with("response_mode", "fragment")),
        "invalid_request"
    );
    assert_eq!(
        error_of(&r, &with("request", "eyJ")),
        "request_not_supported"
    );
    assert_eq!(
        error_of(&r, &with("request_uri", "urn:x")),
        "request_not_supported"
    );
    let (error, description, _) = redirect(&r, &with("scope", "openid api:delete"));
    assert_eq!(error, "invalid_scope");
    assert!(description.contains("`api:delete`"), "{description}");

    // A repeated parameter; a repeated state is not echoed.
    let mut two_scopes = valid();
    two_scopes.extend([("scope", "openid"), ("scope", "api:read")]);
    let (error, description, to) = redirect(&r, &two_scopes);
    assert_eq!(error, "invalid_request");
    assert_eq!(description, "parameter `scope` is repeated");
    assert_eq!(to.state.as_ref().map(State::expose), Some("st-1"));
    let mut two_states = valid();
    two_states.push(("state", "st-2"));
    let (error, _, to) = redirect(&r, &two_states);
    assert_eq!(error, "invalid_request");
    assert!(to.state.is_none());
}

#[test]
fn pkce_is_s256_only_and_required_for_public_clients() {
    let r = registry();
    for (params, why) in [
        (without("code_challenge"), "method without challenge"),
        (without("code_challenge_method"), "no method means plain"),
        (with("code_challenge_method", "plain"), "plain"),
        (
            with("code_challenge_method", "s256"),
            "the method is case-sensitive",
        ),
        (with("code_challenge", "short"), "too short"),
        (
            with(
                "code_challenge",
                "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-c!",
            ),
            "outside the unreserved set",
        ),
    ] {
        let (error, description, _) = redirect(&r, &params);
        assert_eq!(error, "invalid_request", "{why}: {description}");
    }
    let none: Vec<_> = without("code_challenge")
        .into_iter()
        .filter(|(k, _)| *k != "code_challenge_method")
        .collect();
    let (error, description, _) = redirect(&r, &none);
    assert_eq!(error, "invalid_request");
    assert!(description.contains("PKCE is required"), "{description}");
    // A confidential client may do without PKCE, and may use it.
    let web = [
        ("response_type", "code"),
        ("client_id", "web"),
        ("redirect_uri", "https://app.example/cb"),
    ];
    let req = parse(&r, &encode(&web)).unwrap();
    assert!(req.code_challenge.is_none());
    let mut web_pkce = web.to_vec();
    web_pkce.extend([
        ("code_challenge", CHALLENGE),
        ("code_challenge_method", "S256"),
    ]);
    let req = parse(&r, &encode(&web_pkce)).unwrap();
    assert_eq!(req.code_challenge.as_deref(), Some(CHALLENGE));
}

#[test]
fn the_audience_is_one_absolute_uri_of_a_hosted_resource() {
    let r = registry();
    for params in [
        with("resource", "api"),
        with("resource", "http://127.0.0.1:9400/api#frag"),
        // RFC 8707 §2: a resource this server does not host.
        with("resource", "https://api.example/"),
        with("resource", "http://127.0.0.1:9400/api/other"),
        {
            let mut p = with("resource", "http://127.0.0.1:9400/api");
            p.push(("audience", "https://other.example/"));
            p
        },
    ] {
        assert_eq!(error_of(&r, &params), "invalid_target", "{params:?}");
    }
    let hosted = with("resource", "http://127.0.0.1:9400/");
    let req = parse(&r, &encode(&hosted)).unwrap();
    assert_eq!(req.audience.as_deref(), Some("http://127.0.0.1:9400/"));
    // An audience is a name, taken as it is; the demo API refuses its tokens.
    let aud = with("audience", "my-api");
    let req = parse(&r, &encode(&aud)).unwrap();
    assert_eq!(req.audience.as_deref(), Some("my-api"));
}
