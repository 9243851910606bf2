//! The shared task-list parameters of spec §4.0, read from a query string into a store
//! [`TaskQuery`]. Each list endpoint says which sorts it accepts and its defaults; every invalid
//! value is reported at once, as a 422 naming its parameter. The single-parameter readers
//! (`status_conditions`, `member_ids`, `guest_emails`, `created_window`, `deadline_window`,
//! `archived_filter`, `bool_param`) are public for other lists to reuse.

use docket_domain::page::PageRequest;
use docket_domain::time::{end_of_day, parse_date, parse_datetime, start_of_day};
use docket_domain::{Actor, ValidationErrors, email, input};
use docket_store::query::{ArchivedFilter, Sort, TaskCondition, TaskQuery, TaskSortColumn, Window, like_pattern};

use crate::error::{Error, Result};
use crate::http::extract::Query;
use crate::http::params::page_request;

/// The task-list parameters as the OpenAPI document describes them (the organization's and a
/// person's task lists; a run's task list reads only `status`, `owners`, `guests`, `groups`, the deadline filters, `unassigned`,
/// `with`, `sort` and the pagination). The readers below parse the query string itself.
#[derive(utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct TaskListParams {
    /// Task `title` or run `name` contains the text (case-insensitive).
    pub q: Option<String>,
    /// Comma list of `all`, `active`, `active_visible`, `incomplete`, `complete` (`completed`),
    /// `inprogress` (`in-progress`), `not-started`, `overdue`, `due_soon` (`due-soon`),
    /// `hasproblem` (`problem`); OR-ed.
    pub status: Option<String>,
    /// Comma list of member ids: assigned directly or through a group.
    pub owners: Option<String>,
    /// Comma list of guest emails.
    pub guests: Option<String>,
    /// Comma list; docket has no roles, so a non-empty value matches nothing.
    pub roles: Option<String>,
    /// Comma list of group ids.
    pub groups: Option<String>,
    /// A tag id or title carried by the task or its run.
    pub tag: Option<String>,
    /// Folder ids (comma list): the task or its run is filed directly in one of them.
    pub folder: Option<String>,
    /// `YYYY-MM-DD` or `YYYY-MM-DD:YYYY-MM-DD` (UTC).
    pub created: Option<String>,
    /// A date or date-time: `deadline ≥` it.
    pub deadline_start_range: Option<String>,
    /// A date or date-time: `deadline ≤` it.
    pub deadline_end_range: Option<String>,
    /// `YYYY-MM-DD`: deadline on that day; the other deadline filters are then ignored.
    pub deadline_on: Option<String>,
    /// `YYYY-MM-DD`: deadline before that day.
    pub deadline_before: Option<String>,
    /// `YYYY-MM-DD`: deadline after that day.
    pub deadline_after: Option<String>,
    /// `is_oneoff_task` equals the value.
    pub is_oneoff: Option<bool>,
    /// `true`: only tasks without any assignee.
    pub unassigned: Option<bool>,
    /// `true` (also archived tasks), `only`, `false` (default).
    pub archived: Option<String>,
    /// `deadline`, `-deadline`, `newest`, `oldest`, `created_at`, `-created_at`,
    /// `completed_newest`, `problems`, `position`, `-position`, `title`, `-title` (alias `sort_by`).
    pub sort: Option<String>,
}

/// What one list endpoint accepts and defaults to.
#[derive(Debug, Clone, Copy)]
pub struct ListSpec {
    /// The `sort` words accepted (a subset of [`SORTS`]).
    pub sorts: &'static [&'static str],
    /// The sort word used when `sort` is absent.
    pub default_sort: &'static str,
    /// Conditions applied when `status` is absent (empty: no filter).
    pub default_status: &'static [TaskCondition],
    /// Whether the `archived` parameter is read; when not, `archived` is this fixed value.
    pub archived: Option<ArchivedFilter>,
    /// `per_page` when absent.
    pub default_per_page: i64,
    /// Whether the organization-wide parameters are read: `q`, `tag`, `folder`, `roles`,
    /// `created` and `is_oneoff` (T2, T10–T12; R7 ignores them).
    pub org_filters: bool,
}

/// R7 `GET …/runs/{run_id}/tasks`: the tasks of an addressed run, archived ones included.
pub const RUN_TASKS: ListSpec = ListSpec {
    sorts: &["position", "-position", "deadline", "-deadline"],
    default_sort: "position",
    default_status: &[],
    archived: Some(ArchivedFilter::Include),
    default_per_page: 10,
    org_filters: false,
};

