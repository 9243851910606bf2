//! Tags.

use crate::model::Tag;
use crate::query::TagQuery;
use crate::{Stale, Store, StoreResult, on_read, on_write};

impl Store {
    /// Tag `id` of `org`.
    pub async fn tag(&self, org: &str, id: &str) -> StoreResult<Option<Tag>> {
        Ok(on_read!(self, tags::get(org, id))?)
    }

    /// The tag of `org` with this title, ignoring case.
    pub async fn tag_by_title(&self, org: &str, title: &str) -> StoreResult<Option<Tag>> {
        Ok(on_read!(self, tags::by_title(org, title))?)
    }

    /// A page of tags and the number of matches.
    pub async fn tags(&self, org: &str, q: &TagQuery) -> StoreResult<(Vec<Tag>, i64)> {
        Ok(on_read!(self, tags::list(org, q))?)
    }

    /// Stores a new tag; `Conflict` if its title is taken in its organization (ignoring case).
    pub async fn create_tag(&self, tag: &Tag) -> StoreResult<()> {
        Ok(on_write!(self, Stale::Data, tags::insert(tag))?)
    }

    /// Changes a tag's title (when given) and color (when given; `Some(None)` clears it).
    /// `None` when the tag does not exist; `Conflict` if the new title is taken.
    pub async fn update_tag(
        &self,
        org: &str,
        id: &str,
        title: Option<&str>,
        color: Option<Option<&str>>,
        now: i64,
    ) -> StoreResult<Option<Tag>> {
        Ok(on_write!(self, Stale::Data, tags::update(org, id, title, color, now))?)
    }

    /// Deletes a tag and its associations; whether it existed.
    pub async fn delete_tag(&self, org: &str, id: &str) -> StoreResult<bool> {
        Ok(on_write!(self, Stale::Data, tags::delete(org, id))?)
    }

    /// For each of `tag_ids`, in order, the number of (active, archived) runs carrying it.
    pub async fn tag_run_counts(&self, org: &str, tag_ids: &[String]) -> StoreResult<Vec<(i64, i64)>> {
        Ok(on_read!(self, tags::run_counts(org, tag_ids))?)
    }

    /// For each of `tag_ids`, in order, the number of (active, archived) templates carrying it.
    pub async fn tag_template_counts(&self, org: &str, tag_ids: &[String]) -> StoreResult<Vec<(i64, i64)>> {
        Ok(on_read!(self, tags::template_counts(org, tag_ids))?)
    }
}
