-- Every task each member is assigned to, directly or through a group, with the task's list
-- columns (issue 4), kept in step with migrations/postgres.
--
-- A member's task list (`owners=`, my tasks, a member's tasks) reads this table alone: its
-- primary key is the default sort (deadline, then `increment_id`), so a filtered page of 25 is
-- one short range scan however many tasks the organization has, and a count is a scan of that
-- member's rows only. The column names are those of `tasks`, so that the list filters written
-- for `tasks t` apply unchanged to `member_tasks t`. Derived data, kept exact by the triggers
-- below on every write path (cascades included): export skips it, import rebuilds it.
CREATE TABLE member_tasks (
    org_id             TEXT NOT NULL,
    user_id            INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    deadline           INTEGER NOT NULL,
    increment_id       INTEGER NOT NULL,
    id                 TEXT NOT NULL REFERENCES tasks (id) ON DELETE CASCADE,
    run_id             TEXT,
    position           INTEGER NOT NULL,
    status             TEXT NOT NULL,
    started_at         INTEGER NOT NULL,
    is_soft_start_date BOOLEAN NOT NULL,
    created_at         INTEGER NOT NULL,
    completed_at       INTEGER,
    archived_at        INTEGER,
    top_secret         BOOLEAN NOT NULL,
    problem            BOOLEAN NOT NULL,
    PRIMARY KEY (org_id, user_id, deadline, increment_id)
) WITHOUT ROWID;
CREATE UNIQUE INDEX member_tasks_task ON member_tasks (id, user_id);
CREATE INDEX member_tasks_created ON member_tasks (org_id, user_id, created_at, increment_id);

-- Assignments (direct, through a group, group membership) add rows and remove those no
-- other assignment still holds; task updates carry the list columns over.
CREATE TRIGGER member_tasks_user_ai AFTER INSERT ON task_users BEGIN
    INSERT INTO member_tasks (org_id, user_id, deadline, increment_id, id, run_id, position, status, started_at,
                              is_soft_start_date, created_at, completed_at, archived_at, top_secret, problem)
    SELECT t.org_id, new.user_id, t.deadline, t.increment_id, t.id, t.run_id, t.position, t.status, t.started_at,
           t.is_soft_start_date, t.created_at, t.completed_at, t.archived_at, t.top_secret, t.problem
      FROM tasks t WHERE t.id = new.task_id
    ON CONFLICT (id, user_id) DO NOTHING;
END;
CREATE TRIGGER member_tasks_user_ad AFTER DELETE ON task_users BEGIN
    DELETE FROM member_tasks WHERE id = old.task_id AND user_id = old.user_id
       AND NOT EXISTS (SELECT 1 FROM task_groups x JOIN group_members m ON m.group_id = x.group_id
                        WHERE x.task_id = old.task_id AND m.user_id = old.user_id);
END;
CREATE TRIGGER member_tasks_group_ai AFTER INSERT ON task_groups BEGIN
    INSERT INTO member_tasks (org_id, user_id, deadline, increment_id, id, run_id, position, status, started_at,
                              is_soft_start_date, created_at, completed_at, archived_at, top_secret, problem)
    SELECT t.org_id, m.user_id, t.deadline, t.increment_id, t.id, t.run_id, t.position, t.status, t.started_at,
           t.is_soft_start_date, t.created_at, t.completed_at, t.archived_at, t.top_secret, t.problem
      FROM tasks t JOIN group_members m ON m.group_id = new.group_id WHERE t.id = new.task_id
    ON CONFLICT (id, user_id) DO NOTHING;
END;
CREATE TRIGGER member_tasks_group_ad AFTER DELETE ON task_groups BEGIN
    DELETE FROM member_tasks WHERE id = old.task_id
       AND user_id IN (SELECT m.user_id FROM group_members m WHERE m.group_id = old.group_id)
       AND NOT EXISTS (SELECT 1 FROM task_users x WHERE x.task_id = old.task_id AND x.user_id = member_tasks.user_id)
       AND NOT EXISTS (SELECT 1 FROM task_groups x JOIN group_members m ON m.group_id = x.group_id
                        WHERE x.task_id = old.task_id AND m.user_id = member_tasks.user_id);
