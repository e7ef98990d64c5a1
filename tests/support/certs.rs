//! A private CA and a certificate for 127.0.0.1 signed by it (openssl), and the HTTPS
//! stand-in API of `tests/interop/bearer-api.mjs` (node) that wants one bearer token.

use std::io::BufRead as _;
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdout, Command, Stdio};

fn openssl(dir: &Path, args: &[&str]) {
    let out = Command::new("openssl")
        .args(args)
        .current_dir(dir)
        .output()
        .expect("openssl");
    assert!(
        out.status.success(),
        "openssl {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// `ca.pem`, `server.pem` and `server.key` (127.0.0.1) in a fresh directory.
pub struct PrivateCa {
    pub dir: tempfile::TempDir,
}

impl PrivateCa {
    pub fn new() -> Self {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        let ec = |out: &str| {
            openssl(
                d,
                &[
                    "ecparam",
                    "-name",
                    "prime256v1",
                    "-genkey",
                    "-noout",
                    "-out",
                    out,
                ],
            );
        };
        ec("ca.key");
        openssl(
            d,
            &[
                "req",
                "-x509",
                "-new",
                "-key",
                "ca.key",
                "-subj",
                "/CN=oauthctl test CA",
                "-days",
                "2",
                "-out",
                "ca.pem",
                "-addext",
                "basicConstraints=critical,CA:TRUE",
                "-addext",
                "keyUsage=critical,keyCertSign,cRLSign",
            ],
        );
        ec("server.key");
        openssl(
            d,
            &[
                "req",
                "-new",
                "-key",
                "server.key",
                "-subj",
                "/CN=127.0.0.1",
                "-out",
                "server.csr",
            ],
        );
        std::fs::write(
            d.join("ext.cnf"),
            "subjectAltName=IP:127.0.0.1\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n",
        )
        .unwrap();
        openssl(
            d,
            &[
                "x509",
                "-req",
                "-in",
                "server.csr",
                "-CA",
                "ca.pem",
                "-CAkey",
                "ca.key",
                "-CAcreateserial",
                "-days",
                "2",
                "-extfile",
                "ext.cnf",
                "-out",
                "server.pem",
            ],
        );
        Self { dir }
    }

    pub fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }
}

/// The HTTPS stand-in API; stops on drop.
pub struct BearerApi {
    child: Child,
    pub port: u16,
    lines: std::io::Lines<std::io::BufReader<ChildStdout>>,
}

impl BearerApi {
    /// Serves with `ca`'s server certificate, answering 200 only to `Bearer {token}`.
    pub fn start(ca: &PrivateCa, token: &str) -> Self {
        let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/interop/bearer-api.mjs");
        let mut child = Command::new("node")
            .arg(script)
            .arg(ca.path("server.pem"))
            .arg(ca.path("server.key"))
            .env("EXPECTED_TOKEN", token)
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("node");
        let mut lines = std::io::BufReader::new(child.stdout.take().unwrap()).lines();
        let first = lines.next().unwrap().unwrap();
        let port = first
            .strip_prefix("listening on ")
            .expect("server started")
            .parse()
            .unwrap();
        Self { child, port, lines }
    }

    /// The next request line it logged (`ok PATH` or `refused PATH`).
    pub fn next_request(&mut self) -> String {
        self.lines.next().unwrap().unwrap()
    }
}

impl Drop for BearerApi {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
