-- Task lists at a million tasks, every shape the clients use (issue 15), kept in step with
-- migrations/sqlite.
--
-- Sort orders without an index of their own sorted the whole organization for one page: each
-- now has one that leads with the organization and ends with the `increment_id` tie-breaker,
-- in the exact terms of `task_list.rs::order_by`, so that a page walks it and stops.
CREATE INDEX tasks_org_title ON tasks (org_id, (lower(title) COLLATE "C"), increment_id);
CREATE INDEX tasks_org_completed ON tasks (org_id, completed_at DESC NULLS LAST, increment_id);
-- The deadline order carries the columns of the status conditions, so that counting a
-- deadline window can read the index alone.
DROP INDEX tasks_org_deadline;
CREATE INDEX tasks_org_deadline ON tasks (org_id, deadline, increment_id)
    INCLUDE (status, archived_at, started_at, is_soft_start_date, problem);
CREATE INDEX tasks_org_problems ON tasks (org_id, problem DESC, deadline, increment_id);
-- The incomplete tasks that keep a completion time (rare: a status set by a rule): an
-- incomplete list newest completion first reads these, then the rest in `increment_id` order
-- (`task_list.rs::incomplete_by_completion`).
CREATE INDEX tasks_org_reopened ON tasks (org_id, completed_at DESC NULLS LAST, increment_id)
    WHERE completed_at IS NOT NULL AND status NOT IN ('completed', 'auto-skipped');
-- The same for a member's lists, which read `member_tasks` (its primary key is the deadline order).
CREATE INDEX member_tasks_completed ON member_tasks (org_id, user_id, completed_at DESC NULLS LAST, increment_id);
CREATE INDEX member_tasks_problems ON member_tasks (org_id, user_id, problem DESC, deadline, increment_id);
-- `active` counts the incomplete tasks less those whose hard start date is still ahead: few,
-- found through this index.
CREATE INDEX tasks_org_hard_start ON tasks (org_id, started_at) WHERE NOT is_soft_start_date;

-- The number of tasks per organization and (status, problem flag, archived or not): the exact
-- total of a list filtered by status alone is a sum of a few of these rows instead of a count
-- of the organization's tasks. Derived data: export skips it; importing `tasks` rebuilds it
-- through the triggers.
--
-- Kept by statement triggers that only ever INSERT signed deltas (one row per cell a statement
-- changes), so that concurrent writers never wait on, or deadlock over, a shared counter row;
-- readers sum them, and `sql/task_list.rs` folds an organization's rows into one per cell once
-- they pile up.
CREATE TABLE task_counts (
    org_id   TEXT NOT NULL,
    status   TEXT NOT NULL,
    problem  BOOLEAN NOT NULL,
    archived BOOLEAN NOT NULL,
    n        BIGINT NOT NULL
);
CREATE INDEX task_counts_org ON task_counts (org_id);

CREATE FUNCTION docket_task_counts_ins() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO task_counts (org_id, status, problem, archived, n)
    SELECT org_id, status, problem, archived_at IS NOT NULL, COUNT(*) FROM new_rows GROUP BY 1, 2, 3, 4;
    RETURN NULL;
END $$;
CREATE FUNCTION docket_task_counts_del() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO task_counts (org_id, status, problem, archived, n)
    SELECT org_id, status, problem, archived_at IS NOT NULL, -COUNT(*) FROM old_rows GROUP BY 1, 2, 3, 4;
    RETURN NULL;
END $$;
CREATE FUNCTION docket_task_counts_upd() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO task_counts (org_id, status, problem, archived, n)
    SELECT org_id, status, problem, archived, SUM(d)
      FROM (SELECT org_id, status, problem, archived_at IS NOT NULL AS archived, -1 AS d FROM old_rows
            UNION ALL
            SELECT org_id, status, problem, archived_at IS NOT NULL, 1 FROM new_rows) c
     GROUP BY 1, 2, 3, 4
    HAVING SUM(d) <> 0;
    RETURN NULL;
END $$;
CREATE TRIGGER task_counts_ai AFTER INSERT ON tasks REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION docket_task_counts_ins();
CREATE TRIGGER task_counts_ad AFTER DELETE ON tasks REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION docket_task_counts_del();
CREATE TRIGGER task_counts_au AFTER UPDATE ON tasks REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION docket_task_counts_upd();

INSERT INTO task_counts (org_id, status, problem, archived, n)
SELECT org_id, status, problem, archived_at IS NOT NULL, COUNT(*) FROM tasks GROUP BY 1, 2, 3, 4;

-- Run lists: every sort of `run_list.rs::order_by` but the due date (an aggregate of the
-- run's tasks) walks an index that ends with the `increment_id` tie-breaker.
DROP INDEX runs_org_created;
CREATE INDEX runs_org_created ON runs (org_id, created_at, increment_id);
CREATE INDEX runs_org_name ON runs (org_id, (lower(name) COLLATE "C"), increment_id);
CREATE INDEX runs_org_last_updated ON runs (org_id, last_updated, increment_id);
CREATE INDEX runs_org_started ON runs (org_id, started_at, increment_id);
