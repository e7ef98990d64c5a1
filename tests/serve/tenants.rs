//! Several issuers by path (`/t/NAME`), docs/serve.md "Tenants": each with its own issuer,
//! discovery documents, keys, state and endpoints; a token of one is refused by the others.

use oauthctl::devserver::{DevConfig, DevServer, Registry, ServerConfigFile, User};
use serde_json::{Value, json};

use super::start;
use crate::support::login::login_as;
use crate::support::{Answer, get, http, jwt_parts, post_basic, run, stdout};

fn two_tenants() -> DevServer {
    start(
        DevConfig::auto_approve("alice")
            .with_tenant("acme", Registry::default())
            .with_tenant("globex", Registry::default()),
    )
}

fn at(s: &DevServer, path: &str) -> String {
    format!("{}{path}", s.issuer())
}

fn client_credentials(token_endpoint: &str) -> Value {
    let a = post_basic(
        token_endpoint,
        "demo-service",
        "demo-secret",
        &[("grant_type", "client_credentials"), ("scope", "api:read")],
    );
    assert_eq!(a.status, 200, "{}", a.text);
    a.json
}

#[test]
fn each_tenant_has_its_own_issuer_discovery_and_keys() {
    let s = two_tenants();
    let acme = s.tenant_issuer("acme").unwrap().to_owned();
    assert_eq!(acme, format!("{}/t/acme", s.issuer()));
    let oidc = get(&format!("{acme}/.well-known/openid-configuration"), None);
    assert_eq!(oidc.status, 200, "{}", oidc.text);
    assert_eq!(oidc.json["issuer"], acme.as_str());
    for endpoint in [
        "token_endpoint",
        "authorization_endpoint",
        "jwks_uri",
        "introspection_endpoint",
    ] {
        let url = oidc.json[endpoint].as_str().unwrap();
        assert!(url.starts_with(&format!("{acme}/")), "{endpoint}: {url}");
    }
    // RFC 8414's form inserts the well-known path before the issuer's path.
    let rfc8414 = get(
        &at(&s, "/.well-known/oauth-authorization-server/t/acme"),
        None,
    );
    assert_eq!(rfc8414.json, oidc.json);
    let under = get(
        &format!("{acme}/.well-known/oauth-authorization-server"),
        None,
    );
    assert_eq!(under.json, oidc.json);
    // The root issuer is as it was.
    let root = get(&at(&s, "/.well-known/openid-configuration"), None);
    assert_eq!(root.json["issuer"], s.issuer());
    // Own signing keys.
    let kids = |url: &str| -> Vec<Value> {
        get(url, None).json["keys"]
            .as_array()
            .unwrap()
            .iter()
            .map(|k| k["kid"].clone())
            .collect()
    };
    let (k_root, k_acme) = (kids(&at(&s, "/jwks")), kids(&format!("{acme}/jwks")));
    let k_globex = kids(&at(&s, "/t/globex/jwks"));
    assert!(
        k_acme
            .iter()
            .all(|k| !k_root.contains(k) && !k_globex.contains(k))
    );
    // Unknown tenants are not found.
    assert_eq!(
        get(&at(&s, "/t/nope/.well-known/openid-configuration"), None).status,
        404
    );
    assert_eq!(
        get(
            &at(&s, "/.well-known/oauth-authorization-server/t/nope"),
            None
        )
        .status,
        404
    );
    assert_eq!(get(&at(&s, "/t/"), None).status, 404);
}

#[test]
fn a_token_of_one_tenant_is_refused_by_another() {
    let s = two_tenants();
    let acme = s.tenant_issuer("acme").unwrap().to_owned();
    let globex = s.tenant_issuer("globex").unwrap().to_owned();
    let t = client_credentials(&format!("{acme}/token"));
    let token = t["access_token"].as_str().unwrap();
    let claims = jwt_parts(token).1;
    assert_eq!(claims["iss"], acme.as_str());
    assert_eq!(claims["aud"], format!("{acme}/api"));
    assert_eq!(get(&format!("{acme}/api/me"), Some(token)).status, 200);
    for elsewhere in [format!("{globex}/api/me"), at(&s, "/api/me")] {
        let refused = get(&elsewhere, Some(token));
        assert_eq!(refused.status, 401, "{elsewhere}: {}", refused.text);
    }
    let introspect = |issuer: &str| {
        post_basic(
            &format!("{issuer}/introspect"),
            "demo-service",
            "demo-secret",
            &[("token", token)],
        )
        .json["active"]
            .clone()
    };
    assert_eq!(introspect(&acme), true);
    assert_eq!(introspect(&globex), false);
    assert_eq!(introspect(s.issuer()), false);
    // The admin endpoint under a tenant's path mints for that tenant.
    let minted = Answer::from(
        http()
            .post(format!("{globex}/admin/mint"))
            .header("Content-Type", "application/json")
            .body(json!({"user": "bob", "scope": "api:read"}).to_string())
            .send()
            .unwrap(),
    );
    assert_eq!(minted.status, 200, "{}", minted.text);
    let bob = minted.json["access_token"].as_str().unwrap();
    assert_eq!(jwt_parts(bob).1["iss"], globex.as_str());
    assert_eq!(get(&format!("{globex}/api/me"), Some(bob)).status, 200);
    assert_eq!(get(&format!("{acme}/api/me"), Some(bob)).status, 401);
}

