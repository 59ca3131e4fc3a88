-- triggers on outcomes: a job starts when another job's run ends with a chosen outcome, optionally only when a CEL
-- condition over its result holds. depends_on (job_dependencies) stays as it is: triggers on success, mode any.
CREATE TABLE job_triggers (
    job_id         UUID          NOT NULL,
    ordinal        INT           NOT NULL,
    upstream_id    UUID          NOT NULL,
    on_outcome     VARCHAR(16)   NOT NULL,
    condition_expr VARCHAR(1000),
    CONSTRAINT pk_job_triggers PRIMARY KEY (job_id, ordinal),
    CONSTRAINT fk_job_triggers_job FOREIGN KEY (job_id) REFERENCES jobs (id) ON DELETE CASCADE,
    CONSTRAINT fk_job_triggers_upstream FOREIGN KEY (upstream_id) REFERENCES jobs (id)
);
CREATE INDEX ix_job_triggers_upstream ON job_triggers (upstream_id, job_id);

-- one row per job with triggers: any one of them starts it, or (all) it waits for each within the window
CREATE TABLE job_trigger_modes (
    job_id         UUID        NOT NULL,
    trigger_mode   VARCHAR(8)  NOT NULL,
    window_seconds BIGINT,
    CONSTRAINT pk_job_trigger_modes PRIMARY KEY (job_id),
    CONSTRAINT fk_job_trigger_modes_job FOREIGN KEY (job_id) REFERENCES jobs (id) ON DELETE CASCADE
);

-- the latest upstream run that satisfied each trigger since the job last started from its triggers: what a fan-in
-- has, and the results {{upstream.<name>.result.<path>}} reads
CREATE TABLE trigger_arrivals (
    job_id       UUID                     NOT NULL,
    ordinal      INT                      NOT NULL,
    upstream_id  UUID                     NOT NULL,
    execution_id UUID                     NOT NULL,
    arrived_at   TIMESTAMP WITH TIME ZONE NOT NULL,
    result       TEXT,
    CONSTRAINT pk_trigger_arrivals PRIMARY KEY (job_id, ordinal),
    CONSTRAINT fk_trigger_arrivals_job FOREIGN KEY (job_id) REFERENCES jobs (id) ON DELETE CASCADE
);
