//! The official MCP conformance suite (`@modelcontextprotocol/conformance` 0.1.16, its
//! authorization scenarios) as a test: its authorization and MCP servers run
//! `tests/mcp/client.py`, a small MCP client whose every HTTP exchange is an
//! `oauthctl call --login`, so that oauthctl does all of the OAuth (README: "Resource-first
//! login"). Node 22 and the suite are installed under `tests/mcp/node_modules` by
//! `scripts/install-test-deps.sh`; the client needs python3 and curl (its "browser": the
//! suite's authorization server approves by redirecting straight to the redirect URI).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// The 14 tier-1 scenarios (`--suite auth`).
const TIER_1: [&str; 14] = [
    "auth/metadata-default",
    "auth/metadata-var1",
    "auth/metadata-var2",
    "auth/metadata-var3",
    "auth/basic-cimd",
    "auth/scope-from-www-authenticate",
    "auth/scope-from-scopes-supported",
    "auth/scope-omitted-when-undefined",
    "auth/scope-step-up",
    "auth/scope-retry-limit",
    "auth/token-endpoint-auth-basic",
    "auth/token-endpoint-auth-post",
    "auth/token-endpoint-auth-none",
    "auth/pre-registration",
];

/// The optional scenarios oauthctl passes too (the README lists them): the draft ones, and
/// the client credentials extension with a client secret and with `private_key_jwt`.
const OPTIONAL: [&str; 5] = [
    "auth/resource-mismatch",
    "auth/offline-access-scope",
    "auth/offline-access-not-supported",
    "auth/client-credentials-basic",
    "auth/client-credentials-jwt",
];

/// What the client prints when every exchange of its session succeeded.
const DONE: &str = "mcp client: every exchange succeeded";

fn suite() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/mcp")
}

/// Runs the conformance client runner with `args` (`--suite NAME`, `--scenario NAME`),
/// results written to a fresh directory.
fn conformance(args: &[&str]) -> (Output, tempfile::TempDir) {
    let dir = suite();
    let node = dir.join("node_modules/.bin/node");
    let runner = dir.join("node_modules/.bin/conformance");
    assert!(
        node.exists() && runner.exists(),
        "the MCP conformance suite is not installed: run scripts/install-test-deps.sh"
    );
    let client = dir.join("client.py");
    // The runner splits the command on spaces and a shell joins the words again.
    let command = format!(
        "python3 {}",
        shlex::try_quote(&client.to_string_lossy()).unwrap()
    );
    let results = tempfile::tempdir().unwrap();
    let mut cmd = Command::new(node);
    for (name, _) in std::env::vars_os() {
        let name = name.to_string_lossy().into_owned();
        if name.starts_with("OAUTHCTL_") || name.to_ascii_lowercase().ends_with("_proxy") {
            cmd.env_remove(&name);
        }
    }
    let out = cmd
        .arg(runner)
        .args(["client", "--command", &command])
        .args(args)
        // Per scenario; the default 30 s is short for a debug build on a busy machine (a
        // scenario runs up to six oauthctl processes).
        .args(["--timeout", "180000"])
        .arg("-o")
        .arg(results.path())
        .current_dir(results.path())
        .env("OAUTHCTL", env!("CARGO_BIN_EXE_oauthctl"))
        .env("BROWSER_COMMAND", "curl -fsS -L -o /dev/null")
        .env_remove("BROWSER")
        .env_remove("MCP_CONFORMANCE_CONTEXT")
        .output()
        .expect("run the conformance suite");
    (out, results)
}

/// The suite summary: scenario → passed (`✓ auth/x: 13 passed, 0 failed`).
fn summary(stdout: &str) -> BTreeMap<String, bool> {
    stdout
        .lines()
        .filter_map(|l| {
            let (passed, rest) = if let Some(r) = l.strip_prefix("✓ ") {
                (true, r)
            } else {
                (false, l.strip_prefix("✗ ")?)
            };
            Some((rest.split(':').next()?.to_owned(), passed))
        })
        .collect()
}

/// The client's stderr and the checks in `scenario`'s results, for a failure message.
fn scenario_record(results: &Path, scenario: &str) -> String {
    let checks = scenario_dir(results, scenario)
        .map(|d| std::fs::read_to_string(d.join("checks.json")).unwrap_or_default())
        .unwrap_or_default();
    format!("{}\n{checks}", client_stderr(results, scenario))
}

/// The directory of `scenario`'s results.
fn scenario_dir(results: &Path, scenario: &str) -> Option<std::path::PathBuf> {
    let (group, name) = scenario.split_once('/')?;
    std::fs::read_dir(results.join(group))
        .ok()?
        .filter_map(Result::ok)
        .map(|e| e.path())
        .find(|p| {
            p.file_name()
                .and_then(|n| n.to_str())
                .and_then(|n| n.strip_prefix(name))
                .is_some_and(|rest| rest.starts_with("-2"))
        })
}

/// The client's stderr in `scenario`'s results.
fn client_stderr(results: &Path, scenario: &str) -> String {
    let dir =
        scenario_dir(results, scenario).unwrap_or_else(|| panic!("no results for {scenario}"));
    std::fs::read_to_string(dir.join("stderr.txt")).unwrap_or_default()
}

#[test]
#[ignore = "needs Node 22 and the MCP conformance suite (scripts/install-test-deps.sh)"]
fn the_fourteen_tier_1_auth_scenarios_pass() {
    let (out, results) = conformance(&["--suite", "auth"]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    let scenarios = summary(&stdout);
    let expected: BTreeMap<String, bool> = TIER_1.iter().map(|s| ((*s).to_owned(), true)).collect();
    // A failed scenario's client stderr and checks say why.
    let mut why = String::new();
    for (s, _) in scenarios.iter().filter(|(_, passed)| !**passed) {
        why.push_str(&format!(
            "--- {s}:\n{}\n",
            scenario_record(results.path(), s)
        ));
    }
    assert_eq!(scenarios, expected, "{stdout}\n{why}");
    assert!(
        stdout.contains(" passed, 0 failed, 0 warnings"),
        "a failure or a warning:\n{stdout}"
    );
    assert!(out.status.success(), "{stdout}");
    // The suite ignores the client's exit status: the client says how its session ended.
    for scenario in TIER_1 {
        let stderr = client_stderr(results.path(), scenario);
        if scenario == "auth/scope-retry-limit" {
            // It gives up after one authorization: the scope it is refused for is granted.
            assert!(stderr.contains("not logging in again"), "{stderr}");
            assert!(stderr.contains("oauthctl call exited 8"), "{stderr}");
        } else {
            assert!(stderr.contains(DONE), "{scenario}:\n{stderr}");
        }
    }
}

#[test]
#[ignore = "needs Node 22 and the MCP conformance suite (scripts/install-test-deps.sh)"]
fn the_optional_auth_scenarios_the_readme_lists_pass() {
    for scenario in OPTIONAL {
        let (out, results) = conformance(&["--scenario", scenario]);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(
            out.status.success() && stderr.contains("OVERALL: PASSED"),
            "{scenario}:\n{stderr}"
        );
        if scenario == "auth/resource-mismatch" {
            // Refused before any authorization request, with exit 5.
            let client = client_stderr(results.path(), scenario);
            assert!(client.contains("refusing to log in"), "{client}");
            assert!(client.contains("oauthctl call exited 5"), "{client}");
        } else {
            assert!(
                client_stderr(results.path(), scenario).contains(DONE),
                "{scenario}"
            );
        }
    }
}