/// Every sort word of §4.0.
pub const ALL_SORTS: &[&str] = &[
    "deadline",
    "-deadline",
    "newest",
    "-created_at",
    "oldest",
    "created_at",
    "completed_newest",
    "problems",
    "position",
    "-position",
    "title",
    "-title",
];

/// T2 `GET /organizations/{org}/tasks`: every parameter of §4.0; no status filter by default,
/// archived tasks excluded, by deadline.
pub const ORG_TASKS: ListSpec = ListSpec {
    sorts: ALL_SORTS,
    default_sort: "deadline",
    default_status: &[],
    archived: None,
    default_per_page: 10,
    org_filters: true,
};

/// T10–T12, the tasks assigned to someone: as [`ORG_TASKS`], but `status` defaults to `active`.
pub const ASSIGNED_TASKS: ListSpec = ListSpec {
    default_status: &[TaskCondition::Active],
    ..ORG_TASKS
};

/// Every sort word of §4.0 and what it means.
pub const SORTS: &[(&str, TaskSortColumn, bool)] = &[
    ("deadline", TaskSortColumn::Deadline, false),
    ("-deadline", TaskSortColumn::Deadline, true),
    ("newest", TaskSortColumn::CreatedAt, true),
    ("-created_at", TaskSortColumn::CreatedAt, true),
    ("oldest", TaskSortColumn::CreatedAt, false),
    ("created_at", TaskSortColumn::CreatedAt, false),
    ("completed_newest", TaskSortColumn::CompletedAt, true),
    ("problems", TaskSortColumn::Problems, false),
    ("position", TaskSortColumn::Position, false),
    ("-position", TaskSortColumn::Position, true),
    ("title", TaskSortColumn::Title, false),
    ("-title", TaskSortColumn::Title, true),
];

/// The `status` words of §4.0 (`all` aside).
const STATUS_WORDS: &[(&str, TaskCondition)] = &[
    ("active", TaskCondition::Active),
    ("active_visible", TaskCondition::Active),
    ("incomplete", TaskCondition::Incomplete),
    ("complete", TaskCondition::Complete),
    ("completed", TaskCondition::Complete),
    ("inprogress", TaskCondition::InProgress),
    ("in-progress", TaskCondition::InProgress),
    ("not-started", TaskCondition::NotStarted),
    ("overdue", TaskCondition::Overdue),
    ("due_soon", TaskCondition::DueSoon),
    ("due-soon", TaskCondition::DueSoon),
    ("hasproblem", TaskCondition::HasProblem),
    ("problem", TaskCondition::HasProblem),
];

/// Reads the §4.0 parameters `spec` supports. The result lists every task of the organization
/// the caller may see that matches; callers narrow it further (e.g. `run_id`).
pub fn parse(query: &Query, actor: &Actor, now: i64, spec: &ListSpec) -> Result<(TaskQuery, PageRequest)> {
    let mut errors = ValidationErrors::new();
    let page = match page_request(query, spec.default_per_page) {
        Ok(p) => Some(p),
        Err(Error::Invalid(e)) => {
            errors.extend(e);
            None
        }
        Err(other) => return Err(other),
    };
    let conditions = status_conditions(query, spec.default_status, &mut errors);
    let owners = member_ids(query, "owners", &mut errors);
    let guests = guest_emails(query, "guests", &mut errors);
    let groups = query.list("groups");
    let unassigned = bool_param(query, "unassigned", &mut errors).unwrap_or(false);
    let (deadline_min, deadline_max) = deadline_window(query, &mut errors);
    let org = if spec.org_filters {
        org_filters(query, &mut errors)
    } else {
        OrgFilters::default()
    };
    let archived = match spec.archived {
        Some(fixed) => fixed,
        None => archived_filter(query, &mut errors),
    };
    let sort = sort(query, spec, &mut errors);
    let (Some(page), true) = (page, errors.is_empty()) else {
        return Err(Error::Invalid(errors));
    };
    let q = TaskQuery {
        run_id: None,
        assignee: None,
        q: org.q,
        tag: org.tag,
        folder: org.folder,
        roles: org.roles,
        created_min: org.created.0,
        created_max: org.created.1,
        is_oneoff: org.is_oneoff,
        conditions,
        owners,
        guests,
        groups,
        unassigned,
        deadline_min,
        deadline_max,
        archived,
        viewer: (!actor.is_admin()).then_some(actor.user_id),
        now,
        sort,
        window: Window {
            limit: page.limit(),
            offset: page.offset(),
        },
    };
    Ok((q, page))
}

