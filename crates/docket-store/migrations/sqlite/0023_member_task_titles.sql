-- A member's task list with a text search (`q`, the inbox's search) reads `member_tasks` like
-- every other member's list (issue 18): the rows carry the task's title, so the text is tested
-- on that member's rows alone, one contiguous range of the table, instead of reading each of
-- them from `tasks` (or the organization-wide text index, whose set for a common word is far
-- larger than one member's tasks). Kept in step with migrations/postgres.
ALTER TABLE member_tasks ADD COLUMN title TEXT NOT NULL DEFAULT '';
UPDATE member_tasks SET title = (SELECT t.title FROM tasks t WHERE t.id = member_tasks.id);

DROP TRIGGER member_tasks_user_ai;
CREATE TRIGGER member_tasks_user_ai AFTER INSERT ON task_users BEGIN
    INSERT INTO member_tasks (org_id, user_id, deadline, increment_id, id, run_id, position, status, started_at,
                              is_soft_start_date, created_at, completed_at, archived_at, top_secret, problem, title)
    SELECT t.org_id, new.user_id, t.deadline, t.increment_id, t.id, t.run_id, t.position, t.status, t.started_at,
           t.is_soft_start_date, t.created_at, t.completed_at, t.archived_at, t.top_secret, t.problem, t.title
      FROM tasks t WHERE t.id = new.task_id
    ON CONFLICT (id, user_id) DO NOTHING;
END;
DROP TRIGGER member_tasks_group_ai;
CREATE TRIGGER member_tasks_group_ai AFTER INSERT ON task_groups BEGIN
    INSERT INTO member_tasks (org_id, user_id, deadline, increment_id, id, run_id, position, status, started_at,
                              is_soft_start_date, created_at, completed_at, archived_at, top_secret, problem, title)
    SELECT t.org_id, m.user_id, t.deadline, t.increment_id, t.id, t.run_id, t.position, t.status, t.started_at,
           t.is_soft_start_date, t.created_at, t.completed_at, t.archived_at, t.top_secret, t.problem, t.title
      FROM tasks t JOIN group_members m ON m.group_id = new.group_id WHERE t.id = new.task_id
    ON CONFLICT (id, user_id) DO NOTHING;
END;
DROP TRIGGER member_tasks_member_ai;
CREATE TRIGGER member_tasks_member_ai AFTER INSERT ON group_members BEGIN
    INSERT INTO member_tasks (org_id, user_id, deadline, increment_id, id, run_id, position, status, started_at,
                              is_soft_start_date, created_at, completed_at, archived_at, top_secret, problem, title)
    SELECT t.org_id, new.user_id, t.deadline, t.increment_id, t.id, t.run_id, t.position, t.status, t.started_at,
           t.is_soft_start_date, t.created_at, t.completed_at, t.archived_at, t.top_secret, t.problem, t.title
      FROM task_groups x JOIN tasks t ON t.id = x.task_id WHERE x.group_id = new.group_id
    ON CONFLICT (id, user_id) DO NOTHING;
END;
DROP TRIGGER member_tasks_task_au;
CREATE TRIGGER member_tasks_task_au AFTER UPDATE OF org_id, deadline, increment_id, run_id, position, status,
    started_at, is_soft_start_date, created_at, completed_at, archived_at, top_secret, problem, title ON tasks BEGIN
    UPDATE member_tasks
       SET org_id = new.org_id, deadline = new.deadline, increment_id = new.increment_id, run_id = new.run_id,
           position = new.position, status = new.status, started_at = new.started_at,
           is_soft_start_date = new.is_soft_start_date, created_at = new.created_at,
           completed_at = new.completed_at, archived_at = new.archived_at, top_secret = new.top_secret,
           problem = new.problem, title = new.title
     WHERE id = new.id;
END;
