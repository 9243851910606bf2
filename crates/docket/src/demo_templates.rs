//! The templates of `docket admin seed-demo`: "Client onboarding", "Invoice approval" and
//! "Content review", with kick-off fields, steps (assignees from the demo's members and groups,
//! deadlines relative to the launch and to other steps), form fields and a rule, and a few
//! processes launched from each with launch dates spread over the past weeks.
//!
//! They are made through the API's own handlers, called in this process with a token made for
//! the job and removed afterwards, so every rule (validation, the launch plan, the rule engine)
//! applies exactly as for a client. A fixed number of requests whatever `--tasks` is; made once
//! per organization (a second seed finds "Client onboarding" and adds none).

use std::sync::Arc;
use std::time::Duration;

use anyhow::{Context, bail};
use axum::Router;
use axum::body::Body;
use axum::http::{Method, Request, header};
use docket_domain::ids;
use docket_store::Store;
use http_body_util::BodyExt;
use serde::Serialize;
use serde_json::{Value, json};
use tower::ServiceExt;

use crate::config::{Config, RateLimitStore};
use crate::ratelimit::RateLimiter;
use crate::state::{AppState, Clock, Shared};

const DAY: i64 = 86_400_000;

/// What the templates part made.
#[derive(Debug, Default, Serialize)]
pub struct TemplatesMade {
    /// Templates created.
    pub templates: u64,
    /// Processes launched from them.
    pub runs: u64,
    /// Tasks of those processes.
    pub tasks: u64,
}

/// Who the templates assign: members and groups of the demo.
pub struct People<'a> {
    /// The admin, who launches every process.
    pub admin: i64,
    /// Other members.
    pub members: &'a [i64],
    /// Group ids.
    pub groups: &'a [String],
}

/// The API of one organization, called in this process as one member.
struct Api {
    router: Router,
    bearer: String,
    base: String,
}

impl Api {
    async fn call(&self, method: Method, path: &str, body: Option<Value>) -> anyhow::Result<Value> {
        let req = Request::builder()
            .method(method.clone())
            .uri(format!("{}{path}", self.base))
            .header(header::AUTHORIZATION, &self.bearer)
            .header("X-Tallyfy-Client", "APIClient")
            .header(header::CONTENT_TYPE, "application/json")
            .body(Body::from(body.map(|b| b.to_string()).unwrap_or_default()))?;
        let res = self.router.clone().oneshot(req).await?;
        let status = res.status();
        let bytes = res.into_body().collect().await?.to_bytes();
        if !status.is_success() {
            bail!("{method} {path}: {status} {}", String::from_utf8_lossy(&bytes));
        }
        Ok(serde_json::from_slice(&bytes).unwrap_or(Value::Null))
    }

    async fn post(&self, path: &str, body: Value) -> anyhow::Result<Value> {
        self.call(Method::POST, path, Some(body)).await
    }

    /// `POST` that returns `data.id`.
    async fn create(&self, path: &str, body: Value) -> anyhow::Result<String> {
        let v = self.post(path, body).await?;
        v["data"]["id"]
            .as_str()
            .map(str::to_string)
            .with_context(|| format!("POST {path}: no data.id"))
    }
}

/// The state of a server on `store` for these calls: no rate limit, the clock fixed at `now`.
fn state(store: &Store, now: i64) -> AppState {
    let config = Config {
        rate_limit: 0,
        rate_limit_store: RateLimitStore::Memory,
        now: Some(now),
        ..Config::default()
    };
    AppState::new(Shared {
        store: store.clone(),
        clock: Clock::new(Some(now)),
        limiter: Arc::new(RateLimiter::in_memory(0, Duration::from_secs(60))),
        task_reads: Arc::new(docket_store::memo::Memo::new(Duration::ZERO)),
        metrics: Arc::new(crate::metrics::Metrics::new()),
        faults: crate::faults::Faults::new(&config.database_url),
        fair_share: crate::fair_share::FairShare::new(&config),
        storage: crate::storage::Storage::local(&config),
        config: Arc::new(config),
    })
}

/// Makes the demo templates of `org` and launches processes from them, unless "Client
/// onboarding" is already there.
pub async fn seed(store: &Store, org: &str, people: &People<'_>, now: i64) -> anyhow::Result<TemplatesMade> {
    let token = ids::new_token();
    let hash = ids::token_hash(&token);
    store.add_token(people.admin, &hash, now).await?;
    let api = Api {
        router: crate::http::router(state(store, now)),
        bearer: format!("Bearer {token}"),
        base: format!("/organizations/{org}"),
    };
    let made = make(&api, people, now).await;
    store.remove_token(&hash).await?;
    made
}

