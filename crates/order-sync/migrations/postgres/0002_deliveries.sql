-- One row per Centra supplier delivery: the WMS purchase order it became and its acceptance.
CREATE TABLE deliveries (
    endpoint TEXT NOT NULL,
    delivery_number TEXT NOT NULL,
    purchase_order_number TEXT NOT NULL UNIQUE,
    state TEXT NOT NULL,
    reason TEXT,
    delivery TEXT NOT NULL,
    updated_at BIGINT NOT NULL,
    PRIMARY KEY (endpoint, delivery_number)
);
