-- A return's journey (returns_sync::journey): the steps read off each save of its row
-- (received, created in Centra, reported, state changes, parked with the reason, discarded
-- with who and why, retried), the last 100 per return.
CREATE TABLE return_journey (
    return_id TEXT   NOT NULL,
    seq       BIGINT NOT NULL,
    at        BIGINT NOT NULL,
    step      TEXT   NOT NULL,
    detail    TEXT   NOT NULL,
    PRIMARY KEY (return_id, seq)
);
