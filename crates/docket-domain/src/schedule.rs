//! Date arithmetic of templates: offsets in minutes…months, step deadlines anchored on the
//! launch or on another step's deadline, and step start dates.
//!
//! Minutes, hours, days and weeks are exact durations (a day is 24 h); months are calendar
//! months in UTC with the day clamped to the month's last day (Jan 31 + 1 month = Feb 28/29).
//! There is no working-day adjustment.

use chrono::{Months, TimeZone, Utc};
use serde_json::{Value, json};

use crate::input::{Fields, coerce_int};
use crate::time::Millis;

/// The unit of an offset.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unit {
    /// 60 s.
    Minutes,
    /// 60 min.
    Hours,
    /// 24 h.
    Days,
    /// 7 days.
    Weeks,
    /// Calendar months, day clamped.
    Months,
}

impl Unit {
    /// Reads a unit: plural or singular, any case.
    pub fn parse(s: &str) -> Option<Unit> {
        Some(match s.trim().to_ascii_lowercase().as_str() {
            "minute" | "minutes" => Unit::Minutes,
            "hour" | "hours" => Unit::Hours,
            "day" | "days" => Unit::Days,
            "week" | "weeks" => Unit::Weeks,
            "month" | "months" => Unit::Months,
            _ => return None,
        })
    }

    /// The emitted (plural) name.
    pub fn as_str(self) -> &'static str {
        match self {
            Unit::Minutes => "minutes",
            Unit::Hours => "hours",
            Unit::Days => "days",
            Unit::Weeks => "weeks",
            Unit::Months => "months",
        }
    }

    fn millis(self) -> i64 {
        const MINUTE: i64 = 60_000;
        match self {
            Unit::Minutes => MINUTE,
            Unit::Hours => 60 * MINUTE,
            Unit::Days => 24 * 60 * MINUTE,
            Unit::Weeks => 7 * 24 * 60 * MINUTE,
            Unit::Months => 0,
        }
    }
}

/// Which way an offset goes from its anchor.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Direction {
    /// After the anchor (`from`).
    From,
    /// Before the anchor (`prior_to`, also read from `before`).
    PriorTo,
}

impl Direction {
    /// Reads an option: `from`, `prior_to` or `before`, any case.
    pub fn parse(s: &str) -> Option<Direction> {
        match s.trim().to_ascii_lowercase().as_str() {
            "from" | "after" => Some(Direction::From),
            "prior_to" | "prior-to" | "priorto" | "before" => Some(Direction::PriorTo),
            _ => None,
        }
    }

    /// The name a step emits.
    pub fn as_str(self) -> &'static str {
        match self {
            Direction::From => "from",
            Direction::PriorTo => "prior_to",
        }
    }
}

/// `at` moved by `value` `unit`s in `direction` (saturating; an impossible month date stays `at`).
pub fn shift(at: Millis, value: i64, unit: Unit, direction: Direction) -> Millis {
    let value = value.max(0);
    if unit == Unit::Months {
        let Some(t) = Utc.timestamp_millis_opt(at).single() else {
            return at;
        };
        let months = Months::new(u32::try_from(value).unwrap_or(u32::MAX));
        let moved = match direction {
            Direction::From => t.checked_add_months(months),
            Direction::PriorTo => t.checked_sub_months(months),
        };
        return moved.map(|t| t.timestamp_millis()).unwrap_or(at);
    }
    let delta = value.saturating_mul(unit.millis());
    match direction {
        Direction::From => at.saturating_add(delta),
        Direction::PriorTo => at.saturating_sub(delta),
    }
}

/// What a step deadline counts from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Anchor {
    /// The run's `started_at`.
    StartRun,
    /// The deadline of the task of this step (in the same run).
    Step(String),
}

/// A step's deadline rule: `value` `unit`s `option` the anchor.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StepDeadline {
    /// How many units (≥ 0).
    pub value: i64,
    /// The unit.
    pub unit: Unit,
    /// After or before the anchor.
    pub option: Direction,
    /// The anchor.
    pub anchor: Anchor,
}

impl StepDeadline {
    /// Reads a stored (already validated) rule; `None` when it is not one.
    pub fn from_json(v: &Value) -> Option<StepDeadline> {
        let o = Fields::new(v.as_object()?);
        let value = coerce_int(o.get("value")?)?;
        let unit = Unit::parse(o.get("unit")?.as_str()?)?;
        let option = match o.get("option") {
            None | Some(Value::Null) => Direction::From,
            Some(v) => Direction::parse(v.as_str()?)?,
        };
        let anchor = match o.get("step").and_then(Value::as_str).map(str::trim) {
            None | Some("") | Some("start_run") => Anchor::StartRun,
            Some(id) => Anchor::Step(id.to_string()),
        };
        Some(StepDeadline {
            value,
            unit,
            option,
            anchor,
        })
    }