async fn make(api: &Api, p: &People<'_>, now: i64) -> anyhow::Result<TemplatesMade> {
    let found = api
        .call(Method::GET, "/checklists?q=Client%20onboarding&per_page=1", None)
        .await?;
    if found["meta"]["pagination"]["total"].as_i64().unwrap_or(0) > 0 {
        return Ok(TemplatesMade::default());
    }
    anyhow::ensure!(
        p.members.len() >= 10 && p.groups.len() >= 4,
        "the demo templates need 10 members and 4 groups"
    );
    let mut made = TemplatesMade::default();
    onboarding(api, p, now, &mut made).await?;
    invoice(api, p, now, &mut made).await?;
    content(api, p, now, &mut made).await?;
    Ok(made)
}

/// A deadline `value` `unit` after `anchor` (`start_run` or a step id).
fn after(value: i64, unit: &str, anchor: &str) -> Value {
    json!({"value": value, "unit": unit, "option": "from", "step": anchor})
}

/// A template with kick-off fields; returns its id and the fields' ids in order.
async fn template(api: &Api, title: &str, summary: &str, prerun: Value) -> anyhow::Result<(String, Vec<String>)> {
    let t = api
        .post(
            "/checklists",
            json!({"title": title, "summary": summary, "prerun": prerun}),
        )
        .await?;
    let id = t["data"]["id"].as_str().context("template id")?.to_string();
    let fields = t["data"]["prerun"]
        .as_array()
        .map(|a| a.iter().filter_map(|f| f["id"].as_str().map(str::to_string)).collect())
        .unwrap_or_default();
    Ok((id, fields))
}

/// Launches a process of a template with `steps` steps; returns its id.
async fn launch(api: &Api, made: &mut TemplatesMade, steps: u64, body: Value) -> anyhow::Result<String> {
    let run = api.post("/runs", body).await?;
    made.runs += 1;
    made.tasks += steps;
    run["data"]["id"].as_str().map(str::to_string).context("run id")
}

/// Completes the first task of `run`.
async fn complete_first(api: &Api, run: &str) -> anyhow::Result<()> {
    let tasks = api.call(Method::GET, &format!("/runs/{run}/tasks"), None).await?;
    let first = tasks["data"][0]["id"].as_str().context("first task")?;
    api.post(&format!("/runs/{run}/completed-tasks"), json!({"task_id": first}))
        .await?;
    Ok(())
}

async fn onboarding(api: &Api, p: &People<'_>, now: i64, made: &mut TemplatesMade) -> anyhow::Result<()> {
    let (id, k) = template(
        api,
        "Client onboarding",
        "From a signed contract to the first check-in",
        json!([
            {"label": "Client name", "field_type": "text", "required": true},
            {"label": "Plan", "field_type": "dropdown", "required": true, "options": ["Standard", "Enterprise"]},
            {"label": "Contract start", "field_type": "date", "required": false}
        ]),
    )
    .await?;
    made.templates += 1;
    let steps = format!("/checklists/{id}/steps");
    let kickoff = api
        .create(
            &steps,
            json!({"title": "Kick-off call", "groups": [p.groups[0]], "deadline": after(1, "days", "start_run")}),
        )
        .await?;
    let documents = api
        .create(
            &steps,
            json!({"title": "Collect documents", "summary": "<p>Signed contract, tax id, billing contact.</p>",
                   "groups": [p.groups[1]], "deadline": after(3, "days", "start_run")}),
        )
        .await?;
    for field in [
        json!({"label": "Signed contract received", "field_type": "radio", "required": true, "options": ["Yes", "No"]}),
        json!({"label": "Tax id", "field_type": "text", "required": false}),
    ] {
        api.post(&format!("{steps}/{documents}/captures"), field).await?;
    }
    api.post(
        &steps,
        json!({"title": "Set up accounts", "assignees": [p.members[2]], "deadline": after(2, "days", &documents)}),
    )
    .await?;
    let legal = api
        .create(
            &steps,
            json!({"title": "Legal review", "assignees": [p.members[3]], "deadline": after(2, "days", &documents)}),
        )
        .await?;
    api.post(
        &steps,
        json!({"title": "Training session", "assignees": [p.members[4], p.members[5]], "deadline": after(1, "weeks", "start_run")}),
    )
    .await?;
    api.post(
        &steps,
        json!({"title": "First check-in", "deadline": after(1, "months", "start_run")}),
    )
    .await?;
    api.post(
        &format!("/checklists/{id}/automated-actions"),
        json!({"automated_alias": "Legal review for Enterprise clients",
               "conditions": [{"conditionable_type": "Prerun", "conditionable_id": k[1], "operation": "equals", "statement": "Enterprise"}],
               "then_actions": [{"action_type": "visibility", "action_verb": "show", "target_step_id": legal}]}),
    )
    .await?;
    let clients = [
        "Globex",
        "Initech",
        "Umbrella",
        "Stark Industries",
        "Wayne Enterprises",
        "Soylent",
    ];
    for (i, client) in clients.iter().enumerate() {
        let started = now - (i as i64 * 6 + 1) * DAY;
        let plan = if i % 3 == 1 { "Enterprise" } else { "Standard" };
        let mut tasks = serde_json::Map::new();
        if i == 0 {
            tasks.insert(kickoff.clone(), json!({"owners": {"users": [p.members[1]]}}));
        }
        let run = launch(
            api,
            made,
            6,
            json!({"checklist_id": id, "name": format!("Onboarding - {client}"),
                   "started_at": docket_domain::time::format_ts(started),
                   "prerun": {k[0].as_str(): client, k[1].as_str(): plan}, "tasks": tasks}),
        )
        .await?;
        if i >= 2 {
            complete_first(api, &run).await?;
        }
    }
    Ok(())
}

