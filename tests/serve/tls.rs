//! `serve --tls`: https with a development CA, and mutual TLS (RFC 8705):
//! `tls_client_auth`, `self_signed_tls_client_auth` and certificate-bound tokens.

use std::path::Path;

use base64::Engine as _;
use oauthctl::devserver::{CA_CERT_FILE, CA_KEY_FILE, DevConfig, DevServer, ServerConfigFile};
use reqwest::blocking::Client;
use serde_json::{Value, json};

use super::url;
use crate::support::Answer;

/// A server with TLS, its CA in `dir`, and the clients of `toml`.
fn tls_server(dir: &Path, toml: &str) -> DevServer {
    let file = ServerConfigFile::parse(toml).unwrap();
    DevServer::start(DevConfig::default().with_tls(dir).with_file(file)).unwrap()
}

/// A client that trusts the server's CA and presents `identity` (certificate and key PEM).
fn client(s: &DevServer, identity: Option<&(String, String)>) -> Client {
    let ca = reqwest::Certificate::from_pem(s.ca_cert_pem().unwrap().as_bytes()).unwrap();
    let mut b = Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .tls_certs_only([ca]);
    if let Some((cert, key)) = identity {
        b = b.identity(reqwest::Identity::from_pem(format!("{cert}{key}").as_bytes()).unwrap());
    }
    b.build().unwrap()
}

/// A self-signed certificate with common name `cn` (certificate and key PEM).
fn self_signed(cn: &str) -> (String, String) {
    let key = rcgen::KeyPair::generate().unwrap();
    let mut params = rcgen::CertificateParams::default();
    let mut dn = rcgen::DistinguishedName::new();
    dn.push(rcgen::DnType::CommonName, cn);
    params.distinguished_name = dn;
    let cert = params.self_signed(&key).unwrap();
    (cert.pem(), key.serialize_pem())
}

/// The DER of a PEM certificate.
fn der(pem: &str) -> Vec<u8> {
    let body: String = pem.lines().filter(|l| !l.starts_with("-----")).collect();
    base64::engine::general_purpose::STANDARD
        .decode(body)
        .unwrap()
}

fn x5t(pem: &str) -> String {
    oauthctl::oauth::jose::sha256_b64url(&der(pem))
}

fn token(s: &DevServer, c: &Client, client_id: &str) -> Answer {
    Answer::from(
        c.post(url(s, "/token"))
            .form(&[
                ("grant_type", "client_credentials"),
                ("client_id", client_id),
                ("scope", "api:read"),
            ])
            .send()
            .unwrap(),
    )
}

const MTLS_CLIENTS: &str = r#"
[[clients]]
id = "mtls-app"
tls_client_auth_subject_dn = "CN=mtls-app"
grant_types = ["client_credentials"]
scopes = ["api:read"]

[[clients]]
id = "demo-service"
secret = "demo-secret"
grant_types = ["client_credentials"]
introspect_any = true
"#;

#[test]
fn the_server_speaks_https_with_a_lasting_private_ca() {
    let dir = tempfile::tempdir().unwrap();
    let tls_dir = dir.path().join("serve-tls");
    let s = tls_server(&tls_dir, MTLS_CLIENTS);
    assert!(
        s.issuer().starts_with("https://127.0.0.1:"),
        "{}",
        s.issuer()
    );
    assert_eq!(s.ca_cert_path(), Some(tls_dir.join(CA_CERT_FILE).as_path()));
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode(&tls_dir.join(CA_KEY_FILE)), 0o600);
        assert_eq!(mode(&tls_dir), 0o700);
    }
    let c = client(&s, None);
    let meta: Value = c
        .get(url(&s, "/.well-known/openid-configuration"))
        .send()
        .unwrap()
        .text()
        .map(|t| serde_json::from_str(&t).unwrap())
        .unwrap();
    assert_eq!(meta["issuer"], s.issuer());
    assert_eq!(meta["token_endpoint"], url(&s, "/token"));
    assert_eq!(meta["tls_client_certificate_bound_access_tokens"], true);
    let methods = meta["token_endpoint_auth_methods_supported"]
        .as_array()
        .unwrap();
    assert!(methods.contains(&json!("tls_client_auth")));
    assert!(methods.contains(&json!("self_signed_tls_client_auth")));
    assert!(meta.get("mtls_endpoint_aliases").is_none());
    // Without the CA the certificate is not trusted; plain http gets nowhere.
    let untrusting = Client::builder().build().unwrap();
    assert!(untrusting.get(url(&s, "/jwks")).send().is_err());
    let plain = url(&s, "/jwks").replace("https://", "http://");
    assert!(
        Client::builder()
            .build()
            .unwrap()
            .get(plain)
            .send()
            .map_or(true, |r| !r.status().is_success())
    );
    // A restart with the same directory keeps the CA, so clients keep trusting it.
    let first_ca = s.ca_cert_pem().unwrap().to_owned();
    drop(s);
    let again = tls_server(&tls_dir, MTLS_CLIENTS);
    assert_eq!(again.ca_cert_pem(), Some(first_ca.as_str()));
    let status = client(&again, None)
        .get(url(&again, "/jwks"))
        .send()
        .unwrap()
        .status();
    assert_eq!(status, 200);
}

