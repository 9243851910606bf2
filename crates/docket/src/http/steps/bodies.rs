//! Request bodies of the step and capture routes as the document describes them (never
//! deserialized: handlers read bodies with `docket_domain::input::Reader`).

use serde_json::Value;
use utoipa::ToSchema;

/// A step definition (create: `title` required; update: every key optional).
#[derive(ToSchema)]
pub struct StepInput {
    /// 1–600 characters.
    pub title: Option<String>,
    /// Instructions (HTML allowed).
    pub summary: Option<String>,
    /// `task`, `approval`, `expiring`, `email`, `expiring_email`.
    pub step_type: Option<String>,
    /// Member ids.
    pub assignees: Option<Vec<i64>>,
    /// Guest emails; unknown ones become guests of the organization.
    pub guests: Option<Vec<String>>,
    /// Group ids.
    pub groups: Option<Vec<String>>,
    /// Tag ids or titles.
    pub tags: Option<Vec<String>>,
    /// `{"value", "unit", "option", "step"}`.
    pub deadline: Option<Value>,
    /// `{"value", "unit"}`.
    pub start_date: Option<Value>,
    /// 0 = unlimited.
    pub max_assignable: Option<i64>,
    /// Update only: moves the step.
    pub position: Option<i64>,
    /// URL.
    pub webhook: Option<String>,
    /// Form fields to create with the step (create only).
    pub captures: Option<Vec<CaptureInput>>,
    /// Launch the launcher as assignee when none.
    pub assign_run_starter: Option<bool>,
    /// Ignore the start date at launch.
    pub is_soft_start_date: Option<bool>,
    /// Guests may be assigned.
    pub allow_guest_owners: Option<bool>,
    /// Only assignees may complete.
    pub can_complete_only_assignees: Option<bool>,
    /// Every assignee must complete.
    pub everyone_must_complete: Option<bool>,
    /// Guests may not comment.
    pub prevent_guest_comment: Option<bool>,
    /// Hidden from members not assigned.
    pub top_secret: Option<bool>,
}

/// A form field definition (create: `label`, `field_type`, `required` required).
#[derive(ToSchema)]
pub struct CaptureInput {
    /// 1–600 characters.
    pub label: Option<String>,
    /// `text`, `textarea`, `radio`, `dropdown`, `multiselect`, `number`, `email`, `url`, `date`,
    /// `time`, `datetime`, `checkbox`, `file`, `table`, `assignees_form`.
    pub field_type: Option<String>,
    /// Must be answered.
    pub required: Option<bool>,
    /// Help text.
    pub guidance: Option<String>,
    /// Choices: strings or `{"id", "text"}` objects.
    pub options: Option<Vec<Value>>,
    /// Table columns: strings or `{"id", "label"}` objects.
    pub columns: Option<Vec<Value>>,
    /// Update only: moves the field within its step.
    pub position: Option<i64>,
}

/// A position to move to (≥ 1, clamped).
#[derive(ToSchema)]
pub struct PositionInput {
    /// 1-based.
    pub position: i64,
}

/// Where to move a form field.
#[derive(ToSchema)]
pub struct MoveCaptureInput {
    /// A step of the same template.
    pub target_step_id: String,
    /// 1-based position in the target (default 1).
    pub position: Option<i64>,
}

/// One form field's new position within its step.
#[derive(ToSchema)]
pub struct ReorderCaptureInput {
    /// A form field of the step.
    pub capture_id: String,
    /// 1-based.
    pub position: i64,
}
