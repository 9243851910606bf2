//! Templates ("checklists"): the stored row, its rules as stored, the inputs of the writes, their
//! refusals, and the list query.

use docket_domain::template::ArchivedFilter;
use docket_domain::template_field::TemplateFieldDef;

use super::{StepRefusal, StepWrite, TagTarget};
use crate::query::Window;

/// A template as stored, with its number of steps.
#[derive(Debug, Clone, sqlx::FromRow)]
#[allow(missing_docs)]
pub struct TemplateRow {
    pub id: String,
    pub org_id: String,
    pub increment_id: i64,
    pub title: String,
    pub summary: Option<String>,
    pub guidance: Option<String>,
    pub alias: String,
    pub template_type: String,
    pub icon: Option<String>,
    pub explanation_video: Option<String>,
    pub public_cover: Option<String>,
    pub kickoff_title: Option<String>,
    pub kickoff_description: Option<String>,
    pub default_process_name_format: Option<String>,
    pub webhook: Option<String>,
    pub starred: bool,
    pub is_public: bool,
    pub is_featured: bool,
    pub is_pinned: bool,
    pub is_public_kickoff: bool,
    pub auto_naming: bool,
    pub folderize_process: bool,
    pub tag_process: bool,
    pub allow_launcher_change_name: bool,
    pub folder_changeable_by_launcher: bool,
    pub can_add_oot: bool,
    pub folder_id: Option<String>,
    pub default_folder: Option<String>,
    pub owner_id: i64,
    pub created_by: i64,
    pub last_updated_by: Option<i64>,
    /// JSON array of member ids.
    pub user_ids: String,
    /// JSON array of group ids.
    pub group_ids: String,
    pub started_processes: i64,
    pub created_at: i64,
    pub last_updated: i64,
    pub archived_at: Option<i64>,
    pub steps_count: i64,
}

impl TemplateRow {
    /// The value of a stored flag by its column name (see `docket_domain::template::FLAGS`).
    pub fn flag(&self, name: &str) -> bool {
        match name {
            "starred" => self.starred,
            "is_public" => self.is_public,
            "is_featured" => self.is_featured,
            "is_pinned" => self.is_pinned,
            "is_public_kickoff" => self.is_public_kickoff,
            "auto_naming" => self.auto_naming,
            "folderize_process" => self.folderize_process,
            "tag_process" => self.tag_process,
            "allow_launcher_change_name" => self.allow_launcher_change_name,
            "folder_changeable_by_launcher" => self.folder_changeable_by_launcher,
            "can_add_oot" => self.can_add_oot,
            _ => false,
        }
    }

    /// The member ids of `users`.
    pub fn users(&self) -> Vec<i64> {
        serde_json::from_str(&self.user_ids).unwrap_or_default()
    }

    /// The group ids of `groups`.
    pub fn groups(&self) -> Vec<String> {
        serde_json::from_str(&self.group_ids).unwrap_or_default()
    }
}

/// A rule of a template as stored: `conditions` and `then_actions` are JSON arrays already in
/// their emitted form.
#[derive(Debug, Clone, sqlx::FromRow)]
#[allow(missing_docs)]
pub struct TemplateRule {
    pub id: String,
    pub checklist_id: String,
    pub automated_alias: String,
    pub conditions: String,
    pub then_actions: String,
    pub created_at: i64,
    pub last_updated: i64,
}

