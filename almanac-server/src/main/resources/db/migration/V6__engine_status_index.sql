-- GET /status and the dashboard count what ended in the last 24 hours (completed_at >= :since): without this index
-- that count reads the whole history, seconds at ten million executions (almanac-bench, history workload).
CREATE INDEX ix_executions_completed ON executions (completed_at);
