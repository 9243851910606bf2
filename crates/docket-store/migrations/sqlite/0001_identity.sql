-- Identity: organizations, members, tokens, guests, groups, tags. Timestamps are UTC epoch
-- milliseconds written by docket; booleans are 0/1. Kept in step with migrations/postgres.
CREATE TABLE organizations (
    id                     TEXT PRIMARY KEY,
    name                   TEXT NOT NULL,
    timezone               TEXT NOT NULL DEFAULT 'UTC',
    allow_user_invite      BOOLEAN NOT NULL DEFAULT 1,
    allow_manage_groups    BOOLEAN NOT NULL DEFAULT 1,
    default_deadline_type  TEXT NOT NULL DEFAULT 'days',
    default_deadline_value INTEGER NOT NULL DEFAULT 5,
    profile                TEXT NOT NULL DEFAULT '{}',
    webhook_secret         TEXT NOT NULL,
    misc_template_id       TEXT NOT NULL,
    task_seq               INTEGER NOT NULL DEFAULT 0,
    run_seq                INTEGER NOT NULL DEFAULT 0,
    created_at             INTEGER NOT NULL,
    updated_at             INTEGER NOT NULL
);

CREATE TABLE users (
    id               INTEGER PRIMARY KEY,
    email            TEXT NOT NULL UNIQUE,
    username         TEXT NOT NULL DEFAULT '',
    first_name       TEXT NOT NULL DEFAULT '',
    last_name        TEXT NOT NULL DEFAULT '',
    profile          TEXT NOT NULL DEFAULT '{}',
    created_at       INTEGER NOT NULL,
    updated_at       INTEGER NOT NULL,
    last_login_at    INTEGER,
    last_accessed_at INTEGER
);
CREATE INDEX users_username ON users (lower(username));

CREATE TABLE memberships (
    org_id         TEXT NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    user_id        INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    role           TEXT NOT NULL,
    status         TEXT NOT NULL,
    invited_by     INTEGER,
    approved_at    INTEGER,
    activated_at   INTEGER,
    disabled_at    INTEGER,
    disabled_by    INTEGER,
    reactivated_at INTEGER,
    reactivated_by INTEGER,
    joined_seq     INTEGER NOT NULL,
    created_at     INTEGER NOT NULL,
    updated_at     INTEGER NOT NULL,
    PRIMARY KEY (org_id, user_id)
);
CREATE INDEX memberships_user ON memberships (user_id);

CREATE TABLE tokens (
    hash       TEXT PRIMARY KEY,
    user_id    INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at INTEGER NOT NULL
);
CREATE INDEX tokens_user ON tokens (user_id);

CREATE TABLE guests (
    id                 INTEGER PRIMARY KEY,
    org_id             TEXT NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    email              TEXT NOT NULL,
    guest_code         TEXT NOT NULL UNIQUE,
    first_name         TEXT,
    last_name          TEXT,
    details            TEXT NOT NULL DEFAULT '{}',
    associated_members TEXT,
    disabled_at        INTEGER,
    disabled_by        INTEGER,
    reactivated_at     INTEGER,
    reactivated_by     INTEGER,
    created_at         INTEGER NOT NULL,
    updated_at         INTEGER NOT NULL,
    UNIQUE (org_id, email)
);

CREATE TABLE org_groups (
    id          TEXT PRIMARY KEY,
    org_id      TEXT NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    name        TEXT NOT NULL,
    name_key    TEXT NOT NULL,
    description TEXT,
    created_at  INTEGER NOT NULL,
    updated_at  INTEGER NOT NULL,
    UNIQUE (org_id, name_key)
);

CREATE TABLE group_members (
    group_id TEXT NOT NULL REFERENCES org_groups (id) ON DELETE CASCADE,
    user_id  INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    position INTEGER NOT NULL,
    PRIMARY KEY (group_id, user_id)
);
CREATE INDEX group_members_user ON group_members (user_id);

CREATE TABLE group_guests (
    group_id TEXT NOT NULL REFERENCES org_groups (id) ON DELETE CASCADE,
    guest_id INTEGER NOT NULL REFERENCES guests (id) ON DELETE CASCADE,
    position INTEGER NOT NULL,
    PRIMARY KEY (group_id, guest_id)
);
CREATE INDEX group_guests_guest ON group_guests (guest_id);

CREATE TABLE tags (
    id         TEXT PRIMARY KEY,
    org_id     TEXT NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    title      TEXT NOT NULL,
    title_key  TEXT NOT NULL,
    color      TEXT,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    UNIQUE (org_id, title_key)
);

-- Global sequences that must stay above explicitly provisioned values.
CREATE TABLE counters (
    name  TEXT PRIMARY KEY,
    value INTEGER NOT NULL
);
INSERT INTO counters (name, value) VALUES ('user_id', 0), ('guest_id', 0), ('membership_seq', 0);
