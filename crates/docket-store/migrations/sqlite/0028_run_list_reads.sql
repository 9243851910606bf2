-- Run lists at scale (issue 15). Kept in step with the other backend's migrations.
--
-- Each run keeps two of its tasks' deadlines, so that `status=delayed` and `sort=due_date` no
-- longer read every run's tasks (a probe per run: 100-370 ms at 1,000,000 tasks, 58,000 runs):
-- `due_at`, the latest deadline of its tasks that are not auto-skipped (the run's due date),
-- and `late_from`, the earliest deadline of its incomplete tasks (the run has a late task once
-- it passes). Triggers on `tasks` keep them: an insert can only move them outwards; a change
-- of a task's deadline, status or run, and a delete, read them again from `tasks_run_deadline`.
ALTER TABLE runs ADD COLUMN due_at INTEGER;
ALTER TABLE runs ADD COLUMN late_from INTEGER;
UPDATE runs SET
    due_at = (SELECT MAX(t.deadline) FROM tasks t WHERE t.run_id = runs.id AND t.status <> 'auto-skipped'),
    late_from = (SELECT MIN(t.deadline) FROM tasks t
                  WHERE t.run_id = runs.id AND t.status NOT IN ('completed', 'auto-skipped'));

CREATE TRIGGER run_deadlines_ai AFTER INSERT ON tasks
WHEN new.run_id IS NOT NULL AND new.status <> 'auto-skipped' BEGIN
    UPDATE runs SET
        due_at = max(coalesce(due_at, new.deadline), new.deadline),
        late_from = CASE WHEN new.status = 'completed' THEN late_from
                         ELSE min(coalesce(late_from, new.deadline), new.deadline) END
     WHERE id = new.run_id
       AND (due_at IS NULL OR due_at < new.deadline
            OR (new.status <> 'completed' AND (late_from IS NULL OR late_from > new.deadline)));
END;
CREATE TRIGGER run_deadlines_au AFTER UPDATE OF deadline, status, run_id ON tasks
WHEN (old.run_id IS NOT NULL OR new.run_id IS NOT NULL)
 AND (old.deadline IS NOT new.deadline OR old.status IS NOT new.status OR old.run_id IS NOT new.run_id) BEGIN
    UPDATE runs SET
        due_at = (SELECT MAX(t.deadline) FROM tasks t WHERE t.run_id = runs.id AND t.status <> 'auto-skipped'),
        late_from = (SELECT MIN(t.deadline) FROM tasks t
                      WHERE t.run_id = runs.id AND t.status NOT IN ('completed', 'auto-skipped'))
     WHERE id IN (old.run_id, new.run_id);
END;
CREATE TRIGGER run_deadlines_ad AFTER DELETE ON tasks WHEN old.run_id IS NOT NULL BEGIN
    UPDATE runs SET
        due_at = (SELECT MAX(t.deadline) FROM tasks t WHERE t.run_id = runs.id AND t.status <> 'auto-skipped'),
        late_from = (SELECT MIN(t.deadline) FROM tasks t
                      WHERE t.run_id = runs.id AND t.status NOT IN ('completed', 'auto-skipped'))
     WHERE id = old.run_id;
END;

-- A run list's total, filtered by status, archived state, owner or delay, and its page sorted
-- by due date, read from this index alone instead of every run's row (a run's row carries its
-- kick-off form and rules): the count of an organization's runs took 48 ms at 58,000 runs,
-- and 3 ms from here.
CREATE INDEX runs_org_list ON runs (org_id, archived_at, status, owner_id, id, late_from, due_at, increment_id);
