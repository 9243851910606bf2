//! The Template JSON shape and its rules (automated actions). `prerun`, `automated_actions`,
//! `industry_tags` and `topic_tags` are bare arrays on every template; the `with` includes are
//! added to `includes` (`steps` bare, `tags` and `folder` wrapped).

use docket_domain::time::{format_opt, format_ts};
use docket_store::model::{TemplateFolder, TemplateRow, TemplateRule};
use serde::Serialize;
use serde_json::{Map, Value, json};

/// The Template shape.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
#[schema(as = Template)]
pub struct TemplateJson {
    pub(crate) id: String,
    timeline_id: String,
    increment_id: i64,
    organization_id: String,
    pub(crate) title: String,
    summary: Option<String>,
    guidance: Option<String>,
    alias: String,
    #[serde(rename = "type")]
    kind: String,
    status: &'static str,
    icon: Option<String>,
    explanation_video: Option<String>,
    public_cover: Option<String>,
    kickoff_title: Option<String>,
    kickoff_description: Option<String>,
    default_process_name_format: Option<String>,
    webhook: Option<String>,
    starred: bool,
    is_public: bool,
    is_featured: bool,
    is_pinned: bool,
    is_public_kickoff: bool,
    auto_naming: bool,
    folderize_process: bool,
    tag_process: bool,
    allow_launcher_change_name: bool,
    folder_changeable_by_launcher: bool,
    can_add_oot: bool,
    dual_version_enabled: bool,
    is_published_state: bool,
    folder_id: Option<String>,
    default_folder: Option<String>,
    owner_id: i64,
    created_by: i64,
    last_updated_by: Option<i64>,
    users: Vec<i64>,
    groups: Vec<String>,
    ko_form_blueprint_id: Option<String>,
    kickoff_sharing_user_id: Option<i64>,
    steps_count: i64,
    started_processes: i64,
    industry_tags: Vec<Value>,
    topic_tags: Vec<Value>,
    /// Kick-off fields, by position.
    pub(crate) prerun: Vec<Value>,
    /// Rules, in creation order.
    automated_actions: Vec<Value>,
    created_at: String,
    last_updated: String,
    archived_at: Option<String>,
    /// `with` includes.
    #[serde(flatten)]
    pub(crate) includes: Map<String, Value>,
}

impl TemplateJson {
    /// The shape of `t` with its rules (`rules` may hold other templates' rules too).
    pub fn new(t: &TemplateRow, rules: &[TemplateRule]) -> Self {
        TemplateJson {
            id: t.id.clone(),
            timeline_id: t.id.clone(),
            increment_id: t.increment_id,
            organization_id: t.org_id.clone(),
            title: t.title.clone(),
            summary: t.summary.clone(),
            guidance: t.guidance.clone(),
            alias: t.alias.clone(),
            kind: t.template_type.clone(),
            status: if t.archived_at.is_some() { "archived" } else { "active" },
            icon: t.icon.clone(),
            explanation_video: t.explanation_video.clone(),
            public_cover: t.public_cover.clone(),
            kickoff_title: t.kickoff_title.clone(),
            kickoff_description: t.kickoff_description.clone(),
            default_process_name_format: t.default_process_name_format.clone(),
            webhook: t.webhook.clone(),
            starred: t.starred,
            is_public: t.is_public,
            is_featured: t.is_featured,
            is_pinned: t.is_pinned,
            is_public_kickoff: t.is_public_kickoff,
            auto_naming: t.auto_naming,
            folderize_process: t.folderize_process,
            tag_process: t.tag_process,
            allow_launcher_change_name: t.allow_launcher_change_name,
            folder_changeable_by_launcher: t.folder_changeable_by_launcher,
            can_add_oot: t.can_add_oot,
            dual_version_enabled: false,
            is_published_state: true,
            folder_id: t.folder_id.clone(),
            default_folder: t.default_folder.clone(),
            owner_id: t.owner_id,
            created_by: t.created_by,
            last_updated_by: t.last_updated_by,
            users: t.users(),
            groups: t.groups(),
            ko_form_blueprint_id: None,
            kickoff_sharing_user_id: None,
            steps_count: t.steps_count,
            started_processes: t.started_processes,
            industry_tags: Vec::new(),
            topic_tags: Vec::new(),
            prerun: Vec::new(),
            automated_actions: rules.iter().filter(|r| r.checklist_id == t.id).map(rule_json).collect(),
            created_at: format_ts(t.created_at),
            last_updated: format_ts(t.last_updated),
            archived_at: format_opt(t.archived_at),
            includes: Map::new(),
        }
    }
}

/// A stored rule in its emitted form.
pub fn rule_json(r: &TemplateRule) -> Value {
    let list = |s: &str| match serde_json::from_str::<Value>(s) {
        Ok(Value::Array(a)) => Value::Array(a),
        _ => json!([]),
    };
    json!({
        "id": r.id,
        "automated_alias": r.automated_alias,
        "conditions": list(&r.conditions),
        "then_actions": list(&r.then_actions),
        "created_at": format_ts(r.created_at),
        "last_updated": format_ts(r.last_updated),
        "archived_at": null,
    })
}

/// The folder a template is filed in, in the Folder shape.
pub fn folder_json(f: &TemplateFolder) -> Value {
    json!({
        "id": f.id,
        "name": f.name,
        "parent_id": f.parent_id,
        "folder_type": f.folder_type,
        "position": f.position,
        "total": f.total,
        "created_at": format_ts(f.created_at),
        "last_updated": format_ts(f.last_updated),
    })
}
