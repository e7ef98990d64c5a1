//! The client registry: redirect URI matching, the server-config file, what a
//! registration allows and needs.

use super::*;
use proptest::prelude::*;

const REG: &str = "http://127.0.0.1/callback";

#[test]
fn loopback_ports_are_relaxed_and_nothing_else() {
    for ok in [
        "http://127.0.0.1/callback",
        "http://127.0.0.1:1/callback",
        "http://127.0.0.1:49152/callback",
        "http://127.0.0.1:65535/callback",
    ] {
        assert!(redirect_uri_matches(REG, ok), "{ok}");
    }
    assert!(redirect_uri_matches(
        "http://[::1]/callback",
        "http://[::1]:8080/callback"
    ));
    for bad in [
        "HTTP://127.0.0.1:80/callback",
        "http://LOCALHOST:80/callback",
        "http://localhost:80/callback",
        "http://127.000.000.001:80/callback",
        "http://127.0.0.2:80/callback",
        "http://127.0.0.1:80/x/../callback",
        "http://127.0.0.1:80/callback?x=1",
        "http://127.0.0.1:80/callback#frag",
        "http://user@127.0.0.1:80/callback",
        "http://127.0.0.1@evil.example/callback",
        "https://127.0.0.1:80/callback",
        "http://127.0.0.1:80/callback/",
        "http://127.0.0.1:80/Callback",
        "http://127.0.0.1:080/callback",
        "http://127.0.0.1:0/callback",
        "http://127.0.0.1:65536/callback",
        "http://127.0.0.1:/callback",
        "http://127.0.0.1:80:81/callback",
        "http://127.0.0.1%2f/callback",
        "http://127.0.0.1:80/%63allback",
        "http://127.0.0.1.evil.example/callback",
        "http://[::1]:80/callback",
        "http://[0:0:0:0:0:0:0:1]:80/callback",
    ] {
        assert!(!redirect_uri_matches(REG, bad), "{bad}");
    }
    // Non-loopback registrations are exact.
    assert!(!redirect_uri_matches(
        "https://app.example/cb",
        "https://app.example:443/cb"
    ));
    assert!(!redirect_uri_matches(
        "http://localhost/cb",
        "http://localhost:8080/cb"
    ));
}

/// The rule written out the slow, obvious way, for the property test to compare with:
/// `http://127.0.0.1`, an optional port (no leading zero, 1 to 65535), `/callback`.
fn reference(candidate: &str) -> bool {
    let Some(rest) = candidate.strip_prefix("http://127.0.0.1") else {
        return false;
    };
    let path = match rest.strip_prefix(':') {
        None => rest,
        Some(p) => {
            let (port, path) = p.split_at(p.find('/').unwrap_or(p.len()));
            let ok = !port.starts_with('0')
                && port.chars().all(|c| c.is_ascii_digit())
                && port.parse::<u16>().is_ok_and(|n| n > 0);
            if !ok {
                return false;
            }
            path
        }
    };
    path == "/callback"
}

proptest! {
    #[test]
    fn matcher_agrees_with_the_reference(
        scheme in prop::sample::select(vec!["http://", "HTTP://", "https://", "http://u@"]),
        host in prop::sample::select(vec!["127.0.0.1", "LOCALHOST", "localhost", "127.000.000.001", "127.0.0.2", "[::1]"]),
        port in prop::option::of(0u32..70000),
        path in prop::sample::select(vec!["/callback", "/x/../callback", "/callback?a=b", "/callback#f", "/callback/", "/%63allback", "/Callback", ""]),
    ) {
        let port = port.map(|p| format!(":{p}")).unwrap_or_default();
        let candidate = format!("{scheme}{host}{port}{path}");
        prop_assert_eq!(redirect_uri_matches(REG, &candidate), reference(&candidate), "{}", candidate);
    }
}

