-- The engine (ARCHITECTURE §4): a run keeps the timeout it was started with, and history reads newest-first by
-- creation time, since queued and skipped executions have no start time.
ALTER TABLE executions ADD COLUMN timeout_seconds INTEGER;
CREATE INDEX ix_executions_job_created ON executions (job_id, created_at DESC, id DESC);
CREATE INDEX ix_executions_created ON executions (created_at DESC, id DESC);
CREATE INDEX ix_executions_host ON executions (execution_host, status);
