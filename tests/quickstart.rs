//! The README's Quick start, run as printed. `oauthctl serve` runs as a child on a free port
//! (`--port 0` added) and every other command through `sh -c`, with the binary under test on
//! `PATH`; the only changes are `--provider local` → `--provider local@PORT` and
//! `127.0.0.1:9400` → `127.0.0.1:PORT`. The user's part (signing in on a page) is played by
//! the built-in agent. The demo's closing lines must be commands of this section. The
//! recipe of the README's `oauthctl serve` section that starts a server in the background
//! runs exactly as printed through `sh -c`.

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use oauthctl::demo::{Ran, run_login, run_until};

use crate::support::{home, shell};

const README: &str = include_str!("../README.md");

/// The text of the README section `## {heading}`, up to the next `## ` heading.
fn section(heading: &str) -> &'static str {
    let start = README
        .find(&format!("\n## {heading}\n"))
        .unwrap_or_else(|| panic!("no section {heading}"))
        + 1;
    let end = README[start + 3..]
        .find("\n## ")
        .map_or(README.len(), |e| e + start + 3);
    &README[start..end]
}

/// The fenced `sh` blocks of `text`, each as its lines.
fn sh_blocks(text: &str) -> Vec<Vec<&str>> {
    text.split("```sh\n")
        .skip(1)
        .map(|rest| rest.split("```").next().unwrap().lines().collect())
        .collect()
}

/// A command line without its trailing `# comment`.
fn command(line: &str) -> &str {
    line.split(" #").next().unwrap().trim()
}

/// The line as it runs against a server on `port`.
fn localize(line: &str, port: u16) -> String {
    let out = command(line)
        .replace("--provider local", &format!("--provider local@{port}"))
        .replace("127.0.0.1:9400", &format!("127.0.0.1:{port}"));
    assert!(!out.contains("9400"), "{out}");
    out
}

/// `oauthctl serve …` from the README, as a child on a free port; killed on drop.
struct Serve {
    child: Child,
    port: u16,
}

impl Serve {
    fn start(line: &str) -> Self {
        let line = command(line);
        assert!(line.starts_with("oauthctl serve"), "{line}");
        let h = home();
        let mut child = shell(h.path(), &format!("exec {line} --port 0"))
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let mut issuer = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut issuer)
            .unwrap();
        let port = issuer
            .trim()
            .strip_prefix("http://127.0.0.1:")
            .unwrap_or_else(|| panic!("no issuer from {line}: {issuer:?}"))
            .parse()
            .unwrap();
        Self { child, port }
    }
}

