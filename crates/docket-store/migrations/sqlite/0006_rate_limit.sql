-- The rate limit shared by several docket processes lives in PostgreSQL (table
-- rate_limit_hits, see migrations/postgres). SQLite serves one process by design, whose
-- limiter stays in memory, so this migration only keeps the two folders in step.
SELECT 1;
