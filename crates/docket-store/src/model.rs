//! Records the store reads and writes: rows shaped for the API layer to render, and the inputs
//! of multi-row writes.

use sqlx::FromRow;

/// An organization with its settings (spec §2.14).
#[derive(Debug, Clone, FromRow)]
pub struct Organization {
    /// Opaque id, `[A-Za-z0-9_-]{1,255}`.
    pub id: String,
    /// Display name.
    pub name: String,
    /// IANA timezone name.
    pub timezone: String,
    /// Whether standard members may invite.
    pub allow_user_invite: bool,
    /// Whether standard members may manage groups.
    pub allow_manage_groups: bool,
    /// `minutes`, `hours`, `days`, `weeks` or `months`.
    pub default_deadline_type: String,
    /// How many of `default_deadline_type` a default task deadline lies after creation.
    pub default_deadline_value: i64,
    /// Provisioned values for the other keys of §2.14, a JSON object.
    pub profile: String,
    /// The hidden MISC template's id (§2.8).
    pub misc_template_id: String,
    /// Creation time (ms).
    pub created_at: i64,
    /// Last change (ms).
    pub updated_at: i64,
    /// Active and invited members.
    pub users_count: i64,
}

/// A user seen as a member of one organization (spec §2.12).
#[derive(Debug, Clone, FromRow)]
pub struct Member {
    /// Integer user id.
    pub id: i64,
    /// Lower-cased email.
    pub email: String,
    /// Username; may be empty.
    pub username: String,
    /// First name.
    pub first_name: String,
    /// Last name.
    pub last_name: String,
    /// Provisioned profile values (phone, job title, timezone, …), a JSON object.
    pub profile: String,
    /// User creation time.
    pub created_at: i64,
    /// Last change to the user or the membership.
    pub updated_at: i64,
    /// Last login, if known.
    pub last_login_at: Option<i64>,
    /// Last API access, if known.
    pub last_accessed_at: Option<i64>,
    /// `admin`, `standard` or `light`.
    pub role: String,
    /// `active`, `invited` or `disabled`.
    pub status: String,
    /// Inviter, for invited members.
    pub invited_by: Option<i64>,
    /// Approval time.
    pub approved_at: Option<i64>,
    /// Activation time.
    pub activated_at: Option<i64>,
    /// When the membership was disabled.
    pub disabled_at: Option<i64>,
    /// Who disabled it.
    pub disabled_by: Option<i64>,
    /// When it was re-enabled.
    pub reactivated_at: Option<i64>,
    /// Who re-enabled it.
    pub reactivated_by: Option<i64>,
}

/// A guest of an organization (spec §2.13).
#[derive(Debug, Clone, FromRow)]
pub struct Guest {
    /// Integer guest id.
    pub id: i64,
    /// Owning organization.
    pub org_id: String,
    /// Lower-cased email.
    pub email: String,
    /// 40-character code carried in the guest's link.
    pub guest_code: String,
    /// First name.
    pub first_name: Option<String>,
    /// Last name.
    pub last_name: Option<String>,
    /// The other `details` keys, a JSON object.
    pub details: String,
    /// JSON array of member ids, or `NULL`.
    pub associated_members: Option<String>,
    /// When disabled.
    pub disabled_at: Option<i64>,
    /// Who disabled the guest.
    pub disabled_by: Option<i64>,
    /// When re-enabled.
    pub reactivated_at: Option<i64>,
    /// Who re-enabled the guest.
    pub reactivated_by: Option<i64>,
    /// Creation time.
    pub created_at: i64,
    /// Last change.
    pub updated_at: i64,
}

/// A group of members and guests (spec §2.11).
#[derive(Debug, Clone)]
pub struct Group {
    /// 32-hex id.
    pub id: String,
    /// Owning organization.
    pub org_id: String,
    /// Name, unique in the organization ignoring case.
    pub name: String,
    /// Description.
    pub description: Option<String>,
    /// Member ids, in stored order.
    pub members: Vec<i64>,
    /// Guest emails, in stored order.
    pub guests: Vec<String>,
    /// Creation time.
    pub created_at: i64,
    /// Last change.
    pub updated_at: i64,
}

