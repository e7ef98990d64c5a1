use super::*;

fn verify(jwt: &str, key: &SigningKey) -> Value {
    let mut v = jsonwebtoken::Validation::new(key.alg().algorithm());
    v.validate_aud = false;
    v.required_spec_claims.clear();
    jsonwebtoken::decode::<Value>(jwt, key.decoding(), &v)
        .unwrap()
        .claims
}

fn header(jwt: &str) -> Value {
    serde_json::from_slice(
        &URL_SAFE_NO_PAD
            .decode(jwt.split('.').next().unwrap())
            .unwrap(),
    )
    .unwrap()
}

#[test]
fn every_algorithm_signs_and_verifies() {
    for alg in SigningAlg::ALL {
        let key = SigningKey::generate(alg).unwrap();
        let jwt = key.sign("JWT", &json!({"sub": "x"})).unwrap();
        assert_eq!(verify(&jwt, &key)["sub"], "x", "{alg}");
        let h = header(&jwt);
        assert_eq!(h["alg"], alg.as_str());
        assert_eq!(h["kid"], key.kid());
        assert_eq!(key.jwk()["alg"], alg.as_str());
        // The PEM round trip keeps the key (and so the thumbprint).
        let again = SigningKey::from_pem(&key.private_pem(), Some(alg)).unwrap();
        assert_eq!(again.kid(), key.kid());
        assert_eq!(
            verify(&again.sign("JWT", &json!({})).unwrap(), &key),
            json!({})
        );
    }
}

#[test]
fn a_key_signs_only_algorithms_of_its_kind() {
    let rsa = SigningKey::generate(SigningAlg::Rs256).unwrap();
    let pss = SigningKey::from_pem(&rsa.private_pem(), Some(SigningAlg::Ps256)).unwrap();
    assert_eq!(pss.alg(), SigningAlg::Ps256);
    assert_eq!(
        verify(&pss.sign("JWT", &json!({"a": 1})).unwrap(), &pss)["a"],
        1
    );
    assert!(matches!(
        SigningKey::from_pem(&rsa.private_pem(), Some(SigningAlg::Es256)),
        Err(KeyError::WrongAlg { kind: "RSA", .. })
    ));
    let ec = SigningKey::generate(SigningAlg::Es256).unwrap();
    assert!(SigningKey::from_pem(&ec.private_pem(), Some(SigningAlg::EdDsa)).is_err());
    assert_eq!(
        SigningKey::from_pem(&ec.private_pem(), None).unwrap().alg(),
        SigningAlg::Es256
    );
}

#[test]
fn a_dpop_style_header_carries_the_bare_public_key() {
    let key = SigningKey::generate(SigningAlg::Es256).unwrap();
    let jwt = key
        .sign_with_jwk("dpop+jwt", &json!({"htm": "GET"}))
        .unwrap();
    let h = header(&jwt);
    assert_eq!(h["typ"], "dpop+jwt");
    assert!(h.get("kid").is_none());
    assert_eq!(&h["jwk"], key.bare_jwk());
    assert!(h["jwk"].get("d").is_none());
    assert_eq!(thumbprint(&h["jwk"]).as_deref(), Some(key.thumbprint()));
}

#[test]
fn rfc7638_example_thumbprint() {
    // RFC 7638 §3.1.
    let jwk = json!({
        "kty": "RSA",
        "n": "0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_BJECPebWKRXjBZCiFV4n3oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_FDW2QvzqY368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajrn1n91CbOpbISD08qNLyrdkt-bFTWhAI4vMQFh6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8awapJzKnqDKgw",
        "e": "AQAB",
        "alg": "RS256",
        "kid": "2011-04-29"
    });
    assert_eq!(
        thumbprint(&jwk).as_deref(),
        Some("NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs")
    );
    assert_eq!(thumbprint(&json!({"kty": "oct", "k": "x"})), None);
    assert_eq!(thumbprint(&json!({"kty": "EC", "crv": 1})), None);
}

