//! Durations as users write them: humantime forms (`30s`, `5m`, `1h30m`) or plain seconds.
//! Used by the command line, `OAUTHCTL_HTTP_TIMEOUT` and the keyring probe limit alike, so
//! every place reads them the same way.

use std::time::Duration;

/// Parses `30s`, `5m`, `1h30m` (humantime) or plain seconds; the error says what to write.
pub(crate) fn parse(s: &str) -> Result<Duration, String> {
    let s = s.trim();
    if let Ok(secs) = s.parse::<u64>() {
        return Ok(Duration::from_secs(secs));
    }
    humantime::parse_duration(s).map_err(|e| format!("{e} (use e.g. 30s, 5m, 1h30m or seconds)"))
}

/// Parses a signed duration, as a number of seconds: an optional `+` or `-` before what
/// [`parse`] reads (`-1h`, `+30m`, `90`, `-1h30m`). Used for clock offsets.
pub(crate) fn parse_signed(s: &str) -> Result<i64, String> {
    let s = s.trim();
    let (negative, rest) = match s.as_bytes().first() {
        Some(b'-') => (true, &s[1..]),
        Some(b'+') => (false, &s[1..]),
        _ => (false, s),
    };
    if rest.starts_with(['+', '-']) {
        return Err("one sign at most (use e.g. -1h, +30m or 90)".to_owned());
    }
    let secs = parse(rest)?.as_secs();
    let secs = i64::try_from(secs)
        .ok()
        .filter(|s| *s <= MAX_SIGNED_SECS)
        .ok_or_else(|| "too large (at most 100 years)".to_owned())?;
    Ok(if negative { -secs } else { secs })
}

/// The largest signed duration [`parse_signed`] accepts: about 100 years.
pub(crate) const MAX_SIGNED_SECS: i64 = 100 * 366 * 24 * 3600;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_accept_humantime_and_seconds() {
        assert_eq!(parse("90").unwrap(), Duration::from_secs(90));
        assert_eq!(parse(" 90 ").unwrap(), Duration::from_secs(90));
        assert_eq!(parse("1h30m").unwrap(), Duration::from_secs(5400));
        assert_eq!(parse("5m").unwrap(), Duration::from_secs(300));
        let e = parse("soon").unwrap_err();
        assert!(e.contains("use e.g. 30s"), "{e}");
    }

    #[test]
    fn signed_durations_take_one_optional_sign() {
        assert_eq!(parse_signed("-1h").unwrap(), -3600);
        assert_eq!(parse_signed("+30m").unwrap(), 1800);
        assert_eq!(parse_signed("90").unwrap(), 90);
        assert_eq!(parse_signed(" -1h30m ").unwrap(), -5400);
        assert_eq!(parse_signed("-0s").unwrap(), 0);
        assert!(parse_signed("--1h").unwrap_err().contains("one sign"));
        assert!(parse_signed("+-1h").unwrap_err().contains("one sign"));
        assert!(parse_signed("-").is_err());
        assert!(parse_signed("-soon").unwrap_err().contains("use e.g."));
        assert!(parse_signed("1000years").unwrap_err().contains("too large"));
    }
}
