-- A fake service's table, written with the portable types services use.
CREATE TABLE parcels (
    id           TEXT   PRIMARY KEY,
    weight_grams BIGINT NOT NULL,
    fragile      BIGINT NOT NULL, -- 0/1
    note         TEXT,
    label        BYTEA,
    created_at   BIGINT NOT NULL
);