#[test]
fn the_client_logs_in_to_a_tenant() {
    // No auto-approve: the built-in agent signs in on the tenant's own pages.
    let s = start(DevConfig::default().with_tenant("acme", Registry::default()));
    let acme = s.tenant_issuer("acme").unwrap().to_owned();
    let home = crate::support::home();
    login_as(home.path(), &acme, "bob", "openid api:read");
    let token = crate::support::login::token(home.path());
    let claims = jwt_parts(&token).1;
    assert_eq!(
        (&claims["iss"], &claims["sub"]),
        (&json!(acme), &json!("bob"))
    );
    let out = run(home.path(), &["call", "--fail", &format!("{acme}/api/me")]);
    crate::support::assert_code(&out, 0);
    assert!(stdout(&out).contains("\"bob\""), "{}", stdout(&out));
    assert!(s.hits("/t/acme/authorize/login") >= 1);
    assert_eq!(s.hits("/authorize/login"), 0);
}

#[test]
fn tenants_come_from_the_server_config_file() {
    let file = ServerConfigFile::parse(
        r#"
scopes = ["openid", "api:read"]

[[users]]
username = "root-user"
password = "pw"

[tenants.acme]

[tenants.globex]
scopes = ["openid", "api:read", "globex:admin"]

[[tenants.globex.users]]
username = "gina"
password = "pw"
roles = ["admin"]
"#,
    )
    .unwrap();
    let s = start(DevConfig::default().with_file(file));
    let users = |t: &str| -> Vec<String> {
        let cfg = s.config();
        let tenant = cfg.tenants.iter().find(|x| x.name == t).unwrap();
        tenant
            .registry
            .users
            .iter()
            .map(|u: &User| u.username.clone())
            .collect()
    };
    // A section left out is the top-level one; a section given replaces it.
    assert_eq!(users("acme"), ["root-user"]);
    assert_eq!(users("globex"), ["gina"]);
    let acme = get(&at(&s, "/t/acme/.well-known/openid-configuration"), None);
    assert_eq!(acme.json["scopes_supported"], json!(["openid", "api:read"]));
    let globex = get(&at(&s, "/t/globex/.well-known/openid-configuration"), None);
    assert_eq!(
        globex.json["scopes_supported"],
        json!(["openid", "api:read", "globex:admin"])
    );
    for (bad, says) in [
        ("[tenants.Acme]\n", "tenant `Acme`"),
        ("[tenants.\"a/b\"]\n", "tenant `a/b`"),
        ("[tenants.acme]\nlifetimes = 1\n", "unknown field"),
        (
            "[[tenants.acme.clients]]\nid = \"x\"\ngrant_types = [\"client_credentials\"]\n",
            "public client",
        ),
    ] {
        let e = ServerConfigFile::parse(bad).unwrap_err();
        assert!(e.contains(says), "{bad}: {e}");
    }
    // --auto-approve must name a user every tenant has.
    let e = DevServer::start(
        DevConfig::auto_approve("alice").with_file(
            ServerConfigFile::parse(
                "[[tenants.globex.users]]\nusername = \"gina\"\npassword = \"pw\"\n",
            )
            .unwrap(),
        ),
    )
    .unwrap_err();
    assert!(e.to_string().contains("tenant `globex`"), "{e}");
}