#[test]
fn localhost_ports_are_relaxed_only_for_a_client_that_opts_in() {
    let reg = "http://localhost:8765/oauth/cb";
    for ok in [
        "http://localhost:8765/oauth/cb",
        "http://localhost:41235/oauth/cb",
        "http://localhost/oauth/cb",
    ] {
        assert!(redirect_uri_allowed(reg, ok, true), "{ok}");
    }
    assert!(!redirect_uri_allowed(
        reg,
        "http://localhost:41235/oauth/cb",
        false
    ));
    assert!(
        redirect_uri_allowed(reg, reg, false),
        "exact always matches"
    );
    for bad in [
        "http://localhost:41235/oauth/callback",
        "http://localhost:41235/oauth/cb/",
        "http://localhost:41235/oauth/cb?x=1",
        "http://LOCALHOST:41235/oauth/cb",
        "http://localhost.evil.example:41235/oauth/cb",
        "http://localhost:041235/oauth/cb",
        "http://localhost:0/oauth/cb",
        "https://localhost:41235/oauth/cb",
        "http://127.0.0.1:41235/oauth/cb",
        "http://[::1]:41235/oauth/cb",
        "http://user@localhost:41235/oauth/cb",
    ] {
        assert!(!redirect_uri_allowed(reg, bad, true), "{bad}");
    }
    // The IP literals keep their rule, and never match `localhost`.
    assert!(redirect_uri_allowed(
        REG,
        "http://127.0.0.1:5/callback",
        true
    ));
    assert!(!redirect_uri_allowed(
        REG,
        "http://localhost:5/callback",
        true
    ));
    let builtin = Registry::default();
    let cli = builtin.client("oauthctl").unwrap();
    assert!(cli.localhost_any_port);
    assert!(cli.redirect_uris.iter().any(|r| redirect_uri_allowed(
        r,
        "http://localhost:5/callback",
        true
    )));
    assert!(!builtin.client("demo-service").unwrap().localhost_any_port);
    let file = ServerConfigFile::parse(
        "[[clients]]\nid = \"x\"\nredirect_uris = [\"http://localhost:8765/cb\"]\n\
         grant_types = [\"authorization_code\"]\nlocalhost_any_port = true\n",
    )
    .unwrap();
    assert!(file.clients.unwrap()[0].localhost_any_port);
    let file = ServerConfigFile::parse("[[clients]]\nid = \"y\"\n").unwrap();
    assert!(
        !file.clients.unwrap()[0].localhost_any_port,
        "off by default"
    );
}

#[test]
fn the_documented_example_parses() {
    let doc = include_str!("../../../docs/serve.md");
    let start = doc.find("```toml\n").unwrap() + 8;
    let end = doc[start..].find("```").unwrap() + start;
    let file = ServerConfigFile::parse(&doc[start..end]).unwrap();
    assert_eq!(file.clients.unwrap().len(), 2);
}

#[test]
fn every_documented_server_config_parses() {
    let doc = include_str!("../../../docs/serve.md");
    let blocks: Vec<&str> = doc
        .split("```toml\n")
        .skip(1)
        .filter_map(|b| b.split("```").next())
        .collect();
    assert!(blocks.len() >= 2);
    for block in blocks {
        ServerConfigFile::parse(block).unwrap_or_else(|e| panic!("{e}\n{block}"));
    }
}

#[test]
fn registrations_name_what_their_method_needs() {
    let methods =
        |toml: &str| ServerConfigFile::parse(toml).unwrap().clients.unwrap()[0].auth_methods();
    assert_eq!(methods("[[clients]]\nid = \"p\"\n"), [AuthMethod::None]);
    assert_eq!(
        methods("[[clients]]\nid = \"s\"\nsecret = \"x\"\n"),
        [
            AuthMethod::ClientSecretBasic,
            AuthMethod::ClientSecretPost,
            AuthMethod::ClientSecretJwt
        ]
    );
    assert_eq!(
        methods("[[clients]]\nid = \"k\"\njwks = { keys = [] }\n"),
        [
            AuthMethod::PrivateKeyJwt,
            AuthMethod::SelfSignedTlsClientAuth
        ]
    );
    assert_eq!(
        methods("[[clients]]\nid = \"t\"\ntls_client_auth_san_dns = \"a.example\"\n"),
        [AuthMethod::TlsClientAuth]
    );
    assert_eq!(
        methods(
            "[[clients]]\nid = \"j\"\nsecret = \"x\"\ntoken_endpoint_auth_method = \"client_secret_jwt\"\n"
        ),
        [AuthMethod::ClientSecretJwt]
    );
    for (toml, problem) in [
        (
            "token_endpoint_auth_method = \"private_key_jwt\"",
            "needs jwks or jwks_uri",
        ),
        (
            "token_endpoint_auth_method = \"client_secret_post\"",
            "needs a secret",
        ),
        (
            "token_endpoint_auth_method = \"tls_client_auth\"",
            "tls_client_auth_subject_dn",
        ),
        (
            "secret = \"x\"\ntoken_endpoint_auth_method = \"none\"",
            "no secret",
        ),
        (
            "jwks = { keys = [] }\njwks_uri = \"https://k.example/j\"",
            "not both",
        ),
        ("jwks_uri = \"http://k.example/j\"", "https"),
        (
            "token_endpoint_auth_method = \"password\"",
            "unknown variant",
        ),
    ] {
        let err =
            ServerConfigFile::parse(&format!("[[clients]]\nid = \"c\"\n{toml}\n")).unwrap_err();
        assert!(err.contains(problem), "{toml}: {err}");
    }
    // A client with keys but no secret is not public: it may use client credentials.
    let keyed = ServerConfigFile::parse(
        "[[clients]]\nid = \"k\"\njwks = { keys = [] }\ngrant_types = [\"client_credentials\"]\n",
    )
    .unwrap();
    assert!(!keyed.clients.unwrap()[0].is_public());
}

