-- A member's task list with a text search (`q`, the inbox's search) reads `member_tasks` like
-- every other member's list (issue 18): the rows carry the task's title, so the text is tested
-- on that member's rows alone instead of joining each of them to `tasks`. Kept in step with
-- migrations/sqlite.
ALTER TABLE member_tasks ADD COLUMN title TEXT NOT NULL DEFAULT '';
UPDATE member_tasks mt SET title = t.title FROM tasks t WHERE t.id = mt.id;

CREATE OR REPLACE FUNCTION member_tasks_add(task TEXT, member BIGINT) RETURNS void LANGUAGE sql AS $$
    INSERT INTO member_tasks (org_id, user_id, deadline, increment_id, id, run_id, position, status, started_at,
                              is_soft_start_date, created_at, completed_at, archived_at, top_secret, problem, title)
    SELECT t.org_id, member, t.deadline, t.increment_id, t.id, t.run_id, t.position, t.status, t.started_at,
           t.is_soft_start_date, t.created_at, t.completed_at, t.archived_at, t.top_secret, t.problem, t.title
      FROM tasks t WHERE t.id = task
    ON CONFLICT (id, user_id) DO NOTHING;
$$;

CREATE OR REPLACE FUNCTION member_tasks_task() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE member_tasks
       SET org_id = NEW.org_id, deadline = NEW.deadline, increment_id = NEW.increment_id, run_id = NEW.run_id,
           position = NEW.position, status = NEW.status, started_at = NEW.started_at,
           is_soft_start_date = NEW.is_soft_start_date, created_at = NEW.created_at,
           completed_at = NEW.completed_at, archived_at = NEW.archived_at, top_secret = NEW.top_secret,
           problem = NEW.problem, title = NEW.title
     WHERE id = NEW.id;
    RETURN NULL;
END $$;
DROP TRIGGER member_tasks_task ON tasks;
CREATE TRIGGER member_tasks_task AFTER UPDATE OF org_id, deadline, increment_id, run_id, position, status,
    started_at, is_soft_start_date, created_at, completed_at, archived_at, top_secret, problem, title ON tasks
    FOR EACH ROW EXECUTE FUNCTION member_tasks_task();
