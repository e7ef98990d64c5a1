//! A profile across several logins: the remembered provider, the token sets it owns and
//! their cache keys, what the index says after a rejected refresh, `logout` of every set,
//! a client secret that came from standard input, and `status` with the configuration.

use std::path::Path;

use oauthctl::devserver::{DevConfig, DevServer};
use serde_json::Value;

use crate::support::{assert_code, feed, home, login_with, oauthctl, run, stderr, stdout};

fn server() -> DevServer {
    DevServer::start(DevConfig::default()).unwrap()
}

/// `oauthctl login ARGS` with the built-in agent signing in as `user` on the real pages.
fn login(home: &Path, args: &[&str], user: &str) -> crate::support::LoginRun {
    let mut all = args.to_vec();
    all.extend(["--timeout", "30s"]);
    let run = login_with(home, &all, |url| {
        oauthctl::demo::agent::Agent::new(user, user)
            .sign_in(url)
            .expect("sign in");
    });
    assert!(run.success(), "login {args:?} failed:\n{}", run.stderr);
    run
}

/// The index file as JSON.
fn index(home: &Path) -> Value {
    serde_json::from_slice(&std::fs::read(home.join("index.json")).unwrap()).unwrap()
}

/// The token files in the file store.
fn token_files(home: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(home.join("tokens"))
        .map(|d| {
            d.map(|e| e.unwrap().path())
                .filter(|p| p.extension().is_some_and(|x| x == "json"))
                .map(|p| p.file_name().unwrap().to_string_lossy().into_owned())
                .collect()
        })
        .unwrap_or_default();
    names.sort();
    names
}

/// The profile's cached access and refresh tokens, without refreshing.
fn cached(home: &Path, profile: &str) -> (String, String) {
    let out = run(
        home,
        &[
            "-p",
            profile,
            "token",
            "--format",
            "json",
            "--include-refresh-token",
            "--no-refresh",
        ],
    );
    assert_code(&out, 0);
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    let field = |k: &str| v[k].as_str().unwrap_or_default().to_owned();
    (field("access_token"), field("refresh_token"))
}

/// Whether the dev server still considers `token` active (asked as the resource server).
fn active(s: &DevServer, token: &str) -> bool {
    let r = crate::support::post_basic(
        &format!("{}/introspect", s.issuer()),
        "demo-service",
        "demo-secret",
        &[("token", token)],
    );
    assert_eq!(r.status, 200, "{}", r.text);
    r.json["active"] == true
}

/// Writes `text` as the home's config file, private as a config file should be.
fn write_config(home: &Path, text: &str) {
    let path = home.join("config.toml");
    std::fs::write(&path, text).unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600)).unwrap();
    }
}

/// `local@PORT` and `keycloak@URL` stay whole in the profile, so a
/// re-login that names only the profile, and every refresh after it, reach the same server.
#[test]
fn a_re_login_keeps_the_provider_argument() {
    let s = server();
    let port = s.local_addr().port().to_string();
    for spec in [format!("local@{port}"), format!("keycloak@{}", s.issuer())] {
        let h = home();
        let first = [
            "-p",
            "dev",
            "--provider",
            &spec,
            "--client-id",
            "oauthctl",
            "--scope",
            "openid offline_access api:read",
        ];
        login(h.path(), &first, "alice");
        let before = s.hits("/token");
        // The second login names the profile alone.
        let again = login(h.path(), &["-p", "dev"], "alice");
        assert!(again.url.starts_with(s.issuer()), "{spec}: {}", again.url);
        let out = run(h.path(), &["-p", "dev", "refresh"]);
        assert_code(&out, 0);
        assert_eq!(s.hits("/token"), before + 2, "{spec}: login + refresh");
        assert_code(&run(h.path(), &["-p", "dev", "token"]), 0);
        assert_eq!(
            index(h.path())["profiles"]["dev"]["login"]["provider"],
            *spec
        );
    }
}

