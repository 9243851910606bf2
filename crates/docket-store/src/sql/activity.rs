//! The activity feed (spec §2.6, §4.9, §5.6).
//!
//! **Recording.** Each write calls one function here inside its own transaction: [`task`],
//! [`run`], [`template`], [`step`], [`thread`] (or [`asset`] for files). Each is ONE
//! `INSERT … SELECT` from the object's row, so the entry holds the object's state as the
//! transaction sees it; the shape (`type`, `auditable_type`, description) comes from
//! `docket_domain::activity`. The actor is the member of the current request, or the guest
//! acting from their link (`actor_guest_id`, source `Guest`) ([`crate::model::ACTING`]).
//!
//! **The cursor follows commit order.** An entry is inserted with `id` NULL. [`sequence`]
//! gives every committed unsequenced entry the next ids in `entry_key` order (the order of
//! writing, [`next_key`]):
//! one statement, `base + row_number()` with `base` the largest id so far. On SQLite the
//! writing transaction runs it just before it commits: SQLite has one writer at a time, so
//! entries are numbered in commit order. On PostgreSQL writers never number their entries
//! (no lock in the writers' transactions); a reader numbers them, in its own short
//! transaction under a global advisory lock, before it reads. Numbering only ever sees
//! committed entries, each numbering transaction commits before the next one starts, and an
//! entry becomes visible to the cursor only with its id: so a reader that sees id N also sees
//! every id below N, and an entry that commits late simply gets a higher id. No entry is
//! skipped or repeated by `after`. The numbering also adds the entries it numbers to the
//! feed's counts (`activity_tally.rs`), in the same transaction.
//!
//! Reading the feed is `activity_feed.rs`.

use docket_domain::activity::{self, Subject};
use docket_domain::ids;
use sqlx::Pool;

use super::{Db, IS_PG};
use crate::model::{Note, RunPatch, RunTarget, TaskRow, TaskUpdate, TemplatePatch, acting_guest, acting_user};

type Conn = <Db as sqlx::Database>::Connection;

/// The advisory lock key of the numbering (PostgreSQL): "docket-activity".
const SEQUENCER_LOCK: i64 = 0x646f_636b_6574_6163;

/// The shared columns of every insert, in bind order after the `SELECT`'s own columns.
const COLS: &str = "entry_key, org_id, verb, source, actor_id, type, auditable_type, auditable_id,
    parentable_type, parentable_id, description, title, field, old_value, body, run_id, task_id, checklist_id,
    created_at, actor_guest_id";

/// The key prefix of the next insert: strictly increasing within this process (microseconds,
/// bumped past the last key), so the entries of one transaction are numbered in the order it
/// wrote them; a random tail keeps keys of several processes apart.
fn next_key() -> String {
    use std::sync::atomic::{AtomicU64, Ordering};
    static LAST: AtomicU64 = AtomicU64::new(0);
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_micros() as u64);
    let prev = LAST.fetch_update(Ordering::SeqCst, Ordering::SeqCst, |last| Some(now.max(last + 1)));
    let key = prev.map_or(now, |last| now.max(last + 1));
    format!("{key:016x}{}:", &ids::new_random_id32()[..8])
}

/// Binds the values every insert shares: `$1` key prefix, `$2` verb, `$3` source, `$4` actor,
/// `$5` type, `$6` auditable type, `$7` description prefix, `$8` field, `$9` old value,
/// `$10` text, `$11` now. (The acting guest, the last column, is bound last by each insert.)
fn common<'q>(
    sql: &'q str,
    subject: Subject,
    verb: &'q str,
    note: &Note,
    now: i64,
) -> sqlx::query::Query<'q, Db, <Db as sqlx::Database>::Arguments<'q>> {
    let kind = match subject {
        // A file's entry takes its subject's type, chosen by the caller of `asset`.
        Subject::Asset => "Task",
        s => s.kind(),
    };
    sqlx::query(sql)
        .bind(next_key())
        .bind(verb)
        .bind(if note.by_rule {
            "Webhook"
        } else if acting_guest().is_some() {
            "Guest"
        } else {
            "Member"
        })
        .bind(acting_user())
        .bind(kind)
        .bind(subject.auditable_type())
        .bind(activity::description_prefix(subject, verb))
        .bind(
            note.field
                .as_ref()
                .map(|f| serde_json::to_string(f).unwrap_or_default()),
        )
        .bind(
            note.old_value
                .as_ref()
                .map(|v| serde_json::to_string(v).unwrap_or_default()),
        )
        .bind(note.text.clone())
        .bind(now)
}

