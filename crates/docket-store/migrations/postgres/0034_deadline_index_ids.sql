-- The deadline order carries each task's id and run (issue 15). Kept in step with the other
-- backend's migrations.
--
-- A list filtered by a large tag (`tag=`, tens of thousands of tasks) walks the organization's
-- deadline order and tests each task of the status for the tag by its id, or its run's. The
-- walk fetched every task's heap row to read the id (and to test the status, which a plain
-- index scan tests on the row): at 1,000,000 tasks 37,000 rows for a page of `in-progress`
-- tasks of a tag. With the id and run in the index, it is an index-only scan.
DROP INDEX tasks_org_deadline;
CREATE INDEX tasks_org_deadline ON tasks (org_id, deadline, increment_id)
    INCLUDE (status, archived_at, started_at, is_soft_start_date, problem, id, run_id);

-- The tag test of a task probes `tag_links` by its subject, then read the link's row for its
-- tag: with the tag in the index, the probe reads the index alone (at 1,000,000 tasks, a page
-- of a tag's `in-progress` tasks: 110-215 ms before these two indexes, 8-11 ms after).
DROP INDEX tag_links_subject;
CREATE INDEX tag_links_subject ON tag_links (subject_type, subject_id, tag_id);