#[test]
fn openssl_key_formats_are_read() {
    let ec = SigningKey::generate(SigningAlg::Es256).unwrap();
    // SEC1 `EC PRIVATE KEY`, as `openssl ecparam -genkey` writes it (with the
    // parameters block before it).
    let pair = EcdsaKeyPair::from_pkcs8(&ECDSA_P256_SHA256_FIXED_SIGNING, &ec.pkcs8).unwrap();
    let sec1 = pair.private_key().as_der().unwrap();
    let text = format!(
        "-----BEGIN EC PARAMETERS-----\nBggqhkjOPQMBBw==\n-----END EC PARAMETERS-----\n{}",
        pem_block("EC PRIVATE KEY", sec1.as_ref())
    );
    assert_eq!(SigningKey::from_pem(&text, None).unwrap().kid(), ec.kid());
    // PKCS#1 `RSA PRIVATE KEY` (`openssl genrsa -traditional`) and the same key as
    // PKCS#8 (`openssl pkcs8 -topk8`): one key, one thumbprint.
    let pkcs1 =
        SigningKey::from_pem(include_str!("../../../tests/fixtures/rsa-pkcs1.pem"), None).unwrap();
    let pkcs8 =
        SigningKey::from_pem(include_str!("../../../tests/fixtures/rsa-pkcs8.pem"), None).unwrap();
    assert_eq!(pkcs1.kid(), pkcs8.kid());
    assert_eq!(pkcs1.alg(), SigningAlg::Rs256);
    assert_eq!(
        verify(&pkcs1.sign("JWT", &json!({})).unwrap(), &pkcs8),
        json!({})
    );
}

#[test]
fn bad_pem_is_a_clear_error_that_quotes_nothing() {
    assert_eq!(
        SigningKey::from_pem("hello", None).unwrap_err(),
        KeyError::NoKey
    );
    assert_eq!(
        SigningKey::from_pem(
            "-----BEGIN PRIVATE KEY-----\n!!!\n-----END PRIVATE KEY-----\n",
            None
        )
        .unwrap_err(),
        KeyError::BadPem
    );
    assert_eq!(
        SigningKey::from_pem("-----BEGIN PRIVATE KEY-----\nAAAA\n", None).unwrap_err(),
        KeyError::BadPem
    );
    assert_eq!(
        SigningKey::from_pem(
            "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n",
            None
        )
        .unwrap_err(),
        KeyError::Unsupported
    );
    let public = SigningKey::generate(SigningAlg::Es256).unwrap();
    assert_eq!(
        SigningKey::from_pem(public.public_pem(), None).unwrap_err(),
        KeyError::NoKey
    );
    let encrypted = "-----BEGIN RSA PRIVATE KEY-----\nProc-Type: 4,ENCRYPTED\nDEK-Info: AES-128-CBC,00\n\nAAAA\n-----END RSA PRIVATE KEY-----\n";
    assert_eq!(
        SigningKey::from_pem(encrypted, None).unwrap_err(),
        KeyError::Unsupported
    );
}

#[test]
fn hs256_matches_jsonwebtoken() {
    let jwt = sign_hs256(
        b"0123456789abcdef0123456789abcdef",
        "JWT",
        &json!({"sub": "c"}),
    )
    .unwrap();
    let mut v = jsonwebtoken::Validation::new(Algorithm::HS256);
    v.validate_aud = false;
    v.required_spec_claims.clear();
    let key = DecodingKey::from_secret(b"0123456789abcdef0123456789abcdef").unwrap();
    assert_eq!(
        jsonwebtoken::decode::<Value>(&jwt, &key, &v)
            .unwrap()
            .claims["sub"],
        "c"
    );
}

#[test]
fn first_supported_keeps_the_servers_order() {
    assert_eq!(
        SigningAlg::first_supported(["HS256", "EdDSA", "ES256"]),
        Some(SigningAlg::EdDsa)
    );
    assert_eq!(SigningAlg::first_supported(["none", "HS256"]), None);
}
