//! Templates ("checklists"): reads, the list, create, partial update, archive, restore and the
//! permanent delete. The clone is in `template_clone.rs`. Tag links of templates have
//! `subject_type = 'Checklist'`.

use docket_domain::template::{ArchivedFilter, FLAGS, TEXTS};
use sqlx::Pool;

use super::steps::touch_template;
use super::tasks::{ensure_tag, link_tag, placeholders};
use super::{Db, IS_PG};
use crate::StoreError;
use crate::model::{
    NewTemplate, TagTarget, TemplateFolder, TemplatePatch, TemplateQuery, TemplateRefusal, TemplateRow, TemplateRule,
    TemplateSort,
};

pub(crate) type Conn = <Db as sqlx::Database>::Connection;

/// The columns of [`TemplateRow`] over `checklists c`.
pub(crate) const TEMPLATE_COLS: &str = "c.id, c.org_id, c.increment_id, c.title, c.summary, c.guidance, c.alias,
    c.template_type, c.icon, c.explanation_video, c.public_cover, c.kickoff_title, c.kickoff_description,
    c.default_process_name_format, c.webhook, c.starred, c.is_public, c.is_featured, c.is_pinned,
    c.is_public_kickoff, c.auto_naming, c.folderize_process, c.tag_process, c.allow_launcher_change_name,
    c.folder_changeable_by_launcher, c.can_add_oot, c.folder_id, c.default_folder, c.owner_id, c.created_by,
    c.last_updated_by, c.user_ids, c.group_ids, c.started_processes, c.created_at, c.last_updated,
    c.archived_at, (SELECT COUNT(*) FROM steps s WHERE s.checklist_id = c.id) AS steps_count";

const RULE_COLS: &str = "id, checklist_id, automated_alias, conditions, then_actions, created_at, last_updated";

/// Template `id` of `org`.
pub(crate) async fn get(pool: &Pool<Db>, org: &str, id: &str) -> Result<Option<TemplateRow>, sqlx::Error> {
    sqlx::query_as::<_, TemplateRow>(&format!(
        "SELECT {TEMPLATE_COLS} FROM checklists c WHERE c.org_id = $1 AND c.id = $2"
    ))
    .bind(org)
    .bind(id)
    .fetch_optional(pool)
    .await
}

/// Templates of `org` by id, in the order of `ids` (missing ones skipped).
pub(crate) async fn by_ids(pool: &Pool<Db>, org: &str, ids: &[String]) -> Result<Vec<TemplateRow>, sqlx::Error> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let sql = format!(
        "SELECT {TEMPLATE_COLS} FROM checklists c WHERE c.org_id = $1 AND c.id IN ({})",
        placeholders(2, ids.len())
    );
    let mut q = sqlx::query_as::<_, TemplateRow>(&sql).bind(org);
    for id in ids {
        q = q.bind(id);
    }
    let rows = q.fetch_all(pool).await?;
    Ok(ids
        .iter()
        .filter_map(|id| rows.iter().find(|r| &r.id == id).cloned())
        .collect())
}

/// Template `id` of `org`, read inside a transaction (locked on PostgreSQL).
pub(crate) async fn lock(conn: &mut Conn, org: &str, id: &str) -> Result<Option<TemplateRow>, sqlx::Error> {
    if IS_PG {
        sqlx::query("SELECT id FROM checklists WHERE org_id = $1 AND id = $2 FOR UPDATE")
            .bind(org)
            .bind(id)
            .execute(&mut *conn)
            .await?;
    }
    sqlx::query_as::<_, TemplateRow>(&format!(
        "SELECT {TEMPLATE_COLS} FROM checklists c WHERE c.org_id = $1 AND c.id = $2"
    ))
    .bind(org)
    .bind(id)
    .fetch_optional(&mut *conn)
    .await
}

/// The rules of these templates, in creation order.
pub(crate) async fn rules_of(pool: &Pool<Db>, org: &str, ids: &[String]) -> Result<Vec<TemplateRule>, sqlx::Error> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let sql = format!(
        "SELECT {RULE_COLS} FROM automations WHERE org_id = $1 AND checklist_id IN ({}) ORDER BY checklist_id, seq",
        placeholders(2, ids.len())
    );
    let mut q = sqlx::query_as::<_, TemplateRule>(&sql).bind(org);
    for id in ids {
        q = q.bind(id);
    }
    q.fetch_all(pool).await
}

