-- The number of tasks per tag (issue 15). Kept in step with the other backend's migrations.
--
-- A list filtered by a tag (`tag=`, on the task or on its run) counted every task of the tag
-- for its total: a tag of 65,000 of 1,000,000 tasks took 0.3-0.6 s a page. Its exact total
-- is now a sum of these rows, kept by the triggers below on every write path (cascades
-- included), like `task_counts` (migration 0011) for the whole organization.
--
-- A task counts once under each tag it has directly or through its run, in the cell of its
-- status, problem flag and archived state, and, while it is incomplete, of the UTC day of its
-- deadline (`due_day`, the deadline in ms divided by 86,400,000; 0 for completed and
-- auto-skipped tasks, whose deadline no status reads): `overdue` is the incomplete tasks of the
-- days before today, plus those of today's part already past. Derived data: export skips it;
-- importing `tasks` and `tag_links` rebuilds it through the triggers.
CREATE TABLE tag_task_counts (
    org_id   TEXT NOT NULL,
    tag_id   TEXT NOT NULL,
    status   TEXT NOT NULL,
    problem  BOOLEAN NOT NULL,
    archived BOOLEAN NOT NULL,
    due_day  INTEGER NOT NULL,
    n        INTEGER NOT NULL,
    PRIMARY KEY (org_id, tag_id, status, problem, archived, due_day)
) WITHOUT ROWID;

-- A task's own cells: added when it is inserted, moved when a key of its cell or its run
-- changes, removed when it is deleted. Its tags are its own links and its run's.
CREATE TRIGGER tag_task_counts_task_ai AFTER INSERT ON tasks BEGIN
    INSERT INTO tag_task_counts (org_id, tag_id, status, problem, archived, due_day, n)
    SELECT new.org_id, g.tag_id, new.status, new.problem, new.archived_at IS NOT NULL,
           CASE WHEN new.status IN ('completed', 'auto-skipped') THEN 0 ELSE new.deadline / 86400000 END, 1
      FROM (SELECT l.tag_id FROM tag_links l WHERE l.subject_type = 'Task' AND l.subject_id = new.id
            UNION SELECT l.tag_id FROM tag_links l WHERE l.subject_type = 'Run' AND l.subject_id = new.run_id) g
     WHERE TRUE
    ON CONFLICT (org_id, tag_id, status, problem, archived, due_day) DO UPDATE SET n = n + excluded.n;
END;
CREATE TRIGGER tag_task_counts_task_ad AFTER DELETE ON tasks BEGIN
    INSERT INTO tag_task_counts (org_id, tag_id, status, problem, archived, due_day, n)
    SELECT old.org_id, g.tag_id, old.status, old.problem, old.archived_at IS NOT NULL,
           CASE WHEN old.status IN ('completed', 'auto-skipped') THEN 0 ELSE old.deadline / 86400000 END, -1
      FROM (SELECT l.tag_id FROM tag_links l WHERE l.subject_type = 'Task' AND l.subject_id = old.id
            UNION SELECT l.tag_id FROM tag_links l WHERE l.subject_type = 'Run' AND l.subject_id = old.run_id) g
     WHERE TRUE
    ON CONFLICT (org_id, tag_id, status, problem, archived, due_day) DO UPDATE SET n = n + excluded.n;
END;
CREATE TRIGGER tag_task_counts_task_au AFTER UPDATE OF org_id, status, problem, archived_at, deadline, run_id ON tasks
    WHEN old.org_id <> new.org_id OR old.status <> new.status OR old.problem <> new.problem
      OR (old.archived_at IS NULL) <> (new.archived_at IS NULL) OR old.deadline / 86400000 <> new.deadline / 86400000
      OR old.run_id IS NOT new.run_id BEGIN
    INSERT INTO tag_task_counts (org_id, tag_id, status, problem, archived, due_day, n)
    SELECT old.org_id, g.tag_id, old.status, old.problem, old.archived_at IS NOT NULL,
           CASE WHEN old.status IN ('completed', 'auto-skipped') THEN 0 ELSE old.deadline / 86400000 END, -1
      FROM (SELECT l.tag_id FROM tag_links l WHERE l.subject_type = 'Task' AND l.subject_id = old.id
            UNION SELECT l.tag_id FROM tag_links l WHERE l.subject_type = 'Run' AND l.subject_id = old.run_id) g
     WHERE TRUE
    ON CONFLICT (org_id, tag_id, status, problem, archived, due_day) DO UPDATE SET n = n + excluded.n;
    INSERT INTO tag_task_counts (org_id, tag_id, status, problem, archived, due_day, n)
    SELECT new.org_id, g.tag_id, new.status, new.problem, new.archived_at IS NOT NULL,
           CASE WHEN new.status IN ('completed', 'auto-skipped') THEN 0 ELSE new.deadline / 86400000 END, 1
      FROM (SELECT l.tag_id FROM tag_links l WHERE l.subject_type = 'Task' AND l.subject_id = new.id
            UNION SELECT l.tag_id FROM tag_links l WHERE l.subject_type = 'Run' AND l.subject_id = new.run_id) g
     WHERE TRUE
    ON CONFLICT (org_id, tag_id, status, problem, archived, due_day) DO UPDATE SET n = n + excluded.n;
