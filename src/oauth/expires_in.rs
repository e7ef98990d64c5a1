//! A token response's `expires_in` (RFC 6749 §5.1), read safely: what real servers send is
//! tolerated, nothing overflows. Shared by the token response parser and the token set.

/// The longest lifetime accepted from `expires_in` (ten years). Larger values, including
/// `u64::MAX`, are clamped to this so that `now + expires_in` can never overflow.
pub const MAX_EXPIRES_IN: u64 = 10 * 365 * 24 * 60 * 60;

/// A token response's `expires_in` that cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ExpiresInError {
    /// Zero is allowed; a negative lifetime is not.
    #[error("`expires_in` is negative")]
    Negative,
    /// A string that is not a number, a NaN, a boolean, an array or an object.
    #[error("`expires_in` is not a number of seconds")]
    NotANumber,
}

/// Reads `expires_in` (RFC 6749 §5.1) as whole seconds, tolerating what real servers send:
/// integers, floats (truncated), and numeric strings. Values above [`MAX_EXPIRES_IN`]
/// (`u64::MAX`, `2^63`, `1e309` = infinity) are clamped; negative values and non-numbers
/// are rejected. `null` means absent.
pub fn expires_in_seconds(value: &serde_json::Value) -> Result<Option<u64>, ExpiresInError> {
    use serde_json::Value;
    match value {
        Value::Null => Ok(None),
        Value::Number(n) => {
            if let Some(u) = n.as_u64() {
                Ok(Some(u.min(MAX_EXPIRES_IN)))
            } else if n.as_i64().is_some() {
                Err(ExpiresInError::Negative)
            } else {
                n.as_f64()
                    .map_or(Err(ExpiresInError::NotANumber), |f| from_float(f).map(Some))
            }
        }
        Value::String(s) => parse_expires_in_str(s).map(Some),
        Value::Bool(_) | Value::Array(_) | Value::Object(_) => Err(ExpiresInError::NotANumber),
    }
}

/// Reads `expires_in` given as text (`"3600"`, `" 3600 "`, `"3600.5"`, `"1e309"`).
pub fn parse_expires_in_str(text: &str) -> Result<u64, ExpiresInError> {
    let t = text.trim();
    if t.is_empty() {
        return Err(ExpiresInError::NotANumber);
    }
    let digits = t.strip_prefix('+').unwrap_or(t);
    if !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit()) {
        // All digits: any length, clamped (a 40-digit number must not fail).
        return Ok(digits
            .parse::<u64>()
            .map_or(MAX_EXPIRES_IN, |u| u.min(MAX_EXPIRES_IN)));
    }
    if let Some(d) = t.strip_prefix('-')
        && !d.is_empty()
        && d.bytes().all(|b| b.is_ascii_digit())
    {
        return Err(ExpiresInError::Negative);
    }
    // Only plain decimal/exponent notation; Rust's parser would also take "inf" and "NaN".
    if !t
        .bytes()
        .all(|b| b.is_ascii_digit() || matches!(b, b'.' | b'e' | b'E' | b'+' | b'-'))
    {
        return Err(ExpiresInError::NotANumber);
    }
    t.parse::<f64>()
        .map_err(|_| ExpiresInError::NotANumber)
        .and_then(from_float)
}

/// [`MAX_EXPIRES_IN`] as a float (exactly representable: it is far below 2^53).
const MAX_EXPIRES_IN_F64: f64 = 315_360_000.0;

fn from_float(f: f64) -> Result<u64, ExpiresInError> {
    if f.is_nan() {
        Err(ExpiresInError::NotANumber)
    } else if f < 0.0 {
        Err(ExpiresInError::Negative)
    } else if f >= MAX_EXPIRES_IN_F64 {
        Ok(MAX_EXPIRES_IN)
    } else {
        // In range [0, MAX_EXPIRES_IN): truncation toward zero is the intent.
        #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
        Ok(f as u64)
    }
}

/// The absolute expiry for a lifetime of `expires_in` seconds received at `now`.
pub fn expiry_from(now: i64, expires_in: u64) -> i64 {
    let secs = i64::try_from(expires_in.min(MAX_EXPIRES_IN)).unwrap_or(i64::MAX);
    now.saturating_add(secs)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn expires_in_conversion_table() {
        let max = Ok(Some(MAX_EXPIRES_IN));
        let cases: Vec<(serde_json::Value, Result<Option<u64>, ExpiresInError>)> = vec![
            (json!(3600), Ok(Some(3600))),
            (json!(0), Ok(Some(0))),
            (json!("3600"), Ok(Some(3600))),
            (json!(" 3600 "), Ok(Some(3600))),
            (json!("+3600"), Ok(Some(3600))),
            (json!(3600.9), Ok(Some(3600))),
            (json!("3600.5"), Ok(Some(3600))),
            (json!(-1), Err(ExpiresInError::Negative)),
            (json!("-1"), Err(ExpiresInError::Negative)),
            (json!(-0.5), Err(ExpiresInError::Negative)),
            (json!(i64::MIN), Err(ExpiresInError::Negative)),
            (json!(u64::MAX), max.clone()), // 18446744073709551615
            (json!(1u64 << 63), max.clone()),
            (json!("18446744073709551615"), max.clone()),
            (json!("9223372036854775808"), max.clone()),
            (json!("99999999999999999999999999999999999999"), max.clone()),
            (json!("1e309"), max.clone()),
            (json!(1e300), max.clone()),
            (json!(f64::MAX), max.clone()),
            (json!("inf"), Err(ExpiresInError::NotANumber)),
            (json!("NaN"), Err(ExpiresInError::NotANumber)),
            (json!("abc"), Err(ExpiresInError::NotANumber)),
            (json!(""), Err(ExpiresInError::NotANumber)),
            (json!("-"), Err(ExpiresInError::NotANumber)),
            (json!(true), Err(ExpiresInError::NotANumber)),
            (json!([1]), Err(ExpiresInError::NotANumber)),
            (json!({"s": 1}), Err(ExpiresInError::NotANumber)),
            (serde_json::Value::Null, Ok(None)),
        ];
        for (input, want) in cases {
            assert_eq!(expires_in_seconds(&input), want, "input {input}");
        }
        // `1e309` as a JSON number does not survive serde_json's parser (out of range), so
        // the response parser rejects it before us; as a float it is infinity: clamped.
        assert_eq!(from_float(f64::INFINITY), Ok(MAX_EXPIRES_IN));
        assert_eq!(from_float(f64::NEG_INFINITY), Err(ExpiresInError::Negative));
        assert_eq!(from_float(f64::NAN), Err(ExpiresInError::NotANumber));
    }

    #[test]
    #[allow(clippy::cast_precision_loss, clippy::float_cmp)]
    fn float_limit_matches() {
        assert_eq!(MAX_EXPIRES_IN_F64, MAX_EXPIRES_IN as f64);
    }

    #[test]
    fn expiry_from_never_overflows() {
        assert_eq!(expiry_from(100, 3600), 3700);
        assert_eq!(expiry_from(i64::MAX - 1, u64::MAX), i64::MAX);
        assert_eq!(
            expiry_from(0, u64::MAX),
            i64::try_from(MAX_EXPIRES_IN).unwrap()
        );
    }
}
