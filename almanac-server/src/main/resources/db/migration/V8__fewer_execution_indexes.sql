-- Every change of an execution's status writes a new entry into each of its indexes (the status is indexed, so no
-- such update is heap-only): a run is written three times (queued, running, ended), and each index costs PostgreSQL
-- WAL and CPU on the engine's busiest path (almanac-bench, drain workload). These three served no query of their own:
-- - retry_of is only ever read with its execution, never searched;
-- - every per-job query (a job's history, its active runs, its last success) is served by ix_executions_job_created
--   (job_id, created_at DESC, id DESC), which has job_id first as well;
-- - (status, started_at) served the orphan search (running runs of dead nodes, oldest first), which
--   ix_executions_claim (status, run_after) serves as well: running runs are few. History filtered by status is
--   ordered by created_at, which this index never gave.
DROP INDEX ix_executions_retry_of;
DROP INDEX ix_executions_job;
DROP INDEX ix_executions_status_started;