/// Inserts the entries `select` produces (its columns in the order of [`COLS`] after
/// `org_id`; `$12` is `id`, `$13` the acting guest), then numbers them on SQLite.
async fn insert(
    conn: &mut Conn,
    select: &str,
    id: &str,
    subject: Subject,
    verb: &str,
    note: &Note,
    now: i64,
) -> Result<(), sqlx::Error> {
    add(conn, select, id, subject, verb, note, now).await?;
    number(conn).await
}

/// [`insert`] without the numbering, for a caller that records several kinds of entry and
/// then numbers them at once (their keys keep the order they were added in).
async fn add(
    conn: &mut Conn,
    select: &str,
    id: &str,
    subject: Subject,
    verb: &str,
    note: &Note,
    now: i64,
) -> Result<(), sqlx::Error> {
    let sql = format!("INSERT INTO activity ({COLS}) {select}");
    common(&sql, subject, verb, note, now)
        .bind(id)
        .bind(acting_guest())
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// Numbers the entries added in this transaction, on SQLite (PostgreSQL's readers number them
/// once committed).
async fn number(conn: &mut Conn) -> Result<(), sqlx::Error> {
    if !IS_PG {
        sequence_in(conn).await?;
    }
    Ok(())
}

/// Records `verb` on task `task_id` (auditable Task, parent its run). Call before a delete.
pub(crate) async fn task(conn: &mut Conn, task_id: &str, verb: &str, note: Note, now: i64) -> Result<(), sqlx::Error> {
    let select = "SELECT $1 || t.id, t.org_id, $2, $3, $4, $5, $6, t.id,
                         CASE WHEN t.run_id IS NULL THEN NULL ELSE 'App\\Models\\Run' END, t.run_id,
                         $7 || t.title, t.title, $8, $9, $10, t.run_id, t.id, NULL, $11, $13
                    FROM tasks t WHERE t.id = $12";
    insert(conn, select, task_id, Subject::Task, verb, &note, now).await
}

/// Records what a T4/R12 update changed on `before` (the task as locked): `updated` with the
/// changed fields and their previous values, `owners-updated` when owners were given.
pub(crate) async fn task_update(
    conn: &mut Conn,
    before: &TaskRow,
    u: &TaskUpdate,
    now: i64,
) -> Result<(), sqlx::Error> {
    use serde_json::json;
    let mut changes: Vec<(String, serde_json::Value)> = Vec::new();
    let mut note = |given: bool, name: &str, old: serde_json::Value| {
        if given {
            changes.push((name.to_string(), old));
        }
    };
    note(
        u.title.as_ref().is_some_and(|t| *t != before.title),
        "title",
        json!(before.title),
    );
    note(
        u.summary.as_ref().is_some_and(|s| *s != before.summary),
        "summary",
        json!(before.summary),
    );
    note(
        u.deadline.is_some_and(|d| d != before.deadline),
        "deadline",
        json!(before.deadline),
    );
    note(
        u.started_at.is_some_and(|d| d != before.started_at),
        "started_at",
        json!(before.started_at),
    );
    note(
        u.task_type.is_some_and(|t| t != before.task_type),
        "task_type",
        json!(before.task_type.as_str()),
    );
    note(
        u.webhook.as_ref().is_some_and(|w| *w != before.webhook),
        "webhook",
        json!(before.webhook),
    );
    note(
        u.top_secret.is_some_and(|v| v != before.top_secret),
        "top_secret",
        json!(before.top_secret),
    );
    note(
        u.everyone_must_complete
            .is_some_and(|v| v != before.everyone_must_complete),
        "everyone_must_complete",
        json!(before.everyone_must_complete),
    );
    note(
        u.max_assignable.is_some_and(|v| v != before.max_assignable),
        "max_assignable",
        json!(before.max_assignable),
    );
    note(
        u.position.is_some_and(|p| p != before.position),
        "position",
        json!(before.position),
    );
    note(!u.taskdata.is_empty(), "taskdata", serde_json::Value::Null);
    note(u.tags.is_some(), "tags", serde_json::Value::Null);
    if !changes.is_empty() {
        task(conn, &before.id, "updated", Note::changed(changes), now).await?;
    }
    if u.owners.is_some() {
        task(conn, &before.id, "owners-updated", Note::none(), now).await?;
    }
    Ok(())
}

/// Records a T1 create: `created` for each task (and `owners-updated` for those given
/// owners is left to the create itself: owners are part of `created`), and `created` for the
/// run a fan-out made.
pub(crate) async fn created_tasks(
    conn: &mut Conn,
    run_id: Option<&str>,
    task_ids: &[String],
    target: &RunTarget,
    now: i64,
) -> Result<(), sqlx::Error> {
    if let (Some(run_id), RunTarget::NewRun) = (run_id, target) {
        run(conn, run_id, "created", Note::none(), now).await?;
    }
    for id in task_ids {
        task(conn, id, "created", Note::none(), now).await?;
    }
    Ok(())
}

/// Records an R8 launch: `created` for the run and each of its tasks, numbered together (one
/// numbering per launch).
pub(crate) async fn launched(conn: &mut Conn, run_id: &str, now: i64) -> Result<(), sqlx::Error> {
    add(conn, RUN_ENTRY, run_id, Subject::Run, "created", &Note::none(), now).await?;
    add(
        conn,
        TASKS_OF_RUN_ENTRIES,
        run_id,
        Subject::Task,
        "created",
        &Note::none(),
        now,
    )
    .await?;
    number(conn).await
}

/// The entries of every task of run `$12` created at `$11` (a launch's tasks), for [`add`].
const TASKS_OF_RUN_ENTRIES: &str =
    "SELECT $1 || CAST(t.position + 100000000 AS TEXT) || t.id, t.org_id, $2, $3, $4, $5, $6, t.id,
                         'App\\Models\\Run', t.run_id,
                         $7 || t.title, t.title, $8, $9, $10, t.run_id, t.id, NULL, $11, $13
                    FROM tasks t WHERE t.run_id = $12 AND t.created_at = $11";

/// The entry of run `$12` (auditable Run; parent its template for `created`), for [`add`].
const RUN_ENTRY: &str = "SELECT $1 || r.id, r.org_id, $2, $3, $4, $5, $6, r.id,
                         CASE WHEN $2 = 'created' AND r.checklist_id IS NOT NULL THEN 'App\\Models\\Checklist' END,
                         CASE WHEN $2 = 'created' THEN r.checklist_id END,
                         $7 || r.name, r.name, $8, $9, $10, r.id, NULL, NULL, $11, $13
                    FROM runs r WHERE r.id = $12";

/// Records `verb` on run `run_id` (auditable Run; parent its template for `created`).
pub(crate) async fn run(conn: &mut Conn, run_id: &str, verb: &str, note: Note, now: i64) -> Result<(), sqlx::Error> {
    insert(conn, RUN_ENTRY, run_id, Subject::Run, verb, &note, now).await
}

/// Records an R3 update of run `run_id`: `updated` with the fields the patch gave.
pub(crate) async fn run_update(conn: &mut Conn, run_id: &str, p: &RunPatch) -> Result<(), sqlx::Error> {
    let given = [
        ("name", p.name.is_some()),
        ("summary", p.summary.is_some()),
        ("starred", p.starred.is_some()),
        ("owner_id", p.owner_id.is_some()),
        ("is_public", p.is_public.is_some()),
        ("users", p.users.is_some()),
        ("groups", p.groups.is_some()),
        ("prerun", p.prerun.is_some()),
    ];
    let names: Vec<&str> = given.iter().filter(|(_, g)| *g).map(|(n, _)| *n).collect();
    run(conn, run_id, "updated", Note::fields(&names), p.now).await
}

/// Records a run's derived status change from `old` to `new` (stored values): `completed` when
/// it becomes `complete`, `uncompleted` when it stops being so.
pub(crate) async fn run_status(
    conn: &mut Conn,
    run_id: &str,
    old: &str,
    new: &str,
    now: i64,
) -> Result<(), sqlx::Error> {
    let verb = match (old == "complete", new == "complete") {
        (false, true) => "completed",
        (true, false) => "uncompleted",
        _ => return Ok(()),
    };
    run(conn, run_id, verb, Note::none(), now).await
}

/// Records `verb` on template `checklist_id`.
pub(crate) async fn template(
    conn: &mut Conn,
    checklist_id: &str,
    verb: &str,
    note: Note,
    now: i64,
) -> Result<(), sqlx::Error> {
    let select = "SELECT $1 || c.id, c.org_id, $2, $3, $4, $5, $6, c.id, NULL, NULL,
                         $7 || c.title, c.title, $8, $9, $10, NULL, NULL, c.id, $11, $13
                    FROM checklists c WHERE c.id = $12";
    insert(conn, select, checklist_id, Subject::Template, verb, &note, now).await
}

/// Records a CL4 update of template `id`: `updated` with the fields the patch gave (`prerun`
/// for kick-off fields).
pub(crate) async fn template_update(conn: &mut Conn, id: &str, p: &TemplatePatch) -> Result<(), sqlx::Error> {
    let mut names: Vec<&str> = Vec::new();
    let given = [
        ("title", p.title.is_some()),
        ("type", p.template_type.is_some()),
        ("alias", p.alias.is_some()),
        ("owner_id", p.owner_id.is_some()),
        ("folder_id", p.folder_id.is_some()),
        ("default_folder", p.default_folder.is_some()),
        ("users", p.users.is_some()),
        ("groups", p.groups.is_some()),
        ("tags", p.tags.is_some()),
        ("prerun", p.prerun.is_some()),
    ];
    names.extend(given.iter().filter(|(_, g)| *g).map(|(n, _)| *n));
    names.extend(p.texts.iter().map(|(n, _)| *n));
    names.extend(p.flags.iter().map(|(n, _)| *n));
    if names.is_empty() {
        return Ok(());
    }
    template(conn, id, "updated", Note::fields(&names), p.now).await
}

/// Records `verb` on step `step_id` (parent its template). Call before a delete.
pub(crate) async fn step(conn: &mut Conn, step_id: &str, verb: &str, note: Note, now: i64) -> Result<(), sqlx::Error> {
    let select = "SELECT $1 || s.id, s.org_id, $2, $3, $4, $5, $6, s.id, 'App\\Models\\Checklist', s.checklist_id,
                         $7 || s.title, s.title, $8, $9, $10, NULL, NULL, s.checklist_id, $11, $13
                    FROM steps s WHERE s.id = $12";
    insert(conn, select, step_id, Subject::Step, verb, &note, now).await
}

/// Records a change of step `step_id`'s form fields (CP1–CP5): `updated`, field `captures`.
pub(crate) async fn captures_changed(conn: &mut Conn, step_id: &str, now: i64) -> Result<(), sqlx::Error> {
    step(conn, step_id, "updated", Note::fields(&["captures"]), now).await
}

/// Records `verb` on comment thread `thread_id` (parent its task; `text` its body). Call before
/// a delete.
pub(crate) async fn thread(conn: &mut Conn, thread_id: &str, verb: &str, now: i64) -> Result<(), sqlx::Error> {
    let select = "SELECT $1 || h.id, h.org_id, $2, $3, $4, $5, $6, h.id, 'App\\Models\\Task', h.task_id,
                         $7 || t.title, t.title, $8, $9, COALESCE($10, h.content), t.run_id, t.id, NULL, $11, $13
                    FROM threads h JOIN tasks t ON t.id = h.task_id WHERE h.id = $12";
    insert(conn, select, thread_id, Subject::Thread, verb, &Note::none(), now).await
}

/// What a file's entry names (the files routes record their uploads and deletes with [`asset`]): its subject, as `(auditable_type, id)` of a template, run or
/// task (`docket_domain::activity::Subject::auditable_type`).
#[allow(dead_code)]
#[derive(Debug, Clone)]
pub struct AssetSubject<'a> {
    /// `App\Models\Checklist`, `App\Models\Run` or `App\Models\Task`.
    pub auditable_type: &'a str,
    /// Its id.
    pub id: &'a str,
}

