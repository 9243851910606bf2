//! Folders: the input rules of a folder (name, type, parent, position), who may change folders,
//! and the two tree rules every write follows: a folder never moves into itself or one of its
//! sub-folders, and the folders sharing a parent are numbered 1, 2, 3… without gaps.

use crate::input::{Patch, Reader};
use crate::role::Role;

/// Longest folder name, in characters (after trimming).
pub const NAME_MAX: usize = 32;

/// The 422 of a `parent_id` that names no folder of the organization.
pub const PARENT_INVALID: &str = "The selected parent id is invalid.";
/// The 422 of moving a folder into itself or below itself.
pub const MOVE_INTO_ITSELF: &str = "A folder cannot be moved into itself or one of its sub-folders.";
/// The 422 of a `folder_type` other than the two known ones.
pub const TYPE_INVALID: &str = "The selected folder type is invalid.";

/// What a folder is labelled as holding; it only filters the folder list (nothing enforces it).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FolderType {
    /// Templates (the default).
    Checklist,
    /// Runs.
    Run,
}

impl FolderType {
    /// The wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            FolderType::Checklist => "checklist",
            FolderType::Run => "run",
        }
    }

    /// Reads a wire name, in any letter case.
    pub fn parse(s: &str) -> Option<Self> {
        match s.trim().to_ascii_lowercase().as_str() {
            "checklist" => Some(FolderType::Checklist),
            "run" => Some(FolderType::Run),
            _ => None,
        }
    }
}

/// Creating, changing, deleting folders and filing runs and tasks: admin and standard members.
pub fn can_write(role: Role) -> bool {
    role != Role::Light
}

/// The fields of a folder write, as read from a body.
#[derive(Debug, Clone, PartialEq)]
pub struct FolderInput {
    /// Trimmed name (required on create and on update).
    pub name: Option<String>,
    /// `Set(id)`: under that folder; `Null`: top level; `Absent`: unchanged (top level on create).
    pub parent_id: Patch<String>,
    /// The label; `None`: unchanged (checklist on create).
    pub folder_type: Option<FolderType>,
    /// Wanted 1-based place among the siblings (update only).
    pub position: Option<i64>,
}

/// Reads a folder body. `name` is required on create and on every update; `position` is read
/// only when `with_position` (updates). Problems go into the reader's errors.
pub fn read(r: &mut Reader<'_, '_>, with_position: bool) -> FolderInput {
    let name = r.required_text(&["name"], NAME_MAX);
    let parent_id = match r.value(&["parent_id"]) {
        Some(serde_json::Value::Number(n)) => Patch::Set(n.to_string()),
        _ => match r.string(&["parent_id"]) {
            Patch::Set(s) if s.trim().is_empty() => Patch::Null,
            Patch::Set(s) => Patch::Set(s.trim().to_string()),
            other => other,
        },
    };
    let folder_type = match r.string(&["folder_type"]) {
        Patch::Set(s) => match FolderType::parse(&s) {
            Some(t) => Some(t),
            None => {
                r.fail("folder_type", TYPE_INVALID);
                None
            }
        },
        _ => None,
    };
    let position = if with_position {
        match r.int(&["position"]) {
            Patch::Set(p) if p >= 1 => Some(p),
            Patch::Set(_) => {
                r.fail("position", "The position must be at least 1.");
                None
            }
            _ => None,
        }
    } else {
        None
    };
    FolderInput {
        name,
        parent_id,
        folder_type,
        position,
    }
}

/// Whether moving folder `id` under a parent whose chain of ancestors is `parent_chain`
/// (the new parent first, then its parent, up to the top) would put it inside itself.
pub fn moves_into_itself(id: &str, parent_chain: &[String]) -> bool {
    parent_chain.iter().any(|p| p == id)
}

