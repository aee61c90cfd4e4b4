-- What OGOship API v1 has no field for (product code, colour, size, weight in kg, the active
-- flag), as the gateway last wrote it per product code. Nobody can change these at OGOship,
-- so ListArticles answers them as written and a resync compares only what OGOship holds.
-- `active` is 0 or 1.
CREATE TABLE article_extras (
    article_number TEXT PRIMARY KEY,
    product_code TEXT NOT NULL,
    color TEXT NOT NULL,
    size TEXT NOT NULL,
    weight_kg TEXT NOT NULL,
    active BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
