-- The activity feed at 1,000,000 entries (issue 16), kept in step with migrations/postgres.
--
-- The default order (`-created_at`) and `created_at` walk this index from the organization's
-- newest (or oldest) entry and stop after the page; without it every page sorted all of the
-- organization's entries (0.8 s at 1,000,000 on SQLite).
CREATE INDEX activity_org_created ON activity (org_id, created_at, id);
-- A member's feed leaves out the entries of top-secret tasks they are not assigned to: the
-- organization's top-secret tasks (few) are read from here once per statement.
CREATE INDEX tasks_org_top_secret ON tasks (org_id, id) WHERE top_secret;
