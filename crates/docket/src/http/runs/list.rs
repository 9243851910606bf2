//! R1 `GET /organizations/{org}/runs`: the runs of the organization with the parameters of spec
//! R1, read into a store [`RunQuery`]. Every invalid value is reported at once, as a 422 naming
//! its parameter.

use axum::response::Response;
use docket_domain::page::PageRequest;
use docket_domain::{Actor, ValidationErrors, input};
use docket_store::query::{
    ArchivedFilter, RunCondition, RunQuery, RunSortColumn, RunTaskStatus, Sort, Window, like_pattern,
};

use crate::error::{Error, Result};
use crate::http::envelope;
use crate::http::extract::{Ctx, Query};
use crate::http::params::page_request;
use crate::http::task_filters;

/// `per_page` when absent.
const DEFAULT_PER_PAGE: i64 = 10;

/// The `status` words and what they mean.
const STATUS_WORDS: &[(&str, RunCondition)] = &[
    ("active", RunCondition::Active),
    ("complete", RunCondition::Complete),
    ("completed", RunCondition::Complete),
    ("problem", RunCondition::Problem),
    ("issue", RunCondition::Problem),
    ("improvement", RunCondition::Improvement),
    ("delayed", RunCondition::Delayed),
    ("archived", RunCondition::Archived),
    ("starred", RunCondition::Starred),
];

/// The `sort` words and what they mean.
const SORTS: &[(&str, RunSortColumn, bool)] = &[
    ("created_at", RunSortColumn::CreatedAt, false),
    ("-created_at", RunSortColumn::CreatedAt, true),
    ("name", RunSortColumn::Name, false),
    ("-name", RunSortColumn::Name, true),
    ("last_updated", RunSortColumn::LastUpdated, false),
    ("-last_updated", RunSortColumn::LastUpdated, true),
    ("started_at", RunSortColumn::StartedAt, false),
    ("-started_at", RunSortColumn::StartedAt, true),
    ("due_date", RunSortColumn::DueDate, false),
    ("-due_date", RunSortColumn::DueDate, true),
];

/// Lists runs (processes), filtered and paged; archived ones only when asked for.
#[utoipa::path(
    get,
    path = "/organizations/{org}/runs",
    operation_id = "list_runs",
    tag = "runs",
    params(("org" = String, Path, description = "Organization id"), crate::http::openapi::params::RunListParams, crate::http::openapi::params::WithParams, crate::http::openapi::params::PageParams),
    responses((status = 200, description = "Runs", body = crate::http::openapi::Page<crate::http::runs::json::RunJson>))
)]
pub async fn list_runs(ctx: Ctx, query: Query) -> Result<Response> {
    let me = ctx.member()?;
    let (q, page) = parse(&query, &me, ctx.now)?;
    let (runs, total) = ctx.state.store.run_list(&me.org_id, &q).await?;
    let items = super::render(&ctx, &me, &runs, &query).await?;
    Ok(envelope::list(&ctx, &page, total, items))
}

