-- The int64 handles the contract carries for OGOship's records (GUIDs, codes, references):
-- minted once per (kind, key) and never changed, so an id answered once is the same forever.
-- `reference` is the business key (product code, order reference, stock update reference),
-- read back when a caller names a record by its handle.
CREATE TABLE handles (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    kind TEXT NOT NULL,
    guid TEXT NOT NULL,
    reference TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    UNIQUE (kind, guid)
);

-- The lines we sent per order / stock update, by 1-based position (OGOship lines have no id),
-- with the caller's row number and external id, which events give back.
CREATE TABLE record_lines (
    kind TEXT NOT NULL,
    reference TEXT NOT NULL,
    line_id BIGINT NOT NULL,
    row_number TEXT NOT NULL,
    external_id TEXT NOT NULL,
    article_number TEXT NOT NULL,
    PRIMARY KEY (kind, reference, line_id)
);

-- Reported quantities acknowledged by the sync services (OGOship has no report-back).
CREATE TABLE reported (
    kind TEXT NOT NULL,
    record_id BIGINT NOT NULL,
    line_id BIGINT NOT NULL,
    quantity BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    PRIMARY KEY (kind, record_id, line_id)
);

-- The single-use OAuth refresh token, one row per client and merchant, replaced in one
-- statement so a crash never leaves a used token behind.
CREATE TABLE oauth_refresh (
    account TEXT PRIMARY KEY,
    refresh_token TEXT NOT NULL,
    updated_at BIGINT NOT NULL
);

-- Where each modifiedAfter poll stands (unix ms, OGOship's clock: the largest modified time
-- seen); the next poll starts from here minus an overlap.
CREATE TABLE poll_cursors (
    name TEXT PRIMARY KEY,
    position_ms BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);

-- The stock last published per product: unchanged levels are not published again, and each
-- change gets the next version, which makes its event id unique and deterministic.
CREATE TABLE stock_levels (
    article_number TEXT PRIMARY KEY,
    number_of_items BIGINT NOT NULL,
    sellable_number_of_items BIGINT NOT NULL,
    booked_number_of_items BIGINT NOT NULL,
    version BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