/// The organization-wide parameters of §4.0 that R7 does not take.
#[derive(Debug, Default)]
struct OrgFilters {
    q: Option<String>,
    tag: Option<String>,
    folder: Vec<String>,
    roles: Vec<String>,
    created: (Option<i64>, Option<i64>),
    is_oneoff: Option<bool>,
}

fn org_filters(query: &Query, errors: &mut ValidationErrors) -> OrgFilters {
    OrgFilters {
        q: query.text("q").map(|t| like_pattern(&t)),
        tag: query.text("tag"),
        folder: query.list("folder"),
        roles: query.list("roles"),
        created: created_window(query, "created", errors),
        is_oneoff: bool_param(query, "is_oneoff", errors),
    }
}

/// A boolean parameter (§1.4 words); anything else is recorded as a 422 naming `key`.
pub fn bool_param(query: &Query, key: &str, errors: &mut ValidationErrors) -> Option<bool> {
    match query.bool(key) {
        Ok(b) => b,
        Err(Error::Invalid(e)) => {
            errors.extend(e);
            None
        }
        Err(_) => None,
    }
}

/// `status`: OR-ed conditions of §2.4; `all` anywhere disables the filter (empty result);
/// absent or blank → `default`. Unknown words are a 422 on `status`.
pub fn status_conditions(
    query: &Query,
    default: &[TaskCondition],
    errors: &mut ValidationErrors,
) -> Vec<TaskCondition> {
    if query.text("status").is_none() {
        return default.to_vec();
    }
    let mut out: Vec<TaskCondition> = Vec::new();
    let mut all = false;
    for word in query.list("status") {
        let word = word.to_ascii_lowercase();
        if word == "all" {
            all = true;
            continue;
        }
        match STATUS_WORDS.iter().find(|(w, _)| *w == word) {
            Some((_, c)) if !out.contains(c) => out.push(*c),
            Some(_) => {}
            None => errors.add("status", "The selected status is invalid."),
        }
    }
    if all { Vec::new() } else { out }
}

/// A comma list of member ids (`owners`), duplicates dropped; a non-integer item is a 422 on
/// `key`.
pub fn member_ids(query: &Query, key: &str, errors: &mut ValidationErrors) -> Vec<i64> {
    let mut out = Vec::new();
    for item in query.list(key) {
        match input::parse_int(&item) {
            Some(id) if !out.contains(&id) => out.push(id),
            Some(_) => {}
            None => errors.add(
                key,
                format!(
                    "The {} must be a comma-separated list of member ids.",
                    input::label(key)
                ),
            ),
        }
    }
    out
}

/// A comma list of email addresses (`guests`), lower-cased, duplicates dropped; an invalid
/// address is a 422 on `key`.
pub fn guest_emails(query: &Query, key: &str, errors: &mut ValidationErrors) -> Vec<String> {
    let mut out = Vec::new();
    for item in query.list(key) {
        let addr = email::normalize(&item);
        if !email::is_valid(&addr) {
            errors.add(
                key,
                format!(
                    "The {} must be a comma-separated list of email addresses.",
                    input::label(key)
                ),
            );
        } else if !out.contains(&addr) {
            out.push(addr);
        }
    }
    out
}

/// `created` (or another `key` of the same form): `YYYY-MM-DD` (that UTC day) or
/// `YYYY-MM-DD:YYYY-MM-DD` (an inclusive range of UTC days) as an inclusive `[min, max]` in
/// epoch ms; absent or blank → no bound; anything else is a 422 on `key`.
pub fn created_window(query: &Query, key: &str, errors: &mut ValidationErrors) -> (Option<i64>, Option<i64>) {
    let Some(v) = query.text(key) else {
        return (None, None);
    };
    let (from, to) = v.split_once(':').unwrap_or((&v, &v));
    match (parse_date(from), parse_date(to)) {
        (Some(a), Some(b)) => (Some(start_of_day(a)), Some(end_of_day(b))),
        _ => {
            errors.add(
                key,
                format!(
                    "The {} must be a date (YYYY-MM-DD) or a range of dates (YYYY-MM-DD:YYYY-MM-DD).",
                    input::label(key)
                ),
            );
            (None, None)
        }
    }
}

