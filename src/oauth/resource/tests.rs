use proptest::prelude::*;

use super::*;

fn url(s: &str) -> Url {
    Url::parse(s).unwrap()
}

fn strings(v: &[&str]) -> Vec<String> {
    v.iter().map(|s| (*s).to_owned()).collect()
}

#[test]
fn metadata_urls_put_the_well_known_segment_before_the_path_then_try_the_root() {
    let urls = |u: &str| -> Vec<String> {
        metadata_urls(&url(u))
            .into_iter()
            .map(String::from)
            .collect()
    };
    assert_eq!(
        urls("http://localhost:43545/mcp"),
        [
            "http://localhost:43545/.well-known/oauth-protected-resource/mcp",
            "http://localhost:43545/.well-known/oauth-protected-resource",
        ]
    );
    assert_eq!(
        urls("https://api.example/v1/items/?q=1#f"),
        [
            "https://api.example/.well-known/oauth-protected-resource/v1/items/",
            "https://api.example/.well-known/oauth-protected-resource",
        ]
    );
    assert_eq!(
        urls("https://api.example"),
        ["https://api.example/.well-known/oauth-protected-resource"]
    );
    assert_eq!(
        urls("https://api.example:8443/"),
        ["https://api.example:8443/.well-known/oauth-protected-resource"]
    );
}

