//! Resource-first login (README: "Resource-first login"): `call URL --login` and
//! `login --resource-url URL` from nothing but the API's URL. End to end against the
//! development server (its demo API publishes protected resource metadata and challenges,
//! and it registers clients dynamically), and against canned servers for the rules a real
//! server does not break: metadata for another resource, discovery order, step-up, the
//! authorization cap, the client choices and what a registration answer decides.

use std::sync::{Arc, Mutex};

use base64::Engine as _;
use oauthctl::browser::Browser;
use oauthctl::demo::agent::Agent;
use oauthctl::devserver::{DevConfig, DevServer};
use serde_json::{Value, json};

use crate::support::stub::{Canned, Seen, Stub};
use crate::support::{assert_code, home, in_process_with, now, oauthctl, run, stderr, stdout};

/// `oauthctl ARGS` with the built-in agent signing in as alice wherever oauthctl sends the
/// browser (the dev server's real login and consent pages); the URL is read from stderr.
fn as_alice(home: &std::path::Path, args: &[&str]) -> oauthctl::demo::Ran {
    let mut cmd = oauthctl(home);
    cmd.args(args).args(["--browser-command", "true"]);
    let (ran, url) = oauthctl::demo::run_login(cmd, |url| {
        Agent::new("alice", "alice").sign_in(url).expect("sign in");
    })
    .expect("run oauthctl");
    assert!(url.is_some(), "no authorization URL:\n{}", ran.stderr);
    ran
}

#[test]
fn call_login_against_a_fresh_server_discovers_registers_signs_in_and_calls_in_one_command() {
    let s = DevServer::start(DevConfig::default()).unwrap();
    let h = home();
    let url = format!("{}/api/data", s.issuer());
    let ran = as_alice(h.path(), &["call", &url, "--login", "--fail"]);
    assert_eq!(ran.code, Some(0), "{}", ran.stderr);
    let body: Value = serde_json::from_str(&ran.stdout).expect("the API's JSON");
    assert!(body.get("items").is_some(), "{body}");
    let port = s.local_addr().port();
    let profile = format!("127.0.0.1-{port}-api-data");
    assert!(
        ran.stderr
            .contains(&format!("(profile `{profile}`, authorization_code)")),
        "{}",
        ran.stderr
    );
    assert!(ran.stderr.contains("(registered now)"), "{}", ran.stderr);
    // Discovery from the challenge, one registration, one login.
    assert_eq!(s.hits("/.well-known/oauth-protected-resource/api/data"), 1);
    assert_eq!(s.hits("/.well-known/oauth-protected-resource"), 0);
    assert_eq!(s.hits("/register"), 1);
    assert_eq!(s.hits("/token"), 1);
    assert_eq!(s.registered_clients(), 1);

    // The second call reuses everything: no discovery, registration or login.
    let again = run(h.path(), &["call", &url, "--login", "--fail"]);
    assert_code(&again, 0);
    assert_eq!(stdout(&again), ran.stdout);
    assert!(
        !stderr(&again).contains("Open this URL"),
        "{}",
        stderr(&again)
    );
    // And so does a plain call: the profile covers the URL.
    assert_code(&run(h.path(), &["call", &url, "--fail"]), 0);
    assert_eq!(
        (
            s.hits("/register"),
            s.hits("/token"),
            s.hits("/.well-known/oauth-protected-resource/api/data")
        ),
        (1, 1, 1)
    );

    // The profile works like any other: token, status, exec, refresh, logout.
    let p = ["-p", profile.as_str()];
    let token = run(h.path(), &[&p[..], &["token"]].concat());
    assert_code(&token, 0);
    let claims = crate::support::jwt_parts(stdout(&token).trim()).1;
    assert_eq!(claims["aud"], url, "the token is for the resource");
    let status = stdout(&run(h.path(), &["status"]));
    assert!(status.contains(&profile), "{status}");
    assert!(status.contains(&format!("  for:     {url}\n")), "{status}");
    let exec = run(
        h.path(),
        &[
            &p[..],
            &[
                "exec",
                "--",
                "sh",
                "-c",
                "test -n \"$OAUTHCTL_ACCESS_TOKEN\"",
            ],
        ]
        .concat(),
    );
    assert_code(&exec, 0);
    let refresh = run(h.path(), &[&p[..], &["refresh"]].concat());
    assert_code(&refresh, 0);
    assert_eq!(s.hits("/token"), 2);
    let renewed = run(h.path(), &[&p[..], &["token"]].concat());
    let claims = crate::support::jwt_parts(stdout(&renewed).trim()).1;
    assert_eq!(
        claims["aud"], url,
        "the refresh asked for the same resource"
    );
    assert_code(&run(h.path(), &["call", &url, "--fail"]), 0);
    let logout = run(h.path(), &[&p[..], &["logout"]].concat());
    assert_code(&logout, 0);
    assert!(
        stderr(&logout).contains("tokens revoked at the server"),
        "{}",
        stderr(&logout)
    );
    // The registration outlives the logout: the next login reuses the client.
    let ran = as_alice(h.path(), &["call", &url, "--login", "--fail"]);
    assert_eq!(ran.code, Some(0), "{}", ran.stderr);
    assert!(
        ran.stderr.contains("(registered earlier)"),
        "{}",
        ran.stderr
    );
    assert_eq!(s.hits("/register"), 1);
}

