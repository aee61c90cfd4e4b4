-- One row per Centra shipment: the WMS order it became and where it is in its life.
CREATE TABLE shipments (
    endpoint TEXT NOT NULL,
    shipment_id TEXT NOT NULL,
    order_id TEXT NOT NULL,
    wms_order_number TEXT NOT NULL UNIQUE,
    state TEXT NOT NULL,
    reason_kind TEXT,
    reason TEXT,
    shipment TEXT NOT NULL,
    shipped TEXT,
    wms_order_id BIGINT,
    captured BIGINT NOT NULL DEFAULT 0,
    updated_at BIGINT NOT NULL,
    PRIMARY KEY (endpoint, shipment_id)
);
CREATE INDEX shipments_state ON shipments (state, reason_kind);
