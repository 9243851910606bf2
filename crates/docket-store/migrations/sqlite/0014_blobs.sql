-- The "postgres" storage backend keeps file bytes in PostgreSQL tables (migrations/postgres);
-- it cannot be used with SQLite, so this migration is empty here. Kept so that both folders
-- have the same file names.
SELECT 1;
