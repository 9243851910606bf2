//! Groups of members and guests (GR1–GR5). `name_key` is the name lower-cased in Rust, so that
//! uniqueness, search and order ignore case the same way on both backends. Member ids and guests
//! keep the order they were given in (`position`).

use std::collections::HashMap;

use sqlx::{FromRow, Pool};

use super::{Db, IS_PG, guests};
use crate::StoreError;
use crate::model::{Group, GroupPatch, NewGroup};
use crate::query::{GroupQuery, GroupSortColumn};

type Conn = <Db as sqlx::Database>::Connection;

const GROUP_COLS: &str = "g.id, g.org_id, g.name, g.description, g.created_at, g.updated_at";

/// An `org_groups` row, before its members and guests are attached.
#[derive(FromRow)]
struct GroupRow {
    id: String,
    org_id: String,
    name: String,
    description: Option<String>,
    created_at: i64,
    updated_at: i64,
}

/// The key a name is unique under: the name lower-cased.
pub(crate) fn name_key(name: &str) -> String {
    name.to_lowercase()
}

/// The `ORDER BY` expression of `column`. Names compare by `name_key` byte by byte on both
/// backends (PostgreSQL would otherwise apply the database's locale collation).
fn order_by(column: GroupSortColumn) -> &'static str {
    match column {
        GroupSortColumn::Name if IS_PG => "g.name_key COLLATE \"C\"",
        GroupSortColumn::Name => "g.name_key",
        GroupSortColumn::CreatedAt => "g.created_at",
        GroupSortColumn::UpdatedAt => "g.updated_at",
    }
}