#[test]
fn a_resource_first_login_binds_its_tokens_with_dpop_where_the_server_requires_it() {
    let s = DevServer::start(DevConfig {
        require_dpop: true,
        ..DevConfig::default()
    })
    .unwrap();
    let url = format!("{}/api/data", s.issuer());
    // Asked for: `--dpop`; and unasked, when the server answered that it needs a proof: a
    // code already sent without one is spent, so the next login binds (as any login does).
    for asked in [true, false] {
        let h = home();
        let mut args = vec!["login", "--resource-url", url.as_str()];
        if asked {
            args.push("--dpop");
        } else {
            let first = as_alice(h.path(), &args);
            assert_eq!(first.code, Some(4), "{}", first.stderr);
            assert!(
                first
                    .stderr
                    .contains("the next login of this client binds its tokens"),
                "{}",
                first.stderr
            );
        }
        let ran = as_alice(h.path(), &args);
        assert_eq!(ran.code, Some(0), "{}", ran.stderr);
        let call = run(h.path(), &["call", &url, "--fail"]);
        assert_code(&call, 0);
        assert!(stdout(&call).contains("items"), "{}", stdout(&call));
        // The token is bound: a header alone cannot use it.
        let profile = format!("127.0.0.1-{}-api-data", s.local_addr().port());
        let header = run(h.path(), &["-p", &profile, "token", "--format", "header"]);
        assert_code(&header, 2);
        assert!(
            stderr(&header).contains("--dpop-proof"),
            "{}",
            stderr(&header)
        );
    }
}

#[test]
fn a_client_id_metadata_document_needs_no_registration_at_the_dev_server() {
    let s = DevServer::start(DevConfig::default()).unwrap();
    let documents = Stub::start();
    let client_id = documents.url("/oauthctl/client.json");
    documents.route(
        "/oauthctl/client.json",
        Canned::json(
            json!({
                "client_id": client_id,
                "client_name": "oauthctl",
                "redirect_uris": ["http://127.0.0.1/callback"],
                "grant_types": ["authorization_code", "refresh_token"],
                "token_endpoint_auth_method": "none",
            })
            .to_string(),
        ),
    );
    let h = home();
    let url = format!("{}/api/data", s.issuer());
    let ran = as_alice(
        h.path(),
        &[
            "call",
            &url,
            "--login",
            "--fail",
            "--client-metadata-url",
            &client_id,
        ],
    );
    assert_eq!(ran.code, Some(0), "{}", ran.stderr);
    assert!(
        ran.stderr
            .contains(&format!("{client_id} (client ID metadata document)")),
        "{}",
        ran.stderr
    );
    assert_eq!((s.hits("/register"), s.registered_clients()), (0, 0));
    assert!(documents.hits("/oauthctl/client.json") >= 1);
    // The next call needs neither the flag nor another login.
    assert_code(&run(h.path(), &["call", &url, "--fail"]), 0);
    assert_eq!(s.hits("/token"), 1);
}

#[test]
fn a_step_up_asks_for_the_union_with_login_and_names_the_exact_command_without() {
    let s = DevServer::start(DevConfig::default()).unwrap();
    let h = home();
    let url = format!("{}/api/data", s.issuer());
    let ran = as_alice(h.path(), &["call", &url, "--login", "--fail"]);
    assert_eq!(ran.code, Some(0), "{}", ran.stderr);
    assert!(ran.stderr.contains("scopes:  api:read\n"), "{}", ran.stderr);
    // Writing needs api:write: without --login, exit 3 and the login that gets it.
    let write = [
        "call",
        "--fail",
        "POST",
        url.as_str(),
        "--json",
        r#"{"note":"hi"}"#,
    ];
    let refused = run(h.path(), &write);
    assert_code(&refused, 3);
    let port = s.local_addr().port();
    let text = stderr(&refused);
    assert!(text.contains("wants scope `api:write`"), "{text}");
    let exact = format!(
        "`oauthctl -p 127.0.0.1-{port}-api-data login --resource-url {url} --scope \
         'api:read api:write'`"
    );
    assert!(text.contains(&exact), "{text}");
    assert_eq!(s.hits("/token"), 1);
    // With --login: one more authorization, for the union, and the request goes through.
    let ran = as_alice(h.path(), &[&write[..], &["--login"]].concat());
    assert_eq!(ran.code, Some(0), "{}", ran.stderr);
    assert!(
        ran.stderr.contains("scopes:  api:read api:write\n"),
        "{}",
        ran.stderr
    );
    assert_eq!(s.hits("/token"), 2);
    assert_eq!(s.hits("/register"), 1);
}

