//! `oauthctl demo`: the whole main job against an in-process development server, in a
//! throw-away `OAUTHCTL_HOME`. Every step runs the real `oauthctl` binary as a child
//! process, exactly as a user would type it; the built-in [`agent::Agent`] plays the
//! browser on the server's real login page. The demo exits 0 only if every step behaved as
//! expected. It touches nothing outside its temporary home, which is removed at the end.

pub mod agent;

use std::io::{BufRead as _, BufReader, Read as _, Write as _};
use std::path::Path;
use std::process::{Command, Stdio};

use serde_json::{Value, json};

use crate::devserver::{DevConfig, DevServer};
use crate::error::{Error, Result};
use crate::output::{Outcome, Report, Theme, Ui};
use crate::text::sanitize;

/// What one child process did.
#[derive(Debug, Clone, Default)]
pub struct Ran {
    pub code: Option<i32>,
    pub stdout: String,
    pub stderr: String,
}

/// One narrated step.
#[derive(Debug, Clone)]
struct StepResult {
    title: String,
    command: String,
    ok: bool,
    detail: String,
}

/// The demo's result.
#[derive(Debug)]
struct DemoReport {
    issuer: String,
    steps: Vec<StepResult>,
}

impl Report for DemoReport {
    fn to_json(&self) -> Value {
        json!({
            "issuer": self.issuer,
            "ok": self.steps.iter().all(|s| s.ok),
            "steps": self.steps.iter().map(|s| json!({
                "title": s.title, "command": s.command, "ok": s.ok, "detail": s.detail,
            })).collect::<Vec<_>>(),
        })
    }

    fn human(&self, _theme: Theme) -> String {
        String::new()
    }
}

/// Runs the demo's child processes in a private home.
struct Runner<'a> {
    exe: std::path::PathBuf,
    home: &'a Path,
}

impl Runner<'_> {
    fn command(&self, args: &[&str]) -> Command {
        let mut cmd = Command::new(&self.exe);
        for (name, _) in std::env::vars_os() {
            if name.to_string_lossy().starts_with("OAUTHCTL_") {
                cmd.env_remove(name);
            }
        }
        cmd.args(args)
            .env("OAUTHCTL_HOME", self.home)
            .env("OAUTHCTL_TOKEN_STORE", "file")
            .env("NO_COLOR", "1")
            .env_remove("BROWSER")
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        cmd
    }

    fn run(&self, args: &[&str], stdin: Option<&str>) -> Result<Ran> {
        let mut cmd = self.command(args);
        cmd.stdin(if stdin.is_some() {
            Stdio::piped()
        } else {
            Stdio::null()
        });
        let mut child = cmd
            .spawn()
            .map_err(|e| Error::Other(format!("cannot run oauthctl: {e}")))?;
        if let (Some(text), Some(mut pipe)) = (stdin, child.stdin.take()) {
            let _ = pipe.write_all(text.as_bytes());
        }
        let out = child
            .wait_with_output()
            .map_err(|e| Error::Other(format!("oauthctl did not finish: {e}")))?;
        Ok(Ran {
            code: out.status.code(),
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        })
    }

    /// `login` with the agent signing in as `user` on the real login page.
    fn login(&self, args: &[&str], user: &str) -> Result<Ran> {
        let mut failure = None;
        let (mut ran, _) = run_login(self.command(args), |url| {
            failure = agent::Agent::new(user, user).sign_in(url).err();
        })
        .map_err(|e| Error::Other(format!("cannot run oauthctl: {e}")))?;
        if let Some(e) = failure {
            ran.stderr.push_str("\nthe built-in browser failed: ");
            ran.stderr.push_str(&e);
        }
        Ok(ran)
    }
}

/// What to say about a step: `success` when it behaved, else the exit code and the first
/// line of its error output.
fn verdict(ran: &Ran, ok: bool, success: String) -> String {
    if ok {
        success
    } else {
        format!(
            "unexpected: exit {:?}: {}",
            ran.code,
            first_line(&ran.stderr)
        )
    }
}

/// The status code and the body of what `call -i` printed: the status line, the headers,
/// a blank line, the body.
fn response_parts(stdout: &str) -> (Option<u16>, &str) {
    let status = stdout
        .lines()
        .next()
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|c| c.parse().ok());
    let body = stdout
        .split_once("\r\n\r\n")
        .or_else(|| stdout.split_once("\n\n"))
        .map_or("", |(_, body)| body);
    (status, body)
}

