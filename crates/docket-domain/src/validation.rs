//! `ValidationErrors`: field path → messages, in the order the problems were found, which is
//! the body of every 422 (spec §1.9).

use serde::ser::{Serialize, SerializeMap, Serializer};

/// Field-level validation failures. Keys are dot paths into the request (`title`,
/// `owners.users.1`, `taskdata.<id>`); each has one or more messages.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ValidationErrors {
    entries: Vec<(String, Vec<String>)>,
}

impl ValidationErrors {
    /// No errors yet.
    pub fn new() -> Self {
        Self::default()
    }

    /// One error on one field.
    pub fn single(field: impl Into<String>, message: impl Into<String>) -> Self {
        let mut e = Self::new();
        e.add(field, message);
        e
    }

    /// Records `message` against `field`, after any earlier messages for it.
    pub fn add(&mut self, field: impl Into<String>, message: impl Into<String>) {
        let field = field.into();
        let message = message.into();
        match self.entries.iter_mut().find(|(f, _)| *f == field) {
            Some((_, msgs)) => {
                if !msgs.contains(&message) {
                    msgs.push(message);
                }
            }
            None => self.entries.push((field, vec![message])),
        }
    }

    /// Moves every error of `other` into `self`.
    pub fn extend(&mut self, other: ValidationErrors) {
        for (field, msgs) in other.entries {
            for m in msgs {
                self.add(field.clone(), m);
            }
        }
    }

    /// Whether nothing was recorded.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Whether `field` has an error.
    pub fn has(&self, field: &str) -> bool {
        self.entries.iter().any(|(f, _)| f == field)
    }

    /// `Ok(value)` when nothing was recorded, else `Err(self)`.
    pub fn into_result<T>(self, value: T) -> Result<T, ValidationErrors> {
        if self.is_empty() { Ok(value) } else { Err(self) }
    }

    /// The envelope `message`: the first error, then ` (and N more error[s])` (spec §1.9).
    pub fn summary(&self) -> String {
        let total: usize = self.entries.iter().map(|(_, m)| m.len()).sum();
        let first = self
            .entries
            .first()
            .and_then(|(_, m)| m.first())
            .cloned()
            .unwrap_or_else(|| String::from("The given data was invalid."));
        match total.saturating_sub(1) {
            0 => first,
            1 => format!("{first} (and 1 more error)"),
            n => format!("{first} (and {n} more errors)"),
        }
    }

    /// The recorded entries, in order.
    pub fn entries(&self) -> &[(String, Vec<String>)] {
        &self.entries
    }
}

impl Serialize for ValidationErrors {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(Some(self.entries.len()))?;
        for (field, msgs) in &self.entries {
            map.serialize_entry(field, msgs)?;
        }
        map.end()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn summary_names_the_first_error_and_counts_the_rest() {
        let mut e = ValidationErrors::new();
        e.add("title", "The title field is required.");
        assert_eq!(e.summary(), "The title field is required.");
        e.add("deadline", "The deadline is not a valid date.");
        assert_eq!(e.summary(), "The title field is required. (and 1 more error)");
        e.add("title", "Another.");
        assert_eq!(e.summary(), "The title field is required. (and 2 more errors)");
        let json = serde_json::to_string(&e).expect("serializes");
        assert_eq!(
            json,
            r#"{"title":["The title field is required.","Another."],"deadline":["The deadline is not a valid date."]}"#
        );
    }
}
