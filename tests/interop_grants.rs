//! Token exchange (RFC 8693) and the JWT bearer grant (RFC 7523 §2.1) against a real,
//! certified provider: oidc-provider's strict fixture (`tests/interop/oidc-server-strict.mjs`),
//! where both are custom grants for the private_key_jwt clients `oauthctl-agent` and
//! `oauthctl-pkjwt` (DPoP-bound, with nonces). Ignored in a plain `cargo test`;
//! scripts/test.sh installs the provider and runs these with `--include-ignored`.

use std::path::Path;

use serde_json::Value;

use crate::interop_strict::Strict;
use crate::support::{assert_code, cached_expiry, in_process, run, stderr, stdout};

/// `oauthctl ARGS` in `home`, expecting success; its stdout as JSON (Null when it is not).
fn ok(home: &Path, args: &[&str]) -> Value {
    let out = run(home, args);
    assert_code(&out, 0);
    serde_json::from_slice(&out.stdout).unwrap_or(Value::Null)
}

/// A JWT bearer login as `carol` by `client` (private_key_jwt with the fixture's ES256 key,
/// which signs the assertion too), cached as `profile`.
fn jwt_bearer_login(op: &Strict, home: &Path, profile: &str, client: &str, extra: &[&str]) {
    let key = op.path("client-es256.pem");
    let mut args = vec![
        "-p",
        profile,
        "login",
        "--flow",
        "jwt-bearer",
        "--issuer",
        &op.issuer,
        "--client-id",
        client,
        "--client-key-file",
        &key,
        "--assertion-key",
        &key,
        "--assertion-sub",
        "carol",
    ];
    args.extend_from_slice(extra);
    let out = run(home, &args);
    assert_code(&out, 0);
    assert!(stderr(&out).contains("as carol"), "{}", stderr(&out));
}

#[test]
#[ignore = "needs node-oidc-provider (scripts/install-test-deps.sh); run with --include-ignored"]
fn jwt_bearer_then_token_exchange_renewed_from_the_parent_at_oidc_provider() {
    let op = Strict::start(false);
    let h = crate::support::home();
    jwt_bearer_login(
        &op,
        h.path(),
        "carol",
        "oauthctl-agent",
        &["--scope", "openid email"],
    );
    let info = ok(h.path(), &["-p", "carol", "--json", "userinfo"]);
    assert_eq!(info["sub"], "carol");
    assert_eq!(info["email"], "carol@example.test");
    // Exchanged for the resource server (its logical name as the audience): a JWT for it.
    let out = run(
        h.path(),
        &[
            "-p",
            "api",
            "exchange",
            "--subject-profile",
            "carol",
            "--audience",
            "urn:oauthctl:api",
            "--scope",
            "openid",
        ],
    );
    assert_code(&out, 0);
    assert!(
        stderr(&out).contains("issued:  access_token"),
        "{}",
        stderr(&out)
    );
    let at_rs = ok(h.path(), &["-p", "api", "call", "--fail", &op.resource]);
    assert_eq!(
        (at_rs["sub"].as_str(), at_rs["client_id"].as_str()),
        (Some("carol"), Some("oauthctl-agent"))
    );
    // Renewal after expiry (the injected clock): the parent signs a new assertion, and its
    // new token is exchanged again.
    let first = stdout(&run(h.path(), &["-p", "api", "token"]));
    let parent = stdout(&run(h.path(), &["-p", "carol", "token"]));
    let expired = cached_expiry(h.path(), &["-p", "api"]) + 1;
    let renewed = in_process(h.path(), expired, &["-p", "api", "token"]).stdout();
    assert_ne!(renewed, first);
    let parent_now = in_process(h.path(), expired, &["-p", "carol", "token"]).stdout();
    assert_ne!(parent_now, parent, "the parent was renewed first");
    let body = in_process(
        h.path(),
        expired,
        &["-p", "api", "call", "--fail", &op.resource],
    )
    .stdout();
    assert!(body.contains("\"sub\":\"carol\""), "{body}");
    // What the provider refuses reaches the user as its answer.
    let out = run(
        h.path(),
        &[
            "-p",
            "x",
            "exchange",
            "--subject-profile",
            "carol",
            "--audience",
            "https://elsewhere.example",
        ],
    );
    assert_code(&out, 4);
    assert!(stderr(&out).contains("invalid_target"), "{}", stderr(&out));
    let out = run(
        h.path(),
        &[
            "-p",
            "x",
            "exchange",
            "--subject-profile",
            "carol",
            "--requested-token-type",
            "id_token",
        ],
    );
    assert_code(&out, 4);
    assert!(
        stderr(&out).contains("only access tokens can be requested"),
        "{}",
        stderr(&out)
    );
}

#[test]
#[ignore = "needs node-oidc-provider (scripts/install-test-deps.sh); run with --include-ignored"]
fn delegation_chains_and_dpop_bound_exchanges_at_oidc_provider() {
    let op = Strict::start(false);
    let h = crate::support::home();
    let key = op.path("client-es256.pem");
    jwt_bearer_login(
        &op,
        h.path(),
        "carol",
        "oauthctl-agent",
        &["--scope", "openid email"],
    );
    let out = run(
        h.path(),
        &[
            "-p",
            "agent",
            "login",
            "--flow",
            "client-credentials",
            "--issuer",
            &op.issuer,
            "--client-id",
            "oauthctl-agent",
            "--client-key-file",
            &key,
        ],
    );
    assert_code(&out, 0);
    // Delegation: the agent acts for carol; exchanged again, the chain nests.
    assert_code(
        &run(
            h.path(),
            &[
                "-p",
                "deleg",
                "exchange",
                "--subject-profile",
                "carol",
                "--actor-profile",
                "agent",
            ],
        ),
        0,
    );
    let i = ok(h.path(), &["-p", "deleg", "--json", "introspect"]);
    assert_eq!(i["sub"], "carol");
    assert_eq!(i["act"], serde_json::json!({"sub": "oauthctl-agent"}));
    assert_code(
        &run(
            h.path(),
            &[
                "-p",
                "chain",
                "exchange",
                "--subject-profile",
                "deleg",
                "--actor-profile",
                "agent",
            ],
        ),
        0,
    );
    let i = ok(h.path(), &["-p", "chain", "--json", "introspect"]);
    assert_eq!(i["act"]["act"]["sub"], "oauthctl-agent", "{i}");
    // A DPoP-bound client: the assertion survives the nonce round trip, the exchange is
    // proven too, and the resource server takes the bound token with its proofs.
    jwt_bearer_login(
        &op,
        h.path(),
        "bound",
        "oauthctl-pkjwt",
        &["--scope", "openid", "--dpop"],
    );
    let out = run(
        h.path(),
        &[
            "-p",
            "boundapi",
            "exchange",
            "--subject-profile",
            "bound",
            "--audience",
            "urn:oauthctl:api",
        ],
    );
    assert_code(&out, 0);
    assert!(stderr(&out).contains("bound:   DPoP"), "{}", stderr(&out));
    let at_rs = ok(
        h.path(),
        &["-p", "boundapi", "call", "--fail", &op.resource],
    );
    assert_eq!(at_rs["token_type"], "DPoP");
    assert_code(&run(h.path(), &["-p", "boundapi", "refresh"]), 0);
    assert_code(
        &run(
            h.path(),
            &["-p", "boundapi", "call", "--fail", &op.resource],
        ),
        0,
    );
}
