-- One-time sign-in links sent by email from the sign-in page (crates/docket/src/web/
-- signin_link.rs, docs/web.md), when an SMTP server is configured. Only the SHA-256 of the
-- link's random token is stored, so a copy of the database signs nobody in. A link is valid
-- for 15 minutes and usable once: signing in sets `used_at` (the row stays until it expires,
-- so a second use can be told apart from an unknown link). Expired rows are removed whenever
-- a new link is stored. A table apart from the password links of `web_links` (migration
-- 0012), so that a sign-in link can never set a password. Timestamps are UTC epoch
-- milliseconds. Kept in step with migrations/sqlite.
CREATE TABLE web_signin_links (
    hash       TEXT PRIMARY KEY,
    user_id    BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    used_at    BIGINT
);
CREATE INDEX web_signin_links_user ON web_signin_links (user_id);
CREATE INDEX web_signin_links_expires ON web_signin_links (expires_at);
