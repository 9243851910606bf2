//! Folders and the runs and tasks filed in them.

use crate::model::{FiledFolder, FolderEdit, FolderObjectRow, FolderQuery, FolderRefusal, FolderRow, NewFolder};
use crate::{Stale, Store, StoreResult, on_read, on_write};

impl Store {
    /// Folder `id` of `org`.
    pub async fn folder(&self, org: &str, id: &str) -> StoreResult<Option<FolderRow>> {
        Ok(on_read!(self, folders::get(org, id))?)
    }

    /// Every folder of `org`, by position.
    pub async fn all_folders(&self, org: &str) -> StoreResult<Vec<FolderRow>> {
        Ok(on_read!(self, folders::all(org))?)
    }

    /// A page of folders and the number of matches.
    pub async fn folders(&self, org: &str, q: &FolderQuery) -> StoreResult<(Vec<FolderRow>, i64)> {
        Ok(on_read!(self, folders::list(org, q))?)
    }

    /// Stores a new folder after its siblings; refused when its parent is no folder of the
    /// organization.
    pub async fn create_folder(&self, f: &NewFolder) -> StoreResult<Result<FolderRow, FolderRefusal>> {
        on_write!(self, Stale::Data, folders::insert(f))
    }

    /// Renames, relabels, moves and reorders a folder, in one transaction.
    pub async fn update_folder(
        &self,
        org: &str,
        id: &str,
        edit: &FolderEdit,
    ) -> StoreResult<Result<FolderRow, FolderRefusal>> {
        on_write!(self, Stale::Data, folders::update(org, id, edit))
    }

    /// Deletes a folder, the folders below it and their folder objects; whether it existed.
    pub async fn delete_folder(&self, org: &str, id: &str) -> StoreResult<bool> {
        on_write!(self, Stale::Data, folders::delete(org, id))
    }

    /// Files a run or task in a folder: the folder object and whether it was made now.
    /// `NotFound` when the folder or the subject is not in `org`.
    pub async fn add_folder_object(
        &self,
        org: &str,
        folder_id: &str,
        subject_type: &str,
        subject_id: &str,
        now: i64,
    ) -> StoreResult<(FolderObjectRow, bool)> {
        on_write!(
            self,
            Stale::Data,
            folders::add_object(org, folder_id, subject_type, subject_id, now)
        )
    }

    /// Folder object `id` of `org`.
    pub async fn folder_object(&self, org: &str, id: i64) -> StoreResult<Option<FolderObjectRow>> {
        Ok(on_read!(self, folders::object(org, id))?)
    }

    /// Removes a folder object; whether it existed.
    pub async fn remove_folder_object(&self, org: &str, id: i64) -> StoreResult<bool> {
        Ok(on_write!(self, Stale::Data, folders::delete_object(org, id))?)
    }

    /// The folders these runs or tasks are filed in directly, in filing order.
    pub async fn folders_of(&self, org: &str, subject_type: &str, ids: &[String]) -> StoreResult<Vec<FiledFolder>> {
        Ok(on_read!(self, folders::of_subjects(org, subject_type, ids))?)
    }
}
