//! Query parameters as the document describes them (the task-list parameters are in
//! `http::task_filters`). Handlers read the query string through `http::extract::Query`; these
//! types only describe it.

use utoipa::IntoParams;

/// `with`: relations to embed in each object of the answer.
#[derive(IntoParams)]
#[into_params(parameter_in = Query)]
pub struct WithParams {
    /// Comma list of relations to embed; unknown names are ignored. `assets` embeds the files
    /// uploaded to each task, run or template (`{"data": [Asset…]}`).
    pub with: Option<String>,
}

/// Pagination: which page, how many per page, or everything at once.
#[derive(IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PageParams {
    /// 1-based page number.
    #[param(minimum = 1)]
    pub page: Option<i64>,
    /// Items per page; values above 1000 are clamped.
    #[param(minimum = 1)]
    pub per_page: Option<i64>,
    /// Every matching item on one page.
    pub without_pagination: Option<bool>,
}

/// The tag list.
#[derive(IntoParams)]
#[into_params(parameter_in = Query)]
pub struct TagListParams {
    /// Title contains (case-insensitive).
    pub q: Option<String>,
    /// `true`: only auto-generated tags; `false`: only user tags.
    pub auto_generated: Option<bool>,
    /// `title` (default), `-title`, `created_at`, `-created_at` (alias `sort_by`).
    pub sort: Option<String>,
}

/// The folder list.
#[derive(IntoParams)]
#[into_params(parameter_in = Query)]
pub struct FolderListParams {
    /// Name contains (case-insensitive), at every depth; the result is flat.
    pub q: Option<String>,
    /// Without `q`: the children of this folder (default: the top-level folders).
    pub parent_id: Option<String>,
    /// `checklist` or `run`.
    pub folder_type: Option<String>,
    /// `position` (default), `name`, `created_at`, each optionally with a leading `-`.
    pub sort: Option<String>,
    /// `false`: every matching folder on one page (like `without_pagination=true`).
    pub pagination: Option<bool>,
}

/// The group list.
#[derive(IntoParams)]
#[into_params(parameter_in = Query)]
pub struct GroupListParams {
    /// Name or description contains.
    pub q: Option<String>,
    /// `name`, `created_at` (default), `updated_at`.
    pub sort_by: Option<String>,
    /// `asc` (default) or `desc`.
    pub sort: Option<String>,
}

/// The guest list.
#[derive(IntoParams)]
#[into_params(parameter_in = Query)]
pub struct GuestListParams {
    /// Email, first or last name contains.
    pub q: Option<String>,
    /// `created_at` (default), `-created_at`, `email`, `-email`.
    pub sort: Option<String>,
}

/// The member list.
#[derive(IntoParams)]
#[into_params(parameter_in = Query)]
pub struct UserListParams {
    /// First name, last name or email contains.
    pub q: Option<String>,
    /// `id` (default), `first_name`, `last_name`, `email`, `created_at`, each optionally with `-`.
    pub sort: Option<String>,
}

/// The run (process) list.
#[derive(IntoParams)]
#[into_params(parameter_in = Query)]
pub struct RunListParams {
    /// `name` contains (case-insensitive).
    pub q: Option<String>,
    /// Comma list of `active`, `complete`, `problem`, `issue`, `improvement`, `delayed`,
    /// `archived`, `starred`.
    pub status: Option<String>,
    /// `all`, `in-progress`, `completed`.
    pub task_status: Option<String>,
    /// Comma list of member ids: run owner or assignee of any task.
    pub owners: Option<String>,
    /// Comma list of group ids.
    pub groups: Option<String>,
    /// Template id (alias `blueprint_id`).
    pub checklist_id: Option<String>,
    /// Comma list of folder ids: runs filed directly in one of them.
    pub folder: Option<String>,
    /// A tag id or title.
    pub tag: Option<String>,
    /// Comma list of tag ids (any).
    pub tag_ids: Option<String>,
    /// Only runs without tags.
    pub untagged: Option<bool>,
    /// Starred runs.
    pub starred: Option<bool>,
    /// `procedure`, `form`, `document`.
    #[param(rename = "type")]
    pub kind: Option<String>,
    /// `true`: include archived runs, `only`: only them, default: exclude them.
    pub archived: Option<String>,
    /// Add `form_fields_values` to each run.
    pub form_fields_values: Option<bool>,
    /// `created_at`, `-created_at` (default), `name`, `-name`, `last_updated`, `-last_updated`,
    /// `started_at`, `-started_at`, `due_date`, `-due_date` (alias `sort_by`).
    pub sort: Option<String>,
}

/// Search.
#[derive(IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SearchParams {
    /// The text (alias `q`); required.
    pub search: Option<String>,
    /// Comma list of `blueprint`, `process` (default), `task`, `snippet`, `capture`, `step`.
    pub on: Option<String>,
    /// 1-based page number.
    #[param(minimum = 1)]
    pub page: Option<i64>,
    /// Results per bucket, default 20; values above 100 are clamped.
    #[param(minimum = 1)]
    pub per_page: Option<i64>,
    /// Add a bare `tags` array to each result.
    pub tags: Option<bool>,
}

/// The webhook delivery log.
#[derive(IntoParams)]
#[into_params(parameter_in = Query)]
pub struct WebhookEventParams {
    /// `pending`, `delivered` or `failed`.
    pub status: Option<String>,
    /// Events of this task.
    pub task_id: Option<String>,
}

/// The template list.
#[derive(IntoParams)]
#[into_params(parameter_in = Query)]
pub struct TemplateListParams {
    /// Title contains (case-insensitive).
    pub q: Option<String>,
    /// Comma list of `procedure`, `form`, `document`.
    #[param(rename = "type")]
    pub template_type: Option<String>,
    /// `active` (default), `archived` or `all`.
    pub status: Option<String>,
    /// `true` (archived too), `only`, or `false` (default).
    pub archived: Option<String>,
    /// Starred or not.
    pub starred: Option<bool>,
    /// Comma list of folder ids: templates filed directly in one of them.
    pub folder: Option<String>,
    /// A tag id or title.
    pub tag: Option<String>,
    /// Owner's member id.
    pub owner_id: Option<i64>,
    /// `title`, `created_at`, `last_updated` (alias `updated`), each optionally with a leading `-`;
    /// default pinned first, then most recently updated (alias `sort_by`).
    pub sort: Option<String>,
}
