//! Tests for the JWS parser, key handling and claim checks, with keys generated per run.

use super::*;
use crate::testing::{Fixture, b64u, sign_with};
use jsonwebtoken::EncodingKey;
use proptest::prelude::*;
use serde_json::json;

fn keys(f: &Fixture) -> Vec<VerificationKey> {
    let set = parse_jwks(&f.jwks()).unwrap();
    assert!(set.skipped.is_empty(), "{:?}", set.skipped);
    set.keys
}

const NOW: i64 = 1_800_000_000;

fn claims() -> Value {
    json!({"iss":"https://as.example","sub":"alice","aud":"api","iat":NOW-10,"exp":NOW+600})
}

#[test]
fn parses_and_verifies_each_family() {
    let f = Fixture::new();
    let keys = keys(&f);
    let cases = [
        (
            json!({"alg":"RS256","kid":"rsa1","typ":"JWT"}),
            &f.rsa,
            Algorithm::RS256,
            "rsa1",
        ),
        (
            json!({"alg":"ES256","kid":"ec1"}),
            &f.ec,
            Algorithm::ES256,
            "ec1",
        ),
        (
            json!({"alg":"EdDSA","kid":"ed1"}),
            &f.ed,
            Algorithm::EdDSA,
            "ed1",
        ),
    ];
    for (header, key, alg, kid) in cases {
        let token = sign_with(&header, &claims(), key, alg);
        let jws = parse(&token).unwrap();
        assert_eq!(jws.claims["sub"], "alice");
        assert_eq!(jws.header["kid"], kid);
        let used = verify_signature(&jws, &keys, &[]).unwrap();
        assert_eq!(used.kid.as_deref(), Some(kid));
    }
}

#[test]
fn ps256_needs_a_key_without_an_rs256_pin() {
    let f = Fixture::new();
    let token = sign_with(
        &json!({"alg":"PS256","kid":"rsa1"}),
        &claims(),
        &f.rsa,
        Algorithm::PS256,
    );
    let jws = parse(&token).unwrap();
    // The JWKS pins rsa1 to RS256 (one key, one alg: RFC 8725 §3.1, C49).
    let err = verify_signature(&jws, &keys(&f), &[]).unwrap_err();
    assert!(matches!(err, SignatureError::NoKey(_)), "{err}");
    // The same key without the pin, from a PEM file, verifies PS256.
    let pem_key = key_from_pem(f.rsa_public_pem.as_bytes()).unwrap();
    assert!(verify_signature(&jws, &[pem_key], &[]).is_ok());
}

#[test]
fn hmac_verifies_with_its_secret_only() {
    let secret = b"a-long-enough-shared-secret-value";
    let token = sign_with(
        &json!({"alg":"HS256"}),
        &claims(),
        &EncodingKey::from_secret(secret).unwrap(),
        Algorithm::HS256,
    );
    let jws = parse(&token).unwrap();
    let key = key_from_secret(secret, "secret").unwrap();
    assert!(verify_signature(&jws, std::slice::from_ref(&key), &[]).is_ok());
    let wrong = key_from_secret(b"another-secret", "secret").unwrap();
    assert!(matches!(
        verify_signature(&jws, &[wrong], &[]),
        Err(SignatureError::BadSignature(_))
    ));
}

#[test]
fn rejects_none_bad_signatures_and_key_confusion() {
    let f = Fixture::new();
    let keys = keys(&f);
    // alg none, in any case.
    for alg in ["none", "None", "NONE"] {
        let t = format!(
            "{}.{}.",
            b64u(json!({"alg": alg}).to_string().as_bytes()),
            b64u(claims().to_string().as_bytes())
        );
        let jws = parse(&t).unwrap();
        assert_eq!(
            verify_signature(&jws, &keys, &[]).unwrap_err(),
            SignatureError::AlgNone
        );
    }
    // A flipped signature byte.
    let token = sign_with(
        &json!({"alg":"ES256","kid":"ec1"}),
        &claims(),
        &f.ec,
        Algorithm::ES256,
    );
    // Change a character in the middle of the signature (the last one may carry padding bits).
    let mut tampered: Vec<char> = token.chars().collect();
    let i = tampered.len() - 10;
    tampered[i] = if tampered[i] == 'A' { 'B' } else { 'A' };
    let tampered: String = tampered.into_iter().collect();
    let jws = parse(&tampered).unwrap();
    assert!(verify_signature(&jws, &keys, &[]).is_err());
    // Claims changed after signing.
    let parts: Vec<&str> = token.split('.').collect();
    let forged = format!(
        "{}.{}.{}",
        parts[0],
        b64u(json!({"sub":"mallory"}).to_string().as_bytes()),
        parts[2]
    );
    assert!(verify_signature(&parse(&forged).unwrap(), &keys, &[]).is_err());
    // HS256 signed with the RSA public key (PEM text) as the HMAC secret (C37).
    let forged = sign_with(
        &json!({"alg":"HS256","kid":"rsa1"}),
        &claims(),
        &EncodingKey::from_secret(f.rsa_public_pem.as_bytes()).unwrap(),
        Algorithm::HS256,
    );
    let err = verify_signature(&parse(&forged).unwrap(), &keys, &[]).unwrap_err();
    assert!(matches!(err, SignatureError::NoKey(_)), "{err}");
    let pem_key = key_from_pem(f.rsa_public_pem.as_bytes()).unwrap();
    assert!(verify_signature(&parse(&forged).unwrap(), &[pem_key], &[]).is_err());
}

