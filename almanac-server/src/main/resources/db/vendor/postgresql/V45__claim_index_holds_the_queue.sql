-- The claim reads only queued runs that no node holds, highest priority first, then earliest due. Its index held every
-- execution (status first), so each run wrote an entry into it three times (queued, running, ended) and it grew with
-- the history. It now holds only the runs a claim can take: one entry per run, written when it is queued, in an index
-- the size of the queue. Runs claimed ahead or running are found through their own partial indexes
-- (ix_executions_claimed_host, ix_executions_running_host, ix_executions_active_job).
--
-- The history filtered by an end status (failed, timed_out, cancelled, skipped, succeeded) read that index too; it
-- gets one of ended runs, in the history's order, so that a page of one status reads its 50 rows and a count reads
-- only that status's entries. One entry per run, written when it ends.
--
-- Each new index is built before the old one is dropped: building takes a lock that lets other nodes read executions
-- (not write them) during an upgrade, and the drop's exclusive lock is held only until the commit right after.
CREATE INDEX ix_executions_queue ON executions (priority DESC, run_after)
    WHERE status = 'queued' AND execution_host IS NULL;
CREATE INDEX ix_executions_ended_status ON executions (status, created_at DESC, id DESC)
    WHERE status NOT IN ('queued', 'running');
DROP INDEX ix_executions_claim;
ALTER INDEX ix_executions_queue RENAME TO ix_executions_claim;