#[test]
fn login_resource_url_asks_for_no_scope_where_the_resource_names_none() {
    let s = DevServer::start(DevConfig::default()).unwrap();
    let h = home();
    let me = format!("{}/api/me", s.issuer());
    let mut cmd = oauthctl(h.path());
    cmd.args([
        "--json",
        "login",
        "--resource-url",
        &me,
        "--browser-command",
        "true",
    ]);
    let (ran, url) = oauthctl::demo::run_login(cmd, |url| {
        Agent::new("alice", "alice").sign_in(url).expect("sign in");
    })
    .unwrap();
    assert_eq!(ran.code, Some(0), "{}", ran.stderr);
    let url = url.unwrap();
    let query: Vec<(String, String)> = url::Url::parse(&url)
        .unwrap()
        .query_pairs()
        .into_owned()
        .collect();
    assert!(!query.iter().any(|(k, _)| k == "scope"), "{url}");
    assert!(
        query.contains(&("resource".to_owned(), me.clone())),
        "{url}"
    );
    let report: Value = serde_json::from_str(&ran.stdout).unwrap();
    let port = s.local_addr().port();
    assert_eq!(report["profile"], format!("127.0.0.1-{port}-api-me"));
    assert_eq!(report["resource"], me);
    assert_eq!(report["client"], "registered now");
    // A bare login of the profile starts from the resource again.
    let again = {
        let mut cmd = oauthctl(h.path());
        cmd.args(["-p", &format!("127.0.0.1-{port}-api-me"), "login"])
            .args(["--browser-command", "true"]);
        oauthctl::demo::run_login(cmd, |url| {
            Agent::new("alice", "alice").sign_in(url).expect("sign in");
        })
        .unwrap()
        .0
    };
    assert_eq!(again.code, Some(0), "{}", again.stderr);
    assert!(
        again.stderr.contains("(registered earlier)"),
        "{}",
        again.stderr
    );
    assert_eq!(s.hits("/register"), 1);
}

/// A browser that approves at once: it records the authorization URL and sends the
/// loopback redirect URI a code with the request's `state`, as an authorization server that
/// approves without a page would (the canned servers below cannot make a redirect of their
/// own).
#[derive(Debug, Default)]
struct Approve {
    seen: Mutex<Vec<url::Url>>,
    /// How long the "user" takes before approving.
    delay: std::time::Duration,
}

impl Approve {
    /// The authorization URLs opened so far.
    fn urls(&self) -> Vec<url::Url> {
        self.seen.lock().unwrap().clone()
    }

    /// One query parameter of every authorization URL opened so far.
    fn params(&self, name: &str) -> Vec<Option<String>> {
        self.urls()
            .iter()
            .map(|u| {
                u.query_pairs()
                    .find(|(k, _)| k == name)
                    .map(|(_, v)| v.into_owned())
            })
            .collect()
    }
}

impl Browser for Approve {
    fn open(&self, url: &str) -> std::io::Result<()> {
        std::thread::sleep(self.delay);
        let url = url::Url::parse(url).map_err(std::io::Error::other)?;
        let n = {
            let mut seen = self.seen.lock().unwrap();
            seen.push(url.clone());
            seen.len()
        };
        let param = |name: &str| {
            url.query_pairs()
                .find(|(k, _)| k == name)
                .map(|(_, v)| v.into_owned())
                .unwrap_or_default()
        };
        let mut back = url::Url::parse(&param("redirect_uri")).map_err(std::io::Error::other)?;
        back.query_pairs_mut()
            .append_pair("code", &format!("code-{n}"))
            .append_pair("state", &param("state"));
        let answer = reqwest::blocking::get(back.as_str()).map_err(std::io::Error::other)?;
        assert!(
            answer.status().is_success(),
            "the loopback answered {}",
            answer.status()
        );
        Ok(())
    }
}

/// A canned API (`/mcp`) with its metadata and its authorization server on one origin.
struct Canned2 {
    stub: Stub,
}

impl Canned2 {
    fn start() -> Self {
        Self {
            stub: Stub::start(),
        }
    }

    fn url(&self, path: &str) -> String {
        self.stub.url(path)
    }

