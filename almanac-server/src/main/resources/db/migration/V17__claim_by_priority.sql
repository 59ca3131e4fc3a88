-- A run keeps its job's priority from when it was queued; the worker claims higher priority first, then due time,
-- read in that order from the claim index (no sort) and stopping at the limit.
ALTER TABLE executions ADD COLUMN priority SMALLINT DEFAULT 5 NOT NULL;
DROP INDEX ix_executions_claim;
CREATE INDEX ix_executions_claim ON executions (status, priority DESC, run_after);
