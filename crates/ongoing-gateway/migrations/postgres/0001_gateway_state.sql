-- Where each time-filtered backstop poll stands (unix ms, UTC); the next poll starts from
-- here minus an overlap, so a record written at the boundary is read twice, never skipped.
CREATE TABLE poll_cursors (
    name TEXT PRIMARY KEY,
    position_ms BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);

-- The stock last published per article: an unchanged level is not published again, and each
-- change gets the next version, which makes its event id unique and deterministic.
CREATE TABLE stock_levels (
    article_number TEXT PRIMARY KEY,
    article_system_id BIGINT NOT NULL,
    number_of_items BIGINT NOT NULL,
    sellable_number_of_items BIGINT NOT NULL,
    booked_number_of_items BIGINT NOT NULL,
    version BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
