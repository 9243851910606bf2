//! Request bodies as the document describes them: the canonical JSON spelling of each field.
//! Handlers read bodies with `docket_domain::input::Reader` (keys ignoring case and `_`,
//! aliases, coercions, forms), so these types only describe; they are never deserialized.

use std::collections::BTreeMap;

use serde_json::Value;
use utoipa::ToSchema;

/// Assignees: members by id (or email or username), guests by email, groups by id.
#[derive(ToSchema)]
pub struct OwnersInput {
    /// Member ids.
    pub users: Option<Vec<i64>>,
    /// Guest emails; unknown ones become guests of the organization.
    pub guests: Option<Vec<String>>,
    /// Group ids.
    pub groups: Option<Vec<String>>,
}

/// A form field definition.
#[derive(ToSchema)]
pub struct FormFieldInput {
    /// The question.
    pub label: String,
    /// `text`, `textarea`, `radio`, `dropdown`, `multiselect`, `date`, `email`, `file`, `table`, …
    pub field_type: String,
    /// Help text.
    pub guidance: Option<String>,
    /// 1-based order among the task's fields.
    pub position: Option<i64>,
    /// Whether completion needs a value.
    pub required: Option<bool>,
    /// Choices of radio/dropdown/multiselect fields: `{"text": …}` objects.
    pub options: Option<Vec<Value>>,
    /// Columns of table fields: `{"label": …}` objects.
    pub columns: Option<Vec<Value>>,
}

/// Creates a standalone task, a run (process) with one task per assignee, or a task in an
/// existing run.
#[derive(ToSchema)]
pub struct CreateTask {
    /// 1–600 characters (alias `name`).
    pub title: String,
    /// Instructions (alias `description`).
    pub summary: Option<String>,
    /// `task`, `approval`, `expiring`, `email`, `expiring_email`.
    pub task_type: Option<String>,
    /// Assignees.
    pub owners: Option<OwnersInput>,
    /// A date (`2030-01-15`, midnight UTC) or date-time (`2030-01-15T17:00:00Z`, with an
    /// offset, or without a zone for UTC).
    pub deadline: Option<String>,
    /// A date (`2030-01-15`, midnight UTC) or date-time (`2030-01-15T17:00:00Z`, with an
    /// offset, or without a zone for UTC).
    pub started_at: Option<String>,
    /// `true`: a new run with one task per assignee (members first, then guests, then each
    /// group's people), the caller owning the run; with `run_id`, those tasks join that run.
    pub separate_task_for_each_assignee: Option<bool>,
    /// Add the task to this run (not archived); it goes last unless `position` is given.
    pub run_id: Option<String>,
    /// Position inside the run, ≥ 1.
    pub position: Option<i64>,
    /// `true`: the task completes only once every assignee has completed it (until then it is
    /// `in-progress` with a `completion_progress`).
    pub everyone_must_complete: Option<bool>,
    /// Affects the `active` filter.
    pub is_soft_start_date: Option<bool>,
    /// `true`: only assignees may complete the task (403 for anyone else).
    pub can_complete_only_assignees: Option<bool>,
    /// The most direct assignees (users + guests + groups); 0 = unlimited.
    pub max_assignable: Option<i64>,
    /// Stored only.
    pub prevent_guest_comment: Option<bool>,
    /// An absolute http(s) URL called (signed, retried) each time the task becomes completed.
    pub webhook: Option<String>,
    /// Tag ids or titles; unknown titles create tags.
    pub tags: Option<Vec<String>>,
    /// Visible only to admins and assignees.
    pub top_secret: Option<bool>,
    /// Form fields of the task.
    pub form_fields: Option<Vec<FormFieldInput>>,
}

