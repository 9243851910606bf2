//! The §2.6 JSON of activity entries (AF1's `data`), written straight from the rows.
//!
//! A page of 100 entries is serialized from borrowed structs in the order of the keys below,
//! not built as a `serde_json::Value` tree first (which copied every string and made a map per
//! entry, per actor and per object summary). The output is the same JSON, key for key.

use std::collections::HashMap;

use docket_domain::activity::{ACTOR_TYPE, GUEST_ACTOR_TYPE};
use docket_domain::time::format_ts;
use docket_store::model::{ActivityRow, Guest, Member};
use serde::Serialize;
use serde::ser::{SerializeSeq, Serializer};
use serde_json::Value;

use crate::error::Result;
use crate::http::extract::Ctx;

/// A one-element array, or an empty one (`actor_id`, `actor`).
struct One<T>(Option<T>);

impl<T: Serialize> Serialize for One<T> {
    fn serialize<S: Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        let mut seq = s.serialize_seq(Some(usize::from(self.0.is_some())))?;
        if let Some(v) = &self.0 {
            seq.serialize_element(v)?;
        }
        seq.end()
    }
}

/// Who acted: a member, or a guest from their link (docs/activity.md).
#[derive(Serialize)]
struct Actor<'a> {
    email: &'a str,
    username: Option<&'a str>,
    first_name: &'a str,
    last_name: &'a str,
    full_name: String,
    profile_pic: (),
    resize_profile_pic: (),
}

impl<'a> Actor<'a> {
    fn new(email: &'a str, username: Option<&'a str>, first_name: &'a str, last_name: &'a str) -> Self {
        Actor {
            email,
            username,
            first_name,
            last_name,
            full_name: format!("{first_name} {last_name}").trim().to_string(),
            profile_pic: (),
            resize_profile_pic: (),
        }
    }
}

/// `{"id", "type", "title"}` of an object that still exists.
#[derive(Serialize)]
struct ObjectData<'a> {
    id: &'a str,
    #[serde(rename = "type")]
    kind: &'a str,
    title: &'a str,
}

/// `{"data": …}`: the object now, or `null` once it is gone.
#[derive(Serialize)]
struct Summary<'a> {
    data: Option<ObjectData<'a>>,
}