async fn invoice(api: &Api, p: &People<'_>, now: i64, made: &mut TemplatesMade) -> anyhow::Result<()> {
    let (id, k) = template(
        api,
        "Invoice approval",
        "Check a supplier invoice, approve it, schedule the payment",
        json!([
            {"label": "Supplier", "field_type": "text", "required": true},
            {"label": "Amount", "field_type": "number", "required": true}
        ]),
    )
    .await?;
    made.templates += 1;
    let steps = format!("/checklists/{id}/steps");
    let check = api
        .create(
            &steps,
            json!({"title": "Check the invoice", "groups": [p.groups[2]], "deadline": after(1, "days", "start_run")}),
        )
        .await?;
    api.post(
        &format!("{steps}/{check}/captures"),
        json!({"label": "Invoice number", "field_type": "text", "required": true}),
    )
    .await?;
    let approve = api
        .create(
            &steps,
            json!({"title": "Approve the invoice", "step_type": "approval", "assignees": [p.members[6]],
                   "deadline": after(2, "days", &check)}),
        )
        .await?;
    api.post(
        &steps,
        json!({"title": "Schedule the payment", "assignees": [p.members[7]], "deadline": after(1, "days", &approve)}),
    )
    .await?;
    let suppliers = [
        "Acme Paper",
        "Northwind",
        "Contoso",
        "Fabrikam",
        "Tailspin",
        "Litware",
        "Adatum",
        "Wingtip",
    ];
    for (i, supplier) in suppliers.iter().enumerate() {
        let started = now - (i as i64 * 4 + 2) * DAY;
        launch(
            api,
            made,
            3,
            json!({"checklist_id": id, "name": format!("Invoice {} - {supplier}", 2401 + i),
                   "started_at": docket_domain::time::format_ts(started),
                   "prerun": {k[0].as_str(): supplier, k[1].as_str(): 250 * (i as i64 + 1)}}),
        )
        .await?;
    }
    Ok(())
}

async fn content(api: &Api, p: &People<'_>, now: i64, made: &mut TemplatesMade) -> anyhow::Result<()> {
    let (id, k) = template(
        api,
        "Content review",
        "Draft, edit, approve and publish a piece of content",
        json!([
            {"label": "Working title", "field_type": "text", "required": true},
            {"label": "Channel", "field_type": "radio", "required": true, "options": ["Blog", "Newsletter"]}
        ]),
    )
    .await?;
    made.templates += 1;
    let steps = format!("/checklists/{id}/steps");
    let draft = api
        .create(
            &steps,
            json!({"title": "Write the draft", "assignees": [p.members[8]], "deadline": after(3, "days", "start_run")}),
        )
        .await?;
    let edit = api
        .create(
            &steps,
            json!({"title": "Edit", "groups": [p.groups[3]], "deadline": after(2, "days", &draft)}),
        )
        .await?;
    api.post(
        &format!("{steps}/{edit}/captures"),
        json!({"label": "Word count", "field_type": "number", "required": false}),
    )
    .await?;
    let approve = api
        .create(
            &steps,
            json!({"title": "Approve for publishing", "step_type": "approval", "assignees": [p.members[9]],
                   "deadline": after(1, "days", &edit)}),
        )
        .await?;
    api.post(
        &steps,
        json!({"title": "Publish", "assignees": [p.members[8]], "deadline": after(1, "days", &approve)}),
    )
    .await?;
    let pieces = [
        ("Spring product update", "Blog"),
        ("Customer story: Globex", "Blog"),
        ("June newsletter", "Newsletter"),
        ("Pricing FAQ", "Blog"),
        ("July newsletter", "Newsletter"),
    ];
    for (i, (title, channel)) in pieces.iter().enumerate() {
        let started = now - (i as i64 * 8 + 3) * DAY;
        let run = launch(
            api,
            made,
            4,
            json!({"checklist_id": id, "name": format!("Review - {title}"),
                   "started_at": docket_domain::time::format_ts(started),
                   "prerun": {k[0].as_str(): title, k[1].as_str(): channel}}),
        )
        .await?;
        if i >= 1 {
            complete_first(api, &run).await?;
        }
    }
    Ok(())
}
