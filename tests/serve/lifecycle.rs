//! Starting and stopping: the library type stops on drop and frees its port; the
//! `oauthctl serve` binary prints the issuer first.

use std::io::{BufRead, BufReader, Read};
use std::net::TcpStream;
use std::time::{Duration, Instant};

use oauthctl::devserver::{DevConfig, DevServer};

use super::{start, url};
use crate::support::{get, http};

#[test]
fn stops_on_drop_and_frees_the_port() {
    let s = start(DevConfig::default());
    let addr = s.local_addr();
    // A pooled keep-alive connection must not keep it alive.
    let c = http();
    assert_eq!(c.get(url(&s, "/jwks")).send().unwrap().status(), 200);
    let t = Instant::now();
    drop(s);
    assert!(t.elapsed() < Duration::from_secs(3), "{:?}", t.elapsed());
    assert!(TcpStream::connect_timeout(&addr, Duration::from_secs(1)).is_err());
    let again = DevServer::start(DevConfig {
        port: addr.port(),
        ..DevConfig::default()
    });
    assert!(again.is_ok(), "the port is free again");
}

#[test]
fn oauthctl_serve_prints_the_issuer_first() {
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_oauthctl"))
        .args(["serve", "--port", "0"])
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdout = BufReader::new(child.stdout.take().unwrap());
    let mut issuer = String::new();
    stdout.read_line(&mut issuer).unwrap();
    let issuer = issuer.trim_end().to_owned();
    assert!(issuer.starts_with("http://127.0.0.1:"), "{issuer}");
    let d = get(&format!("{issuer}/.well-known/openid-configuration"), None);
    assert_eq!(d.status, 200);
    assert_eq!(d.json["issuer"].as_str(), Some(issuer.as_str()));
    child.kill().unwrap();
    let out = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("development server"), "{stderr}");
    assert!(stderr.contains("demo-service"));
    assert!(stderr.contains("alice"));
    let mut rest = String::new();
    stdout.read_to_string(&mut rest).unwrap();
    assert!(rest.is_empty(), "stdout carries only the issuer: {rest:?}");
}
