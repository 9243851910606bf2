-- Kept in step with the other backend's migrations, where an insert of assignees now adds its
-- members' copies of the tasks (`member_tasks`) by one statement trigger instead of a row
-- trigger that ran an interpreted function per row. SQLite's row triggers (migration 0007)
-- run no interpreter, and SQLite has no statement triggers: nothing changes here.
SELECT 1;
