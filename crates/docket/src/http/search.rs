//! S1 `GET /organizations/{org}/search`: one list envelope per requested result type, in the
//! requested order. `process` searches run names, `task` the titles of the tasks the caller may
//! see, `blueprint` template titles, `step` step titles and `capture` the labels of captures and
//! kick-off fields (of non-archived templates; their shapes are in `search_templates`); docket
//! has no snippets, so that bucket is always empty. The optional structured `filter[…]`
//! (bracketed query keys) narrows them.

use axum::Json;
use axum::response::{IntoResponse, Response};
use docket_domain::page::{PageInfo, PageRequest};
use docket_domain::run::RunStatus;
use docket_domain::time::format_ts;
use docket_domain::{Actor, ValidationErrors, input};
use docket_store::model::{RunRecord, TagLinkRow, TaskRecord};
use docket_store::query::{SearchField, SearchFilter, SearchQuery, Window, like_pattern};
use serde::Serialize;
use serde_json::{Map, Value, json};

use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::error::{Error, Result};
use crate::http::envelope;
use crate::http::extract::{Ctx, Query};
use crate::http::folders::{FolderJson, filed};
use crate::http::guests::guest_link;
use crate::http::openapi::Page;
use crate::http::{search_filter, search_templates};
use crate::state::AppState;

/// `per_page` when absent, and its upper bound.
const DEFAULT_PER_PAGE: i64 = 20;
const MAX_PER_PAGE: i64 = 100;

/// The routes of this module, each with its OpenAPI operation.
pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(search))
}

/// A result type of `on`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Blueprint,
    Process,
    Task,
    Snippet,
    Capture,
    Step,
}

const KINDS: &[(&str, Kind)] = &[
    ("blueprint", Kind::Blueprint),
    ("process", Kind::Process),
    ("task", Kind::Task),
    ("snippet", Kind::Snippet),
    ("capture", Kind::Capture),
    ("step", Kind::Step),
];

/// The filter fields each searched type supports, by name.
const PROCESS_FIELDS: &[(&str, SearchField)] = &[
    ("title", SearchField::Title),
    ("description", SearchField::Description),
    ("starter", SearchField::Starter),
    ("date", SearchField::Date),
];
const TASK_FIELDS: &[(&str, SearchField)] = &[("title", SearchField::Title), ("starter", SearchField::Starter)];
const STEP_FIELDS: &[(&str, SearchField)] = &[("title", SearchField::Title)];
const CAPTURE_FIELDS: &[(&str, SearchField)] = &[("label", SearchField::Title)];

/// The parsed parameters.
struct Params {
    on: Vec<(&'static str, Kind)>,
    page: PageRequest,
    tags: bool,
    query: SearchQuery,
}

/// Finds runs (processes), tasks, templates, template steps and template fields whose name,
/// title or label contains the text.
#[utoipa::path(
    get,
    path = "/organizations/{org}/search",
    operation_id = "search",
    tag = "search",
    params(("org" = String, Path, description = "Organization id"), crate::http::openapi::params::SearchParams),
    responses((status = 200, description = "One list per requested type, in the requested order", body = SearchResults))
)]
async fn search(ctx: Ctx, query: Query) -> Result<Response> {
    let me = ctx.member()?;
    let p = parse(&query, &me)?;
    let mut out = Map::new();
    for (name, kind) in &p.on {
        let (items, count, total) = match kind {
            Kind::Process => {
                let (runs, total) = ctx.state.store.search_runs(&me.org_id, &p.query, ctx.now).await?;
                (json!(process_items(&ctx, &me, &runs, p.tags).await?), runs.len(), total)
            }
            Kind::Task => {
                let (tasks, total) = ctx.state.store.search_tasks(&me.org_id, &p.query).await?;
                (json!(task_items(&ctx, &me, &tasks, p.tags).await?), tasks.len(), total)
            }
            Kind::Blueprint => {
                let (rows, total) = ctx.state.store.search_templates(&me.org_id, &p.query).await?;
                let items = search_templates::blueprint_items(&ctx, &me.org_id, &rows, p.tags).await?;
                (json!(items), rows.len(), total)
            }
            Kind::Step => {
                let (hits, total) = ctx.state.store.search_steps(&me.org_id, &p.query).await?;
                (json!(search_templates::step_items(&hits)), hits.len(), total)
            }
            Kind::Capture => {
                let (hits, total) = ctx.state.store.search_captures(&me.org_id, &p.query).await?;
                (json!(search_templates::capture_items(&hits)), hits.len(), total)
            }
            Kind::Snippet => (json!([]), 0, 0),
        };
        let info = PageInfo::new(&p.page, total, count as i64);
        out.insert(
            (*name).to_string(),
            json!({ "data": items, "meta": { "pagination": envelope::pagination(&ctx, &info) } }),
        );
    }
    Ok(Json(Value::Object(out)).into_response())
}

