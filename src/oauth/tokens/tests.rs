//! The token set's cache format (including the format of earlier releases), expiry maths,
//! `expires_in` reading, token characters and cache keys.

use super::*;
use serde_json::json;

pub(crate) fn sample() -> TokenSet {
    TokenSet {
        access_token: AccessToken::new("at-secret-value"),
        token_type: TokenType::Bearer,
        expires_at: Some(13_600),
        refresh_token: Some(RefreshToken::new("rt-secret-value")),
        id_token: Some(IdToken::new("idt-secret-value")),
        scope: vec!["openid".into(), "profile".into()],
        grant: Grant::AuthorizationCode,
        issuer: "https://issuer.example".into(),
        client_id: "cli".into(),
        obtained_at: 10_000,
        dpop_key: None,
        issued_token_type: None,
    }
}

#[test]
fn the_refresh_margin_is_at_most_half_the_lifetime() {
    let mut t = TokenSet::from_json(
        br#"{"version":1,"access_token":"a","token_type":"Bearer","expires_at":1030,"scope":[],"grant":"authorization_code","issuer":"i","client_id":"c","obtained_at":1000}"#,
    )
    .unwrap();
    let sixty = Duration::from_secs(60);
    // A 30 s token: the 60 s margin becomes 15 s.
    assert!(!t.expires_within(1000, sixty));
    assert!(!t.expires_within(1014, sixty));
    assert!(t.expires_within(1015, sixty));
    // A one-hour token keeps the full margin.
    t.expires_at = Some(4600);
    assert!(!t.expires_within(4539, sixty));
    assert!(t.expires_within(4540, sixty));
}

#[test]
fn profiles_never_share_a_key() {
    let k = CacheKey::new("https://as", "cli", &["openid"], None, None);
    let alice = k.clone().for_profile("alice");
    let bob = k.clone().for_profile("bob");
    assert_ne!(alice, bob);
    assert_ne!(alice, k);
    assert_eq!(alice, k.for_profile("alice"));
    assert!(CacheKey::parse(alice.as_str()).is_some());
}

#[test]
fn serde_round_trip_with_version() {
    let t = sample();
    let json = t.to_json();
    let v: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(v["version"], 1);
    assert_eq!(v["grant"], "authorization_code");
    assert_eq!(TokenSet::from_json(json.as_bytes()).unwrap(), t);
}

/// The cache format of earlier releases still loads, for every grant name
/// and however the token type was spelled.
#[test]
fn caches_of_earlier_releases_load() {
    let names = [
        ("authorization_code", Grant::AuthorizationCode),
        ("device_code", Grant::DeviceCode),
        ("client_credentials", Grant::ClientCredentials),
        ("refresh_token", Grant::RefreshToken),
    ];
    for (name, grant) in names {
        for token_type in ["Bearer", "bearer"] {
            let json = format!(
                r#"{{"version":1,"access_token":"at","token_type":"{token_type}","expires_at":3600,"refresh_token":"rt","id_token":"a.b.c","scope":["openid"],"grant":"{name}","issuer":"https://i","client_id":"c","obtained_at":0}}"#
            );
            let t = TokenSet::from_json(json.as_bytes()).unwrap();
            assert_eq!(t.grant, grant);
            assert_eq!(t.token_type, TokenType::Bearer);
            assert_eq!(t.access_token.expose(), "at");
            assert_eq!(
                t.refresh_token.as_ref().map(RefreshToken::expose),
                Some("rt")
            );
            assert_eq!(t.id_token.as_ref().map(IdToken::expose), Some("a.b.c"));
            // Written back in the same format.
            let again: serde_json::Value = serde_json::from_str(&t.to_json()).unwrap();
            assert_eq!(again["grant"], name);
            assert_eq!(again["token_type"], "Bearer");
            assert_eq!(again["version"], 1);
        }
    }
    // An unknown grant or token type is an unusable entry, not a crash.
    for (field, value) in [("grant", "password"), ("token_type", "mac")] {
        let mut v: serde_json::Value = serde_json::from_str(&sample().to_json()).unwrap();
        v[field] = json!(value);
        assert!(matches!(
            TokenSet::from_json(v.to_string().as_bytes()),
            Err(TokenSetDecodeError::Malformed(_))
        ));
    }
}

