-- Idempotency-Key: the first response to (token, key) is kept for 24 hours and replayed.
-- `status` is NULL while the first request is still being processed. Kept in step with
-- migrations/sqlite.
CREATE TABLE idempotency_keys (
    token_hash   TEXT NOT NULL,
    idem_key     TEXT NOT NULL,
    request_hash TEXT NOT NULL,
    status       BIGINT,
    body         TEXT,
    created_at   BIGINT NOT NULL,
    PRIMARY KEY (token_hash, idem_key)
);
CREATE INDEX idempotency_keys_created ON idempotency_keys (created_at);
