//! Deadline arithmetic of rules: an anchor moved by value·unit, forwards (`from`) or backwards
//! (`before`/`prior_to`). Minutes to weeks are exact durations; months are calendar months in
//! UTC with the day clamped to the month's last day (Jan 31 + 1 month = Feb 28/29).

use chrono::{DateTime, Months, TimeZone, Utc};

use crate::time::Millis;

/// The emitted (plural) unit of an accepted spelling (singular or plural, lower-case).
pub fn unit(raw: &str) -> Option<&'static str> {
    match raw.trim().to_ascii_lowercase().as_str() {
        "minute" | "minutes" => Some("minutes"),
        "hour" | "hours" => Some("hours"),
        "day" | "days" => Some("days"),
        "week" | "weeks" => Some("weeks"),
        "month" | "months" => Some("months"),
        _ => None,
    }
}

/// `anchor` moved by `value` `unit`s; backwards when `before`. `None` when the unit is unknown
/// or the result leaves the representable range.
pub fn shift(anchor: Millis, value: i64, unit_name: &str, before: bool) -> Option<Millis> {
    let step: i64 = match unit(unit_name)? {
        "minutes" => 60_000,
        "hours" => 3_600_000,
        "days" => 86_400_000,
        "weeks" => 7 * 86_400_000,
        _ => return shift_months(anchor, value, before),
    };
    let delta = value.checked_mul(step)?;
    if before {
        anchor.checked_sub(delta)
    } else {
        anchor.checked_add(delta)
    }
}

fn shift_months(anchor: Millis, value: i64, before: bool) -> Option<Millis> {
    let at: DateTime<Utc> = Utc.timestamp_millis_opt(anchor).single()?;
    let months = Months::new(u32::try_from(value).ok()?);
    // chrono clamps the day to the last day of the target month.
    let moved = if before {
        at.checked_sub_months(months)?
    } else {
        at.checked_add_months(months)?
    };
    Some(moved.timestamp_millis())
}
