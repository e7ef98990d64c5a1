//! Signatures, keys and rotation.

use oauthctl::devserver::{DevConfig, DevServer, SigningAlg};
use serde_json::Value;

use super::{active, start, tokens, url};
use crate::support::{get, jwt_parts};

fn verify_with_jwks(s: &DevServer, token: &str) -> Value {
    let jwks: jsonwebtoken::jwk::JwkSet =
        serde_json::from_str(&get(&url(s, "/jwks"), None).text).unwrap();
    let header = jsonwebtoken::decode_header(token).unwrap();
    let jwk = jwks
        .find(header.kid.as_deref().unwrap())
        .expect("kid published");
    let key = jsonwebtoken::DecodingKey::from_jwk(jwk).unwrap();
    let mut v = jsonwebtoken::Validation::new(header.alg);
    v.validate_aud = false;
    v.set_issuer(&[s.issuer()]);
    jsonwebtoken::decode::<Value>(token, &key, &v)
        .unwrap()
        .claims
}

#[test]
fn tokens_verify_against_the_published_keys_es256_and_rs256() {
    for alg in [SigningAlg::Es256, SigningAlg::Rs256] {
        let s = start(DevConfig::auto_approve("alice").with_alg(alg));
        let t = tokens(&s, "openid api:read");
        for token in [&t["access_token"], &t["id_token"]] {
            let token = token.as_str().unwrap();
            assert_eq!(jwt_parts(token).0["alg"], alg.as_str());
            verify_with_jwks(&s, token);
        }
        let discovery = get(&url(&s, "/.well-known/openid-configuration"), None);
        assert_eq!(
            discovery.json["id_token_signing_alg_values_supported"],
            serde_json::json!([alg.as_str()])
        );
    }
}

#[test]
fn key_rotation_publishes_old_and_new_keys() {
    let s = start(DevConfig::auto_approve("alice"));
    let old = tokens(&s, "openid api:read")["access_token"]
        .as_str()
        .unwrap()
        .to_owned();
    let old_kid = s.signing_kid();
    let new_kid = s.rotate_keys().unwrap();
    assert_ne!(old_kid, new_kid);
    let jwks = get(&url(&s, "/jwks"), None).json;
    let kids: Vec<&str> = jwks["keys"]
        .as_array()
        .unwrap()
        .iter()
        .map(|k| k["kid"].as_str().unwrap())
        .collect();
    assert_eq!(kids, vec![new_kid.as_str(), old_kid.as_str()]);
    assert_eq!(
        get(&url(&s, "/api/me"), Some(&old)).status,
        200,
        "old tokens still verify"
    );
    // Access tokens are not kept but verified: the old key still verifies them everywhere.
    assert!(active(&s, &old));
    assert_eq!(get(&url(&s, "/userinfo"), Some(&old)).status, 200);
    let new = tokens(&s, "api:read")["access_token"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(jwt_parts(&new).0["kid"].as_str(), Some(new_kid.as_str()));
    verify_with_jwks(&s, &new);
    // Two more rotations: three keys are published, the first is gone, and so are its
    // tokens.
    s.rotate_keys().unwrap();
    s.rotate_keys().unwrap();
    assert_eq!(get(&url(&s, "/api/me"), Some(&old)).status, 401);
    assert!(!active(&s, &old));
    assert_eq!(get(&url(&s, "/api/me"), Some(&new)).status, 200);
}

#[cfg(unix)]
#[test]
fn key_file_is_created_0600_and_reused() {
    use std::os::unix::fs::PermissionsExt as _;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("serve-key.pem");
    let cfg = || DevConfig {
        key_file: Some(path.clone()),
        ..DevConfig::default()
    };
    let kid = start(cfg()).signing_kid();
    let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o600);
    assert_eq!(
        start(cfg()).signing_kid(),
        kid,
        "the persisted key is reused"
    );
    let rotated = start(DevConfig {
        rotate_key_on_start: true,
        ..cfg()
    });
    assert_ne!(rotated.signing_kid(), kid);
    drop(rotated);
    let s = start(cfg());
    let jwks = get(&url(&s, "/jwks"), None).json;
    assert_eq!(jwks["keys"].as_array().unwrap().len(), 2);
    // No other file was written (state stays in memory).
    let names: Vec<_> = std::fs::read_dir(dir.path()).unwrap().collect();
    assert_eq!(names.len(), 1);
}