/// Narrates a `call -i` step: the status the API really answered and the first line of the
/// body; `ok` when it answered `expected` and oauthctl exited `exit`.
fn call_step(ran: &Ran, expected: u16, exit: i32, why: &str) -> (bool, String) {
    let (status, body) = response_parts(&ran.stdout);
    let ok = ran.code == Some(exit) && status == Some(expected);
    let shown = status.map_or_else(|| "no HTTP status".to_owned(), |s| format!("HTTP {s}"));
    let detail = if ok {
        format!("{shown}{why}: {}", first_line(body))
    } else {
        format!(
            "unexpected: {shown} (expected {expected}), exit {:?}: {}",
            ran.code,
            first_line(if body.trim().is_empty() {
                &ran.stderr
            } else {
                body
            })
        )
    };
    (ok, detail)
}

fn first_line(s: &str) -> String {
    sanitize::line(
        s.lines()
            .find(|l| !l.trim().is_empty())
            .unwrap_or_default()
            .trim(),
    )
    .into_owned()
}

/// What the demo ends with: the same by hand, in two terminals, and without a browser. Every
/// command here is one of the README's Quick start, which a test runs as printed.
pub const TRY_IT: &str = "\
Try it by hand. In one terminal:
  oauthctl serve
and in another (sign in as alice, password alice, in the browser that opens):
  oauthctl login --provider local
  oauthctl call --provider local http://127.0.0.1:9400/api/me
  oauthctl call --provider local POST http://127.0.0.1:9400/api/data --json '{\"note\": \"hello\"}'
  oauthctl decode --provider local --verify --access-token
No browser on this machine? Start the server as
  oauthctl serve --auto-approve alice
and sign in with
  oauthctl login --provider local --browser-command 'curl -fsSL -o /dev/null'
or, with any server, sign in on another device, or open the printed URL yourself:
  oauthctl login --provider local --flow device
  oauthctl login --provider local --no-browser
The README's Quick start explains each step.";

/// The prefix of the line `login` prints with the authorization URL.
pub const URL_PREFIX: &str = "Open this URL to sign in: ";

/// Runs a `login` child process: reads the authorization URL it prints on stderr, hands it
/// to `browse` (which plays the user while the child waits on its loopback port), and
/// collects the outcome. Returns what the child did and the URL, if it printed one.
pub fn run_login(
    cmd: Command,
    browse: impl FnOnce(&str),
) -> std::io::Result<(Ran, Option<String>)> {
    run_until(cmd, URL_PREFIX, browse)
}

/// Like [`run_login`], for the stderr line that starts with `prefix` (the device flow's
/// `Or open: URL`, say).
pub fn run_until(
    mut cmd: Command,
    prefix: &str,
    browse: impl FnOnce(&str),
) -> std::io::Result<(Ran, Option<String>)> {
    let mut child = cmd
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()?;
    let mut stderr = BufReader::new(
        child
            .stderr
            .take()
            .ok_or_else(|| std::io::Error::other("no stderr"))?,
    );
    let mut seen = String::new();
    let mut url = None;
    loop {
        let mut line = String::new();
        if stderr.read_line(&mut line).unwrap_or(0) == 0 {
            break;
        }
        seen.push_str(&line);
        if let Some(u) = line.trim().strip_prefix(prefix) {
            url = Some(u.to_owned());
            break;
        }
    }
    // Keep draining stderr so the child never blocks on a full pipe.
    let rest = std::thread::spawn(move || {
        let mut s = String::new();
        let _ = stderr.read_to_string(&mut s);
        s
    });
    if let Some(u) = &url {
        browse(u);
    }
    let out = child.wait_with_output()?;
    seen.push_str(&rest.join().unwrap_or_default());
    Ok((
        Ran {
            code: out.status.code(),
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr: seen,
        },
        url,
    ))
}

