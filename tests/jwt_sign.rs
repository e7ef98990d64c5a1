//! `jwt sign`: test tokens that `decode --verify` and an independent verifier (PyJWT, what a
//! flask-jwt-extended app runs) accept, signed with a secret from the environment or a PEM
//! private key.

use std::path::Path;
use std::process::Command;

use oauthctl::oauth::jose::{SigningAlg, SigningKey};
use serde_json::Value;

use crate::support::{assert_code, feed, home, jwt_parts, oauthctl, stderr, stdout};

const SECRET: &str = "a-test-secret-of-sixty-four-bytes-for-hs512-0123456789abcdefghij";

fn sign(home: &Path, args: &[&str]) -> String {
    let out = oauthctl(home)
        .args(["jwt", "sign"])
        .args(args)
        .env("JWT_SECRET_KEY", SECRET)
        .output()
        .unwrap();
    assert_code(&out, 0);
    assert!(!stderr(&out).contains(SECRET));
    let token = stdout(&out);
    assert!(
        token.ends_with('\n') && token.matches('.').count() == 2,
        "{token}"
    );
    token.trim().to_owned()
}

fn verify(home: &Path, token: &str, key_args: &[&str]) -> Value {
    let out = oauthctl(home)
        .args(["decode", "--verify", "--json", "--audience", "api"])
        .args(key_args)
        .arg(token)
        .env("JWT_SECRET_KEY", SECRET)
        .output()
        .unwrap();
    assert_code(&out, 0);
    let doc: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(doc["verified"], true, "{doc}");
    doc
}

#[test]
fn hmac_tokens_verify_with_the_same_secret() {
    let h = home();
    for alg in ["HS256", "HS384", "HS512"] {
        let token = sign(
            h.path(),
            &[
                "--secret-env",
                "JWT_SECRET_KEY",
                "--alg",
                alg,
                "--sub",
                "alice",
                "--aud",
                "api",
            ],
        );
        let doc = verify(h.path(), &token, &["--secret-env", "JWT_SECRET_KEY"]);
        assert_eq!(doc["header"]["alg"], alg);
        assert_eq!(doc["header"]["typ"], "JWT");
        let claims = &doc["claims"];
        assert_eq!(claims["sub"], "alice");
        let (iat, exp) = (
            claims["iat"].as_i64().unwrap(),
            claims["exp"].as_i64().unwrap(),
        );
        assert_eq!(exp - iat, 15 * 60, "the default lifetime");
        assert!((iat - crate::support::now()).abs() < 60);
        assert_eq!(claims["jti"].as_str().map(str::len), Some(32));
    }
    // Another secret does not verify it (exit 6).
    let token = sign(
        h.path(),
        &["--secret-env", "JWT_SECRET_KEY", "--aud", "api"],
    );
    let out = oauthctl(h.path())
        .args(["decode", "--verify", "--secret-env", "OTHER", &token])
        .env("OTHER", "another secret, also long enough for hs256")
        .output()
        .unwrap();
    assert_code(&out, 6);
}

