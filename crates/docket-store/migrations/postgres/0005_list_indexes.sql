-- Indexes for task lists at a million tasks (issue 4), kept in step with migrations/sqlite.
--
-- Pages walk `tasks` in sort order, so the sort keys lead with the organization and end with
-- the `increment_id` tie-breaker (no separate sort for the page).
DROP INDEX tasks_org_deadline;
CREATE INDEX tasks_org_deadline ON tasks (org_id, deadline, increment_id);
CREATE INDEX tasks_org_created ON tasks (org_id, created_at, increment_id);
-- Counts start from the assignments of the filtered members, groups or guests and check every
-- other condition in this covering index (index-only scans), never in the wide task row.
CREATE INDEX tasks_list_cover ON tasks (id, org_id, archived_at, status, started_at, is_soft_start_date, top_secret);
DROP INDEX task_users_user;
CREATE INDEX task_users_user ON task_users (user_id, task_id);
DROP INDEX task_guests_guest;
CREATE INDEX task_guests_guest ON task_guests (guest_id, task_id);
DROP INDEX task_groups_group;
CREATE INDEX task_groups_group ON task_groups (group_id, task_id);
CREATE INDEX tag_links_tag ON tag_links (tag_id, subject_type, subject_id);

-- Text search (`q`): trigram GIN indexes answer `lower(x) LIKE '%text%'` for task titles and
-- run names. pg_trgm is a trusted extension (PostgreSQL 13+): the database owner may create it.
CREATE EXTENSION IF NOT EXISTS pg_trgm;
CREATE INDEX tasks_title_trgm ON tasks USING gin (lower(title) gin_trgm_ops);
CREATE INDEX runs_name_trgm ON runs USING gin (lower(name) gin_trgm_ops);