/// Reads every parameter, reporting every problem at once.
fn parse(query: &Query, actor: &Actor) -> Result<Params> {
    let mut errors = ValidationErrors::new();
    let text = query.get_any(&["search", "q"]).map(str::trim).unwrap_or("");
    if text.is_empty() {
        errors.add("search", "The search field is required.");
    }
    let mut on: Vec<(&'static str, Kind)> = Vec::new();
    let mut words = query.list("on");
    if words.is_empty() {
        words.push("process".into());
    }
    for word in &words {
        let word = word.to_ascii_lowercase();
        match KINDS.iter().find(|(n, _)| *n == word) {
            Some(k) if !on.contains(k) => on.push(*k),
            Some(_) => {}
            None => errors.add("on", "The selected on is invalid."),
        }
    }
    let page = match PageRequest::parse(
        query.get("page"),
        query.get("per_page"),
        None,
        DEFAULT_PER_PAGE,
        MAX_PER_PAGE,
    ) {
        Ok(p) => Some(p),
        Err(e) => {
            errors.extend(e);
            None
        }
    };
    let tags = match query.bool("tags") {
        Ok(b) => b.unwrap_or(false),
        Err(Error::Invalid(e)) => {
            errors.extend(e);
            false
        }
        Err(other) => return Err(other),
    };
    let kinds: Vec<Kind> = on.iter().map(|(_, k)| *k).collect();
    let filter = match filter(query, &kinds) {
        Ok(f) => f,
        Err(message) => {
            errors.add("filter", message);
            None
        }
    };
    let (Some(page), true) = (page, errors.is_empty()) else {
        return Err(Error::Invalid(errors));
    };
    Ok(Params {
        on,
        tags,
        query: SearchQuery {
            pattern: like_pattern(text),
            filter,
            viewer: (!actor.is_admin()).then_some(actor.user_id),
            window: Window {
                limit: page.limit(),
                offset: page.offset(),
            },
        },
        page,
    })
}

/// The structured filter from the `filter` / `filter[…]` keys, if any; `Err` holds the 422
/// message.
fn filter(query: &Query, kinds: &[Kind]) -> Result<Option<SearchFilter>, String> {
    let pairs: Vec<(&str, &str)> = query
        .0
        .iter()
        .filter(|(k, _)| k == "filter" || k.starts_with("filter["))
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    if pairs.is_empty() {
        return Ok(None);
    }
    let folded = input::fold_pairs(pairs).ok_or_else(search_filter::malformed)?;
    let value = folded.get("filter").ok_or_else(search_filter::malformed)?;
    // The fields every searched type supports, named with each type's allowed list.
    let mut allowed: Vec<&[(&str, SearchField)]> = Vec::new();
    // Templates have the fields of processes (title, description, starter, date).
    if kinds.contains(&Kind::Process) || kinds.contains(&Kind::Blueprint) {
        allowed.push(PROCESS_FIELDS);
    }
    if kinds.contains(&Kind::Step) {
        allowed.push(STEP_FIELDS);
    }
    if kinds.contains(&Kind::Capture) {
        allowed.push(CAPTURE_FIELDS);
    }
    if kinds.contains(&Kind::Task) {
        allowed.push(TASK_FIELDS);
    }
    if allowed.is_empty() {
        allowed.push(PROCESS_FIELDS);
    }
    search_filter::node(value, &allowed, 0).map(Some)
}

/// `tags` of a result with `tags=true`: `{id, title, color}` per tag.
#[derive(Debug, Serialize, utoipa::ToSchema)]
#[schema(as = SearchTag)]
pub struct TagJson {
    id: String,
    title: String,
    color: Option<String>,
}

/// The search answer: one list per requested type (`on`), in the requested order.
#[derive(utoipa::ToSchema)]
pub struct SearchResults {
    /// Runs whose name contains the text.
    pub process: Option<Page<ProcessItem>>,
    /// Tasks whose title contains the text.
    pub task: Option<Page<TaskItem>>,
    /// Templates whose title contains the text.
    pub blueprint: Option<Page<search_templates::BlueprintItem>>,
    /// Always empty.
    pub snippet: Option<Page<Value>>,
    /// Captures and kick-off fields whose label contains the text.
    pub capture: Option<Page<search_templates::CaptureItem>>,
    /// Steps whose title contains the text.
    pub step: Option<Page<search_templates::StepItem>>,
}

/// The tags of each subject, keyed by subject id.
async fn tags_of(ctx: &Ctx, org: &str, subject_type: &str, ids: &[String]) -> Result<Vec<TagLinkRow>> {
    Ok(ctx.state.store.tag_links_of(org, subject_type, ids).await?)
}

fn tags_for(links: &[TagLinkRow], subject_id: &str) -> Value {
    let tags: Vec<TagJson> = links
        .iter()
        .filter(|l| l.subject_id == subject_id)
        .map(|l| TagJson {
            id: l.tag_id.clone(),
            title: l.title.clone(),
            color: l.color.clone(),
        })
        .collect();
    json!(tags)
}

/// A `process` (run) result.
#[derive(Debug, Serialize, utoipa::ToSchema)]
#[schema(as = SearchProcess)]
pub struct ProcessItem {
    id: String,
    increment_id: i64,
    name: String,
    title: String,
    status: String,
    #[serde(rename = "type")]
    kind: String,
    checklist_id: String,
    checklist_title: String,
    organization_id: String,
    created_at: String,
    due_date_passed: bool,
    due_soon: bool,
    folders: Vec<FolderJson>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<Vec<TagJson>>)]
    tags: Option<Value>,
}

