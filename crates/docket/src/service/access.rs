//! What a member may see and do with a task (spec §1.11, §5.6).

use docket_domain::{Actor, Role};
use docket_store::model::TaskRecord;

/// Whether `actor` is in the task's individual assignee set (directly or through a group).
pub fn is_assignee(actor: &Actor, task: &TaskRecord) -> bool {
    task.users.contains(&actor.user_id) || task.group_users.contains(&actor.user_id)
}

/// Top-secret tasks are visible only to admins and assignees; every other task to every member.
pub fn can_see(actor: &Actor, task: &TaskRecord) -> bool {
    !task.row.top_secret || actor.is_admin() || is_assignee(actor, task)
}

/// Light members may update, complete, reopen or archive only tasks assigned to them.
pub fn can_edit(actor: &Actor, task: &TaskRecord) -> bool {
    actor.role != Role::Light || is_assignee(actor, task)
}

/// Whether `user_id` (the completer) passes `can_complete_only_assignees`.
pub fn may_complete_as(user_id: i64, task: &TaskRecord) -> bool {
    !task.row.can_complete_only_assignees || task.users.contains(&user_id) || task.group_users.contains(&user_id)
}

/// `is_completable` for the caller: open, not archived, and the rules above pass.
pub fn is_completable(actor: &Actor, task: &TaskRecord) -> bool {
    task.row.status != "completed"
        && task.row.archived_at.is_none()
        && can_edit(actor, task)
        && may_complete_as(actor.user_id, task)
        && !(task.row.everyone_must_complete && task.completions.contains(&actor.user_id))
}
