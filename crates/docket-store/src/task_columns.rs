//! The one column list of a task insert: the general create (`sql/task_create.rs`), the SQLite
//! batch of the common create (`group_commit.rs`) and the demo generator (`sql/demo.rs`) write
//! the same columns in the same order. A macro, so that the batch's SQL stays one constant
//! (`concat!`).

/// The columns of `INSERT INTO tasks (…)` of a create, in the order of its values.
macro_rules! task_insert_columns {
    () => {
        "id, org_id, increment_id, run_id, position, title, original_title, summary, task_type, status, is_approved,
             started_at, deadline, created_at, last_updated, completed_at, completer_id, starter_id,
             everyone_must_complete, can_complete_only_assignees, max_assignable, webhook, prevent_guest_comment,
             top_secret, problem, is_soft_start_date"
    };
}
