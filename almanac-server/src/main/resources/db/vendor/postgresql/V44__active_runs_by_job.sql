-- A trigger pass asks which of up to 500 due jobs have a run queued or running (their overlap policy), and a job's
-- page asks for its active runs. This index holds only those rows, so the answer never reads a job's history nor the
-- whole queue. Without it, a plan made while the queue was empty scanned every queued run once per job asked about:
-- 250-300 ms per pass in a 20 000-job drain (almanac-bench, 2026-12-03).
CREATE INDEX ix_executions_active_job ON executions (job_id) WHERE status IN ('queued', 'running');