#[test]
fn header_keys_are_never_trusted() {
    // A token carrying its own key in `jwk` (CVE-2018-0114) and a `jku`: both ignored.
    let f = Fixture::new();
    let attacker = Fixture::new();
    let header =
        json!({"alg":"ES256","kid":"ec1","jwk":attacker.ec_jwk,"jku":"https://evil.example/jwks"});
    let token = sign_with(&header, &claims(), &attacker.ec, Algorithm::ES256);
    assert!(verify_signature(&parse(&token).unwrap(), &keys(&f), &[]).is_err());
}

#[test]
fn kid_selection_and_allowlist() {
    let f = Fixture::new();
    let keys = keys(&f);
    let token = sign_with(
        &json!({"alg":"ES256","kid":"other"}),
        &claims(),
        &f.ec,
        Algorithm::ES256,
    );
    let err = verify_signature(&parse(&token).unwrap(), &keys, &[]).unwrap_err();
    assert!(err.wants_fresh_keys(), "{err}");
    // No kid, one fitting key: accepted (C46k).
    let token = sign_with(&json!({"alg":"ES256"}), &claims(), &f.ec, Algorithm::ES256);
    assert!(verify_signature(&parse(&token).unwrap(), &keys, &[]).is_ok());
    // Allowlist.
    let err = verify_signature(&parse(&token).unwrap(), &keys, &[Algorithm::RS256]).unwrap_err();
    assert!(matches!(err, SignatureError::AlgNotAllowed(..)), "{err}");
}

#[test]
fn crit_and_b64_are_refused() {
    let f = Fixture::new();
    let keys = keys(&f);
    for header in [
        json!({"alg":"ES256","kid":"ec1","crit":["exp"],"exp":1}),
        json!({"alg":"ES256","kid":"ec1","b64":false,"crit":["b64"]}),
        json!({"alg":"ES256","kid":"ec1","b64":false}),
    ] {
        let token = sign_with(&header, &claims(), &f.ec, Algorithm::ES256);
        assert!(
            verify_signature(&parse(&token).unwrap(), &keys, &[]).is_err(),
            "{header}"
        );
    }
}

#[test]
fn jwks_skips_unusable_keys() {
    let f = Fixture::new();
    let small_n = b64u(&[0xC1; 128]); // 1024 bits
    let doc = json!({"keys":[
        {"kty":"RSA","kid":"small","n":small_n,"e":"AQAB"},
        {"kty":"AKP","kid":"pq","alg":"ML-DSA-44","pub":"AAAA"},
        {"kty":"EC","kid":"enc","use":"enc","crv":"P-256","x":f.ec_jwk["x"],"y":f.ec_jwk["y"]},
        {"kty":"EC","kid":"ops","key_ops":["encrypt"],"crv":"P-256","x":f.ec_jwk["x"],"y":f.ec_jwk["y"]},
        {"kty":"oct","kid":"sym","k":"c2VjcmV0"},
        {"kty":"EC","kid":"mismatch","alg":"RS256","crv":"P-256","x":f.ec_jwk["x"],"y":f.ec_jwk["y"]},
        "not an object",
        f.ec_jwk,
    ]});
    let set = parse_jwks(&serde_json::to_vec(&doc).unwrap()).unwrap();
    assert_eq!(set.keys.len(), 1);
    assert_eq!(set.skipped.len(), 7, "{:?}", set.skipped);
    assert!(set.skipped[0].contains("1024 bits"), "{:?}", set.skipped);
    assert!(parse_jwks(b"{}").is_err());
    assert!(parse_jwks(b"[]").is_err());
}

#[test]
fn pem_keys_are_classified() {
    let f = Fixture::new();
    let k = key_from_pem(f.rsa_public_pem.as_bytes()).unwrap();
    assert_eq!(k.family, AlgorithmFamily::Rsa);
    assert!(
        key_from_pem(b"-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n").is_err()
    );
    assert!(key_from_pem(b"garbage").is_err());
}

