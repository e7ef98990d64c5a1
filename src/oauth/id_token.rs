//! ID token validation, OpenID Connect Core §3.1.3.7 and §12.2, on top of [`super::jwt`]:
//! exact `iss`, `aud` naming this client and no one else, `azp`, required `sub`, `exp` and
//! `iat`, the `nonce` of this flow, the right kind of JWT (RFC 8725 §3.11), and after a
//! refresh the same `iss`, `sub`, `aud`, `azp` and `auth_time` as before. Pure.

use jsonwebtoken::Algorithm;
use serde_json::{Map, Value};

use super::discovery::issuer_matches;
use super::jwt::{self, ClaimRules, Jws};
use super::secret::Nonce;
use super::strict_json::kind;

/// The clock skew allowed for an ID token's `exp`, `nbf` and `iat` unless `login --leeway`
/// says otherwise (the same default as `decode --leeway`).
pub(crate) const DEFAULT_LEEWAY: i64 = 60;

/// What the ID token must satisfy.
#[derive(Debug, Clone, Default)]
pub(crate) struct IdTokenRules {
    pub issuer: String,
    pub client_id: String,
    /// The nonce sent in the authorization request.
    pub nonce: Option<Nonce>,
    pub now: i64,
    pub leeway: i64,
    /// Allowed signature algorithms (never empty, never `none`).
    pub algs: Vec<Algorithm>,
    /// Entra ID multi-tenant issuer placeholder.
    pub tenant_placeholder: Option<&'static str>,
    /// The claims of the ID token this one replaces (refresh).
    pub previous: Option<Map<String, Value>>,
}

/// Algorithms to accept: the provider's advertised ones without `none` (and without HS*,
/// which would need the client secret), else RS256 (OIDC §3.1.3.7 (7)).
pub(crate) fn allowed_algs(advertised: Option<&[String]>) -> Vec<Algorithm> {
    let mut algs: Vec<Algorithm> = advertised
        .unwrap_or_default()
        .iter()
        .filter_map(|a| a.parse::<Algorithm>().ok())
        .filter(|a| !matches!(a, Algorithm::HS256 | Algorithm::HS384 | Algorithm::HS512))
        .collect();
    if algs.is_empty() {
        algs.push(Algorithm::RS256);
    }
    algs
}

/// Why an ID token was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("the ID token is not valid: {message}")]
pub(crate) struct IdTokenError {
    pub message: String,
    /// Set when only its times (`exp`, `nbf`, `iat`) are out of bounds: the leeway, in
    /// seconds, that would have accepted it. A fresh token failing this way means the
    /// clocks of this computer and the provider disagree.
    pub skew: Option<i64>,
}

impl IdTokenError {
    fn new(message: String) -> Self {
        Self {
            message,
            skew: None,
        }
    }
}

/// The leeway that would accept `claims`, when nothing but their time bounds fails
/// under `rules`.
fn needed_leeway(claims: &Map<String, Value>, rules: &ClaimRules) -> Option<i64> {
    let unbounded = ClaimRules {
        leeway: jwt::MAX_NUMERIC_DATE,
        ..rules.clone()
    };
    if !jwt::check_claims(claims, &unbounded).is_empty() {
        return None;
    }
    let at = |name: &str| claims.get(name).and_then(|v| jwt::numeric_date(v).ok());
    let now = rules.now;
    [
        at("iat").map(|iat| iat - now),
        at("nbf").map(|nbf| nbf - now),
        at("exp").map(|exp| now - exp),
    ]
    .into_iter()
    .flatten()
    .max()
    .filter(|&needed| needed > rules.leeway)
}

