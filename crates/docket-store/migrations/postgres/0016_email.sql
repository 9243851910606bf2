-- Email notifications (docs/email.md). Kept in step with migrations/sqlite.
--
-- Each member chooses per organization: 'instant' (a mail for each notice), 'daily' (one
-- digest a day) or 'off'.
ALTER TABLE memberships ADD COLUMN email_notifications TEXT NOT NULL DEFAULT 'instant';

-- The notifier's position in the activity feed (activity.id): entries after it are still to be
-- turned into mails. One row; a notifier holds it locked while it advances it, so one node at a
-- time does. It starts at the feed's end: history written before this migration is not mailed.
CREATE TABLE email_cursor (
    name     TEXT PRIMARY KEY,
    after_id BIGINT NOT NULL
);
INSERT INTO email_cursor (name, after_id) SELECT 'notifier', COALESCE(MAX(id), 0) FROM activity;

-- The assignees the notifier has already told of a task ('user:<id>' or 'guest:<id>'): an
-- assignment mail goes to those assigned now and not in this set. Starts with today's.
CREATE TABLE email_task_owners (
    task_id   TEXT NOT NULL REFERENCES tasks (id) ON DELETE CASCADE,
    recipient TEXT NOT NULL,
    PRIMARY KEY (task_id, recipient)
);
INSERT INTO email_task_owners (task_id, recipient)
    SELECT task_id, 'user:' || CAST(user_id AS TEXT) FROM task_users;
INSERT INTO email_task_owners (task_id, recipient)
    SELECT task_id, 'guest:' || CAST(guest_id AS TEXT) FROM task_guests;

-- The email outbox: one job per (event, recipient), never two. event_key is 'activity:<id>'
-- for a notice, 'digest:<org>:<local date>' for a digest; recipient 'user:<id>' or
-- 'guest:<id>'. status: pending, sent, failed (gave up) or empty (a digest with nothing to say).
CREATE TABLE email_outbox (
    id               TEXT PRIMARY KEY,
    event_key        TEXT NOT NULL,
    recipient        TEXT NOT NULL,
    org_id           TEXT NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    kind             TEXT NOT NULL,
    task_id          TEXT,
    to_address       TEXT NOT NULL,
    payload          TEXT NOT NULL,
    status           TEXT NOT NULL,
    attempts         BIGINT NOT NULL DEFAULT 0,
    next_attempt_at  BIGINT NOT NULL,
    first_attempt_at BIGINT,
    last_error       TEXT,
    created_at       BIGINT NOT NULL,
    sent_at          BIGINT,
    UNIQUE (event_key, recipient)
);
CREATE INDEX email_outbox_due ON email_outbox (status, next_attempt_at);
CREATE INDEX email_outbox_created ON email_outbox (created_at);

-- Every delivery attempt of a job.
CREATE TABLE email_attempts (
    job_id  TEXT NOT NULL REFERENCES email_outbox (id) ON DELETE CASCADE,
    attempt BIGINT NOT NULL,
    at      BIGINT NOT NULL,
    error   TEXT,
    PRIMARY KEY (job_id, attempt)
);