/// Runs `demo`.
pub fn run(ui: &Ui) -> Result<Outcome> {
    let exe = std::env::current_exe()
        .map_err(|e| Error::Other(format!("cannot find the oauthctl binary: {e}")))?;
    let home = tempfile::Builder::new()
        .prefix("oauthctl-demo-")
        .tempdir()
        .map_err(|e| Error::Other(format!("cannot create a temporary home: {e}")))?;
    let server = DevServer::start(DevConfig::default())
        .map_err(|e| Error::Other(format!("cannot start the development server: {e}")))?;
    let iss = server.issuer().to_owned();
    let api = format!("{iss}/api/data");
    let audience = server.api_audience();
    let runner = Runner {
        exe,
        home: home.path(),
    };
    let scopes = "openid profile email offline_access api:read api:write";
    let say = |m: &str| ui.note(m);
    say(&format!(
        "oauthctl demo: a development authorization server is running at {iss}\n\
         (throw-away home {}; users alice/alice with role admin, bob/bob with role reader)\n",
        home.path().display()
    ));

    let mut steps: Vec<StepResult> = Vec::new();
    let mut record = |title: &str, command: String, ok: bool, detail: String| {
        let mark = if ok { "✓" } else { "✗" };
        ui.note(&format!("{mark} {}", sanitize::line(&detail)));
        steps.push(StepResult {
            title: title.to_owned(),
            command,
            ok,
            detail,
        });
    };
    let show = |title: &str, args: &[&str]| {
        let line = shlex::try_join(args.iter().copied()).unwrap_or_else(|_| args.join(" "));
        ui.note(&format!("\n▶ {title}\n  $ oauthctl {line}"));
        line
    };

    // 1–2. Sign in as alice and as bob: authorization code + PKCE through the loopback.
    for (user, title) in [
        (
            "alice",
            "Sign in as alice (authorization code + PKCE, loopback redirect)",
        ),
        ("bob", "Sign in as bob in a second profile"),
    ] {
        let args = [
            "-p",
            user,
            "login",
            "--issuer",
            &iss,
            "--client-id",
            "oauthctl",
            "--scope",
            scopes,
            "--no-browser",
            "--timeout",
            "60s",
        ];
        let cmd = show(title, &args);
        let ran = runner.login(&args, user)?;
        let ok = ran.code == Some(0) && ran.stderr.contains(&format!("as {user}"));
        let signed = ran
            .stderr
            .lines()
            .find(|l| l.starts_with("Signed in"))
            .unwrap_or_default()
            .to_owned();
        record(title, cmd, ok, verdict(&ran, ok, signed));
    }
    // 3. status.
    let args = ["status"];
    let cmd = show("What is cached (no secrets shown)", &args);
    let ran = runner.run(&args, None)?;
    let ok = ran.code == Some(0) && ran.stdout.contains("alice") && ran.stdout.contains("bob");
    record(
        "status",
        cmd,
        ok,
        format!("{} profiles cached", ran.stdout.matches("issuer:").count()),
    );
    // 4–5. decode.
    let args = [
        "-p",
        "alice",
        "decode",
        "--verify",
        "--id-token",
        "--audience",
        "oauthctl",
    ];
    let cmd = show("Decode and verify alice's ID token", &args);
    let ran = runner.run(&args, None)?;
    let ok = ran.code == Some(0) && ran.stdout.starts_with("VERIFIED");
    record(
        "decode ID token",
        cmd,
        ok,
        verdict(&ran, ok, first_line(&ran.stdout)),
    );
    let args = [
        "-p",
        "alice",
        "decode",
        "--verify",
        "--access-token",
        "--audience",
        &audience,
    ];
    let cmd = show(
        "Decode and verify alice's access token (RFC 9068 JWT)",
        &args,
    );
    let ran = runner.run(&args, None)?;
    let ok =
        ran.code == Some(0) && ran.stdout.starts_with("VERIFIED") && ran.stdout.contains("at+jwt");
    record(
        "decode access token",
        cmd,
        ok,
        verdict(&ran, ok, first_line(&ran.stdout)),
    );
    // 6–8. The protected API: scopes and roles.
    let args = ["-p", "alice", "call", "-i", "--fail", &api];
    let cmd = show(
        "Call the protected API: GET /api/data (scope api:read)",
        &args,
    );
    let ran = runner.run(&args, None)?;
    let (ok, detail) = call_step(&ran, 200, 0, "");
    record("call GET", cmd, ok, detail);
    let args = [
        "-p",
        "alice",
        "call",
        "-i",
        "--fail",
        "POST",
        &api,
        "--json",
        r#"{"note":"hello from alice"}"#,
    ];
    let cmd = show(
        "POST /api/data as alice (scope api:write, role admin)",
        &args,
    );
    let ran = runner.run(&args, None)?;
    let (ok, detail) = call_step(&ran, 201, 0, "");
    record("call POST as alice", cmd, ok, detail);
    let args = [
        "-p",
        "bob",
        "call",
        "-i",
        "--fail",
        "POST",
        &api,
        "--json",
        r#"{"note":"hello from bob"}"#,
    ];
    let cmd = show("POST /api/data as bob (role reader: forbidden)", &args);
    let ran = runner.run(&args, None)?;
    let (ok, detail) = call_step(
        &ran,
        403,
        8,
        " as expected: bob lacks the admin role (exit 8 with --fail)",
    );
    record("call POST as bob", cmd, ok, detail);
    // 9. introspect.
    let args = ["-p", "alice", "introspect"];
    let cmd = show(
        "Ask the server about alice's token (RFC 7662 introspection)",
        &args,
    );
    let ran = runner.run(&args, None)?;
    let ok = ran.code == Some(0) && ran.stdout.contains("active");
    record(
        "introspect",
        cmd,
        ok,
        verdict(&ran, ok, first_line(&ran.stdout)),
    );
    // 10. refresh with rotation.
    let before = runner.run(&["-p", "alice", "token"], None)?.stdout;
    let args = ["-p", "alice", "refresh"];
    let cmd = show("Refresh alice's tokens (the refresh token rotates)", &args);
    let ran = runner.run(&args, None)?;
    let after = runner.run(&["-p", "alice", "token"], None)?.stdout;
    let ok = ran.code == Some(0) && before != after && !after.trim().is_empty();
    record(
        "refresh",
        cmd,
        ok,
        verdict(&ran, ok, first_line(&ran.stderr)),
    );
    // 11. logout with revocation.
    let args = ["-p", "alice", "logout"];
    let cmd = show("Log alice out: revoke at the server, delete locally", &args);
    let ran = runner.run(&args, None)?;
    let ok = ran.code == Some(0) && ran.stderr.contains("revoked");
    record(
        "logout",
        cmd,
        ok,
        verdict(&ran, ok, first_line(&ran.stderr)),
    );
    // 12. The old token is now inactive.
    let args = [
        "introspect",
        "--issuer",
        &iss,
        "--client-id",
        "oauthctl",
        "-",
    ];
    let cmd = show(
        "Introspect alice's old access token again (read from stdin)",
        &args,
    );
    let ran = runner.run(&args, Some(after.trim()))?;
    let ok = ran.code == Some(6);
    record(
        "introspect after logout",
        cmd,
        ok,
        verdict(
            &ran,
            ok,
            "inactive, as expected after the revocation (exit 6)".to_owned(),
        ),
    );

    drop(server);
    let failed: Vec<String> = steps
        .iter()
        .filter(|s| !s.ok)
        .map(|s| s.title.clone())
        .collect();
    let report = DemoReport { issuer: iss, steps };
    let total = report.steps.len();
    if failed.is_empty() {
        ui.note(&format!(
            "\nAll {total} steps behaved as expected. The temporary home is removed."
        ));
        ui.info(&format!("\n{TRY_IT}"));
    }
    let outcome = if ui.json {
        Outcome::report(report)
    } else {
        Outcome::default()
    };
    if failed.is_empty() {
        Ok(outcome)
    } else {
        Ok(outcome.then_fail(Error::Other(format!(
            "{} of {total} demo steps did not behave as expected: {}",
            failed.len(),
            failed.join(", ")
        ))))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn call_steps_narrate_the_status_that_came_back() {
        let ran = |code, stdout: &str| Ran {
            code: Some(code),
            stdout: stdout.to_owned(),
            stderr: String::new(),
        };
        let created = ran(
            0,
            "HTTP/1.1 201 Created\r\ncontent-type: application/json\r\n\r\n{\"id\":1}\n",
        );
        assert_eq!(response_parts(&created.stdout), (Some(201), "{\"id\":1}\n"));
        assert_eq!(
            call_step(&created, 201, 0, ""),
            (true, "HTTP 201: {\"id\":1}".to_owned())
        );
        let (ok, detail) = call_step(&created, 200, 0, "");
        assert!(!ok);
        assert!(
            detail.starts_with("unexpected: HTTP 201 (expected 200)"),
            "{detail}"
        );
        let nothing = Ran {
            code: Some(5),
            stdout: String::new(),
            stderr: "oauthctl: error: connection refused\n".to_owned(),
        };
        assert_eq!(
            call_step(&nothing, 200, 0, "").1,
            "unexpected: no HTTP status (expected 200), exit Some(5): oauthctl: error: connection refused"
        );
    }
}
