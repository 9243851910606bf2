-- The number of the organization's tasks per UTC day of their deadline (issue 15). Kept in
-- step with the other backend's migrations.
--
-- A list filtered by a deadline window (`deadline_start_range` … `deadline_end_range`, the
-- calendar's two weeks) counted every task of the window for its total: at 1,000,000 tasks
-- about 78,000 index entries, 40-55 ms a page, and a write forgets every remembered total. Its
-- exact total is now a sum of these rows over the window's whole days (`day_totals.rs`).
--
-- One row per (organization, UTC day of the deadline: `due_day`, the deadline in ms divided by
-- 86,400,000, whatever the status; status, problem flag, archived state). Kept by the triggers
-- below on every write of `tasks`, cascades included. Derived data: export skips it; importing
-- `tasks` rebuilds it through the triggers.
CREATE TABLE task_day_counts (
    org_id   TEXT NOT NULL,
    due_day  INTEGER NOT NULL,
    status   TEXT NOT NULL,
    problem  BOOLEAN NOT NULL,
    archived BOOLEAN NOT NULL,
    n        INTEGER NOT NULL,
    PRIMARY KEY (org_id, due_day, status, problem, archived)
) WITHOUT ROWID;

CREATE TRIGGER task_day_counts_ai AFTER INSERT ON tasks BEGIN
    INSERT INTO task_day_counts (org_id, due_day, status, problem, archived, n)
    VALUES (new.org_id, new.deadline / 86400000, new.status, new.problem, new.archived_at IS NOT NULL, 1)
    ON CONFLICT (org_id, due_day, status, problem, archived) DO UPDATE SET n = n + 1;
END;
CREATE TRIGGER task_day_counts_ad AFTER DELETE ON tasks BEGIN
    UPDATE task_day_counts SET n = n - 1
     WHERE org_id = old.org_id AND due_day = old.deadline / 86400000 AND status = old.status
       AND problem = old.problem AND archived = (old.archived_at IS NOT NULL);
END;
CREATE TRIGGER task_day_counts_au AFTER UPDATE OF org_id, deadline, status, problem, archived_at ON tasks
    WHEN old.org_id <> new.org_id OR old.deadline / 86400000 <> new.deadline / 86400000
      OR old.status <> new.status OR old.problem <> new.problem
      OR (old.archived_at IS NULL) <> (new.archived_at IS NULL) BEGIN
    UPDATE task_day_counts SET n = n - 1
     WHERE org_id = old.org_id AND due_day = old.deadline / 86400000 AND status = old.status
       AND problem = old.problem AND archived = (old.archived_at IS NOT NULL);
    INSERT INTO task_day_counts (org_id, due_day, status, problem, archived, n)
    VALUES (new.org_id, new.deadline / 86400000, new.status, new.problem, new.archived_at IS NOT NULL, 1)
    ON CONFLICT (org_id, due_day, status, problem, archived) DO UPDATE SET n = n + 1;
END;

INSERT INTO task_day_counts (org_id, due_day, status, problem, archived, n)
SELECT org_id, deadline / 86400000, status, problem, archived_at IS NOT NULL, COUNT(*)
  FROM tasks
 GROUP BY 1, 2, 3, 4, 5;