/// The `WHERE` of the list and its text values, bound in order after `$1` (the organization);
/// the owner id, when filtered, is bound after them.
fn list_filter(q: &TemplateQuery) -> (String, Vec<String>) {
    let mut sql = String::from("c.org_id = $1");
    let mut binds: Vec<String> = Vec::new();
    let next = |binds: &mut Vec<String>, v: &str| {
        binds.push(v.to_string());
        format!("${}", binds.len() + 1)
    };
    match q.archived {
        ArchivedFilter::Exclude => sql.push_str(" AND c.archived_at IS NULL"),
        ArchivedFilter::Only => sql.push_str(" AND c.archived_at IS NOT NULL"),
        ArchivedFilter::Include => {}
    }
    if let Some(p) = &q.q {
        let ph = next(&mut binds, p);
        sql.push_str(&format!(" AND lower(c.title) LIKE {ph} ESCAPE '\\'"));
    }
    if !q.types.is_empty() {
        let phs: Vec<String> = q.types.iter().map(|t| next(&mut binds, t)).collect();
        sql.push_str(&format!(" AND c.template_type IN ({})", phs.join(", ")));
    }
    if !q.folders.is_empty() {
        let phs: Vec<String> = q.folders.iter().map(|f| next(&mut binds, f)).collect();
        sql.push_str(&format!(" AND c.folder_id IN ({})", phs.join(", ")));
    }
    if let Some(tag) = &q.tag {
        let ph = next(&mut binds, tag);
        sql.push_str(&format!(
            " AND EXISTS (SELECT 1 FROM tag_links l WHERE l.subject_type = 'Checklist' AND l.subject_id = c.id AND l.tag_id = {ph})"
        ));
    }
    if q.owner_id.is_some() {
        sql.push_str(&format!(" AND c.owner_id = ${}", binds.len() + 2));
    }
    if let Some(s) = q.starred {
        sql.push_str(if s {
            " AND c.starred = TRUE"
        } else {
            " AND c.starred = FALSE"
        });
    }
    (sql, binds)
}

/// The `ORDER BY` of the list; ties by `increment_id`.
fn order_by(sort: TemplateSort) -> String {
    let dir = |desc: bool| if desc { "DESC" } else { "ASC" };
    let title = if IS_PG {
        "lower(c.title) COLLATE \"C\""
    } else {
        "lower(c.title)"
    };
    match sort {
        TemplateSort::Default => "c.is_pinned DESC, c.last_updated DESC, c.increment_id DESC".into(),
        TemplateSort::Title(d) => format!("{title} {0}, c.increment_id {0}", dir(d)),
        TemplateSort::CreatedAt(d) => format!("c.created_at {0}, c.increment_id {0}", dir(d)),
        TemplateSort::LastUpdated(d) => format!("c.last_updated {0}, c.increment_id {0}", dir(d)),
    }
}

/// One page of the templates of `org` and the number of matches.
pub(crate) async fn list(
    pool: &Pool<Db>,
    org: &str,
    q: &TemplateQuery,
) -> Result<(Vec<TemplateRow>, i64), sqlx::Error> {
    let (filter, binds) = list_filter(q);
    let owner = q.owner_id;
    let after = binds.len() + 1 + usize::from(owner.is_some());
    let sql = format!(
        "SELECT {TEMPLATE_COLS} FROM checklists c WHERE {filter} ORDER BY {} LIMIT ${} OFFSET ${}",
        order_by(q.sort),
        after + 1,
        after + 2
    );
    let mut rows = sqlx::query_as::<_, TemplateRow>(&sql).bind(org);
    for b in &binds {
        rows = rows.bind(b);
    }
    if let Some(o) = owner {
        rows = rows.bind(o);
    }
    let rows = rows
        .bind(q.window.sql_limit())
        .bind(q.window.offset)
        .fetch_all(pool)
        .await?;
    let count_sql = format!("SELECT COUNT(*) FROM checklists c WHERE {filter}");
    let mut count = sqlx::query_scalar::<_, i64>(&count_sql).bind(org);
    for b in &binds {
        count = count.bind(b);
    }
    if let Some(o) = owner {
        count = count.bind(o);
    }
    Ok((rows, count.fetch_one(pool).await?))
}

/// Whether a template of `org` other than `except` has `alias`.
pub(crate) async fn alias_taken(conn: &mut Conn, org: &str, alias: &str, except: &str) -> Result<bool, sqlx::Error> {
    let found: Option<String> =
        sqlx::query_scalar("SELECT id FROM checklists WHERE org_id = $1 AND alias = $2 AND id <> $3")
            .bind(org)
            .bind(alias)
            .bind(except)
            .fetch_optional(&mut *conn)
            .await?;
    Ok(found.is_some())
}

