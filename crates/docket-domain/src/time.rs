//! Timestamps: stored as UTC epoch milliseconds, emitted as `YYYY-MM-DDTHH:MM:SS.mmmZ`, and
//! read from every input form of spec §1.6.

use chrono::{DateTime, NaiveDate, NaiveDateTime, NaiveTime, TimeZone, Utc};

/// Milliseconds since the Unix epoch, UTC: the one stored form of every timestamp, so that both
/// backends order and compare them as plain integers.
pub type Millis = i64;

/// Renders a stored timestamp in the emitted format of spec §1.6.
pub fn format_ts(ms: Millis) -> String {
    match Utc.timestamp_millis_opt(ms).single() {
        Some(t) => t.format("%Y-%m-%dT%H:%M:%S%.3fZ").to_string(),
        None => String::from("1970-01-01T00:00:00.000Z"),
    }
}

/// Renders an optional stored timestamp: `None` stays `None` (JSON `null`).
pub fn format_opt(ms: Option<Millis>) -> Option<String> {
    ms.map(format_ts)
}

/// The current wall-clock time in milliseconds.
pub fn now_ms() -> Millis {
    Utc::now().timestamp_millis()
}

/// Parses a date-time in any input form of spec §1.6; naive values are UTC. Returns `None` for
/// anything else.
pub fn parse_datetime(input: &str) -> Option<Millis> {
    let s = input.trim();
    if s.is_empty() {
        return None;
    }
    if let Ok(t) = DateTime::parse_from_rfc3339(s) {
        return Some(t.timestamp_millis());
    }
    // ISO 8601 with an offset but without seconds or with a lower-case separator.
    for fmt in ["%Y-%m-%dT%H:%M%:z", "%Y-%m-%d %H:%M:%S%:z", "%Y-%m-%d %H:%M:%S%.f%:z"] {
        if let Ok(t) = DateTime::parse_from_str(s, fmt) {
            return Some(t.timestamp_millis());
        }
    }
    let naive = s.strip_suffix('Z').unwrap_or(s);
    for fmt in [
        "%Y-%m-%dT%H:%M:%S%.f",
        "%Y-%m-%dT%H:%M",
        "%Y-%m-%d %H:%M:%S%.f",
        "%Y-%m-%d %H:%M",
    ] {
        if let Ok(t) = NaiveDateTime::parse_from_str(naive, fmt) {
            return Some(t.and_utc().timestamp_millis());
        }
    }
    parse_date(s).map(start_of_day)
}

/// Parses a strict `YYYY-MM-DD` date.
pub fn parse_date(input: &str) -> Option<NaiveDate> {
    let s = input.trim();
    if s.len() != 10 {
        return None;
    }
    NaiveDate::parse_from_str(s, "%Y-%m-%d").ok()
}

/// 00:00:00.000 UTC of `day`, in milliseconds.
pub fn start_of_day(day: NaiveDate) -> Millis {
    day.and_time(NaiveTime::MIN).and_utc().timestamp_millis()
}

/// 23:59:59.999 UTC of `day`, in milliseconds.
pub fn end_of_day(day: NaiveDate) -> Millis {
    start_of_day(day) + 86_400_000 - 1
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> Millis {
        parse_datetime(s).unwrap_or_else(|| panic!("{s} should parse"))
    }

    #[test]
    fn every_input_form_of_the_spec_parses_to_utc() {
        let expected = at("2024-07-15T17:00:00Z");
        assert_eq!(format_ts(expected), "2024-07-15T17:00:00.000Z");
        assert_eq!(at("2024-07-15T19:00:00+02:00"), expected);
        assert_eq!(at("2024-07-15T17:00:00"), expected);
        assert_eq!(at("2024-07-15 17:00:00"), expected);
        assert_eq!(at("2024-07-15 17:00"), expected);
        assert_eq!(at("2024-07-15T17:00:00.128Z") - expected, 128);
        assert_eq!(format_ts(at("2024-07-15")), "2024-07-15T00:00:00.000Z");
    }

    #[test]
    fn malformed_dates_are_refused() {
        for bad in [
            "",
            "tomorrow",
            "2024-13-01",
            "15/07/2024",
            "2024-07-15T25:00:00Z",
            "2024-7-5",
        ] {
            assert!(parse_datetime(bad).is_none(), "{bad} should not parse");
        }
    }

    #[test]
    fn day_bounds_cover_the_whole_utc_day() {
        let day = parse_date("2025-01-31").expect("valid date");
        assert_eq!(format_ts(start_of_day(day)), "2025-01-31T00:00:00.000Z");
        assert_eq!(format_ts(end_of_day(day)), "2025-01-31T23:59:59.999Z");
    }
}