#[test]
fn malformed_inputs_are_clean_errors() {
    let many_dots = ".".repeat(1_000_000);
    let cases: Vec<(&str, &str)> = vec![
        ("abc", "opaque"),
        ("a.b", "segments"),
        ("a.b.c.d", "segments"),
        (&many_dots, "bytes long"),
        ("a.b.c.d.e", "JWE"),
        ("e30.e30=.", "base64url"),
        ("e30.e30.sig+", "base64url"),
        ("!!!.e30.", "character"),
        ("W10.e30.", "header is not a JSON object"),
        ("e30.bm90IGpzb24.", "payload is not a JSON object"),
        (".e30.", "empty"),
    ];
    for (input, expect) in cases {
        let err = parse(input).unwrap_err().to_string();
        assert!(
            err.to_lowercase().contains(&expect.to_lowercase()),
            "{input:.20}: {err}"
        );
    }
    // Duplicate claims (RFC 7519 §4) and invalid UTF-8.
    let dup = format!("e30.{}.", b64u(br#"{"sub":"a","sub":"b"}"#));
    assert!(parse(&dup).unwrap_err().to_string().contains("duplicate"));
    let bad_utf8 = format!("e30.{}.", b64u(b"{\"sub\":\"\xff\"}"));
    assert!(parse(&bad_utf8).is_err());
    let big = "a".repeat(MAX_TOKEN_LEN + 1);
    assert!(matches!(parse(&big), Err(ParseError::TooLarge(_))));
}

#[test]
fn claim_rules() {
    let rules = ClaimRules {
        now: NOW,
        leeway: 60,
        issuer: Some("https://as.example".into()),
        audience: Some("api".into()),
        require_exp: false,
    };
    let ok = claims();
    assert!(check_claims(ok.as_object().unwrap(), &rules).is_empty());
    let cases = [
        (json!({"exp": NOW - 61}), "expired"),
        (json!({"exp": "1800000000"}), "`exp` is a string"),
        (json!({"exp": 1.8e9}), "whole number"),
        (
            json!({"exp": 18_446_744_073_709_551_615_u64}),
            "out of range",
        ),
        (json!({"nbf": NOW + 3600}), "not valid before"),
        (json!({"iat": NOW + 3600}), "future"),
        (json!({"iss": "https://as.example/"}), "not the expected"),
        (json!({"iss": ["https://as.example"]}), "not a string"),
        (json!({"aud": "other"}), "does not include"),
        (json!({"aud": ["other", 1]}), "does not include"),
        (json!({"aud": 7}), "`aud` is a number"),
        (json!({"sub": 42}), "`sub` is a number"),
    ];
    for (patch, expect) in cases {
        let mut c = ok.as_object().unwrap().clone();
        for (k, v) in patch.as_object().unwrap() {
            c.insert(k.clone(), v.clone());
        }
        let errors = check_claims(&c, &rules);
        assert!(
            errors.iter().any(|e| e.contains(expect)),
            "{patch}: {errors:?}"
        );
    }
    // Within leeway is fine.
    let mut c = ok.as_object().unwrap().clone();
    c.insert("exp".into(), json!(NOW - 30));
    assert!(check_claims(&c, &rules).is_empty());
    // Missing exp only matters when required.
    c.remove("exp");
    assert!(check_claims(&c, &rules).is_empty());
    let strict = ClaimRules {
        require_exp: true,
        ..rules
    };
    assert!(!check_claims(&c, &strict).is_empty());
}

#[test]
fn time_claims_are_described() {
    let c = json!({"exp": NOW + 100, "iat": NOW - 5, "nbf": "x"});
    let t = time_claims(c.as_object().unwrap(), NOW, 60);
    let names: Vec<&str> = t.iter().map(|t| t.name.as_str()).collect();
    assert_eq!(names, ["iat", "nbf", "exp"]);
    assert_eq!(t[2].state, TimeState::ExpiringSoon);
    assert_eq!(t[2].relative, "expires in 1m 40s");
    assert_eq!(t[1].state, TimeState::Invalid);
}

proptest! {
    // F1: no panic on any input; errors or a parsed token.
    #[test]
    fn parser_never_panics(s in ".{0,400}") {
        let _ = parse(&s);
    }

    #[test]
    fn parser_never_panics_on_token_like_input(
        a in "[A-Za-z0-9_=+/-]{0,60}", b in "[A-Za-z0-9_-]{0,60}", c in "[A-Za-z0-9_.-]{0,60}"
    ) {
        let _ = parse(&format!("{a}.{b}.{c}"));
    }

    // F2: never Ok when a time claim has the wrong JSON type.
    #[test]
    fn wrong_typed_times_never_pass(v in prop_oneof![
        any::<String>().prop_map(Value::from),
        any::<f64>().prop_filter("non-integral", |f| f.fract() != 0.0).prop_map(Value::from),
        any::<bool>().prop_map(Value::from),
        Just(Value::Null),
        Just(json!([1])),
    ], name in prop_oneof![Just("exp"), Just("nbf"), Just("iat")]) {
        let mut c = Map::new();
        c.insert(name.to_owned(), v);
        let rules = ClaimRules { now: NOW, leeway: 60, ..ClaimRules::default() };
        prop_assert!(!check_claims(&c, &rules).is_empty());
    }
}
