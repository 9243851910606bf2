//! CL2 (create) and CL4 (partial update): the body read by `docket_domain::template`, then the
//! references it names resolved against the organization (owner, members, groups, folders, tags).

use axum::extract::Path;
use axum::http::StatusCode;
use axum::response::Response;
use docket_domain::input::Patch;
use docket_domain::template::{self, TemplateInput};
use docket_domain::{ValidationErrors, ids};
use docket_domain::{limits, template_field};
use docket_store::model::{KickoffEntry, NewTemplate, TagTarget, TemplateFieldRow, TemplatePatch};
use serde_json::Value;

use super::{TemplateJson, check_may_edit, path_template, refused, respond};
use crate::error::{Error, Result};
use crate::http::extract::{Body, Ctx, Query};
use crate::service::{members, tags};

/// The references of a body, resolved; `None` where the key was not sent.
struct Resolved {
    owner_id: Option<i64>,
    users: Option<Vec<i64>>,
    groups: Option<Vec<String>>,
    tags: Option<Vec<TagTarget>>,
}

/// Resolves the owner, members, groups, folders and tags named by `input`; problems go into
/// `errors` under their key paths.
async fn resolve(ctx: &Ctx, org: &str, input: &TemplateInput, errors: &mut ValidationErrors) -> Result<Resolved> {
    let store = &ctx.state.store;
    if let Some(owner) = input.owner_id
        && store.member(org, owner).await?.is_none()
    {
        errors.add("owner_id", "The selected owner id is invalid.");
    }
    for (key, value, message) in [
        ("folder_id", &input.folder_id, "The selected folder id is invalid."),
        (
            "default_folder",
            &input.default_folder,
            "The selected default folder is invalid.",
        ),
    ] {
        if let Patch::Set(id) = value
            && store.template_folder(org, id).await?.is_none()
        {
            errors.add(key, message);
        }
    }
    let users = match &input.users {
        Some(entries) => Some(members::resolve_ids(&ctx.state, org, "users", entries, errors).await?),
        None => None,
    };
    let groups = match &input.groups {
        Some(entries) => {
            let mut out: Vec<String> = Vec::new();
            for (i, entry) in entries.iter().enumerate() {
                let found = match entry.as_str() {
                    Some(id) => store.group(org, id.trim()).await?,
                    None => None,
                };
                match found {
                    Some(g) if !out.contains(&g.id) => out.push(g.id),
                    Some(_) => {}
                    None => errors.add(format!("groups.{i}"), format!("The selected groups.{i} is invalid.")),
                }
            }
            Some(out)
        }
        None => None,
    };
    let tags = match &input.tags {
        Some(items) => Some(tags::resolve(&ctx.state, org, items, errors).await?),
        None => None,
    };
    Ok(Resolved {
        owner_id: input.owner_id,
        users,
        groups,
        tags,
    })
}

/// Reads `prerun` of a create: new definitions, in order, each with the `id` its entry carried
/// (which rules of the same body may name; the field gets a new id).
fn read_new_prerun(
    items: &[Value],
    errors: &mut ValidationErrors,
) -> Vec<(template_field::TemplateFieldDef, Option<String>)> {
    if !limits::within(errors, "prerun", items.len(), limits::MAX_FORM_FIELDS) {
        return Vec::new();
    }
    items
        .iter()
        .enumerate()
        .filter_map(|(i, v)| {
            let def = template_field::parse_new_value(v, &format!("prerun.{i}"), errors)?;
            Some((def, v.as_object().and_then(template_field::entry_id)))
        })
        .collect()
}

/// Reads `prerun` of an update as the complete list: an entry with the id of a `current` field
/// changes it (partially), any other entry is a new field. Ordered by each entry's `position`
/// when given (else its place in the list), then by list order.
fn read_prerun_list(items: &[Value], current: &[TemplateFieldRow], errors: &mut ValidationErrors) -> Vec<KickoffEntry> {
    if !limits::within(errors, "prerun", items.len(), limits::MAX_FORM_FIELDS) {
        return Vec::new();
    }
    let mut keyed: Vec<(i64, usize, KickoffEntry)> = Vec::new();
    for (i, v) in items.iter().enumerate() {
        let prefix = format!("prerun.{i}");
        let Some(obj) = v.as_object() else {
            errors.add(prefix, "The form field must be an object.");
            continue;
        };
        let sort = template_field::entry_position(obj).unwrap_or(i as i64 + 1);
        let existing = template_field::entry_id(obj).and_then(|id| current.iter().find(|f| f.id == id));
        if let Some(row) = existing
            && keyed
                .iter()
                .any(|(_, _, e)| matches!(e, KickoffEntry::Keep { id, .. } if *id == row.id))
        {
            errors.add(format!("{prefix}.id"), "The same kick-off field is listed twice.");
            continue;
        }
        let entry = match existing {
            Some(row) => {
                let patch = template_field::parse_patch(obj, &prefix, errors);
                KickoffEntry::Keep {
                    id: row.id.clone(),
                    def: patch.apply(&row.def(), &prefix, errors),
                }
            }
            None => match template_field::parse_new(obj, &prefix, errors) {
                Some(def) => KickoffEntry::New(def),
                None => continue,
            },
        };
        keyed.push((sort, i, entry));
    }
    keyed.sort_by_key(|(sort, i, _)| (*sort, *i));
    keyed.into_iter().map(|(_, _, e)| e).collect()
}

