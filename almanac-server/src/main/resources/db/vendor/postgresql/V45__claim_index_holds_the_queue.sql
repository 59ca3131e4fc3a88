-- The claim reads only queued runs that no node holds, highest priority first, then earliest due. The index held every
-- execution (status first), so each run wrote an entry into it three times (queued, running, ended) and it grew with
-- the history. It now holds only the runs a claim can take: one entry per run, written when it is queued, and an index
-- the size of the queue. Runs claimed ahead, running or ended are found through their own partial indexes
-- (ix_executions_claimed_host, ix_executions_running_host, ix_executions_completed_status).
DROP INDEX ix_executions_claim;
CREATE INDEX ix_executions_claim ON executions (priority DESC, run_after) WHERE status = 'queued' AND execution_host IS NULL;
