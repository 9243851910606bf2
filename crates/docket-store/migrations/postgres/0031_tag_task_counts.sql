-- The number of tasks per tag (issue 15). Kept in step with the other backend's migrations.
--
-- A list filtered by a tag (`tag=`, on the task or on its run) counted every task of the tag
-- for its total: a tag of 65,000 of 1,000,000 tasks took 0.5-0.8 s a page. Its exact total
-- is now a sum of these rows, kept by the statement triggers below on every write path
-- (cascades included). Like `task_counts` (migration 0011), the triggers only insert deltas,
-- so that concurrent writers never wait on one row; a read folds them past a bound.
--
-- A task counts once under each tag it has directly or through its run, in the cell of its
-- status, problem flag and archived state, and, while it is incomplete, of the UTC day of its
-- deadline (`due_day`, the deadline in ms divided by 86,400,000; 0 for completed and
-- auto-skipped tasks, whose deadline no status reads): `overdue` is the incomplete tasks of the
-- days before today, plus those of today's part already past. Derived data: export skips it;
-- importing `tasks` and `tag_links` rebuilds it through the triggers.
--
-- Rows are reached by index probes (`LATERAL`): a plain join let the planner, on a small
-- table's statistics, hash a whole table, and PL/pgSQL keeps a plan while the table grows
-- (see migration 0030).
CREATE TABLE tag_task_counts (
    org_id   TEXT NOT NULL,
    tag_id   TEXT NOT NULL,
    status   TEXT NOT NULL,
    problem  BOOLEAN NOT NULL,
    archived BOOLEAN NOT NULL,
    due_day  BIGINT NOT NULL,
    n        BIGINT NOT NULL
);
CREATE INDEX tag_task_counts_tag ON tag_task_counts (org_id, tag_id);

-- A task's cells: added when it is inserted, moved when a key of its cell or its run changes,
-- removed when it is deleted. Its tags are its own links and its run's.
CREATE FUNCTION docket_tag_task_counts_ins() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO tag_task_counts (org_id, tag_id, status, problem, archived, due_day, n)
    SELECT t.org_id, g.tag_id, t.status, t.problem, t.archived_at IS NOT NULL,
           CASE WHEN t.status IN ('completed', 'auto-skipped') THEN 0 ELSE t.deadline / 86400000 END, COUNT(*)
      FROM new_rows t,
           LATERAL (SELECT l.tag_id FROM tag_links l WHERE l.subject_type = 'Task' AND l.subject_id = t.id
                    UNION SELECT l.tag_id FROM tag_links l WHERE l.subject_type = 'Run' AND l.subject_id = t.run_id) g
     GROUP BY 1, 2, 3, 4, 5, 6;
    RETURN NULL;
END $$;
CREATE FUNCTION docket_tag_task_counts_del() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO tag_task_counts (org_id, tag_id, status, problem, archived, due_day, n)
    SELECT t.org_id, g.tag_id, t.status, t.problem, t.archived_at IS NOT NULL,
           CASE WHEN t.status IN ('completed', 'auto-skipped') THEN 0 ELSE t.deadline / 86400000 END, -COUNT(*)
      FROM old_rows t,
           LATERAL (SELECT l.tag_id FROM tag_links l WHERE l.subject_type = 'Task' AND l.subject_id = t.id
                    UNION SELECT l.tag_id FROM tag_links l WHERE l.subject_type = 'Run' AND l.subject_id = t.run_id) g
     GROUP BY 1, 2, 3, 4, 5, 6;
    RETURN NULL;
END $$;
-- Only the rows whose cell or run changed are looked up (most updates change neither).
CREATE FUNCTION docket_tag_task_counts_upd() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO tag_task_counts (org_id, tag_id, status, problem, archived, due_day, n)
    SELECT c.org_id, g.tag_id, c.status, c.problem, c.archived, c.due_day, SUM(c.d)
      FROM (SELECT x.*
              FROM old_rows o JOIN new_rows n ON n.id = o.id,
                   LATERAL (VALUES
                       (o.id, o.run_id, o.org_id, o.status, o.problem, o.archived_at IS NOT NULL,
                        CASE WHEN o.status IN ('completed', 'auto-skipped') THEN 0 ELSE o.deadline / 86400000 END, -1),
                       (n.id, n.run_id, n.org_id, n.status, n.problem, n.archived_at IS NOT NULL,
                        CASE WHEN n.status IN ('completed', 'auto-skipped') THEN 0 ELSE n.deadline / 86400000 END, 1)
                   ) x (id, run_id, org_id, status, problem, archived, due_day, d)
             WHERE o.org_id <> n.org_id OR o.status <> n.status OR o.problem <> n.problem
                OR (o.archived_at IS NULL) <> (n.archived_at IS NULL)
                OR o.deadline / 86400000 <> n.deadline / 86400000 OR o.run_id IS DISTINCT FROM n.run_id) c,
           LATERAL (SELECT l.tag_id FROM tag_links l WHERE l.subject_type = 'Task' AND l.subject_id = c.id
                    UNION SELECT l.tag_id FROM tag_links l WHERE l.subject_type = 'Run' AND l.subject_id = c.run_id) g
     GROUP BY 1, 2, 3, 4, 5, 6
    HAVING SUM(c.d) <> 0;
    RETURN NULL;
