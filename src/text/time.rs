//! Instants and spans for people: `in 4m 12s`, `3h 5m ago`, `2d 1h`, RFC 3339 UTC.

/// The latest instant shown: 9999-12-31T23:59:59Z, the last second a four-digit year can
/// write (the JWT NumericDate bound uses it too).
pub(crate) const LATEST: i64 = 253_402_300_799;

/// RFC 3339 UTC, seconds precision.
pub(crate) fn iso(t: i64) -> String {
    let secs = u64::try_from(t.clamp(0, LATEST)).unwrap_or(0);
    humantime::format_rfc3339_seconds(std::time::UNIX_EPOCH + std::time::Duration::from_secs(secs))
        .to_string()
}

/// "in 4m 12s" / "3h 5m ago" / "now".
pub(crate) fn relative(t: i64, now: i64) -> String {
    let delta = t.saturating_sub(now);
    if delta == 0 {
        return "now".to_owned();
    }
    let span = short_duration(delta.unsigned_abs());
    if delta > 0 {
        format!("in {span}")
    } else {
        format!("{span} ago")
    }
}

/// The two largest units of a duration: `4m 12s`, `3h 5m`, `2d 1h`.
pub(crate) fn short_duration(secs: u64) -> String {
    let units = [(86_400, "d"), (3_600, "h"), (60, "m"), (1, "s")];
    let mut parts = Vec::new();
    let mut rest = secs;
    for (size, name) in units {
        if rest >= size || (parts.is_empty() && size == 1) {
            parts.push(format!("{}{name}", rest / size));
            rest %= size;
        }
        if parts.len() == 2 || (!parts.is_empty() && rest == 0) {
            break;
        }
    }
    parts.join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    const NOW: i64 = 1_800_000_000;

    #[test]
    fn times_are_humanized() {
        assert_eq!(relative(NOW + 252, NOW), "in 4m 12s");
        assert_eq!(relative(NOW - 3 * 3600, NOW), "3h ago");
        assert_eq!(relative(NOW - 3 * 3600 - 300, NOW), "3h 5m ago");
        assert_eq!(relative(NOW, NOW), "now");
        assert_eq!(short_duration(0), "0s");
        assert_eq!(short_duration(90_061), "1d 1h");
        assert_eq!(iso(0), "1970-01-01T00:00:00Z");
    }
}
