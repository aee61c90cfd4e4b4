-- The shipment lines whose quantity the gateway asked Centra to set (UpdateShipmentQuantities),
-- written before the request leaves. Centra keeps no shipment line at 0: once an update set a
-- line to 0 the line is gone from the shipment, and only this row still says it was a line of
-- that shipment, so that the same update sent again (after a kill, or when Centra's answer was
-- lost) is known as done rather than refused as naming a line the shipment never had.
CREATE TABLE sent_shipment_lines (
    endpoint      TEXT   NOT NULL,
    shipment_id   TEXT   NOT NULL,
    line_id       TEXT   NOT NULL,
    order_line_id TEXT   NOT NULL,
    quantity      BIGINT NOT NULL,
    sent_at       BIGINT NOT NULL,
    PRIMARY KEY (endpoint, shipment_id, line_id)
);