/// `$first, $first+1, …` for `n` bound values.
fn placeholders(first: usize, n: usize) -> String {
    (first..first + n)
        .map(|i| format!("${i}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Attaches member ids and guest emails to `rows`, keeping their order.
async fn assemble(conn: &mut Conn, rows: Vec<GroupRow>) -> Result<Vec<Group>, sqlx::Error> {
    if rows.is_empty() {
        return Ok(Vec::new());
    }
    let ids = placeholders(1, rows.len());
    let sql = format!("SELECT group_id, user_id FROM group_members WHERE group_id IN ({ids}) ORDER BY position");
    let mut q = sqlx::query_as::<_, (String, i64)>(&sql);
    for r in &rows {
        q = q.bind(&r.id);
    }
    let mut members: HashMap<String, Vec<i64>> = HashMap::new();
    for (group_id, user_id) in q.fetch_all(&mut *conn).await? {
        members.entry(group_id).or_default().push(user_id);
    }
    let sql = format!(
        "SELECT gg.group_id, gu.email FROM group_guests gg JOIN guests gu ON gu.id = gg.guest_id
          WHERE gg.group_id IN ({ids}) ORDER BY gg.position"
    );
    let mut q = sqlx::query_as::<_, (String, String)>(&sql);
    for r in &rows {
        q = q.bind(&r.id);
    }
    let mut guests: HashMap<String, Vec<String>> = HashMap::new();
    for (group_id, email) in q.fetch_all(&mut *conn).await? {
        guests.entry(group_id).or_default().push(email);
    }
    Ok(rows
        .into_iter()
        .map(|r| Group {
            members: members.remove(&r.id).unwrap_or_default(),
            guests: guests.remove(&r.id).unwrap_or_default(),
            id: r.id,
            org_id: r.org_id,
            name: r.name,
            description: r.description,
            created_at: r.created_at,
            updated_at: r.updated_at,
        })
        .collect())
}

async fn get_in(conn: &mut Conn, org: &str, id: &str, lock: bool) -> Result<Option<Group>, sqlx::Error> {
    let lock = if lock && IS_PG { " FOR UPDATE" } else { "" };
    let row = sqlx::query_as::<_, GroupRow>(&format!(
        "SELECT {GROUP_COLS} FROM org_groups g WHERE g.org_id = $1 AND g.id = $2{lock}"
    ))
    .bind(org)
    .bind(id)
    .fetch_optional(&mut *conn)
    .await?;
    Ok(assemble(conn, row.into_iter().collect()).await?.pop())
}

/// Group `id` of `org`.
pub(crate) async fn get(pool: &Pool<Db>, org: &str, id: &str) -> Result<Option<Group>, sqlx::Error> {
    let mut conn = pool.acquire().await?;
    get_in(&mut conn, org, id, false).await
}

/// Whether another group of `org` than `except` is named `name`, ignoring case.
pub(crate) async fn name_taken(
    pool: &Pool<Db>,
    org: &str,
    name: &str,
    except: Option<&str>,
) -> Result<bool, sqlx::Error> {
    let n: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM org_groups WHERE org_id = $1 AND name_key = $2 AND ($3 IS NULL OR id <> $3)",
    )
    .bind(org)
    .bind(name_key(name))
    .bind(except)
    .fetch_one(pool)
    .await?;
    Ok(n > 0)
}

/// One page of the groups of `org` and the number of matches.
pub(crate) async fn list(pool: &Pool<Db>, org: &str, q: &GroupQuery) -> Result<(Vec<Group>, i64), sqlx::Error> {
    let filter = "g.org_id = $1 AND ($2 IS NULL OR g.name_key LIKE $2 ESCAPE '\\'
                  OR lower(g.description) LIKE $2 ESCAPE '\\')";
    let dir = q.sort.direction();
    let mut conn = pool.acquire().await?;
    let rows = sqlx::query_as::<_, GroupRow>(&format!(
        "SELECT {GROUP_COLS} FROM org_groups g WHERE {filter} ORDER BY {} {dir}, g.id {dir} LIMIT $3 OFFSET $4",
        order_by(q.sort.column)
    ))
    .bind(org)
    .bind(q.q.as_deref())
    .bind(q.window.sql_limit())
    .bind(q.window.offset)
    .fetch_all(&mut *conn)
    .await?;
    let total: i64 = sqlx::query_scalar(&format!("SELECT COUNT(*) FROM org_groups g WHERE {filter}"))
        .bind(org)
        .bind(q.q.as_deref())
        .fetch_one(&mut *conn)
        .await?;
    Ok((assemble(&mut conn, rows).await?, total))
}

/// Every group of `org` that has any of `member_ids` as a member, by name.
pub(crate) async fn of_members(pool: &Pool<Db>, org: &str, member_ids: &[i64]) -> Result<Vec<Group>, sqlx::Error> {
    if member_ids.is_empty() {
        return Ok(Vec::new());
    }
    let sql = format!(
        "SELECT {GROUP_COLS} FROM org_groups g
          WHERE g.org_id = $1 AND g.id IN (SELECT group_id FROM group_members WHERE user_id IN ({}))
          ORDER BY {}, g.id",
        placeholders(2, member_ids.len()),
        order_by(GroupSortColumn::Name)
    );
    let mut q = sqlx::query_as::<_, GroupRow>(&sql).bind(org);
    for id in member_ids {
        q = q.bind(*id);
    }
    let mut conn = pool.acquire().await?;
    let rows = q.fetch_all(&mut *conn).await?;
    assemble(&mut conn, rows).await
}

/// Replaces the members of group `id`.
async fn set_members(conn: &mut Conn, id: &str, members: &[i64]) -> Result<(), sqlx::Error> {
    sqlx::query("DELETE FROM group_members WHERE group_id = $1")
        .bind(id)
        .execute(&mut *conn)
        .await?;
    for (position, user_id) in members.iter().enumerate() {
        sqlx::query("INSERT INTO group_members (group_id, user_id, position) VALUES ($1, $2, $3)")
            .bind(id)
            .bind(*user_id)
            .bind(position as i64)
            .execute(&mut *conn)
            .await?;
    }
    Ok(())
}

/// Replaces the guests of group `id` of `org`, creating guests for unknown emails.
async fn set_guests(conn: &mut Conn, org: &str, id: &str, emails: &[String], now: i64) -> Result<(), sqlx::Error> {
    let guest_ids = guests::ensure(&mut *conn, org, emails, now).await?;
    sqlx::query("DELETE FROM group_guests WHERE group_id = $1")
        .bind(id)
        .execute(&mut *conn)
        .await?;
    for (position, guest_id) in guest_ids.iter().enumerate() {
        sqlx::query("INSERT INTO group_guests (group_id, guest_id, position) VALUES ($1, $2, $3)")
            .bind(id)
            .bind(*guest_id)
            .bind(position as i64)
            .execute(&mut *conn)
            .await?;
    }
    Ok(())
}

/// Creates a group of `org` with its members and guests in one transaction (GR2); unknown guest
/// emails become guests of `org`. `Conflict` if the name is taken.
pub(crate) async fn create(pool: &Pool<Db>, org: &str, new: &NewGroup) -> Result<Group, StoreError> {
    let id = docket_domain::ids::new_id32();
    let mut tx = pool.begin().await?;
    sqlx::query(
        "INSERT INTO org_groups (id, org_id, name, name_key, description, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $6)",
    )
    .bind(&id)
    .bind(org)
    .bind(&new.name)
    .bind(name_key(&new.name))
    .bind(new.description.as_deref())
    .bind(new.now)
    .execute(&mut *tx)
    .await?;
    set_members(&mut tx, &id, &new.members).await?;
    set_guests(&mut tx, org, &id, &new.guests, new.now).await?;
    let group = get_in(&mut tx, org, &id, false).await?.ok_or(StoreError::NotFound)?;
    tx.commit().await?;
    Ok(group)
}

/// Applies a partial change to group `id` of `org` (GR4); given lists replace the old ones.
/// `NotFound` if it is gone, `Conflict` if the new name is taken.
pub(crate) async fn update(pool: &Pool<Db>, org: &str, id: &str, patch: &GroupPatch) -> Result<Group, StoreError> {
    let mut tx = pool.begin().await?;
    let current = get_in(&mut tx, org, id, true).await?.ok_or(StoreError::NotFound)?;
    let name = patch.name.clone().unwrap_or(current.name);
    let description = patch.description.clone().or(current.description);
    sqlx::query(
        "UPDATE org_groups SET name = $3, name_key = $4, description = $5, updated_at = $6 WHERE org_id = $1 AND id = $2",
    )
    .bind(org)
    .bind(id)
    .bind(&name)
    .bind(name_key(&name))
    .bind(description)
    .bind(patch.now)
    .execute(&mut *tx)
    .await?;
    if let Some(members) = &patch.members {
        set_members(&mut tx, id, members).await?;
    }
    if let Some(emails) = &patch.guests {
        set_guests(&mut tx, org, id, emails, patch.now).await?;
    }
    let group = get_in(&mut tx, org, id, false).await?.ok_or(StoreError::NotFound)?;
    tx.commit().await?;
    Ok(group)
}

/// Deletes group `id` of `org` with its memberships (GR5). `NotFound` if it is gone.
pub(crate) async fn delete(pool: &Pool<Db>, org: &str, id: &str) -> Result<(), StoreError> {
    let mut tx = pool.begin().await?;
    if get_in(&mut tx, org, id, true).await?.is_none() {
        return Err(StoreError::NotFound);
    }
    // Task owners that name the group are cleared here too once tasks exist (issue 3).
    sqlx::query("DELETE FROM group_members WHERE group_id = $1")
        .bind(id)
        .execute(&mut *tx)
        .await?;
    sqlx::query("DELETE FROM group_guests WHERE group_id = $1")
        .bind(id)
        .execute(&mut *tx)
        .await?;
    sqlx::query("DELETE FROM org_groups WHERE org_id = $1 AND id = $2")
        .bind(org)
        .bind(id)
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
    Ok(())
}
