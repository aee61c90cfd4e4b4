-- One row per WMS article stock-sync follows: what each side held at the last check, the state
-- a person sees, and when to check it next (`due_at`, NULL: nothing pending).
CREATE TABLE stock_articles (
    article_number TEXT NOT NULL PRIMARY KEY,
    warehouse TEXT NOT NULL,
    product_id TEXT,
    state TEXT NOT NULL,
    reason TEXT,
    due_at BIGINT,
    generation BIGINT NOT NULL DEFAULT 0,
    rechecks BIGINT NOT NULL DEFAULT 0,
    wms_physical BIGINT,
    wms_sellable BIGINT,
    centra_physical BIGINT,
    centra_allocated BIGINT,
    written BIGINT,
    checked_at BIGINT,
    updated_at BIGINT NOT NULL
);
CREATE INDEX stock_articles_due ON stock_articles (due_at);
CREATE INDEX stock_articles_state ON stock_articles (state, article_number);

-- Runs shared by every replica (the periodic reconcile): one row per run name.
CREATE TABLE stock_runs (
    name TEXT NOT NULL PRIMARY KEY,
    started_at BIGINT NOT NULL
);
