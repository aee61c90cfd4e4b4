-- When a shipment of the article was last completed in Centra (a `ShipmentCompleted` mark):
-- a check that claimed the row before then read an allocation Centra no longer holds, and
-- sends no write for it (`rules::held_back`).
ALTER TABLE stock_articles ADD COLUMN completed_at BIGINT;