#[test]
fn challenges_are_read_in_any_parameter_order() {
    // The SDK's 401 (error first, resource_metadata last).
    let c = ResourceChallenge::read(
        401,
        [r#"Bearer error="invalid_token", error_description="Missing Authorization header", scope="mcp:basic", resource_metadata="http://localhost:1/.well-known/oauth-protected-resource/mcp""#],
    )
    .unwrap();
    assert_eq!(c.error.as_deref(), Some("invalid_token"));
    assert_eq!(c.scope, ["mcp:basic"]);
    assert_eq!(
        c.resource_metadata.as_deref(),
        Some("http://localhost:1/.well-known/oauth-protected-resource/mcp")
    );
    assert!(c.wants_a_token() && !c.wants_more_scope());
    // Step-up's 403: error last, several scopes.
    let c = ResourceChallenge::read(
        403,
        [r#"Bearer scope="mcp:basic mcp:write", resource_metadata="http://x/m", error="insufficient_scope""#],
    )
    .unwrap();
    assert!(c.wants_more_scope());
    assert_eq!(c.scope, ["mcp:basic", "mcp:write"]);
    // No parameters at all still is a Bearer challenge.
    let c = ResourceChallenge::read(401, ["Bearer"]).unwrap();
    assert_eq!(
        c,
        ResourceChallenge {
            status: 401,
            ..ResourceChallenge::default()
        }
    );
    // Another scheme first, in separate header values, case-insensitive names.
    let c = ResourceChallenge::read(
        401,
        [
            "Basic realm=\"x\"",
            "bearer Resource_Metadata=\"https://r/m\"",
        ],
    )
    .unwrap();
    assert_eq!(c.resource_metadata.as_deref(), Some("https://r/m"));
    // A non-Bearer scheme that names metadata (DPoP-only resources).
    let c = ResourceChallenge::read(
        401,
        [r#"DPoP algs="ES256", resource_metadata="https://r/m""#],
    )
    .unwrap();
    assert_eq!(c.resource_metadata.as_deref(), Some("https://r/m"));
    // Nothing OAuth to act on.
    assert!(ResourceChallenge::read(401, ["Basic realm=\"x\""]).is_none());
    assert!(ResourceChallenge::read(401, Vec::<&str>::new()).is_none());
    assert!(ResourceChallenge::read(500, ["Bearer"]).is_none());
    // A 403 without the scopes it wants is no step-up.
    let c = ResourceChallenge::read(403, [r#"Bearer error="insufficient_scope""#]).unwrap();
    assert!(!c.wants_more_scope());
    let c = ResourceChallenge::read(403, [r#"Bearer error="invalid_token", scope="a""#]).unwrap();
    assert!(!c.wants_more_scope());
}

#[test]
fn the_resource_must_cover_the_url() {
    let covered = [
        ("http://localhost:1/mcp", "http://localhost:1/mcp"),
        ("http://localhost:1/mcp/", "http://localhost:1/mcp"),
        ("http://localhost:1/mcp", "http://localhost:1/mcp/tools"),
        ("http://localhost:1", "http://localhost:1/mcp"),
        ("http://localhost:1/", "http://localhost:1/"),
        ("HTTP://LOCALHOST:1/api", "http://localhost:1/api/data"),
        ("https://api.example:443/v1", "https://api.example/v1/items"),
    ];
    for (r, u) in covered {
        assert!(covers(r, &url(u)), "{r} should cover {u}");
    }
    let not_covered = [
        ("https://evil.example.com/mcp", "http://localhost:1/mcp"),
        ("http://localhost:2/mcp", "http://localhost:1/mcp"),
        ("https://localhost:1/mcp", "http://localhost:1/mcp"),
        ("http://localhost:1/mcp", "http://localhost:1/mcpx"),
        ("http://localhost:1/mcp", "http://localhost:1/"),
        ("http://localhost:1/mcp/tools", "http://localhost:1/mcp"),
        ("http://localhost:1/mcp?x=1", "http://localhost:1/mcp"),
        ("http://localhost:1/mcp#f", "http://localhost:1/mcp"),
        ("http://u:p@localhost:1/mcp", "http://localhost:1/mcp"),
        ("urn:example:mcp", "http://localhost:1/mcp"),
        ("not a url", "http://localhost:1/mcp"),
        ("http://127.0.0.1:1/mcp", "http://localhost:1/mcp"),
    ];
    for (r, u) in not_covered {
        assert!(!covers(r, &url(u)), "{r} must not cover {u}");
    }
    assert!(specificity("http://x/a/b") > specificity("http://x/a"));
    assert_eq!(specificity("http://x/"), specificity("http://x"));
}

#[test]
fn metadata_is_parsed_strictly_and_checked_before_anything_else() {
    let for_url = url("http://localhost:5/mcp");
    let ok = br#"{"resource":"http://localhost:5/mcp","authorization_servers":["http://localhost:6"],"scopes_supported":["mcp:basic","mcp:read"],"resource_name":"x"}"#;
    let m = parse_metadata(ok, &for_url, false).unwrap();
    assert_eq!(m.resource, "http://localhost:5/mcp");
    assert_eq!(m.authorization_servers, ["http://localhost:6"]);
    assert_eq!(
        m.scopes_supported.as_deref(),
        Some(&strings(&["mcp:basic", "mcp:read"])[..])
    );
    // The parent resource (MCP metadata-var2), published without a trailing slash, is kept
    // exactly as published.
    let parent = br#"{"resource":"http://localhost:5","authorization_servers":["http://localhost:6/tenant1"]}"#;
    let m = parse_metadata(parent, &for_url, false).unwrap();
    assert_eq!(m.resource, "http://localhost:5");
    assert_eq!(m.scopes_supported, None);
    // Another resource is refused, whatever else the document holds.
    let evil = br#"{"resource":"https://evil.example.com/mcp","authorization_servers":["https://evil.example.com"]}"#;
    let e = parse_metadata(evil, &for_url, false).unwrap_err();
    assert!(matches!(e, MetadataError::OtherResource { .. }), "{e}");
    assert!(e.to_string().contains("evil.example.com/mcp"), "{e}");
    let bad = [
        &br#"{"resource":"http://localhost:5/mcp","resource":"http://localhost:5/mcp","authorization_servers":["http://localhost:6"]}"#[..],
        br#"{"resource":5,"authorization_servers":["http://localhost:6"]}"#,
        br#"{"authorization_servers":["http://localhost:6"]}"#,
        br#"{"resource":"http://localhost:5/mcp","authorization_servers":"http://localhost:6"}"#,
        br#"{"resource":"http://localhost:5/mcp","authorization_servers":[6]}"#,
        br#"{"resource":"http://localhost:5/mcp","authorization_servers":["http://as.example"]}"#,
        br#"{"resource":"http://localhost:5/mcp","authorization_servers":["javascript:alert(1)"]}"#,
        br#"{"resource":"http://localhost:5/mcp","authorization_servers":["https://as.example"],"scopes_supported":["a b"]}"#,
        br#"{"resource":"http://localhost:5/mcp","authorization_servers":["https://as.example"],"scopes_supported":"a"}"#,
        b"[]",
        b"not json",
    ];
    for doc in bad {
        let e = parse_metadata(doc, &for_url, false).unwrap_err();
        assert!(
            matches!(e, MetadataError::Malformed(_)),
            "{}: {e}",
            String::from_utf8_lossy(doc)
        );
    }
    for none in [
        &br#"{"resource":"http://localhost:5/mcp"}"#[..],
        br#"{"resource":"http://localhost:5/mcp","authorization_servers":[]}"#,
    ] {
        assert_eq!(
            parse_metadata(none, &for_url, false).unwrap_err(),
            MetadataError::NoAuthorizationServer
        );
    }
    // Plain http off loopback only with --insecure-http.
    let remote = url("http://api.example/mcp");
    let doc =
        br#"{"resource":"http://api.example/mcp","authorization_servers":["http://as.example"]}"#;
    assert!(parse_metadata(doc, &remote, false).is_err());
    assert!(parse_metadata(doc, &remote, true).is_ok());
}

#[test]
fn scopes_come_from_the_challenge_then_the_metadata_then_nowhere() {
    let supported = strings(&["mcp:write", "mcp:basic"]);
    assert_eq!(
        initial_scopes(&strings(&["mcp:basic"]), Some(&supported)),
        ["mcp:basic"]
    );
    assert_eq!(
        initial_scopes(&[], Some(&supported)),
        ["mcp:basic", "mcp:write"]
    );
    assert!(initial_scopes(&[], None).is_empty());
    assert!(initial_scopes(&[], Some(&[])).is_empty());
}

#[test]
fn step_up_asks_for_the_union_and_gives_up_when_nothing_is_missing() {
    assert_eq!(
        step_up(
            &strings(&["mcp:basic"]),
            &strings(&["mcp:basic", "mcp:write"])
        ),
        Some(strings(&["mcp:basic", "mcp:write"]))
    );
    assert_eq!(
        step_up(&strings(&["b", "a"]), &strings(&["c"])),
        Some(strings(&["a", "b", "c"]))
    );
    assert_eq!(
        step_up(&strings(&["mcp:admin"]), &strings(&["mcp:admin"])),
        None
    );
    assert_eq!(step_up(&strings(&["a", "b"]), &strings(&["b"])), None);
}

#[test]
fn profile_names_are_readable_and_stable() {
    let cases = [
        ("http://localhost:43545/mcp", "localhost-43545-mcp"),
        ("http://localhost:43545", "localhost-43545"),
        ("https://api.example/", "api.example"),
        ("https://API.Example:443/v1/Items/", "api.example-v1-items"),
        ("http://127.0.0.1:9400/api", "127.0.0.1-9400-api"),
        ("http://[::1]:8080/x%20y", "1-8080-x-20y"),
        ("urn:x", "urn-x"),
        ("///", "resource"),
    ];
    for (resource, name) in cases {
        assert_eq!(profile_name(resource), name, "{resource}");
    }
    let long = format!("https://api.example/{}", "a".repeat(200));
    assert!(profile_name(&long).len() <= MAX_NAME);
    assert_eq!(free_name("x", |_| false), "x");
    assert_eq!(free_name("x", |n| n == "x" || n == "x-2"), "x-3");
}

proptest! {
    #[test]
    fn profile_names_are_safe_words(s in any::<String>()) {
        let name = profile_name(&s);
        prop_assert!(!name.is_empty() && name.len() <= MAX_NAME);
        prop_assert!(name.bytes().all(|b| b.is_ascii_alphanumeric() || b"-._".contains(&b)));
        prop_assert!(!name.starts_with('-'));
    }

    #[test]
    fn parsing_metadata_never_panics(body in proptest::collection::vec(any::<u8>(), 0..256)) {
        let _ = parse_metadata(&body, &url("http://localhost:5/mcp"), false);
    }

    #[test]
    fn a_covered_url_stays_on_the_resources_origin(
        path in "(/[a-z]{0,3}){0,3}",
        other in "(/[a-z]{0,3}){0,3}",
    ) {
        let resource = format!("http://localhost:5{path}");
        let target = url(&format!("http://localhost:5{other}"));
        if covers(&resource, &target) {
            let prefix = path.trim_end_matches('/');
            prop_assert!(target.path().starts_with(prefix));
        }
        let elsewhere = url(&format!("http://localhost:6{other}"));
        prop_assert!(!covers(&resource, &elsewhere));
    }
}