/// A tag (spec §2.10).
#[derive(Debug, Clone, FromRow)]
pub struct Tag {
    /// 32-hex id.
    pub id: String,
    /// Owning organization.
    pub org_id: String,
    /// Title, unique in the organization ignoring case.
    pub title: String,
    /// `#rrggbb` or `NULL`.
    pub color: Option<String>,
    /// Creation time.
    pub created_at: i64,
    /// Last change.
    pub updated_at: i64,
}

/// What a bearer token resolves to for a request.
#[derive(Debug, Clone, FromRow)]
pub struct TokenLookup {
    /// The token's user.
    pub user_id: i64,
    /// 1 when the organization asked about exists, else 0.
    pub org_found: i64,
    /// The user's role there, if a member.
    pub role: Option<String>,
    /// The user's status there, if a member.
    pub status: Option<String>,
}

/// Who a provisioning entry refers to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum UserRef {
    /// By explicit integer id.
    Id(i64),
    /// By (lower-cased) email.
    Email(String),
}

/// An organization to create or update by provisioning.
#[derive(Debug, Clone)]
pub struct NewOrg {
    /// Id.
    pub id: String,
    /// Name.
    pub name: String,
    /// Timezone, default `UTC`.
    pub timezone: Option<String>,
    /// `allow_user_invite`, default true.
    pub allow_user_invite: Option<bool>,
    /// `allow_manage_groups`, default true.
    pub allow_manage_groups: Option<bool>,
    /// `(type, value)` of `default_deadline`, default `("days", 5)`.
    pub default_deadline: Option<(String, i64)>,
    /// Other §2.14 keys, a JSON object.
    pub profile: Option<String>,
    /// Refuse if the id exists already (bootstrap) instead of updating it (load).
    pub must_be_new: bool,
}

/// A user to create or update by provisioning.
#[derive(Debug, Clone)]
pub struct NewUser {
    /// Explicit id, else an existing user with the email, else the next free id.
    pub id: Option<i64>,
    /// Email (stored lower-cased).
    pub email: String,
    /// Username.
    pub username: String,
    /// First name.
    pub first_name: String,
    /// Last name.
    pub last_name: String,
    /// Profile values, a JSON object.
    pub profile: Option<String>,
}

/// A membership to create or update by provisioning.
#[derive(Debug, Clone)]
pub struct NewMembership {
    /// Organization id.
    pub org_id: String,
    /// Index into [`Provision::users`].
    pub user: usize,
    /// Role name.
    pub role: String,
    /// Status name (`active` unless given).
    pub status: String,
}

/// A token to store by provisioning.
#[derive(Debug, Clone)]
pub struct NewToken {
    /// Index into [`Provision::users`].
    pub user: usize,
    /// `ids::token_hash` of the token.
    pub hash: String,
}

/// One provisioning transaction: everything is written or nothing is.
#[derive(Debug, Clone, Default)]
pub struct Provision {
    /// Organizations.
    pub orgs: Vec<NewOrg>,
    /// Users.
    pub users: Vec<NewUser>,
    /// Memberships of those users.
    pub memberships: Vec<NewMembership>,
    /// Tokens of those users.
    pub tokens: Vec<NewToken>,
    /// The time to stamp on new rows.
    pub now: i64,
}

/// What a provisioning transaction did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Provisioned {
    /// The id of each entry of [`Provision::users`], in order.
    pub user_ids: Vec<i64>,
    /// Tokens newly stored (already known ones are not counted).
    pub tokens_added: usize,
}

/// An invitation of a member (U4).
#[derive(Debug, Clone)]
pub struct Invite {
    /// Lower-cased email.
    pub email: String,
    /// First name.
    pub first_name: String,
    /// Last name.
    pub last_name: String,
    /// Role name.
    pub role: String,
    /// The inviting member.
    pub invited_by: i64,
    /// Time of the invitation.
    pub now: i64,
}

/// A change of a membership's status (U6–U8).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StatusChange {
    /// Disable, by this member.
    Disable(i64),
    /// Enable again, by this member.
    Enable(i64),
    /// Set `approved_at` if unset.
    Approve,
}

