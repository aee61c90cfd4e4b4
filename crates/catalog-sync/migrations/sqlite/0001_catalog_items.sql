-- catalog-sync's memory of every Centra size item it has seen and what it wrote to the WMS.
-- Portable column types only (TEXT, BIGINT): read through sqlx::Any on both databases.

-- One row per Centra size item (end-point + stock item id). `article_number` is the derived
-- number (kept on collision rejections, so partners can be found); `content_hash` is the hash
-- of the mapped article as it is now, `synced_hash` the one last written to the WMS: the two
-- differ exactly when the article must be (re)written.
CREATE TABLE catalog_items (
    endpoint          TEXT   NOT NULL,
    stock_item_id     TEXT   NOT NULL,
    product_id        TEXT   NOT NULL,
    product_name      TEXT   NOT NULL,
    variant_name      TEXT   NOT NULL,
    size_name         TEXT   NOT NULL,
    sku               TEXT   NOT NULL,
    variant_sku       TEXT   NOT NULL,
    size_sku          TEXT   NOT NULL,
    ean               TEXT   NOT NULL,
    active            BIGINT NOT NULL,
    article_number    TEXT,
    content_hash      TEXT,
    article_json      TEXT,
    problem_kind      TEXT,
    problem           TEXT,
    selected          BIGINT NOT NULL,
    synced_hash       TEXT,
    synced_number     TEXT,
    article_system_id BIGINT,
    last_synced_at    BIGINT,
    updated_at        BIGINT NOT NULL,
    PRIMARY KEY (endpoint, stock_item_id)
);

CREATE INDEX catalog_items_article_number ON catalog_items (endpoint, article_number);
