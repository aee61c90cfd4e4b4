-- The size rows of a products listing under way (detect/listing.rs), kept here, not in memory,
-- until the listing's products are published: a catalogue of 100,000 sizes is read page by
-- page, and a product is complete only once the whole listing was read. `listing` is one
-- listing's id (replicas may list at once); `product` is the product's own fields, on its
-- first row only. A listing deletes its rows when it ends; rows a crash left are deleted by
-- the next listing once a day old.
CREATE TABLE listed_rows (
    listing    TEXT   NOT NULL,
    seq        BIGINT NOT NULL,
    product_id TEXT   NOT NULL,
    product    BYTEA,
    size       BYTEA  NOT NULL,
    row_key    TEXT   NOT NULL,
    listed_at  BIGINT NOT NULL,
    PRIMARY KEY (listing, seq)
);
CREATE INDEX listed_rows_product ON listed_rows (listing, product_id, seq);
CREATE INDEX listed_rows_listed_at ON listed_rows (listed_at);