#[test]
fn renewal_uses_the_refresh_token_else_what_the_grant_allows() {
    let with_rt = sample();
    assert_eq!(with_rt.renewal(), Some(Renewal::RefreshToken));
    let without_rt = TokenSet {
        refresh_token: None,
        ..sample()
    };
    assert_eq!(without_rt.renewal(), None);
    let cc = TokenSet {
        grant: Grant::ClientCredentials,
        ..without_rt.clone()
    };
    assert_eq!(cc.renewal(), Some(Renewal::RepeatGrant));
    // A client-credentials set that has a refresh token uses it.
    let cc_rt = TokenSet {
        grant: Grant::ClientCredentials,
        ..sample()
    };
    assert_eq!(cc_rt.renewal(), Some(Renewal::RefreshToken));
}

#[test]
fn optional_fields_may_be_missing() {
    let json = br#"{"version":1,"access_token":"a","token_type":"Bearer","grant":"client_credentials","issuer":"i","client_id":"c","obtained_at":5}"#;
    let t = TokenSet::from_json(json).unwrap();
    assert_eq!(t.refresh_token, None);
    assert_eq!(t.expires_at, None);
    assert!(t.scope.is_empty());
}

#[test]
fn decode_errors_never_quote_the_input() {
    let cases: Vec<&[u8]> = vec![
        br#"{"version":1,"access_token":42,"token_type":"SECRETVALUE"}"#,
        br#"{"version":1,"access_token":"SECRETVALUE","grant":"SECRETVALUE"}"#,
        br#"{"version":"SECRETVALUE"}"#,
        br#"["SECRETVALUE"]"#,
        br#"{"version":1,"access_token":"SECRETVALUE"#,
        b"SECRETVALUE",
    ];
    for c in cases {
        let e = TokenSet::from_json(c).unwrap_err();
        assert!(!e.to_string().contains("SECRETVALUE"), "{e}");
        assert!(!format!("{e:?}").contains("SECRETVALUE"), "{e:?}");
    }
}

#[test]
fn a_cached_set_with_control_characters_is_unusable() {
    // What an older oauthctl stored unchecked is never handed out.
    for (field, value) in [
        ("access_token", "at\r\nX-Injected: SECRETVALUE"),
        ("refresh_token", "rt\u{1b}]0;SECRETVALUE\u{7}"),
        ("id_token", "a.b.c\n"),
        ("token_type", "Bearer\r\nX: y"),
    ] {
        let mut v: serde_json::Value = serde_json::from_str(&sample().to_json()).unwrap();
        v[field] = json!(value);
        let e = TokenSet::from_json(v.to_string().as_bytes()).unwrap_err();
        assert!(
            matches!(e, TokenSetDecodeError::UnsafeToken { field: f, .. } if f == field),
            "{e:?}"
        );
        let msg = e.to_string();
        assert!(
            msg.contains(field) && msg.contains("control character"),
            "{msg}"
        );
        assert!(!msg.contains("SECRETVALUE"), "{msg}");
    }
    let mut v: serde_json::Value = serde_json::from_str(&sample().to_json()).unwrap();
    v["refresh_token"] = json!("refresh with spaces");
    assert!(TokenSet::from_json(v.to_string().as_bytes()).is_ok());
}

#[test]
fn unknown_version_is_reported() {
    let mut v: serde_json::Value = serde_json::from_str(&sample().to_json()).unwrap();
    v["version"] = json!(7);
    assert_eq!(
        TokenSet::from_json(v.to_string().as_bytes()),
        Err(TokenSetDecodeError::UnsupportedVersion(7))
    );
}

#[test]
fn debug_of_a_token_set_redacts_every_secret() {
    let dbg = format!("{:?}", sample());
    assert!(!dbg.contains("secret-value"), "{dbg}");
    for name in ["AccessToken", "RefreshToken", "IdToken"] {
        assert!(dbg.contains(&format!("{name}([redacted])")), "{dbg}");
    }
}

#[test]
fn expiry_maths() {
    let t = TokenSet {
        expires_at: Some(1000),
        ..sample()
    };
    assert_eq!(t.remaining(900), Some(100));
    assert!(!t.is_expired(999));
    assert!(t.is_expired(1000));
    assert!(t.expires_within(940, Duration::from_secs(60)));
    assert!(!t.expires_within(939, Duration::from_secs(60)));
    assert!(t.expires_within(2000, Duration::ZERO));
    // Extreme inputs saturate instead of overflowing.
    assert!(t.expires_within(i64::MIN, Duration::MAX));
    assert!(t.is_expired(i64::MAX));
    let forever = TokenSet {
        expires_at: None,
        ..sample()
    };
    assert!(!forever.is_expired(i64::MAX));
    assert!(!forever.expires_within(0, Duration::MAX));
}

