-- platform-store's own tables, present in every service database file.
-- Portable column types only (TEXT, BIGINT, BLOB): services read them through sqlx::Any.
-- Timestamps are unix milliseconds (BIGINT); flags are BIGINT 0/1 or nullable timestamps
-- (a BOOLEAN column cannot be read through sqlx::Any on SQLite).

CREATE TABLE inbox (
    consumer    TEXT   NOT NULL,
    message_id  TEXT   NOT NULL,
    received_at BIGINT NOT NULL,
    PRIMARY KEY (consumer, message_id)
);
CREATE INDEX inbox_received_at ON inbox (received_at);

CREATE TABLE outbox (
    -- AUTOINCREMENT: a pruned sequence number is never reused, so order stays monotonic.
    seq              INTEGER PRIMARY KEY AUTOINCREMENT,
    message_id       TEXT   NOT NULL UNIQUE,
    subject          TEXT   NOT NULL,
    headers          TEXT   NOT NULL,
    payload          BLOB   NOT NULL,
    enqueued_at      BIGINT NOT NULL,
    published_at     BIGINT,
    attempts         BIGINT NOT NULL DEFAULT 0,
    last_error       TEXT,
    dead_lettered_at BIGINT
);
CREATE INDEX outbox_unpublished ON outbox (seq)
    WHERE published_at IS NULL AND dead_lettered_at IS NULL;
CREATE INDEX outbox_published_at ON outbox (published_at) WHERE published_at IS NOT NULL;

-- One row: which relay may publish now, and until when (database clock, unix ms).
CREATE TABLE outbox_relay_lease (
    name       TEXT   PRIMARY KEY,
    holder     TEXT   NOT NULL,
    expires_at BIGINT NOT NULL
);
INSERT INTO outbox_relay_lease (name, holder, expires_at) VALUES ('outbox', '', 0);

CREATE TABLE dead_letters (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    service       TEXT   NOT NULL,
    kind          TEXT   NOT NULL,
    record_key    TEXT   NOT NULL,
    reason        TEXT   NOT NULL,
    payload       TEXT   NOT NULL,
    attempts      BIGINT NOT NULL,
    status        TEXT   NOT NULL,
    first_seen_at BIGINT NOT NULL,
    last_seen_at  BIGINT NOT NULL,
    resolved_at   BIGINT,
    UNIQUE (service, kind, record_key)
);
CREATE INDEX dead_letters_status ON dead_letters (status, last_seen_at);