/// One entry, its keys in the §2.6 order.
#[derive(Serialize)]
pub(crate) struct Entry<'a> {
    id: i64,
    organization_id: &'a str,
    verb: [&'a str; 1],
    source: [&'a str; 1],
    actor_type: [&'a str; 1],
    actor_id: One<i64>,
    actor: One<Actor<'a>>,
    #[serde(rename = "type")]
    kind: [&'a str; 1],
    auditable_type: &'a str,
    auditable_id: &'a str,
    parentable_type: Option<&'a str>,
    parentable_id: Option<&'a str>,
    description: [&'a str; 1],
    field: Option<Value>,
    old_value: Option<Value>,
    text: Option<[&'a str; 1]>,
    references: (),
    undoable: bool,
    created_at: String,
    audit: Summary<'a>,
    parent: Summary<'a>,
    origin: (),
}

/// What the entries of a page name: their actors and the current titles of their objects.
pub(crate) struct Named {
    members: HashMap<i64, Member>,
    guests: HashMap<i64, Guest>,
    /// `(auditable_type, id, title)`.
    objects: Vec<(String, String, String)>,
}

/// Reads what `rows` name: members and guests who acted (one statement each, guests only when
/// a guest acted), the objects' titles (one statement for every kind), the three at once.
pub(crate) async fn named(ctx: &Ctx, org: &str, rows: &[ActivityRow]) -> Result<Named> {
    let mut ids: Vec<i64> = rows.iter().filter_map(|r| r.actor_id).collect();
    ids.sort_unstable();
    ids.dedup();
    let mut guest_ids: Vec<i64> = rows.iter().filter_map(|r| r.actor_guest_id).collect();
    guest_ids.sort_unstable();
    guest_ids.dedup();
    let mut wanted: Vec<(&str, &str)> = Vec::with_capacity(rows.len() * 2);
    for r in rows {
        wanted.push((&r.auditable_type, &r.auditable_id));
        if let (Some(t), Some(id)) = (&r.parentable_type, &r.parentable_id) {
            wanted.push((t, id));
        }
    }
    wanted.sort_unstable();
    wanted.dedup();
    let wanted: Vec<(String, String)> = wanted
        .into_iter()
        .map(|(t, id)| (t.to_string(), id.to_string()))
        .collect();
    let store = &ctx.state.store;
    let members = async {
        if ids.is_empty() {
            return Ok(HashMap::new());
        }
        let found = store.members_by_ids(org, &ids).await?;
        Ok::<_, crate::error::Error>(found.into_iter().map(|m| (m.id, m)).collect())
    };
    let guests = async {
        if guest_ids.is_empty() {
            return Ok(HashMap::new());
        }
        let found = store.guests_by_ids(org, &guest_ids).await?;
        Ok::<_, crate::error::Error>(found.into_iter().map(|g| (g.id, g)).collect())
    };
    let objects = async { Ok::<_, crate::error::Error>(store.activity_objects(org, &wanted).await?) };
    let (members, guests, objects) = tokio::try_join!(members, guests, objects)?;
    Ok(Named {
        members,
        guests,
        objects,
    })
}

/// The §2.6 shapes of `rows`, borrowing from them and from `named`.
pub(crate) fn entries<'a>(rows: &'a [ActivityRow], named: &'a Named) -> Vec<Entry<'a>> {
    let titles: HashMap<(&str, &str), &str> = named
        .objects
        .iter()
        .map(|(t, id, title)| ((t.as_str(), id.as_str()), title.as_str()))
        .collect();
    let summary = |t: Option<&'a str>, id: Option<&'a str>| -> Summary<'a> {
        let data = match (t, id) {
            (Some(t), Some(id)) => titles.get(&(t, id)).map(|title| ObjectData {
                id,
                kind: t.rsplit('\\').next().unwrap_or(t),
                title,
            }),
            _ => None,
        };
        Summary { data }
    };
    rows.iter()
        .map(|r| {
            let (actor_type, actor_id, actor) = match r.actor_guest_id {
                Some(id) => {
                    let guest = named.guests.get(&id).map(|g| {
                        Actor::new(
                            &g.email,
                            None,
                            g.first_name.as_deref().unwrap_or_default(),
                            g.last_name.as_deref().unwrap_or_default(),
                        )
                    });
                    (GUEST_ACTOR_TYPE, Some(id), guest)
                }
                None => {
                    let member = r
                        .actor_id
                        .and_then(|id| named.members.get(&id))
                        .map(|m| Actor::new(&m.email, Some(&m.username), &m.first_name, &m.last_name));
                    (ACTOR_TYPE, r.actor_id, member)
                }
            };
            Entry {
                id: r.id,
                organization_id: &r.org_id,
                verb: [&r.verb],
                source: [&r.source],
                actor_type: [actor_type],
                actor_id: One(actor_id),
                actor: One(actor),
                kind: [&r.kind],
                auditable_type: &r.auditable_type,
                auditable_id: &r.auditable_id,
                parentable_type: r.parentable_type.as_deref(),
                parentable_id: r.parentable_id.as_deref(),
                description: [&r.description],
                field: r.field.as_deref().and_then(|f| serde_json::from_str(f).ok()),
                old_value: r.old_value.as_deref().and_then(|f| serde_json::from_str(f).ok()),
                text: r.body.as_deref().map(|t| [t]),
                references: (),
                undoable: false,
                created_at: format_ts(r.created_at),
                audit: summary(Some(&r.auditable_type), Some(&r.auditable_id)),
                parent: summary(r.parentable_type.as_deref(), r.parentable_id.as_deref()),
                origin: (),
            }
        })
        .collect()
}
