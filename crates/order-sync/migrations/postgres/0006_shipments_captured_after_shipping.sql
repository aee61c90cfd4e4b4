-- 1 once the capture on import a shipment still owed when the warehouse shipped was sent after
-- Centra took the shipped quantities (saved before the call): a redelivery that finds the
-- shipment paid then knows it was paid for what shipped. 0 for every other shipment.
ALTER TABLE shipments ADD COLUMN captured_after_shipping BIGINT NOT NULL DEFAULT 0;