/// `alias`, or the first of `alias-2`, `alias-3`… no other template of `org` has.
pub(crate) async fn free_alias(conn: &mut Conn, org: &str, alias: &str, except: &str) -> Result<String, sqlx::Error> {
    let mut candidate = alias.to_string();
    let mut n = 2;
    while alias_taken(conn, org, &candidate, except).await? {
        candidate = format!("{alias}-{n}");
        n += 1;
    }
    Ok(candidate)
}

/// The next template `increment_id` of `org`.
pub(crate) async fn next_increment(conn: &mut Conn, org: &str) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar("UPDATE organizations SET template_seq = template_seq + 1 WHERE id = $1 RETURNING template_seq")
        .bind(org)
        .fetch_one(&mut *conn)
        .await
}

/// Inserts the checklist row of `new` (no kick-off fields, steps or tags).
pub(crate) async fn insert_row(
    conn: &mut Conn,
    org: &str,
    new: &NewTemplate,
    increment: i64,
) -> Result<(), sqlx::Error> {
    let text_cols: Vec<&str> = TEXTS.iter().map(|(k, _)| *k).collect();
    let mut cols: Vec<&str> = vec![
        "id",
        "org_id",
        "increment_id",
        "title",
        "alias",
        "template_type",
        "folder_id",
        "default_folder",
        "owner_id",
        "created_by",
        "last_updated_by",
        "user_ids",
        "group_ids",
        "created_at",
        "last_updated",
    ];
    cols.extend(&text_cols);
    cols.extend(FLAGS);
    let sql = format!(
        "INSERT INTO checklists ({}) VALUES ({})",
        cols.join(", "),
        placeholders(1, cols.len())
    );
    let mut q = sqlx::query(&sql)
        .bind(&new.id)
        .bind(org)
        .bind(increment)
        .bind(&new.title)
        .bind(&new.alias)
        .bind(&new.template_type)
        .bind(new.folder_id.as_deref())
        .bind(new.default_folder.as_deref())
        .bind(new.owner_id)
        .bind(new.created_by)
        .bind(new.created_by)
        .bind(serde_json::to_string(&new.users).unwrap_or_else(|_| "[]".into()))
        .bind(serde_json::to_string(&new.groups).unwrap_or_else(|_| "[]".into()))
        .bind(new.now)
        .bind(new.now);
    for key in text_cols {
        let v = new.texts.iter().find(|(k, _)| *k == key).and_then(|(_, v)| v.clone());
        q = q.bind(v);
    }
    for key in FLAGS {
        q = q.bind(new.flags.iter().find(|(k, _)| *k == key).is_some_and(|(_, v)| *v));
    }
    q.execute(&mut *conn).await.map(|_| ())
}

/// Creates a template with its tag links, in one transaction. Kick-off fields and steps are
/// written by the caller's `extra` step inside the same transaction.
pub(crate) async fn create(
    pool: &Pool<Db>,
    org: &str,
    new: &NewTemplate,
) -> Result<Result<TemplateRow, TemplateRefusal>, StoreError> {
    let mut tx = pool.begin().await?;
    match create_in(&mut tx, org, new).await? {
        Ok(()) => {}
        Err(refusal) => return Ok(Err(refusal)),
    }
    super::activity::template(&mut tx, &new.id, "created", Default::default(), new.now).await?;
    let row = lock(&mut tx, org, &new.id).await?.ok_or(StoreError::NotFound)?;
    tx.commit().await?;
    Ok(Ok(row))
}

/// The writes of a create inside an open transaction.
pub(crate) async fn create_in(
    conn: &mut Conn,
    org: &str,
    new: &NewTemplate,
) -> Result<Result<(), TemplateRefusal>, StoreError> {
    let mut new = new.clone();
    if new.alias_given {
        if alias_taken(conn, org, &new.alias, &new.id).await? {
            return Ok(Err(TemplateRefusal::AliasTaken));
        }
    } else {
        new.alias = free_alias(conn, org, &new.alias, &new.id).await?;
    }
    let increment = next_increment(conn, org).await?;
    insert_row(conn, org, &new, increment).await?;
    replace_tags(conn, org, &new.id, &new.tags, new.now).await?;
    let field_ids = super::kickoff_fields::insert_all(conn, org, &new.id, &new.prerun, 0, new.now).await?;
    let mut map: std::collections::HashMap<String, String> = new
        .prerun_ids
        .iter()
        .zip(field_ids)
        .filter_map(|(old, new)| old.clone().map(|old| (old, new)))
        .collect();
    if let Err(refusal) = super::template_steps::insert_all(conn, org, &new.id, &new.steps, &mut map).await? {
        return Ok(Err(refusal));
    }
    for rule in &new.rules {
        let mut def = rule.def.clone();
        def.remap_ids(&map);
        super::automations::insert_in(conn, org, &new.id, &rule.id, &def, new.created_by, new.now).await?;
    }
    Ok(Ok(()))
}

