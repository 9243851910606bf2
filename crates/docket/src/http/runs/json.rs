//! The Run JSON shape (spec §2.6) and its includes.

use docket_domain::run::RunStatus;
use docket_domain::time::{format_opt, format_ts};
use docket_domain::{Actor, task};
use docket_store::model::RunRecord;
use serde::Serialize;
use serde_json::{Map, Value, json};

use crate::error::Result;
use crate::http::envelope::{include_many, include_one};
use crate::http::extract::{Ctx, Query};
use crate::http::runs::kickoff;
use crate::http::tag_links::TagLinkJson;

/// `progress` / `whole_progress`.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
#[schema(as = RunProgress)]
pub struct RunProgress {
    complete: i64,
    total: i64,
    percent: f64,
}

/// The Run shape.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
#[schema(as = Run)]
pub struct RunJson {
    id: String,
    increment_id: i64,
    organization_id: String,
    checklist_id: String,
    checklist_title: String,
    name: String,
    summary: Option<String>,
    #[serde(rename = "type")]
    kind: String,
    status: String,
    progress: RunProgress,
    whole_progress: RunProgress,
    started_by: i64,
    owner_id: i64,
    assign_someone_else: bool,
    prerun: Map<String, Value>,
    prerun_status: &'static str,
    prerun_completed_at: Option<String>,
    prerun_completed_by: Option<i64>,
    prerun_length: i64,
    starred: bool,
    is_public: bool,
    users: Value,
    groups: Value,
    parent_id: Option<String>,
    can_add_oot: bool,
    has_open_issue: bool,
    created_at: String,
    started_at: String,
    last_updated: String,
    completed_at: Option<String>,
    archived_at: Option<String>,
    due_date: Option<String>,
    max_task_deadline: Option<String>,
    due_date_passed: bool,
    due_soon: bool,
    late_tasks: i64,
    collaborators: Vec<i64>,
    #[serde(flatten)]
    pub includes: Map<String, Value>,
}

impl RunJson {
    /// The shape of `r` as of `now`.
    pub fn new(r: &RunRecord, now: i64) -> Self {
        let row = &r.row;
        let progress = RunProgress {
            complete: r.stats.complete,
            total: r.stats.total,
            percent: task::percent(r.stats.complete, r.stats.total),
        };
        let whole_progress = RunProgress {
            complete: r.stats.complete,
            total: r.stats.whole_total,
            percent: task::percent(r.stats.complete, r.stats.whole_total),
        };
        let launched = row.is_launched();
        RunJson {
            id: row.id.clone(),
            increment_id: row.increment_id,
            organization_id: row.org_id.clone(),
            checklist_id: row.checklist_id.clone(),
            checklist_title: row.checklist_title.clone().unwrap_or_else(|| "MISC".into()),
            name: row.name.clone(),
            summary: row.summary.clone(),
            kind: row.run_type.clone(),
            status: row.status.as_str().to_string(),
            whole_progress,
            progress,
            started_by: row.started_by,
            owner_id: row.owner_id,
            assign_someone_else: false,
            prerun: if launched { kickoff::values(row) } else { Map::new() },
            prerun_status: if row.prerun_completed_at.is_some() {
                "complete"
            } else {
                "incomplete"
            },
            prerun_completed_at: format_opt(row.prerun_completed_at),
            prerun_completed_by: row.prerun_completed_at.and(row.prerun_completed_by),
            prerun_length: if launched { kickoff::count(row) } else { 0 },
            starred: row.starred,
            is_public: row.is_public,
            users: serde_json::from_str(&row.user_ids).unwrap_or_else(|_| json!([])),
            groups: serde_json::from_str(&row.group_ids).unwrap_or_else(|_| json!([])),
            parent_id: row.parent_id.clone(),
            can_add_oot: row.can_add_oot.unwrap_or(true),
            has_open_issue: row.status == RunStatus::Problem,
            created_at: format_ts(row.created_at),
            started_at: format_ts(row.started_at),
            last_updated: format_ts(row.last_updated),
            completed_at: format_opt(row.completed_at),
            archived_at: format_opt(row.archived_at),
            due_date: format_opt(r.stats.due_date),
            max_task_deadline: format_opt(r.stats.due_date),
            due_date_passed: r.stats.due_date.is_some_and(|d| d < now) && row.status != RunStatus::Complete,
            due_soon: r.stats.due_soon > 0,
            late_tasks: r.stats.late_tasks,
            collaborators: r.collaborators.clone(),
            includes: Map::new(),
        }
    }
}

