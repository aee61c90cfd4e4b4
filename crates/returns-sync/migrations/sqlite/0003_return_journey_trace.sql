-- The W3C trace id of the work that made each journey step (returns_sync::journey::note), so
-- Find links a step to its trace; NULL for a step made by untraced work.
ALTER TABLE return_journey ADD COLUMN trace_id TEXT;
