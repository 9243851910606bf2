-- The rate limit of spec §1.10 shared by every docket process on this database: one row per
-- counted request of the rolling window, per bucket (`t:<token hash>` or `ip:<address>`).
-- UNLOGGED: no WAL for a table that only ever holds the last minute; after a crash of
-- PostgreSQL it starts empty, which merely resets the budgets. Kept in step with
-- migrations/sqlite, where the limiter stays in memory (one process by design).
CREATE UNLOGGED TABLE rate_limit_hits (
    bucket TEXT NOT NULL,
    at     BIGINT NOT NULL
);
CREATE INDEX rate_limit_hits_bucket ON rate_limit_hits (bucket, at);
CREATE INDEX rate_limit_hits_at ON rate_limit_hits (at);

-- Counts one request of `p_bucket` at `p_now` (epoch ms; NULL = the database clock, the one
-- clock every process shares) against `p_limit` per `p_window_ms`, in one round trip. The
-- per-bucket advisory lock serializes the requests of one bucket across processes; each
-- statement after it takes a fresh snapshot (a VOLATILE function under READ COMMITTED), so it
-- sees the previous holder's committed row. A refused request inserts nothing.
CREATE FUNCTION docket_rate_limit_hit(p_bucket TEXT, p_limit BIGINT, p_window_ms BIGINT, p_now BIGINT)
RETURNS TABLE (allowed BOOLEAN, used BIGINT, oldest BIGINT, now_ms BIGINT)
LANGUAGE plpgsql VOLATILE AS $$
DECLARE
    t BIGINT := COALESCE(p_now, floor(extract(epoch FROM clock_timestamp()) * 1000)::BIGINT);
    n BIGINT;
    first_at BIGINT;
BEGIN
    PERFORM pg_advisory_xact_lock(hashtextextended('docket_rate_limit:' || p_bucket, 0));
    DELETE FROM rate_limit_hits h WHERE h.bucket = p_bucket AND h.at <= t - p_window_ms;
    SELECT count(*), min(h.at) INTO n, first_at FROM rate_limit_hits h WHERE h.bucket = p_bucket;
    IF n < p_limit THEN
        INSERT INTO rate_limit_hits (bucket, at) VALUES (p_bucket, t);
        RETURN QUERY SELECT TRUE, n + 1, COALESCE(first_at, t), t;
    ELSE
        RETURN QUERY SELECT FALSE, n, first_at, t;
    END IF;
END
$$;
