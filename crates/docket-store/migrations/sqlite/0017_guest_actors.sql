-- Guests act on their tasks from their link (docs/web.md): they complete, reopen, fill the
-- form fields and comment as themselves. Kept in step with migrations/postgres.
--
-- A guest's write names the guest where a member's names the member: the task's completer
-- (`completer_id` stays NULL), a comment's author (`author_id` is 0, which names no member),
-- an activity entry's actor (`actor_id` stays NULL, `source` is 'Guest'). Ids are the
-- guests' own (`guests.id`).
ALTER TABLE tasks ADD COLUMN completer_guest_id INTEGER;
ALTER TABLE threads ADD COLUMN author_guest_id INTEGER;
ALTER TABLE activity ADD COLUMN actor_guest_id INTEGER;

-- The guests recorded as having completed an everyone-must-complete task (as
-- `task_completions` records members).
CREATE TABLE task_guest_completions (
    task_id    TEXT NOT NULL REFERENCES tasks (id) ON DELETE CASCADE,
    guest_id   INTEGER NOT NULL,
    created_at INTEGER NOT NULL,
    PRIMARY KEY (task_id, guest_id)
);
