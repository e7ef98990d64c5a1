//! Redirect URIs and headless logins: `--redirect-uri` with `localhost`, paths
//! and ports, the listener that binds them, the dev server's matching of them, paste-back on
//! a terminal, the device flow's QR code, and the `Origin` header of Entra ID SPA clients.

use std::collections::BTreeMap;
use std::io::{BufRead as _, BufReader};
use std::net::{Ipv6Addr, SocketAddr};
use std::process::Stdio;
use std::sync::mpsc;
use std::time::Duration;

use oauthctl::demo::agent::Agent;
use oauthctl::devserver::{DevConfig, DevServer, ServerConfigFile};
use serde_json::json;

use crate::support::stub::{Canned, Stub};
use crate::support::{
    LoginRun, assert_code, device_login, home, http, login_with, oauthctl, raw, run, stderr,
};

/// The query of the authorization URL a login printed.
fn query(url: &str) -> BTreeMap<String, String> {
    url::Url::parse(url)
        .unwrap()
        .query_pairs()
        .into_owned()
        .collect()
}

/// The port of a redirect URI that was sent.
fn port_of(redirect_uri: &str) -> u16 {
    url::Url::parse(redirect_uri).unwrap().port().unwrap()
}

/// A dev server whose only client, the public `cli-localhost`, is registered with
/// `registered` alone; `any_port` is its `localhost_any_port`.
fn server_with(registered: &str, any_port: bool) -> DevServer {
    let toml = format!(
        "[[clients]]\nid = \"cli-localhost\"\nredirect_uris = [\"{registered}\"]\n\
         grant_types = [\"authorization_code\", \"refresh_token\"]\n\
         localhost_any_port = {any_port}\n"
    );
    let file = ServerConfigFile::parse(&toml).unwrap();
    DevServer::start(DevConfig::default().with_file(file)).unwrap()
}

/// Signs in as alice on whatever page `url` leads to.
fn alice(url: &str) {
    Agent::new("alice", "alice")
        .sign_in(url)
        .expect("sign in as alice");
}

fn login_localhost(h: &std::path::Path, s: &DevServer, redirect: &str) -> LoginRun {
    login_with(
        h,
        &[
            "--issuer",
            s.issuer(),
            "--client-id",
            "cli-localhost",
            "--scope",
            "openid offline_access",
            "--redirect-uri",
            redirect,
            "--timeout",
            "30s",
        ],
        alice,
    )
}

#[test]
fn a_client_registered_only_as_localhost_8765_oauth_cb_logs_in_on_any_port() {
    let s = server_with("http://localhost:8765/oauth/cb", true);
    let h = home();
    let r = login_localhost(h.path(), &s, "http://localhost/oauth/cb");
    assert!(r.success(), "{}", r.stderr);
    // Sent: the configured string with the port the listener got.
    let sent = query(&r.url)["redirect_uri"].clone();
    let port = port_of(&sent);
    assert_eq!(sent, format!("http://localhost:{port}/oauth/cb"));
    // The server redeems a code only with the redirect URI it was issued for (RFC 6749
    // §4.1.3), so the token request sent the same string.
    assert_eq!(s.hits("/token"), 1);
    assert_code(&run(h.path(), &["refresh"]), 0);
    // The profile remembers the redirect URI: a second login needs no flag.
    let again = login_with(h.path(), &["--timeout", "30s"], alice);
    assert!(again.success(), "{}", again.stderr);
    let sent = &query(&again.url)["redirect_uri"];
    assert!(
        sent.starts_with("http://localhost:") && sent.ends_with("/oauth/cb"),
        "{sent}"
    );
}