async fn process_items(ctx: &Ctx, actor: &Actor, runs: &[RunRecord], with_tags: bool) -> Result<Vec<ProcessItem>> {
    let ids: Vec<String> = runs.iter().map(|r| r.row.id.clone()).collect();
    let links = if with_tags {
        tags_of(ctx, &actor.org_id, "Run", &ids).await?
    } else {
        Vec::new()
    };
    let mut folders = filed(ctx, &actor.org_id, "Run", &ids).await?;
    Ok(runs
        .iter()
        .map(|r| {
            let row = &r.row;
            ProcessItem {
                id: row.id.clone(),
                increment_id: row.increment_id,
                name: row.name.clone(),
                title: row.name.clone(),
                status: row.status.as_str().to_string(),
                kind: row.run_type.clone(),
                checklist_id: row.checklist_id.clone(),
                checklist_title: row.checklist_title.clone().unwrap_or_else(|| "MISC".into()),
                organization_id: row.org_id.clone(),
                created_at: format_ts(row.created_at),
                // As the Run shape derives them (§2.6).
                due_date_passed: r.stats.due_date.is_some_and(|d| d < ctx.now) && row.status != RunStatus::Complete,
                due_soon: r.stats.due_soon > 0,
                folders: folders.remove(&row.id).unwrap_or_default(),
                tags: with_tags.then(|| tags_for(&links, &row.id)),
            }
        })
        .collect())
}

/// The assignees of a task result.
#[derive(Debug, Serialize, utoipa::ToSchema)]
#[schema(as = SearchOwners)]
pub struct OwnersJson {
    users: Vec<i64>,
    guests: Vec<String>,
    groups: Vec<String>,
    #[serde(rename = "taskUrls")]
    task_urls: Vec<String>,
}

/// A `task` result.
#[derive(Debug, Serialize, utoipa::ToSchema)]
#[schema(as = SearchTask)]
pub struct TaskItem {
    id: String,
    increment_id: i64,
    title: String,
    status: String,
    status_label: &'static str,
    run_id: Option<String>,
    position: i64,
    deadline: String,
    created_at: String,
    starter_id: Option<i64>,
    is_oneoff_task: bool,
    owners: OwnersJson,
    folders: Vec<FolderJson>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<Vec<TagJson>>)]
    tags: Option<Value>,
}