/// Creates a template.
///
/// `prerun` creates its kick-off fields in order; `steps` and `automated_actions` (docket
/// extensions) create steps and rules, all in one transaction. Entries that carry an `id` (an
/// import) may be named under it by later steps' deadlines and by the rules; the references are
/// rewritten to the new ids.
#[utoipa::path(
    post,
    path = "/organizations/{org}/checklists",
    operation_id = "create_template",
    tag = "templates",
    params(("org" = String, Path, description = "Organization id"), crate::http::openapi::params::WithParams),
    request_body(content = crate::http::openapi::bodies::TemplateInput, content_type = "application/json"),
    responses((status = 201, description = "The new template", body = crate::http::openapi::Item<TemplateJson>))
)]
pub async fn create_template(ctx: Ctx, query: Query, Body(body): Body) -> Result<Response> {
    let me = ctx.member()?;
    check_may_edit(&me)?;
    let mut errors = ValidationErrors::new();
    let input = template::read(&body, true, &mut errors);
    let resolved = resolve(&ctx, &me.org_id, &input, &mut errors).await?;
    let prerun = read_new_prerun(input.prerun.as_deref().unwrap_or_default(), &mut errors);
    let steps = super::nested::read_steps(
        &ctx,
        &me.org_id,
        input.steps.as_deref().unwrap_or_default(),
        me.user_id,
        &mut errors,
    )
    .await?;
    let rules = super::rules::read_rules(
        &ctx,
        &me.org_id,
        input.automated_actions.as_deref().unwrap_or_default(),
        &super::rules::catalog(&prerun, &steps),
        &mut errors,
    )
    .await?;
    let Some(title) = input.title.clone().filter(|_| errors.is_empty()) else {
        return Err(Error::Invalid(errors));
    };
    let id = ids::new_random_id32();
    let new = NewTemplate {
        alias: input
            .alias
            .clone()
            .unwrap_or_else(|| template::default_alias(&title, &id)),
        alias_given: input.alias.is_some(),
        id,
        title,
        template_type: input.template_type.clone().unwrap_or_else(|| "procedure".into()),
        texts: input.texts.clone(),
        flags: input.flags.clone(),
        owner_id: resolved.owner_id.unwrap_or(me.user_id),
        created_by: me.user_id,
        folder_id: input.folder_id.clone().set(),
        default_folder: input.default_folder.clone().set(),
        users: resolved.users.unwrap_or_default(),
        groups: resolved.groups.unwrap_or_default(),
        tags: resolved.tags.unwrap_or_default(),
        prerun_ids: prerun.iter().map(|(_, id)| id.clone()).collect(),
        prerun: prerun.into_iter().map(|(def, _)| def).collect(),
        steps,
        rules,
        now: ctx.now,
    };
    let row = ctx
        .state
        .store
        .create_template(&me.org_id, &new)
        .await?
        .map_err(refused)?;
    respond(&ctx, &me.org_id, &row, &query, StatusCode::CREATED).await
}

/// Changes a template: only the fields sent; `users`, `groups` and `tags` replace their lists,
/// `folder_id` files (or with `null` unfiles) the template, `prerun` is the complete list of
/// kick-off fields.
#[utoipa::path(
    put,
    path = "/organizations/{org}/checklists/{checklist_id}",
    operation_id = "update_template",
    tag = "templates",
    params(("org" = String, Path, description = "Organization id"), ("checklist_id" = String, Path, description = "Template id"), crate::http::openapi::params::WithParams),
    request_body(content = crate::http::openapi::bodies::TemplateInput, content_type = "application/json"),
    responses((status = 200, description = "The template", body = crate::http::openapi::Item<TemplateJson>))
)]
pub async fn update_template(
    ctx: Ctx,
    Path((_org, id)): Path<(String, String)>,
    query: Query,
    Body(body): Body,
) -> Result<Response> {
    let me = ctx.member()?;
    let current = path_template(&ctx, &me.org_id, &id).await?;
    check_may_edit(&me)?;
    let mut errors = ValidationErrors::new();
    let input = template::read(&body, false, &mut errors);
    let resolved = resolve(&ctx, &me.org_id, &input, &mut errors).await?;
    let prerun = match &input.prerun {
        Some(items) => {
            let current = ctx
                .state
                .store
                .template_kickoff_fields(std::slice::from_ref(&current.id))
                .await?;
            Some(read_prerun_list(items, &current, &mut errors))
        }
        None => None,
    };
    if !errors.is_empty() {
        return Err(Error::Invalid(errors));
    }
    super::check_active(&current)?;
    let patch = TemplatePatch {
        title: input.title.clone(),
        template_type: input.template_type.clone(),
        texts: input.texts.clone(),
        flags: input.flags.clone(),
        alias: input.alias.clone(),
        owner_id: resolved.owner_id,
        folder_id: patch_option(&input.folder_id),
        default_folder: patch_option(&input.default_folder),
        users: resolved.users,
        groups: resolved.groups,
        tags: resolved.tags,
        prerun,
        by: me.user_id,
        now: ctx.now,
    };
    let row = ctx
        .state
        .store
        .update_template(&me.org_id, &current.id, &patch)
        .await?
        .map_err(refused)?;
    respond(&ctx, &me.org_id, &row, &query, StatusCode::OK).await
}

/// A nullable field of a patch: absent → `None`, `null` → `Some(None)`.
fn patch_option(p: &Patch<String>) -> Option<Option<String>> {
    match p {
        Patch::Absent => None,
        Patch::Null => Some(None),
        Patch::Set(v) => Some(Some(v.clone())),
    }
}