/// A partial update of a task; fields that are absent do not change.
#[derive(ToSchema)]
pub struct UpdateTask {
    /// 1–600 characters (alias `name`).
    pub title: Option<String>,
    /// `null` clears (alias `description`).
    pub summary: Option<String>,
    /// A date (`2030-01-15`, midnight UTC) or date-time (`2030-01-15T17:00:00Z`, with an
    /// offset, or without a zone for UTC).
    pub deadline: Option<String>,
    /// A date (`2030-01-15`, midnight UTC) or date-time (`2030-01-15T17:00:00Z`, with an
    /// offset, or without a zone for UTC).
    pub started_at: Option<String>,
    /// Replaces the assignees; a missing bucket is emptied.
    pub owners: Option<OwnersInput>,
    /// Form field answers keyed by field (capture) id; only the keys sent are written, `null`
    /// or `""` clears one; a key that is not a field of this task is a 422. A `file` field's value
    /// is a list of entries, each naming a file of the organization you may see by `id` (stored
    /// with the file's own keys) or a link by `url`; any other `id` is a 422.
    pub taskdata: Option<BTreeMap<String, Value>>,
    /// `not-started`, `in-progress` or `completed`.
    pub status: Option<String>,
    /// With `status: completed`.
    pub is_approved: Option<bool>,
    /// `task`, `approval`, `expiring`, `email`, `expiring_email`.
    pub task_type: Option<String>,
    /// An absolute http(s) URL called on completion; `null` clears.
    pub webhook: Option<String>,
    /// `true`: the task completes only once every assignee has completed it (until then it is
    /// `in-progress` with a `completion_progress`).
    pub everyone_must_complete: Option<bool>,
    /// `true`: only assignees may complete the task (403 for anyone else).
    pub can_complete_only_assignees: Option<bool>,
    /// The most direct assignees (users + guests + groups); 0 = unlimited.
    pub max_assignable: Option<i64>,
    /// Stored only.
    pub prevent_guest_comment: Option<bool>,
    /// Affects the `active` filter.
    pub is_soft_start_date: Option<bool>,
    /// Visible only to admins and assignees.
    pub top_secret: Option<bool>,
    /// Replaces the task's tags (ids or titles).
    pub tags: Option<Vec<String>>,
    /// Position inside the run.
    pub position: Option<i64>,
}

/// Completes a task.
#[derive(ToSchema)]
pub struct CompleteTask {
    /// The task to complete.
    pub task_id: String,
    /// The decision of an approval task (required there).
    pub is_approved: Option<bool>,
    /// A member recorded as completer instead of the caller.
    pub override_user: Option<i64>,
    /// Posted as a comment after completion.
    pub comment: Option<String>,
}

/// A partial update of a run (process).
#[derive(ToSchema)]
pub struct UpdateRun {
    /// 1–550 characters.
    pub name: Option<String>,
    /// `null` clears.
    pub summary: Option<String>,
    /// Starred.
    pub starred: Option<bool>,
    /// A member of the organization.
    pub owner_id: Option<i64>,
    /// Public.
    pub is_public: Option<bool>,
    /// Member ids; replaces.
    pub users: Option<Vec<i64>>,
    /// Group ids; replaces.
    pub groups: Option<Vec<String>>,
    /// Kick-off values keyed by field id: a partial update on runs launched from a template
    /// (required fields cannot be cleared); accepted and ignored on other runs. `file` values
    /// name files by `id` as in a task's `taskdata`.
    pub prerun: Option<BTreeMap<String, Value>>,
}

/// Overrides of one step's task at launch.
#[derive(ToSchema)]
pub struct LaunchTaskOverride {
    /// `{users, guests, groups}`; replaces the step's assignees.
    pub owners: Option<Value>,
    /// Absolute deadline.
    pub deadline: Option<String>,
    /// Absolute start.
    pub started_at: Option<String>,
    /// Cap on assignees (0 = none).
    pub max_assignable: Option<i64>,
}

/// A launch of a run from a template.
#[derive(ToSchema)]
pub struct LaunchRun {
    /// A template of the organization that is not archived.
    pub checklist_id: String,
    /// 1–550 characters; default `"{template title} - {YYYY-MM-DD}"`.
    pub name: Option<String>,
    /// Summary.
    pub summary: Option<String>,
    /// A member; default the caller.
    pub owner_id: Option<i64>,
    /// Kick-off values keyed by kick-off field id; every required field must be answered.
    /// `file` values name files by `id` as in a task's `taskdata`.
    pub prerun: Option<BTreeMap<String, Value>>,
    /// Per-step overrides keyed by step id.
    pub tasks: Option<BTreeMap<String, LaunchTaskOverride>>,
    /// Tag ids or titles.
    pub tags: Option<Vec<String>>,
    /// The run's start; default now.
    pub started_at: Option<String>,
    /// Run-level member ids.
    pub users: Option<Vec<i64>>,
    /// Run-level group ids.
    pub groups: Option<Vec<String>>,
    /// Folders to file the run in.
    pub folders: Option<Vec<String>>,
    /// A run of the organization.
    pub parent_id: Option<String>,
    /// Stored.
    pub is_public: Option<bool>,
    /// Stored.
    pub starred: Option<bool>,
    /// Stored.
    pub assign_someone_else: Option<bool>,
    /// Stored.
    pub publicly_hidden_fields: Option<Vec<String>>,
    /// Not supported: a non-empty value is refused.
    pub roles: Option<Value>,
}

