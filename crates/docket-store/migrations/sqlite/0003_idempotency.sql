-- Idempotency-Key: the first response to (token, key) is kept for 24 hours and replayed.
-- `status` is NULL while the first request is still being processed. Kept in step with
-- migrations/postgres.
CREATE TABLE idempotency_keys (
    token_hash   TEXT NOT NULL,
    idem_key     TEXT NOT NULL,
    request_hash TEXT NOT NULL,
    status       INTEGER,
    body         TEXT,
    created_at   INTEGER NOT NULL,
    PRIMARY KEY (token_hash, idem_key)
);
CREATE INDEX idempotency_keys_created ON idempotency_keys (created_at);
