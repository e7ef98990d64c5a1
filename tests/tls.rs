//! TLS trust: an HTTPS server on loopback with a certificate from a private CA is refused by
//! default and accepted with `--cacert` or `SSL_CERT_FILE`. Needs openssl and node; ignored
//! in a plain `cargo test`, run by scripts/test.sh.

use std::io::BufRead as _;
use std::process::{Child, Command, Stdio};

use jsonwebtoken::Algorithm;
use oauthctl::testing::{Fixture, sign_with};
use serde_json::json;

use crate::support::certs::PrivateCa;
use crate::support::{assert_code, home, oauthctl, stderr};

struct Https {
    child: Child,
    port: u16,
    dir: tempfile::TempDir,
}

impl Drop for Https {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A private CA, a server certificate for 127.0.0.1 signed by it, and a server for `body`.
fn start(body: &[u8]) -> Https {
    let ca = PrivateCa::new();
    let d = ca.dir.path();
    std::fs::write(d.join("body.json"), body).unwrap();
    let script =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/interop/https-server.mjs");
    let mut child = Command::new("node")
        .arg(script)
        .args(["server.pem", "server.key", "body.json"])
        .current_dir(d)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("node");
    let mut line = String::new();
    std::io::BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let port = line
        .trim()
        .strip_prefix("listening on ")
        .expect("server started")
        .parse()
        .unwrap();
    Https {
        child,
        port,
        dir: ca.dir,
    }
}

#[test]
#[ignore = "needs openssl and node (scripts/install-test-deps.sh); run with --include-ignored"]
fn private_ca_needs_cacert_or_ssl_cert_file() {
    let keys = Fixture::new();
    let server = start(&keys.jwks());
    let jwks = format!("https://127.0.0.1:{}/jwks", server.port);
    let token = sign_with(
        &json!({"alg": "ES256", "kid": "ec1"}),
        &json!({"sub": "alice"}),
        &keys.ec,
        Algorithm::ES256,
    );
    let ca = server.dir.path().join("ca.pem");
    let h = home();
    // Not trusted by default: a TLS error, exit 5.
    let out = oauthctl(h.path())
        .args(["decode", "--verify", "--jwks", &jwks, &token])
        .output()
        .unwrap();
    assert_code(&out, 5);
    assert!(
        stderr(&out).to_lowercase().contains("certificate"),
        "{}",
        stderr(&out)
    );
    assert!(
        stderr(&out).contains("hint: the server's certificate is not trusted: pass --cacert"),
        "{}",
        stderr(&out)
    );
    // --cacert adds the CA.
    let out = oauthctl(h.path())
        .args([
            "--cacert",
            ca.to_str().unwrap(),
            "decode",
            "--verify",
            "--jwks",
            &jwks,
            &token,
        ])
        .output()
        .unwrap();
    assert_code(&out, 0);
    // SSL_CERT_FILE replaces the system roots with the file's (a fresh home: no cache).
    let h2 = home();
    let out = oauthctl(h2.path())
        .args(["decode", "--verify", "--jwks", &jwks, &token])
        .env("SSL_CERT_FILE", &ca)
        .output()
        .unwrap();
    assert_code(&out, 0);
    // A --cacert that is not PEM is a configuration error.
    let bad = server.dir.path().join("body.json");
    let h3 = home();
    let out = oauthctl(h3.path())
        .args([
            "--cacert",
            bad.to_str().unwrap(),
            "decode",
            "--verify",
            "--jwks",
            &jwks,
            &token,
        ])
        .output()
        .unwrap();
    assert_code(&out, 7);
}
