//! A profile across several logins: the remembered provider, the token sets it owns and
//! their cache keys, what the index says after a rejected refresh, `logout` of every set,
//! a client secret that came from standard input, and `status` with the configuration.

use std::path::Path;

use oauthctl::devserver::{DevConfig, DevServer};
use serde_json::Value;

use crate::support::{assert_code, home, login_with, run};

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