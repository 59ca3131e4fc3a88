-- Issue #21 items 7 and 9: what a job is expected to take (schedule health compares runs with it) and how much of its
-- history it keeps (the retention system job reads it, capped by its namespace's history quota).
ALTER TABLE jobs ADD COLUMN expected_duration_seconds BIGINT;
ALTER TABLE jobs ADD COLUMN keep_runs INTEGER;
ALTER TABLE jobs ADD COLUMN keep_days INTEGER;

-- A job's health problems, one row per reason while it lasts: the insert decides which node tells about it (once),
-- the delete which one tells that it recovered.
CREATE TABLE job_health (
    job_id UUID                     NOT NULL,
    reason VARCHAR(16)              NOT NULL,
    detail VARCHAR(500)             NOT NULL,
    since  TIMESTAMP WITH TIME ZONE NOT NULL,
    CONSTRAINT pk_job_health PRIMARY KEY (job_id, reason),
    CONSTRAINT fk_job_health_job FOREIGN KEY (job_id) REFERENCES jobs (id) ON DELETE CASCADE,
    CONSTRAINT ck_job_health_reason CHECK (reason IN ('late', 'missed', 'never_fired', 'slow', 'failing'))
);
CREATE INDEX ix_job_health_since ON job_health (since);

-- A health problem tells once ('unhealthy') and its end tells 'recovered'.
ALTER TABLE notification_attempts DROP CONSTRAINT ck_notification_attempts_event;
ALTER TABLE notification_attempts ADD CONSTRAINT ck_notification_attempts_event
    CHECK (event IN ('success', 'failure', 'retry', 'recovered', 'missed_run', 'auto_paused', 'unhealthy'));
