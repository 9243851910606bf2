-- Uploaded files (assets): one row per upload, naming the template, run or task it belongs to.
-- The bytes live in the configured storage under the content's SHA-256 (several rows may share
-- one stored file); they are written and synced before the row commits. Timestamps are UTC
-- epoch ms. Kept in step with migrations/postgres.
CREATE TABLE assets (
    id            TEXT PRIMARY KEY,
    org_id        TEXT NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    subject_type  TEXT NOT NULL,
    subject_id    TEXT NOT NULL,
    filename      TEXT NOT NULL,
    mime_type     TEXT NOT NULL,
    size          INTEGER NOT NULL,
    sha256        TEXT NOT NULL,
    uploaded_from TEXT NOT NULL,
    step_id       TEXT,
    checklist_id  TEXT,
    source        TEXT NOT NULL DEFAULT 'local',
    system        TEXT,
    uploaded_by   INTEGER NOT NULL,
    uploaded_at   INTEGER NOT NULL
);
CREATE INDEX assets_subject ON assets (org_id, subject_type, subject_id);
CREATE INDEX assets_sha256 ON assets (sha256);