#[test]
fn cache_key_separates_what_must_not_share_a_token() {
    let base = CacheKey::new("https://i", "c", &["a", "b"], Some("aud"), None);
    let variants = [
        CacheKey::new("https://j", "c", &["a", "b"], Some("aud"), None),
        CacheKey::new("https://i", "d", &["a", "b"], Some("aud"), None),
        CacheKey::new("https://i", "c", &["a"], Some("aud"), None),
        CacheKey::new("https://i", "c", &["a", "b", "c"], Some("aud"), None),
        CacheKey::new("https://i", "c", &["a", "b"], Some("aud2"), None),
        CacheKey::new("https://i", "c", &["a", "b"], None, None),
        CacheKey::new("https://i", "c", &["a", "b"], None, Some("aud")),
        CacheKey::new("https://i", "c", &["a", "b"], Some("aud"), Some("r")),
        // Field boundaries are unambiguous.
        CacheKey::new("https://ic", "", &["a", "b"], Some("aud"), None),
        CacheKey::new("https://i", "c", &["ab"], Some("aud"), None),
    ];
    for v in &variants {
        assert_ne!(&base, v);
    }
    let mut all: Vec<&CacheKey> = variants.iter().collect();
    all.sort();
    all.dedup();
    assert_eq!(all.len(), variants.len());
}

#[test]
fn cache_key_is_stable_and_scope_order_insensitive() {
    let a = CacheKey::new("https://i", "c", &["b", "a", "a"], Some("aud"), None);
    let b = CacheKey::new("https://i", "c", &["a b"], Some("aud"), Some(""));
    assert_eq!(a, b);
    assert_eq!(a.as_str().len(), 64);
    assert!(CacheKey::parse(a.as_str()).is_some());
    // Stable across releases: a change here orphans every user's cache.
    assert_eq!(
        CacheKey::new("https://issuer.example", "cli", &["openid"], None, None).as_str(),
        "c43d07550e6b0d5da2d901e5e3b5b7869a7de9dc7352278c56b8da2beca3dfe9"
    );
}

#[test]
fn extra_parameters_are_part_of_the_key() {
    let base = CacheKey::new("https://i", "c", &["openid"], None, None);
    let params = |pairs: &[(&str, &str)]| -> BTreeMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect()
    };
    // None: the key of earlier releases.
    assert_eq!(base.clone().with_params(&BTreeMap::new()), base);
    let a = base.clone().with_params(&params(&[("acr_values", "a")]));
    let b = base.clone().with_params(&params(&[("acr_values", "b")]));
    let other = base.clone().with_params(&params(&[("organization", "a")]));
    let both = base
        .clone()
        .with_params(&params(&[("acr_values", "a"), ("organization", "x")]));
    // Field boundaries are unambiguous.
    let shifted = base.clone().with_params(&params(&[("acr_valuesa", "")]));
    let keys = [&base, &a, &b, &other, &both, &shifted];
    for (i, x) in keys.iter().enumerate() {
        for y in &keys[i + 1..] {
            assert_ne!(x, y);
        }
    }
    assert_eq!(a, base.with_params(&params(&[("acr_values", "a")])));
    assert!(CacheKey::parse(a.as_str()).is_some());
}

#[test]
fn cache_key_parse_rejects_paths() {
    assert!(CacheKey::parse("../../etc/passwd").is_none());
    assert!(CacheKey::parse(&"A".repeat(64)).is_none());
    assert!(serde_json::from_str::<CacheKey>("\"../x\"").is_err());
}

#[test]
fn a_dpop_bound_set_keeps_its_proof_key_and_hides_it() {
    let (key, signing) =
        crate::oauth::dpop::ProofKey::generate(crate::oauth::jose::SigningAlg::Es256).unwrap();
    let mut t = sample();
    t.token_type = TokenType::DPoP;
    t.dpop_key = Some(key);
    let json = t.to_json();
    let v: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(v["token_type"], "DPoP");
    assert_eq!(v["dpop_key"]["alg"], "ES256");
    let back = TokenSet::from_json(json.as_bytes()).unwrap();
    assert_eq!(back, t);
    let again = back.dpop_key.as_ref().unwrap().signing_key().unwrap();
    assert_eq!(again.thumbprint(), signing.thumbprint());
    // Never in Debug output.
    let shown = format!("{t:?}");
    assert!(!shown.contains("PRIVATE KEY"), "{shown}");
    assert!(shown.contains("PrivateKeyPem([redacted])"), "{shown}");
    // A set written without one (every earlier release) has none, and writes none.
    assert_eq!(sample().dpop_key, None);
    assert!(!sample().to_json().contains("dpop_key"));
}