    /// The emitted form: every key present.
    pub fn to_json(&self) -> Value {
        let step = match &self.anchor {
            Anchor::StartRun => "start_run",
            Anchor::Step(id) => id.as_str(),
        };
        json!({"value": self.value, "unit": self.unit.as_str(), "option": self.option.as_str(), "step": step})
    }
}

/// A step's start date: `value` `unit`s after the run's start.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StartOffset {
    /// How many units (≥ 0).
    pub value: i64,
    /// The unit.
    pub unit: Unit,
}

impl StartOffset {
    /// Reads a stored (already validated) start date; `None` when it is not one.
    pub fn from_json(v: &Value) -> Option<StartOffset> {
        let o = Fields::new(v.as_object()?);
        Some(StartOffset {
            value: coerce_int(o.get("value")?)?,
            unit: Unit::parse(o.get("unit")?.as_str()?)?,
        })
    }

    /// The start this gives a run started at `start`.
    pub fn after(self, start: Millis) -> Millis {
        shift(start, self.value, self.unit, Direction::From)
    }
}

/// One step as deadline computation needs it.
#[derive(Debug, Clone)]
pub struct DeadlineInput<'a> {
    /// The step id (what other steps anchor on).
    pub step_id: &'a str,
    /// An absolute deadline given at launch; wins over the rule.
    pub fixed: Option<Millis>,
    /// The step's rule, if any.
    pub rule: Option<&'a StepDeadline>,
}

