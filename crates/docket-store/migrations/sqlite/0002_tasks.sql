-- Tasks and processes (runs) without templates, their assignees, form fields, comments, tag
-- links, per-assignee completion records, and the webhook outbox. Timestamps are UTC epoch ms.
-- Kept in step with migrations/postgres.
CREATE TABLE runs (
    id                  TEXT PRIMARY KEY,
    org_id              TEXT NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    increment_id        INTEGER NOT NULL,
    name                TEXT NOT NULL,
    summary             TEXT,
    owner_id            INTEGER NOT NULL,
    started_by          INTEGER NOT NULL,
    starred             BOOLEAN NOT NULL DEFAULT 0,
    is_public           BOOLEAN NOT NULL DEFAULT 0,
    user_ids            TEXT NOT NULL DEFAULT '[]',
    group_ids           TEXT NOT NULL DEFAULT '[]',
    status              TEXT NOT NULL DEFAULT 'active',
    prerun_completed_at INTEGER,
    prerun_completed_by INTEGER,
    started_at          INTEGER NOT NULL,
    created_at          INTEGER NOT NULL,
    last_updated        INTEGER NOT NULL,
    completed_at        INTEGER,
    archived_at         INTEGER,
    version             INTEGER NOT NULL DEFAULT 1,
    UNIQUE (org_id, increment_id)
);
CREATE INDEX runs_org_created ON runs (org_id, created_at);

CREATE TABLE tasks (
    id                          TEXT PRIMARY KEY,
    org_id                      TEXT NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    increment_id                INTEGER NOT NULL,
    run_id                      TEXT REFERENCES runs (id) ON DELETE CASCADE,
    position                    INTEGER NOT NULL DEFAULT 1,
    title                       TEXT NOT NULL,
    original_title              TEXT NOT NULL,
    summary                     TEXT,
    task_type                   TEXT NOT NULL,
    status                      TEXT NOT NULL,
    is_approved                 BOOLEAN,
    started_at                  INTEGER NOT NULL,
    deadline                    INTEGER NOT NULL,
    created_at                  INTEGER NOT NULL,
    last_updated                INTEGER NOT NULL,
    completed_at                INTEGER,
    archived_at                 INTEGER,
    starter_id                  INTEGER,
    completer_id                INTEGER,
    everyone_must_complete      BOOLEAN NOT NULL DEFAULT 0,
    can_complete_only_assignees BOOLEAN NOT NULL DEFAULT 0,
    max_assignable              INTEGER NOT NULL DEFAULT 0,
    webhook                     TEXT,
    prevent_guest_comment       BOOLEAN NOT NULL DEFAULT 0,
    top_secret                  BOOLEAN NOT NULL DEFAULT 0,
    problem                     BOOLEAN NOT NULL DEFAULT 0,
    is_soft_start_date          BOOLEAN NOT NULL DEFAULT 0,
    version                     INTEGER NOT NULL DEFAULT 1,
    UNIQUE (org_id, increment_id)
);
CREATE INDEX tasks_run ON tasks (run_id, position);
CREATE INDEX tasks_org_deadline ON tasks (org_id, deadline);

CREATE TABLE task_users (
    task_id  TEXT NOT NULL REFERENCES tasks (id) ON DELETE CASCADE,
    user_id  INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    position INTEGER NOT NULL,
    PRIMARY KEY (task_id, user_id)
);
CREATE INDEX task_users_user ON task_users (user_id);

CREATE TABLE task_guests (
    task_id  TEXT NOT NULL REFERENCES tasks (id) ON DELETE CASCADE,
    guest_id INTEGER NOT NULL REFERENCES guests (id) ON DELETE CASCADE,
    position INTEGER NOT NULL,
    PRIMARY KEY (task_id, guest_id)
);
CREATE INDEX task_guests_guest ON task_guests (guest_id);

CREATE TABLE task_groups (
    task_id  TEXT NOT NULL REFERENCES tasks (id) ON DELETE CASCADE,
    group_id TEXT NOT NULL REFERENCES org_groups (id) ON DELETE CASCADE,
    position INTEGER NOT NULL,
    PRIMARY KEY (task_id, group_id)
);
CREATE INDEX task_groups_group ON task_groups (group_id);

-- everyone_must_complete: who of the assignee set has completed.
CREATE TABLE task_completions (
    task_id    TEXT NOT NULL REFERENCES tasks (id) ON DELETE CASCADE,
    user_id    INTEGER NOT NULL,
    created_at INTEGER NOT NULL,
    PRIMARY KEY (task_id, user_id)
);

CREATE TABLE captures (
    id                    TEXT PRIMARY KEY,
    task_id               TEXT NOT NULL REFERENCES tasks (id) ON DELETE CASCADE,
    label                 TEXT NOT NULL,
    alias                 TEXT NOT NULL,
    field_type            TEXT NOT NULL,
    guidance              TEXT,
    position              INTEGER NOT NULL,
    required              BOOLEAN NOT NULL,
    options               TEXT NOT NULL DEFAULT '[]',
    field_columns         TEXT NOT NULL DEFAULT '[]',
    default_value_enabled BOOLEAN NOT NULL DEFAULT 0,
    default_value         TEXT,
    value                 TEXT,
    created_at            INTEGER NOT NULL,
    last_updated          INTEGER NOT NULL
);
CREATE INDEX captures_task ON captures (task_id, position);

CREATE TABLE threads (
    id         TEXT PRIMARY KEY,
    org_id     TEXT NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    task_id    TEXT NOT NULL REFERENCES tasks (id) ON DELETE CASCADE,
    content    TEXT NOT NULL,
    label      TEXT NOT NULL,
    state      TEXT NOT NULL,
    author_id  INTEGER NOT NULL,
    resolve_id TEXT,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);
CREATE INDEX threads_task ON threads (task_id, created_at);

-- A tag on a run or a task (subject_type 'Run' or 'Task'); removed with its subject by docket.
CREATE TABLE tag_links (
    id           INTEGER PRIMARY KEY,
    org_id       TEXT NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    tag_id       TEXT NOT NULL REFERENCES tags (id) ON DELETE CASCADE,
    subject_type TEXT NOT NULL,
    subject_id   TEXT NOT NULL,
    created_at   INTEGER NOT NULL,
    UNIQUE (tag_id, subject_type, subject_id)
);
CREATE INDEX tag_links_subject ON tag_links (subject_type, subject_id);

-- Webhook events, written in the same transaction as the change that caused them. The event
-- outlives its task, so there is no foreign key.
CREATE TABLE outbox (
    id              TEXT PRIMARY KEY,
    org_id          TEXT NOT NULL,
    task_id         TEXT NOT NULL,
    event           TEXT NOT NULL,
    url             TEXT NOT NULL,
    payload         TEXT NOT NULL,
    status          TEXT NOT NULL DEFAULT 'pending',
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at INTEGER NOT NULL,
    last_error      TEXT,
    created_at      INTEGER NOT NULL,
    delivered_at    INTEGER
);
CREATE INDEX outbox_due ON outbox (status, next_attempt_at);
CREATE INDEX outbox_org ON outbox (org_id, created_at);

INSERT INTO counters (name, value) VALUES ('tag_link_id', 0);
