-- One row per WMS return (its stable `return_id`): the Centra return it became, or why it waits.
CREATE TABLE returns (
    return_id TEXT NOT NULL PRIMARY KEY,
    warehouse TEXT NOT NULL,
    order_number TEXT NOT NULL,
    wms_order_id BIGINT NOT NULL,
    return_order_id BIGINT NOT NULL DEFAULT 0,
    endpoint TEXT,
    shipment_id TEXT,
    lines TEXT NOT NULL,
    comment TEXT NOT NULL,
    state TEXT NOT NULL,
    centra_return_id TEXT,
    reason_kind TEXT,
    reason TEXT,
    returned_at BIGINT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX returns_state ON returns (state, updated_at);
CREATE INDEX returns_order ON returns (warehouse, wms_order_id);
CREATE INDEX returns_shipment ON returns (endpoint, shipment_id);
