-- A shipment's journey: one row per step (the shipment received, a state change, a hold with
-- its reason, a call's outcome the record keeps: the WMS order accepted, the capture), written
-- in the transaction that saves the shipment. `seq` counts a shipment's steps from 1; the
-- oldest go once a shipment has more than journey::STEPS_KEPT.
CREATE TABLE shipment_journey (
    endpoint TEXT NOT NULL,
    shipment_id TEXT NOT NULL,
    seq BIGINT NOT NULL,
    at BIGINT NOT NULL,
    step TEXT NOT NULL,
    detail TEXT NOT NULL,
    trace_id TEXT,
    PRIMARY KEY (endpoint, shipment_id, seq)
);
-- Find (OrderAdmin.FindShipments) looks shipments up by Centra order id or shipment id alone.
CREATE INDEX shipments_order_id ON shipments (order_id);
CREATE INDEX shipments_shipment_id ON shipments (shipment_id);