/// `archived`: `true` (include), `only`, `false`/absent (exclude).
pub fn archived_filter(query: &Query, errors: &mut ValidationErrors) -> ArchivedFilter {
    let Some(v) = query.text("archived") else {
        return ArchivedFilter::Exclude;
    };
    if v.eq_ignore_ascii_case("only") {
        return ArchivedFilter::Only;
    }
    match input::parse_bool(&v) {
        Some(true) => ArchivedFilter::Include,
        Some(false) => ArchivedFilter::Exclude,
        None => {
            errors.add("archived", "The selected archived is invalid.");
            ArchivedFilter::Exclude
        }
    }
}

/// The deadline window `[min, max]` (inclusive) of the five deadline parameters. `deadline_on`
/// overrides the others.
pub fn deadline_window(query: &Query, errors: &mut ValidationErrors) -> (Option<i64>, Option<i64>) {
    let invalid = |errors: &mut ValidationErrors, key: &str| {
        errors.add(key, format!("The {} is not a valid date.", input::label(key)));
    };
    if let Some(v) = query.text("deadline_on") {
        return match parse_date(&v) {
            Some(day) => (Some(start_of_day(day)), Some(end_of_day(day))),
            None => {
                invalid(errors, "deadline_on");
                (None, None)
            }
        };
    }
    let mut min: Option<i64> = None;
    let mut max: Option<i64> = None;
    let mut raise = |v: i64| min = Some(min.map_or(v, |m| m.max(v)));
    if let Some(v) = query.text("deadline_start_range") {
        match parse_date(&v).map(start_of_day).or_else(|| parse_datetime(&v)) {
            Some(ms) => raise(ms),
            None => invalid(errors, "deadline_start_range"),
        }
    }
    if let Some(v) = query.text("deadline_after") {
        match parse_date(&v) {
            Some(day) => raise(end_of_day(day) + 1),
            None => invalid(errors, "deadline_after"),
        }
    }
    let mut lower = |v: i64| max = Some(max.map_or(v, |m| m.min(v)));
    if let Some(v) = query.text("deadline_end_range") {
        match parse_date(&v).map(end_of_day).or_else(|| parse_datetime(&v)) {
            Some(ms) => lower(ms),
            None => invalid(errors, "deadline_end_range"),
        }
    }
    if let Some(v) = query.text("deadline_before") {
        match parse_date(&v) {
            Some(day) => lower(start_of_day(day) - 1),
            None => invalid(errors, "deadline_before"),
        }
    }
    (min, max)
}

/// `sort` (alias `sort_by`): one of the spec's words, else a 422.
fn sort(query: &Query, spec: &ListSpec, errors: &mut ValidationErrors) -> Sort<TaskSortColumn> {
    let key = if query.get("sort").is_some() { "sort" } else { "sort_by" };
    let word = query
        .get_any(&["sort", "sort_by"])
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .unwrap_or(spec.default_sort);
    let lookup = |w: &str| {
        SORTS
            .iter()
            .find(|(name, _, _)| *name == w)
            .map(|(_, column, desc)| Sort {
                column: *column,
                desc: *desc,
            })
    };
    match lookup(word).filter(|_| spec.sorts.contains(&word)) {
        Some(s) => s,
        None => {
            errors.add(key, format!("The selected {} is invalid.", input::label(key)));
            lookup(spec.default_sort).unwrap_or(Sort {
                column: TaskSortColumn::Deadline,
                desc: false,
            })
        }
    }
}

#[cfg(test)]
mod tests {
    use docket_domain::Role;

    use super::*;

    fn query(pairs: &[(&str, &str)]) -> Query {
        Query(pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect())
    }

    fn actor(role: Role) -> Actor {
        Actor {
            user_id: 7,
            org_id: "o".into(),
            role,
        }
    }

    fn day(s: &str) -> i64 {
        start_of_day(parse_date(s).expect("date"))
    }

    #[test]
    fn deadline_parameters_narrow_one_inclusive_window() {
        let (q, _) = parse(
            &query(&[
                ("deadline_start_range", "2025-01-01"),
                ("deadline_after", "2025-01-03"),
                ("deadline_end_range", "2025-02-01T12:00:00Z"),
                ("deadline_before", "2025-01-20"),
            ]),
            &actor(Role::Admin),
            0,
            &RUN_TASKS,
        )
        .expect("valid");
        assert_eq!(q.deadline_min, Some(day("2025-01-04")));
        assert_eq!(q.deadline_max, Some(day("2025-01-20") - 1));
        let (q, _) = parse(
            &query(&[("deadline_on", "2025-01-05"), ("deadline_before", "garbage")]),
            &actor(Role::Admin),
            0,
            &RUN_TASKS,
        )
        .expect("deadline_on wins");
        assert_eq!(
            (q.deadline_min, q.deadline_max),
            (Some(day("2025-01-05")), Some(day("2025-01-06") - 1))
        );
    }

