-- Run lists at scale (issue 15). Kept in step with the other backend's migrations.
--
-- Each run keeps two of its tasks' deadlines, so that `status=delayed` and `sort=due_date` no
-- longer read every run's tasks (a probe per run: 100-370 ms at 1,000,000 tasks, 58,000 runs):
-- `due_at`, the latest deadline of its tasks that are not auto-skipped (the run's due date),
-- and `late_from`, the earliest deadline of its incomplete tasks (the run has a late task once
-- it passes). Statement triggers on `tasks` read them again from `tasks_run_deadline` for each
-- run whose tasks a statement inserted, deleted, or changed in deadline, status or run.
ALTER TABLE runs ADD COLUMN due_at BIGINT;
ALTER TABLE runs ADD COLUMN late_from BIGINT;
UPDATE runs SET
    due_at = (SELECT MAX(t.deadline) FROM tasks t WHERE t.run_id = runs.id AND t.status <> 'auto-skipped'),
    late_from = (SELECT MIN(t.deadline) FROM tasks t
                  WHERE t.run_id = runs.id AND t.status NOT IN ('completed', 'auto-skipped'));

CREATE FUNCTION docket_run_deadlines_of(run_ids TEXT[]) RETURNS void LANGUAGE sql AS $$
    UPDATE runs r SET due_at = d.due_at, late_from = d.late_from
      FROM (SELECT x.id,
                   (SELECT MAX(t.deadline) FROM tasks t WHERE t.run_id = x.id AND t.status <> 'auto-skipped') AS due_at,
                   (SELECT MIN(t.deadline) FROM tasks t
                     WHERE t.run_id = x.id AND t.status NOT IN ('completed', 'auto-skipped')) AS late_from
              FROM (SELECT DISTINCT unnest(run_ids) AS id) x) d
     WHERE r.id = d.id AND (r.due_at IS DISTINCT FROM d.due_at OR r.late_from IS DISTINCT FROM d.late_from);
$$;
CREATE FUNCTION docket_run_deadlines_ins() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM docket_run_deadlines_of(ARRAY(SELECT run_id FROM new_rows WHERE run_id IS NOT NULL));
    RETURN NULL;
END $$;
CREATE FUNCTION docket_run_deadlines_del() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM docket_run_deadlines_of(ARRAY(SELECT run_id FROM old_rows WHERE run_id IS NOT NULL));
    RETURN NULL;
END $$;
CREATE FUNCTION docket_run_deadlines_upd() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM docket_run_deadlines_of(ARRAY(
        SELECT unnest(ARRAY[o.run_id, n.run_id]) FROM old_rows o JOIN new_rows n ON n.id = o.id
         WHERE (o.run_id IS NOT NULL OR n.run_id IS NOT NULL)
           AND (o.deadline IS DISTINCT FROM n.deadline OR o.status IS DISTINCT FROM n.status
                OR o.run_id IS DISTINCT FROM n.run_id)));
    RETURN NULL;
END $$;
CREATE TRIGGER run_deadlines_ai AFTER INSERT ON tasks REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION docket_run_deadlines_ins();
CREATE TRIGGER run_deadlines_ad AFTER DELETE ON tasks REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION docket_run_deadlines_del();
CREATE TRIGGER run_deadlines_au AFTER UPDATE ON tasks REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION docket_run_deadlines_upd();

-- A run list's total, filtered by status, archived state, owner or delay, and its page sorted
-- by due date, read from this index alone instead of every run's row (a run's row carries its
-- kick-off form and rules): the count of an organization's runs took 48 ms at 58,000 runs on
-- SQLite, and 3 ms from such an index.
CREATE INDEX runs_org_list ON runs (org_id, archived_at, status, owner_id, id, late_from, due_at, increment_id);

-- `runs?owners=` takes a member's runs from their `member_tasks` rows: read from this index
-- alone instead of the heap (171 ms for a member of 56,000 tasks at 1,000,000, 15 ms from
-- here). SQLite keeps `member_tasks` in its key order, so that member's rows are already one
-- short range there.
CREATE INDEX member_tasks_runs ON member_tasks (org_id, user_id, run_id) WHERE run_id IS NOT NULL;