#[test]
fn a_redirect_uri_with_its_port_is_sent_exactly_as_configured() {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let configured = format!("http://localhost:{port}/oauth/cb");
    let s = server_with(&configured, false);
    let h = home();
    let r = login_localhost(h.path(), &s, &configured);
    assert!(r.success(), "{}", r.stderr);
    assert_eq!(query(&r.url)["redirect_uri"], configured);
    // `--port` with the same port agrees; another one is a usage error.
    let out = run(
        h.path(),
        &[
            "login",
            "--redirect-uri",
            &configured,
            "--port",
            &(port ^ 1).to_string(),
        ],
    );
    assert_code(&out, 2);
    assert!(stderr(&out).contains(&port.to_string()), "{}", stderr(&out));
}

#[test]
fn without_the_opt_in_another_localhost_port_is_refused_and_the_hint_names_the_uri() {
    let s = server_with("http://localhost:8765/oauth/cb", false);
    let h = home();
    let r = login_with(
        h.path(),
        &[
            "--issuer",
            s.issuer(),
            "--client-id",
            "cli-localhost",
            "--redirect-uri",
            "http://localhost/oauth/cb",
            "--timeout",
            "3s",
        ],
        |url| {
            let page = http().get(url).send().unwrap();
            assert_eq!(page.status().as_u16(), 400, "an error page, no redirect");
        },
    );
    assert_eq!(r.status, Some(5), "{}", r.stderr);
    let sent = query(&r.url)["redirect_uri"].clone();
    let hint = r.stderr.lines().find(|l| l.starts_with("hint: ")).unwrap();
    for part in [
        "register http://localhost/oauth/cb",
        &format!("--redirect-uri {sent}"),
    ] {
        assert!(hint.contains(part), "{part} missing in {hint}");
    }
    assert!(!hint.contains("127.0.0.1"), "{hint}");
}

#[test]
fn a_listener_for_cb_answers_callback_with_404_on_both_addresses_and_keeps_waiting() {
    let s = server_with("http://localhost:8765/cb", true);
    // The server refuses another path for that client: an error page, never a redirect.
    let (_, challenge) = crate::support::pkce();
    let mut authorize = url::Url::parse(&format!("{}/authorize", s.issuer())).unwrap();
    authorize
        .query_pairs_mut()
        .append_pair("response_type", "code")
        .append_pair("client_id", "cli-localhost")
        .append_pair("redirect_uri", "http://localhost:41235/callback")
        .append_pair("code_challenge", &challenge)
        .append_pair("code_challenge_method", "S256");
    let page = http().get(authorize).send().unwrap();
    assert_eq!(page.status().as_u16(), 400);
    assert!(page.headers().get("location").is_none());

    let h = home();
    let r = login_with(
        h.path(),
        &[
            "--issuer",
            s.issuer(),
            "--client-id",
            "cli-localhost",
            "--redirect-uri",
            "http://localhost/cb",
            "--timeout",
            "30s",
        ],
        |url| {
            let q = query(url);
            let port = port_of(&q["redirect_uri"]);
            let state = &q["state"];
            // The right state at another path: 404, and the flow goes on.
            let stray = http()
                .get(format!(
                    "http://localhost:{port}/callback?code=x&state={state}"
                ))
                .send()
                .unwrap();
            assert_eq!(stray.status().as_u16(), 404);
            // Both loopback addresses listen on the one port.
            for ip in ["127.0.0.1".parse().unwrap(), Ipv6Addr::LOCALHOST.into()] {
                let answer = raw(
                    SocketAddr::new(ip, port),
                    format!(
                        "GET /cb?code=x&state=wrong HTTP/1.1\r\nHost: localhost:{port}\r\n\r\n"
                    )
                    .as_bytes(),
                );
                assert!(answer.starts_with("HTTP/1.1 400"), "{ip}: {answer}");
            }
            alice(url);
        },
    );
    assert!(r.success(), "{}", r.stderr);
}

