//! An upload's checks, written once: the file's name and extension (also asked by the guest's
//! page), the message of an oversized file's refusal, and the text parts with the caller's right
//! to the subject; what passes becomes the asset row to write.

use docket_domain::{Actor, ValidationErrors, ids};
use docket_store::model::AssetRow;

use super::{FilePart, UploadFields, subject_right};
use crate::error::{Error, Result};
use crate::http::extract::Ctx;

/// Longest `system` value, in characters.
const SYSTEM_MAX: usize = 100;
/// Longest stored file name, in characters.
const FILENAME_MAX: usize = 255;

/// What an upload over the `limit` (bytes) is told, by the API (its 413) and the guest's page.
pub(crate) fn too_large_message(limit: u64) -> String {
    format!("The name may not be greater than {} kilobytes.", limit / 1024)
}

/// A file name as stored: the last path component (`/` or `\`), control characters removed,
/// trimmed, at most 255 characters; `None` when nothing is left.
pub fn safe_filename(sent: &str) -> Option<String> {
    let last = sent.rsplit(['/', '\\']).next().unwrap_or("");
    let cleaned: String = last.chars().filter(|c| !c.is_control()).collect();
    let cleaned = cleaned.trim();
    if cleaned.is_empty() || cleaned == "." || cleaned == ".." {
        return None;
    }
    Some(cleaned.chars().take(FILENAME_MAX).collect())
}

/// The name a stored upload of `size` bytes keeps ([`safe_filename`] of the name `sent`), if
/// its extension is one of `extensions`; else the refusal of the upload's `name` part. The
/// API's upload and the guest's page both ask it.
pub(crate) fn file_name(extensions: &[String], sent: Option<&str>, size: u64) -> std::result::Result<String, String> {
    if size == 0 {
        return Err("The name field is required.".into());
    }
    let Some(name) = sent.and_then(safe_filename) else {
        return Err("The name must be a file.".into());
    };
    let ext = name.rsplit_once('.').map(|(_, e)| e.to_ascii_lowercase());
    if ext.is_some_and(|e| extensions.contains(&e)) {
        Ok(name)
    } else {
        Err(format!("The name must be a file of type: {}.", extensions.join(", ")))
    }
}

/// Checks the parts of an upload and the caller's right; the row to write.
pub(super) async fn checked(ctx: &Ctx, me: &Actor, f: UploadFields, file: &Option<FilePart>) -> Result<AssetRow> {
    let org = &me.org_id;
    let mut errors = ValidationErrors::new();
    let extensions = &ctx.state.config.storage.extensions;
    let filename = match file {
        None => {
            errors.add("name", "The name field is required.");
            None
        }
        Some(part) => match file_name(extensions, part.filename.as_deref(), part.stored.size) {
            Ok(name) => Some(name),
            Err(message) => {
                errors.add("name", message);
                None
            }
        },
    };
    let non_empty = |v: Option<String>| v.map(|s| s.trim().to_string()).filter(|s| !s.is_empty());
    let subject_type = match non_empty(f.subject_type) {
        None => {
            errors.add("subject_type", "The subject type field is required.");
            None
        }
        Some(t) => match t.to_ascii_lowercase().as_str() {
            "checklist" => Some("Checklist"),
            "run" => Some("Run"),
            "task" => Some("Task"),
            _ => {
                errors.add("subject_type", "The selected subject type is invalid.");
                None
            }
        },
    };
    let subject_id = non_empty(f.subject_id);
    if subject_id.is_none() {
        errors.add("subject_id", "The subject id field is required.");
    }
    let source = match non_empty(f.source).map(|s| s.to_ascii_lowercase()) {
        None => "local".to_string(),
        Some(s) if s == "local" || s == "url" => s,
        Some(_) => {
            errors.add("source", "The selected source is invalid.");
            String::new()
        }
    };
    let system = f.system.filter(|s| !s.is_empty());
    if system.as_ref().is_some_and(|s| s.chars().count() > SYSTEM_MAX) {
        errors.add("system", "The system may not be greater than 100 characters.");
    }
    if system.as_ref().is_some_and(|s| s.contains('\0')) {
        errors.add("system", "The system may not contain NUL characters.");
    }
    let uploaded_from = non_empty(f.uploaded_from);
    if uploaded_from.is_none() {
        errors.add("uploaded_from", "The uploaded from field is required.");
    }
    let step_id = non_empty(f.step_id);
    let checklist_id = non_empty(f.checklist_id);
    if subject_type.is_some_and(|t| t != "Run") {
        if step_id.is_some() {
            errors.add("step_id", "The step id field is prohibited.");
        }
        if checklist_id.is_some() {
            errors.add("checklist_id", "The checklist id field is prohibited.");
        }
    }
    // The subject: it must exist and be visible; the caller must be allowed to add to it.
    if let (Some(kind), Some(id)) = (subject_type, subject_id.as_deref()) {
        match subject_right(ctx, me, kind, id).await? {
            None => errors.add("subject_id", "The selected subject id is invalid."),
            Some(false) => {
                return Err(Error::no_permission());
            }
            Some(true) => {
                if let Some(from) = uploaded_from.as_deref()
                    && from != "ko_field"
                    && !ctx.state.store.asset_field_of_subject(org, kind, id, from).await?
                {
                    errors.add("uploaded_from", "The selected uploaded from is invalid.");
                }
                if kind == "Run" {
                    let run_template = ctx
                        .state
                        .store
                        .run(org, id, ctx.now)
                        .await?
                        .map(|r| r.row.checklist_id)
                        .filter(|c| !c.is_empty());
                    if let Some(cl) = checklist_id.as_deref()
                        && run_template.as_deref() != Some(cl)
                    {
                        errors.add("checklist_id", "The selected checklist id is invalid.");
                    }
                    if let Some(step) = step_id.as_deref() {
                        let ok = match run_template.as_deref() {
                            Some(t) => ctx.state.store.step_of_template(org, t, step).await?,
                            None => false,
                        };
                        if !ok {
                            errors.add("step_id", "The selected step id is invalid.");
                        }
                    }
                }
            }
        }
    }
    if !errors.is_empty() {
        return Err(errors.into());
    }
    let (Some(part), Some(filename), Some(kind), Some(subject_id), Some(uploaded_from)) =
        (file, filename, subject_type, subject_id, uploaded_from)
    else {
        return Err(Error::Internal("upload checks incomplete".into()));
    };
    Ok(AssetRow {
        id: ids::new_id32(),
        org_id: org.clone(),
        subject_type: kind.to_string(),
        subject_id,
        mime_type: mime_guess::from_path(&filename).first_or_octet_stream().to_string(),
        filename,
        size: part.stored.size as i64,
        sha256: part.stored.sha256.clone(),
        uploaded_from,
        step_id,
        checklist_id,
        source,
        system,
        uploaded_by: me.user_id,
        uploaded_at: ctx.now,
        uploaded_by_guest_id: None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_names_lose_paths_and_control_characters() {
        assert_eq!(safe_filename("../../etc/passwd.txt").as_deref(), Some("passwd.txt"));
        assert_eq!(safe_filename("C:\\x\\a\u{7}b\n.pdf").as_deref(), Some("ab.pdf"));
        assert_eq!(safe_filename("../.."), None);
        assert_eq!(safe_filename("dir/"), None);
    }
}
