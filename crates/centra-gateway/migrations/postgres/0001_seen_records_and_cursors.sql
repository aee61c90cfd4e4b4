-- centra-gateway's memory of what it already published, and its poll cursors.
-- Portable column types only (TEXT, BIGINT): read through sqlx::Any on both databases.

-- One row per Centra record the gateway turned into an event. `GET /shipments` is a snapshot,
-- not a queue, so without this row every poll would publish every shipment again.
-- `version` tells a changed record (a product edited again) from one already published.
CREATE TABLE seen_records (
    endpoint      TEXT   NOT NULL,
    kind          TEXT   NOT NULL,
    record_id     TEXT   NOT NULL,
    version       TEXT   NOT NULL,
    event_id      TEXT   NOT NULL,
    first_seen_at BIGINT NOT NULL,
    last_seen_at  BIGINT NOT NULL,
    PRIMARY KEY (endpoint, kind, record_id)
);

-- Where each poll of each end-point resumes, as UTC unix milliseconds (Centra's zone-less
-- times are converted on the way in and out).
CREATE TABLE poll_cursors (
    endpoint   TEXT   NOT NULL,
    flow       TEXT   NOT NULL,
    cursor_ms  BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    PRIMARY KEY (endpoint, flow)
);
