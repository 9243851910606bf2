-- The number of each member's tasks (issue 15). Kept in step with the other backend's migrations.
--
-- A member's list (`owners=` of one member, a member's tasks, my tasks) filtered by status
-- counted that member's `member_tasks` rows for its total, and at 1,000,000 tasks a member
-- has tens of thousands: 10-40 ms a page, and a write forgets every remembered total. Its
-- exact total is now a sum of these rows, like `tag_task_counts` (migration 0031) for a tag.
--
-- One row per (organization, member, status, problem flag, archived state, and, while the task
-- is incomplete, the UTC day of its deadline: `due_day`, the deadline in ms divided by
-- 86,400,000; 0 for completed and auto-skipped tasks). The triggers below follow
-- `member_tasks` itself, whose own triggers follow every way a task reaches a member
-- (directly, through a group, a group's membership) and every change of its columns,
-- cascades included. Derived data: export skips it; importing rebuilds it through the triggers.
CREATE TABLE member_task_counts (
    org_id   TEXT NOT NULL,
    user_id  INTEGER NOT NULL,
    status   TEXT NOT NULL,
    problem  BOOLEAN NOT NULL,
    archived BOOLEAN NOT NULL,
    due_day  INTEGER NOT NULL,
    n        INTEGER NOT NULL,
    PRIMARY KEY (org_id, user_id, status, problem, archived, due_day)
) WITHOUT ROWID;

CREATE TRIGGER member_task_counts_ai AFTER INSERT ON member_tasks BEGIN
    INSERT INTO member_task_counts (org_id, user_id, status, problem, archived, due_day, n)
    VALUES (new.org_id, new.user_id, new.status, new.problem, new.archived_at IS NOT NULL,
            CASE WHEN new.status IN ('completed', 'auto-skipped') THEN 0 ELSE new.deadline / 86400000 END, 1)
    ON CONFLICT (org_id, user_id, status, problem, archived, due_day) DO UPDATE SET n = n + 1;
END;
CREATE TRIGGER member_task_counts_ad AFTER DELETE ON member_tasks BEGIN
    INSERT INTO member_task_counts (org_id, user_id, status, problem, archived, due_day, n)
    VALUES (old.org_id, old.user_id, old.status, old.problem, old.archived_at IS NOT NULL,
            CASE WHEN old.status IN ('completed', 'auto-skipped') THEN 0 ELSE old.deadline / 86400000 END, -1)
    ON CONFLICT (org_id, user_id, status, problem, archived, due_day) DO UPDATE SET n = n - 1;
END;
CREATE TRIGGER member_task_counts_au AFTER UPDATE OF org_id, user_id, status, problem, archived_at, deadline ON member_tasks
    WHEN old.org_id <> new.org_id OR old.user_id <> new.user_id OR old.status <> new.status
      OR old.problem <> new.problem OR (old.archived_at IS NULL) <> (new.archived_at IS NULL)
      OR old.deadline / 86400000 <> new.deadline / 86400000 BEGIN
    INSERT INTO member_task_counts (org_id, user_id, status, problem, archived, due_day, n)
    VALUES (old.org_id, old.user_id, old.status, old.problem, old.archived_at IS NOT NULL,
            CASE WHEN old.status IN ('completed', 'auto-skipped') THEN 0 ELSE old.deadline / 86400000 END, -1)
    ON CONFLICT (org_id, user_id, status, problem, archived, due_day) DO UPDATE SET n = n - 1;
    INSERT INTO member_task_counts (org_id, user_id, status, problem, archived, due_day, n)
    VALUES (new.org_id, new.user_id, new.status, new.problem, new.archived_at IS NOT NULL,
            CASE WHEN new.status IN ('completed', 'auto-skipped') THEN 0 ELSE new.deadline / 86400000 END, 1)
    ON CONFLICT (org_id, user_id, status, problem, archived, due_day) DO UPDATE SET n = n + 1;
END;

INSERT INTO member_task_counts (org_id, user_id, status, problem, archived, due_day, n)
SELECT org_id, user_id, status, problem, archived_at IS NOT NULL,
       CASE WHEN status IN ('completed', 'auto-skipped') THEN 0 ELSE deadline / 86400000 END, COUNT(*)
  FROM member_tasks
 GROUP BY 1, 2, 3, 4, 5, 6;

-- A member's tasks with a problem (`status=hasproblem`), few among tens of thousands: with
-- their total known, a page sorted other than by problems is read from here and sorted
-- (`task_list.rs::list`) instead of walking the member's sort index through every task.
-- PostgreSQL's planner takes `member_tasks_problems` (migration 0011) for them itself.
CREATE INDEX member_tasks_problem ON member_tasks (org_id, user_id, deadline, increment_id) WHERE problem;
