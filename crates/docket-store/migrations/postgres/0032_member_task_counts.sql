-- The number of each member's tasks (issue 15). Kept in step with the other backend's migrations.
--
-- A member's list (`owners=` of one member, a member's tasks, my tasks) filtered by status
-- counted that member's `member_tasks` rows for its total, and at 1,000,000 tasks a member
-- has tens of thousands: 10-40 ms a page, and a write forgets every remembered total. Its
-- exact total is now a sum of these rows, like `tag_task_counts` (migration 0031) for a tag.
--
-- Cells of (organization, member, status, problem flag, archived state, and, while the task
-- is incomplete, the UTC day of its deadline: `due_day`, the deadline in ms divided by
-- 86,400,000; 0 for completed and auto-skipped tasks). The statement triggers below follow
-- `member_tasks` itself, whose own triggers follow every way a task reaches a member
-- (directly, through a group, a group's membership) and every change of its columns,
-- cascades included. Like `task_counts`, they only insert deltas, so that concurrent writers
-- never wait on one row; a read folds them past a bound. Derived data: export skips it;
-- importing rebuilds it through the triggers.
CREATE TABLE member_task_counts (
    org_id   TEXT NOT NULL,
    user_id  BIGINT NOT NULL,
    status   TEXT NOT NULL,
    problem  BOOLEAN NOT NULL,
    archived BOOLEAN NOT NULL,
    due_day  BIGINT NOT NULL,
    n        BIGINT NOT NULL
);
CREATE INDEX member_task_counts_member ON member_task_counts (org_id, user_id);

CREATE FUNCTION docket_member_task_counts_ins() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO member_task_counts (org_id, user_id, status, problem, archived, due_day, n)
    SELECT org_id, user_id, status, problem, archived_at IS NOT NULL,
           CASE WHEN status IN ('completed', 'auto-skipped') THEN 0 ELSE deadline / 86400000 END, COUNT(*)
      FROM new_rows GROUP BY 1, 2, 3, 4, 5, 6;
    RETURN NULL;
END $$;
CREATE FUNCTION docket_member_task_counts_del() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO member_task_counts (org_id, user_id, status, problem, archived, due_day, n)
    SELECT org_id, user_id, status, problem, archived_at IS NOT NULL,
           CASE WHEN status IN ('completed', 'auto-skipped') THEN 0 ELSE deadline / 86400000 END, -COUNT(*)
      FROM old_rows GROUP BY 1, 2, 3, 4, 5, 6;
    RETURN NULL;
END $$;
-- Most updates (a title, a position) move no row between cells: their -1 and +1 cancel out.
CREATE FUNCTION docket_member_task_counts_upd() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO member_task_counts (org_id, user_id, status, problem, archived, due_day, n)
    SELECT org_id, user_id, status, problem, archived, due_day, SUM(d)
      FROM (SELECT org_id, user_id, status, problem, archived_at IS NOT NULL AS archived,
                   CASE WHEN status IN ('completed', 'auto-skipped') THEN 0 ELSE deadline / 86400000 END AS due_day,
                   -1 AS d
              FROM old_rows
            UNION ALL
            SELECT org_id, user_id, status, problem, archived_at IS NOT NULL,
                   CASE WHEN status IN ('completed', 'auto-skipped') THEN 0 ELSE deadline / 86400000 END, 1
              FROM new_rows) c
     GROUP BY 1, 2, 3, 4, 5, 6
    HAVING SUM(d) <> 0;
    RETURN NULL;
END $$;
CREATE TRIGGER member_task_counts_ai AFTER INSERT ON member_tasks REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION docket_member_task_counts_ins();
CREATE TRIGGER member_task_counts_ad AFTER DELETE ON member_tasks REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION docket_member_task_counts_del();
CREATE TRIGGER member_task_counts_au AFTER UPDATE ON member_tasks REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION docket_member_task_counts_upd();

INSERT INTO member_task_counts (org_id, user_id, status, problem, archived, due_day, n)
SELECT org_id, user_id, status, problem, archived_at IS NOT NULL,
       CASE WHEN status IN ('completed', 'auto-skipped') THEN 0 ELSE deadline / 86400000 END, COUNT(*)
  FROM member_tasks
 GROUP BY 1, 2, 3, 4, 5, 6;
