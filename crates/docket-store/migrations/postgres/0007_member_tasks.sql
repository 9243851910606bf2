-- Every task each member is assigned to, directly or through a group, with the task's list
-- columns (issue 4), kept in step with migrations/sqlite.
--
-- A member's task list (`owners=`, my tasks, a member's tasks) reads this table alone: the
-- index `member_tasks_deadline` is the default sort (deadline, then `increment_id`), so a
-- filtered page of 25 is one short range scan however many tasks the organization has, and a
-- count is a scan of that member's rows only. The column names are those of `tasks`, so that
-- the list filters written for `tasks t` apply unchanged to `member_tasks t`. Derived data,
-- kept exact by the triggers below on every write path (cascades included): export skips it,
-- import rebuilds it.
CREATE TABLE member_tasks (
    org_id             TEXT NOT NULL,
    user_id            BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    deadline           BIGINT NOT NULL,
    increment_id       BIGINT NOT NULL,
    id                 TEXT NOT NULL REFERENCES tasks (id) ON DELETE CASCADE,
    run_id             TEXT,
    position           BIGINT NOT NULL,
    status             TEXT NOT NULL,
    started_at         BIGINT NOT NULL,
    is_soft_start_date BOOLEAN NOT NULL,
    created_at         BIGINT NOT NULL,
    completed_at       BIGINT,
    archived_at        BIGINT,
    top_secret         BOOLEAN NOT NULL,
    problem            BOOLEAN NOT NULL,
    PRIMARY KEY (id, user_id)
);
CREATE INDEX member_tasks_deadline ON member_tasks (org_id, user_id, deadline, increment_id)
    INCLUDE (id, status, started_at, is_soft_start_date, archived_at, top_secret);
CREATE INDEX member_tasks_created ON member_tasks (org_id, user_id, created_at, increment_id);

-- Assignments (direct, through a group, group membership) add rows and remove those no other
-- assignment still holds; task updates carry the list columns over.
CREATE FUNCTION member_tasks_add(task TEXT, member BIGINT) RETURNS void LANGUAGE sql AS $$
    INSERT INTO member_tasks (org_id, user_id, deadline, increment_id, id, run_id, position, status, started_at,
                              is_soft_start_date, created_at, completed_at, archived_at, top_secret, problem)
    SELECT t.org_id, member, t.deadline, t.increment_id, t.id, t.run_id, t.position, t.status, t.started_at,
           t.is_soft_start_date, t.created_at, t.completed_at, t.archived_at, t.top_secret, t.problem
      FROM tasks t WHERE t.id = task
    ON CONFLICT (id, user_id) DO NOTHING;
$$;
-- Removes the row of `member` for `task` unless an assignment still holds it.
CREATE FUNCTION member_tasks_drop(task TEXT, member BIGINT) RETURNS void LANGUAGE sql AS $$
    DELETE FROM member_tasks WHERE id = task AND user_id = member
       AND NOT EXISTS (SELECT 1 FROM task_users x WHERE x.task_id = task AND x.user_id = member)
       AND NOT EXISTS (SELECT 1 FROM task_groups x JOIN group_members m ON m.group_id = x.group_id
                        WHERE x.task_id = task AND m.user_id = member);
$$;

CREATE FUNCTION member_tasks_user() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        PERFORM member_tasks_add(NEW.task_id, NEW.user_id);
    ELSE
        PERFORM member_tasks_drop(OLD.task_id, OLD.user_id);
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER member_tasks_user AFTER INSERT OR DELETE ON task_users
    FOR EACH ROW EXECUTE FUNCTION member_tasks_user();

CREATE FUNCTION member_tasks_group() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        PERFORM member_tasks_add(NEW.task_id, m.user_id) FROM group_members m WHERE m.group_id = NEW.group_id;
    ELSE
        PERFORM member_tasks_drop(OLD.task_id, m.user_id) FROM group_members m WHERE m.group_id = OLD.group_id;
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER member_tasks_group AFTER INSERT OR DELETE ON task_groups
    FOR EACH ROW EXECUTE FUNCTION member_tasks_group();

CREATE FUNCTION member_tasks_member() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        PERFORM member_tasks_add(x.task_id, NEW.user_id) FROM task_groups x WHERE x.group_id = NEW.group_id;
    ELSE
        PERFORM member_tasks_drop(x.task_id, OLD.user_id) FROM task_groups x WHERE x.group_id = OLD.group_id;
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER member_tasks_member AFTER INSERT OR DELETE ON group_members
    FOR EACH ROW EXECUTE FUNCTION member_tasks_member();

-- Deleting a group cascades to its memberships and its assignments at once, so neither of
-- the triggers above sees the other table's rows: the rows only the group holds go first.
CREATE FUNCTION member_tasks_group_gone() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM member_tasks mt USING task_groups x, group_members m
     WHERE x.group_id = OLD.id AND m.group_id = OLD.id AND mt.id = x.task_id AND mt.user_id = m.user_id
       AND NOT EXISTS (SELECT 1 FROM task_users u WHERE u.task_id = mt.id AND u.user_id = mt.user_id)
       AND NOT EXISTS (SELECT 1 FROM task_groups y JOIN group_members n ON n.group_id = y.group_id
                        WHERE y.task_id = mt.id AND n.user_id = mt.user_id AND y.group_id <> OLD.id);
    RETURN OLD;
END $$;
CREATE TRIGGER member_tasks_group_gone BEFORE DELETE ON org_groups
    FOR EACH ROW EXECUTE FUNCTION member_tasks_group_gone();

CREATE FUNCTION member_tasks_task() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE member_tasks
       SET org_id = NEW.org_id, deadline = NEW.deadline, increment_id = NEW.increment_id, run_id = NEW.run_id,
           position = NEW.position, status = NEW.status, started_at = NEW.started_at,
           is_soft_start_date = NEW.is_soft_start_date, created_at = NEW.created_at,
           completed_at = NEW.completed_at, archived_at = NEW.archived_at, top_secret = NEW.top_secret,
           problem = NEW.problem
     WHERE id = NEW.id;
    RETURN NULL;
END $$;
CREATE TRIGGER member_tasks_task AFTER UPDATE OF org_id, deadline, increment_id, run_id, position, status,
    started_at, is_soft_start_date, created_at, completed_at, archived_at, top_secret, problem ON tasks
    FOR EACH ROW EXECUTE FUNCTION member_tasks_task();

INSERT INTO member_tasks (org_id, user_id, deadline, increment_id, id, run_id, position, status, started_at,
                          is_soft_start_date, created_at, completed_at, archived_at, top_secret, problem)
SELECT t.org_id, a.user_id, t.deadline, t.increment_id, t.id, t.run_id, t.position, t.status, t.started_at,
       t.is_soft_start_date, t.created_at, t.completed_at, t.archived_at, t.top_secret, t.problem
  FROM (SELECT task_id, user_id FROM task_users
        UNION SELECT x.task_id, m.user_id FROM task_groups x JOIN group_members m ON m.group_id = x.group_id) a
  JOIN tasks t ON t.id = a.task_id;
