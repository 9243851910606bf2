-- The number of tasks per word of their titles (issue 15). Kept in step with the other
-- backend's migrations.
--
-- A list filtered by a text (`q=`, on the task's title or its run's name) and `GET /search`
-- counted every match for their totals: a common word is in about a tenth of 1,000,000 titles,
-- and its count took 0.2-0.5 s a page, under writes almost every time. A text of three or more
-- ASCII letters that lies within one word of the organization's titles matches exactly the
-- titles with that word, and its exact total is now a sum of these rows (`word_totals.rs`;
-- the tasks of the few runs whose name contains it are counted on top).
--
-- A title's words are its longest runs of the letters a to z in `lower(title)`: any other
-- character separates them. A text of those letters alone is within `lower(title)` (the lists'
-- test) exactly when it is within one of its words. A task counts once under each word of its
-- title, in the cell of its status, problem flag and archived state and, while it is
-- incomplete, of the UTC day of its deadline: the cells of a tag's counts (migration 0031).
-- Like those, the statement triggers below only insert deltas, and a read folds them past a
-- bound.
--
-- `title_words` is the organization's vocabulary, every word a title has had, kept only to
-- find the words that contain a text: a word no task has any more stays, and its counts sum to
-- zero. Derived data, both: export skips them; importing `tasks` rebuilds them through the
-- triggers.
CREATE TABLE word_task_counts (
    org_id   TEXT NOT NULL,
    word     TEXT NOT NULL,
    status   TEXT NOT NULL,
    problem  BOOLEAN NOT NULL,
    archived BOOLEAN NOT NULL,
    due_day  BIGINT NOT NULL,
    n        BIGINT NOT NULL
);
CREATE INDEX word_task_counts_word ON word_task_counts (org_id, word);

CREATE TABLE title_words (
    org_id TEXT NOT NULL,
    word   TEXT NOT NULL,
    PRIMARY KEY (org_id, word)
);

-- The distinct words of a title. The letters are listed, not ranged, so that no collation
-- widens them.
CREATE FUNCTION docket_title_words(title TEXT) RETURNS SETOF TEXT LANGUAGE sql STABLE AS $$
    SELECT DISTINCT m[1] FROM regexp_matches(lower(title), '([abcdefghijklmnopqrstuvwxyz]+)', 'g') AS m
$$;

CREATE FUNCTION docket_word_task_counts_ins() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO word_task_counts (org_id, word, status, problem, archived, due_day, n)
    SELECT t.org_id, w.word, t.status, t.problem, t.archived_at IS NOT NULL,
           CASE WHEN t.status IN ('completed', 'auto-skipped') THEN 0 ELSE t.deadline / 86400000 END, COUNT(*)
      FROM new_rows t, LATERAL docket_title_words(t.title) AS w (word)
     GROUP BY 1, 2, 3, 4, 5, 6;
    INSERT INTO title_words (org_id, word)
    SELECT DISTINCT t.org_id, w.word FROM new_rows t, LATERAL docket_title_words(t.title) AS w (word)
    ON CONFLICT (org_id, word) DO NOTHING;
    RETURN NULL;
END $$;
CREATE FUNCTION docket_word_task_counts_del() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO word_task_counts (org_id, word, status, problem, archived, due_day, n)
    SELECT t.org_id, w.word, t.status, t.problem, t.archived_at IS NOT NULL,
           CASE WHEN t.status IN ('completed', 'auto-skipped') THEN 0 ELSE t.deadline / 86400000 END, -COUNT(*)
      FROM old_rows t, LATERAL docket_title_words(t.title) AS w (word)
     GROUP BY 1, 2, 3, 4, 5, 6;
    RETURN NULL;
END $$;
-- Only the rows whose title or cell changed are taken apart (most updates change neither).
CREATE FUNCTION docket_word_task_counts_upd() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO word_task_counts (org_id, word, status, problem, archived, due_day, n)
    SELECT c.org_id, w.word, c.status, c.problem, c.archived, c.due_day, SUM(c.d)
      FROM (SELECT x.*
              FROM old_rows o JOIN new_rows n ON n.id = o.id,
                   LATERAL (VALUES
                       (o.title, o.org_id, o.status, o.problem, o.archived_at IS NOT NULL,
                        CASE WHEN o.status IN ('completed', 'auto-skipped') THEN 0 ELSE o.deadline / 86400000 END, -1),
                       (n.title, n.org_id, n.status, n.problem, n.archived_at IS NOT NULL,
                        CASE WHEN n.status IN ('completed', 'auto-skipped') THEN 0 ELSE n.deadline / 86400000 END, 1)
                   ) x (title, org_id, status, problem, archived, due_day, d)
             WHERE o.org_id <> n.org_id OR o.title <> n.title OR o.status <> n.status OR o.problem <> n.problem
                OR (o.archived_at IS NULL) <> (n.archived_at IS NULL)
                OR o.deadline / 86400000 <> n.deadline / 86400000) c,
           LATERAL docket_title_words(c.title) AS w (word)
     GROUP BY 1, 2, 3, 4, 5, 6
    HAVING SUM(c.d) <> 0;
    INSERT INTO title_words (org_id, word)
    SELECT DISTINCT n.org_id, w.word
      FROM old_rows o JOIN new_rows n ON n.id = o.id, LATERAL docket_title_words(n.title) AS w (word)
     WHERE o.org_id <> n.org_id OR o.title <> n.title
    ON CONFLICT (org_id, word) DO NOTHING;
    RETURN NULL;
END $$;
CREATE TRIGGER word_task_counts_ai AFTER INSERT ON tasks REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION docket_word_task_counts_ins();
CREATE TRIGGER word_task_counts_ad AFTER DELETE ON tasks REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION docket_word_task_counts_del();
CREATE TRIGGER word_task_counts_au AFTER UPDATE ON tasks REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION docket_word_task_counts_upd();

INSERT INTO word_task_counts (org_id, word, status, problem, archived, due_day, n)
SELECT t.org_id, w.word, t.status, t.problem, t.archived_at IS NOT NULL,
       CASE WHEN t.status IN ('completed', 'auto-skipped') THEN 0 ELSE t.deadline / 86400000 END, COUNT(*)
  FROM tasks t, LATERAL docket_title_words(t.title) AS w (word)
 GROUP BY 1, 2, 3, 4, 5, 6;
INSERT INTO title_words (org_id, word) SELECT DISTINCT org_id, word FROM word_task_counts;