/// A re-login with other scopes leaves the first set cached; `logout`
/// revokes both sets' tokens at the server and deletes both from the store.
#[test]
fn logout_revokes_and_deletes_every_set_the_profile_owns() {
    let s = server();
    let h = home();
    let issuer = ["--issuer", s.issuer(), "--client-id", "oauthctl"];
    let with_scope = |scope: &'static str| {
        let mut args = issuer.to_vec();
        args.extend(["--scope", scope]);
        args
    };
    login(
        h.path(),
        &with_scope("openid offline_access api:read"),
        "alice",
    );
    let (at1, rt1) = cached(h.path(), "default");
    login(
        h.path(),
        &with_scope("openid offline_access api:write"),
        "alice",
    );
    let (at2, rt2) = cached(h.path(), "default");
    assert_ne!(rt1, rt2);
    assert_eq!(token_files(h.path()).len(), 2, "two sets under two keys");
    let status = stdout(&run(h.path(), &["status"]));
    assert!(
        status.contains("older:   1 token set of earlier logins"),
        "{status}"
    );
    for t in [&at1, &rt1, &at2, &rt2] {
        assert!(active(&s, t));
    }

    let out = run(h.path(), &["logout", "--json"]);
    assert_code(&out, 0);
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    for t in [&at1, &rt1, &at2, &rt2] {
        assert!(!active(&s, t), "every set's tokens are revoked");
    }
    assert_eq!(v["revoked"], true, "{}", stderr(&out));
    assert_eq!(v["token_sets"], 2);
    assert!(
        token_files(h.path()).is_empty(),
        "{:?}",
        token_files(h.path())
    );
    assert!(index(h.path())["profiles"].get("default").is_none());
    assert_code(&run(h.path(), &["token"]), 3);
}

/// Two logins that differ only in `--param` keep two cached sets.
#[test]
fn extra_parameters_are_part_of_the_cache_key() {
    let s = server();
    let h = home();
    let args = |value: &'static str| {
        vec![
            "--issuer",
            s.issuer(),
            "--client-id",
            "oauthctl",
            "--scope",
            "openid api:read",
            "--param",
            value,
        ]
    };
    login(h.path(), &args("acr_values=one"), "alice");
    let first = index(h.path())["profiles"]["default"]["cache_key"].clone();
    login(h.path(), &args("acr_values=two"), "alice");
    let second = index(h.path())["profiles"]["default"]["cache_key"].clone();
    assert_ne!(first, second);
    assert_eq!(token_files(h.path()).len(), 2, "no shared cache entry");
    // The same parameters again share the key, whatever their order on the command line.
    let mut two = args("acr_values=two");
    two.extend(["--param", "ui_locales=de"]);
    login(h.path(), &two, "alice");
    let mut swapped = args("ui_locales=de");
    swapped.extend(["--param", "acr_values=two"]);
    login(h.path(), &swapped, "alice");
    assert_eq!(token_files(h.path()).len(), 3);
    assert_code(&run(h.path(), &["logout"]), 0);
    assert!(token_files(h.path()).is_empty());
}

/// The secret of a `--client-secret-file -` login is not kept; renewing
/// says so and sends nothing, and works when the secret is given again.
#[test]
fn a_client_secret_from_stdin_is_asked_for_again_to_renew() {
    let s = server();
    let h = home();
    let out = feed(
        oauthctl(h.path())
            .args([
                "login",
                "--flow",
                "client-credentials",
                "--issuer",
                s.issuer(),
            ])
            .args(["--client-id", "demo-service", "--client-secret-file", "-"])
            .args(["--scope", "api:read"]),
        "demo-secret\n",
    );
    assert_code(&out, 0);
    let login_note = stderr(&out);
    assert_eq!(s.hits("/token"), 1);

    let out = run(h.path(), &["refresh"]);
    assert_code(&out, 7);
    let err = stderr(&out);
    assert!(err.contains("standard input"), "{err}");
    assert!(
        err.contains("hint: give it with --client-secret-file FILE"),
        "{err}"
    );
    assert!(err.contains("client_secret_env"), "{err}");
    assert!(!err.contains("invalid_client"), "{err}");
    assert_eq!(
        s.hits("/token"),
        1,
        "no request without client authentication"
    );

    let out = feed(
        oauthctl(h.path()).args(["--client-secret-file", "-", "refresh"]),
        "demo-secret\n",
    );
    assert_code(&out, 0);
    assert_eq!(s.hits("/token"), 2);
    // The login said so at once.
    assert!(
        login_note.contains("read from standard input and not kept"),
        "{login_note}"
    );

    // An index written before the source was remembered: still no anonymous renewal.
    let path = h.path().join("index.json");
    let text = std::fs::read_to_string(&path).unwrap();
    let mut v: Value = serde_json::from_str(&text).unwrap();
    let login = v["profiles"]["default"]["login"].as_object_mut().unwrap();
    assert_eq!(login.remove("client_secret_stdin"), Some(Value::Bool(true)));
    std::fs::write(&path, serde_json::to_vec_pretty(&v).unwrap()).unwrap();
    let out = run(h.path(), &["refresh"]);
    assert_code(&out, 7);
    assert!(
        stderr(&out).contains("no client secret to renew"),
        "{}",
        stderr(&out)
    );
    assert_eq!(s.hits("/token"), 2);
}