#[test]
fn bad_redirect_uris_are_refused_before_anything_is_sent() {
    let s = DevServer::start(DevConfig::default()).unwrap();
    let h = home();
    for (uri, why) in [
        ("https://localhost/cb", "plain http"),
        ("http://example.com/cb", "not a loopback"),
        ("http://user@localhost/cb", "user information"),
        ("http://localhost/cb#top", "fragment"),
        ("http://LOCALHOST/cb", "spell the loopback host"),
    ] {
        let out = run(
            h.path(),
            &[
                "login",
                "--issuer",
                s.issuer(),
                "--client-id",
                "oauthctl",
                "--redirect-uri",
                uri,
            ],
        );
        assert_code(&out, 2);
        let err = stderr(&out);
        assert!(
            err.contains("cannot be the redirect URI") && err.contains(why),
            "{err}"
        );
        assert!(err.contains("\nhint: "), "{err}");
    }
    let out = run(
        h.path(),
        &[
            "login",
            "--flow",
            "device",
            "--issuer",
            s.issuer(),
            "--client-id",
            "oauthctl",
            "--redirect-uri",
            "http://localhost/cb",
        ],
    );
    assert_code(&out, 2);
    assert!(
        stderr(&out).contains("authorization code flow"),
        "{}",
        stderr(&out)
    );
    // From the configuration, the same mistake is a configuration error.
    std::fs::write(
        h.path().join("config.toml"),
        "[profiles.default]\nissuer = \"http://127.0.0.1:1\"\nclient_id = \"c\"\n\
         redirect_uri = \"http://0.0.0.0/cb\"\n",
    )
    .unwrap();
    let out = run(h.path(), &["login"]);
    assert_code(&out, 7);
    assert!(
        stderr(&out).contains("`redirect_uri` of profile `default`"),
        "{}",
        stderr(&out)
    );
    assert_eq!(s.hits("/.well-known/openid-configuration"), 0);
}

/// A provider for the `Origin` tests: discovery, an authorization endpoint that is never
/// visited (the test answers the listener itself) and a token endpoint.
fn origin_stub() -> Stub {
    let stub = Stub::start();
    stub.route(
        "/.well-known/openid-configuration",
        Canned::json(
            json!({
                "issuer": stub.base,
                "authorization_endpoint": stub.url("/authorize"),
                "token_endpoint": stub.url("/token"),
                "code_challenge_methods_supported": ["S256"],
            })
            .to_string(),
        ),
    );
    stub.route(
        "/token",
        Canned::json(
            r#"{"access_token":"opaque-at","token_type":"Bearer","expires_in":600,"refresh_token":"rt-1"}"#,
        ),
    );
    stub
}

/// Plays the provider's redirect: the code straight to the listener.
fn answer_listener(url: &str) {
    let q = query(url);
    let back = format!("{}?code=c-1&state={}", q["redirect_uri"], q["state"]);
    let page = http().get(back).send().unwrap();
    assert_eq!(page.status().as_u16(), 200);
}

#[test]
fn the_origin_header_goes_with_the_code_exchange_and_every_refresh() {
    let stub = origin_stub();
    let h = home();
    let r = login_with(
        h.path(),
        &[
            "--issuer",
            &stub.base,
            "--client-id",
            "spa",
            "--scope",
            "api",
            "--origin",
            "http://localhost:3000/",
            "--timeout",
            "20s",
        ],
        answer_listener,
    );
    assert!(r.success(), "{}", r.stderr);
    assert_code(&run(h.path(), &["refresh"]), 0);
    let seen = stub.seen("/token");
    assert_eq!(seen.len(), 2);
    for (i, request) in seen.iter().enumerate() {
        assert_eq!(
            request.header("origin"),
            Some("http://localhost:3000"),
            "{i}"
        );
    }
    assert!(String::from_utf8_lossy(&seen[1].body).contains("grant_type=refresh_token"));
    // Without it, none; and an origin with a path is a usage error.
    let plain = origin_stub();
    let h = home();
    let r = login_with(
        h.path(),
        &[
            "--issuer",
            &plain.base,
            "--client-id",
            "cli",
            "--scope",
            "api",
        ],
        answer_listener,
    );
    assert!(r.success(), "{}", r.stderr);
    assert!(plain.seen("/token")[0].header("origin").is_none());
    let out = run(
        h.path(),
        &[
            "login",
            "--issuer",
            &plain.base,
            "--origin",
            "http://localhost:3000/app",
        ],
    );
    assert_code(&out, 2);
    assert!(
        stderr(&out).contains("an origin has none"),
        "{}",
        stderr(&out)
    );
}

