//! Shared helpers: an environment-isolated `oauthctl` command, a canned-response HTTP
//! server on 127.0.0.1 for the error paths real servers do not produce, and a plain HTTP
//! client (no redirects followed) with form posts, PKCE, JWT payload decoding and raw TCP.
#![allow(dead_code)]

pub mod certs;
pub mod git_http;
pub mod login;
#[cfg(unix)]
pub mod pty;
pub mod stub;

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::path::Path;
use std::process::{Command, Output};
use std::time::Duration;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use reqwest::blocking::{Client, Response};
use serde_json::Value;

/// `oauthctl` with a private `OAUTHCTL_HOME`, the file token store, no colour and no
/// inherited `OAUTHCTL_*`, `BROWSER` or proxy settings.
pub fn oauthctl(home: &Path) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_oauthctl"));
    for (name, _) in std::env::vars_os() {
        let name = name.to_string_lossy().into_owned();
        if name.starts_with("OAUTHCTL_") || name.to_ascii_lowercase().ends_with("_proxy") {
            cmd.env_remove(&name);
        }
    }
    cmd.env("OAUTHCTL_HOME", home)
        .env("OAUTHCTL_TOKEN_STORE", "file")
        .env("NO_COLOR", "1")
        .env("XDG_CONFIG_HOME", home.join("xdg-config"))
        .env("XDG_STATE_HOME", home.join("xdg-state"))
        .env("XDG_CACHE_HOME", home.join("xdg-cache"))
        .env_remove("BROWSER")
        .stdin(std::process::Stdio::null());
    cmd
}

/// `sh -c SCRIPT` isolated as [`oauthctl`] isolates the binary, with the `oauthctl` under
/// test first on `PATH`: a command line from the documentation runs as printed.
pub fn shell(home: &Path, script: &str) -> Command {
    let template = oauthctl(home);
    let mut cmd = Command::new("sh");
    cmd.arg("-c").arg(script);
    for (name, value) in template.get_envs() {
        match value {
            Some(v) => cmd.env(name, v),
            None => cmd.env_remove(name),
        };
    }
    let bin_dir = Path::new(env!("CARGO_BIN_EXE_oauthctl"))
        .parent()
        .expect("the binary's directory");
    let mut path = vec![bin_dir.to_path_buf()];
    path.extend(std::env::split_paths(
        &std::env::var_os("PATH").unwrap_or_default(),
    ));
    cmd.env("PATH", std::env::join_paths(path).expect("a PATH"))
        .stdin(std::process::Stdio::null());
    cmd
}

/// Runs `oauthctl ARGS` in `home` and returns its output.
pub fn run(home: &Path, args: &[&str]) -> Output {
    oauthctl(home).args(args).output().expect("run oauthctl")
}

/// stdout as text.
pub fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// stderr as text.
pub fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// Asserts the exit code, showing stderr on failure.
#[track_caller]
pub fn assert_code(out: &Output, code: i32) {
    assert_eq!(
        out.status.code(),
        Some(code),
        "expected exit {code}\n--- stdout\n{}\n--- stderr\n{}",
        stdout(out),
        stderr(out)
    );
}

/// A fresh temporary home.
pub fn home() -> tempfile::TempDir {
    tempfile::tempdir().expect("tempdir")
}

/// A client that never follows redirects, as a careful OAuth client behaves.
pub(crate) fn http() -> Client {
    Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .timeout(Duration::from_secs(15))
        .build()
        .unwrap()
}

/// Status, headers and the body parsed as JSON (Null when it is not JSON).
pub(crate) struct Answer {
    pub status: u16,
    pub headers: reqwest::header::HeaderMap,
    pub text: String,
    pub json: Value,
}

impl Answer {
    pub(crate) fn from(resp: Response) -> Self {
        let status = resp.status().as_u16();
        let headers = resp.headers().clone();
        let text = resp.text().unwrap();
        let json = serde_json::from_str(&text).unwrap_or(Value::Null);
        Self {
            status,
            headers,
            text,
            json,
        }
    }

    pub(crate) fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }
}

/// POSTs a form.
pub(crate) fn post(url: &str, form: &[(&str, &str)]) -> Answer {
    Answer::from(http().post(url).form(form).send().unwrap())
}

/// POSTs a form with `client_secret_basic` authentication: id and secret are
/// form-urlencoded before base64 (RFC 6749 §2.3.1).
pub(crate) fn post_basic(url: &str, id: &str, secret: &str, form: &[(&str, &str)]) -> Answer {
    let enc = |s: &str| url::form_urlencoded::byte_serialize(s.as_bytes()).collect::<String>();
    let credentials =
        base64::engine::general_purpose::STANDARD.encode(format!("{}:{}", enc(id), enc(secret)));
    Answer::from(
        http()
            .post(url)
            .header("Authorization", format!("Basic {credentials}"))
            .form(form)
            .send()
            .unwrap(),
    )
}

