//! `doctor`: one test per finding (a healthy setup, a broken configuration, clock skew, an
//! issuer mismatch, an unreachable keyring, a token file others can read, an untrusted TLS
//! chain), each problem with the fix that works as printed, and exit 9 until it is applied.

use std::process::Command;
use std::time::{Duration, SystemTime};

use oauthctl::devserver::{DevConfig, DevServer};
use serde_json::{Value, json};

use crate::kubectl::client_credentials_login;
use crate::support::certs::{BearerApi, PrivateCa};
use crate::support::stub::{Canned, Stub};
use crate::support::{assert_code, home, oauthctl, stderr, stdout};

/// `oauthctl ARGS doctor --json`: the exit code and the findings by check name.
fn doctor(cmd: &mut Command) -> (Option<i32>, Value, String) {
    doctor_url(cmd, None)
}

/// [`doctor`] with `doctor URL`.
fn doctor_url(cmd: &mut Command, url: Option<&str>) -> (Option<i32>, Value, String) {
    let out = cmd.args(["doctor", "--json"]).args(url).output().unwrap();
    let doc: Value = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|_| panic!("no JSON: {}\n{}", stdout(&out), stderr(&out)));
    (out.status.code(), doc, stderr(&out))
}

/// The finding of `check` (the first one).
fn check<'a>(doc: &'a Value, check: &str) -> &'a Value {
    doc["checks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["check"] == check)
        .unwrap_or_else(|| panic!("no {check} finding in {doc}"))
}

