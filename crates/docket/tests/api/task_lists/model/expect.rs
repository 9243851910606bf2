//! The model's answer: the ids (in order) and total a case must list, per the filters, sorts and
//! visibility rules.

use super::*;

/// The expected ids (in order) and total of `case` per §4.0.
pub(super) fn expect(model: &Model, case: &Case) -> (Vec<String>, i64, i64) {
    let get = |k: &str| {
        case.params
            .iter()
            .rev()
            .find(|(key, _)| *key == k)
            .map(|(_, v)| v.as_str())
    };
    let list = |k: &str| -> Vec<String> {
        get(k)
            .map(|v| {
                v.split(',')
                    .map(str::trim)
                    .filter(|s| !s.is_empty())
                    .map(str::to_string)
                    .collect()
            })
            .unwrap_or_default()
    };
    let (viewer, admin) = case.caller;
    let mut out: Vec<&ModelTask> = model
        .tasks
        .iter()
        .filter(|t| admin || !t.secret || model.assigned_member(t, viewer))
        .filter(|t| match &case.scope {
            Some(Scope::Member(u)) => model.assigned_member(t, *u),
            Some(Scope::Guest(e)) => model.assigned_guest(t, e),
            None => true,
        })
        .filter(|t| match get("archived") {
            Some("true") => true,
            Some("only") => model.archived(t),
            _ => !model.archived(t),
        })
        .filter(|t| {
            let words = match get("status") {
                None if case.scope.is_some() => vec!["active".to_string()],
                None => vec![],
                Some(_) => list("status"),
            };
            words.is_empty() || words.iter().any(|w| w == "all") || words.iter().any(|w| model.condition(t, w))
        })
        .filter(|t| {
            let owners: Vec<i64> = list("owners").iter().map(|s| s.parse().expect("owner")).collect();
            owners.is_empty() || owners.iter().any(|u| model.assigned_member(t, *u))
        })
        .filter(|t| {
            let guests = list("guests");
            guests.is_empty() || guests.iter().any(|g| model.assigned_guest(t, &g.to_lowercase()))
        })
        .filter(|t| {
            let groups = list("groups");
            groups.is_empty() || t.groups.iter().any(|g| groups.contains(&model.groups[*g].0))
        })
        .filter(|t| {
            get("unassigned") != Some("true") || (t.users.is_empty() && t.guests.is_empty() && t.groups.is_empty())
        })
        .filter(|t| match get("q") {
            None => true,
            Some(q) => {
                let q = q.to_lowercase();
                t.title.to_lowercase().contains(&q)
                    || t.run.is_some_and(|r| model.runs[r].name.to_lowercase().contains(&q))
            }
        })
        .filter(|t| match get("tag") {
            None => true,
            Some(tag) => {
                let carries =
                    |i: &usize| model.tags[*i].0 == tag || model.tags[*i].1.to_lowercase() == tag.to_lowercase();
                t.tags.iter().any(carries) || t.run.is_some_and(|r| model.runs[r].tags.iter().any(carries))
            }
        })
        .filter(|_| get("is_oneoff") != Some("false"))
        .filter(|t| match get("created") {
            None => true,
            Some(v) => {
                let (a, b) = v.split_once(':').unwrap_or((v, v));
                parse_day(a) <= t.created && t.created < parse_day(b) + DAY
            }
        })
        .filter(|t| {
            if let Some(on) = get("deadline_on") {
                return parse_day(on) <= t.deadline && t.deadline < parse_day(on) + DAY;
            }
            let dt = |s: &str| docket_domain::time::parse_datetime(s).expect("date-time");
            get("deadline_start_range").is_none_or(|v| t.deadline >= if v.len() == 10 { parse_day(v) } else { dt(v) })
                && get("deadline_end_range")
                    .is_none_or(|v| t.deadline <= if v.len() == 10 { parse_day(v) + DAY - 1 } else { dt(v) })
                && get("deadline_before").is_none_or(|v| t.deadline < parse_day(v))
                && get("deadline_after").is_none_or(|v| t.deadline >= parse_day(v) + DAY)
        })
        .collect();
    let sort = get("sort").unwrap_or("deadline");
    let key_cmp = |a: &&ModelTask, b: &&ModelTask| -> std::cmp::Ordering {
        use std::cmp::Ordering;
        let primary = match sort {
            "deadline" => a.deadline.cmp(&b.deadline),
            "-deadline" => b.deadline.cmp(&a.deadline),
            "newest" | "-created_at" => b.created.cmp(&a.created),
            "oldest" | "created_at" => a.created.cmp(&b.created),
            "completed_newest" => match (a.completed, b.completed) {
                (Some(x), Some(y)) => y.cmp(&x),
                (Some(_), None) => Ordering::Less,
                (None, Some(_)) => Ordering::Greater,
                (None, None) => Ordering::Equal,
            },
            "problems" => b.problem.cmp(&a.problem).then(a.deadline.cmp(&b.deadline)),
            "position" => a.position.cmp(&b.position),
            "-position" => b.position.cmp(&a.position),
            "title" => a.title.to_lowercase().cmp(&b.title.to_lowercase()),
            "-title" => b.title.to_lowercase().cmp(&a.title.to_lowercase()),
            other => panic!("no sort {other}"),
        };
        let tie = if matches!(sort, "newest" | "-created_at") {
            b.inc.cmp(&a.inc)
        } else {
            a.inc.cmp(&b.inc)
        };
        primary.then(tie)
    };
    out.sort_by(key_cmp);
    let total = out.len() as i64;
    let all = get("without_pagination") == Some("true");
    let per_page: i64 = get("per_page").map_or(10, |v| v.parse().expect("per_page"));
    let page: i64 = get("page").map_or(1, |v| v.parse().expect("page"));
    let ids: Vec<String> = if all {
        out.iter().map(|t| t.id.clone()).collect()
    } else {
        out.iter()
            .skip(((page - 1) * per_page) as usize)
            .take(per_page as usize)
            .map(|t| t.id.clone())
            .collect()
    };
    let total_pages = if all {
        1
    } else {
        ((total + per_page - 1) / per_page).max(1)
    };
    (ids, total, total_pages)
}
