-- One row per Centra order offered for order import (`import = orders` or `both`): the WMS
-- order it became, or why it waits.
CREATE TABLE orders (
    endpoint TEXT NOT NULL,
    order_id TEXT NOT NULL,
    wms_order_number TEXT NOT NULL UNIQUE,
    state TEXT NOT NULL,
    reason TEXT,
    wms_order_id BIGINT,
    updated_at BIGINT NOT NULL,
    PRIMARY KEY (endpoint, order_id)
);
