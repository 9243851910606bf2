//! Request bodies as the document describes them: the canonical JSON spelling of each field.
//! Handlers read bodies with `docket_domain::input::Reader` (keys ignoring case and `_`,
//! aliases, coercions, forms), so these types only describe; they are never deserialized.

use std::collections::BTreeMap;

use serde_json::Value;
use utoipa::ToSchema;

/// Assignees (spec §5.5).
#[derive(ToSchema)]
pub struct OwnersInput {
    /// Member ids.
    pub users: Option<Vec<i64>>,
    /// Guest emails; unknown ones become guests of the organization.
    pub guests: Option<Vec<String>>,
    /// Group ids.
    pub groups: Option<Vec<String>>,
}

/// A form field definition (spec §2.5).
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

/// T1: create a one-off task, a fan-out run, or add a task to a run.
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
    /// A date or date-time (spec §1.6).
    pub deadline: Option<String>,
    /// A date or date-time (spec §1.6).
    pub started_at: Option<String>,
    /// A new run with one task per assignee (spec §5.1).
    pub separate_task_for_each_assignee: Option<bool>,
    /// Add the task to this run (spec §5.2).
    pub run_id: Option<String>,
    /// Position inside the run, ≥ 1.
    pub position: Option<i64>,
    /// Spec §5.7.
    pub everyone_must_complete: Option<bool>,
    /// Affects the `active` filter.
    pub is_soft_start_date: Option<bool>,
    /// Spec §5.6.
    pub can_complete_only_assignees: Option<bool>,
    /// 0 = unlimited (spec §5.8).
    pub max_assignable: Option<i64>,
    /// Stored only.
    pub prevent_guest_comment: Option<bool>,
    /// An absolute http(s) URL called on completion (spec §5.12).
    pub webhook: Option<String>,
    /// Tag ids or titles; unknown titles create tags.
    pub tags: Option<Vec<String>>,
    /// Visible only to admins and assignees.
    pub top_secret: Option<bool>,
    /// Form fields of the task.
    pub form_fields: Option<Vec<FormFieldInput>>,
}

/// T4, R12: a partial update of a task; fields that are absent do not change.
#[derive(ToSchema)]
pub struct UpdateTask {
    /// 1–600 characters (alias `name`).
    pub title: Option<String>,
    /// `null` clears (alias `description`).
    pub summary: Option<String>,
    /// A date or date-time (spec §1.6).
    pub deadline: Option<String>,
    /// A date or date-time (spec §1.6).
    pub started_at: Option<String>,
    /// Replaces the assignees; a missing bucket is emptied.
    pub owners: Option<OwnersInput>,
    /// Values by capture id (spec §2.5).
    pub taskdata: Option<BTreeMap<String, Value>>,
    /// `not-started`, `in-progress` or `completed`.
    pub status: Option<String>,
    /// With `status: completed`.
    pub is_approved: Option<bool>,
    /// As in T1.
    pub task_type: Option<String>,
    /// As in T1; `null` clears.
    pub webhook: Option<String>,
    /// Spec §5.7.
    pub everyone_must_complete: Option<bool>,
    /// Spec §5.6.
    pub can_complete_only_assignees: Option<bool>,
    /// Spec §5.8.
    pub max_assignable: Option<i64>,
    /// Stored only.
    pub prevent_guest_comment: Option<bool>,
    /// Affects the `active` filter.
    pub is_soft_start_date: Option<bool>,
    /// Visibility (spec §1.11).
    pub top_secret: Option<bool>,
    /// Replaces the task's tags (ids or titles).
    pub tags: Option<Vec<String>>,
    /// Position inside the run.
    pub position: Option<i64>,
}

/// T8, R13: complete a task.
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

/// R3: a partial update of a run.
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
    /// Accepted and ignored.
    pub prerun: Option<BTreeMap<String, Value>>,
}

/// C1, C2: a comment.
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

/// C4: report a problem.
#[derive(ToSchema)]
pub struct ProblemInput {
    /// What is wrong.
    pub content: String,
    /// Member ids to notify.
    pub sent_to: Option<Vec<i64>>,
}

/// C5: resolve a problem.
#[derive(ToSchema)]
pub struct ResolveInput {
    /// The problem thread to resolve.
    pub thread_id: String,
    /// How it was resolved.
    pub content: String,
}

/// TG2, TG4: a tag.
#[derive(ToSchema)]
pub struct TagInput {
    /// 1–30 characters, unique in the organization.
    pub title: String,
    /// `#rrggbb`.
    pub color: Option<String>,
}

/// TG6: attach a tag to a run or a task.
#[derive(ToSchema)]
pub struct TagLinkInput {
    /// The tag.
    pub tag_id: String,
    /// The run or task id.
    pub subject_id: String,
    /// `Run` (default) or `Task`.
    pub subject_type: Option<String>,
}

/// GR2, GR4: a group.
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

/// GU3, GU5: a guest.
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

/// U4: invite a member.
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

/// U5: change a member's role.
#[derive(ToSchema)]
pub struct RoleInput {
    /// `admin`, `standard` or `light`.
    pub role: String,
}

/// A body-less write: an empty body, or any object (its keys are ignored).
#[derive(ToSchema)]
pub struct Empty {}