    /// The API's challenge: `Bearer` with these parameters.
    fn challenge(status: u16, params: &str) -> Canned {
        Canned::status(status, r#"{"error":"no"}"#)
            .header("WWW-Authenticate", &format!("Bearer {params}"))
    }

    /// Metadata for the resource `resource` naming this origin's authorization server.
    fn metadata(&self, path: &str, resource: &str, extra: &Value) -> &Self {
        let mut doc = json!({"resource": resource, "authorization_servers": [self.stub.base]});
        if let (Some(doc), Some(extra)) = (doc.as_object_mut(), extra.as_object()) {
            doc.extend(extra.clone());
        }
        self.stub.route(path, Canned::json(doc.to_string()));
        self
    }

    /// The authorization server's RFC 8414 metadata at the root, with `extra` members.
    fn server(&self, extra: &Value) -> &Self {
        let base = &self.stub.base;
        let mut doc = json!({
            "issuer": base,
            "authorization_endpoint": format!("{base}/authorize"),
            "token_endpoint": format!("{base}/token"),
            "registration_endpoint": format!("{base}/register"),
            "response_types_supported": ["code"],
            "code_challenge_methods_supported": ["S256"],
            "token_endpoint_auth_methods_supported": ["none"],
        });
        if let (Some(doc), Some(extra)) = (doc.as_object_mut(), extra.as_object()) {
            for (k, v) in extra {
                if v.is_null() {
                    doc.remove(k);
                } else {
                    doc.insert(k.clone(), v.clone());
                }
            }
        }
        self.stub.route(
            "/.well-known/oauth-authorization-server",
            Canned::json(doc.to_string()),
        );
        self
    }

    /// Token responses in turn.
    fn tokens(&self, tokens: &[Value]) -> &Self {
        self.stub.sequence(
            "/token",
            tokens.iter().map(|t| Canned::json(t.to_string())).collect(),
        );
        self
    }

    /// The registration endpoint's answer.
    fn registers(&self, answer: &Value) -> &Self {
        self.stub
            .route("/register", Canned::status(201, answer.to_string()));
        self
    }

    /// The form fields of the `n`th request to `path`.
    fn form(&self, path: &str, n: usize) -> Vec<(String, String)> {
        let seen: Vec<Seen> = self.stub.seen(path);
        url::form_urlencoded::parse(&seen[n].body)
            .into_owned()
            .collect()
    }
}

fn token(at: &str, scope: Option<&str>) -> Value {
    let mut t = json!({"access_token": at, "token_type": "Bearer", "expires_in": 3600});
    if let Some(s) = scope {
        t["scope"] = json!(s);
    }
    t
}

fn field<'a>(form: &'a [(String, String)], name: &str) -> Option<&'a str> {
    form.iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
}

/// Runs `oauthctl ARGS` in process in `home`, with `browser` approving every login.
fn with_browser(
    home: &std::path::Path,
    browser: &Arc<Approve>,
    args: &[&str],
) -> crate::support::InProcess {
    let browser = Arc::clone(browser);
    in_process_with(home, now(), args, move |deps| deps.browser = Some(browser))
}

