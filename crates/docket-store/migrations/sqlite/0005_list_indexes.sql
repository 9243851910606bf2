-- Indexes for task lists at a million tasks (issue 4), kept in step with migrations/postgres.
--
-- Pages walk `tasks` in sort order, so the sort keys lead with the organization and end with
-- the `increment_id` tie-breaker (no temporary sort for the page).
DROP INDEX tasks_org_deadline;
CREATE INDEX tasks_org_deadline ON tasks (org_id, deadline, increment_id);
CREATE INDEX tasks_org_created ON tasks (org_id, created_at, increment_id);
-- Counts start from the assignments of the filtered members, groups or guests and check every
-- other condition in this covering index, never in the wide task row.
CREATE INDEX tasks_list_cover ON tasks (id, org_id, archived_at, status, started_at, is_soft_start_date, top_secret);
DROP INDEX task_users_user;
CREATE INDEX task_users_user ON task_users (user_id, task_id);
DROP INDEX task_guests_guest;
CREATE INDEX task_guests_guest ON task_guests (guest_id, task_id);
DROP INDEX task_groups_group;
CREATE INDEX task_groups_group ON task_groups (group_id, task_id);
CREATE INDEX tag_links_tag ON tag_links (tag_id, subject_type, subject_id);

-- Text search (`q`): FTS5 trigram indexes answer `LIKE '%text%'` for task titles and run names.
-- Their content lives in `task_text` / `run_text`, whose INTEGER PRIMARY KEY is stable (the
-- rowid of `tasks` may change on VACUUM), kept up to date by triggers so that every write path,
-- cascades included, keeps them exact. All four are derived data: export skips them, and
-- inserting `tasks` and `runs` rebuilds them.
CREATE TABLE task_text (
    k       INTEGER PRIMARY KEY,
    task_id TEXT NOT NULL UNIQUE,
    title   TEXT NOT NULL
);
CREATE VIRTUAL TABLE task_fts USING fts5(title, content = 'task_text', content_rowid = 'k', tokenize = 'trigram');
CREATE TRIGGER task_text_ai AFTER INSERT ON task_text BEGIN
    INSERT INTO task_fts (rowid, title) VALUES (new.k, new.title);
END;
CREATE TRIGGER task_text_ad AFTER DELETE ON task_text BEGIN
    INSERT INTO task_fts (task_fts, rowid, title) VALUES ('delete', old.k, old.title);
END;
CREATE TRIGGER task_text_au AFTER UPDATE ON task_text BEGIN
    INSERT INTO task_fts (task_fts, rowid, title) VALUES ('delete', old.k, old.title);
    INSERT INTO task_fts (rowid, title) VALUES (new.k, new.title);
END;
CREATE TRIGGER tasks_text_ai AFTER INSERT ON tasks BEGIN
    INSERT INTO task_text (task_id, title) VALUES (new.id, new.title);
END;
CREATE TRIGGER tasks_text_au AFTER UPDATE OF title ON tasks BEGIN
    UPDATE task_text SET title = new.title WHERE task_id = new.id;
END;
CREATE TRIGGER tasks_text_ad AFTER DELETE ON tasks BEGIN
    DELETE FROM task_text WHERE task_id = old.id;
END;
INSERT INTO task_text (task_id, title) SELECT id, title FROM tasks;

CREATE TABLE run_text (
    k      INTEGER PRIMARY KEY,
    run_id TEXT NOT NULL UNIQUE,
    name   TEXT NOT NULL
);
CREATE VIRTUAL TABLE run_fts USING fts5(name, content = 'run_text', content_rowid = 'k', tokenize = 'trigram');
CREATE TRIGGER run_text_ai AFTER INSERT ON run_text BEGIN
    INSERT INTO run_fts (rowid, name) VALUES (new.k, new.name);
END;
CREATE TRIGGER run_text_ad AFTER DELETE ON run_text BEGIN
    INSERT INTO run_fts (run_fts, rowid, name) VALUES ('delete', old.k, old.name);
END;
CREATE TRIGGER run_text_au AFTER UPDATE ON run_text BEGIN
    INSERT INTO run_fts (run_fts, rowid, name) VALUES ('delete', old.k, old.name);
    INSERT INTO run_fts (rowid, name) VALUES (new.k, new.name);
END;
CREATE TRIGGER runs_text_ai AFTER INSERT ON runs BEGIN
    INSERT INTO run_text (run_id, name) VALUES (new.id, new.name);
END;
CREATE TRIGGER runs_text_au AFTER UPDATE OF name ON runs BEGIN
    UPDATE run_text SET name = new.name WHERE run_id = new.id;
END;
CREATE TRIGGER runs_text_ad AFTER DELETE ON runs BEGIN
    DELETE FROM run_text WHERE run_id = old.id;
END;
INSERT INTO run_text (run_id, name) SELECT id, name FROM runs;