/// A guest to create (GU3).
#[derive(Debug, Clone)]
pub struct NewGuest {
    /// Lower-cased email.
    pub email: String,
    /// First name.
    pub first_name: Option<String>,
    /// Last name.
    pub last_name: Option<String>,
    /// The other `details` keys given, a JSON object.
    pub details: serde_json::Map<String, serde_json::Value>,
    /// Time of creation.
    pub now: i64,
}

/// A partial change of a guest (GU5): `None` leaves a field alone, `Some(None)` clears it.
#[derive(Debug, Clone, Default)]
pub struct GuestPatch {
    /// New first name.
    pub first_name: Option<Option<String>>,
    /// New last name.
    pub last_name: Option<Option<String>>,
    /// `details` keys to replace; a JSON `null` removes the key.
    pub details: serde_json::Map<String, serde_json::Value>,
    /// New associated member ids.
    pub associated_members: Option<Option<Vec<i64>>>,
    /// Time of the change.
    pub now: i64,
}

/// Disabling or re-enabling a guest (GU7, GU8).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GuestStatusChange {
    /// Disable, by this member (no change if already disabled).
    Disable(i64),
    /// Enable, by this member.
    Enable(i64),
}

/// A group to create (GR2).
#[derive(Debug, Clone)]
pub struct NewGroup {
    /// Name.
    pub name: String,
    /// Description.
    pub description: Option<String>,
    /// Member ids of the organization, without duplicates.
    pub members: Vec<i64>,
    /// Lower-cased guest emails without duplicates; unknown ones become guests.
    pub guests: Vec<String>,
    /// Time of creation.
    pub now: i64,
}

/// A partial change of a group (GR4): `None` leaves a field alone; lists replace.
#[derive(Debug, Clone, Default)]
pub struct GroupPatch {
    /// New name.
    pub name: Option<String>,
    /// New description.
    pub description: Option<String>,
    /// New member ids, without duplicates.
    pub members: Option<Vec<i64>>,
    /// New lower-cased guest emails, without duplicates; unknown ones become guests.
    pub guests: Option<Vec<String>>,
    /// Time of the change.
    pub now: i64,
}

/// A task row with the few run and organization facts every rendering needs.
#[derive(Debug, Clone, FromRow)]
pub struct TaskRow {
    /// 32-hex id.
    pub id: String,
    /// Organization.
    pub org_id: String,
    /// Organization-wide task number.
    pub increment_id: i64,
    /// The run, for run tasks.
    pub run_id: Option<String>,
    /// 1-based position in the run (1 for standalone tasks).
    pub position: i64,
    /// Current title.
    pub title: String,
    /// Title at creation.
    pub original_title: String,
    /// Description.
    pub summary: Option<String>,
    /// Canonical task type.
    pub task_type: String,
    /// `not-started`, `in-progress` or `completed`.
    pub status: String,
    /// Completion decision of approval/expiring tasks.
    pub is_approved: Option<bool>,
    /// Start (ms).
    pub started_at: i64,
    /// Deadline (ms).
    pub deadline: i64,
    /// Creation (ms).
    pub created_at: i64,
    /// Last change (ms).
    pub last_updated: i64,
    /// Completion (ms).
    pub completed_at: Option<i64>,
    /// Archive time of the task (standalone) or of its run.
    pub archived_at: Option<i64>,
    /// Creator.
    pub starter_id: Option<i64>,
    /// Completer.
    pub completer_id: Option<i64>,
    /// Every assignee must complete.
    pub everyone_must_complete: bool,
    /// Only assignees may complete.
    pub can_complete_only_assignees: bool,
    /// Cap on direct assignees (0 = none).
    pub max_assignable: i64,
    /// Completion webhook URL.
    pub webhook: Option<String>,
    /// Stored flag.
    pub prevent_guest_comment: bool,
    /// Visible only to admins and assignees.
    pub top_secret: bool,
    /// Has an unresolved problem thread.
    pub problem: bool,
    /// Soft start date.
    pub is_soft_start_date: bool,
    /// Bumped by every change (ETag).
    pub version: i64,
    /// The run's status, for run tasks.
    pub run_status: Option<String>,
    /// The organization's MISC template id, for run tasks.
    pub checklist_id: Option<String>,
}

/// A guest as referenced by a task or group.
#[derive(Debug, Clone, PartialEq, Eq, FromRow)]
pub struct GuestRef {
    /// Guest id.
    pub id: i64,
    /// Lower-cased email.
    pub email: String,
    /// Code carried in links.
    pub guest_code: String,
}