/// Replaces the template's tag links: links not named any more are removed, kept ones keep
/// their association ids, new ones (titles created as tags if needed) are attached.
pub(crate) async fn replace_tags(
    conn: &mut Conn,
    org: &str,
    id: &str,
    targets: &[TagTarget],
    now: i64,
) -> Result<(), sqlx::Error> {
    let mut wanted: Vec<String> = Vec::new();
    for t in targets {
        let tag = match t {
            TagTarget::Id(tag) => tag.clone(),
            TagTarget::Title(title) => ensure_tag(&mut *conn, org, title, now).await?,
        };
        if !wanted.contains(&tag) {
            wanted.push(tag);
        }
    }
    let existing: Vec<(i64, String)> =
        sqlx::query_as("SELECT id, tag_id FROM tag_links WHERE subject_type = 'Checklist' AND subject_id = $1")
            .bind(id)
            .fetch_all(&mut *conn)
            .await?;
    for (link, tag) in existing {
        if !wanted.contains(&tag) {
            sqlx::query("DELETE FROM tag_links WHERE id = $1")
                .bind(link)
                .execute(&mut *conn)
                .await?;
        }
    }
    for tag in &wanted {
        link_tag(&mut *conn, org, tag, "Checklist", id, now).await?;
    }
    Ok(())
}

/// Applies `patch` to the checklist row and its tag links inside an open transaction; the row
/// must be locked and not archived.
pub(crate) async fn update_in(
    conn: &mut Conn,
    org: &str,
    id: &str,
    patch: &TemplatePatch,
) -> Result<Result<(), TemplateRefusal>, StoreError> {
    if let Some(alias) = &patch.alias
        && alias_taken(conn, org, alias, id).await?
    {
        return Ok(Err(TemplateRefusal::AliasTaken));
    }
    let mut sets: Vec<String> = Vec::new();
    let mut texts: Vec<Option<String>> = Vec::new();
    let mut push_text = |sets: &mut Vec<String>, col: &str, v: Option<String>| {
        texts.push(v);
        sets.push(format!("{col} = ${}", texts.len() + 1));
    };
    if let Some(t) = &patch.title {
        push_text(&mut sets, "title", Some(t.clone()));
    }
    if let Some(t) = &patch.template_type {
        push_text(&mut sets, "template_type", Some(t.clone()));
    }
    if let Some(a) = &patch.alias {
        push_text(&mut sets, "alias", Some(a.clone()));
    }
    for (col, v) in &patch.texts {
        push_text(&mut sets, col, v.clone());
    }
    if let Some(f) = &patch.folder_id {
        push_text(&mut sets, "folder_id", f.clone());
    }
    if let Some(f) = &patch.default_folder {
        push_text(&mut sets, "default_folder", f.clone());
    }
    if let Some(u) = &patch.users {
        push_text(
            &mut sets,
            "user_ids",
            Some(serde_json::to_string(u).unwrap_or_else(|_| "[]".into())),
        );
    }
    if let Some(g) = &patch.groups {
        push_text(
            &mut sets,
            "group_ids",
            Some(serde_json::to_string(g).unwrap_or_else(|_| "[]".into())),
        );
    }
    for (col, v) in &patch.flags {
        // Flag names come from the fixed list of the domain, never from the request.
        sets.push(format!("{col} = {}", if *v { "TRUE" } else { "FALSE" }));
    }
    if let Some(owner) = patch.owner_id {
        sets.push(format!("owner_id = {owner}"));
    }
    if !sets.is_empty() {
        let sql = format!("UPDATE checklists SET {} WHERE id = $1", sets.join(", "));
        let mut q = sqlx::query(&sql).bind(id);
        for t in texts {
            q = q.bind(t);
        }
        q.execute(&mut *conn).await?;
    }
    if let Some(tags) = &patch.tags {
        replace_tags(conn, org, id, tags, patch.now).await?;
    }
    if let Some(entries) = &patch.prerun
        && let Err(refusal) = super::kickoff_fields::replace(conn, org, id, entries, patch.now).await?
    {
        return Ok(Err(refusal));
    }
    touch_template(conn, id, patch.by, patch.now).await?;
    Ok(Ok(()))
}

