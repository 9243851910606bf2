//! Uploaded files (assets).

use crate::model::AssetRow;
use crate::{Stale, Store, StoreResult, on_read, on_write};

impl Store {
    /// Stores a new asset row (its bytes are already in storage).
    pub async fn create_asset(&self, asset: &AssetRow) -> StoreResult<()> {
        Ok(on_write!(self, Stale::Data, assets::insert(asset))?)
    }

    /// Asset `id` of `org`.
    pub async fn asset(&self, org: &str, id: &str) -> StoreResult<Option<AssetRow>> {
        Ok(on_read!(self, assets::get(org, id))?)
    }

    /// Assets of `org` by id; unknown ids are skipped.
    pub async fn assets_by_ids(&self, org: &str, ids: &[String]) -> StoreResult<Vec<AssetRow>> {
        Ok(on_read!(self, assets::by_ids(org, ids))?)
    }

    /// The assets of the subjects of one type (`Checklist`, `Run`, `Task`), oldest first.
    pub async fn assets_of_subjects(
        &self,
        org: &str,
        subject_type: &str,
        subject_ids: &[String],
    ) -> StoreResult<Vec<AssetRow>> {
        Ok(on_read!(self, assets::of_subjects(org, subject_type, subject_ids))?)
    }

    /// Deletes asset `id` of `org`: the row it was, if it existed. The caller then releases the
    /// stored bytes when no row names them any more ([`Store::asset_sha_in_use`]).
    pub async fn delete_asset(&self, org: &str, id: &str) -> StoreResult<Option<AssetRow>> {
        Ok(on_write!(self, Stale::Data, assets::delete(org, id))?)
    }

    /// Whether any asset row names the stored file `sha256` (read on the write path, so that
    /// a row just committed is seen).
    pub async fn asset_sha_in_use(&self, sha256: &str) -> StoreResult<bool> {
        Ok(on_write!(self, Stale::Data, assets::sha_in_use(sha256))?)
    }

    /// Every stored file some asset row names.
    pub async fn asset_shas(&self) -> StoreResult<Vec<String>> {
        Ok(on_read!(self, assets::all_shas())?)
    }

    /// Whether `field_id` is a form field reachable from the subject (spec §4.8 `uploaded_from`).
    pub async fn asset_field_of_subject(
        &self,
        org: &str,
        subject_type: &str,
        subject_id: &str,
        field_id: &str,
    ) -> StoreResult<bool> {
        Ok(on_read!(
            self,
            assets::field_of_subject(org, subject_type, subject_id, field_id)
        )?)
    }

    /// Whether `step_id` is a step of template `checklist_id`.
    pub async fn step_of_template(&self, org: &str, checklist_id: &str, step_id: &str) -> StoreResult<bool> {
        Ok(on_read!(self, assets::step_of_template(org, checklist_id, step_id))?)
    }
}
