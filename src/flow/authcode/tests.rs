use super::*;

#[test]
fn the_authorization_url_carries_pkce_state_nonce_and_extras() {
    let secrets = FlowSecrets::generate();
    let req = Request {
        scopes: vec!["openid".into(), "email".into()],
        params: BTreeMap::from([("access_type".into(), "offline".into())]),
        prompt: Some("consent".into()),
        ..Request::default()
    };
    let url = authorization_url(
        "https://as.example/authorize?tenant=x",
        "cli",
        "http://127.0.0.1:5000/callback",
        &secrets,
        &req,
    )
    .unwrap();
    let q: BTreeMap<String, String> = url.query_pairs().into_owned().collect();
    assert_eq!(q["tenant"], "x");
    assert_eq!(q["response_type"], "code");
    assert_eq!(q["code_challenge_method"], "S256");
    assert_eq!(q["code_challenge"], secrets.challenge());
    assert_eq!(q["state"], secrets.state.expose());
    assert_eq!(q["nonce"], secrets.nonce.expose());
    assert_eq!(q["scope"], "openid email");
    assert_eq!(q["access_type"], "offline");
    assert_eq!(q["prompt"], "consent");
    assert!(!q.contains_key("code_verifier"));
    let no_oidc = Request {
        scopes: vec!["repo".into()],
        ..Request::default()
    };
    let url = authorization_url(
        "https://as.example/a",
        "c",
        "http://127.0.0.1:1/callback",
        &secrets,
        &no_oidc,
    )
    .unwrap();
    assert!(!url.as_str().contains("nonce="));
}

/// The authorization URL each preset produces, built through the same settings
/// resolution as `login` (offline: endpoints from the presets).
fn preset_url(provider: &str, client_id: &str) -> BTreeMap<String, String> {
    use crate::config::{Flags, Overrides, Settings};
    let global = Flags {
        provider: Some(provider.to_owned()),
        client_id: Some(client_id.to_owned()),
        ..Flags::default()
    };
    let settings = Settings::resolve(&global, &Overrides::default(), None, None).unwrap();
    let req = Request {
        scopes: settings.scopes.clone(),
        params: settings.params.clone(),
        ..Request::default()
    };
    let endpoint = settings
        .provider
        .endpoints
        .authorization_endpoint
        .clone()
        .unwrap();
    let secrets = FlowSecrets::generate();
    let url = authorization_url(
        &endpoint,
        client_id,
        "http://127.0.0.1:4567/callback",
        &secrets,
        &req,
    )
    .unwrap();
    let mut q: BTreeMap<String, String> = url.query_pairs().into_owned().collect();
    q.insert(
        "_endpoint".into(),
        format!(
            "{}://{}{}",
            url.scheme(),
            url.host_str().unwrap(),
            url.path()
        ),
    );
    q
}

#[test]
fn preset_authorization_urls_carry_what_each_provider_needs() {
    let g = preset_url("google", "123.apps.googleusercontent.com");
    assert_eq!(
        g["_endpoint"],
        "https://accounts.google.com/o/oauth2/v2/auth"
    );
    assert_eq!(
        g["access_type"], "offline",
        "Google issues refresh tokens only offline"
    );
    assert_eq!(g["prompt"], "consent");
    assert!(g["scope"].contains("openid") && g.contains_key("nonce"));
    let gh = preset_url("github", "Iv1.abc");
    assert_eq!(gh["_endpoint"], "https://github.com/login/oauth/authorize");
    assert_eq!(gh["scope"], "read:user");
    assert!(!gh.contains_key("nonce"), "GitHub has no OIDC");
    let ms = preset_url("microsoft@contoso.onmicrosoft.com", "app-id");
    assert_eq!(
        ms["_endpoint"],
        "https://login.microsoftonline.com/contoso.onmicrosoft.com/oauth2/v2.0/authorize"
    );
    assert!(
        ms["scope"].contains("offline_access"),
        "Entra needs offline_access for a refresh token"
    );
    let common = preset_url("microsoft", "app-id");
    assert!(common["_endpoint"].contains("/common/"));
    let gl = preset_url("gitlab@gitlab.example.com", "app");
    assert_eq!(
        gl["_endpoint"],
        "https://gitlab.example.com/oauth/authorize"
    );
    let fb = preset_url("facebook", "fb-app");
    assert_eq!(
        fb["_endpoint"],
        "https://www.facebook.com/v19.0/dialog/oauth"
    );
    assert!(fb["scope"].contains("public_profile"));
    for q in [&g, &gh, &ms, &gl, &fb] {
        assert_eq!(q["response_type"], "code");
        assert_eq!(q["code_challenge_method"], "S256");
        assert_eq!(q["redirect_uri"], "http://127.0.0.1:4567/callback");
    }
}

#[test]
fn a_dpop_bound_request_names_its_key() {
    let secrets = FlowSecrets::generate();
    let req = Request {
        scopes: vec!["openid".into()],
        ..Request::default()
    };
    let q: BTreeMap<String, String> = authorization_params(
        "cli",
        "http://127.0.0.1:1/callback",
        &secrets,
        &req,
        Some("jkt-123"),
    )
    .into_iter()
    .collect();
    assert_eq!(q["dpop_jkt"], "jkt-123");
    assert_eq!(q["client_id"], "cli");
    let q: BTreeMap<String, String> =
        authorization_params("cli", "http://127.0.0.1:1/callback", &secrets, &req, None)
            .into_iter()
            .collect();
    assert!(!q.contains_key("dpop_jkt"));
}

#[test]
fn reserved_params_are_refused() {
    let p = BTreeMap::from([("state".to_owned(), "x".to_owned())]);
    assert_eq!(check_params(&p).unwrap_err().exit_code(), 2);
    let p = BTreeMap::from([("prompt".to_owned(), "login".to_owned())]);
    assert!(check_params(&p).is_ok());
    for k in ["dpop_jkt", "request_uri"] {
        let p = BTreeMap::from([(k.to_owned(), "x".to_owned())]);
        assert_eq!(check_params(&p).unwrap_err().exit_code(), 2, "{k}");
    }
}
