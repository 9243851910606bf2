//! Tags attached to runs and tasks.

use sqlx::Pool;

use super::Db;
use super::tasks::placeholders;
use crate::model::TagLinkRow;

/// The tag links of these subjects (`Run` or `Task`) of `org`, oldest first.
pub(crate) async fn of_subjects(
    pool: &Pool<Db>,
    org: &str,
    subject_type: &str,
    subject_ids: &[String],
) -> Result<Vec<TagLinkRow>, sqlx::Error> {
    if subject_ids.is_empty() {
        return Ok(Vec::new());
    }
    let sql = format!(
        "SELECT l.id, l.tag_id, g.title, g.color, l.subject_type, l.subject_id, l.created_at
           FROM tag_links l JOIN tags g ON g.id = l.tag_id
          WHERE l.org_id = $1 AND l.subject_type = $2 AND l.subject_id IN ({}) ORDER BY l.created_at, l.id",
        placeholders(3, subject_ids.len())
    );
    let mut q = sqlx::query_as::<_, TagLinkRow>(&sql).bind(org).bind(subject_type);
    for id in subject_ids {
        q = q.bind(id);
    }
    q.fetch_all(pool).await
}
