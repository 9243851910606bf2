-- The activity feed (spec §2.6, §5.6) and organization webhook watchers (§2.7, §4.10).
-- Kept in step with migrations/sqlite.
--
-- An entry is written by the change's own transaction with `id` NULL; `id` (the feed
-- position and the `after` cursor) is assigned later, in commit order, by the sequencer of
-- sql/activity.rs: on SQLite at the end of the writing transaction itself (writers are
-- serialized), on PostgreSQL by readers under an advisory lock after the writers committed.
CREATE TABLE activity (
    entry_key       TEXT PRIMARY KEY,
    id              BIGINT UNIQUE,
    org_id          TEXT NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    verb            TEXT NOT NULL,
    source          TEXT NOT NULL,
    actor_id        BIGINT,
    type            TEXT NOT NULL,
    auditable_type  TEXT NOT NULL,
    auditable_id    TEXT NOT NULL,
    parentable_type TEXT,
    parentable_id   TEXT,
    description     TEXT NOT NULL,
    title           TEXT NOT NULL,
    field           TEXT,
    old_value       TEXT,
    body            TEXT,
    run_id          TEXT,
    task_id         TEXT,
    checklist_id    TEXT,
    created_at      BIGINT NOT NULL
);
CREATE INDEX activity_org_id ON activity (org_id, id);
CREATE INDEX activity_unsequenced ON activity (entry_key) WHERE id IS NULL;
CREATE INDEX activity_org_task ON activity (org_id, task_id, id);
CREATE INDEX activity_org_run ON activity (org_id, run_id, id);
CREATE INDEX activity_org_checklist ON activity (org_id, checklist_id, id);

CREATE TABLE watchers (
    id                BIGINT PRIMARY KEY,
    org_id            TEXT NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    user_id           BIGINT NOT NULL,
    object_type       TEXT NOT NULL,
    object_id         TEXT NOT NULL,
    notification_type TEXT NOT NULL,
    frequency         TEXT NOT NULL,
    webhook           TEXT NOT NULL,
    events            TEXT NOT NULL DEFAULT '[]',
    created_at        BIGINT NOT NULL,
    UNIQUE (org_id, webhook)
);

INSERT INTO counters (name, value) VALUES ('watcher_id', 0);