async fn task_items(ctx: &Ctx, actor: &Actor, tasks: &[TaskRecord], with_tags: bool) -> Result<Vec<TaskItem>> {
    let ids: Vec<String> = tasks.iter().map(|t| t.row.id.clone()).collect();
    let links = if with_tags {
        tags_of(ctx, &actor.org_id, "Task", &ids).await?
    } else {
        Vec::new()
    };
    let mut folders = filed(ctx, &actor.org_id, "Task", &ids).await?;
    Ok(tasks
        .iter()
        .map(|t| {
            let r = &t.row;
            TaskItem {
                id: r.id.clone(),
                increment_id: r.increment_id,
                title: r.title.clone(),
                status: r.status.as_str().to_string(),
                status_label: r.status.label(r.task_type, r.is_approved),
                run_id: r.run_id.clone(),
                position: r.position,
                deadline: format_ts(r.deadline),
                created_at: format_ts(r.created_at),
                starter_id: r.starter_id,
                is_oneoff_task: true,
                owners: OwnersJson {
                    users: t.users.clone(),
                    guests: t.guests.iter().map(|g| g.email.clone()).collect(),
                    groups: t.groups.clone(),
                    task_urls: t
                        .guests
                        .iter()
                        .map(|g| format!("{}/tasks/{}", guest_link(&ctx.base, &g.guest_code), r.id))
                        .collect(),
                },
                folders: folders.remove(&r.id).unwrap_or_default(),
                tags: with_tags.then(|| tags_for(&links, &r.id)),
            }
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use docket_store::query::{CompareOp, FilterValue};

    fn q(pairs: &[(&str, &str)]) -> Query {
        Query(pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect())
    }

    #[test]
    fn single_conditions_and_nested_groups_fold_into_filters() {
        let f = filter(
            &q(&[
                ("filter[field]", "Title"),
                ("filter[operation]", "!="),
                ("filter[value]", "X"),
            ]),
            &[Kind::Process],
        )
        .expect("valid");
        assert_eq!(
            f,
            Some(SearchFilter::Compare {
                field: SearchField::Title,
                op: CompareOp::Ne,
                value: FilterValue::Text("X".into())
            })
        );
        let f = filter(
            &q(&[
                ("filter[0][type]", "boolean"),
                ("filter[0][value]", "or"),
                ("filter[1][field]", "starter"),
                ("filter[1][value]", "1001"),
                ("filter[2][0][type]", "boolean"),
                ("filter[2][0][value]", "AND"),
                ("filter[2][1][field]", "date"),
                ("filter[2][1][operation]", ">="),
                ("filter[2][1][value]", "2030-01-01"),
            ]),
            &[Kind::Process],
        )
        .expect("valid")
        .expect("a filter");
        let SearchFilter::Group { any: true, items } = f else {
            panic!("an OR group");
        };
        assert_eq!(items.len(), 2);
        assert!(matches!(&items[1], SearchFilter::Group { any: false, items } if items.len() == 1));
    }

    #[test]
    fn malformed_filters_and_unsupported_fields_are_refused() {
        let refused = |pairs: &[(&str, &str)], kinds: &[Kind]| filter(&q(pairs), kinds).expect_err("refused");
        assert_eq!(
            refused(
                &[("filter[field]", "date"), ("filter[value]", "2030-01-01")],
                &[Kind::Process, Kind::Task]
            ),
            "The field date is not supported. Allowed fields: title, starter."
        );
        assert_eq!(
            refused(&[("filter[field]", "color"), ("filter[value]", "x")], &[Kind::Process]),
            "The field color is not supported. Allowed fields: title, description, starter, date."
        );
        refused(&[("filter", "title")], &[Kind::Process]);
        refused(&[("filter[field", "title")], &[Kind::Process]);
        refused(&[("filter[field]", "title")], &[Kind::Process]);
        refused(&[("filter[value]", "x")], &[Kind::Process]);
        refused(
            &[
                ("filter[field]", "title"),
                ("filter[operation]", "like"),
                ("filter[value]", "x"),
            ],
            &[Kind::Process],
        );
        refused(
            &[("filter[0][type]", "boolean"), ("filter[0][value]", "AND")],
            &[Kind::Process],
        );
        refused(
            &[
                ("filter[0][type]", "boolean"),
                ("filter[0][value]", "XOR"),
                ("filter[1][field]", "title"),
                ("filter[1][value]", "x"),
            ],
            &[Kind::Process],
        );
        refused(&[("filter[field]", "starter"), ("filter[value]", "bob")], &[Kind::Task]);
        refused(
            &[("filter[field]", "date"), ("filter[value]", "2030-13-01")],
            &[Kind::Process],
        );
        assert_eq!(filter(&q(&[("search", "x")]), &[Kind::Process]), Ok(None));
    }
}