/// After `invalid_grant` drops the refresh token, the index says so and
/// `refresh` describes a valid access token as valid.
#[test]
fn after_a_rejected_refresh_token_status_and_refresh_tell_the_truth() {
    let s = server();
    let h = home();
    login(
        h.path(),
        &[
            "--issuer",
            s.issuer(),
            "--client-id",
            "oauthctl",
            "--scope",
            "openid offline_access api:read",
        ],
        "alice",
    );
    let (_, rt) = cached(h.path(), "default");
    let r = crate::support::post(
        &format!("{}/revoke", s.issuer()),
        &[("token", rt.as_str()), ("client_id", "oauthctl")],
    );
    assert_eq!(r.status, 200);
    let out = run(h.path(), &["refresh"]);
    assert_code(&out, 3);
    assert!(stderr(&out).contains("invalid_grant"), "{}", stderr(&out));

    let v: Value = serde_json::from_slice(&run(h.path(), &["status", "--json"]).stdout).unwrap();
    assert_eq!(v["profiles"][0]["refresh_token"], false, "{v}");
    assert_eq!(v["profiles"][0]["state"], "valid");
    let human = stdout(&run(h.path(), &["status"]));
    assert!(!human.contains("refresh token kept"), "{human}");

    let hits = s.hits("/token");
    let out = run(h.path(), &["refresh"]);
    assert_code(&out, 3);
    let err = stderr(&out);
    assert!(!err.contains("expired"), "{err}");
    assert!(
        err.contains("no refresh token to refresh with; the cached access token is still valid"),
        "{err}"
    );
    assert_eq!(s.hits("/token"), hits);
    // The token itself is still served.
    assert_code(&run(h.path(), &["token"]), 0);
}

/// `status` reads the configuration: its errors are exit 7, and
/// configured profiles without a login are listed.
#[test]
fn status_reads_the_configuration() {
    let h = home();
    write_config(
        h.path(),
        "[profiles.work]\nclient_id = \"x\"\ncolour = \"red\"\n",
    );
    let out = run(h.path(), &["status"]);
    assert_code(&out, 7);
    assert!(stderr(&out).contains("colour"), "{}", stderr(&out));
    assert!(stdout(&out).is_empty());

    write_config(
        h.path(),
        "[profiles.broken]\nprovider = \"nope\"\nclient_id = \"x\"\n",
    );
    let out = run(h.path(), &["status"]);
    assert_code(&out, 7);
    assert!(
        stderr(&out).contains("profile `broken`"),
        "{}",
        stderr(&out)
    );

    let s = server();
    write_config(
        h.path(),
        &format!(
            "[providers.corp]\nissuer = \"https://login.corp.example\"\n\n\
             [profiles.work]\nprovider = \"corp\"\nclient_id = \"cli-app\"\n\
             scopes = [\"openid\", \"profile\"]\n\n\
             [profiles.dev]\nissuer = \"{}\"\nclient_id = \"oauthctl\"\n",
            s.issuer()
        ),
    );
    let out = run(h.path(), &["status"]);
    assert_code(&out, 0);
    let text = stdout(&out);
    assert!(!text.contains("No cached logins"), "{text}");
    assert!(text.contains("work  not logged in"), "{text}");
    assert!(
        text.contains("issuer:  https://login.corp.example"),
        "{text}"
    );
    assert!(text.contains("login:   oauthctl -p work login"), "{text}");

    login(
        h.path(),
        &["-p", "dev", "--scope", "openid offline_access"],
        "bob",
    );
    let v: Value = serde_json::from_slice(&run(h.path(), &["status", "--json"]).stdout).unwrap();
    assert_eq!(v["profiles"].as_array().unwrap().len(), 1, "{v}");
    assert_eq!(v["profiles"][0]["profile"], "dev");
    let waiting = v["not_logged_in"].as_array().unwrap();
    assert_eq!(waiting.len(), 1, "{v}");
    assert_eq!(waiting[0]["profile"], "work");
    assert_eq!(waiting[0]["issuer"], "https://login.corp.example");
    assert_eq!(waiting[0]["client_id"], "cli-app");
    assert_eq!(waiting[0]["state"], "not logged in");
}