/// The sibling order after placing `id` at 1-based `position` among `siblings` (in their
/// current order, `id` possibly among them); a position past the end appends.
pub fn place(siblings: &[String], id: &str, position: Option<i64>) -> Vec<String> {
    let mut order: Vec<String> = siblings.iter().filter(|s| s.as_str() != id).cloned().collect();
    let at = match position {
        Some(p) => usize::try_from(p - 1).unwrap_or(0).min(order.len()),
        None => siblings
            .iter()
            .position(|s| s == id)
            .unwrap_or(order.len())
            .min(order.len()),
    };
    order.insert(at, id.to_string());
    order
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::ValidationErrors;

    fn read_body(body: serde_json::Value, with_position: bool) -> (FolderInput, ValidationErrors) {
        let mut errors = ValidationErrors::new();
        let map = body.as_object().unwrap().clone();
        let input = read(&mut Reader::new(&map, &mut errors), with_position);
        (input, errors)
    }

    fn ids(v: &[&str]) -> Vec<String> {
        v.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn names_are_trimmed_required_and_at_most_32_characters() {
        let (i, e) = read_body(json!({"name": "  Finance  "}), false);
        assert!(e.is_empty());
        assert_eq!(i.name.as_deref(), Some("Finance"));
        let (_, e) = read_body(json!({"name": "   "}), false);
        assert_eq!(e.entries()[0].1[0], "The name field is required.");
        let (_, e) = read_body(json!({"parent_id": null}), false);
        assert!(e.has("name"));
        let (i, e) = read_body(json!({"name": "é".repeat(32)}), false);
        assert!(e.is_empty() && i.name.is_some());
        let (_, e) = read_body(json!({"name": "x".repeat(33)}), false);
        assert_eq!(e.entries()[0].1[0], "The name may not be greater than 32 characters.");
    }

    #[test]
    fn parent_type_and_position_are_read_with_their_errors() {
        let (i, e) = read_body(
            json!({"name": "a", "parent_id": null, "folder_type": "RUN", "position": "2"}),
            true,
        );
        assert!(e.is_empty());
        assert_eq!(i.parent_id, Patch::Null);
        assert_eq!(i.folder_type, Some(FolderType::Run));
        assert_eq!(i.position, Some(2));
        let (i, _) = read_body(json!({"name": "a", "parent_id": " f1 "}), true);
        assert_eq!(i.parent_id, Patch::Set("f1".into()));
        let (i, _) = read_body(json!({"name": "a"}), true);
        assert_eq!(i.parent_id, Patch::Absent);
        let (_, e) = read_body(json!({"name": "a", "folder_type": "process", "position": 0}), true);
        assert!(e.has("folder_type") && e.has("position"));
        // A create ignores `position`.
        let (i, e) = read_body(json!({"name": "a", "position": 0}), false);
        assert!(e.is_empty() && i.position.is_none());
        let (_, e) = read_body(json!({"name": "a", "parent_id": ["x"]}), false);
        assert!(e.has("parent_id"));
    }

    #[test]
    fn a_folder_cannot_move_into_itself_or_below_itself() {
        assert!(moves_into_itself("a", &ids(&["a"])));
        assert!(moves_into_itself("a", &ids(&["c", "b", "a"])));
        assert!(!moves_into_itself("a", &ids(&["c", "b"])));
        assert!(!moves_into_itself("a", &[]));
    }

    #[test]
    fn placing_reorders_among_siblings_and_clamps() {
        let s = ids(&["a", "b", "c"]);
        assert_eq!(place(&s, "c", Some(1)), ids(&["c", "a", "b"]));
        assert_eq!(place(&s, "a", Some(2)), ids(&["b", "a", "c"]));
        assert_eq!(place(&s, "a", Some(99)), ids(&["b", "c", "a"]));
        assert_eq!(place(&s, "b", None), s);
        assert_eq!(place(&s, "d", None), ids(&["a", "b", "c", "d"]));
        assert_eq!(place(&s, "d", Some(2)), ids(&["a", "d", "b", "c"]));
    }

    #[test]
    fn light_members_only_read() {
        assert!(can_write(Role::Admin) && can_write(Role::Standard) && !can_write(Role::Light));
    }
}
