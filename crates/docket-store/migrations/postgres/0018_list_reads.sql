-- Run lists and the counts of a set of tasks at scale (issue 15), kept in step with the other
-- backend's migration.
--
-- `status=delayed` asks of every run whether it has an incomplete task past its deadline, or
-- whether its latest deadline has passed; `sort=due_date` orders runs by that latest deadline.
-- Both read a run's tasks by deadline with their status: this index answers each as one short
-- range (or its last entry) of the run's own entries, without reading a task row.
CREATE INDEX tasks_run_deadline ON tasks (run_id, deadline, status);

-- A count that starts from a set of tasks (a tag's, a guest's, a text match) checks each
-- task's status in `tasks_list_cover`; `overdue` and `hasproblem` also need the deadline and
-- the problem flag, which sent each check to the task row. The index now carries both.
DROP INDEX tasks_list_cover;
CREATE INDEX tasks_list_cover ON tasks (id, org_id, archived_at, status, started_at, is_soft_start_date, top_secret,
                                        deadline, problem);
