-- Pruning deletes dead letters resolved (retried or discarded) before a cutoff; open ones have
-- no resolved_at and are never pruned, so the index holds only resolved rows.
CREATE INDEX dead_letters_resolved_at ON dead_letters (resolved_at) WHERE resolved_at IS NOT NULL;
