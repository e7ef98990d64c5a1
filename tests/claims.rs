//! Custom claims end to end: `oauthctl serve --server-config` with user and client claims,
//! `oauthctl login` through the login and consent pages, then `decode` and `userinfo`
//! show the claims.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};

use serde_json::{Value, json};

use crate::support::login::login_as;
use crate::support::{assert_code, feed, home, oauthctl, run};

/// `oauthctl serve` as a child process; killed when dropped.
struct Serve {
    child: Child,
    issuer: String,
}

impl Serve {
    fn start(config: &std::path::Path) -> Self {
        let mut child = Command::new(env!("CARGO_BIN_EXE_oauthctl"))
            .args(["serve", "--port", "0", "--server-config"])
            .arg(config)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        Self {
            child,
            issuer: line.trim_end().to_owned(),
        }
    }
}

impl Drop for Serve {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

const CONFIG: &str = r#"
[[clients]]
id = "oauthctl"
redirect_uris = ["http://127.0.0.1/callback"]
grant_types = ["authorization_code", "refresh_token"]

[clients.claims]
tenant = "{client_id}"
audience_hint = "{issuer}/api"

[[users]]
username = "alice"
password = "alice"
roles = ["admin"]

[users.claims]
department = "eng"
employee_id = 4711
groups = ["dev", "ops"]
profile_url = "https://people.example/{username}"
"#;

#[test]
fn login_then_decode_and_userinfo_show_the_custom_claims() {
    let h = home();
    let config = h.path().join("server.toml");
    std::fs::write(&config, CONFIG).unwrap();
    let s = Serve::start(&config);
    assert!(s.issuer.starts_with("http://127.0.0.1:"), "{}", s.issuer);
    login_as(h.path(), &s.issuer, "alice", "openid offline_access");
    let want = json!({
        "tenant": "oauthctl",
        "audience_hint": format!("{}/api", s.issuer),
        "department": "eng",
        "employee_id": 4711,
        "groups": ["dev", "ops"],
        "profile_url": "https://people.example/alice",
    });
    let pick = |doc: &Value| {
        json!({
            "tenant": doc["tenant"], "audience_hint": doc["audience_hint"],
            "department": doc["department"], "employee_id": doc["employee_id"],
            "groups": doc["groups"], "profile_url": doc["profile_url"],
        })
    };
    // The access token, verified with the server's keys.
    let token = run(h.path(), &["token"]);
    assert_code(&token, 0);
    let out = feed(
        oauthctl(h.path()).args(["decode", "--verify", "--json"]),
        &token.stdout,
    );
    assert_code(&out, 0);
    let doc: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(pick(&doc["claims"]), want, "{doc}");
    // The ID token from the cache.
    let out = run(h.path(), &["token", "--id-token"]);
    assert_code(&out, 0);
    let out = feed(
        oauthctl(h.path()).args(["decode", "--verify", "--json"]),
        &out.stdout,
    );
    assert_code(&out, 0);
    let doc: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(doc["claims"]["aud"], "oauthctl", "{doc}");
    assert_eq!(pick(&doc["claims"]), want, "{doc}");
    // userinfo.
    let out = run(h.path(), &["--json", "userinfo"]);
    assert_code(&out, 0);
    let doc: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(doc["sub"], "alice");
    assert_eq!(pick(&doc), want, "{doc}");
}

#[test]
fn serve_refuses_a_reserved_claim_and_a_bad_template_naming_the_line() {
    let h = home();
    for (toml, want) in [
        (
            "[[users]]\nusername = \"a\"\npassword = \"a\"\n\n[users.claims]\nsub = \"root\"\n",
            "line 6: user `a`: claim `sub`: `sub` is reserved",
        ),
        (
            "[[clients]]\nid = \"web\"\n[clients.claims]\ntenant = \"{tenant}\"\n",
            "line 4: client `web`: claim `tenant`: unknown placeholder `{tenant}`",
        ),
    ] {
        let config = h.path().join("bad.toml");
        std::fs::write(&config, toml).unwrap();
        let out = Command::new(env!("CARGO_BIN_EXE_oauthctl"))
            .args(["serve", "--port", "0", "--server-config"])
            .arg(&config)
            .stdin(Stdio::null())
            .output()
            .unwrap();
        assert_code(&out, 7);
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains(want), "{err}");
        assert_eq!(
            err.trim_end().lines().count(),
            2,
            "an error and a hint: {err}"
        );
    }
}