/// Records `verb` (`uploaded` or `deleted`) on file `asset_id` named `file_name`, attached to
/// `subject` (for the files routes; call in the upload's or delete's transaction).
#[allow(dead_code)]
pub(crate) async fn asset(
    conn: &mut Conn,
    org: &str,
    asset_id: &str,
    file_name: &str,
    subject: AssetSubject<'_>,
    verb: &str,
    now: i64,
) -> Result<(), sqlx::Error> {
    let kind = Subject::from_auditable_type(subject.auditable_type)
        .unwrap_or(Subject::Task)
        .kind();
    // The subject's run and task scope the entry (AF1 `entity_type=run|task`).
    let (run_id, task_id, checklist_id): (Option<String>, Option<String>, Option<String>) = match subject.auditable_type
    {
        "App\\Models\\Task" => {
            let run: Option<Option<String>> = sqlx::query_scalar("SELECT run_id FROM tasks WHERE id = $1")
                .bind(subject.id)
                .fetch_optional(&mut *conn)
                .await?;
            (run.flatten(), Some(subject.id.to_string()), None)
        }
        "App\\Models\\Run" => (Some(subject.id.to_string()), None, None),
        _ => (None, None, Some(subject.id.to_string())),
    };
    let sql = format!(
        "INSERT INTO activity ({COLS}) VALUES ($1 || $12, $12, $2, $3, $4, $13, $6, $14, $15, $16, $7 || $17, $17,
                $8, $9, $10, $18, $19, $20, $11, $21)"
    );
    let verb_note = Note::none();
    common(&sql, Subject::Asset, verb, &verb_note, now)
        .bind(org)
        .bind(kind)
        .bind(asset_id)
        .bind(subject.auditable_type)
        .bind(subject.id)
        .bind(file_name)
        .bind(run_id)
        .bind(task_id)
        .bind(checklist_id)
        .bind(acting_guest())
        .execute(&mut *conn)
        .await?;
    if !IS_PG {
        sequence_in(conn).await?;
    }
    Ok(())
}

