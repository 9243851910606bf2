-- File bytes of the "postgres" storage backend ([storage] backend = "postgres"), so that several
-- docket nodes share uploaded files with no service but this database. A stored file is one
-- `blobs` row, named by the SHA-256 of its content, and its bytes in `blob_chunks` rows of
-- `chunk_bytes` (1 MiB) each, the last one shorter. An upload writes its chunks under a fresh
-- `upload_id` and then its `blobs` row in ONE transaction: until it commits nothing of it is
-- visible, and a client that stops halfway or a crash leaves nothing (the transaction rolls
-- back). The foreign key is checked at commit, so no chunk ever outlives its file. Deleting a
-- `blobs` row deletes its chunks. Unused with the other backends; not exported as rows (the
-- files travel beside an export, as files). SQLite has the same migration, empty.
CREATE TABLE blobs (
    sha256      TEXT PRIMARY KEY,
    upload_id   TEXT NOT NULL UNIQUE,
    size        BIGINT NOT NULL,
    chunk_bytes INTEGER NOT NULL,
    created_at  BIGINT NOT NULL
);
CREATE TABLE blob_chunks (
    upload_id TEXT NOT NULL REFERENCES blobs (upload_id) ON DELETE CASCADE DEFERRABLE INITIALLY DEFERRED,
    chunk_no  INTEGER NOT NULL,
    bytes     BYTEA NOT NULL,
    PRIMARY KEY (upload_id, chunk_no)
);
-- Out of line and uncompressed: most uploads (PDF, images, archives) are compressed already,
-- and a range read then fetches only the TOAST pieces it needs.
ALTER TABLE blob_chunks ALTER COLUMN bytes SET STORAGE EXTERNAL;
