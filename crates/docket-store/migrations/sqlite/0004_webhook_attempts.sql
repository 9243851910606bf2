-- Webhook delivery (spec §5.12, §1.14): every attempt of an outbox event, and when the first
-- attempt was made (the 24-hour retry window starts there). Kept in step with migrations/postgres.
ALTER TABLE outbox ADD COLUMN first_attempt_at INTEGER;

CREATE TABLE webhook_attempts (
    event_id    TEXT NOT NULL,
    attempt     INTEGER NOT NULL,
    at          INTEGER NOT NULL,
    status_code INTEGER,
    error       TEXT,
    duration_ms INTEGER NOT NULL,
    PRIMARY KEY (event_id, attempt)
);
CREATE INDEX outbox_org_task ON outbox (org_id, task_id);
