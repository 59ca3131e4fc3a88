-- Issue #20: a job's name is unique within its namespace, not across all of them, so a name taken in a namespace one
-- may not see is not revealed by an "already exists" refusal. The unique index replaces the plain one of V21.
ALTER TABLE jobs DROP CONSTRAINT uq_jobs_name;
DROP INDEX ix_jobs_namespace;
ALTER TABLE jobs ADD CONSTRAINT uq_jobs_namespace_name UNIQUE (namespace, name);