#[test]
fn tls_client_auth_binds_tokens_to_the_certificate() {
    let dir = tempfile::tempdir().unwrap();
    let s = tls_server(dir.path(), MTLS_CLIENTS);
    let identity = s.client_certificate("mtls-app").unwrap().unwrap();
    let with_cert = client(&s, Some(&identity));
    let t = token(&s, &with_cert, "mtls-app");
    assert_eq!(t.status, 200, "{}", t.text);
    assert_eq!(
        t.json["token_type"], "Bearer",
        "certificate-bound tokens stay Bearer"
    );
    let at = t.json["access_token"].as_str().unwrap().to_owned();
    let (_, claims) = crate::support::jwt_parts(&at);
    assert_eq!(claims["cnf"], json!({"x5t#S256": x5t(&identity.0)}));
    // The wrong certificates: none, a self-signed one with the same name, one from the CA
    // for another name.
    let other_name = s.client_certificate("someone-else").unwrap().unwrap();
    for (why, c) in [
        ("no certificate", client(&s, None)),
        ("self-signed", client(&s, Some(&self_signed("mtls-app")))),
        ("another name", client(&s, Some(&other_name))),
    ] {
        let a = token(&s, &c, "mtls-app");
        assert_eq!(
            (a.status, a.json["error"].as_str()),
            (401, Some("invalid_client")),
            "{why}: {}",
            a.text
        );
    }
    // The API wants the same certificate with the token.
    let data = url(&s, "/api/data");
    let call = |c: &Client| c.get(&data).bearer_auth(&at).send().unwrap();
    assert_eq!(call(&with_cert).status(), 200);
    for c in [client(&s, None), client(&s, Some(&other_name))] {
        let r = call(&c);
        assert_eq!(r.status(), 401);
        let challenge = r.headers()["www-authenticate"].to_str().unwrap().to_owned();
        assert!(challenge.contains("certificate"), "{challenge}");
    }
    // Introspection shows the binding.
    let i: Value = client(&s, None)
        .post(url(&s, "/introspect"))
        .basic_auth("demo-service", Some("demo-secret"))
        .form(&[("token", at.as_str())])
        .send()
        .unwrap()
        .text()
        .map(|t| serde_json::from_str(&t).unwrap())
        .unwrap();
    assert_eq!(i["cnf"]["x5t#S256"], x5t(&identity.0));
}

#[test]
fn self_signed_tls_client_auth_matches_the_registered_certificate() {
    let dir = tempfile::tempdir().unwrap();
    let mine = self_signed("self-app");
    let x5c = base64::engine::general_purpose::STANDARD.encode(der(&mine.0));
    let toml = format!(
        "[[clients]]\nid = \"self-app\"\ntoken_endpoint_auth_method = \"self_signed_tls_client_auth\"\n\
         grant_types = [\"client_credentials\"]\nscopes = [\"api:read\"]\n\
         jwks = {{ keys = [ {{ kty = \"EC\", x5c = [\"{x5c}\"] }} ] }}\n"
    );
    let s = tls_server(dir.path(), &toml);
    let ok = token(&s, &client(&s, Some(&mine)), "self-app");
    assert_eq!(ok.status, 200, "{}", ok.text);
    let (_, claims) = crate::support::jwt_parts(ok.json["access_token"].as_str().unwrap());
    assert_eq!(claims["cnf"]["x5t#S256"], x5t(&mine.0));
    let another = token(&s, &client(&s, Some(&self_signed("self-app"))), "self-app");
    assert_eq!(another.status, 401, "{}", another.text);
}

#[test]
fn a_stalled_handshake_is_closed_at_the_head_deadline() {
    use std::io::Read as _;
    use std::time::{Duration, Instant};
    let dir = tempfile::tempdir().unwrap();
    let mut cfg = DevConfig::default().with_tls(dir.path());
    cfg.limits.head_timeout = Duration::from_secs(1);
    let s = DevServer::start(cfg).unwrap();
    let mut tcp = std::net::TcpStream::connect(s.local_addr()).unwrap();
    tcp.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    let started = Instant::now();
    let mut buf = [0u8; 16];
    // Closed (end of stream or reset), not left open: nothing was ever sent.
    let n = tcp.read(&mut buf).unwrap_or(0);
    let waited = started.elapsed();
    assert_eq!(n, 0);
    assert!(waited >= Duration::from_millis(900), "{waited:?}");
    assert!(waited < Duration::from_secs(5), "{waited:?}");
    // Meanwhile, and afterwards, real clients are served.
    assert_eq!(
        client(&s, None)
            .get(url(&s, "/jwks"))
            .send()
            .unwrap()
            .status(),
        200
    );
}

#[test]
fn oauthctl_serve_tls_names_the_ca_to_trust() {
    use std::io::{BufRead as _, BufReader};
    let home = crate::support::home();
    let mut child = crate::support::oauthctl(home.path())
        .args(["serve", "--port", "0", "--tls", "--require-dpop"])
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdout = BufReader::new(child.stdout.take().unwrap());
    let mut issuer = String::new();
    stdout.read_line(&mut issuer).unwrap();
    let issuer = issuer.trim_end().to_owned();
    assert!(issuer.starts_with("https://127.0.0.1:"), "{issuer}");
    let ca_path = home.path().join("serve-tls").join(CA_CERT_FILE);
    let ca = std::fs::read(&ca_path).unwrap();
    let c = Client::builder()
        .tls_certs_only([reqwest::Certificate::from_pem(&ca).unwrap()])
        .build()
        .unwrap();
    let meta: Value = serde_json::from_str(
        &c.get(format!("{issuer}/.well-known/openid-configuration"))
            .send()
            .unwrap()
            .text()
            .unwrap(),
    )
    .unwrap();
    assert_eq!(meta["issuer"], issuer);
    child.kill().unwrap();
    let out = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains(&format!("pass --cacert {}", ca_path.display())),
        "{stderr}"
    );
    assert!(stderr.contains("requires   DPoP"), "{stderr}");
    assert!(stderr.contains("a development CA"), "{stderr}");
}
