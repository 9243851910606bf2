-- A template's feed entries in the feed's default order (`entity_type=checklist`, issue 16),
-- kept in step with the other backend's migrations.
--
-- A template can have many entries (13,000 each, 1.3 % of the feed, in the benchmark's
-- 1,000,000), so its newest-first page walked the organization's `created_at` index until a
-- page of them matched (9 ms for the first page), and a member's count of them read every
-- entry's row for its task (40-170 ms). This index holds them newest first and carries the
-- task: the page reads a range of it, the count reads it alone. `activity_org_checklist`
-- stays for the id orders and the cursor.
CREATE INDEX activity_org_checklist_created ON activity (org_id, checklist_id, created_at, id, task_id);