/// Reads `child`'s stderr lines into a channel.
fn stderr_lines(child: &mut std::process::Child) -> mpsc::Receiver<String> {
    let (tx, rx) = mpsc::channel();
    let err = child.stderr.take().unwrap();
    std::thread::spawn(move || {
        for line in BufReader::new(err).lines() {
            let Ok(line) = line else { break };
            if tx.send(line).is_err() {
                break;
            }
        }
    });
    rx
}

/// The next line containing `text`, with everything read before it.
fn line_with(lines: &mpsc::Receiver<String>, text: &str, seen: &mut String) -> String {
    loop {
        let line = lines
            .recv_timeout(Duration::from_secs(20))
            .unwrap_or_else(|_| panic!("no line with {text:?} in\n{seen}"));
        seen.push_str(&line);
        seen.push('\n');
        if line.contains(text) {
            return line;
        }
    }
}

/// A login over SSH, the browser on another machine. The test signs
/// in (the dev server approves at once), takes the address the browser would end on, and
/// pastes it on the terminal that is oauthctl's standard input: first with a wrong `state`
/// (refused, the login keeps waiting), then as it is.
#[cfg(unix)]
#[test]
fn a_redirected_address_pasted_on_the_terminal_completes_the_login() {
    let s = DevServer::start(DevConfig::auto_approve("alice")).unwrap();
    let h = home();
    let pty = crate::support::pty::Pty::open();
    let mut child = {
        let mut cmd = oauthctl(h.path());
        cmd.args(["login", "--issuer", s.issuer(), "--client-id", "oauthctl"])
            .args(["--scope", "openid", "--no-browser", "--timeout", "30s"])
            .stdin(pty.terminal())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        cmd.spawn().unwrap()
    };
    let lines = stderr_lines(&mut child);
    let mut seen = String::new();
    let open = line_with(&lines, "Open this URL to sign in: ", &mut seen);
    let url = open.split_once(": ").unwrap().1.trim().to_owned();
    line_with(&lines, "paste that whole address here", &mut seen);
    // The browser elsewhere: it is sent to the loopback address, which does not load there.
    let approved = http().get(&url).send().unwrap();
    assert_eq!(approved.status().as_u16(), 302);
    let address = approved.headers()["location"].to_str().unwrap().to_owned();
    let mut forged = url::Url::parse(&address).unwrap();
    let pairs: Vec<(String, String)> = forged
        .query_pairs()
        .map(|(k, v)| {
            let v = if k == "state" {
                "not-this-state".into()
            } else {
                v
            };
            (k.into_owned(), v.into_owned())
        })
        .collect();
    forged.query_pairs_mut().clear().extend_pairs(pairs);
    pty.type_line(forged.as_str());
    let refused = line_with(&lines, "not accepted", &mut seen);
    assert!(
        refused.contains("does not belong to the pending sign-in"),
        "{refused}"
    );
    // Another address than the redirect URI is refused too.
    pty.type_line(&address.replace("/callback?", "/elsewhere?"));
    let refused = line_with(&lines, "not accepted", &mut seen);
    assert!(
        refused.contains("not an address at this login's redirect URI"),
        "{refused}"
    );
    assert_eq!(
        s.hits("/token"),
        0,
        "nothing was redeemed for the refused pastes"
    );
    pty.type_line(&address);
    let status = child.wait().unwrap();
    while let Ok(line) = lines.recv_timeout(Duration::from_secs(5)) {
        seen.push_str(&line);
        seen.push('\n');
    }
    assert_eq!(status.code(), Some(0), "{seen}");
    assert!(seen.contains("Signed in to"), "{seen}");
    assert!(
        !seen.contains(&address),
        "the code is never echoed back:\n{seen}"
    );
    assert_eq!(s.hits("/token"), 1);
    let out = run(h.path(), &["token"]);
    assert_code(&out, 0);
}

