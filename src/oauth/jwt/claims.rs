//! Claim checks (RFC 7519 §4.1): NumericDates read strictly, `exp`/`nbf`/`iat` against a
//! clock with leeway, `iss`, `aud` and `sub`; and the time claims described for display.

use serde_json::{Map, Value};

use crate::oauth::strict_json;
use crate::text::time::{iso, relative};

/// The latest NumericDate accepted: 9999-12-31T23:59:59Z.
pub(crate) const MAX_NUMERIC_DATE: i64 = crate::text::time::LATEST;

/// The claims every verification checks, given `now`.
#[derive(Debug, Clone, Default)]
pub(crate) struct ClaimRules {
    pub now: i64,
    pub leeway: i64,
    /// Required exact `iss`.
    pub issuer: Option<String>,
    /// Required member of `aud`.
    pub audience: Option<String>,
    /// Whether `exp` must be present.
    pub require_exp: bool,
}

/// Reads a NumericDate: a JSON integer between 0 and year 9999. Strings, floats, booleans
/// and huge numbers are errors (the CVE-2026-25537 class: never silently ignored).
pub(crate) fn numeric_date(v: &Value) -> Result<i64, String> {
    match v {
        Value::Number(n) => match n.as_i64() {
            Some(t) if (0..=MAX_NUMERIC_DATE).contains(&t) => Ok(t),
            Some(_) => Err("is out of range".to_owned()),
            None if n.is_u64() => Err("is out of range".to_owned()),
            None => Err("is not a whole number of seconds".to_owned()),
        },
        other => Err(format!(
            "is {}, not a NumericDate",
            strict_json::kind(other)
        )),
    }
}

/// Checks `exp`, `nbf`, `iat`, `iss`, `aud` and `sub`; returns every problem found.
pub(crate) fn check_claims(claims: &Map<String, Value>, rules: &ClaimRules) -> Vec<String> {
    let mut errors = Vec::new();
    let time = |name: &str, errors: &mut Vec<String>| -> Option<i64> {
        let v = claims.get(name)?;
        numeric_date(v)
            .map_err(|e| errors.push(format!("`{name}` {e}")))
            .ok()
    };
    match time("exp", &mut errors) {
        Some(exp) if rules.now > exp.saturating_add(rules.leeway) => errors.push(format!(
            "expired {} (beyond the {}s leeway)",
            relative(exp, rules.now),
            rules.leeway
        )),
        None if rules.require_exp && !claims.contains_key("exp") => {
            errors.push("`exp` is missing".to_owned());
        }
        _ => {}
    }
    if let Some(nbf) = time("nbf", &mut errors)
        && rules.now.saturating_add(rules.leeway) < nbf
    {
        errors.push(format!(
            "not valid before {} ({})",
            iso(nbf),
            relative(nbf, rules.now)
        ));
    }
    if let Some(iat) = time("iat", &mut errors)
        && iat > rules.now.saturating_add(rules.leeway)
    {
        errors.push(format!(
            "issued in the future ({})",
            relative(iat, rules.now)
        ));
    }
    if let Some(expected) = &rules.issuer {
        match claims.get("iss") {
            Some(Value::String(iss)) if iss == expected => {}
            Some(Value::String(iss)) => {
                errors.push(format!("issuer `{iss}` is not the expected `{expected}`"));
            }
            Some(other) => errors.push(format!(
                "`iss` is {}, not a string",
                strict_json::kind(other)
            )),
            None => errors.push("`iss` is missing".to_owned()),
        }
    }
    if let Some(expected) = &rules.audience {
        match claims.get("aud") {
            Some(Value::String(aud)) if aud == expected => {}
            Some(Value::Array(auds))
                if auds.iter().all(Value::is_string)
                    && auds.iter().any(|a| a.as_str() == Some(expected)) => {}
            Some(Value::String(_) | Value::Array(_)) => {
                errors.push(format!("audience does not include `{expected}`"));
            }
            Some(other) => errors.push(format!("`aud` is {}", strict_json::kind(other))),
            None => errors.push("`aud` is missing".to_owned()),
        }
    }
    if let Some(sub) = claims.get("sub")
        && !sub.is_string()
    {
        errors.push(format!("`sub` is {}, not a string", strict_json::kind(sub)));
    }
    errors
}

/// The state of a time claim relative to now.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub(crate) enum TimeState {
    /// `exp` in the past (beyond leeway).
    Expired,
    /// `exp` within the next five minutes.
    ExpiringSoon,
    /// `exp` further ahead, or `nbf` passed.
    Valid,
    /// `nbf` in the future, or `iat` in the future.
    NotYetValid,
    /// A past instant (`iat`, `auth_time`).
    Past,
    /// Not a NumericDate.
    Invalid,
}

/// A time claim for display.
#[derive(Debug, Clone, serde::Serialize)]
pub(crate) struct TimeClaim {
    pub name: String,
    pub value: Value,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub iso: Option<String>,
    pub relative: String,
    pub state: TimeState,
}

/// The claims shown as times, in this order.
pub(crate) const TIME_CLAIMS: &[&str] = &["iat", "nbf", "auth_time", "exp", "updated_at"];

/// Describes every time claim present.
pub(crate) fn time_claims(claims: &Map<String, Value>, now: i64, leeway: i64) -> Vec<TimeClaim> {
    TIME_CLAIMS
        .iter()
        .filter_map(|&name| {
            let value = claims.get(name)?;
            Some(match numeric_date(value) {
                Ok(t) => {
                    let state = match name {
                        "exp" if now > t.saturating_add(leeway) => TimeState::Expired,
                        "exp" if t - now <= 300 => TimeState::ExpiringSoon,
                        "nbf" if now.saturating_add(leeway) < t => TimeState::NotYetValid,
                        "exp" | "nbf" => TimeState::Valid,
                        _ if t > now.saturating_add(leeway) => TimeState::NotYetValid,
                        _ => TimeState::Past,
                    };
                    let relative = match name {
                        "exp" if t >= now => format!("expires {}", relative(t, now)),
                        "exp" => format!("expired {}", relative(t, now)),
                        _ => relative(t, now),
                    };
                    TimeClaim {
                        name: name.to_owned(),
                        value: value.clone(),
                        iso: Some(iso(t)),
                        relative,
                        state,
                    }
                }
                Err(e) => TimeClaim {
                    name: name.to_owned(),
                    value: value.clone(),
                    iso: None,
                    relative: format!("invalid: {e}"),
                    state: TimeState::Invalid,
                },
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use serde_json::json;

    const NOW: i64 = 1_800_000_000;

    fn claims() -> Value {
        json!({"iss":"https://as.example","sub":"alice","aud":"api","iat":NOW-10,"exp":NOW+600})
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
        // Never Ok when a time claim has the wrong JSON type.
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
}