/// SQLite's batched creates (`group_commit.rs`): the statements that record `created` for the
/// tasks whose ids are the `id`s of the JSON array `$1`, their starters acting, and number the
/// entries, for the batch's transaction.
#[allow(dead_code)]
pub(crate) fn created_tasks_batch_sql() -> String {
    let prefix = activity::description_prefix(Subject::Task, "created").replace('\'', "''");
    format!(
        "INSERT INTO activity ({COLS})
         SELECT 'b:' || t.id, t.org_id, 'created', 'Member', t.starter_id, 'Task', 'App\\Models\\Task', t.id, NULL, NULL,
                '{prefix}' || t.title, t.title, NULL, NULL, NULL, NULL, t.id, NULL, t.created_at, NULL
           FROM json_each($1) j JOIN tasks t ON t.id = j.value ->> 'id';
         {};
         {SEQUENCE_SQL}",
        *super::activity_tally::ADD_UNSEQUENCED
    )
}

/// Numbers every unsequenced entry the statement sees: `base + row_number()`.
const SEQUENCE_SQL: &str = "WITH b AS (SELECT COALESCE(MAX(id), 0) AS base FROM activity),
              s AS (SELECT entry_key, ROW_NUMBER() OVER (ORDER BY entry_key) AS rn
                      FROM activity WHERE id IS NULL)
         UPDATE activity SET id = (SELECT base FROM b) + s.rn FROM s WHERE activity.entry_key = s.entry_key";