/// A form field of a task with its current value (JSON text).
#[derive(Debug, Clone, FromRow)]
pub struct CaptureRow {
    /// 32-hex capture id.
    pub id: String,
    /// Owning task.
    pub task_id: String,
    /// Label.
    pub label: String,
    /// Slug of the label.
    pub alias: String,
    /// Field type.
    pub field_type: String,
    /// Help text.
    pub guidance: Option<String>,
    /// Order.
    pub position: i64,
    /// Required before completion.
    pub required: bool,
    /// Options, JSON array.
    pub options: String,
    /// Columns, JSON array.
    pub field_columns: String,
    /// Whether a default is configured.
    pub default_value_enabled: bool,
    /// Default, JSON.
    pub default_value: Option<String>,
    /// Current answer, JSON; `NULL` when unanswered.
    pub value: Option<String>,
    /// Creation.
    pub created_at: i64,
    /// Last change.
    pub last_updated: i64,
}

/// A task with everything needed to render it.
#[derive(Debug, Clone)]
pub struct TaskRecord {
    /// The row.
    pub row: TaskRow,
    /// Direct member assignees, in order.
    pub users: Vec<i64>,
    /// Direct guest assignees, in order.
    pub guests: Vec<GuestRef>,
    /// Assigned group ids, in order.
    pub groups: Vec<String>,
    /// Members reached through the groups (ascending per group, no duplicates).
    pub group_users: Vec<i64>,
    /// Guests reached through the groups.
    pub group_guests: Vec<GuestRef>,
    /// Form fields by position.
    pub captures: Vec<CaptureRow>,
    /// Members recorded as having completed (everyone_must_complete).
    pub completions: Vec<i64>,
}

impl TaskRecord {
    /// The individual assignee members: direct, then through groups, without duplicates.
    pub fn assignee_users(&self) -> Vec<i64> {
        let mut out = self.users.clone();
        for u in &self.group_users {
            if !out.contains(u) {
                out.push(*u);
            }
        }
        out
    }

    /// The individual assignee guests: direct, then through groups, without duplicates.
    pub fn assignee_guests(&self) -> Vec<&GuestRef> {
        let mut out: Vec<&GuestRef> = self.guests.iter().collect();
        for g in &self.group_guests {
            if !out.iter().any(|x| x.id == g.id) {
                out.push(g);
            }
        }
        out
    }
}

/// A run row.
#[derive(Debug, Clone, FromRow)]
pub struct RunRow {
    /// 32-hex id.
    pub id: String,
    /// Organization.
    pub org_id: String,
    /// Organization-wide run number.
    pub increment_id: i64,
    /// Name.
    pub name: String,
    /// Summary.
    pub summary: Option<String>,
    /// Owner.
    pub owner_id: i64,
    /// Creator.
    pub started_by: i64,
    /// Starred.
    pub starred: bool,
    /// Public.
    pub is_public: bool,
    /// Run-level member assignment, JSON array.
    pub user_ids: String,
    /// Run-level group assignment, JSON array.
    pub group_ids: String,
    /// `active`, `problem`, `complete` or `archived`.
    pub status: String,
    /// Kick-off completion.
    pub prerun_completed_at: Option<i64>,
    /// Who completed the kick-off.
    pub prerun_completed_by: Option<i64>,
    /// Start.
    pub started_at: i64,
    /// Creation.
    pub created_at: i64,
    /// Last change.
    pub last_updated: i64,
    /// When it became complete.
    pub completed_at: Option<i64>,
    /// When archived.
    pub archived_at: Option<i64>,
    /// Bumped by every change (ETag).
    pub version: i64,
    /// The organization's MISC template id.
    pub checklist_id: String,
}

/// Aggregates of a run's tasks at one instant.
#[derive(Debug, Clone, Default, FromRow)]
pub struct RunStats {
    /// The run.
    pub run_id: String,
    /// Tasks.
    pub total: i64,
    /// Completed tasks.
    pub complete: i64,
    /// Latest deadline.
    pub due_date: Option<i64>,
    /// Incomplete tasks past their deadline.
    pub late_tasks: i64,
    /// Incomplete tasks due within 24 hours.
    pub due_soon: i64,
}

