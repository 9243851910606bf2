//! Organizations, members, tokens, guests, groups and tags, and the inputs that provision them.

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
    /// Email notifications: `instant`, `daily` or `off` (`docket_domain::notify`).
    pub email_notifications: String,
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