/// GETs a URL with an optional bearer token.
pub(crate) fn get(url: &str, bearer: Option<&str>) -> Answer {
    let mut rq = http().get(url);
    if let Some(t) = bearer {
        rq = rq.bearer_auth(t);
    }
    Answer::from(rq.send().unwrap())
}

/// A PKCE verifier and its S256 challenge.
pub(crate) fn pkce() -> (String, String) {
    let mut bytes = [0u8; 32];
    aws_lc_rs::rand::fill(&mut bytes).unwrap();
    let verifier = URL_SAFE_NO_PAD.encode(bytes);
    let challenge = URL_SAFE_NO_PAD.encode(aws_lc_rs::digest::digest(
        &aws_lc_rs::digest::SHA256,
        verifier.as_bytes(),
    ));
    (verifier, challenge)
}

/// The header and claims of a JWT (not verified).
pub(crate) fn jwt_parts(token: &str) -> (Value, Value) {
    let mut it = token.split('.');
    let mut part = || -> Value {
        serde_json::from_slice(&URL_SAFE_NO_PAD.decode(it.next().unwrap()).unwrap()).unwrap()
    };
    (part(), part())
}

/// The query parameters of a redirect `Location`.
pub(crate) fn location_params(location: &str) -> Vec<(String, String)> {
    url::Url::parse(location)
        .unwrap()
        .query_pairs()
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect()
}

/// One query parameter of a redirect `Location`.
pub(crate) fn location_param(location: &str, name: &str) -> Option<String> {
    location_params(location)
        .into_iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v)
}

/// Sends raw bytes and returns whatever comes back before the server closes (or 5 s).
pub(crate) fn raw(addr: SocketAddr, bytes: &[u8]) -> String {
    let mut s = TcpStream::connect(addr).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
    // The server may answer and close before reading everything: ignore write errors.
    let _ = s.write_all(bytes);
    let mut out = Vec::new();
    let _ = s.read_to_end(&mut out);
    String::from_utf8_lossy(&out).into_owned()
}

/// The value of a hidden form field in an HTML page.
pub(crate) fn hidden(html: &str, name: &str) -> String {
    let marker = format!("name=\"{name}\" value=\"");
    let start = html
        .find(&marker)
        .unwrap_or_else(|| panic!("no {name} in {html}"))
        + marker.len();
    let end = html[start..].find('"').unwrap() + start;
    html[start..end].to_owned()
}

/// The output of a `login` run that a test played the browser for.
pub struct LoginRun {
    pub status: Option<i32>,
    pub stdout: String,
    pub stderr: String,
    /// The authorization URL oauthctl printed.
    pub url: String,
}

impl LoginRun {
    /// Whether the login exited 0.
    pub fn success(&self) -> bool {
        self.status == Some(0)
    }
}

/// Runs `oauthctl login ARGS --no-browser`, reads the authorization URL it prints, and
/// hands it to `browse` (which plays the user) while oauthctl waits on its loopback port.
pub fn login_with(home: &Path, args: &[&str], browse: impl FnOnce(&str) + Send) -> LoginRun {
    let mut cmd = oauthctl(home);
    cmd.arg("login").args(args).arg("--no-browser");
    let (ran, url) = oauthctl::demo::run_login(cmd, browse).expect("run login");
    LoginRun {
        status: ran.code,
        stdout: ran.stdout,
        stderr: ran.stderr,
        url: url.unwrap_or_default(),
    }
}

/// Runs `oauthctl login --flow device ARGS`, waits for the `Or open: URL` line and lets the
/// built-in agent approve there as `user` (password = user name, or `password`).
pub fn device_login(home: &Path, args: &[&str], user: &str, password: &str) -> LoginRun {
    let mut cmd = oauthctl(home);
    cmd.args(["login", "--flow", "device"]).args(args);
    let (ran, url) = oauthctl::demo::run_until(cmd, "Or open: ", |url| {
        // The last page (the provider's "signed in" page) has no form: that ends the agent.
        let _ = oauthctl::demo::agent::Agent::new(user, password).sign_in(url);
    })
    .expect("run login");
    LoginRun {
        status: ran.code,
        stdout: ran.stdout,
        stderr: ran.stderr,
        url: url.unwrap_or_default(),
    }
}