/// Validates claims and kind; the signature is checked by `flow::id_check`.
pub(crate) fn check_claims(jws: &Jws, rules: &IdTokenRules) -> Result<(), IdTokenError> {
    let fail = |m: String| Err(IdTokenError::new(m));
    let c = &jws.claims;
    if let Some(typ) = jws.header.get("typ").and_then(Value::as_str) {
        let t = typ.to_ascii_lowercase();
        if t != "jwt" && t != "application/jwt" {
            return fail(format!("its `typ` is `{typ}`: this is not an ID token"));
        }
    }
    if c.contains_key("events") {
        return fail("it carries `events`: this is a logout or security event token".into());
    }
    match c.get("iss") {
        Some(Value::String(iss))
            if issuer_matches(iss, &rules.issuer, rules.tenant_placeholder) => {}
        Some(Value::String(iss)) => {
            return fail(format!("its issuer `{iss}` is not `{}`", rules.issuer));
        }
        Some(other) => return fail(format!("`iss` is {}, not a string", kind(other))),
        None => return fail("`iss` is missing".into()),
    }
    let auds: Vec<&str> = match c.get("aud") {
        Some(Value::String(a)) => vec![a.as_str()],
        Some(Value::Array(a)) if !a.is_empty() && a.iter().all(Value::is_string) => {
            a.iter().filter_map(Value::as_str).collect()
        }
        Some(other) => return fail(format!("`aud` is {}", kind(other))),
        None => return fail("`aud` is missing".into()),
    };
    if !auds.contains(&rules.client_id.as_str()) {
        return fail(format!(
            "its audience does not include this client `{}`",
            rules.client_id
        ));
    }
    if auds.iter().any(|a| *a != rules.client_id) {
        return fail(
            "its audience names other parties too; it is not meant for this client alone".into(),
        );
    }
    match c.get("azp") {
        None if auds.len() > 1 => return fail("several audiences but no `azp`".into()),
        None => {}
        Some(Value::String(azp)) if *azp == rules.client_id => {}
        Some(other) => return fail(format!("`azp` {other} is not this client")),
    }
    match c.get("sub") {
        Some(Value::String(s)) if !s.is_empty() => {}
        Some(Value::String(_)) | None => return fail("`sub` is missing".into()),
        Some(other) => return fail(format!("`sub` is {}, not a string", kind(other))),
    }
    if !c.contains_key("iat") {
        return fail("`iat` is missing".into());
    }
    let times = ClaimRules {
        now: rules.now,
        leeway: rules.leeway,
        issuer: None,
        audience: None,
        require_exp: true,
    };
    if let Some(message) = jwt::check_claims(c, &times).into_iter().next() {
        return Err(IdTokenError {
            message,
            skew: needed_leeway(c, &times),
        });
    }
    if let Some(t) = c.get("auth_time") {
        jwt::numeric_date(t).map_err(|e| IdTokenError::new(format!("`auth_time` {e}")))?;
    }
    if let Some(expected) = &rules.nonce {
        match c.get("nonce") {
            Some(Value::String(n)) if expected.matches(n) => {}
            Some(_) => {
                return fail("its `nonce` is not the one this sign-in sent (replay?)".into());
            }
            None => return fail("it has no `nonce`, but one was sent".into()),
        }
    }
    if let Some(prev) = &rules.previous {
        for name in ["iss", "sub", "aud", "azp", "auth_time"] {
            let (old, new) = (prev.get(name), c.get(name));
            let must_match = name != "auth_time" || (old.is_some() && new.is_some());
            if must_match && old != new {
                return fail(format!(
                    "after the refresh its `{name}` differs from the original ID token"
                ));
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::{Fixture, sign_with};
    use serde_json::json;

    /// Checks the signature with `keys` under the rules' algorithms, then the claims.
    fn verify(
        jws: &Jws,
        keys: &[jwt::VerificationKey],
        rules: &IdTokenRules,
    ) -> Result<(), IdTokenError> {
        jwt::verify_signature(jws, keys, &rules.algs)
            .map_err(|e| IdTokenError::new(e.to_string()))?;
        check_claims(jws, rules)
    }

    const NOW: i64 = 1_800_000_000;

    fn rules() -> IdTokenRules {
        IdTokenRules {
            issuer: "https://as.example".into(),
            client_id: "cli".into(),
            nonce: Some("n-1".into()),
            now: NOW,
            leeway: 60,
            algs: vec![Algorithm::ES256],
            ..IdTokenRules::default()
        }
    }

    fn good() -> Value {
        json!({"iss":"https://as.example","sub":"alice","aud":"cli","iat":NOW,"exp":NOW+300,"nonce":"n-1","auth_time":NOW-10})
    }

    fn patched(patch: &Value) -> Value {
        let mut c = good();
        for (k, v) in patch.as_object().unwrap() {
            if v.is_null() {
                c.as_object_mut().unwrap().remove(k);
            } else {
                c[k] = v.clone();
            }
        }
        c
    }

    #[test]
    fn the_rp_certification_negatives() {
        let f = Fixture::new();
        let keys = jwt::parse_jwks(&f.jwks()).unwrap().keys;
        let sign = |claims: &Value, header: Value| {
            jwt::parse(&sign_with(&header, claims, &f.ec, Algorithm::ES256)).unwrap()
        };
        let hdr = || json!({"alg":"ES256","kid":"ec1"});
        assert!(verify(&sign(&good(), hdr()), &keys, &rules()).is_ok());
        let cases = [
            (json!({"iss":"https://as.example/"}), "issuer"),
            (json!({"iss":["https://as.example"]}), "not a string"),
            (json!({"aud":"other"}), "does not include"),
            (json!({"aud":["cli","other"],"azp":"cli"}), "other parties"),
            (json!({"aud":["cli","cli2"]}), "other parties"),
            (json!({"azp":"other"}), "is not this client"),
            (json!({"sub":null}), "`sub` is missing"),
            (json!({"sub":7}), "not a string"),
            (json!({"iat":null}), "`iat` is missing"),
            (json!({"iat":NOW+3600}), "future"),
            (json!({"exp":null}), "`exp` is missing"),
            (json!({"exp":NOW-3600}), "expired"),
            (json!({"exp":"1800000300"}), "string"),
            (json!({"nonce":"other"}), "nonce"),
            (json!({"nonce":null}), "no `nonce`"),
            (json!({"events":{}}), "events"),
            (json!({"auth_time":"x"}), "auth_time"),
        ];
        for (patch, expect) in cases {
            let e = verify(&sign(&patched(&patch), hdr()), &keys, &rules()).unwrap_err();
            assert!(e.to_string().contains(expect), "{patch}: {e}");
        }
        let e = verify(
            &sign(&good(), json!({"alg":"ES256","kid":"ec1","typ":"at+jwt"})),
            &keys,
            &rules(),
        )
        .unwrap_err();
        assert!(e.to_string().contains("at+jwt"), "{e}");
        // RS256 is not in the allowlist here.
        let rs = jwt::parse(&sign_with(
            &json!({"alg":"RS256","kid":"rsa1"}),
            &good(),
            &f.rsa,
            Algorithm::RS256,
        ))
        .unwrap();
        assert!(
            verify(&rs, &keys, &rules())
                .unwrap_err()
                .to_string()
                .contains("allowed")
        );
    }

    #[test]
    fn refreshed_id_tokens_must_describe_the_same_login() {
        let f = Fixture::new();
        let keys = jwt::parse_jwks(&f.jwks()).unwrap().keys;
        let prev = good().as_object().unwrap().clone();
        let r = IdTokenRules {
            nonce: None,
            previous: Some(prev),
            ..rules()
        };
        let sign = |c: &Value| {
            jwt::parse(&sign_with(
                &json!({"alg":"ES256","kid":"ec1"}),
                c,
                &f.ec,
                Algorithm::ES256,
            ))
            .unwrap()
        };
        assert!(
            verify(
                &sign(&patched(&json!({"nonce":null,"iat":NOW+1}))),
                &keys,
                &r
            )
            .is_ok()
        );
        let e = verify(&sign(&patched(&json!({"sub":"mallory"}))), &keys, &r).unwrap_err();
        assert!(e.to_string().contains("`sub` differs"), "{e}");
        let e = verify(&sign(&patched(&json!({"auth_time":NOW}))), &keys, &r).unwrap_err();
        assert!(e.to_string().contains("auth_time"), "{e}");
    }

    #[test]
    fn only_time_failures_report_the_leeway_that_would_accept_them() {
        let f = Fixture::new();
        let keys = jwt::parse_jwks(&f.jwks()).unwrap().keys;
        let sign = |c: &Value| {
            jwt::parse(&sign_with(
                &json!({"alg":"ES256","kid":"ec1"}),
                c,
                &f.ec,
                Algorithm::ES256,
            ))
            .unwrap()
        };
        // Issued 5 minutes in the future: the clocks disagree by about that much.
        let e = verify(&sign(&patched(&json!({"iat": NOW + 300}))), &keys, &rules()).unwrap_err();
        assert!(e.message.contains("issued in the future"), "{e}");
        assert_eq!(e.skew, Some(300));
        let e = verify(
            &sign(&patched(&json!({"exp": NOW - 1000}))),
            &keys,
            &rules(),
        )
        .unwrap_err();
        assert_eq!(e.skew, Some(1000));
        // A wrong type or another claim failing too is not a clock problem.
        let e = verify(
            &sign(&patched(&json!({"iat": NOW + 300, "exp": "x"}))),
            &keys,
            &rules(),
        )
        .unwrap_err();
        assert_eq!(e.skew, None);
        let e = verify(&sign(&patched(&json!({"nonce": "other"}))), &keys, &rules()).unwrap_err();
        assert_eq!(e.skew, None);
        // Within a larger leeway the same token is accepted.
        let lenient = IdTokenRules {
            leeway: 301,
            ..rules()
        };
        assert!(verify(&sign(&patched(&json!({"iat": NOW + 300}))), &keys, &lenient).is_ok());
    }

    #[test]
    fn allowlist_defaults() {
        assert_eq!(allowed_algs(None), vec![Algorithm::RS256]);
        let adv = vec!["none".to_owned(), "HS256".to_owned(), "ES256".to_owned()];
        assert_eq!(allowed_algs(Some(&adv)), vec![Algorithm::ES256]);
    }
}
