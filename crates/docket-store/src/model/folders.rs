//! Folders and the runs and tasks filed in them.

use sqlx::FromRow;

/// A folder, with the number of objects filed directly in it.
#[derive(Debug, Clone, FromRow)]
pub struct FolderRow {
    /// Folder id.
    pub id: String,
    /// Its organization.
    pub org_id: String,
    /// The folder it sits in; `None` at the top level.
    pub parent_id: Option<String>,
    /// Name, 1–32 characters.
    pub name: String,
    /// `checklist` or `run`.
    pub folder_type: String,
    /// 1-based place among its siblings.
    pub position: i64,
    /// Templates filed in it plus folder objects in it.
    pub total: i64,
    /// Creation time.
    pub created_at: i64,
    /// Last change.
    pub last_updated: i64,
}

/// A run or task filed in a folder.
#[derive(Debug, Clone, FromRow)]
pub struct FolderObjectRow {
    /// Integer id.
    pub id: i64,
    /// The folder.
    pub folder_id: String,
    /// `Run` or `Task`.
    pub subject_type: String,
    /// The run or task id.
    pub subject_id: String,
    /// When filed.
    pub created_at: i64,
}

/// A folder a run or task is filed in.
#[derive(Debug, Clone, FromRow)]
pub struct FiledFolder {
    /// The run or task.
    pub subject_id: String,
    /// The folder.
    #[sqlx(flatten)]
    pub folder: FolderRow,
}

/// A new folder: appended after its siblings.
#[derive(Debug, Clone)]
pub struct NewFolder {
    /// Folder id.
    pub id: String,
    /// Its organization.
    pub org_id: String,
    /// The folder it goes in; `None` at the top level.
    pub parent_id: Option<String>,
    /// Name.
    pub name: String,
    /// `checklist` or `run`.
    pub folder_type: String,
    /// Time of the write.
    pub now: i64,
}

/// A change of a folder.
#[derive(Debug, Clone)]
pub struct FolderEdit {
    /// New name.
    pub name: String,
    /// `Some(parent)`: move under `parent` (`None`: to the top level); `None`: stay.
    pub parent: Option<Option<String>>,
    /// Wanted 1-based place among the (new) siblings; `None` keeps its place (or appends after a
    /// move).
    pub position: Option<i64>,
    /// New label, when given.
    pub folder_type: Option<String>,
    /// Time of the write.
    pub now: i64,
}

/// Why a folder write was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FolderRefusal {
    /// The folder does not exist (any more).
    Missing,
    /// The parent is not a folder of the organization.
    ParentInvalid,
    /// The parent is the folder itself or one of its sub-folders.
    IntoItself,
}

/// Columns folder lists sort by.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FolderSortColumn {
    /// Place among siblings (then name).
    Position,
    /// Name, ignoring case.
    Name,
    /// Creation time.
    CreatedAt,
}

/// Filters, order and window of a folder list.
#[derive(Debug, Clone)]
pub struct FolderQuery {
    /// Name contains (a `like_pattern`), searched at every depth.
    pub q: Option<String>,
    /// Without `q`: the children of this folder (`None`: top-level folders).
    pub parent_id: Option<String>,
    /// Only folders of this type.
    pub folder_type: Option<String>,
    /// Order.
    pub sort: crate::query::Sort<FolderSortColumn>,
    /// Page.
    pub window: crate::query::Window,
}