/// A run with everything needed to render it.
#[derive(Debug, Clone)]
pub struct RunRecord {
    /// The row.
    pub row: RunRow,
    /// Task aggregates.
    pub stats: RunStats,
    /// Owner plus direct task assignees, ascending.
    pub collaborators: Vec<i64>,
}

/// The fields shared by every task one create makes.
#[derive(Debug, Clone)]
pub struct NewTaskSpec {
    /// Title (also `original_title`).
    pub title: String,
    /// Summary.
    pub summary: Option<String>,
    /// Canonical type.
    pub task_type: String,
    /// Start.
    pub started_at: i64,
    /// Deadline.
    pub deadline: i64,
    /// Flags.
    pub everyone_must_complete: bool,
    /// Flags.
    pub can_complete_only_assignees: bool,
    /// Cap on direct assignees.
    pub max_assignable: i64,
    /// Webhook.
    pub webhook: Option<String>,
    /// Flags.
    pub prevent_guest_comment: bool,
    /// Flags.
    pub top_secret: bool,
    /// Flags.
    pub is_soft_start_date: bool,
}

/// Assignees of one task to create: member ids, guest emails (created if new), group ids.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct OwnerSet {
    /// Member ids.
    pub users: Vec<i64>,
    /// Lower-cased guest emails.
    pub guests: Vec<String>,
    /// Group ids.
    pub groups: Vec<String>,
}

/// A tag to attach: an existing id, or a title to find or create.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TagTarget {
    /// An existing tag of the organization.
    Id(String),
    /// A title: the existing tag with that title (ignoring case) or a new one.
    Title(String),
}

/// Where created tasks go.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RunTarget {
    /// Standalone tasks.
    Standalone,
    /// A new run from the MISC template, owned by the caller.
    NewRun,
    /// An existing run, at `position` (clamped) or at the end.
    Existing {
        /// The run.
        run_id: String,
        /// Requested position.
        position: Option<i64>,
    },
}

/// One create (spec T1): one task per entry of `owners`, all in one transaction.
#[derive(Debug, Clone)]
pub struct CreateTasks {
    /// Organization.
    pub org_id: String,
    /// The caller.
    pub starter_id: i64,
    /// Shared fields.
    pub spec: NewTaskSpec,
    /// One owner set per task to create.
    pub owners: Vec<OwnerSet>,
    /// Form fields, copied with fresh ids onto every task.
    pub form_fields: Vec<docket_domain::form_field::FieldDef>,
    /// Tags for every task.
    pub tags: Vec<TagTarget>,
    /// Where the tasks go.
    pub target: RunTarget,
    /// Time of the create.
    pub now: i64,
}

/// What a create made.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Created {
    /// Task ids, by position.
    pub task_ids: Vec<String>,
    /// The run, for run tasks.
    pub run_id: Option<String>,
}

/// Why a create into an existing run was refused inside the transaction.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RunRefusal {
    /// No such run in the organization.
    Missing,
    /// The run is archived.
    Archived,
}

/// A comment thread on a task (spec §2.9).
#[derive(Debug, Clone, FromRow)]
pub struct ThreadRow {
    /// 32-hex id.
    pub id: String,
    /// The task.
    pub task_id: String,
    /// The task's run.
    pub run_id: Option<String>,
    /// Body (mentions rendered as `@[id]`).
    pub content: String,
    /// `comment`, `problem`, `resolve`, `improvement` or `advice`.
    pub label: String,
    /// `hide-for-guests`, `open` or `collapsed`.
    pub state: String,
    /// Author member.
    pub author_id: i64,
    /// On a problem: the resolving thread.
    pub resolve_id: Option<String>,
    /// Creation.
    pub created_at: i64,
    /// Last edit.
    pub updated_at: i64,
}

/// A tag attached to a run or task, with the tag's title and colour (spec §2.10 TagLink).
#[derive(Debug, Clone, FromRow)]
pub struct TagLinkRow {
    /// Association id.
    pub id: i64,
    /// The tag.
    pub tag_id: String,
    /// Tag title.
    pub title: String,
    /// Tag colour.
    pub color: Option<String>,
    /// `Run` or `Task`.
    pub subject_type: String,
    /// The run or task id.
    pub subject_id: String,
    /// When attached.
    pub created_at: i64,
}

