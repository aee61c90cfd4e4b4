-- The calls this gateway made to its outside system for a record (platform_runtime::CallLog),
-- shown in the record's journey on the admin page: method, path (never a query, host or
-- secret), the HTTP status or why no answer came, how long it took, when, and the trace id.
-- `record` is the business key (`shipment shop/83651-1`, `order S83651`, `article A-1`).
-- Bounded: the last calls of each record are kept, and calls past an age are deleted.
CREATE TABLE external_calls (
    record      TEXT   NOT NULL,
    seq         BIGINT NOT NULL,
    at          BIGINT NOT NULL,
    method      TEXT   NOT NULL,
    path        TEXT   NOT NULL,
    status      BIGINT,
    failure     TEXT,
    duration_ms BIGINT NOT NULL,
    trace_id    TEXT,
    PRIMARY KEY (record, seq)
);
CREATE INDEX external_calls_at ON external_calls (at);