/// A new template (CL2). Lists are resolved; `texts` and `flags` hold the keys sent.
#[derive(Debug, Clone)]
pub struct NewTemplate {
    /// Its id (the default alias is made from it).
    pub id: String,
    /// Title.
    pub title: String,
    /// `procedure`, `form` or `document`.
    pub template_type: String,
    /// The optional texts sent (column, value).
    pub texts: Vec<(&'static str, Option<String>)>,
    /// The flags sent (column, value).
    pub flags: Vec<(&'static str, bool)>,
    /// The alias asked for, or the default one (`alias_given` false), made unique by suffixing.
    pub alias: String,
    /// Whether `alias` was sent: then a taken one is refused instead of suffixed.
    pub alias_given: bool,
    /// Owner.
    pub owner_id: i64,
    /// Creator.
    pub created_by: i64,
    /// Folder the template is filed in.
    pub folder_id: Option<String>,
    /// Stored folder id.
    pub default_folder: Option<String>,
    /// Members granted launch.
    pub users: Vec<i64>,
    /// Groups granted launch.
    pub groups: Vec<String>,
    /// Tags to attach.
    pub tags: Vec<TagTarget>,
    /// Kick-off fields, in order.
    pub prerun: Vec<TemplateFieldDef>,
    /// The `id` each kick-off field entry carried (an import), parallel to `prerun`.
    pub prerun_ids: Vec<Option<String>>,
    /// Steps, in order.
    pub steps: Vec<NewTemplateStep>,
    /// Rules, created after the steps and fields; their references to the `id`s entries
    /// carried are rewritten to the new ids.
    pub rules: Vec<NewTemplateRule>,
    /// Time of the write.
    pub now: i64,
}

/// A rule of a new template (CL2 `automated_actions`).
#[derive(Debug, Clone)]
pub struct NewTemplateRule {
    /// The rule's id.
    pub id: String,
    /// Its definition, naming the entries' own ids where they carried one.
    pub def: docket_domain::automation::RuleDef,
}

/// A step of a new template (CL2 `steps`).
#[derive(Debug, Clone)]
pub struct NewTemplateStep {
    /// The `id` the entry carried (an import), which later entries' deadlines may name.
    pub old_id: Option<String>,
    /// The step and its captures, as ST2 would write them.
    pub write: StepWrite,
    /// The `id` each capture entry carried (an import), parallel to `write.captures`.
    pub capture_ids: Vec<Option<String>>,
}

/// An entry of a complete kick-off field list (CL4 `prerun`).
#[derive(Debug, Clone)]
pub enum KickoffEntry {
    /// The existing field `id`, with its definition after the entry's changes.
    Keep {
        /// The field.
        id: String,
        /// Its new definition.
        def: TemplateFieldDef,
    },
    /// A new field.
    New(TemplateFieldDef),
}

/// A copy of a template (CL8).
#[derive(Debug, Clone)]
pub struct CloneTemplate {
    /// The copy's id.
    pub id: String,
    /// The copy's title.
    pub title: String,
    /// Who copies it: the copy's owner and creator.
    pub by: i64,
    /// Time of the write.
    pub now: i64,
}

/// A partial change of a template (CL4): `None` leaves a field as it is.
#[derive(Debug, Clone, Default)]
pub struct TemplatePatch {
    /// New title.
    pub title: Option<String>,
    /// New type.
    pub template_type: Option<String>,
    /// Texts sent (column, value; `None` clears).
    pub texts: Vec<(&'static str, Option<String>)>,
    /// Flags sent.
    pub flags: Vec<(&'static str, bool)>,
    /// New alias (refused when taken by another template).
    pub alias: Option<String>,
    /// New owner.
    pub owner_id: Option<i64>,
    /// `Some(None)` unfiles.
    pub folder_id: Option<Option<String>>,
    /// `Some(None)` clears.
    pub default_folder: Option<Option<String>>,
    /// Replaces `users`.
    pub users: Option<Vec<i64>>,
    /// Replaces `groups`.
    pub groups: Option<Vec<String>>,
    /// Replaces the tag links.
    pub tags: Option<Vec<TagTarget>>,
    /// The complete list of kick-off fields, in order.
    pub prerun: Option<Vec<KickoffEntry>>,
    /// Who changes it.
    pub by: i64,
    /// Time of the write.
    pub now: i64,
}

/// Why a template write was refused.
#[derive(Debug, Clone, PartialEq)]
pub enum TemplateRefusal {
    /// The template is archived (writes other than restore, delete and clone).
    Archived,
    /// Permanent delete of a template that is not archived.
    NotArchived,
    /// The alias is taken by another template of the organization.
    AliasTaken,
    /// A kick-off field to delete is named by a rule.
    FieldHasRules,
    /// Step `{0}` of a create body was refused.
    Step(usize, StepRefusal),
}

/// How the template list is ordered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TemplateSort {
    /// Pinned first, then most recently updated.
    Default,
    /// By title (`true`: descending).
    Title(bool),
    /// By creation (`true`: descending).
    CreatedAt(bool),
    /// By last update (`true`: descending).
    LastUpdated(bool),
}

/// The template list's filters (CL1).
#[derive(Debug, Clone)]
pub struct TemplateQuery {
    /// A `like_pattern` of the title.
    pub q: Option<String>,
    /// Types (any of).
    pub types: Vec<String>,
    /// Archived ones too, or only them.
    pub archived: ArchivedFilter,
    /// Starred or not.
    pub starred: Option<bool>,
    /// Filed directly in one of these folders.
    pub folders: Vec<String>,
    /// Carrying this tag (an id; an unknown tag matches nothing).
    pub tag: Option<String>,
    /// Owned by this member.
    pub owner_id: Option<i64>,
    /// Order.
    pub sort: TemplateSort,
    /// Page.
    pub window: Window,
}

/// The folder a template is filed in, as its `folder` include shows it.
#[derive(Debug, Clone, sqlx::FromRow)]
#[allow(missing_docs)]
pub struct TemplateFolder {
    pub id: String,
    pub name: String,
    pub parent_id: Option<String>,
    pub folder_type: String,
    pub position: i64,
    pub created_at: i64,
    pub last_updated: i64,
    /// Templates filed directly in it plus its folder objects.
    pub total: i64,
}

/// A step found by search (S1 `step`).
#[derive(Debug, Clone, sqlx::FromRow)]
#[allow(missing_docs)]
pub struct StepHit {
    pub id: String,
    pub title: String,
    pub alias: String,
    pub step_type: String,
    pub position: i64,
    pub checklist_id: String,
    pub checklist_title: String,
    pub created_at: i64,
}

/// A step capture or kick-off field found by search (S1 `capture`).
#[derive(Debug, Clone, sqlx::FromRow)]
#[allow(missing_docs)]
pub struct CaptureHit {
    pub id: String,
    pub label: String,
    pub alias: String,
    pub field_type: String,
    pub step_id: Option<String>,
    pub checklist_id: String,
    pub checklist_title: String,
    pub created_at: i64,
}
