//! `oauthctl login` where the provider changes under it or the sign-in goes wrong: key
//! rotation between logins, client authentication spellings, authorization that never comes
//! back, a browser that cannot start, and clocks that disagree (issue #12, group E).

use oauthctl::devserver::{DevConfig, DevServer};
use serde_json::Value;

use crate::support::login::login_as;
use crate::support::{assert_code, home, run};

#[test]
fn a_key_rotation_between_two_logins_within_a_minute_refetches_the_key_set() {
    // OpenID RP test rp-key-rotation-op-sign-key: two logins within a minute, the OP
    // rotates its signing key between them (issue #12, item 10).
    let s = DevServer::start(DevConfig::default()).unwrap();
    let h = home();
    login_as(h.path(), s.issuer(), "alice", "openid api:read");
    assert_eq!(s.hits("/jwks"), 1);
    let new_kid = s.rotate_keys().unwrap();
    let second = login_as(h.path(), s.issuer(), "alice", "openid api:read");
    assert!(second.stderr.contains("as alice"), "{}", second.stderr);
    assert_eq!(s.hits("/jwks"), 2, "exactly one refetch for the new kid");
    let out = run(h.path(), &["decode", "--json", "--id-token"]);
    assert_code(&out, 0);
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["header"]["kid"], new_kid.as_str());
    // A third login with the same key needs no fetch at all.
    login_as(h.path(), s.issuer(), "alice", "openid api:read");
    assert_eq!(s.hits("/jwks"), 2);
}