#[test]
fn metadata_for_another_resource_is_refused_before_any_authorization_request() {
    let c = Canned2::start();
    let api = c.url("/mcp");
    let pointer = c.url("/.well-known/oauth-protected-resource/mcp");
    c.stub.route(
        "/mcp",
        Canned2::challenge(401, &format!(r#"resource_metadata="{pointer}""#)),
    );
    c.metadata(
        "/.well-known/oauth-protected-resource/mcp",
        "https://evil.example.com/mcp",
        &json!({}),
    )
    .server(&json!({}))
    .registers(&json!({"client_id": "dyn"}))
    .tokens(&[token("tok-1", None)]);
    let h = home();
    let browser = Arc::new(Approve::default());
    for args in [
        &["call", "--login", api.as_str()][..],
        &["login", "--resource-url", api.as_str()],
    ] {
        let (code, err) = with_browser(h.path(), &browser, args).failure();
        assert_eq!(code, 5, "{args:?}: {err}");
        assert!(
            err.contains("describes the resource `https://evil.example.com/mcp`")
                && err.contains("refusing to log in"),
            "{err}"
        );
    }
    assert!(browser.urls().is_empty());
    for path in [
        "/authorize",
        "/.well-known/oauth-authorization-server",
        "/register",
        "/token",
    ] {
        assert_eq!(c.stub.hits(path), 0, "{path}");
    }
    // Nothing was registered or cached for it.
    assert!(!h.path().join("index.json").exists());
    assert!(!h.path().join("registrations.json").exists());
}

#[test]
fn the_well_known_metadata_is_path_based_first_then_the_root_and_a_parent_resource_covers() {
    let c = Canned2::start();
    let api = c.url("/mcp");
    // No pointer in the challenge, no path-based document: the root one, whose resource is
    // the origin (a parent of the URL).
    c.stub.sequence(
        "/mcp",
        vec![
            Canned2::challenge(401, r#"error="invalid_token""#),
            Canned::json(r#"{"ok":true}"#),
        ],
    );
    c.metadata(
        "/.well-known/oauth-protected-resource",
        &c.stub.base,
        &json!({}),
    )
    .server(&json!({}))
    .registers(&json!({"client_id": "dyn"}))
    .tokens(&[token("t1", None)]);
    let h = home();
    let browser = Arc::new(Approve::default());
    let out = with_browser(h.path(), &browser, &["call", "--login", "--fail", &api]).stdout();
    assert_eq!(out, r#"{"ok":true}"#);
    let paths: Vec<String> = c.stub.requests().into_iter().map(|s| s.path).collect();
    assert_eq!(
        paths[..3],
        [
            "/mcp",
            "/.well-known/oauth-protected-resource/mcp",
            "/.well-known/oauth-protected-resource"
        ]
    );
    // The resource parameter is the identifier as published.
    assert_eq!(browser.params("resource"), [Some(c.stub.base.clone())]);
    assert_eq!(
        field(&c.form("/token", 0), "resource"),
        Some(c.stub.base.as_str())
    );
    // The first request carried no token; the repeated one the new token.
    let api_calls = c.stub.seen("/mcp");
    assert_eq!(api_calls[0].header("authorization"), None);
    assert_eq!(api_calls[1].header("authorization"), Some("Bearer t1"));
}

#[test]
fn a_challenge_pointer_is_used_alone_and_never_the_root() {
    let c = Canned2::start();
    let api = c.url("/mcp");
    let pointer = c.url("/custom/metadata.json");
    c.stub.route(
        "/mcp",
        Canned2::challenge(401, &format!(r#"resource_metadata="{pointer}""#)),
    );
    c.metadata("/.well-known/oauth-protected-resource", &api, &json!({}));
    let h = home();
    let browser = Arc::new(Approve::default());
    let (code, err) = with_browser(h.path(), &browser, &["call", "--login", &api]).failure();
    assert_eq!(code, 5, "{err}");
    assert!(err.contains("/custom/metadata.json (HTTP 404)"), "{err}");
    assert_eq!(c.stub.hits("/.well-known/oauth-protected-resource"), 0);
    assert_eq!(c.stub.hits("/.well-known/oauth-protected-resource/mcp"), 0);
    // Without any metadata, the error says how to log in instead.
    let bare = Canned2::start();
    bare.stub.route("/mcp", Canned2::challenge(401, ""));
    let (code, err) =
        with_browser(h.path(), &browser, &["call", "--login", &bare.url("/mcp")]).failure();
    assert_eq!(code, 5, "{err}");
    assert!(
        err.contains("publishes no protected resource metadata") && err.contains("--issuer"),
        "{err}"
    );
    assert!(browser.urls().is_empty());
}

#[test]
fn an_authorization_server_with_a_path_is_never_looked_up_at_the_root() {
    let c = Canned2::start();
    let api = c.url("/mcp");
    let issuer = c.url("/tenant1");
    c.stub.sequence(
        "/mcp",
        vec![Canned2::challenge(401, ""), Canned::json("{}")],
    );
    c.stub.route(
        "/.well-known/oauth-protected-resource/mcp",
        Canned::json(json!({"resource": api, "authorization_servers": [issuer]}).to_string()),
    );
    // The trap: the root document (another issuer's).
    c.server(&json!({}));
    c.stub.route(
        "/tenant1/.well-known/openid-configuration",
        Canned::json(
            json!({
                "issuer": issuer,
                "authorization_endpoint": format!("{issuer}/authorize"),
                "token_endpoint": format!("{issuer}/token"),
                "registration_endpoint": format!("{issuer}/register"),
                "code_challenge_methods_supported": ["S256"],
            })
            .to_string(),
        ),
    );
    c.stub.route(
        "/tenant1/register",
        Canned::status(201, r#"{"client_id":"t1-client"}"#),
    );
    c.stub.route(
        "/tenant1/token",
        Canned::json(token("tok-1", None).to_string()),
    );
    let h = home();
    let browser = Arc::new(Approve::default());
    with_browser(h.path(), &browser, &["call", "--login", "--fail", &api]).stdout();
    let paths: Vec<String> = c.stub.requests().into_iter().map(|s| s.path).collect();
    let discovery: Vec<&str> = paths
        .iter()
        .map(String::as_str)
        .filter(|p| p.contains("openid-configuration") || p.contains("oauth-authorization"))
        .collect();
    assert_eq!(
        discovery,
        [
            "/.well-known/oauth-authorization-server/tenant1",
            "/.well-known/openid-configuration/tenant1",
            "/tenant1/.well-known/openid-configuration",
        ]
    );
    assert_eq!(c.stub.hits("/.well-known/oauth-authorization-server"), 0);
    assert_eq!(browser.params("client_id"), [Some("t1-client".to_owned())]);
}

/// A canned API at `/mcp` (its answers set by the test) with its metadata (path-based,
/// named by its challenges) and its authorization server on the same origin.
fn canned_api() -> Canned2 {
    let c = Canned2::start();
    let api = c.url("/mcp");
    c.metadata(
        "/.well-known/oauth-protected-resource/mcp",
        &api,
        &json!({}),
    );
    c
}

/// The challenge parameters naming the canned API's metadata.
fn pointer(c: &Canned2, rest: &str) -> String {
    format!(
        r#"resource_metadata="{}"{rest}"#,
        c.url("/.well-known/oauth-protected-resource/mcp")
    )
}

#[test]
fn step_up_asks_for_the_union_and_the_registration_answer_decides_the_client_authentication() {
    let c = Canned2::start();
    let api = c.url("/mcp");
    c.metadata(
        "/.well-known/oauth-protected-resource/mcp",
        &api,
        &json!({"scopes_supported": ["x"]}),
    );
    c.stub.sequence(
        "/mcp",
        vec![
            Canned2::challenge(401, &pointer(&c, r#", scope="a""#)),
            Canned2::challenge(
                403,
                &pointer(&c, r#", scope="a b", error="insufficient_scope""#),
            ),
            Canned::json(r#"{"ok":true}"#),
        ],
    );
    // A secret and client_secret_post, although none was asked for and the server lists
    // only `none`.
    c.server(&json!({}))
        .registers(&json!({
            "client_id": "dyn",
            "client_secret": "dyn-SECRET",
            "token_endpoint_auth_method": "client_secret_post",
            "registration_access_token": "rat-SECRET",
        }))
        .tokens(&[
            token("tok-a", Some("a")),
            json!({"access_token": "tok-ab", "token_type": "Bearer", "expires_in": 3600,
                   "scope": "a b", "refresh_token": "rt-SECRET"}),
            token("tok-ab2", Some("a b")),
        ]);
    let h = home();
    let browser = Arc::new(Approve::default());
    let out = with_browser(h.path(), &browser, &["call", "--login", "--fail", &api]).stdout();
    assert_eq!(out, r#"{"ok":true}"#);
    // The challenge's scope first (not the metadata's), then the union.
    assert_eq!(
        browser.params("scope"),
        [Some("a".to_owned()), Some("a b".to_owned())]
    );
    assert_eq!(
        browser.params("resource"),
        [Some(api.clone()), Some(api.clone())]
    );
    assert_eq!(c.stub.hits("/register"), 1);
    let registration: Value = serde_json::from_slice(&c.stub.seen("/register")[0].body).unwrap();
    assert_eq!(registration["token_endpoint_auth_method"], "none");
    assert_eq!(registration["application_type"], "native");
    assert_eq!(
        registration["grant_types"],
        json!(["authorization_code", "refresh_token"])
    );
    assert_eq!(
        registration["redirect_uris"],
        json!([browser.params("redirect_uri")[0].clone().unwrap()])
    );
    for n in 0..2 {
        let form = c.form("/token", n);
        assert_eq!(field(&form, "resource"), Some(api.as_str()));
        assert_eq!(field(&form, "client_id"), Some("dyn"));
        assert_eq!(field(&form, "client_secret"), Some("dyn-SECRET"));
        assert_eq!(c.stub.seen("/token")[n].header("authorization"), None);
    }
    let auth: Vec<Option<String>> = c
        .stub
        .seen("/mcp")
        .iter()
        .map(|s| s.header("authorization").map(str::to_owned))
        .collect();
    assert_eq!(
        auth,
        [
            None,
            Some("Bearer tok-a".to_owned()),
            Some("Bearer tok-ab".to_owned())
        ]
    );
    // The secret is kept with the registration in the token store, never in plain files;
    // a refresh authenticates with it and asks for the same resource.
    let port = c.stub.port();
    let profile = format!("127.0.0.1-{port}-mcp");
    for plain in ["index.json", "registrations.json"] {
        let text = std::fs::read_to_string(h.path().join(plain)).unwrap();
        assert!(!text.contains("-SECRET"), "{plain}: {text}");
    }
    let refresh = run(h.path(), &["-p", &profile, "refresh"]);
    assert_code(&refresh, 0);
    let form = c.form("/token", 2);
    assert_eq!(field(&form, "grant_type"), Some("refresh_token"));
    assert_eq!(field(&form, "resource"), Some(api.as_str()));
    assert_eq!(field(&form, "client_secret"), Some("dyn-SECRET"));
    assert!(!stderr(&refresh).contains("SECRET"));
}

#[test]
fn a_scope_already_granted_ends_the_step_up_and_three_authorizations_are_the_most() {
    // Every tokened request is refused for a scope the token has: one authorization, then
    // the answer stands (the MCP scope-retry-limit case).
    let c = Canned2::start();
    let api = c.url("/mcp");
    c.metadata(
        "/.well-known/oauth-protected-resource/mcp",
        &api,
        &json!({}),
    );
    c.stub.sequence(
        "/mcp",
        vec![
            Canned2::challenge(401, &pointer(&c, r#", scope="admin""#)),
            Canned2::challenge(
                403,
                &pointer(&c, r#", error="insufficient_scope", scope="admin""#),
            ),
        ],
    );
    c.server(&json!({}))
        .registers(&json!({"client_id": "dyn"}))
        .tokens(&[token("tok-admin", Some("admin"))]);
    let h = home();
    let browser = Arc::new(Approve::default());
    let (code, err) =
        with_browser(h.path(), &browser, &["call", "--login", "--fail", &api]).failure();
    assert_eq!(code, 8, "{err}");
    assert_eq!(browser.urls().len(), 1);
    assert_eq!(c.stub.hits("/mcp"), 2);

    // A token the API never takes: a new authorization after each 401, three in all.
    let c = Canned2::start();
    let api = c.url("/mcp");
    c.metadata(
        "/.well-known/oauth-protected-resource/mcp",
        &api,
        &json!({}),
    );
    c.stub.route(
        "/mcp",
        Canned2::challenge(401, &pointer(&c, r#", error="invalid_token""#)),
    );
    c.server(&json!({}))
        .registers(&json!({"client_id": "dyn"}))
        .tokens(&[token("tok-never", None)]);
    let h = home();
    let browser = Arc::new(Approve::default());
    let (code, err) =
        with_browser(h.path(), &browser, &["call", "--login", "--fail", &api]).failure();
    assert_eq!(code, 8, "{err}");
    assert_eq!(browser.urls().len(), 3);
    assert_eq!(c.stub.hits("/register"), 1);
    assert_eq!(c.stub.hits("/mcp"), 4);
}

#[test]
fn a_client_given_on_the_command_line_is_used_at_whatever_server_is_found() {
    let c = canned_api();
    c.stub.sequence(
        "/mcp",
        vec![
            Canned2::challenge(401, &pointer(&c, "")),
            Canned::json("{}"),
        ],
    );
    c.server(&json!({
        "registration_endpoint": null,
        "token_endpoint_auth_methods_supported": ["client_secret_basic"],
    }))
    .tokens(&[token("tok-pre", None)]);
    let h = home();
    let browser = Arc::new(Approve::default());
    let api = c.url("/mcp");
    // The secret contains characters form encoding changes (RFC 6749 §2.3.1).
    let secret = crate::support::login::secret_file(h.path(), "pre:secret+1");
    let secret = secret.to_str().unwrap();
    with_browser(
        h.path(),
        &browser,
        &[
            "--client-id",
            "pre-registered",
            "--client-secret-file",
            secret,
            "call",
            "--login",
            "--fail",
            &api,
        ],
    )
    .stdout();
    assert_eq!(c.stub.hits("/register"), 0);
    assert_eq!(
        browser.params("client_id"),
        [Some("pre-registered".to_owned())]
    );
    let basic = c.stub.seen("/token")[0]
        .header("authorization")
        .unwrap()
        .to_owned();
    let decoded = base64::engine::general_purpose::STANDARD
        .decode(basic.trim_start_matches("Basic "))
        .unwrap();
    assert_eq!(decoded, b"pre-registered:pre%3Asecret%2B1");
    assert_eq!(field(&c.form("/token", 0), "client_secret"), None);
    // A client oauthctl did not register leaves no registration to forget.
    let profile = format!("127.0.0.1-{}-mcp", c.stub.port());
    let out = run(
        h.path(),
        &[
            "-p",
            &profile,
            "logout",
            "--no-revoke",
            "--forget-registration",
        ],
    );
    assert_code(&out, 0);
    assert!(
        stderr(&out).contains("`pre-registered` was not registered by oauthctl"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn a_client_id_metadata_document_is_used_where_the_server_supports_it_else_a_registration() {
    const DOCUMENT: &str = "https://client.example/oauthctl.json";
    for supported in [true, false] {
        let c = canned_api();
        c.stub.sequence(
            "/mcp",
            vec![
                Canned2::challenge(401, &pointer(&c, "")),
                Canned::json("{}"),
            ],
        );
        c.server(&json!({"client_id_metadata_document_supported": supported}))
            .registers(&json!({"client_id": "dyn"}))
            .tokens(&[token("tok-cimd", None)]);
        let h = home();
        let browser = Arc::new(Approve::default());
        let api = c.url("/mcp");
        with_browser(
            h.path(),
            &browser,
            &["call", "--login", "--client-metadata-url", DOCUMENT, &api],
        )
        .stdout();
        let expected = if supported { DOCUMENT } else { "dyn" };
        assert_eq!(browser.params("client_id"), [Some(expected.to_owned())]);
        assert_eq!(c.stub.hits("/register"), usize::from(!supported));
        assert_eq!(field(&c.form("/token", 0), "client_id"), Some(expected));
        // Never fetched by the client: it is the server's to fetch.
        assert!(
            c.stub
                .requests()
                .iter()
                .all(|s| !s.path.contains("oauthctl.json"))
        );
    }
}

#[test]
fn a_server_without_registration_needs_a_client_id() {
    let c = canned_api();
    c.stub
        .route("/mcp", Canned2::challenge(401, &pointer(&c, "")));
    c.server(&json!({"registration_endpoint": null}));
    let h = home();
    let browser = Arc::new(Approve::default());
    let (code, err) =
        with_browser(h.path(), &browser, &["call", "--login", &c.url("/mcp")]).failure();
    assert_eq!(code, 7, "{err}");
    assert!(err.contains("neither dynamic client registration"), "{err}");
    assert!(err.contains("hint: pass --client-id ID"), "{err}");
    assert!(browser.urls().is_empty());
}

#[test]
fn logout_keeps_the_registration_unless_told_to_forget_it_and_then_deletes_it_at_the_server() {
    let c = canned_api();
    c.stub.sequence(
        "/mcp",
        vec![
            Canned2::challenge(401, &pointer(&c, "")),
            Canned::json("{}"),
        ],
    );
    let manage = c.url("/register/dyn");
    c.server(&json!({}))
        .registers(&json!({
            "client_id": "dyn",
            "client_secret": "dyn-SECRET",
            "registration_access_token": "rat-SECRET",
            "registration_client_uri": manage,
        }))
        .tokens(&[token("tok-f", None)]);
    c.stub.route("/register/dyn", Canned::status(204, ""));
    let h = home();
    let browser = Arc::new(Approve::default());
    let api = c.url("/mcp");
    with_browser(h.path(), &browser, &["call", "--login", &api]).stdout();
    let profile = format!("127.0.0.1-{}-mcp", c.stub.port());
    let listed = || std::fs::read_to_string(h.path().join("registrations.json")).unwrap();
    assert!(listed().contains("\"dyn\""));
    let tokens_dir = h.path().join("tokens");
    let files = || std::fs::read_dir(&tokens_dir).unwrap().count();
    assert_eq!(files(), 2, "the token set and the registration record");

    let out = run(
        h.path(),
        &[
            "-p",
            &profile,
            "logout",
            "--no-revoke",
            "--forget-registration",
        ],
    );
    assert_code(&out, 0);
    assert!(
        stderr(&out).contains("Deleted the client registration"),
        "{}",
        stderr(&out)
    );
    let deletes: Vec<Seen> = c.stub.seen("/register/dyn");
    assert_eq!(deletes.len(), 1);
    assert_eq!(deletes[0].method, "DELETE");
    assert_eq!(
        deletes[0].header("authorization"),
        Some("Bearer rat-SECRET")
    );
    assert!(!listed().contains("\"dyn\""), "{}", listed());
    assert_eq!(files(), 0);
    assert!(!stderr(&out).contains("SECRET"));
}

#[test]
fn a_call_without_any_login_names_call_login_among_the_next_steps() {
    let c = canned_api();
    let api = c.url("/mcp");
    let h = home();
    let out = run(h.path(), &["call", &api]);
    assert_code(&out, 3);
    assert!(
        stderr(&out).contains(&format!("`oauthctl call {api} --login`")),
        "{}",
        stderr(&out)
    );
    assert_eq!(
        c.stub.requests().len(),
        0,
        "nothing is sent without --login"
    );
}

#[test]
fn max_time_bounds_the_exchanges_and_starts_again_after_a_login() {
    let c = canned_api();
    c.stub.sequence(
        "/mcp",
        vec![
            Canned2::challenge(401, &pointer(&c, "")),
            Canned::json(r#"{"ok":true}"#),
        ],
    );
    c.server(&json!({}))
        .registers(&json!({"client_id": "dyn"}))
        .tokens(&[token("tok-slow", None)]);
    let h = home();
    // The user takes longer to approve than --max-time allows for the whole call.
    let browser = Arc::new(Approve {
        delay: std::time::Duration::from_millis(1500),
        ..Approve::default()
    });
    let out = with_browser(
        h.path(),
        &browser,
        &["call", "--login", "--max-time", "1s", &c.url("/mcp")],
    )
    .stdout();
    assert_eq!(out, r#"{"ok":true}"#);
}
