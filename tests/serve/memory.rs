//! What the server keeps: access tokens are self-contained JWTs, not records, so issuing
//! them costs no memory; revocations are remembered until the tokens concerned expire and
//! forgotten then; a token the server did not sign as it signs is refused everywhere
//! (docs/serve.md, "Memory").

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use oauthctl::devserver::{DevConfig, DevServer};
use serde_json::{Value, json};

use super::{active, client_credentials, refresh, start, tokens, url, wide};
use crate::support::{Answer, get, http, jwt_parts, post};

/// `GET /api/me` with `token`: the status and the challenge's `error_description`.
fn at_api(s: &DevServer, token: &str) -> (u16, String) {
    let a = get(&url(s, "/api/me"), Some(token));
    let challenge = a.header("www-authenticate").unwrap_or_default().to_owned();
    (a.status, challenge)
}

fn userinfo_status(s: &DevServer, token: &str) -> u16 {
    get(&url(s, "/userinfo"), Some(token)).status
}

/// Revokes `token` as the public client `oauthctl`.
fn revoke(s: &DevServer, token: &str) -> Answer {
    post(
        &url(s, "/revoke"),
        &[("client_id", "oauthctl"), ("token", token)],
    )
}

/// Sleeps until the Unix second `exp` has passed.
fn sleep_past(exp: u64) {
    let now = SystemTime::now().duration_since(UNIX_EPOCH).unwrap();
    let until = Duration::from_secs(exp + 1);
    if let Some(wait) = until.checked_sub(now) {
        std::thread::sleep(wait + Duration::from_millis(100));
    }
}

fn exp_of(token: &str) -> u64 {
    jwt_parts(token).1["exp"].as_u64().unwrap()
}

#[test]
fn issuing_access_tokens_keeps_no_record() {
    let s = start(DevConfig::default().with_rate_limit(0));
    assert_eq!(client_credentials(&s, "api:read").status, 200);
    let before = s.store_sizes();
    let client = http(); // one keep-alive connection
    let mut last = String::new();
    for _ in 0..2_000 {
        let a = Answer::from(
            client
                .post(url(&s, "/token"))
                .basic_auth("demo-service", Some("demo-secret"))
                .form(&[("grant_type", "client_credentials"), ("scope", "api:read")])
                .send()
                .unwrap(),
        );
        assert_eq!(a.status, 200, "{}", a.text);
        a.json["access_token"]
            .as_str()
            .unwrap()
            .clone_into(&mut last);
    }
    // Before access tokens were self-contained, each of them stayed until it expired.
    assert_eq!(s.store_sizes(), before);
    // They are honoured without a record: at the API and at introspection.
    assert_eq!(at_api(&s, &last).0, 200);
    let claims = jwt_parts(&last).1;
    assert_eq!(claims["client_id"], "demo-service");
    assert!(claims.get("grant_id").is_none() && claims.get("username").is_none());
    assert!(active(&s, &last));
}

#[test]
fn a_revoked_access_token_is_refused_everywhere_until_it_expires() {
    let s = start(wide(
        DevConfig::auto_approve("alice").with_access_token_ttl(Duration::from_secs(6)),
    ));
    let t = tokens(&s, "openid offline_access api:read");
    let at = t["access_token"].as_str().unwrap();
    let rt = t["refresh_token"].as_str().unwrap();
    let claims = jwt_parts(at).1;
    assert_eq!(claims["username"], "alice");
    assert!(claims["grant_id"].as_u64().is_some_and(|g| g > 0));
    assert_eq!(at_api(&s, at).0, 200);
    assert_eq!(userinfo_status(&s, at), 200);
    assert!(active(&s, at));
    // Another client cannot revoke it.
    let foreign = post(
        &url(&s, "/revoke"),
        &[("client_id", "other-cli"), ("token", at)],
    );
    assert_eq!(foreign.status, 200);
    assert!(active(&s, at));
    assert_eq!(s.store_sizes().revoked_access_tokens, 0);

    assert_eq!(revoke(&s, at).status, 200);
    let (status, challenge) = at_api(&s, at);
    assert_eq!(status, 401);
    assert!(challenge.contains("the token was revoked"), "{challenge}");
    assert_eq!(userinfo_status(&s, at), 401);
    assert_eq!(
        super::introspect_as(&s, ("demo-service", Some("demo-secret")), at),
        json!({"active": false})
    );
    assert_eq!(s.store_sizes().revoked_access_tokens, 1);
    // Revoking it again remembers it once.
    assert_eq!(revoke(&s, at).status, 200);
    assert_eq!(s.store_sizes().revoked_access_tokens, 1);
    // The grant stands: its refresh token still works, and the new access token too.
    let again = refresh(&s, rt);
    assert_eq!(again.status, 200, "{}", again.text);
    let at2 = again.json["access_token"].as_str().unwrap();
    assert_eq!(at_api(&s, at2).0, 200);
    assert!(active(&s, at2));

    // Once the token has expired the entry is forgotten (pruned at the next request that
    // stores something), and the token is refused as expired.
    sleep_past(exp_of(at));
    assert_eq!(revoke(&s, "not-a-token").status, 200);
    assert_eq!(s.store_sizes().revoked_access_tokens, 0);
    let (status, challenge) = at_api(&s, at);
    assert_eq!(status, 401);
    assert!(challenge.contains("the token expired"), "{challenge}");
    assert!(!active(&s, at));
}