#[test]
fn dpop_proofs_and_resource_metadata_name_the_tenants_urls() {
    let s = two_tenants();
    let acme = s.tenant_issuer("acme").unwrap().to_owned();
    let home = crate::support::home();
    let secret = crate::support::login::secret_file(home.path(), "demo-secret");
    let secret = secret.to_str().unwrap();
    let out = run(
        home.path(),
        &[
            "login",
            "--flow",
            "client-credentials",
            "--issuer",
            &acme,
            "--client-id",
            "demo-service",
            "--client-secret-file",
            secret,
            "--scope",
            "api:read",
            "--dpop",
        ],
    );
    crate::support::assert_code(&out, 0);
    // The proofs' `htu` is the tenant's URL, at the token endpoint and at the demo API.
    let out = run(home.path(), &["call", "--fail", &format!("{acme}/api/me")]);
    crate::support::assert_code(&out, 0);
    assert!(stdout(&out).contains("demo-service"), "{}", stdout(&out));
    let token = crate::support::login::token(home.path());
    assert!(jwt_parts(&token).1["cnf"]["jkt"].is_string());
    // The demo API's challenge names its metadata, which names the tenant's resource.
    let challenge = get(&format!("{acme}/api/me"), None);
    assert_eq!(challenge.status, 401);
    let header = challenge.header("www-authenticate").unwrap().to_owned();
    let metadata = header
        .split("resource_metadata=\"")
        .nth(1)
        .and_then(|r| r.split('"').next())
        .unwrap();
    let doc = get(metadata, None);
    assert_eq!(doc.status, 200, "{metadata}");
    assert_eq!(doc.json["resource"], format!("{acme}/api/me"));
    assert_eq!(doc.json["authorization_servers"], json!([acme]));
    // RFC 9728 §3.1's form: the well-known path before the resource's path.
    let rfc = get(
        &at(&s, "/.well-known/oauth-protected-resource/t/acme/api/me"),
        None,
    );
    assert_eq!(rfc.json, doc.json);
}

#[test]
fn a_tenants_pages_post_to_its_own_paths() {
    let s = start(DevConfig::default().with_tenant("acme", Registry::default()));
    let acme = s.tenant_issuer("acme").unwrap().to_owned();
    let device = get(&format!("{acme}/device"), None);
    assert_eq!(device.status, 200);
    assert!(
        device.text.contains("action=\"/t/acme/device\""),
        "{}",
        device.text
    );
    let root = get(&at(&s, "/device"), None);
    assert!(root.text.contains("action=\"/device\""), "{}", root.text);
    let (_, challenge) = crate::support::pkce();
    let mut login = url::Url::parse(&format!("{acme}/authorize")).unwrap();
    login.query_pairs_mut().extend_pairs([
        ("response_type", "code"),
        ("client_id", "oauthctl"),
        ("redirect_uri", "http://127.0.0.1:53682/callback"),
        ("scope", "openid"),
        ("code_challenge", challenge.as_str()),
        ("code_challenge_method", "S256"),
    ]);
    let page = get(login.as_str(), None);
    assert_eq!(page.status, 200, "{}", page.text);
    assert!(
        page.text.contains("action=\"/t/acme/authorize/login\""),
        "{}",
        page.text
    );
    // The logout confirmation, and the tenant's own end_session_endpoint.
    let logout = get(&format!("{acme}/logout"), None);
    assert_eq!(logout.status, 200, "{}", logout.text);
    assert!(
        logout.text.contains("action=\"/t/acme/logout\""),
        "{}",
        logout.text
    );
    let meta = get(&format!("{acme}/.well-known/openid-configuration"), None).json;
    assert_eq!(meta["end_session_endpoint"], format!("{acme}/logout"));
    // The tenant's own index page, at its issuer URL.
    assert_eq!(get(&acme, None).status, 200);
}

#[test]
fn oauthctl_serve_runs_the_tenants_of_its_server_config_and_names_them() {
    use std::io::BufRead as _;
    let home = crate::support::home();
    let config = home.path().join("server.toml");
    std::fs::write(&config, "[tenants.acme]\n[tenants.globex]\n").unwrap();
    let mut child = crate::support::oauthctl(home.path())
        .args(["serve", "--port", "0", "--server-config"])
        .arg(&config)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut out = std::io::BufReader::new(child.stdout.take().unwrap());
    let mut issuer = String::new();
    out.read_line(&mut issuer).unwrap();
    let issuer = issuer.trim_end().to_owned();
    let mut err = std::io::BufReader::new(child.stderr.take().unwrap());
    let mut banner = String::new();
    for _ in 0..40 {
        let mut line = String::new();
        if err.read_line(&mut line).unwrap_or(0) == 0 || line.contains("press Ctrl-C") {
            break;
        }
        banner.push_str(&line);
    }
    let discovery = get(
        &format!("{issuer}/t/globex/.well-known/openid-configuration"),
        None,
    );
    // One clock: moving it under a tenant's path moves the server's.
    let moved = Answer::from(
        http()
            .post(format!("{issuer}/t/acme/admin/clock"))
            .header("Content-Type", "application/json")
            .body(r#"{"advance": "1h"}"#)
            .send()
            .unwrap(),
    );
    let root_clock = get(&format!("{issuer}/admin/clock"), None);
    let _ = child.kill();
    let _ = child.wait();
    assert!(
        banner.contains(&format!("tenants    {issuer}/t/acme, {issuer}/t/globex")),
        "{banner}"
    );
    assert_eq!(discovery.json["issuer"], format!("{issuer}/t/globex"));
    assert_eq!(moved.json["offset_seconds"], 3600, "{}", moved.text);
    assert_eq!(root_clock.json["offset_seconds"], 3600);
}
