-- The W3C traceparent of the shipment's import, so its completion (set off by a WMS report
-- much later) continues the same trace. NULL for shipments imported before this column.
ALTER TABLE shipments ADD COLUMN trace_parent TEXT;