#[test]
fn a_revoked_refresh_token_kills_its_grants_access_tokens() {
    let s = start(DevConfig::auto_approve("alice").with_access_token_ttl(Duration::from_secs(6)));
    let t = tokens(&s, "openid offline_access api:read");
    let first = t["access_token"].as_str().unwrap().to_owned();
    let rt = t["refresh_token"].as_str().unwrap();
    let refreshed = refresh(&s, rt);
    assert_eq!(refreshed.status, 200, "{}", refreshed.text);
    let second = refreshed.json["access_token"].as_str().unwrap().to_owned();
    let rt2 = refreshed.json["refresh_token"].as_str().unwrap();
    let grant = jwt_parts(&first).1["grant_id"].clone();
    assert_eq!(jwt_parts(&second).1["grant_id"], grant, "the same grant");
    // Another grant of the same user and client.
    let other = tokens(&s, "openid offline_access api:read");
    let other_at = other["access_token"].as_str().unwrap();
    assert_ne!(jwt_parts(other_at).1["grant_id"], grant);
    assert_eq!(s.store_sizes().grants, 2);

    assert_eq!(revoke(&s, rt2).status, 200);
    for at in [&first, &second] {
        let (status, challenge) = at_api(&s, at);
        assert_eq!(status, 401);
        assert!(challenge.contains("the token was revoked"), "{challenge}");
        assert_eq!(userinfo_status(&s, at), 401);
        assert!(!active(&s, at));
    }
    assert!(!active(&s, rt2));
    assert_eq!(refresh(&s, rt2).json["error"], "invalid_grant");
    // The other grant stands.
    assert_eq!(at_api(&s, other_at).0, 200);
    assert!(active(&s, other_at));
    let sizes = s.store_sizes();
    assert_eq!((sizes.revoked_grants, sizes.revoked_access_tokens), (1, 0));

    // The grant stays on the list as long as an access token of it can be valid.
    sleep_past(exp_of(&second));
    assert_eq!(revoke(&s, "not-a-token").status, 200);
    assert_eq!(s.store_sizes().revoked_grants, 0);
    let (status, challenge) = at_api(&s, &second);
    assert_eq!(status, 401);
    assert!(challenge.contains("the token expired"), "{challenge}");
}

/// `token` with its header replaced by `header` (the payload and signature kept).
fn with_header(token: &str, header: &Value) -> String {
    let mut parts = token.splitn(2, '.');
    let _ = parts.next();
    let rest = parts.next().unwrap();
    format!("{}.{rest}", URL_SAFE_NO_PAD.encode(header.to_string()))
}