impl Drop for Serve {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Runs a README command line in `home` against `server`, playing the user where one is
/// needed: signing in as alice on the page the login opens (its browser is `true`, which
/// opens nothing), on the device flow's verification page, or on the URL `--no-browser`
/// prints. A `--browser-command` brings its own browser.
fn run_line(home: &Path, server: &Serve, line: &str) -> Ran {
    let script = localize(line, server.port);
    let mut cmd: Command = shell(home, &script);
    cmd.env("BROWSER", "true");
    let sign_in = |url: &str| {
        oauthctl::demo::agent::Agent::new("alice", "alice")
            .sign_in(url)
            .expect("sign in as alice");
    };
    let ran = if script.contains(" login ") && script.contains("--flow device") {
        // The last page (the server's "device connected" page) has no form: that ends the
        // agent with an error, which the login's own outcome below makes irrelevant.
        run_until(cmd, "Or open: ", |url| {
            let _ = oauthctl::demo::agent::Agent::new("alice", "alice").sign_in(url);
        })
        .unwrap()
        .0
    } else if script.contains(" login ") && !script.contains("--browser-command") {
        run_login(cmd, sign_in).unwrap().0
    } else {
        let out = cmd.output().unwrap();
        Ran {
            code: out.status.code(),
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        }
    };
    assert_eq!(
        ran.code,
        Some(0),
        "{script}\n--- stdout\n{}\n--- stderr\n{}",
        ran.stdout,
        ran.stderr
    );
    if script.contains(" login ") {
        assert!(ran.stderr.contains("as alice"), "{script}\n{}", ran.stderr);
    }
    ran
}

#[test]
fn the_readme_quick_start_works_as_printed() {
    let text = section("Quick start");
    let blocks = sh_blocks(text);
    assert_eq!(blocks.len(), 4, "{text}");
    // Terminal one: the server.
    assert_eq!(blocks[0], ["oauthctl serve"]);
    let plain = Serve::start(blocks[0][0]);
    // Terminal two: sign in, call the API (alice may write: the preset asks for api:write),
    // decode. Each command exits 0.
    let h = home();
    let mut seen = Vec::new();
    for line in &blocks[1] {
        let out = run_line(h.path(), &plain, line);
        let body = &out.stdout;
        if line.contains("/api/me") {
            assert!(body.contains(r#""sub":"alice""#), "{body}");
            assert!(body.contains("api:write"), "{body}");
            seen.push("me");
        } else if line.contains("POST") {
            assert!(body.contains(r#""by":"alice""#), "{body}");
            seen.push("post");
        } else if line.contains(" decode ") {
            assert!(body.starts_with("VERIFIED"), "{body}");
            seen.push("decode");
        }
    }
    assert_eq!(seen, ["me", "post", "decode", "decode"], "{:?}", blocks[1]);
    // Without a browser: a server that approves by itself, and curl as the browser.
    let auto = Serve::start(blocks[2][0]);
    assert!(blocks[2][0].contains("--auto-approve alice"));
    for line in &blocks[2][1..] {
        assert!(line.contains("--browser-command"), "{line}");
        run_line(home().path(), &auto, line);
    }
    // The device flow and --no-browser, against the plain server.
    for line in &blocks[3] {
        let h = home();
        run_line(h.path(), &plain, line);
        let me = run_line(
            h.path(),
            &plain,
            "oauthctl call --provider local http://127.0.0.1:9400/api/me",
        );
        assert!(me.stdout.contains(r#""sub":"alice""#), "{}", me.stdout);
    }
}

#[test]
fn the_demo_ends_with_commands_of_the_quick_start() {
    let documented: Vec<&str> = sh_blocks(section("Quick start"))
        .into_iter()
        .flatten()
        .map(command)
        .collect();
    let shown: Vec<&str> = oauthctl::demo::TRY_IT
        .lines()
        .filter_map(|l| l.strip_prefix("  "))
        .collect();
    assert!(shown.len() >= 8, "{shown:?}");
    for line in shown {
        assert!(documented.contains(&line), "{line:?} is not in the README");
    }
}

/// Runs `script` through `sh -c` in its own process group and returns (exit code, stdout,
/// stderr); the group is killed if it takes longer than a minute, so a hanging recipe
/// fails the test instead of leaving a server behind.
fn run_script(home: &Path, script: &str) -> (Option<i32>, String, String) {
    use std::io::Read as _;
    use std::os::unix::process::CommandExt as _;
    let mut child = shell(home, script)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .process_group(0)
        .spawn()
        .unwrap();
    let mut out = child.stdout.take().unwrap();
    let mut err = child.stderr.take().unwrap();
    let stdout = std::thread::spawn(move || {
        let mut s = String::new();
        let _ = out.read_to_string(&mut s);
        s
    });
    let stderr = std::thread::spawn(move || {
        let mut s = String::new();
        let _ = err.read_to_string(&mut s);
        s
    });
    let deadline = Instant::now() + Duration::from_secs(60);
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break Some(status);
        }
        if Instant::now() > deadline {
            let group = rustix::process::Pid::from_child(&child);
            let _ = rustix::process::kill_process_group(group, rustix::process::Signal::KILL);
            let _ = child.wait();
            break None;
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    let (stdout, stderr) = (stdout.join().unwrap(), stderr.join().unwrap());
    assert!(status.is_some(), "the recipe hung\n{stdout}\n{stderr}");
    (status.and_then(|s| s.code()), stdout, stderr)
}

#[test]
fn the_readme_background_serve_recipe_reads_the_issuer() {
    let blocks = sh_blocks(section("`oauthctl serve`"));
    let recipe = blocks
        .iter()
        .find(|b| b.iter().any(|l| l.contains("mkfifo")))
        .expect("the background recipe")
        .join("\n");
    let h = home();
    let (code, stdout, stderr) = run_script(h.path(), &recipe);
    assert_eq!(
        code,
        Some(0),
        "{recipe}\n--- stdout\n{stdout}\n--- stderr\n{stderr}"
    );
    // ISSUER was set (the broken recipe left it empty), and it is the server's URL: the
    // login and the API call through it worked.
    let issuer = stdout
        .lines()
        .find_map(|l| l.strip_prefix("server at "))
        .unwrap_or_else(|| panic!("{stdout}"));
    assert!(issuer.starts_with("http://127.0.0.1:"), "{stdout}");
    assert!(stdout.ends_with(r#"{"items":[]}"#), "{stdout}");
    assert!(
        stderr.contains(&format!("Signed in to {issuer} as demo-service")),
        "{stderr}"
    );
    // The trap stopped the server when the script ended: its port is closed.
    let addr: std::net::SocketAddr = issuer.trim_start_matches("http://").parse().unwrap();
    let deadline = Instant::now() + Duration::from_secs(5);
    while std::net::TcpStream::connect(addr).is_ok() {
        assert!(Instant::now() < deadline, "the server still runs at {addr}");
        std::thread::sleep(Duration::from_millis(50));
    }
}
