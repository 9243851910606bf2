//! Automation rules of templates, stored in their emitted form.

use sqlx::FromRow;

/// A row of `automations`: `conditions` and `then_actions` are JSON arrays in emitted form.
#[derive(Debug, Clone, FromRow)]
pub struct AutomationRow {
    /// id32.
    pub id: String,
    /// The template.
    pub checklist_id: String,
    /// Creation order within the template.
    pub seq: i64,
    /// The rule's name.
    pub automated_alias: String,
    /// JSON array of conditions.
    pub conditions: String,
    /// JSON array of actions.
    pub then_actions: String,
    /// Creation.
    pub created_at: i64,
    /// Last change.
    pub last_updated: i64,
}

/// A rule to store: alias and the JSON of its lists.
#[derive(Debug, Clone)]
pub struct RuleWrite {
    /// The rule's name.
    pub automated_alias: String,
    /// JSON array of conditions.
    pub conditions: String,
    /// JSON array of actions.
    pub then_actions: String,
    /// The member writing (the template's `last_updated_by`).
    pub actor: i64,
    /// Time of the write.
    pub now: i64,
}

/// Why a rule write was refused inside its transaction.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RuleRefusal {
    /// The template (or, for updates and deletes, the rule) does not exist in the organization.
    Missing,
    /// The template is archived.
    Archived,
}

/// The template a rule route addresses: whether it is archived, and how many rules it has.
#[derive(Debug, Clone, FromRow)]
pub struct RuleTemplate {
    /// The template id.
    pub id: String,
    /// Set while archived.
    pub archived_at: Option<i64>,
    /// Number of rules.
    pub rule_count: i64,
}

/// What a rule pass changed: task id → the keys rules changed (`status`, `deadline`, `owners`)
/// with their new values.
pub type RuleChanges = serde_json::Map<String, serde_json::Value>;
