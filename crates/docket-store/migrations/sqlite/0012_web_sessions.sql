-- The pages for people (crates/docket/src/web/): members' passwords, sign-in sessions, the
-- one-time links that set a password (invite, reset), and failed sign-ins (the rate limit).
-- Everything lives in the database so that every docket process behind one database sees it.
-- Timestamps are UTC epoch milliseconds. Kept in step with migrations/postgres.

-- A member's password as an argon2id PHC string (`$argon2id$v=19$m=…,t=…,p=…$salt$hash`).
CREATE TABLE user_passwords (
    user_id    INTEGER PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    hash       TEXT NOT NULL,
    updated_at INTEGER NOT NULL
);

-- A signed-in browser. `id_hash` is the SHA-256 of the cookie's random id (the id itself is
-- never stored); `csrf` is the token every form of the session carries.
CREATE TABLE web_sessions (
    id_hash      TEXT PRIMARY KEY,
    user_id      INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    csrf         TEXT NOT NULL,
    created_at   INTEGER NOT NULL,
    expires_at   INTEGER NOT NULL
);
CREATE INDEX web_sessions_user ON web_sessions (user_id);

-- A one-time link that lets a member set a password (`invite` or `reset`), by its hash.
CREATE TABLE web_links (
    hash       TEXT PRIMARY KEY,
    user_id    INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    purpose    TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL
);
CREATE INDEX web_links_user ON web_links (user_id);

-- Failed sign-ins per bucket (`email:<address>` or `ip:<address>`) in the rolling window.
CREATE TABLE web_signin_failures (
    bucket TEXT NOT NULL,
    at     INTEGER NOT NULL
);
CREATE INDEX web_signin_failures_bucket ON web_signin_failures (bucket, at);