    #[test]
    fn statuses_sorts_and_visibility() {
        let (q, page) = parse(
            &query(&[("status", "overdue,due-soon,Overdue"), ("sort", "-deadline")]),
            &actor(Role::Light),
            5,
            &RUN_TASKS,
        )
        .expect("valid");
        assert_eq!(q.conditions, [TaskCondition::Overdue, TaskCondition::DueSoon]);
        assert_eq!((q.sort.column, q.sort.desc), (TaskSortColumn::Deadline, true));
        assert_eq!((q.viewer, q.now, q.archived), (Some(7), 5, ArchivedFilter::Include));
        assert_eq!((page.per_page, q.window.limit), (10, Some(10)));
        let (q, _) = parse(&query(&[("status", "active,all")]), &actor(Role::Admin), 0, &RUN_TASKS).expect("valid");
        assert!(q.conditions.is_empty() && q.viewer.is_none());
        let Err(Error::Invalid(e)) = parse(
            &query(&[("status", "done"), ("sort", "title"), ("owners", "1,x")]),
            &actor(Role::Admin),
            0,
            &RUN_TASKS,
        ) else {
            panic!("expected a 422");
        };
        let keys: Vec<&str> = e.entries().iter().map(|(k, _)| k.as_str()).collect();
        assert_eq!(keys, ["status", "owners", "sort"]);
    }

    #[test]
    fn organization_filters_are_read_only_where_declared() {
        let pairs = [
            ("q", " 50%_Off "),
            ("tag", " Finance "),
            ("folder", "f1"),
            ("roles", "a,,b"),
            ("created", "2025-01-02:2025-01-03"),
            ("is_oneoff", "no"),
            ("archived", "only"),
        ];
        let (q, _) = parse(&query(&pairs), &actor(Role::Admin), 0, &ORG_TASKS).expect("valid");
        assert_eq!(q.q.as_deref(), Some("%50\\%\\_off%"));
        assert_eq!(
            (q.tag.as_deref(), q.folder.as_slice()),
            (Some("Finance"), ["f1".to_string()].as_slice())
        );
        assert_eq!(q.roles, ["a", "b"]);
        assert_eq!(
            (q.created_min, q.created_max),
            (Some(day("2025-01-02")), Some(day("2025-01-04") - 1))
        );
        assert_eq!((q.is_oneoff, q.archived), (Some(false), ArchivedFilter::Only));
        assert!(q.conditions.is_empty());
        assert_eq!((q.sort.column, q.sort.desc), (TaskSortColumn::Deadline, false));
        // R7 ignores them.
        let (q, _) = parse(&query(&pairs), &actor(Role::Admin), 0, &RUN_TASKS).expect("valid");
        assert!(q.q.is_none() && q.tag.is_none() && q.folder.is_empty() && q.roles.is_empty());
        assert_eq!(
            (q.created_min, q.is_oneoff, q.archived),
            (None, None, ArchivedFilter::Include)
        );
        // The assigned lists default to active; a blank status is absent.
        let (q, _) = parse(&query(&[("status", " ")]), &actor(Role::Admin), 0, &ASSIGNED_TASKS).expect("valid");
        assert_eq!(q.conditions, [TaskCondition::Active]);
        let (q, _) = parse(&query(&[("created", "2025-01-02")]), &actor(Role::Admin), 0, &ORG_TASKS).expect("valid");
        assert_eq!(
            (q.created_min, q.created_max),
            (Some(day("2025-01-02")), Some(day("2025-01-03") - 1))
        );
        for bad in [
            "2025-1-2",
            "2025-01-02:",
            ":2025-01-02",
            "2025-01-02:2025-01-03:2025-01-04",
            "today",
        ] {
            let Err(Error::Invalid(e)) = parse(&query(&[("created", bad)]), &actor(Role::Admin), 0, &ORG_TASKS) else {
                panic!("{bad} should be a 422");
            };
            assert_eq!(e.entries()[0].0, "created", "{bad}");
        }
        let Err(Error::Invalid(e)) = parse(
            &query(&[("is_oneoff", "maybe"), ("archived", "sometimes"), ("sort", "title")]),
            &actor(Role::Admin),
            0,
            &ORG_TASKS,
        ) else {
            panic!("expected a 422");
        };
        let keys: Vec<&str> = e.entries().iter().map(|(k, _)| k.as_str()).collect();
        assert_eq!(keys, ["is_oneoff", "archived"]);
    }
}