#[test]
fn tokens_not_signed_by_this_server_for_it_are_refused_everywhere() {
    let dir = tempfile::tempdir().unwrap();
    let key_file = dir.path().join("keys.pem");
    let with_key = || DevConfig {
        key_file: Some(key_file.clone()),
        ..DevConfig::auto_approve("alice")
    };
    let s = start(with_key());
    // Another server with the same key: same kid, valid signature, another issuer.
    let twin = start(with_key());
    let stranger = start(DevConfig::auto_approve("alice"));
    let good = tokens(&s, "openid api:read")["access_token"]
        .as_str()
        .unwrap()
        .to_owned();
    let (header, claims) = jwt_parts(&good);
    let kid = header["kid"].as_str().unwrap();
    let other_issuer = tokens(&twin, "openid api:read")["access_token"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(jwt_parts(&other_issuer).0["kid"], kid);
    let other_key = tokens(&stranger, "openid api:read")["access_token"]
        .as_str()
        .unwrap()
        .to_owned();
    // The good token's header and claims with the other server's signature.
    let (head_and_claims, _) = good.rsplit_once('.').unwrap();
    let (_, foreign_signature) = other_key.rsplit_once('.').unwrap();
    let resigned = format!("{head_and_claims}.{foreign_signature}");
    // Unsigned, and HMAC-signed with a guessable secret, under this server's kid.
    let unsigned = with_header(
        &format!("{head_and_claims}."),
        &json!({"alg": "none", "typ": "at+jwt", "kid": kid}),
    );
    let mut hs = jsonwebtoken::Header::new(jsonwebtoken::Algorithm::HS256);
    hs.typ = Some("at+jwt".into());
    hs.kid = Some(kid.to_owned());
    let hmac = jsonwebtoken::encode(
        &hs,
        &claims,
        &jsonwebtoken::EncodingKey::from_secret(b"a guessable secret, 32 bytes long").unwrap(),
    )
    .unwrap();
    // An ID token is not an access token.
    let not_access = with_header(
        &good,
        &json!({"alg": header["alg"], "typ": "JWT", "kid": kid}),
    );

    assert_eq!(at_api(&s, &good).0, 200);
    assert_eq!(userinfo_status(&s, &good), 200);
    assert!(active(&s, &good));
    for (case, token, why) in [
        ("another issuer", &other_issuer, "wrong issuer"),
        ("another key", &other_key, "unknown signing key"),
        ("signed by another key", &resigned, "bad signature"),
        ("alg none", &unsigned, "malformed token"),
        ("HS256 under the kid", &hmac, "invalid token"),
        ("typ JWT", &not_access, "typ must be at+jwt"),
    ] {
        let (status, challenge) = at_api(&s, token);
        assert_eq!(status, 401, "{case}");
        assert!(challenge.contains(why), "{case}: {challenge}");
        assert_eq!(userinfo_status(&s, token), 401, "{case}");
        assert!(!active(&s, token), "{case}");
        // Revoking it is a no-op, not an entry on the denylist.
        assert_eq!(revoke(&s, token).status, 200, "{case}");
    }
    assert_eq!(s.store_sizes().revoked_access_tokens, 0);
}

#[test]
fn full_revocation_lists_refuse_rather_than_forget() {
    let s = start(DevConfig::auto_approve("alice"));
    let t = tokens(&s, "openid offline_access api:read");
    let at = t["access_token"].as_str().unwrap();
    let rt = t["refresh_token"].as_str().unwrap();
    let (code, verifier) = super::code_for(&s, "openid api:read", None);
    s.fill_revocation_lists(Duration::from_secs(4));
    let full = s.store_sizes();
    assert_eq!(
        (full.revoked_access_tokens, full.revoked_grants),
        (100_000, 10_000)
    );
    // RFC 7009 §2.2.1: 503, and the client must assume the token still exists. It does.
    let refused = revoke(&s, at);
    assert_eq!(refused.status, 503, "{}", refused.text);
    assert_eq!(refused.json["error"], "temporarily_unavailable");
    let retry: u64 = refused.header("retry-after").unwrap().parse().unwrap();
    assert!((1..=4).contains(&retry), "{retry}");
    assert_eq!(at_api(&s, at).0, 200);
    assert!(active(&s, at));
    // No new grant while the revoked-grants list is full...
    let redeemed = super::redeem(&s, &code, &verifier);
    assert_eq!(redeemed.status, 503, "{}", redeemed.text);
    assert_eq!(redeemed.json["error"], "temporarily_unavailable");
    // ...but a grant is still revoked (that is never refused).
    assert_eq!(revoke(&s, rt).status, 200);
    assert!(!active(&s, at) && !active(&s, rt));
    assert_eq!(s.store_sizes().revoked_grants, 10_001);
    // Once the entries have expired, both work again.
    std::thread::sleep(Duration::from_millis(5_100));
    let t = tokens(&s, "openid offline_access api:read");
    let at = t["access_token"].as_str().unwrap();
    assert_eq!(revoke(&s, at).status, 200);
    assert!(!active(&s, at));
    let sizes = s.store_sizes();
    assert_eq!((sizes.revoked_access_tokens, sizes.revoked_grants), (1, 1));
}