/// A comment.
#[derive(ToSchema)]
pub struct CommentInput {
    /// The text; `@[<member id>]` mentions a member.
    pub content: String,
    /// `comment` (default), `improvement`, `advice`.
    pub label: Option<String>,
    /// `hide-for-guests` (default), `open`, `collapsed`.
    pub state: Option<String>,
    /// Member ids to notify.
    pub sent_to: Option<Vec<i64>>,
}

/// Reports a problem.
#[derive(ToSchema)]
pub struct ProblemInput {
    /// What is wrong.
    pub content: String,
    /// Member ids to notify.
    pub sent_to: Option<Vec<i64>>,
}

/// Resolves a problem.
#[derive(ToSchema)]
pub struct ResolveInput {
    /// The problem thread to resolve.
    pub thread_id: String,
    /// How it was resolved.
    pub content: String,
}

/// A tag.
#[derive(ToSchema)]
pub struct TagInput {
    /// 1–30 characters, unique in the organization.
    pub title: String,
    /// `#rrggbb`.
    pub color: Option<String>,
}

/// Attaches a tag to a run, a task or a template.
#[derive(ToSchema)]
pub struct TagLinkInput {
    /// The tag.
    pub tag_id: String,
    /// The run, task or template id.
    pub subject_id: String,
    /// `Run` (default), `Task` or `Checklist` (a template).
    pub subject_type: Option<String>,
}

/// A new folder.
#[derive(ToSchema)]
pub struct FolderInput {
    /// 1–32 characters (trimmed).
    pub name: String,
    /// The folder it goes in; absent or `null`: the top level.
    pub parent_id: Option<String>,
    /// `checklist` (default) or `run`.
    pub folder_type: Option<String>,
}

/// A change of a folder.
#[derive(ToSchema)]
pub struct FolderUpdateInput {
    /// 1–32 characters (trimmed); required on every update.
    pub name: String,
    /// Moves the folder under this one; `null`: to the top level; absent: stays.
    pub parent_id: Option<String>,
    /// `checklist` or `run`.
    pub folder_type: Option<String>,
    /// 1-based place among its siblings.
    #[schema(minimum = 1)]
    pub position: Option<i64>,
}

/// Files a run or a task in a folder.
#[derive(ToSchema)]
pub struct FolderObjectInput {
    /// The folder.
    pub folder_id: String,
    /// The run or task id.
    pub subject_id: String,
    /// `Run` or `Task`.
    pub subject_type: String,
}

/// A group.
#[derive(ToSchema)]
pub struct GroupInput {
    /// 1–200 characters, unique in the organization.
    pub name: String,
    /// Description.
    pub description: Option<String>,
    /// Member ids.
    pub members: Option<Vec<i64>>,
    /// Guest emails.
    pub guests: Option<Vec<String>>,
}

/// A guest.
#[derive(ToSchema)]
pub struct GuestInput {
    /// Required on create; the key of the guest.
    pub email: String,
    /// ≤ 200 characters.
    pub first_name: Option<String>,
    /// ≤ 200 characters.
    pub last_name: Option<String>,
    /// Free text.
    pub status: Option<String>,
    /// Alias `phone`.
    pub phone_1: Option<String>,
    /// Second phone.
    pub phone_2: Option<String>,
    /// Absolute URL.
    pub image_url: Option<String>,
    /// Absolute URL.
    pub contact_url: Option<String>,
    /// Absolute URL.
    pub company_url: Option<String>,
    /// Absolute URL.
    pub opportunity_url: Option<String>,
    /// Company.
    pub company_name: Option<String>,
    /// Opportunity.
    pub opportunity_name: Option<String>,
    /// Where the guest was synced from.
    pub external_sync_source: Option<String>,
    /// An IANA time zone name.
    pub timezone: Option<String>,
    /// Member ids.
    pub associated_members: Option<Vec<i64>>,
}

