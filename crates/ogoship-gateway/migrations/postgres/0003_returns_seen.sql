-- The returns already turned into an event, with the `modified` time (unix ms, OGOship's
-- clock) they had then. The returns poll lists everything modified within its overlap on every
-- round; an order is read again (its order, all its returns) only when one of its listed
-- returns is not here or was modified since. Rows older than the overlap are never listed
-- again and are deleted.
CREATE TABLE returns_seen (
    return_id TEXT PRIMARY KEY,
    modified_ms BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