/// Without a terminal on standard input (a script), no paste-back is offered.
#[test]
fn no_paste_back_without_a_terminal() {
    let s = DevServer::start(DevConfig::auto_approve("alice")).unwrap();
    let h = home();
    let r = login_with(
        h.path(),
        &[
            "--issuer",
            s.issuer(),
            "--client-id",
            "oauthctl",
            "--scope",
            "openid",
        ],
        |url| {
            Agent::new("alice", "alice").sign_in(url).unwrap();
        },
    );
    assert!(r.success(), "{}", r.stderr);
    assert!(!r.stderr.contains("paste"), "{}", r.stderr);
}

/// The device flow's QR code: drawn on a terminal (stderr), never in a pipe, never with
/// `--no-qr`.
#[cfg(unix)]
#[test]
fn the_device_flow_draws_a_qr_code_only_on_a_terminal() {
    const BLOCKS: [char; 3] = ['█', '▀', '▄'];
    let s = DevServer::start(DevConfig::default()).unwrap();
    let args = [
        "--issuer",
        s.issuer(),
        "--client-id",
        "oauthctl",
        "--scope",
        "openid",
    ];
    // stderr is a pipe: no QR code.
    let h = home();
    let r = device_login(h.path(), &args, "alice", "alice");
    assert!(r.success(), "{}", r.stderr);
    assert!(!r.stderr.contains(BLOCKS), "{}", r.stderr);
    assert!(!r.stderr.contains("Scan it"), "{}", r.stderr);
    // stderr is a terminal: the code, from verification_uri_complete, and the warning.
    let h = home();
    let pty = crate::support::pty::Pty::open();
    let mut child = {
        let mut cmd = oauthctl(h.path());
        cmd.args(["login", "--flow", "device"])
            .args(args)
            .stdout(Stdio::piped())
            .stderr(pty.terminal());
        cmd.spawn().unwrap()
    };
    let shown = pty.wait_for(
        "never scan or approve a code someone",
        Duration::from_secs(20),
    );
    let complete = shown
        .split("Or open: ")
        .nth(1)
        .and_then(|rest| rest.split(['\r', '\n']).next())
        .unwrap()
        .to_owned();
    assert!(complete.contains("user_code="), "{complete}");
    let drawing: Vec<&str> = shown
        .lines()
        .map(|l| l.trim_end_matches('\r'))
        .filter(|l| !l.is_empty() && l.chars().all(|c| BLOCKS.contains(&c) || c == ' '))
        .collect();
    assert!(drawing.len() >= 12, "{shown}");
    let width = drawing[0].chars().count();
    assert!(
        drawing.iter().all(|l| l.chars().count() == width),
        "{shown}"
    );
    let _ = Agent::new("alice", "alice").sign_in(&complete);
    assert_eq!(child.wait().unwrap().code(), Some(0), "{}", pty.shown());
    // --no-qr on a terminal: the instructions without the drawing.
    let h = home();
    let pty = crate::support::pty::Pty::open();
    let mut child = {
        let mut cmd = oauthctl(h.path());
        cmd.args(["login", "--flow", "device", "--no-qr"])
            .args(args)
            .stdout(Stdio::piped())
            .stderr(pty.terminal());
        cmd.spawn().unwrap()
    };
    pty.wait_for("Only enter this code", Duration::from_secs(20));
    // The drawing would follow in the same write.
    std::thread::sleep(Duration::from_millis(300));
    let shown = pty.shown();
    let _ = child.kill();
    let _ = child.wait();
    assert!(!shown.contains(BLOCKS), "{shown}");
    assert!(!shown.contains("Scan it"), "{shown}");
}
