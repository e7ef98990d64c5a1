//! `oauthctl demo`: the README's first command.

use serde_json::Value;

use crate::support::{assert_code, home, oauthctl, stderr};

#[test]
fn the_demo_runs_every_step_and_touches_nothing_outside_its_home() {
    let h = home();
    let out = oauthctl(h.path())
        .args(["demo", "--json"])
        .output()
        .unwrap();
    assert_code(&out, 0);
    let narration = stderr(&out);
    for step in [
        "Sign in as alice",
        "Sign in as bob",
        "What is cached",
        "Decode and verify alice's ID token",
        "Decode and verify alice's access token",
        "GET /api/data",
        "POST /api/data as alice",
        "POST /api/data as bob",
        "introspection",
        "Refresh alice's tokens",
        "Log alice out",
        "old access token again",
        "All 12 steps behaved as expected",
    ] {
        assert!(
            narration.contains(step),
            "missing {step:?} in:\n{narration}"
        );
    }
    assert!(!narration.contains('✗'), "{narration}");
    // It ends with the quick start by hand (tests/quickstart.rs runs those commands).
    assert!(
        narration.trim_end().ends_with(oauthctl::demo::TRY_IT),
        "{narration}"
    );
    assert!(narration.contains("\n  oauthctl login --provider local --flow device\n"));
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["ok"], true);
    assert_eq!(v["steps"].as_array().unwrap().len(), 12);
    // The calls narrate the status the API really answered (a POST creates: 201).
    let detail = |title: &str| {
        let step = v["steps"]
            .as_array()
            .unwrap()
            .iter()
            .find(|s| s["title"] == title)
            .unwrap_or_else(|| panic!("no step {title}"));
        step["detail"].as_str().unwrap().to_owned()
    };
    assert!(detail("call GET").starts_with("HTTP 200: "), "{v}");
    assert!(
        detail("call POST as alice").starts_with("HTTP 201: "),
        "{v}"
    );
    assert!(detail("call POST as bob").starts_with("HTTP 403 "), "{v}");
    assert!(narration.contains("HTTP 201: {\"id\":1"), "{narration}");
    // The caller's home (and XDG directories, which the helper points inside it) stay empty.
    let left: Vec<_> = std::fs::read_dir(h.path()).unwrap().collect();
    assert!(
        left.is_empty(),
        "the demo wrote outside its temporary home: {left:?}"
    );
    // No token value is narrated: tokens are JWTs, whose header starts with `eyJ`.
    assert!(!narration.contains("eyJ"), "{narration}");
}
