-- The number of tasks per word of their titles (issue 15). Kept in step with the other
-- backend's migrations.
--
-- A list filtered by a text (`q=`, on the task's title or its run's name) and `GET /search`
-- counted every match for their totals: a common word is in about a tenth of 1,000,000 titles,
-- and its count took 0.2-2.8 s a page, under writes almost every time. A text of three or more
-- ASCII letters that lies within one word of the organization's titles matches exactly the
-- titles with that word, and its exact total is now a sum of these rows (`word_totals.rs`;
-- the tasks of the few runs whose name contains it are counted on top).
--
-- A title's words are its longest runs of the letters a to z after `lower()`: any other
-- character separates them. A text of those letters alone is within a title exactly when it is
-- within one of its words, whatever the case of either (SQLite's `LIKE` ignores ASCII case
-- only, and `lower()` changes nothing else). A task counts once under each word of its title,
-- in the cell of its status, problem flag and archived state and, while it is incomplete, of
-- the UTC day of its deadline: the cells of a tag's counts (migration 0031).
--
-- `title_words` is the organization's vocabulary, every word a title has had, kept only to
-- find the words that contain a text: a word no task has any more stays, and its counts sum to
-- zero. Derived data, both: export skips them; importing `tasks` rebuilds them through the
-- triggers. The words are taken apart by `json_each` over a position per character (a
-- trigger cannot hold a recursive `WITH`).
CREATE TABLE word_task_counts (
    org_id   TEXT NOT NULL,
    word     TEXT NOT NULL,
    status   TEXT NOT NULL,
    problem  BOOLEAN NOT NULL,
    archived BOOLEAN NOT NULL,
    due_day  INTEGER NOT NULL,
    n        INTEGER NOT NULL,
    PRIMARY KEY (org_id, word, status, problem, archived, due_day)
) WITHOUT ROWID;

CREATE TABLE title_words (
    org_id TEXT NOT NULL,
    word   TEXT NOT NULL,
    PRIMARY KEY (org_id, word)
) WITHOUT ROWID;

CREATE TRIGGER word_task_counts_ai AFTER INSERT ON tasks BEGIN
    INSERT INTO word_task_counts (org_id, word, status, problem, archived, due_day, n)
    SELECT new.org_id, w.word, new.status, new.problem, new.archived_at IS NOT NULL,
           CASE WHEN new.status IN ('completed', 'auto-skipped') THEN 0 ELSE new.deadline / 86400000 END, 1
      FROM (SELECT DISTINCT substr(x.s, p.key + 1, length(substr(x.s, p.key + 1))
                                       - length(ltrim(substr(x.s, p.key + 1), 'abcdefghijklmnopqrstuvwxyz'))) AS word
              FROM (SELECT lower(new.title) AS s) x,
                   json_each('[' || substr(replace(hex(zeroblob(length(x.s))), '00', ',0'), 2) || ']') p
             WHERE substr(x.s, p.key + 1, 1) BETWEEN 'a' AND 'z'
               AND (p.key = 0 OR substr(x.s, p.key, 1) NOT BETWEEN 'a' AND 'z')) w
     WHERE TRUE
    ON CONFLICT (org_id, word, status, problem, archived, due_day) DO UPDATE SET n = n + excluded.n;
    INSERT INTO title_words (org_id, word)
    SELECT new.org_id, w.word FROM (SELECT DISTINCT substr(x.s, p.key + 1, length(substr(x.s, p.key + 1))
                                       - length(ltrim(substr(x.s, p.key + 1), 'abcdefghijklmnopqrstuvwxyz'))) AS word
              FROM (SELECT lower(new.title) AS s) x,
                   json_each('[' || substr(replace(hex(zeroblob(length(x.s))), '00', ',0'), 2) || ']') p
             WHERE substr(x.s, p.key + 1, 1) BETWEEN 'a' AND 'z'
               AND (p.key = 0 OR substr(x.s, p.key, 1) NOT BETWEEN 'a' AND 'z')) w
     WHERE TRUE
    ON CONFLICT (org_id, word) DO NOTHING;
END;
CREATE TRIGGER word_task_counts_ad AFTER DELETE ON tasks BEGIN
    INSERT INTO word_task_counts (org_id, word, status, problem, archived, due_day, n)
    SELECT old.org_id, w.word, old.status, old.problem, old.archived_at IS NOT NULL,
           CASE WHEN old.status IN ('completed', 'auto-skipped') THEN 0 ELSE old.deadline / 86400000 END, -1
      FROM (SELECT DISTINCT substr(x.s, p.key + 1, length(substr(x.s, p.key + 1))
                                       - length(ltrim(substr(x.s, p.key + 1), 'abcdefghijklmnopqrstuvwxyz'))) AS word
              FROM (SELECT lower(old.title) AS s) x,
                   json_each('[' || substr(replace(hex(zeroblob(length(x.s))), '00', ',0'), 2) || ']') p
             WHERE substr(x.s, p.key + 1, 1) BETWEEN 'a' AND 'z'
               AND (p.key = 0 OR substr(x.s, p.key, 1) NOT BETWEEN 'a' AND 'z')) w
     WHERE TRUE
    ON CONFLICT (org_id, word, status, problem, archived, due_day) DO UPDATE SET n = n + excluded.n;
