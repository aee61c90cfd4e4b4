-- A later release adds a column.
ALTER TABLE parcels ADD COLUMN tracking TEXT;
