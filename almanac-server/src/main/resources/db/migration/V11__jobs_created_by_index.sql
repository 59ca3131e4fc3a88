-- The job quota counts the jobs a user created (created_by) on every create: without an index that read the whole
-- registry, 90 ms at 100 000 jobs on a two-core machine (almanac-bench, registry workload). created_by never changes,
-- so the index costs nothing on the engine's updates of jobs.
CREATE INDEX ix_jobs_created_by ON jobs (created_by);
