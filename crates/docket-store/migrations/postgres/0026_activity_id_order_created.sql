-- Feed pages in id order (the cursor, `sort=id|-id`) with a `created_*` window (issue 16), kept
-- in step with the other backend's migrations.
--
-- The id-ordered indexes end with `created_at`, so that a page in id order tests its window in
-- the index: without it each entry of the window's id blocks that lay outside its days was
-- read from the table only to be left out (about 25 ms for a one-week window filtered by type
-- on PostgreSQL at 1,000,000 entries), and PostgreSQL reads such a page's keys from the indexes
-- alone before its rows (sql/activity_feed.rs).
DROP INDEX activity_org_id;
CREATE INDEX activity_org_id ON activity (org_id, id, created_at);
DROP INDEX activity_org_kind_id;
CREATE INDEX activity_org_kind_id ON activity (org_id, source, type, verb, id, created_at) WHERE id IS NOT NULL;
DROP INDEX activity_org_actor_id;
CREATE INDEX activity_org_actor_id ON activity (org_id, actor_id, source, type, verb, id, created_at) WHERE id IS NOT NULL;
