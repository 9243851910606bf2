-- Templates ("checklists"): steps, their form fields ("captures"), kick-off fields, automation
-- rules, folders and folder objects; and the columns a run or task launched from a template
-- carries. Timestamps are UTC epoch ms. Kept in step with migrations/postgres.
ALTER TABLE organizations ADD COLUMN template_seq INTEGER NOT NULL DEFAULT 0;

-- A folder of templates or runs (`folder_type` only labels it); `position` is 1-based among
-- the folder's siblings; `name_key` is the name lower-cased in Rust (search and order ignore case
-- alike on both backends). Deleting a folder removes its descendants and their folder objects.
CREATE TABLE folders (
    id           TEXT PRIMARY KEY,
    org_id       TEXT NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    parent_id    TEXT REFERENCES folders (id) ON DELETE CASCADE,
    name         TEXT NOT NULL,
    name_key     TEXT NOT NULL DEFAULT '',
    folder_type  TEXT NOT NULL DEFAULT 'checklist',
    position     INTEGER NOT NULL,
    created_at   INTEGER NOT NULL,
    last_updated INTEGER NOT NULL
);
CREATE INDEX folders_parent ON folders (org_id, parent_id, position);

-- A run or task filed in a folder (one subject may sit in several folders).
CREATE TABLE folder_objects (
    id           INTEGER PRIMARY KEY,
    org_id       TEXT NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    folder_id    TEXT NOT NULL REFERENCES folders (id) ON DELETE CASCADE,
    subject_type TEXT NOT NULL,
    subject_id   TEXT NOT NULL,
    created_at   INTEGER NOT NULL,
    UNIQUE (folder_id, subject_type, subject_id)
);
CREATE INDEX folder_objects_subject ON folder_objects (subject_type, subject_id);
INSERT INTO counters (name, value) VALUES ('folder_object_id', 0);

-- A template. The MISC template of an organization has no row here (it stays hidden).
CREATE TABLE checklists (
    id                            TEXT PRIMARY KEY,
    org_id                        TEXT NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    increment_id                  INTEGER NOT NULL,
    title                         TEXT NOT NULL,
    summary                       TEXT,
    guidance                      TEXT,
    alias                         TEXT NOT NULL,
    template_type                 TEXT NOT NULL DEFAULT 'procedure',
    icon                          TEXT,
    explanation_video             TEXT,
    public_cover                  TEXT,
    kickoff_title                 TEXT,
    kickoff_description           TEXT,
    default_process_name_format   TEXT,
    webhook                       TEXT,
    starred                       BOOLEAN NOT NULL DEFAULT 0,
    is_public                     BOOLEAN NOT NULL DEFAULT 0,
    is_featured                   BOOLEAN NOT NULL DEFAULT 0,
    is_pinned                     BOOLEAN NOT NULL DEFAULT 0,
    is_public_kickoff             BOOLEAN NOT NULL DEFAULT 0,
    auto_naming                   BOOLEAN NOT NULL DEFAULT 0,
    folderize_process             BOOLEAN NOT NULL DEFAULT 0,
    tag_process                   BOOLEAN NOT NULL DEFAULT 0,
    allow_launcher_change_name    BOOLEAN NOT NULL DEFAULT 0,
    folder_changeable_by_launcher BOOLEAN NOT NULL DEFAULT 0,
    can_add_oot                   BOOLEAN NOT NULL DEFAULT 0,
    folder_id                     TEXT REFERENCES folders (id) ON DELETE SET NULL,
    default_folder                TEXT,
    owner_id                      INTEGER NOT NULL,
    created_by                    INTEGER NOT NULL,
    last_updated_by               INTEGER,
    user_ids                      TEXT NOT NULL DEFAULT '[]',
    group_ids                     TEXT NOT NULL DEFAULT '[]',
    started_processes             INTEGER NOT NULL DEFAULT 0,
    created_at                    INTEGER NOT NULL,
    last_updated                  INTEGER NOT NULL,
    archived_at                   INTEGER,
    version                       INTEGER NOT NULL DEFAULT 1,
    UNIQUE (org_id, increment_id),
    UNIQUE (org_id, alias)
);
CREATE INDEX checklists_org_updated ON checklists (org_id, last_updated, increment_id);
CREATE INDEX checklists_folder ON checklists (folder_id);

-- A step of a template. Assignee buckets, tags and the deadline rules are JSON (the step is
-- read whole; a launch resolves them): `assignees` member ids, `guests` emails, `groups` group
-- ids, `tags` tag ids, `deadline` {value, unit, option, step} or NULL, `start_date`
-- {value, unit} or NULL.
CREATE TABLE steps (
    id                          TEXT PRIMARY KEY,
    org_id                      TEXT NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    checklist_id                TEXT NOT NULL REFERENCES checklists (id) ON DELETE CASCADE,
    position                    INTEGER NOT NULL,
    title                       TEXT NOT NULL,
    alias                       TEXT NOT NULL,
    summary                     TEXT,
    step_type                   TEXT NOT NULL DEFAULT 'task',
    assignees                   TEXT NOT NULL DEFAULT '[]',
    guests                      TEXT NOT NULL DEFAULT '[]',
    groups                      TEXT NOT NULL DEFAULT '[]',
    assign_run_starter          BOOLEAN NOT NULL DEFAULT 1,
    deadline                    TEXT,
    start_date                  TEXT,
    is_soft_start_date          BOOLEAN NOT NULL DEFAULT 1,
    max_assignable              INTEGER NOT NULL DEFAULT 0,
    allow_guest_owners          BOOLEAN NOT NULL DEFAULT 1,
    can_complete_only_assignees BOOLEAN NOT NULL DEFAULT 0,
    everyone_must_complete      BOOLEAN NOT NULL DEFAULT 0,
    prevent_guest_comment       BOOLEAN NOT NULL DEFAULT 0,
    top_secret                  BOOLEAN NOT NULL DEFAULT 0,
    send_chromeless             BOOLEAN NOT NULL DEFAULT 0,
    skip_start_process          BOOLEAN NOT NULL DEFAULT 0,
    role_changes_every_time     BOOLEAN NOT NULL DEFAULT 0,
    webhook                     TEXT,
    tags                        TEXT NOT NULL DEFAULT '[]',
    bp_to_launch                TEXT,
    created_at                  INTEGER NOT NULL,
    last_updated                INTEGER NOT NULL,
    UNIQUE (checklist_id, alias)
);
CREATE INDEX steps_checklist ON steps (checklist_id, position);

