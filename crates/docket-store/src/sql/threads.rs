//! Comment threads on tasks.

use sqlx::Pool;

use super::Db;
use super::tasks::placeholders;
use crate::model::ThreadRow;

const THREAD_COLS: &str = "th.id, th.task_id, t.run_id, th.content, th.label, th.state, th.author_id, th.resolve_id,
    th.created_at, th.updated_at";

/// The threads of these tasks of `org`, oldest first.
pub(crate) async fn of_tasks(pool: &Pool<Db>, org: &str, task_ids: &[String]) -> Result<Vec<ThreadRow>, sqlx::Error> {
    if task_ids.is_empty() {
        return Ok(Vec::new());
    }
    let sql = format!(
        "SELECT {THREAD_COLS} FROM threads th JOIN tasks t ON t.id = th.task_id
          WHERE th.org_id = $1 AND th.task_id IN ({}) ORDER BY th.created_at, th.id",
        placeholders(2, task_ids.len())
    );
    let mut q = sqlx::query_as::<_, ThreadRow>(&sql).bind(org);
    for id in task_ids {
        q = q.bind(id);
    }
    q.fetch_all(pool).await
}