/// A comment thread to add to a task (C1, C4, C5).
#[derive(Debug, Clone)]
pub struct NewThread {
    /// Body, mentions already rendered as `@[id]`.
    pub content: String,
    /// `comment`, `problem`, `resolve`, `improvement` or `advice` (C5 forces `resolve`).
    pub label: String,
    /// `hide-for-guests`, `open` or `collapsed`.
    pub state: String,
    /// Author member.
    pub author_id: i64,
    /// Time of the write.
    pub now: i64,
}

/// An edit of a thread (C2): new content; label and state when given.
#[derive(Debug, Clone)]
pub struct ThreadEdit {
    /// New body, mentions already rendered.
    pub content: String,
    /// New label, if given.
    pub label: Option<String>,
    /// New state, if given.
    pub state: Option<String>,
    /// Time of the write.
    pub now: i64,
}

/// Why a thread write was refused inside its transaction (a vanished task or thread is
/// `StoreError::NotFound`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ThreadRefusal {
    /// The task belongs to an archived run.
    RunArchived,
    /// C5: the thread is not an open problem thread of the task.
    NotOpenProblem,
}

/// Why disabling a guest was refused (GU7).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GuestRefusal {
    /// The guest is a direct assignee of an incomplete, non-archived task.
    IncompleteTasks,
}

/// Task counts of a guest over the tasks of one organization it is a direct assignee of
/// (spec §2.13 `stats`).
#[derive(Debug, Clone, Default, PartialEq, Eq, FromRow)]
pub struct GuestTaskStats {
    /// The guest.
    pub guest_id: i64,
    /// Tasks (not archived) it is assigned.
    pub assigned: i64,
    /// Of those, the completed ones.
    pub completed: i64,
    /// Latest completion among them.
    pub last_completed_at: Option<i64>,
}

/// A partial change of a run (R3): `None` leaves a field alone; `users`/`groups` replace.
#[derive(Debug, Clone, Default)]
pub struct RunPatch {
    /// New name.
    pub name: Option<String>,
    /// New summary (`Some(None)` clears it).
    pub summary: Option<Option<String>>,
    /// Starred.
    pub starred: Option<bool>,
    /// New owner, a member of the organization.
    pub owner_id: Option<i64>,
    /// Public.
    pub is_public: Option<bool>,
    /// Run-level member assignment, without duplicates.
    pub users: Option<Vec<i64>>,
    /// Run-level group assignment, without duplicates.
    pub groups: Option<Vec<String>>,
    /// Time of the change.
    pub now: i64,
}

/// Why a run or task archive-family write (R3–R6, R9–R10, T5–T7) was refused inside its
/// transaction.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ArchiveRefusal {
    /// No such run or task in the organization.
    Missing,
    /// The run or task is archived.
    Archived,
    /// The run is not archived (R6).
    NotArchived,
    /// The task belongs to a run (T5–T7).
    InRun,
}

/// Who asks for a task update, completion or reopen, as the state rules of §5.6 need it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LifecycleCaller {
    /// The calling member.
    pub user_id: i64,
    /// Whether their role is `light` (who may act only on tasks assigned to them).
    pub light: bool,
}

/// A validated partial update of one task (T4/R12). `None` leaves a field alone; `Some(None)`
/// clears a nullable one.
#[derive(Debug, Clone)]
pub struct TaskUpdate {
    /// Organization.
    pub org_id: String,
    /// The task.
    pub task_id: String,
    /// The caller (also the completer of `status: completed`).
    pub caller: LifecycleCaller,
    /// New title.
    pub title: Option<String>,
    /// New summary.
    pub summary: Option<Option<String>>,
    /// New deadline.
    pub deadline: Option<i64>,
    /// New start.
    pub started_at: Option<i64>,
    /// Replacement assignees (guest emails not yet guests become guests).
    pub owners: Option<OwnerSet>,
    /// Form values to write: capture id and JSON text (`None` clears the answer).
    pub taskdata: Vec<(String, Option<String>)>,
    /// `not-started`, `in-progress` or `completed`.
    pub status: Option<String>,
    /// Decision for `status: completed` on approval/expiring tasks.
    pub is_approved: Option<bool>,
    /// New canonical type.
    pub task_type: Option<String>,
    /// New webhook.
    pub webhook: Option<Option<String>>,
    /// Flag.
    pub prevent_guest_comment: Option<bool>,
    /// Flag.
    pub top_secret: Option<bool>,
    /// Flag.
    pub everyone_must_complete: Option<bool>,
    /// Flag.
    pub can_complete_only_assignees: Option<bool>,
    /// Flag.
    pub is_soft_start_date: Option<bool>,
    /// New cap on direct assignees.
    pub max_assignable: Option<i64>,
    /// New position in the run (ignored for standalone tasks).
    pub position: Option<i64>,
    /// Replacement for the task's own tags.
    pub tags: Option<Vec<TagTarget>>,
    /// Base of guest links in a webhook payload.
    pub public_base: String,
    /// Time of the write.
    pub now: i64,
}