#[test]
fn config_files_reject_unknown_keys() {
    let err = ServerConfigFile::parse("[lifetimes]\naccess = \"1h\"\n").unwrap_err();
    assert!(err.contains("line 2"), "{err}");
    let ok = ServerConfigFile::parse(
        "rate_limit_per_minute = 5\n[lifetimes]\naccess_token = \"5m\"\ncode = 30\n\
         [[users]]\nusername = \"carol\"\npassword = \"c\"\nroles = [\"admin\"]\n",
    )
    .unwrap();
    assert_eq!(
        ok.lifetimes.unwrap().access_token,
        Some(Duration::from_secs(300))
    );
    assert_eq!(ok.users.unwrap()[0].username, "carol");
    let err = ServerConfigFile::parse(
        "[[clients]]\nid = \"x\"\ngrant_types = [\"client_credentials\"]\n",
    )
    .unwrap_err();
    assert!(
        err.contains("public client cannot use client_credentials"),
        "{err}"
    );
    let err = ServerConfigFile::parse(
        "[[clients]]\nid = \"x\"\ngrant_types = [\"authorization_code\", \"password\"]\n",
    )
    .unwrap_err();
    assert!(err.contains("unknown grant type `password`"), "{err}");
    assert!(err.contains("line 3"), "{err}");
    let ok = ServerConfigFile::parse(
        "[[clients]]\nid = \"x\"\nsecret = \"s\"\ngrant_types = [\"client_credentials\", \
         \"urn:ietf:params:oauth:grant-type:device_code\", \"refresh_token\"]\n",
    )
    .unwrap();
    let client = &ok.clients.unwrap()[0];
    assert_eq!(
        client.grant_types,
        [
            Grant::ClientCredentials,
            Grant::DeviceCode,
            Grant::RefreshToken
        ]
    );
    assert!(client.allows(Grant::DeviceCode) && !client.allows(Grant::AuthorizationCode));
    assert!(!format!("{client:?}").contains("\"s\""));
}

#[test]
fn custom_claims_are_read_and_checked_with_the_line() {
    let ok = ServerConfigFile::parse(
        "[[clients]]\nid = \"web\"\npost_logout_redirect_uris = [\"https://app.example/bye\"]\n\
         [clients.claims]\ntenant = \"{client_id}\"\n\
         [[users]]\nusername = \"alice\"\npassword = \"a\"\n\
         [users.claims]\ndepartment = \"eng\"\nlevel = 3\nratio = 0.5\nok = true\n\
         since = 1979-05-27T07:32:00Z\ngroups = [\"a\", \"b\"]\naddress = { city = \"Oslo\" }\n\
         literal = \"{{not a placeholder}}\"\n",
    )
    .unwrap();
    let client = &ok.clients.unwrap()[0];
    assert_eq!(
        client.post_logout_redirect_uris,
        ["https://app.example/bye"]
    );
    assert!(!client.claims.is_empty());
    let user = &ok.users.unwrap()[0];
    let got = super::super::claims::for_token("http://i", client, Some(user), "alice", &[]);
    assert_eq!(
        serde_json::Value::Object(got),
        serde_json::json!({
            "tenant": "web", "address": {"city": "Oslo"}, "department": "eng",
            "groups": ["a", "b"], "level": 3, "literal": "{not a placeholder}", "ok": true,
            "ratio": 0.5, "since": "1979-05-27T07:32:00Z",
        })
    );
    for (toml, line, why) in [
        (
            "[[users]]\nusername = \"alice\"\npassword = \"a\"\n[users.claims]\nx = 1\niss = \"me\"\n",
            6,
            "user `alice`: claim `iss`: `iss` is reserved",
        ),
        (
            "[[clients]]\nid = \"web\"\n\n[clients.claims]\nroles = [\"x\"]\n",
            5,
            "client `web`: claim `roles`: `roles` is reserved",
        ),
        (
            "[[clients]]\nid = \"web\"\nclaims = { tenant = \"{tenant_id}\" }\n",
            3,
            "client `web`: claim `tenant`: unknown placeholder `{tenant_id}`",
        ),
        (
            "[[users]]\nusername = \"bob\"\npassword = \"b\"\n[users.claims]\n\
             nested = { a = [\"{sub\"] }\n",
            5,
            "user `bob`: claim `nested`: unbalanced `{`",
        ),
        (
            "[[users]]\nusername = \"bob\"\npassword = \"b\"\n[users.claims]\n\nx = \"a}\"\n",
            6,
            "claim `x`: unbalanced `}`",
        ),
        (
            "[[users]]\nusername = \"bob\"\npassword = \"b\"\n[users.claims]\nx = nan\n",
            5,
            "JSON cannot represent",
        ),
    ] {
        let err = ServerConfigFile::parse(toml).unwrap_err();
        assert!(err.starts_with(&format!("line {line}: ")), "{toml}: {err}");
        assert!(err.contains(why), "{toml}: {err}");
    }
}