fn statuses(doc: &Value) -> Vec<(String, String)> {
    doc["checks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            (
                c["check"].as_str().unwrap().to_owned(),
                c["status"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

#[test]
fn a_healthy_setup_passes_every_check() {
    let server = DevServer::start(DevConfig::default()).unwrap();
    let h = home();
    client_credentials_login(h.path(), server.issuer(), "dev");
    let (code, doc, err) = doctor(oauthctl(h.path()).args(["-p", "dev"]));
    assert_eq!(code, Some(0), "{doc}\n{err}");
    assert_eq!(doc["ok"], true);
    assert_eq!(doc["profile"], "dev");
    let names: Vec<String> = statuses(&doc).into_iter().map(|(c, _)| c).collect();
    for name in [
        "config",
        "files",
        "keyring",
        "browser",
        "loopback",
        "clock",
        "metadata",
        "endpoints",
        "pkce",
        "dpop",
        "par",
        "tls",
    ] {
        assert!(names.iter().any(|n| n == name), "{name} missing: {names:?}");
    }
    assert!(statuses(&doc).iter().all(|(_, s)| s != "problem"), "{doc}");
    assert_eq!(check(&doc, "metadata")["status"], "ok");
    assert_eq!(check(&doc, "pkce")["status"], "ok");
    assert_eq!(check(&doc, "clock")["status"], "ok");
    assert!(
        check(&doc, "files")["message"]
            .as_str()
            .unwrap()
            .contains("are private")
    );
    // The human report: one line per check, fixes under problems, a closing line.
    let out = oauthctl(h.path())
        .args(["-p", "dev", "doctor"])
        .output()
        .unwrap();
    assert_code(&out, 0);
    assert!(
        stdout(&out).ends_with("No problems found.\n"),
        "{}",
        stdout(&out)
    );
}

#[test]
fn a_broken_configuration_is_a_problem_with_its_line() {
    let h = home();
    std::fs::write(
        h.path().join("config.toml"),
        "[profiles.work]\nclient_id = \"x\"\nclient_secert = \"oops\"\n",
    )
    .unwrap();
    let (code, doc, err) = doctor(&mut oauthctl(h.path()));
    assert_eq!(code, Some(9), "{doc}");
    assert_eq!(doc["ok"], false);
    let config = check(&doc, "config");
    assert_eq!(config["status"], "problem");
    assert!(
        config["message"]
            .as_str()
            .unwrap()
            .contains("config.toml:3:1"),
        "{config}"
    );
    assert!(
        config["message"]
            .as_str()
            .unwrap()
            .contains("client_secert"),
        "{config}"
    );
    assert!(
        config["fix"]
            .as_str()
            .unwrap()
            .starts_with("fix or remove "),
        "{config}"
    );
    assert!(
        err.contains("oauthctl: error: doctor found 1 problem(s)"),
        "{err}"
    );
    assert!(
        err.contains("hint: apply the fixes above, then run `oauthctl doctor` again"),
        "{err}"
    );
    // The other checks still ran.
    assert_eq!(check(&doc, "loopback")["status"], "ok");
}

/// A stand-in authorization server that publishes `issuer` in its metadata and sends a
/// `Date` `skew` seconds off.
fn metadata_stub(issuer: Option<&str>, skew: i64) -> Stub {
    let stub = Stub::start();
    let issuer = issuer.map_or_else(|| stub.base.clone(), str::to_owned);
    let date = if skew >= 0 {
        SystemTime::now() + Duration::from_secs(skew.unsigned_abs())
    } else {
        SystemTime::now() - Duration::from_secs(skew.unsigned_abs())
    };
    let doc = json!({
        "issuer": issuer,
        "authorization_endpoint": format!("{}/authorize", stub.base),
        "token_endpoint": format!("{}/token", stub.base),
        "jwks_uri": format!("{}/jwks", stub.base),
        "code_challenge_methods_supported": ["S256"],
    });
    stub.route(
        "/.well-known/openid-configuration",
        Canned::json(doc.to_string()).header("Date", &httpdate::fmt_http_date(date)),
    );
    stub
}

#[test]
fn clock_skew_against_the_servers_date_is_a_problem() {
    let stub = metadata_stub(None, 600);
    let h = home();
    let (code, doc, _) = doctor(oauthctl(h.path()).args(["--issuer", &stub.base]));
    assert_eq!(code, Some(9), "{doc}");
    let clock = check(&doc, "clock");
    assert_eq!(clock["status"], "problem");
    let message = clock["message"].as_str().unwrap();
    assert!(
        message.contains("clock is 10m") || message.contains("clock is 9m"),
        "{message}"
    );
    assert!(message.contains("ahead of this computer's"), "{message}");
    assert!(
        clock["fix"]
            .as_str()
            .unwrap()
            .contains("timedatectl set-ntp true")
    );
    assert_eq!(check(&doc, "metadata")["status"], "ok");
    // Within the leeway it is fine.
    let stub = metadata_stub(None, -5);
    let (_, doc, _) = doctor(oauthctl(h.path()).args(["--issuer", &stub.base]));
    assert_eq!(check(&doc, "clock")["status"], "ok", "{doc}");
}

#[test]
fn an_issuer_mismatch_is_a_problem_with_the_published_issuer() {
    let stub = metadata_stub(Some("https://other.example"), 0);
    let h = home();
    let (code, doc, _) = doctor(oauthctl(h.path()).args(["--issuer", &stub.base]));
    assert_eq!(code, Some(9), "{doc}");
    let meta = check(&doc, "metadata");
    assert_eq!(meta["status"], "problem");
    assert!(
        meta["message"]
            .as_str()
            .unwrap()
            .contains("names issuer `https://other.example`"),
        "{meta}"
    );
    assert!(
        meta["fix"]
            .as_str()
            .unwrap()
            .contains("issuer = \"https://other.example\""),
        "{meta}"
    );
    // The endpoints of the document are still judged: http to loopback is fine.
    assert_eq!(check(&doc, "endpoints")["status"], "ok");
}

#[test]
fn an_unreachable_keyring_is_a_problem_when_required() {
    let h = home();
    let runtime = tempfile::tempdir().unwrap();
    let no_bus = |store: &str| {
        let mut cmd = oauthctl(h.path());
        cmd.env_remove("DBUS_SESSION_BUS_ADDRESS")
            .env("XDG_RUNTIME_DIR", runtime.path())
            .env("OAUTHCTL_KEYRING_TIMEOUT", "2s")
            .env("OAUTHCTL_TOKEN_STORE", store);
        doctor(&mut cmd)
    };
    let (code, doc, _) = no_bus("keyring");
    assert_eq!(code, Some(9), "{doc}");
    let keyring = check(&doc, "keyring");
    assert_eq!(keyring["status"], "problem");
    assert!(
        keyring["message"]
            .as_str()
            .unwrap()
            .contains("the OS keyring is not available"),
        "{keyring}"
    );
    assert!(
        keyring["fix"]
            .as_str()
            .unwrap()
            .contains("export OAUTHCTL_TOKEN_STORE=file")
    );
    // With `auto` it is a warning: tokens go to files.
    let (_, doc, _) = no_bus("auto");
    assert_eq!(check(&doc, "keyring")["status"], "warn", "{doc}");
}

#[cfg(unix)]
#[test]
fn a_token_file_others_can_read_is_a_problem_until_chmod() {
    use std::os::unix::fs::PermissionsExt as _;
    let server = DevServer::start(DevConfig::default()).unwrap();
    let h = home();
    client_credentials_login(h.path(), server.issuer(), "dev");
    let file = std::fs::read_dir(h.path().join("tokens"))
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .find(|p| p.extension().is_some_and(|x| x == "json"))
        .expect("a token file");
    std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o644)).unwrap();
    let (code, doc, _) = doctor(oauthctl(h.path()).args(["-p", "dev"]));
    assert_eq!(code, Some(9), "{doc}");
    let files = check(&doc, "files");
    assert_eq!(files["status"], "problem");
    assert!(
        files["message"].as_str().unwrap().contains("mode 0644"),
        "{files}"
    );
    let fix = files["fix"].as_str().unwrap();
    assert_eq!(fix, format!("chmod 600 {}", file.display()));
    // The fix works as printed.
    let ran = Command::new("sh").arg("-c").arg(fix).status().unwrap();
    assert!(ran.success());
    let (code, doc, _) = doctor(oauthctl(h.path()).args(["-p", "dev"]));
    assert_eq!(code, Some(0), "{doc}");
}

fn ca_path(ca: &PrivateCa) -> String {
    ca.path("ca.pem").display().to_string()
}

#[test]
#[ignore = "needs openssl and node (scripts/install-test-deps.sh); run with --include-ignored"]
fn an_untrusted_tls_chain_is_a_problem_until_cacert() {
    let ca = PrivateCa::new();
    let api = BearerApi::start(&ca, "t");
    let url = format!("https://127.0.0.1:{}/", api.port);
    let h = home();
    let (code, doc, _) = doctor_url(&mut oauthctl(h.path()), Some(&url));
    assert_eq!(code, Some(9), "{doc}");
    let tls = check(&doc, "tls");
    assert_eq!(tls["status"], "problem");
    assert!(
        tls["message"]
            .as_str()
            .unwrap()
            .to_lowercase()
            .contains("certificate"),
        "{tls}"
    );
    let fix = tls["fix"].as_str().unwrap();
    assert!(fix.contains("oauthctl --cacert CA.pem doctor"), "{fix}");
    // The fix, with the CA's file named.
    let (code, doc, _) = doctor_url(
        oauthctl(h.path()).args(["--cacert", &ca_path(&ca)]),
        Some(&url),
    );
    assert_eq!(code, Some(0), "{doc}");
    assert_eq!(check(&doc, "tls")["status"], "ok");
}