END;
CREATE TRIGGER member_tasks_member_ai AFTER INSERT ON group_members BEGIN
    INSERT INTO member_tasks (org_id, user_id, deadline, increment_id, id, run_id, position, status, started_at,
                              is_soft_start_date, created_at, completed_at, archived_at, top_secret, problem)
    SELECT t.org_id, new.user_id, t.deadline, t.increment_id, t.id, t.run_id, t.position, t.status, t.started_at,
           t.is_soft_start_date, t.created_at, t.completed_at, t.archived_at, t.top_secret, t.problem
      FROM task_groups x JOIN tasks t ON t.id = x.task_id WHERE x.group_id = new.group_id
    ON CONFLICT (id, user_id) DO NOTHING;
END;
CREATE TRIGGER member_tasks_member_ad AFTER DELETE ON group_members BEGIN
    DELETE FROM member_tasks WHERE user_id = old.user_id
       AND id IN (SELECT x.task_id FROM task_groups x WHERE x.group_id = old.group_id)
       AND NOT EXISTS (SELECT 1 FROM task_users x WHERE x.task_id = member_tasks.id AND x.user_id = old.user_id)
       AND NOT EXISTS (SELECT 1 FROM task_groups x JOIN group_members m ON m.group_id = x.group_id
                        WHERE x.task_id = member_tasks.id AND m.user_id = old.user_id);
END;
-- Deleting a group cascades to its memberships and its assignments: the rows only the group
-- holds go first, so that the outcome does not depend on the order of the cascades.
CREATE TRIGGER member_tasks_group_gone BEFORE DELETE ON org_groups BEGIN
    DELETE FROM member_tasks WHERE (id, user_id) IN (
        SELECT x.task_id, m.user_id FROM task_groups x JOIN group_members m ON m.group_id = x.group_id
         WHERE x.group_id = old.id)
       AND NOT EXISTS (SELECT 1 FROM task_users u WHERE u.task_id = member_tasks.id AND u.user_id = member_tasks.user_id)
       AND NOT EXISTS (SELECT 1 FROM task_groups y JOIN group_members n ON n.group_id = y.group_id
                        WHERE y.task_id = member_tasks.id AND n.user_id = member_tasks.user_id AND y.group_id <> old.id);
END;
CREATE TRIGGER member_tasks_task_au AFTER UPDATE OF org_id, deadline, increment_id, run_id, position, status,
    started_at, is_soft_start_date, created_at, completed_at, archived_at, top_secret, problem ON tasks BEGIN
    UPDATE member_tasks
       SET org_id = new.org_id, deadline = new.deadline, increment_id = new.increment_id, run_id = new.run_id,
           position = new.position, status = new.status, started_at = new.started_at,
           is_soft_start_date = new.is_soft_start_date, created_at = new.created_at,
           completed_at = new.completed_at, archived_at = new.archived_at, top_secret = new.top_secret,
           problem = new.problem
     WHERE id = new.id;
END;

INSERT INTO member_tasks (org_id, user_id, deadline, increment_id, id, run_id, position, status, started_at,
                          is_soft_start_date, created_at, completed_at, archived_at, top_secret, problem)
SELECT t.org_id, a.user_id, t.deadline, t.increment_id, t.id, t.run_id, t.position, t.status, t.started_at,
       t.is_soft_start_date, t.created_at, t.completed_at, t.archived_at, t.top_secret, t.problem
  FROM (SELECT task_id, user_id FROM task_users
        UNION SELECT x.task_id, m.user_id FROM task_groups x JOIN group_members m ON m.group_id = x.group_id) a
  JOIN tasks t ON t.id = a.task_id;
