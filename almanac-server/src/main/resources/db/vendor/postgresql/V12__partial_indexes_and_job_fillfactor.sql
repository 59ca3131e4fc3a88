-- PostgreSQL only (H2 has neither partial indexes nor a fill factor). No update of an execution is heap-only (its
-- status is indexed), so each of its three versions (queued, running, ended) wrote an entry into every index: 24
-- per run. These three indexes are only ever read for rows their WHERE keeps (a node's running executions; runs
-- that have started; runs that have ended), so the versions outside it no longer write an entry: 20 per run.
DROP INDEX ix_executions_host;
CREATE INDEX ix_executions_running_host ON executions (execution_host) WHERE status = 'running';
DROP INDEX ix_executions_started;
CREATE INDEX ix_executions_started ON executions (started_at DESC, id DESC) WHERE started_at IS NOT NULL;
DROP INDEX ix_executions_completed_status;
CREATE INDEX ix_executions_completed_status ON executions (completed_at, status) WHERE completed_at IS NOT NULL;

-- A run's outcome updates its job's last status, which no index holds: with room left on the job's page the update
-- stays on it (heap-only, no index entries). New pages keep a tenth free for that.
ALTER TABLE jobs SET (fillfactor = 90);
