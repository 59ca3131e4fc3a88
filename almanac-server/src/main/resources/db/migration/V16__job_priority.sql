-- Issue #18: when more runs are due than workers, a job's priority (0..9, higher first) orders the claim before the
-- due time. Existing jobs get the normal priority.
ALTER TABLE jobs ADD COLUMN priority SMALLINT DEFAULT 5 NOT NULL;
ALTER TABLE jobs ADD CONSTRAINT ck_jobs_priority CHECK (priority BETWEEN 0 AND 9);