END $$;
CREATE TRIGGER tag_task_counts_ai AFTER INSERT ON tasks REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION docket_tag_task_counts_ins();
CREATE TRIGGER tag_task_counts_ad AFTER DELETE ON tasks REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION docket_tag_task_counts_del();
CREATE TRIGGER tag_task_counts_au AFTER UPDATE ON tasks REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION docket_tag_task_counts_upd();

-- Links: each (task, tag) pair a statement's links reach (the task, or every task of the run)
-- gains (or loses) the tag's cell when every link that gives the task that tag now is one of
-- the statement's own (or, after a delete, when none is left). A task's own link and its
-- run's link of one tag are one tag of the task; `reached` counts how many of the statement's
-- links reach the pair.
CREATE FUNCTION docket_tag_task_counts_links_ins() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO tag_task_counts (org_id, tag_id, status, problem, archived, due_day, n)
    SELECT t.org_id, p.tag_id, t.status, t.problem, t.archived_at IS NOT NULL,
           CASE WHEN t.status IN ('completed', 'auto-skipped') THEN 0 ELSE t.deadline / 86400000 END, COUNT(*)
      FROM (SELECT r.tag_id, r.task_id, COUNT(*) AS reached
              FROM (SELECT l.tag_id, l.subject_id AS task_id FROM new_rows l WHERE l.subject_type = 'Task'
                    UNION ALL
                    SELECT l.tag_id, x.id FROM new_rows l, LATERAL (SELECT x.id FROM tasks x WHERE x.run_id = l.subject_id) x
                     WHERE l.subject_type = 'Run') r
             GROUP BY r.tag_id, r.task_id) p,
           LATERAL (SELECT * FROM tasks x WHERE x.id = p.task_id LIMIT 1) t
     WHERE p.reached = (SELECT COUNT(*) FROM tag_links l
                         WHERE l.tag_id = p.tag_id AND l.subject_type = 'Task' AND l.subject_id = t.id)
                     + (SELECT COUNT(*) FROM tag_links l
                         WHERE l.tag_id = p.tag_id AND l.subject_type = 'Run' AND l.subject_id = t.run_id)
     GROUP BY 1, 2, 3, 4, 5, 6;
    RETURN NULL;
END $$;
CREATE FUNCTION docket_tag_task_counts_links_del() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO tag_task_counts (org_id, tag_id, status, problem, archived, due_day, n)
    SELECT t.org_id, p.tag_id, t.status, t.problem, t.archived_at IS NOT NULL,
           CASE WHEN t.status IN ('completed', 'auto-skipped') THEN 0 ELSE t.deadline / 86400000 END, -COUNT(*)
      FROM (SELECT l.tag_id, l.subject_id AS task_id FROM old_rows l WHERE l.subject_type = 'Task'
            UNION
            SELECT l.tag_id, x.id FROM old_rows l, LATERAL (SELECT x.id FROM tasks x WHERE x.run_id = l.subject_id) x
             WHERE l.subject_type = 'Run') p,
           LATERAL (SELECT * FROM tasks x WHERE x.id = p.task_id LIMIT 1) t
     WHERE NOT EXISTS (SELECT 1 FROM tag_links l
                        WHERE l.tag_id = p.tag_id AND l.subject_type = 'Task' AND l.subject_id = t.id)
       AND NOT EXISTS (SELECT 1 FROM tag_links l
                        WHERE l.tag_id = p.tag_id AND l.subject_type = 'Run' AND l.subject_id = t.run_id)
     GROUP BY 1, 2, 3, 4, 5, 6;
    RETURN NULL;
END $$;
CREATE TRIGGER tag_task_counts_links_ai AFTER INSERT ON tag_links REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION docket_tag_task_counts_links_ins();
CREATE TRIGGER tag_task_counts_links_ad AFTER DELETE ON tag_links REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION docket_tag_task_counts_links_del();

INSERT INTO tag_task_counts (org_id, tag_id, status, problem, archived, due_day, n)
SELECT t.org_id, g.tag_id, t.status, t.problem, t.archived_at IS NOT NULL,
       CASE WHEN t.status IN ('completed', 'auto-skipped') THEN 0 ELSE t.deadline / 86400000 END, COUNT(*)
  FROM (SELECT l.subject_id AS task_id, l.tag_id FROM tag_links l WHERE l.subject_type = 'Task'
        UNION SELECT t.id, l.tag_id FROM tag_links l JOIN tasks t ON t.run_id = l.subject_id WHERE l.subject_type = 'Run') g
  JOIN tasks t ON t.id = g.task_id
 GROUP BY 1, 2, 3, 4, 5, 6;