/// Numbers the committed unsequenced entries and adds them to the tally
/// (`activity_tally.rs`), in this transaction; answers how many it numbered. SQLite: the
/// tally's statement, then the numbering; PostgreSQL: one statement that does both.
async fn sequence_in(conn: &mut Conn) -> Result<u64, sqlx::Error> {
    if IS_PG {
        let n: i64 = sqlx::query_scalar(&super::activity_tally::SEQUENCE_AND_ADD_PG)
            .fetch_one(&mut *conn)
            .await?;
        return Ok(n as u64);
    }
    sqlx::query(&super::activity_tally::ADD_UNSEQUENCED)
        .execute(&mut *conn)
        .await?;
    sqlx::query(SEQUENCE_SQL)
        .execute(&mut *conn)
        .await
        .map(|r| r.rows_affected())
}

/// PostgreSQL: numbers every entry committed so far (a no-op on SQLite, whose writers number
/// their own). Readers call it before reading; one numbering runs at a time.
pub(crate) async fn sequence(pool: &Pool<Db>) -> Result<u64, sqlx::Error> {
    if !IS_PG {
        return Ok(0);
    }
    sequence_on(&mut *pool.acquire().await?).await
}

/// [`sequence`] on `conn` (outside any transaction), for a reader that goes on to read on it.
pub(crate) async fn sequence_on(conn: &mut <Db as sqlx::Database>::Connection) -> Result<u64, sqlx::Error> {
    if !IS_PG {
        return Ok(0);
    }
    // Cheap when there is nothing to number: no lock taken.
    let pending: bool = sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM activity WHERE id IS NULL)")
        .fetch_one(&mut *conn)
        .await?;
    if !pending {
        return Ok(0);
    }
    let mut tx = sqlx::Connection::begin(conn).await?;
    sqlx::query("SELECT pg_advisory_xact_lock($1)")
        .bind(SEQUENCER_LOCK)
        .execute(&mut *tx)
        .await?;
    let n = sequence_in(&mut tx).await?;
    tx.commit().await?;
    Ok(n)
}
