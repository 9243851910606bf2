//! Automation rules of templates (AU1 create, AU2 update, AU3 delete) and the AutomatedAction
//! JSON shape, which template responses reuse for `automated_actions`. Rules are read through
//! the template (GET on these paths is 405). The rules themselves are `docket_domain::automation`.

use axum::extract::Path;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use docket_domain::automation::definition::{self, Draft};
use docket_domain::automation::{Action, Assignees, Condition, RuleDef};
use docket_domain::time::format_ts;
use docket_domain::{Role, ValidationErrors, ids};
use docket_store::model::{AutomationRow, RuleRefusal, RuleTemplate, RuleWrite};
use serde::Serialize;
use serde_json::{Map, Value};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::error::{Error, Result};
use crate::http::envelope;
use crate::http::extract::{Body, Ctx};
use crate::service::owners;
use crate::state::AppState;

/// The 422 of a write on an archived template.
const ARCHIVED: &str = "The template is archived.";

/// The routes of this module, each with its OpenAPI operation.
pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(create_automation))
        .routes(routes!(update_automation, delete_automation))
}

/// A condition of a rule.
#[derive(ToSchema)]
#[schema(as = AutomationCondition)]
#[allow(dead_code, reason = "documents the emitted shape")]
struct ConditionSchema {
    id: String,
    conditionable_id: String,
    /// `Step`, `Capture` or `Prerun`.
    conditionable_type: String,
    operation: String,
    /// A time clause (Step conditions) or the compared value.
    statement: Option<Value>,
    /// `and` or `or`.
    logic: String,
    position: i64,
    column_contains_name: Option<String>,
}

/// An action of a rule.
#[derive(ToSchema)]
#[schema(as = AutomationAction)]
#[allow(dead_code, reason = "documents the emitted shape")]
struct ActionSchema {
    id: String,
    /// `visibility`, `deadline`, `assignment`, `status` or `webhook`.
    action_type: String,
    action_verb: String,
    target_step_id: String,
    position: i64,
    /// `{value, unit, option, step}`.
    deadline: Option<Map<String, Value>>,
    /// `{users, guests, groups}`.
    assignees: Option<Map<String, Value>>,
    actionable_id: Option<String>,
    /// `field` or `kickoff`.
    actionable_type: Option<String>,
    webhook_url: Option<String>,
    alias_name: Option<String>,
}

/// The AutomatedAction shape.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = AutomatedAction)]
pub struct AutomationJson {
    id: String,
    automated_alias: String,
    #[schema(value_type = Vec<ConditionSchema>)]
    conditions: Vec<Condition>,
    #[schema(value_type = Vec<ActionSchema>)]
    then_actions: Vec<Action>,
    created_at: String,
    last_updated: String,
    archived_at: Option<String>,
}

/// The stored rule as its definition.
pub fn definition_of(row: &AutomationRow) -> RuleDef {
    RuleDef {
        automated_alias: row.automated_alias.clone(),
        conditions: serde_json::from_str(&row.conditions).unwrap_or_default(),
        then_actions: serde_json::from_str(&row.then_actions).unwrap_or_default(),
    }
}

impl AutomationJson {
    /// The emitted form of a stored rule.
    pub fn new(row: &AutomationRow) -> Self {
        let def = definition_of(row);
        AutomationJson {
            id: row.id.clone(),
            automated_alias: def.automated_alias,
            conditions: def.conditions,
            then_actions: def.then_actions,
            created_at: format_ts(row.created_at),
            last_updated: format_ts(row.last_updated),
            archived_at: None,
        }
    }
}

/// A rule body (AU1; on AU2 every key is optional).
#[derive(ToSchema)]
#[schema(as = AutomationInput)]
#[allow(dead_code, reason = "documents the accepted body")]
struct AutomationInput {
    /// ≤ 300 characters; default `Rule {n}`. Alias `alias`.
    automated_alias: Option<String>,
    /// Non-empty.
    conditions: Vec<Map<String, Value>>,
    /// Non-empty. Alias `actions`.
    then_actions: Vec<Map<String, Value>>,
    /// `AND` or `OR`: the `logic` of conditions sent without one.
    condition_logic: Option<String>,
}

/// The template of the path, in the caller's organization, or 404.
async fn path_template(ctx: &Ctx, org: &str, id: &str) -> Result<RuleTemplate> {
    ctx.state.store.rule_template(org, id).await?.ok_or(Error::NotFound)
}

/// 403 for light members: rules are written by admins and standard members.
fn check_may_edit(role: Role) -> Result<()> {
    if role == Role::Light {
        return Err(Error::no_permission());
    }
    Ok(())
}

fn refused(r: RuleRefusal) -> Error {
    match r {
        RuleRefusal::Missing => Error::NotFound,
        RuleRefusal::Archived => Error::invalid("checklist", ARCHIVED),
    }
}

/// Resolves the `assignees` objects of a draft (members, guest emails, groups of `org`) into
/// its actions; problems under `then_actions.{i}.assignees…`.
pub(crate) async fn resolve_assignees(
    ctx: &Ctx,
    org: &str,
    draft: &mut Draft,
    errors: &mut ValidationErrors,
) -> Result<()> {
    for (i, raw) in std::mem::take(&mut draft.pending_assignees) {
        let prefix = format!("then_actions.{i}.assignees");
        let resolved = owners::resolve(&ctx.state, org, &raw, &prefix, errors).await?;
        if let Some(a) = draft.def.then_actions.iter_mut().find(|a| a.position == i as i64 + 1) {
            a.assignees = Some(Assignees {
                users: resolved.set.users,
                guests: resolved.set.guests,
                groups: resolved.set.groups,
            });
        }
    }
    Ok(())
}