-- A form field definition: a kick-off field (`step_id` NULL) or a step's capture. Aliases are
-- unique within the template across both kinds.
CREATE TABLE template_fields (
    id                    TEXT PRIMARY KEY,
    org_id                TEXT NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    checklist_id          TEXT NOT NULL REFERENCES checklists (id) ON DELETE CASCADE,
    step_id               TEXT REFERENCES steps (id) ON DELETE CASCADE,
    alias                 TEXT NOT NULL,
    label                 TEXT NOT NULL,
    field_type            TEXT NOT NULL,
    guidance              TEXT,
    position              INTEGER NOT NULL,
    required              BOOLEAN NOT NULL,
    options               TEXT NOT NULL DEFAULT '[]',
    field_columns         TEXT NOT NULL DEFAULT '[]',
    default_value_enabled BOOLEAN NOT NULL DEFAULT 0,
    default_value         TEXT,
    collect_time          BOOLEAN NOT NULL DEFAULT 0,
    use_wysiwyg_editor    BOOLEAN NOT NULL DEFAULT 0,
    field_validation      TEXT NOT NULL DEFAULT '[]',
    prefix                TEXT,
    suffix                TEXT,
    settings              TEXT NOT NULL DEFAULT '{}',
    created_at            INTEGER NOT NULL,
    last_updated          INTEGER NOT NULL,
    UNIQUE (checklist_id, alias)
);
CREATE INDEX template_fields_step ON template_fields (checklist_id, step_id, position);

-- An automation rule; `conditions` and `then_actions` are JSON arrays in their emitted form.
-- `seq` is the creation order within the template.
CREATE TABLE automations (
    id              TEXT PRIMARY KEY,
    org_id          TEXT NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    checklist_id    TEXT NOT NULL REFERENCES checklists (id) ON DELETE CASCADE,
    seq             INTEGER NOT NULL,
    automated_alias TEXT NOT NULL,
    conditions      TEXT NOT NULL DEFAULT '[]',
    then_actions    TEXT NOT NULL DEFAULT '[]',
    created_at      INTEGER NOT NULL,
    last_updated    INTEGER NOT NULL
);
CREATE INDEX automations_checklist ON automations (checklist_id, seq);

-- A run launched from a template: the template (NULL for MISC runs; no foreign key, the run
-- outlives the template), what it copied at launch (kick-off definitions, rules, webhook) and
-- its kick-off values; `rule_state` remembers each rule's last result.
ALTER TABLE runs ADD COLUMN checklist_id TEXT;
ALTER TABLE runs ADD COLUMN checklist_title TEXT;
ALTER TABLE runs ADD COLUMN run_type TEXT NOT NULL DEFAULT 'procedure';
ALTER TABLE runs ADD COLUMN prerun TEXT NOT NULL DEFAULT '{}';
ALTER TABLE runs ADD COLUMN kickoff_fields TEXT NOT NULL DEFAULT '[]';
ALTER TABLE runs ADD COLUMN rules TEXT NOT NULL DEFAULT '[]';
ALTER TABLE runs ADD COLUMN rule_state TEXT NOT NULL DEFAULT '{}';
ALTER TABLE runs ADD COLUMN template_webhook TEXT;
ALTER TABLE runs ADD COLUMN can_add_oot BOOLEAN;
ALTER TABLE runs ADD COLUMN parent_id TEXT;
ALTER TABLE runs ADD COLUMN launch_extra TEXT NOT NULL DEFAULT '{}';
CREATE INDEX runs_checklist ON runs (checklist_id);

-- A task launched from a step: the step (kept after the step is deleted), its alias and
-- position at launch; `skipped_status` holds the status kept aside while an automation hides
-- the task (`status` is then 'auto-skipped'); `was_reopened` feeds the `reopened` condition.
ALTER TABLE tasks ADD COLUMN step_id TEXT;
ALTER TABLE tasks ADD COLUMN checklist_id TEXT;
ALTER TABLE tasks ADD COLUMN alias TEXT;
ALTER TABLE tasks ADD COLUMN blueprint_position INTEGER;
ALTER TABLE tasks ADD COLUMN allow_guest_owners BOOLEAN NOT NULL DEFAULT 1;
ALTER TABLE tasks ADD COLUMN skipped_status TEXT;
ALTER TABLE tasks ADD COLUMN was_reopened BOOLEAN NOT NULL DEFAULT 0;

-- Launched tasks keep their template capture's id, so a capture id is unique within a task,
-- not across the organization: the key becomes (task_id, id).
CREATE TABLE captures_new (
    id                    TEXT NOT NULL,
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
    last_updated          INTEGER NOT NULL,
    PRIMARY KEY (task_id, id)
);
INSERT INTO captures_new SELECT id, task_id, label, alias, field_type, guidance, position, required, options,
    field_columns, default_value_enabled, default_value, value, created_at, last_updated FROM captures;
DROP TABLE captures;
ALTER TABLE captures_new RENAME TO captures;
CREATE INDEX captures_task ON captures (task_id, position);
