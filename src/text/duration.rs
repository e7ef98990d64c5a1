//! Durations as users write them (design.md §3): humantime forms (`30s`, `5m`, `1h30m`) or
//! plain seconds. Used by the command line, `OAUTHCTL_HTTP_TIMEOUT` and the keyring probe
//! limit alike, so every place reads them the same way.

use std::time::Duration;

/// Parses `30s`, `5m`, `1h30m` (humantime) or plain seconds; the error says what to write.
pub(crate) fn parse(s: &str) -> Result<Duration, String> {
    let s = s.trim();
    if let Ok(secs) = s.parse::<u64>() {
        return Ok(Duration::from_secs(secs));
    }
    humantime::parse_duration(s).map_err(|e| format!("{e} (use e.g. 30s, 5m, 1h30m or seconds)"))
}

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
}
