-- Issue #20: a backfill keeps the namespace of its job, so that once the job is deleted only those who may see that
-- namespace may still read or cancel it. A backfill of a job deleted before this migration keeps none: like a run of
-- a deleted job, only the global roles may read it.
ALTER TABLE backfills ADD COLUMN namespace VARCHAR(63);
UPDATE backfills SET namespace = (SELECT j.namespace FROM jobs j WHERE j.id = backfills.job_id);
