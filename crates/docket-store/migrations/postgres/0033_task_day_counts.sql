-- The number of the organization's tasks per UTC day of their deadline (issue 15). Kept in
-- step with the other backend's migrations.
--
-- A list filtered by a deadline window (`deadline_start_range` … `deadline_end_range`, the
-- calendar's two weeks) counted every task of the window for its total: at 1,000,000 tasks
-- about 78,000 index entries, 40-55 ms a page, and a write forgets every remembered total. Its
-- exact total is now a sum of these rows over the window's whole days (`day_totals.rs`).
--
-- Cells of (organization, UTC day of the deadline: `due_day`, the deadline in ms divided by
-- 86,400,000, whatever the status; status, problem flag, archived state). Like `task_counts`
-- (migration 0011), the statement triggers below only insert deltas, so that concurrent
-- writers never wait on one row; a read folds them past a bound. Derived data: export skips
-- it; importing `tasks` rebuilds it through the triggers.
CREATE TABLE task_day_counts (
    org_id   TEXT NOT NULL,
    due_day  BIGINT NOT NULL,
    status   TEXT NOT NULL,
    problem  BOOLEAN NOT NULL,
    archived BOOLEAN NOT NULL,
    n        BIGINT NOT NULL
);
CREATE INDEX task_day_counts_day ON task_day_counts (org_id, due_day);

CREATE FUNCTION docket_task_day_counts_ins() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO task_day_counts (org_id, due_day, status, problem, archived, n)
    SELECT org_id, deadline / 86400000, status, problem, archived_at IS NOT NULL, COUNT(*)
      FROM new_rows GROUP BY 1, 2, 3, 4, 5;
    RETURN NULL;
END $$;
CREATE FUNCTION docket_task_day_counts_del() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO task_day_counts (org_id, due_day, status, problem, archived, n)
    SELECT org_id, deadline / 86400000, status, problem, archived_at IS NOT NULL, -COUNT(*)
      FROM old_rows GROUP BY 1, 2, 3, 4, 5;
    RETURN NULL;
END $$;
-- Most updates (a title, a position) move no row between cells: their -1 and +1 cancel out.
CREATE FUNCTION docket_task_day_counts_upd() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO task_day_counts (org_id, due_day, status, problem, archived, n)
    SELECT org_id, due_day, status, problem, archived, SUM(d)
      FROM (SELECT org_id, deadline / 86400000 AS due_day, status, problem, archived_at IS NOT NULL AS archived,
                   -1 AS d
              FROM old_rows
            UNION ALL
            SELECT org_id, deadline / 86400000, status, problem, archived_at IS NOT NULL, 1 FROM new_rows) c
     GROUP BY 1, 2, 3, 4, 5
    HAVING SUM(d) <> 0;
    RETURN NULL;
END $$;
CREATE TRIGGER task_day_counts_ai AFTER INSERT ON tasks REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION docket_task_day_counts_ins();
CREATE TRIGGER task_day_counts_ad AFTER DELETE ON tasks REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION docket_task_day_counts_del();
CREATE TRIGGER task_day_counts_au AFTER UPDATE ON tasks REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION docket_task_day_counts_upd();

INSERT INTO task_day_counts (org_id, due_day, status, problem, archived, n)
SELECT org_id, deadline / 86400000, status, problem, archived_at IS NOT NULL, COUNT(*)
  FROM tasks
 GROUP BY 1, 2, 3, 4, 5;
