//! The one task insert: every path that writes new tasks (the general create,
//! `sql/task_create.rs`; the SQLite batch of the common create, `group_commit.rs`; the demo
//! generator, `sql/demo.rs`) takes its `INSERT INTO tasks` from [`insert_sql`], which reads the
//! columns and what a create writes into each from one table, [`COLUMNS`]. The paths differ only
//! in where their rows come from ([`Rows`]). Each path builds its text once (a `LazyLock`), so a
//! statement is prepared once per connection.

/// What a create writes into a column.
enum Value {
    /// A field of the create: bound as `$n` on the general path (`n` its place in
    /// [`CREATE_FIELDS`]), read as `j.v ->> 'key'` from the batch's JSON array.
    Field(&'static str),
    /// What every new task starts with (SQL).
    Initial(&'static str),
    /// The task's organization-wide number (see [`Numbering`]).
    Number,
    /// Its place in a run: the field on the general path; the batch writes standalone tasks
    /// only, which take the SQL given.
    Place(&'static str, &'static str),
    /// What only a launch from a template writes (bound on [`Rows::Bound`]); every other create
    /// writes the SQL given.
    Launched(&'static str),
}

/// The columns of a task insert, in the order of its values, and what a create writes there.
const COLUMNS: [(&str, Value); 31] = [
    ("id", Value::Field("id")),
    ("org_id", Value::Field("org")),
    ("increment_id", Value::Number),
    ("run_id", Value::Place("run", "NULL")),
    ("position", Value::Place("position", "1")),
    ("title", Value::Field("title")),
    ("original_title", Value::Field("title")),
    ("summary", Value::Field("summary")),
    ("task_type", Value::Field("task_type")),
    ("status", Value::Initial("'not-started'")),
    ("is_approved", Value::Initial("NULL")),
    ("started_at", Value::Field("started_at")),
    ("deadline", Value::Field("deadline")),
    ("created_at", Value::Field("now")),
    ("last_updated", Value::Field("now")),
    ("completed_at", Value::Initial("NULL")),
    ("completer_id", Value::Initial("NULL")),
    ("starter_id", Value::Field("starter")),
    ("everyone_must_complete", Value::Field("everyone_must_complete")),
    (
        "can_complete_only_assignees",
        Value::Field("can_complete_only_assignees"),
    ),
    ("max_assignable", Value::Field("max_assignable")),
    ("webhook", Value::Field("webhook")),
    ("prevent_guest_comment", Value::Field("prevent_guest_comment")),
    ("top_secret", Value::Field("top_secret")),
    ("problem", Value::Initial("FALSE")),
    ("is_soft_start_date", Value::Field("is_soft_start_date")),
    ("step_id", Value::Launched("NULL")),
    ("checklist_id", Value::Launched("NULL")),
    ("alias", Value::Launched("NULL")),
    ("blueprint_position", Value::Launched("NULL")),
    ("allow_guest_owners", Value::Launched("TRUE")),
];

/// The fields of a create in the order the general path binds them (`$1…$19`, see
/// `task_create.rs::bind_task`); `number` is the task's number when the caller gives it
/// ([`Numbering::Bound`]). The batch's JSON elements carry the same keys.
pub(crate) const CREATE_FIELDS: [&str; 19] = [
    "id",
    "org",
    "number",
    "run",
    "position",
    "title",
    "summary",
    "task_type",
    "started_at",
    "deadline",
    "now",
    "starter",
    "everyone_must_complete",
    "can_complete_only_assignees",
    "max_assignable",
    "webhook",
    "prevent_guest_comment",
    "top_secret",
    "is_soft_start_date",
];

/// How the general path numbers its task.
#[derive(Clone, Copy)]
pub(crate) enum Numbering {
    /// The caller's number, bound as the `number` field.
    Bound,
    /// The organization's task sequence as it stands (the caller moves it first).
    Sequence,
}

/// Where the rows of a task insert come from.
#[derive(Clone, Copy)]
pub(crate) enum Rows {
    /// One create, its fields bound as `$1…` in [`CREATE_FIELDS`] order.
    Create(Numbering),
    /// The standalone creates of the JSON array bound as `$1` (elements keyed as
    /// [`CREATE_FIELDS`]), numbered in array order from their organization's sequence, which the
    /// caller then moves past them. A create whose organization is missing writes no row.
    JsonArray,
    /// `n` tasks given column by column: every column bound, `$1…$31` for the first task, the
    /// next 31 for the second, and so on (the demo generator and the launch of a template).
    Bound(usize),
}

/// The placeholder of the create field `key`.
fn placeholder(key: &str) -> String {
    let n = CREATE_FIELDS
        .iter()
        .position(|f| *f == key)
        .unwrap_or_else(|| panic!("{key} is not a create field"));
    format!("${}", n + 1)
}

/// What a create writes into a column holding `value`: one bound create (`Some(numbering)`) or
/// an element of the JSON batch (`None`).
fn value_sql(value: &Value, create: Option<Numbering>) -> String {
    match (value, create) {
        (Value::Initial(sql) | Value::Launched(sql), _) => (*sql).to_string(),
        (Value::Field(key) | Value::Place(key, _), Some(_)) => placeholder(key),
        (Value::Field(key), None) => format!("j.v ->> '{key}'"),
        (Value::Place(_, standalone), None) => (*standalone).to_string(),
        (Value::Number, Some(Numbering::Bound)) => placeholder("number"),
        (Value::Number, Some(Numbering::Sequence)) => {
            format!("(SELECT task_seq FROM organizations WHERE id = {})", placeholder("org"))
        }
        (Value::Number, None) => "o.task_seq + row_number() OVER (PARTITION BY o.id ORDER BY j.k)".into(),
    }
}

/// `INSERT INTO tasks (<columns>) <rows> [RETURNING <returning>]`, without a trailing `;`.
pub(crate) fn insert_sql(rows: Rows, returning: Option<&str>) -> String {
    let columns: Vec<&str> = COLUMNS.iter().map(|(name, _)| *name).collect();
    let mut sql = format!("INSERT INTO tasks ({})\n", columns.join(", "));
    let values = |create| {
        let values: Vec<String> = COLUMNS.iter().map(|(_, v)| value_sql(v, create)).collect();
        values.join(", ")
    };
    match rows {
        Rows::Create(numbering) => sql += &format!("VALUES ({})", values(Some(numbering))),
        Rows::JsonArray => {
            sql += &format!(
                "SELECT {}
FROM (SELECT key AS k, value AS v FROM json_each($1)) j JOIN organizations o ON o.id = j.v ->> 'org'
ORDER BY j.k",
                values(None)
            )
        }
        Rows::Bound(n) => {
            let width = COLUMNS.len();
            let tuples: Vec<String> = (0..n)
                .map(|row| {
                    let row: Vec<String> = (1..=width).map(|c| format!("${}", row * width + c)).collect();
                    format!("({})", row.join(", "))
                })
                .collect();
            sql += &format!("VALUES {}", tuples.join(",\n"));
        }
    }
    if let Some(returning) = returning {
        sql += &format!("\nRETURNING {returning}");
    }
    sql
}

/// The number of values a task of [`Rows::Bound`] binds.
pub(crate) const COLUMN_COUNT: usize = COLUMNS.len();

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_general_path_binds_every_create_field_and_numbers_as_asked() {
        let bound = insert_sql(Rows::Create(Numbering::Bound), Some("increment_id"));
        for n in 1..=CREATE_FIELDS.len() {
            let bound_once = bound.contains(&format!("${n},")) || bound.contains(&format!("${n})"));
            assert!(bound_once, "${n} in {bound}");
        }
        assert!(bound.ends_with("RETURNING increment_id"));
        let sequence = insert_sql(Rows::Create(Numbering::Sequence), None);
        assert!(!sequence.contains("$3"), "{sequence}");
        assert!(sequence.contains("(SELECT task_seq FROM organizations WHERE id = $2)"));
    }

    #[test]
    fn the_batch_reads_create_fields_only_and_binds_nothing_else() {
        let sql = insert_sql(Rows::JsonArray, Some("id, increment_id"));
        let keys: Vec<&str> = sql
            .split("j.v ->> '")
            .skip(1)
            .filter_map(|s| s.split('\'').next())
            .collect();
        assert!(!keys.is_empty());
        for key in keys {
            assert!(CREATE_FIELDS.contains(&key), "{key} is not a create field");
        }
        assert!(!sql.contains("$2"), "{sql}");
    }

    #[test]
    fn bound_rows_number_their_placeholders_row_after_row() {
        let sql = insert_sql(Rows::Bound(2), None);
        assert!(sql.contains("($1, $2,"));
        assert!(sql.contains(&format!("(${}, ", COLUMN_COUNT + 1)));
        assert!(sql.ends_with(&format!("${})", 2 * COLUMN_COUNT)));
    }
}
