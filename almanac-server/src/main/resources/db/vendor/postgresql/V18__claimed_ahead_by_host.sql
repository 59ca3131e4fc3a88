-- Claim-ahead (issue #18): a node may claim runs beyond its free workers; they stay queued with the node as their
-- host until a worker starts them. Finding a node's (or a dead node's) claimed-ahead runs reads this index, which
-- holds only those few rows (at most a buffer per node), never the whole queue.
CREATE INDEX ix_executions_claimed_host ON executions (execution_host) WHERE status = 'queued' AND execution_host IS NOT NULL;