END;

-- A link adds (or, deleted, removes) its tag's cell for each task it reaches (the task, or
-- every task of the run) that no other link gives that tag: a task's own link and its run's
-- link of one tag are one tag of the task.
CREATE TRIGGER tag_task_counts_task_link_ai AFTER INSERT ON tag_links WHEN new.subject_type = 'Task' BEGIN
    INSERT INTO tag_task_counts (org_id, tag_id, status, problem, archived, due_day, n)
    SELECT t.org_id, new.tag_id, t.status, t.problem, t.archived_at IS NOT NULL,
           CASE WHEN t.status IN ('completed', 'auto-skipped') THEN 0 ELSE t.deadline / 86400000 END, 1
      FROM tasks t
     WHERE t.id = new.subject_id
       AND NOT EXISTS (SELECT 1 FROM tag_links l
                        WHERE l.tag_id = new.tag_id AND l.subject_type = 'Run' AND l.subject_id = t.run_id)
    ON CONFLICT (org_id, tag_id, status, problem, archived, due_day) DO UPDATE SET n = n + excluded.n;
END;
CREATE TRIGGER tag_task_counts_task_link_ad AFTER DELETE ON tag_links WHEN old.subject_type = 'Task' BEGIN
    INSERT INTO tag_task_counts (org_id, tag_id, status, problem, archived, due_day, n)
    SELECT t.org_id, old.tag_id, t.status, t.problem, t.archived_at IS NOT NULL,
           CASE WHEN t.status IN ('completed', 'auto-skipped') THEN 0 ELSE t.deadline / 86400000 END, -1
      FROM tasks t
     WHERE t.id = old.subject_id
       AND NOT EXISTS (SELECT 1 FROM tag_links l
                        WHERE l.tag_id = old.tag_id AND l.subject_type = 'Run' AND l.subject_id = t.run_id)
    ON CONFLICT (org_id, tag_id, status, problem, archived, due_day) DO UPDATE SET n = n + excluded.n;
END;
CREATE TRIGGER tag_task_counts_run_link_ai AFTER INSERT ON tag_links WHEN new.subject_type = 'Run' BEGIN
    INSERT INTO tag_task_counts (org_id, tag_id, status, problem, archived, due_day, n)
    SELECT t.org_id, new.tag_id, t.status, t.problem, t.archived_at IS NOT NULL,
           CASE WHEN t.status IN ('completed', 'auto-skipped') THEN 0 ELSE t.deadline / 86400000 END, 1
      FROM tasks t
     WHERE t.run_id = new.subject_id
       AND NOT EXISTS (SELECT 1 FROM tag_links l
                        WHERE l.tag_id = new.tag_id AND l.subject_type = 'Task' AND l.subject_id = t.id)
    ON CONFLICT (org_id, tag_id, status, problem, archived, due_day) DO UPDATE SET n = n + excluded.n;
END;
CREATE TRIGGER tag_task_counts_run_link_ad AFTER DELETE ON tag_links WHEN old.subject_type = 'Run' BEGIN
    INSERT INTO tag_task_counts (org_id, tag_id, status, problem, archived, due_day, n)
    SELECT t.org_id, old.tag_id, t.status, t.problem, t.archived_at IS NOT NULL,
           CASE WHEN t.status IN ('completed', 'auto-skipped') THEN 0 ELSE t.deadline / 86400000 END, -1
      FROM tasks t
     WHERE t.run_id = old.subject_id
       AND NOT EXISTS (SELECT 1 FROM tag_links l
                        WHERE l.tag_id = old.tag_id AND l.subject_type = 'Task' AND l.subject_id = t.id)
    ON CONFLICT (org_id, tag_id, status, problem, archived, due_day) DO UPDATE SET n = n + excluded.n;
END;

INSERT INTO tag_task_counts (org_id, tag_id, status, problem, archived, due_day, n)
SELECT t.org_id, g.tag_id, t.status, t.problem, t.archived_at IS NOT NULL,
       CASE WHEN t.status IN ('completed', 'auto-skipped') THEN 0 ELSE t.deadline / 86400000 END, COUNT(*)
  FROM (SELECT l.subject_id AS task_id, l.tag_id FROM tag_links l WHERE l.subject_type = 'Task'
        UNION SELECT t.id, l.tag_id FROM tag_links l JOIN tasks t ON t.run_id = l.subject_id WHERE l.subject_type = 'Run') g
  JOIN tasks t ON t.id = g.task_id
 GROUP BY 1, 2, 3, 4, 5, 6;

-- A tag's list filtered to the tasks with a problem (`hasproblem`, about 1 % of tasks) in
-- deadline order (the default sort) walked the organization's deadline index and read each
-- problem task's row for its id, to test it for the tag: page 5 of a tag's 865 such tasks at
-- 1,000,000 took 31-41 ms (`sqlite3`, warm). These tasks alone, with their ids and runs: 3-7 ms.
CREATE INDEX tasks_org_problem_deadline ON tasks (org_id, deadline, increment_id, status, archived_at, problem, id, run_id)
    WHERE problem;
