//! Uploaded files (assets, spec §2.5): the row each upload writes.

use sqlx::FromRow;

/// One uploaded file. Its bytes are in the configured storage under `sha256`.
#[derive(Debug, Clone, FromRow, PartialEq, Eq)]
pub struct AssetRow {
    /// 32-hex id.
    pub id: String,
    /// Owning organization.
    pub org_id: String,
    /// `Checklist`, `Run` or `Task`.
    pub subject_type: String,
    /// The template, run or task the file belongs to.
    pub subject_id: String,
    /// The file name as sent, path components and control characters removed.
    pub filename: String,
    /// Derived from the extension.
    pub mime_type: String,
    /// Bytes.
    pub size: i64,
    /// SHA-256 of the bytes, lower-case hex: the storage key.
    pub sha256: String,
    /// `ko_field` or a form-field id.
    pub uploaded_from: String,
    /// Step of the run's template, as sent (Run subjects only).
    pub step_id: Option<String>,
    /// The run's template, as sent (Run subjects only).
    pub checklist_id: Option<String>,
    /// `local` or `url`.
    pub source: String,
    /// Free text, as sent.
    pub system: Option<String>,
    /// The uploading member (0 when a guest uploaded it).
    pub uploaded_by: i64,
    /// Upload time.
    pub uploaded_at: i64,
    /// The guest who uploaded it from their link, if a guest did (migration 0021).
    pub uploaded_by_guest_id: Option<i64>,
}