/// A completion (T8/R13).
#[derive(Debug, Clone)]
pub struct TaskCompletion {
    /// Organization.
    pub org_id: String,
    /// The task.
    pub task_id: String,
    /// The caller.
    pub caller: LifecycleCaller,
    /// Recorded as completer: `override_user` or the caller.
    pub completer_id: i64,
    /// The decision, if sent.
    pub is_approved: Option<bool>,
    /// A comment to post as the caller when the completion changes the task.
    pub comment: Option<String>,
    /// Base of guest links in a webhook payload.
    pub public_base: String,
    /// Time of the write.
    pub now: i64,
}

/// A reopen (T9/R14).
#[derive(Debug, Clone)]
pub struct TaskReopen {
    /// Organization.
    pub org_id: String,
    /// The task.
    pub task_id: String,
    /// The caller.
    pub caller: LifecycleCaller,
    /// Time of the write.
    pub now: i64,
}

/// What a task update, completion or reopen did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LifecycleDone {
    /// Whether anything was written (`false`: a repeated completion, answered unchanged).
    pub changed: bool,
    /// The webhook event recorded because the task became completed.
    pub event_id: Option<String>,
}

/// A state rule that refused a task update, completion or reopen under lock.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LifecycleRefusal {
    /// The task is gone.
    Missing,
    /// A light member not assigned to the task (403).
    NotPermitted,
    /// §5.6: the caller (light) or the completer (`can_complete_only_assignees`) is not an
    /// assignee (403).
    OnlyAssignees,
    /// The task's run is archived.
    RunArchived,
    /// T4 step 1: completed tasks take only a reopening status.
    CompletedLocked,
    /// T9: the task is not completed.
    NotCompleted,
    /// `is_approved` missing on an approval task.
    ApprovalRequired,
    /// Open problem threads.
    OpenProblems,
    /// Unanswered required form fields: (capture id, label), by position.
    RequiredFields(Vec<(String, String)>),
    /// More direct assignees than `max_assignable` (the cap).
    TooManyAssignees(i64),
}

/// A webhook event in the outbox (spec §5.12).
#[derive(Debug, Clone, FromRow)]
pub struct OutboxRow {
    /// Event id (also `event_id` in the payload and the `X-Docket-Event-Id` header).
    pub id: String,
    /// Organization.
    pub org_id: String,
    /// The task.
    pub task_id: String,
    /// `task.completed`.
    pub event: String,
    /// Target URL.
    pub url: String,
    /// The JSON payload.
    pub payload: String,
    /// `pending`, `delivered`, …
    pub status: String,
    /// Delivery attempts made.
    pub attempts: i64,
    /// When the next attempt is due.
    pub next_attempt_at: i64,
    /// Last delivery error.
    pub last_error: Option<String>,
    /// When recorded.
    pub created_at: i64,
    /// When delivered.
    pub delivered_at: Option<i64>,
}

/// The outcome of claiming an idempotency key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum IdempotencyClaim {
    /// This request owns the key: do the work, then record the response.
    Claimed,
    /// An earlier request with the same key and body finished: replay its response.
    Done {
        /// Its status code.
        status: i64,
        /// Its body.
        body: String,
    },
    /// An earlier request with the same key and body is still running.
    InProgress,
    /// The key was used with a different request.
    Mismatch,
}