/// Runs `cmd` with `input` on its standard input; returns its output.
pub fn feed(cmd: &mut Command, input: impl AsRef<[u8]>) -> Output {
    use std::process::Stdio;
    let mut child = cmd
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn oauthctl");
    let mut stdin = child.stdin.take().expect("stdin");
    let input = input.as_ref().to_vec();
    // Written from a thread: the child may stop reading early (a broken pipe is fine).
    let writer = std::thread::spawn(move || {
        let _ = stdin.write_all(&input);
    });
    let out = child.wait_with_output().expect("wait for oauthctl");
    let _ = writer.join();
    out
}

/// One command run inside the test process: its terminal (to render an error as the binary
/// renders it) and what it returned.
pub struct InProcess {
    pub ui: oauthctl::output::Ui,
    pub result: oauthctl::Result<oauthctl::output::Outcome>,
}

impl InProcess {
    /// What the command would write on stdout; panics on an error, showing it.
    #[track_caller]
    pub fn stdout(self) -> String {
        use oauthctl::output::Output;
        let outcome = match self.result {
            Ok(o) => o,
            Err(e) => panic!("expected success, got: {}", self.ui.render_error(&e)),
        };
        if let Some(e) = &outcome.failure {
            panic!("expected success, got: {}", self.ui.render_error(e));
        }
        let bytes = match outcome.output {
            Output::Nothing => Vec::new(),
            Output::Report(r) if self.ui.json => r.to_json().to_string().into_bytes(),
            Output::Report(r) => r.human(self.ui.stdout).into_bytes(),
            Output::Data(bytes) => bytes,
            Output::Stream(mut s) => {
                let mut all = Vec::new();
                s.reader.read_to_end(&mut all).expect("read the body");
                all
            }
        };
        String::from_utf8(bytes).expect("UTF-8 output")
    }

    /// The exit code and what the binary would print on stderr for the error; panics when
    /// the command succeeded.
    #[track_caller]
    pub fn failure(self) -> (u8, String) {
        let err = match self.result {
            Ok(o) => o.failure.expect("expected a failure"),
            Err(e) => e,
        };
        (err.exit_code(), self.ui.render_error(&err))
    }
}

/// Runs `oauthctl ARGS` inside the test process, as the binary would with
/// `OAUTHCTL_HOME=home` and the file token store, but with the clock stopped at `now` (Unix
/// seconds) and without reading any `OAUTHCTL_*` variable.
pub fn in_process(home: &Path, now: i64, args: &[&str]) -> InProcess {
    in_process_with(home, now, args, |_| {})
}

/// [`in_process`], with `adjust` changing the injected effects (a browser, an HTTP client).
pub fn in_process_with(
    home: &Path,
    now: i64,
    args: &[&str],
    adjust: impl FnOnce(&mut oauthctl::Deps),
) -> InProcess {
    let mut argv = vec!["--token-store", "file"];
    argv.extend_from_slice(args);
    let invocation = oauthctl::Invocation::parse_without_env(&argv)
        .unwrap_or_else(|e| panic!("oauthctl {args:?}: {e}"));
    let ui = invocation.ui();
    let mut deps =
        oauthctl::Deps::in_home(home, std::sync::Arc::new(oauthctl::clock::FixedClock(now)));
    adjust(&mut deps);
    let result = invocation.outcome(&ui, deps);
    InProcess { ui, result }
}

/// Now, in Unix seconds.
pub fn now() -> i64 {
    use oauthctl::clock::Clock as _;
    oauthctl::clock::SystemClock.now()
}

/// The expiry of the profile's cached access token (Unix seconds), without refreshing it.
pub fn cached_expiry(home: &Path, global: &[&str]) -> i64 {
    let mut args = global.to_vec();
    args.extend(["token", "--json", "--no-refresh"]);
    let out = run(home, &args);
    assert_code(&out, 0);
    let doc: Value = serde_json::from_slice(&out.stdout).expect("token --json");
    doc["expires_at"].as_i64().expect("an expiry")
}

/// A JSON value as a TOML inline value (a server-config file takes a client's JWKS inline).
pub(crate) fn toml_inline(v: &serde_json::Value) -> String {
    use serde_json::Value;
    match v {
        Value::Object(m) => {
            let parts: Vec<String> = m
                .iter()
                .map(|(k, v)| format!("{k} = {}", toml_inline(v)))
                .collect();
            format!("{{ {} }}", parts.join(", "))
        }
        Value::Array(a) => format!(
            "[{}]",
            a.iter().map(toml_inline).collect::<Vec<_>>().join(", ")
        ),
        other => other.to_string(),
    }
}