fn write_of(ctx: &Ctx, user_id: i64, def: &RuleDef) -> RuleWrite {
    RuleWrite {
        automated_alias: def.automated_alias.clone(),
        conditions: serde_json::to_string(&def.conditions).unwrap_or_else(|_| "[]".into()),
        then_actions: serde_json::to_string(&def.then_actions).unwrap_or_else(|_| "[]".into()),
        actor: user_id,
        now: ctx.now,
    }
}

/// Creates a rule on a template.
#[utoipa::path(
    post,
    path = "/organizations/{org}/checklists/{checklist_id}/automated-actions",
    operation_id = "create_automation",
    tag = "automations",
    params(("org" = String, Path, description = "Organization id"), ("checklist_id" = String, Path, description = "Template id")),
    request_body(content = AutomationInput, content_type = "application/json"),
    responses((status = 201, description = "The new rule", body = crate::http::openapi::Item<AutomationJson>))
)]
async fn create_automation(
    ctx: Ctx,
    Path((_org, checklist_id)): Path<(String, String)>,
    Body(body): Body,
) -> Result<Response> {
    let me = ctx.member()?;
    let template = path_template(&ctx, &me.org_id, &checklist_id).await?;
    check_may_edit(me.role)?;
    let catalog = ctx.state.store.rule_catalog(&me.org_id, &template.id).await?;
    let mut errors = ValidationErrors::new();
    let count = usize::try_from(template.rule_count).unwrap_or(0);
    let draft = definition::parse_create(&body, &catalog, count, &mut errors);
    let Some(mut draft) = draft.filter(|_| errors.is_empty()) else {
        return Err(Error::Invalid(errors));
    };
    resolve_assignees(&ctx, &me.org_id, &mut draft, &mut errors).await?;
    if !errors.is_empty() {
        return Err(Error::Invalid(errors));
    }
    if template.archived_at.is_some() {
        return Err(Error::invalid("checklist", ARCHIVED));
    }
    let w = write_of(&ctx, me.user_id, &draft.def);
    let row = ctx
        .state
        .store
        .create_automation(&me.org_id, &template.id, &ids::new_id32(), &w)
        .await?
        .map_err(refused)?;
    Ok(envelope::item(StatusCode::CREATED, AutomationJson::new(&row)))
}

/// Changes a rule: top-level keys sent replace; `conditions`/`then_actions` sync by id.
#[utoipa::path(
    put,
    path = "/organizations/{org}/checklists/{checklist_id}/automated-actions/{automation_id}",
    operation_id = "update_automation",
    tag = "automations",
    params(("org" = String, Path, description = "Organization id"), ("checklist_id" = String, Path, description = "Template id"), ("automation_id" = String, Path, description = "Rule id")),
    request_body(content = AutomationInput, content_type = "application/json"),
    responses((status = 200, description = "The rule", body = crate::http::openapi::Item<AutomationJson>))
)]
async fn update_automation(
    ctx: Ctx,
    Path((_org, checklist_id, automation_id)): Path<(String, String, String)>,
    Body(body): Body,
) -> Result<Response> {
    let me = ctx.member()?;
    let template = path_template(&ctx, &me.org_id, &checklist_id).await?;
    let stored = ctx
        .state
        .store
        .automation(&me.org_id, &template.id, &automation_id)
        .await?
        .ok_or(Error::NotFound)?;
    check_may_edit(me.role)?;
    let catalog = ctx.state.store.rule_catalog(&me.org_id, &template.id).await?;
    let mut errors = ValidationErrors::new();
    let draft = definition::parse_update(&body, &definition_of(&stored), &catalog, &mut errors);
    let Some(mut draft) = draft.filter(|_| errors.is_empty()) else {
        return Err(Error::Invalid(errors));
    };
    resolve_assignees(&ctx, &me.org_id, &mut draft, &mut errors).await?;
    if !errors.is_empty() {
        return Err(Error::Invalid(errors));
    }
    if template.archived_at.is_some() {
        return Err(Error::invalid("checklist", ARCHIVED));
    }
    let w = write_of(&ctx, me.user_id, &draft.def);
    let row = ctx
        .state
        .store
        .update_automation(&me.org_id, &template.id, &stored.id, &w)
        .await?
        .map_err(refused)?;
    Ok(envelope::item(StatusCode::OK, AutomationJson::new(&row)))
}

/// Deletes a rule. Runs launched earlier keep their copy.
#[utoipa::path(
    delete,
    path = "/organizations/{org}/checklists/{checklist_id}/automated-actions/{automation_id}",
    operation_id = "delete_automation",
    tag = "automations",
    params(("org" = String, Path, description = "Organization id"), ("checklist_id" = String, Path, description = "Template id"), ("automation_id" = String, Path, description = "Rule id")),
    responses((status = 204, description = "Deleted"))
)]
async fn delete_automation(
    ctx: Ctx,
    Path((_org, checklist_id, automation_id)): Path<(String, String, String)>,
) -> Result<Response> {
    let me = ctx.member()?;
    let template = path_template(&ctx, &me.org_id, &checklist_id).await?;
    let stored = ctx
        .state
        .store
        .automation(&me.org_id, &template.id, &automation_id)
        .await?
        .ok_or(Error::NotFound)?;
    check_may_edit(me.role)?;
    if template.archived_at.is_some() {
        return Err(Error::invalid("checklist", ARCHIVED));
    }
    ctx.state
        .store
        .delete_automation(&me.org_id, &template.id, &stored.id, me.user_id, ctx.now)
        .await?
        .map_err(refused)?;
    Ok(StatusCode::NO_CONTENT.into_response())
}
