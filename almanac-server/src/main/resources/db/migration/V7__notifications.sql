-- Notifications (on success, on failure, on retry), the missed-run alert and auto-pause.

-- The missed-run alert window of a job, in seconds, so the periodic check reads only the jobs that have one.
ALTER TABLE jobs ADD COLUMN alert_after_seconds BIGINT;
CREATE INDEX ix_jobs_alert ON jobs (alert_after_seconds);

-- Where a user is told things addressed to their role (the daily summary to super admins).
ALTER TABLE users ADD COLUMN email VARCHAR(254);

-- One open incident per job and kind. The first final failure opens the 'failure' incident and is told; the
-- failures after it only count (one incident, one message); the next success closes it and tells that the job
-- recovered. The missed-run alert opens a 'missed_run' incident the same way. The primary key makes a cluster
-- agree on who tells: only the node whose insert succeeds sends.
CREATE TABLE notification_incidents (
    job_id     UUID        NOT NULL,
    kind       VARCHAR(16) NOT NULL,
    opened_at  TIMESTAMP WITH TIME ZONE NOT NULL,
    opened_by  UUID,
    failures   INTEGER     NOT NULL,
    last_at    TIMESTAMP WITH TIME ZONE NOT NULL,
    CONSTRAINT pk_notification_incidents PRIMARY KEY (job_id, kind),
    CONSTRAINT fk_notification_incidents_job FOREIGN KEY (job_id) REFERENCES jobs (id) ON DELETE CASCADE,
    CONSTRAINT ck_notification_incidents_kind CHECK (kind IN ('failure', 'missed_run'))
);

-- Every attempt to tell someone, on the execution it is about (a missed-run alert has none). A webhook URL is kept
-- cut to its scheme and host: the rest often is the secret.
CREATE TABLE notification_attempts (
    id           UUID          NOT NULL,
    job_id       UUID          NOT NULL,
    execution_id UUID,
    event        VARCHAR(16)   NOT NULL,
    channel      VARCHAR(16)   NOT NULL,
    recipient    VARCHAR(300)  NOT NULL,
    outcome      VARCHAR(16)   NOT NULL,
    detail       VARCHAR(1000),
    attempted_at TIMESTAMP WITH TIME ZONE NOT NULL,
    CONSTRAINT pk_notification_attempts PRIMARY KEY (id),
    -- deleted with their execution (history retention, DELETE /executions/{id}); kept when their job is deleted
    CONSTRAINT fk_notification_attempts_execution
        FOREIGN KEY (execution_id) REFERENCES executions (id) ON DELETE CASCADE,
    CONSTRAINT ck_notification_attempts_event
        CHECK (event IN ('success', 'failure', 'retry', 'recovered', 'missed_run', 'auto_paused')),
    CONSTRAINT ck_notification_attempts_outcome CHECK (outcome IN ('sent', 'failed', 'suppressed'))
);
CREATE INDEX ix_notification_attempts_execution ON notification_attempts (execution_id, attempted_at);
CREATE INDEX ix_notification_attempts_job ON notification_attempts (job_id, attempted_at DESC);