#[test]
fn private_key_tokens_verify_with_the_public_key() {
    let h = home();
    for (alg, pick) in [
        (SigningAlg::Rs256, None),
        (SigningAlg::Ps256, Some("PS256")),
        (SigningAlg::Es256, None),
        (SigningAlg::Es384, None),
        (SigningAlg::EdDsa, None),
    ] {
        let key = SigningKey::generate(alg).unwrap();
        let private = h.path().join("private.pem");
        let public = h.path().join("public.pem");
        std::fs::write(&private, key.private_pem()).unwrap();
        std::fs::write(&public, key.public_pem()).unwrap();
        let mut args = vec![
            "--key",
            private.to_str().unwrap(),
            "--aud",
            "api",
            "--kid",
            "k1",
        ];
        if let Some(a) = pick {
            args.extend(["--alg", a]);
        }
        args.extend([
            "--typ",
            "at+jwt",
            "--iss",
            "https://as.example",
            "--no-jti",
            "--exp",
            "1h",
        ]);
        args.push(r#"{"roles": ["admin"], "sub": "bob"}"#);
        let token = sign(h.path(), &args);
        let doc = verify(h.path(), &token, &["--key", public.to_str().unwrap()]);
        assert_eq!(doc["header"]["alg"], alg.as_str());
        assert_eq!(doc["header"]["kid"], "k1");
        assert_eq!(doc["header"]["typ"], "at+jwt");
        let claims = &doc["claims"];
        assert_eq!(claims["roles"][0], "admin");
        assert_eq!(
            (&claims["sub"], &claims["iss"]),
            (&"bob".into(), &"https://as.example".into())
        );
        assert!(claims.get("jti").is_none());
        assert_eq!(
            claims["exp"].as_i64().unwrap() - claims["iat"].as_i64().unwrap(),
            3600
        );
    }
}

#[test]
fn claims_come_from_a_file_or_standard_input() {
    let h = home();
    let file = h.path().join("claims.json");
    std::fs::write(&file, r#"{"sub": "carol", "exp": 4102444800}"#).unwrap();
    let token = sign(
        h.path(),
        &[
            "--secret-env",
            "JWT_SECRET_KEY",
            &format!("@{}", file.display()),
            "--no-iat",
        ],
    );
    let (header, claims) = jwt_parts(&token);
    assert_eq!(header["alg"], "HS256");
    assert_eq!(claims["sub"], "carol");
    assert_eq!(claims["exp"], 4_102_444_800_i64, "a given exp is kept");
    assert!(claims.get("iat").is_none());
    let out = feed(
        oauthctl(h.path())
            .args([
                "jwt",
                "sign",
                "--secret-env",
                "JWT_SECRET_KEY",
                "-",
                "--no-exp",
            ])
            .env("JWT_SECRET_KEY", SECRET),
        r#"{"sub": "dave", "fresh": false}"#,
    );
    assert_code(&out, 0);
    let (_, claims) = jwt_parts(stdout(&out).trim());
    assert_eq!(
        (&claims["sub"], &claims["fresh"]),
        (&"dave".into(), &false.into())
    );
    assert!(claims.get("exp").is_none());
}

#[test]
fn bad_input_is_one_line_with_a_hint() {
    let h = home();
    let run = |args: &[&str]| {
        oauthctl(h.path())
            .args(["jwt", "sign"])
            .args(args)
            .env("JWT_SECRET_KEY", SECRET)
            .env("SHORT", "short")
            .output()
            .unwrap()
    };
    for (args, code, says) in [
        (
            &["--secret-env", "JWT_SECRET_KEY", "[1]"][..],
            2,
            "not a JSON object",
        ),
        (
            &["--secret-env", "JWT_SECRET_KEY", "{"][..],
            2,
            "not valid JSON",
        ),
        (&["--secret-env", "UNSET_VAR"][..], 7, "not set or empty"),
        (
            &["--secret-env", "JWT_SECRET_KEY", "--alg", "ES256"][..],
            2,
            "not a secret",
        ),
        (
            &["--secret-env", "JWT_SECRET_KEY", "--alg", "none"][..],
            2,
            "not supported",
        ),
        (
            &["--key", "/nonexistent/key.pem"][..],
            1,
            "cannot read --key",
        ),
        (&["{}"][..], 2, "--key"),
    ] {
        let out = run(args);
        assert_code(&out, code);
        assert!(stderr(&out).contains(says), "{args:?}: {}", stderr(&out));
        assert!(out.stdout.is_empty());
    }
    // A public key is not a private key (exit 7); a short secret signs with a warning.
    let key = SigningKey::generate(SigningAlg::Es256).unwrap();
    let public = h.path().join("public.pem");
    std::fs::write(&public, key.public_pem()).unwrap();
    let out = run(&["--key", public.to_str().unwrap()]);
    assert_code(&out, 7);
    assert!(
        stderr(&out).contains("no private key found"),
        "{}",
        stderr(&out)
    );
    let out = run(&["--secret-env", "SHORT"]);
    assert_code(&out, 0);
    assert!(
        stderr(&out).contains("has 5 bytes; HS256 wants at least 32"),
        "{}",
        stderr(&out)
    );
    assert!(!stderr(&out).contains("short\n"));
}

/// The check a flask-jwt-extended API makes, in PyJWT (which it runs on).
const PYJWT: &str = r#"
import json, sys, jwt
token, key_file, alg = sys.argv[1], sys.argv[2], sys.argv[3]
key = open(key_file).read()
claims = jwt.decode(token, key, algorithms=[alg], audience="api",
                    options={"require": ["exp", "iat", "sub", "jti"]})
print(json.dumps({"claims": claims, "header": jwt.get_unverified_header(token)}))
"#;

fn pyjwt(token: &str, key_file: &Path, alg: &str) -> Value {
    let out = Command::new("python3")
        .args(["-c", PYJWT, token, key_file.to_str().unwrap(), alg])
        .output()
        .expect("python3");
    assert!(
        out.status.success(),
        "PyJWT refused the token: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

#[test]
#[ignore = "needs PyJWT[crypto] (scripts/install-test-deps.sh); run with --include-ignored"]
fn pyjwt_accepts_the_tokens() {
    let h = home();
    // HS256, as flask-jwt-extended's default JWT_SECRET_KEY setup checks it.
    let secret_file = h.path().join("secret");
    std::fs::write(&secret_file, SECRET).unwrap();
    for alg in ["HS256", "HS384", "HS512"] {
        let token = sign(
            h.path(),
            &[
                "--secret-env",
                "JWT_SECRET_KEY",
                "--alg",
                alg,
                "--sub",
                "alice",
                "--aud",
                "api",
                r#"{"type": "access", "fresh": false}"#,
            ],
        );
        let doc = pyjwt(&token, &secret_file, alg);
        assert_eq!(doc["claims"]["sub"], "alice");
        assert_eq!(doc["claims"]["type"], "access");
        assert_eq!(doc["header"]["alg"], alg);
    }
    // Private keys: PyJWT verifies with the public key in PEM.
    for alg in [
        SigningAlg::Rs256,
        SigningAlg::Ps256,
        SigningAlg::Es256,
        SigningAlg::Es384,
        SigningAlg::EdDsa,
    ] {
        let key = SigningKey::generate(alg).unwrap();
        let private = h.path().join("private.pem");
        let public = h.path().join("public.pem");
        std::fs::write(&private, key.private_pem()).unwrap();
        std::fs::write(&public, key.public_pem()).unwrap();
        let token = sign(
            h.path(),
            &[
                "--key",
                private.to_str().unwrap(),
                "--alg",
                alg.as_str(),
                "--sub",
                "bob",
                "--aud",
                "api",
                "--kid",
                "k1",
            ],
        );
        let doc = pyjwt(&token, &public, alg.as_str());
        assert_eq!(doc["claims"]["sub"], "bob", "{alg}");
        assert_eq!(doc["header"]["kid"], "k1", "{alg}");
    }
    // The fixture RSA key in PKCS#1 form signs too.
    let pkcs1 = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/rsa-pkcs1.pem");
    let key = SigningKey::from_pem(&std::fs::read_to_string(&pkcs1).unwrap(), None).unwrap();
    let public = h.path().join("rsa-public.pem");
    std::fs::write(&public, key.public_pem()).unwrap();
    let token = sign(
        h.path(),
        &[
            "--key",
            pkcs1.to_str().unwrap(),
            "--sub",
            "x",
            "--aud",
            "api",
        ],
    );
    assert_eq!(pyjwt(&token, &public, "RS256")["claims"]["sub"], "x");
}