END;
CREATE TRIGGER word_task_counts_au AFTER UPDATE OF org_id, title, status, problem, archived_at, deadline ON tasks
    WHEN old.org_id <> new.org_id OR old.title <> new.title OR old.status <> new.status OR old.problem <> new.problem
      OR (old.archived_at IS NULL) <> (new.archived_at IS NULL) OR old.deadline / 86400000 <> new.deadline / 86400000 BEGIN
    INSERT INTO word_task_counts (org_id, word, status, problem, archived, due_day, n)
    SELECT old.org_id, w.word, old.status, old.problem, old.archived_at IS NOT NULL,
           CASE WHEN old.status IN ('completed', 'auto-skipped') THEN 0 ELSE old.deadline / 86400000 END, -1
      FROM (SELECT DISTINCT substr(x.s, p.key + 1, length(substr(x.s, p.key + 1))
                                       - length(ltrim(substr(x.s, p.key + 1), 'abcdefghijklmnopqrstuvwxyz'))) AS word
              FROM (SELECT lower(old.title) AS s) x,
                   json_each('[' || substr(replace(hex(zeroblob(length(x.s))), '00', ',0'), 2) || ']') p
             WHERE substr(x.s, p.key + 1, 1) BETWEEN 'a' AND 'z'
               AND (p.key = 0 OR substr(x.s, p.key, 1) NOT BETWEEN 'a' AND 'z')) w
     WHERE TRUE
    ON CONFLICT (org_id, word, status, problem, archived, due_day) DO UPDATE SET n = n + excluded.n;
    INSERT INTO word_task_counts (org_id, word, status, problem, archived, due_day, n)
    SELECT new.org_id, w.word, new.status, new.problem, new.archived_at IS NOT NULL,
           CASE WHEN new.status IN ('completed', 'auto-skipped') THEN 0 ELSE new.deadline / 86400000 END, 1
      FROM (SELECT DISTINCT substr(x.s, p.key + 1, length(substr(x.s, p.key + 1))
                                       - length(ltrim(substr(x.s, p.key + 1), 'abcdefghijklmnopqrstuvwxyz'))) AS word
              FROM (SELECT lower(new.title) AS s) x,
                   json_each('[' || substr(replace(hex(zeroblob(length(x.s))), '00', ',0'), 2) || ']') p
             WHERE substr(x.s, p.key + 1, 1) BETWEEN 'a' AND 'z'
               AND (p.key = 0 OR substr(x.s, p.key, 1) NOT BETWEEN 'a' AND 'z')) w
     WHERE TRUE
    ON CONFLICT (org_id, word, status, problem, archived, due_day) DO UPDATE SET n = n + excluded.n;
END;
CREATE TRIGGER title_words_au AFTER UPDATE OF org_id, title ON tasks
    WHEN old.org_id <> new.org_id OR old.title <> new.title BEGIN
    INSERT INTO title_words (org_id, word)
    SELECT new.org_id, w.word FROM (SELECT DISTINCT substr(x.s, p.key + 1, length(substr(x.s, p.key + 1))
                                       - length(ltrim(substr(x.s, p.key + 1), 'abcdefghijklmnopqrstuvwxyz'))) AS word
              FROM (SELECT lower(new.title) AS s) x,
                   json_each('[' || substr(replace(hex(zeroblob(length(x.s))), '00', ',0'), 2) || ']') p
             WHERE substr(x.s, p.key + 1, 1) BETWEEN 'a' AND 'z'
               AND (p.key = 0 OR substr(x.s, p.key, 1) NOT BETWEEN 'a' AND 'z')) w
     WHERE TRUE
    ON CONFLICT (org_id, word) DO NOTHING;
END;

INSERT INTO word_task_counts (org_id, word, status, problem, archived, due_day, n)
SELECT org_id, word, status, problem, archived, due_day, COUNT(*)
  FROM (SELECT DISTINCT t.id, t.org_id,
               substr(lower(t.title), p.key + 1, length(substr(lower(t.title), p.key + 1))
                      - length(ltrim(substr(lower(t.title), p.key + 1), 'abcdefghijklmnopqrstuvwxyz'))) AS word,
               t.status, t.problem, t.archived_at IS NOT NULL AS archived,
               CASE WHEN t.status IN ('completed', 'auto-skipped') THEN 0 ELSE t.deadline / 86400000 END AS due_day
          FROM tasks t, json_each('[' || substr(replace(hex(zeroblob(length(t.title))), '00', ',0'), 2) || ']') p
         WHERE substr(lower(t.title), p.key + 1, 1) BETWEEN 'a' AND 'z'
           AND (p.key = 0 OR substr(lower(t.title), p.key, 1) NOT BETWEEN 'a' AND 'z'))
 GROUP BY 1, 2, 3, 4, 5, 6;
INSERT INTO title_words (org_id, word) SELECT DISTINCT org_id, word FROM word_task_counts;
