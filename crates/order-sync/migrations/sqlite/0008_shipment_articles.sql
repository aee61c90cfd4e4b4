-- The articles a shipment holds: one row per WMS article number (by the configured rule) and
-- per EAN of its lines, rewritten in the transaction that saves the shipment, so the admin
-- Find lists the shipments holding an article (OrderAdmin.ShipmentsHoldingArticle).
-- Shipments saved before this table existed are indexed at their next save.
CREATE TABLE shipment_articles (
    article_number TEXT NOT NULL,
    endpoint TEXT NOT NULL,
    shipment_id TEXT NOT NULL,
    PRIMARY KEY (article_number, endpoint, shipment_id)
);
CREATE INDEX shipment_articles_shipment ON shipment_articles (endpoint, shipment_id);