/// The deadline of every step's task, in the order of `steps`, computed in dependency order:
/// a fixed deadline, else the rule counted from its anchor (`start` for `start_run`, else the
/// anchor step's deadline, computed first), else `fallback(start)`. An anchor naming no step of
/// the list, or a loop (which step rules refuse), counts from `start`.
pub fn deadlines(steps: &[DeadlineInput<'_>], start: Millis, fallback: impl Fn(Millis) -> Millis) -> Vec<Millis> {
    let mut out: Vec<Option<Millis>> = vec![None; steps.len()];
    let index = |id: &str| steps.iter().position(|s| s.step_id == id);
    for i in 0..steps.len() {
        // Walk the anchor chain from step i down to a step whose anchor is known, then fill back.
        let mut chain: Vec<usize> = Vec::new();
        let mut cur = Some(i);
        while let Some(k) = cur {
            if out[k].is_some() || chain.contains(&k) {
                break;
            }
            chain.push(k);
            cur = match (steps[k].fixed, steps[k].rule) {
                (
                    None,
                    Some(StepDeadline {
                        anchor: Anchor::Step(id),
                        ..
                    }),
                ) => index(id),
                _ => None,
            };
        }
        for &k in chain.iter().rev() {
            let s = &steps[k];
            let value = match (s.fixed, s.rule) {
                (Some(d), _) => d,
                (None, None) => fallback(start),
                (None, Some(rule)) => {
                    let base = match &rule.anchor {
                        Anchor::StartRun => start,
                        Anchor::Step(id) => index(id).and_then(|j| out[j]).unwrap_or(start),
                    };
                    shift(base, rule.value, rule.unit, rule.option)
                }
            };
            out[k] = Some(value);
        }
    }
    out.into_iter().map(|d| d.unwrap_or(start)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::time::{format_ts, parse_datetime};

    fn at(s: &str) -> Millis {
        parse_datetime(s).unwrap()
    }

    #[test]
    fn units_read_singular_and_plural_and_emit_plural() {
        for (input, unit) in [
            ("minute", Unit::Minutes),
            ("Hours", Unit::Hours),
            ("day", Unit::Days),
            ("WEEK", Unit::Weeks),
            ("months", Unit::Months),
        ] {
            assert_eq!(Unit::parse(input), Some(unit));
        }
        assert_eq!(Unit::parse("year"), None);
        assert_eq!(Unit::parse("day").map(Unit::as_str), Some("days"));
        assert_eq!(Direction::parse("before"), Some(Direction::PriorTo));
        assert_eq!(Direction::parse("prior_to").map(Direction::as_str), Some("prior_to"));
        assert_eq!(Direction::parse("from"), Some(Direction::From));
        assert_eq!(Direction::parse("whenever"), None);
    }

    #[test]
    fn durations_are_exact_and_months_clamp_the_day() {
        let t = at("2025-01-31T10:00:00Z");
        assert_eq!(
            format_ts(shift(t, 90, Unit::Minutes, Direction::From)),
            "2025-01-31T11:30:00.000Z"
        );
        assert_eq!(
            format_ts(shift(t, 2, Unit::Hours, Direction::PriorTo)),
            "2025-01-31T08:00:00.000Z"
        );
        assert_eq!(
            format_ts(shift(t, 1, Unit::Days, Direction::From)),
            "2025-02-01T10:00:00.000Z"
        );
        assert_eq!(
            format_ts(shift(t, 2, Unit::Weeks, Direction::From)),
            "2025-02-14T10:00:00.000Z"
        );
        assert_eq!(
            format_ts(shift(t, 1, Unit::Months, Direction::From)),
            "2025-02-28T10:00:00.000Z"
        );
        let leap = at("2024-01-31T00:00:00Z");
        assert_eq!(
            format_ts(shift(leap, 1, Unit::Months, Direction::From)),
            "2024-02-29T00:00:00.000Z"
        );
        let may = at("2025-05-31T00:00:00Z");
        assert_eq!(
            format_ts(shift(may, 3, Unit::Months, Direction::PriorTo)),
            "2025-02-28T00:00:00.000Z"
        );
        assert_eq!(shift(t, 0, Unit::Months, Direction::From), t);
    }

    #[test]
    fn stored_rules_read_back_with_defaults() {
        let d = StepDeadline::from_json(&json!({"value": 2, "unit": "day", "option": "before"})).unwrap();
        assert_eq!(d.unit, Unit::Days);
        assert_eq!(d.option, Direction::PriorTo);
        assert_eq!(d.anchor, Anchor::StartRun);
        assert_eq!(
            d.to_json(),
            json!({"value": 2, "unit": "days", "option": "prior_to", "step": "start_run"})
        );
        let d = StepDeadline::from_json(&json!({"Value": "3", "unit": "hours", "step": "abc"})).unwrap();
        assert_eq!(
            (d.value, d.option, d.anchor),
            (3, Direction::From, Anchor::Step("abc".into()))
        );
        assert!(StepDeadline::from_json(&json!({"value": 1, "unit": "fortnight"})).is_none());
        assert!(StepDeadline::from_json(&Value::Null).is_none());
        let s = StartOffset::from_json(&json!({"value": 1, "unit": "weeks"})).unwrap();
        assert_eq!(s.after(0), 7 * 86_400_000);
    }

    #[test]
    fn anchored_deadlines_are_computed_after_their_anchors() {
        let start = at("2025-06-02T09:00:00Z");
        let day = |n: i64| StepDeadline {
            value: n,
            unit: Unit::Days,
            option: Direction::From,
            anchor: Anchor::StartRun,
        };
        let on = |id: &str, n: i64| StepDeadline {
            anchor: Anchor::Step(id.into()),
            ..day(n)
        };
        // c (listed first) depends on b, which depends on a.
        let (rc, rb, ra) = (on("b", 1), on("a", 2), day(2));
        let steps = [
            DeadlineInput {
                step_id: "c",
                fixed: None,
                rule: Some(&rc),
            },
            DeadlineInput {
                step_id: "b",
                fixed: None,
                rule: Some(&rb),
            },
            DeadlineInput {
                step_id: "a",
                fixed: None,
                rule: Some(&ra),
            },
            DeadlineInput {
                step_id: "d",
                fixed: None,
                rule: None,
            },
        ];
        let got = deadlines(&steps, start, |s| s + 5);
        let days = |n: i64| start + n * 86_400_000;
        assert_eq!(got, vec![days(5), days(4), days(2), start + 5]);

        // A fixed deadline on the anchor moves its dependents.
        let mut moved = steps.clone();
        moved[2].fixed = Some(days(10));
        assert_eq!(deadlines(&moved, start, |s| s)[..3], [days(13), days(12), days(10)]);

        // A loop or an unknown anchor counts from the start instead of hanging.
        let (x, y, z) = (on("y", 1), on("x", 1), on("gone", 3));
        let looped = [
            DeadlineInput {
                step_id: "x",
                fixed: None,
                rule: Some(&x),
            },
            DeadlineInput {
                step_id: "y",
                fixed: None,
                rule: Some(&y),
            },
            DeadlineInput {
                step_id: "z",
                fixed: None,
                rule: Some(&z),
            },
        ];
        let got = deadlines(&looped, start, |s| s);
        assert_eq!(got[2], days(3));
        assert!(got[0] > start && got[1] > start);
    }
}