/// Reads the run-list parameters.
pub fn parse(query: &Query, actor: &Actor, now: i64) -> Result<(RunQuery, PageRequest)> {
    let mut errors = ValidationErrors::new();
    let page = match page_request(query, DEFAULT_PER_PAGE) {
        Ok(p) => Some(p),
        Err(Error::Invalid(e)) => {
            errors.extend(e);
            None
        }
        Err(other) => return Err(other),
    };
    let conditions = status(query, &mut errors);
    let task_status = task_status(query, &mut errors);
    let owners = task_filters::member_ids(query, "owners", &mut errors);
    let untagged = task_filters::bool_param(query, "untagged", &mut errors).unwrap_or(false);
    let starred = task_filters::bool_param(query, "starred", &mut errors);
    // Read here so that a bad value is reported with the others (the includes read it again).
    task_filters::bool_param(query, "form_fields_values", &mut errors);
    let archived = archived(query, &conditions, &mut errors);
    let mut match_nothing = false;
    match query.text("type").map(|t| t.to_ascii_lowercase()).as_deref() {
        None | Some("procedure") => {}
        // Every docket run is a procedure.
        Some("form" | "document") => match_nothing = true,
        Some(_) => errors.add("type", "The selected type is invalid."),
    }
    let sort = sort(query, &mut errors);
    let (Some(page), true) = (page, errors.is_empty()) else {
        return Err(Error::Invalid(errors));
    };
    let q = RunQuery {
        q: query.text("q").map(|t| like_pattern(&t)),
        conditions,
        task_status,
        owners,
        groups: query.list("groups"),
        checklist_id: query.text("checklist_id").or_else(|| query.text("blueprint_id")),
        match_nothing,
        folder: query.list("folder"),
        tag: query.text("tag"),
        tag_ids: query.list("tag_ids"),
        untagged,
        starred,
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

/// `status`: OR-ed run conditions.
fn status(query: &Query, errors: &mut ValidationErrors) -> Vec<RunCondition> {
    let mut out = Vec::new();
    for word in query.list("status") {
        let word = word.to_ascii_lowercase();
        match STATUS_WORDS.iter().find(|(w, _)| *w == word) {
            Some((_, c)) if !out.contains(c) => out.push(*c),
            Some(_) => {}
            None => errors.add("status", "The selected status is invalid."),
        }
    }
    out
}

/// `task_status`: `all` (no filter), `in-progress`, `completed`.
fn task_status(query: &Query, errors: &mut ValidationErrors) -> Option<RunTaskStatus> {
    let word = query.text("task_status")?.to_ascii_lowercase();
    match word.as_str() {
        "all" => None,
        "in-progress" | "inprogress" | "in_progress" => Some(RunTaskStatus::InProgress),
        "completed" | "complete" => Some(RunTaskStatus::Completed),
        _ => {
            errors.add("task_status", "The selected task status is invalid.");
            None
        }
    }
}

/// `archived` as for task lists; absent, archived runs are included when `status` asks for
/// them.
fn archived(query: &Query, conditions: &[RunCondition], errors: &mut ValidationErrors) -> ArchivedFilter {
    if query.text("archived").is_none() && conditions.contains(&RunCondition::Archived) {
        return ArchivedFilter::Include;
    }
    task_filters::archived_filter(query, errors)
}

/// `sort` (alias `sort_by`): one of [`SORTS`], default `-created_at`.
fn sort(query: &Query, errors: &mut ValidationErrors) -> Sort<RunSortColumn> {
    let key = if query.get("sort").is_some() { "sort" } else { "sort_by" };
    let word = query
        .get_any(&["sort", "sort_by"])
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .unwrap_or("-created_at");
    match SORTS.iter().find(|(name, _, _)| *name == word) {
        Some((_, column, desc)) => Sort {
            column: *column,
            desc: *desc,
        },
        None => {
            errors.add(key, format!("The selected {} is invalid.", input::label(key)));
            Sort {
                column: RunSortColumn::CreatedAt,
                desc: true,
            }
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

    #[test]
    fn defaults_and_status_words() {
        let (q, page) = parse(&query(&[]), &actor(Role::Admin), 5).expect("valid");
        assert_eq!((q.sort.column, q.sort.desc), (RunSortColumn::CreatedAt, true));
        assert_eq!(
            (q.archived, q.viewer, page.per_page),
            (ArchivedFilter::Exclude, None, 10)
        );
        let (q, _) = parse(
            &query(&[("status", "issue,Problem,archived"), ("blueprint_id", "m")]),
            &actor(Role::Light),
            5,
        )
        .expect("valid");
        assert_eq!(q.conditions, [RunCondition::Problem, RunCondition::Archived]);
        assert_eq!((q.archived, q.viewer), (ArchivedFilter::Include, Some(7)));
        assert_eq!(q.checklist_id.as_deref(), Some("m"));
        let (q, _) = parse(&query(&[("type", "Form")]), &actor(Role::Admin), 0).expect("valid");
        assert!(q.match_nothing);
    }

    #[test]
    fn every_invalid_parameter_is_reported() {
        let Err(Error::Invalid(e)) = parse(
            &query(&[
                ("status", "done"),
                ("task_status", "x"),
                ("owners", "1,a"),
                ("untagged", "maybe"),
                ("starred", "2"),
                ("form_fields_values", "x"),
                ("archived", "x"),
                ("type", "x"),
                ("sort_by", "x"),
                ("page", "0"),
            ]),
            &actor(Role::Admin),
            0,
        ) else {
            panic!("expected a 422");
        };
        let keys: Vec<&str> = e.entries().iter().map(|(k, _)| k.as_str()).collect();
        assert_eq!(
            keys,
            [
                "page",
                "status",
                "task_status",
                "owners",
                "untagged",
                "starred",
                "form_fields_values",
                "archived",
                "type",
                "sort_by"
            ]
        );
    }
}