/// Applies a partial change (CL4) in one transaction. `NotFound` when the template is missing.
pub(crate) async fn update(
    pool: &Pool<Db>,
    org: &str,
    id: &str,
    patch: &TemplatePatch,
) -> Result<Result<TemplateRow, TemplateRefusal>, StoreError> {
    let mut tx = pool.begin().await?;
    let row = lock(&mut tx, org, id).await?.ok_or(StoreError::NotFound)?;
    if row.archived_at.is_some() {
        return Ok(Err(TemplateRefusal::Archived));
    }
    if let Err(refusal) = update_in(&mut tx, org, id, patch).await? {
        return Ok(Err(refusal));
    }
    super::activity::template_update(&mut tx, id, patch).await?;
    let row = lock(&mut tx, org, id).await?.ok_or(StoreError::NotFound)?;
    tx.commit().await?;
    Ok(Ok(row))
}

/// Archives (`archive`) or restores the template; already in that state → unchanged.
pub(crate) async fn set_archived(
    pool: &Pool<Db>,
    org: &str,
    id: &str,
    archive: bool,
    by: i64,
    now: i64,
) -> Result<TemplateRow, StoreError> {
    let mut tx = pool.begin().await?;
    let row = lock(&mut tx, org, id).await?.ok_or(StoreError::NotFound)?;
    if row.archived_at.is_some() == archive {
        return Ok(row);
    }
    sqlx::query("UPDATE checklists SET archived_at = $2 WHERE id = $1")
        .bind(id)
        .bind(archive.then_some(now))
        .execute(&mut *tx)
        .await?;
    touch_template(&mut tx, id, by, now).await?;
    let verb = if archive { "archived" } else { "unarchived" };
    super::activity::template(&mut tx, id, verb, Default::default(), now).await?;
    let row = lock(&mut tx, org, id).await?.ok_or(StoreError::NotFound)?;
    tx.commit().await?;
    Ok(row)
}

/// Deletes an archived template with everything it holds (steps, fields and rules by cascade)
/// and its tag links. `NotArchived` while it is active.
pub(crate) async fn delete(
    pool: &Pool<Db>,
    org: &str,
    id: &str,
) -> Result<Result<Vec<String>, TemplateRefusal>, StoreError> {
    let mut tx = pool.begin().await?;
    let row = lock(&mut tx, org, id).await?.ok_or(StoreError::NotFound)?;
    if row.archived_at.is_none() {
        return Ok(Err(TemplateRefusal::NotArchived));
    }
    super::activity::template(
        &mut tx,
        id,
        "deleted",
        Default::default(),
        docket_domain::time::now_ms(),
    )
    .await?;
    sqlx::query("DELETE FROM tag_links WHERE subject_type = 'Checklist' AND subject_id = $1")
        .bind(id)
        .execute(&mut *tx)
        .await?;
    let shas = super::assets::delete_of(&mut tx, org, super::assets::Owner::Template, id).await?;
    for table in ["automations", "template_fields", "steps"] {
        sqlx::query(&format!("DELETE FROM {table} WHERE checklist_id = $1"))
            .bind(id)
            .execute(&mut *tx)
            .await?;
    }
    sqlx::query("DELETE FROM checklists WHERE id = $1")
        .bind(id)
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
    Ok(Ok(shas))
}

/// Folder `id` of `org` with its number of filed objects.
pub(crate) async fn folder(pool: &Pool<Db>, org: &str, id: &str) -> Result<Option<TemplateFolder>, sqlx::Error> {
    sqlx::query_as::<_, TemplateFolder>(
        "SELECT f.id, f.name, f.parent_id, f.folder_type, f.position, f.created_at, f.last_updated,
                (SELECT COUNT(*) FROM checklists c WHERE c.folder_id = f.id)
              + (SELECT COUNT(*) FROM folder_objects o WHERE o.folder_id = f.id) AS total
           FROM folders f WHERE f.org_id = $1 AND f.id = $2",
    )
    .bind(org)
    .bind(id)
    .fetch_optional(pool)
    .await
}