/// The MISC template as `with=checklist` shows it (spec §2.8).
pub fn checklist_include(checklist_id: &str) -> Value {
    include_one(Some(
        json!({"id": checklist_id, "title": "MISC", "type": "procedure", "is_system": true}),
    ))
}

/// Includes that are accepted and always empty on runs.
const EMPTY_RUN_INCLUDES: &[&str] = &[
    "permissions",
    "tasks_meta",
    "stages",
    "member_watchers",
    "guest_watchers",
];

/// Templates `ids` in their full shape (as a template GET answers, without includes), each with
/// its id: the `checklist` include of launched runs. Deleted templates are left out.
pub async fn templates_json(ctx: &Ctx, org: &str, ids: &[String]) -> Result<Vec<(String, Value)>> {
    let rows = ctx.state.store.templates_by_ids(org, ids).await?;
    let rendered = crate::http::templates::render(ctx, org, &rows, &Query(Vec::new())).await?;
    rendered
        .iter()
        .map(|t| {
            let value = serde_json::to_value(t).map_err(|e| crate::error::Error::Internal(e.to_string()))?;
            Ok((t.id.clone(), value))
        })
        .collect()
}

/// Renders runs with the includes of the run itself that `query` asks for (`tags`, `checklist`,
/// and the always-empty ones); `runs::render` adds those built from its tasks.
pub async fn render(ctx: &Ctx, actor: &Actor, runs: &[RunRecord], query: &Query) -> Result<Vec<RunJson>> {
    let mut out: Vec<RunJson> = runs.iter().map(|r| RunJson::new(r, ctx.now)).collect();
    let ids: Vec<String> = runs.iter().map(|r| r.row.id.clone()).collect();
    if query.with("tags") {
        let links = ctx.state.store.tag_links_of(&actor.org_id, "Run", &ids).await?;
        for run in &mut out {
            let mine: Vec<TagLinkJson> = links
                .iter()
                .filter(|l| l.subject_id == run.id)
                .map(TagLinkJson::new)
                .collect();
            run.includes.insert("tags".into(), include_many(mine));
        }
    }
    if query.with("assets") {
        let mut assets = crate::http::file_values::include_of(ctx, &actor.org_id, "Run", &ids).await?;
        for run in &mut out {
            let mine = assets.remove(&run.id).unwrap_or_default();
            run.includes.insert("assets".into(), include_many(mine));
        }
    }
    if query.with("folders") {
        let mut filed = crate::http::folders::filed(ctx, &actor.org_id, "Run", &ids).await?;
        for run in &mut out {
            let mine = filed.remove(&run.id).unwrap_or_default();
            run.includes.insert("folders".into(), include_many(mine));
        }
    }
    let templates = if query.with("checklist") {
        let mut ids: Vec<String> = runs
            .iter()
            .filter(|r| r.row.is_launched())
            .map(|r| r.row.checklist_id.clone())
            .collect();
        ids.sort();
        ids.dedup();
        templates_json(ctx, &actor.org_id, &ids).await?
    } else {
        Vec::new()
    };
    for (run, record) in out.iter_mut().zip(runs) {
        if query.with("checklist") {
            let include = if record.row.is_launched() {
                let found = templates.iter().find(|(id, _)| *id == record.row.checklist_id);
                include_one(found.map(|(_, t)| t.clone()))
            } else {
                checklist_include(&run.checklist_id)
            };
            run.includes.insert("checklist".into(), include);
        }
        if query.with("ko_form_fields") {
            let fields = if record.row.is_launched() {
                kickoff::with_values(&record.row)
            } else {
                Vec::new()
            };
            run.includes.insert("ko_form_fields".into(), include_many(fields));
        }
        for name in EMPTY_RUN_INCLUDES {
            if query.with(name) {
                run.includes.insert((*name).into(), include_many(Vec::<Value>::new()));
            }
        }
    }
    Ok(out)
}

impl RunJson {
    /// The run's id.
    pub fn id(&self) -> &str {
        &self.id
    }
}