/// Invites a member.
#[derive(ToSchema)]
pub struct InviteInput {
    /// The new member's email.
    pub email: String,
    /// First name.
    pub first_name: String,
    /// Last name.
    pub last_name: String,
    /// `admin`, `standard` (default) or `light`.
    pub role: Option<String>,
    /// A note for the invitation.
    pub message: Option<String>,
}

/// Changes a member's role.
#[derive(ToSchema)]
pub struct RoleInput {
    /// `admin`, `standard` or `light`.
    pub role: String,
}

/// The caller's own settings (`PUT /organizations/{org}/me`).
#[derive(ToSchema)]
pub struct MeInput {
    /// How the caller hears of their tasks by email: `instant`, `daily` or `off`.
    #[schema(example = "daily")]
    pub email_notifications: String,
}

/// A body-less write: an empty body, or any object (its keys are ignored).
#[derive(ToSchema)]
pub struct Empty {}

/// A template create (CL2) or partial update (CL4).
#[derive(ToSchema)]
pub struct TemplateInput {
    /// 1–250 characters; required on create.
    pub title: Option<String>,
    /// `procedure` (default), `form` or `document`.
    #[schema(rename = "type")]
    pub template_type: Option<String>,
    /// At most 2000 characters.
    pub summary: Option<String>,
    /// Guidance.
    pub guidance: Option<String>,
    /// Icon.
    pub icon: Option<String>,
    /// Kick-off form title.
    pub kickoff_title: Option<String>,
    /// Kick-off form description.
    pub kickoff_description: Option<String>,
    /// At most 550 characters.
    pub default_process_name_format: Option<String>,
    /// Absolute http(s) URL.
    pub webhook: Option<String>,
    /// Absolute http(s) URL.
    pub explanation_video: Option<String>,
    /// Absolute http(s) URL.
    pub public_cover: Option<String>,
    /// 1–250 characters of `[a-z0-9_-]`, unique in the organization.
    pub alias: Option<String>,
    /// A member; default the caller.
    pub owner_id: Option<i64>,
    /// The folder the template is filed in; `null` unfiles it.
    pub folder_id: Option<String>,
    /// A folder id, stored.
    pub default_folder: Option<String>,
    /// Members granted launch (replaces the list on update).
    pub users: Option<Vec<i64>>,
    /// Groups granted launch (replaces the list on update).
    pub groups: Option<Vec<String>>,
    /// Tag ids or titles (replaces the tags on update).
    pub tags: Option<Vec<String>>,
    /// Kick-off field definitions; on update the complete list.
    pub prerun: Option<Vec<FormFieldInput>>,
    /// Create only (a docket extension): steps as the step create takes them, each with
    /// optional `captures`; an entry's `id` may be named by a later entry's `deadline.step`.
    pub steps: Option<Vec<Value>>,
    /// Create only (a docket extension): rules as the rule create takes them, created after the
    /// steps and fields; they may name `prerun`, `steps` and captures entries by the `id` the
    /// entry carried (rewritten to the new ids).
    pub automated_actions: Option<Vec<Value>>,
    /// Starred.
    pub starred: Option<bool>,
    /// Public.
    pub is_public: Option<bool>,
    /// Featured.
    pub is_featured: Option<bool>,
    /// Pinned (listed first).
    pub is_pinned: Option<bool>,
    /// Whether tasks may be added to launched runs.
    pub can_add_oot: Option<bool>,
    /// Always `false`; `true` is refused.
    pub dual_version_enabled: Option<bool>,
}

/// A template copy (CL8); JSON or a form.
#[derive(ToSchema)]
pub struct CloneTemplateInput {
    /// The organization copied from; only the path's organization is accepted.
    pub tenant: Option<String>,
    /// The copy's title; default `"{title} (copy)"`.
    pub title: Option<String>,
}

/// The answer of an archive or a permanent delete of a template.
#[derive(ToSchema)]
pub struct TemplateMessage {
    /// What happened.
    pub message: String,
    /// Always empty.
    pub deleted_references: Vec<String>,
}
