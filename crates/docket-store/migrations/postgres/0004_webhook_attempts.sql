-- Webhook delivery (spec §5.12, §1.14): every attempt of an outbox event, and when the first
-- attempt was made (the 24-hour retry window starts there). Kept in step with migrations/sqlite.
ALTER TABLE outbox ADD COLUMN first_attempt_at BIGINT;

CREATE TABLE webhook_attempts (
    event_id    TEXT NOT NULL,
    attempt     BIGINT NOT NULL,
    at          BIGINT NOT NULL,
    status_code BIGINT,
    error       TEXT,
    duration_ms BIGINT NOT NULL,
    PRIMARY KEY (event_id, attempt)
);
CREATE INDEX outbox_org_task ON outbox (org_id, task_id);
