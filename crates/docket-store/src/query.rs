//! List parameters the API layer hands to the store: filters as data, a whitelisted sort, and
//! the row window.

/// Escapes `%`, `_` and `\` in user text and wraps it for a case-insensitive `LIKE … ESCAPE '\'`
/// against a `lower(...)` column.
pub fn like_pattern(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('%');
    for c in text.to_lowercase().chars() {
        if matches!(c, '%' | '_' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out.push('%');
    out
}

/// Rows to return: `limit` (None = all) after skipping `offset`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Window {
    /// At most this many rows; `None` for all.
    pub limit: Option<i64>,
    /// Rows skipped first.
    pub offset: i64,
}

impl Window {
    /// Every row.
    pub const ALL: Window = Window { limit: None, offset: 0 };

    /// The `LIMIT` to bind: a very large number stands for "all" on both backends.
    pub fn sql_limit(&self) -> i64 {
        self.limit.unwrap_or(i64::MAX)
    }
}

/// A sort column chosen from a fixed list, and its direction.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Sort<C> {
    /// The column.
    pub column: C,
    /// Descending when true.
    pub desc: bool,
}

impl<C> Sort<C> {
    /// `ASC` or `DESC`.
    pub fn direction(&self) -> &'static str {
        if self.desc { "DESC" } else { "ASC" }
    }
}

/// Columns members can be sorted by (U1).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MemberSortColumn {
    /// `id` (default).
    Id,
    /// `first_name`.
    FirstName,
    /// `last_name`.
    LastName,
    /// `email`.
    Email,
    /// `created_at`.
    CreatedAt,
}

impl MemberSortColumn {
    /// The SQL expression (never user text).
    pub fn sql(self) -> &'static str {
        match self {
            MemberSortColumn::Id => "u.id",
            MemberSortColumn::FirstName => "lower(u.first_name)",
            MemberSortColumn::LastName => "lower(u.last_name)",
            MemberSortColumn::Email => "u.email",
            MemberSortColumn::CreatedAt => "u.created_at",
        }
    }
}

/// Filters and order of a member list.
#[derive(Debug, Clone)]
pub struct MemberQuery {
    /// First name, last name or email contains (a `like_pattern`).
    pub q: Option<String>,
    /// Order.
    pub sort: Sort<MemberSortColumn>,
    /// Rows.
    pub window: Window,
}

/// Columns tags can be sorted by (TG1).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TagSortColumn {
    /// `title`, ignoring case (default).
    Title,
    /// `created_at`.
    CreatedAt,
}

/// Filters and order of a tag list.
#[derive(Debug, Clone)]
pub struct TagQuery {
    /// Title contains (a `like_pattern`).
    pub q: Option<String>,
    /// `Some(true)`: only auto-generated tags (docket has none); `Some(false)` or `None`: user tags.
    pub auto_generated: Option<bool>,
    /// Order.
    pub sort: Sort<TagSortColumn>,
    /// Rows.
    pub window: Window,
}

/// Columns guests can be sorted by (GU1).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GuestSortColumn {
    /// `created_at` (default).
    CreatedAt,
    /// `email`.
    Email,
}

/// Filters and order of a guest list.
#[derive(Debug, Clone)]
pub struct GuestQuery {
    /// Email, first name or last name contains (a `like_pattern`).
    pub q: Option<String>,
    /// Order.
    pub sort: Sort<GuestSortColumn>,
    /// Rows.
    pub window: Window,
}

/// Columns groups can be sorted by (GR1).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GroupSortColumn {
    /// `name`, ignoring case.
    Name,
    /// `created_at` (default).
    CreatedAt,
    /// `updated_at`.
    UpdatedAt,
}

/// Filters and order of a group list.
#[derive(Debug, Clone)]
pub struct GroupQuery {
    /// Name or description contains (a `like_pattern`).
    pub q: Option<String>,
    /// Order.
    pub sort: Sort<GroupSortColumn>,
    /// Rows.
    pub window: Window,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn like_patterns_escape_wildcards() {
        assert_eq!(like_pattern("Ab"), "%ab%");
        assert_eq!(like_pattern("50%_x\\"), "%50\\%\\_x\\\\%");
    }
}
