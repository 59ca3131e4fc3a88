-- Almanac's whole data model (ARCHITECTURE §3). One script for H2 (in PostgreSQL mode) and PostgreSQL:
-- only types and statements both understand. Times are TIMESTAMP WITH TIME ZONE and always written in UTC;
-- JSON documents are TEXT (H2's PostgreSQL mode maps TEXT to an inline VARCHAR, not a CLOB).

CREATE TABLE jobs (
    id                      UUID             NOT NULL,
    name                    VARCHAR(100)     NOT NULL,
    description             VARCHAR(2000),
    template_type           VARCHAR(64)      NOT NULL,
    parameters              TEXT             NOT NULL,
    schedule_type           VARCHAR(16)      NOT NULL,
    cron_expression         VARCHAR(200),
    interval_seconds        BIGINT,
    run_at                  TIMESTAMP WITH TIME ZONE,
    timezone                VARCHAR(64)      NOT NULL,
    enabled                 BOOLEAN          NOT NULL,
    timeout_seconds         INTEGER          NOT NULL,
    max_retries             INTEGER          NOT NULL,
    retry_delay_seconds     INTEGER          NOT NULL,
    backoff_multiplier      DOUBLE PRECISION NOT NULL,
    concurrency_policy      VARCHAR(16)      NOT NULL,
    misfire_policy          VARCHAR(16)      NOT NULL,
    catch_up_window_seconds INTEGER          NOT NULL,
    notifications           TEXT             NOT NULL,
    created_by              VARCHAR(100)     NOT NULL,
    created_at              TIMESTAMP WITH TIME ZONE NOT NULL,
    updated_at              TIMESTAMP WITH TIME ZONE NOT NULL,
    last_run_at             TIMESTAMP WITH TIME ZONE,
    last_status             VARCHAR(16),
    next_run_at             TIMESTAMP WITH TIME ZONE,
    version                 BIGINT           NOT NULL,
    CONSTRAINT pk_jobs PRIMARY KEY (id),
    CONSTRAINT uq_jobs_name UNIQUE (name),
    CONSTRAINT ck_jobs_schedule_type CHECK (schedule_type IN ('cron', 'interval', 'once')),
    CONSTRAINT ck_jobs_concurrency CHECK (concurrency_policy IN ('allow', 'forbid', 'replace')),
    CONSTRAINT ck_jobs_misfire CHECK (misfire_policy IN ('run_once', 'skip', 'run_all'))
);
-- The trigger loop's claim: WHERE enabled AND next_run_at <= :now ORDER BY next_run_at.
CREATE INDEX ix_jobs_due ON jobs (enabled, next_run_at);
CREATE INDEX ix_jobs_template ON jobs (template_type, name);

CREATE TABLE job_tags (
    job_id UUID        NOT NULL,
    tag    VARCHAR(64) NOT NULL,
    CONSTRAINT pk_job_tags PRIMARY KEY (job_id, tag),
    CONSTRAINT fk_job_tags_job FOREIGN KEY (job_id) REFERENCES jobs (id) ON DELETE CASCADE
);
CREATE INDEX ix_job_tags_tag ON job_tags (tag, job_id);

-- depends_on: a job waits for the success of these. Deleting a job others depend on is refused.
CREATE TABLE job_dependencies (
    job_id     UUID NOT NULL,
    depends_on UUID NOT NULL,
    CONSTRAINT pk_job_dependencies PRIMARY KEY (job_id, depends_on),
    CONSTRAINT fk_job_dependencies_job FOREIGN KEY (job_id) REFERENCES jobs (id) ON DELETE CASCADE,
    CONSTRAINT fk_job_dependencies_upstream FOREIGN KEY (depends_on) REFERENCES jobs (id)
);
CREATE INDEX ix_job_dependencies_upstream ON job_dependencies (depends_on, job_id);

-- Every saved definition, kept after the job is deleted (history, diff, rollback).
CREATE TABLE job_versions (
    job_id     UUID         NOT NULL,
    version    BIGINT       NOT NULL,
    change     VARCHAR(16)  NOT NULL,
    definition TEXT         NOT NULL,
    changed_by VARCHAR(100) NOT NULL,
    changed_at TIMESTAMP WITH TIME ZONE NOT NULL,
    CONSTRAINT pk_job_versions PRIMARY KEY (job_id, version),
    CONSTRAINT ck_job_versions_change CHECK (change IN ('created', 'updated', 'deleted'))
);

-- History outlives its job: no foreign key to jobs, job_name and template_type are copied in.
CREATE TABLE executions (
    id               UUID          NOT NULL,
    job_id           UUID          NOT NULL,
    job_version      BIGINT        NOT NULL,
    job_name         VARCHAR(100)  NOT NULL,
    template_type    VARCHAR(64)   NOT NULL,
    status           VARCHAR(16)   NOT NULL,
    reason           VARCHAR(32),
    attempt          INTEGER       NOT NULL,
    retry_of         UUID,
    slot_key         VARCHAR(120),
    scheduled_for    TIMESTAMP WITH TIME ZONE,
    run_after        TIMESTAMP WITH TIME ZONE NOT NULL,
    created_at       TIMESTAMP WITH TIME ZONE NOT NULL,
    started_at       TIMESTAMP WITH TIME ZONE,
    completed_at     TIMESTAMP WITH TIME ZONE,
    duration_ms      BIGINT,
    dry_run          BOOLEAN       NOT NULL,
    parameters       TEXT          NOT NULL,
    result           TEXT,
    error            TEXT,
    triggered_by     VARCHAR(200)  NOT NULL,
    execution_host   VARCHAR(200),
    heartbeat_at     TIMESTAMP WITH TIME ZONE,
    cancel_requested BOOLEAN       NOT NULL,
    CONSTRAINT pk_executions PRIMARY KEY (id),
    -- job_id@scheduled_for for scheduler-triggered runs, NULL otherwise: the database refuses a second
    -- run of one scheduled slot, whatever the cluster does.
    CONSTRAINT uq_executions_slot UNIQUE (slot_key),
    CONSTRAINT ck_executions_status
        CHECK (status IN ('queued', 'running', 'succeeded', 'failed', 'timed_out', 'cancelled', 'skipped'))
);
CREATE INDEX ix_executions_claim ON executions (status, run_after);
CREATE INDEX ix_executions_job ON executions (job_id, started_at DESC);
CREATE INDEX ix_executions_status_started ON executions (status, started_at DESC);
CREATE INDEX ix_executions_started ON executions (started_at DESC, id DESC);
CREATE INDEX ix_executions_retry_of ON executions (retry_of);

CREATE TABLE execution_logs (
    execution_id UUID          NOT NULL,
    seq          INTEGER       NOT NULL,
    logged_at    TIMESTAMP WITH TIME ZONE NOT NULL,
    log_level    VARCHAR(8)    NOT NULL,
    message      VARCHAR(8000) NOT NULL,
    CONSTRAINT pk_execution_logs PRIMARY KEY (execution_id, seq),
    CONSTRAINT fk_execution_logs_execution FOREIGN KEY (execution_id) REFERENCES executions (id) ON DELETE CASCADE
);

CREATE TABLE artifacts (
    id           UUID          NOT NULL,
    execution_id UUID          NOT NULL,
    name         VARCHAR(255)  NOT NULL,
    path         VARCHAR(1000) NOT NULL,
    size_bytes   BIGINT        NOT NULL,
    sha256       CHAR(64)      NOT NULL,
    content_type VARCHAR(100)  NOT NULL,
    created_at   TIMESTAMP WITH TIME ZONE NOT NULL,
    CONSTRAINT pk_artifacts PRIMARY KEY (id),
    CONSTRAINT fk_artifacts_execution FOREIGN KEY (execution_id) REFERENCES executions (id) ON DELETE CASCADE
);
CREATE INDEX ix_artifacts_execution ON artifacts (execution_id);

CREATE TABLE nodes (
    id           VARCHAR(100) NOT NULL,
    host         VARCHAR(255) NOT NULL,
    roles        VARCHAR(100) NOT NULL,
    started_at   TIMESTAMP WITH TIME ZONE NOT NULL,
    heartbeat_at TIMESTAMP WITH TIME ZONE NOT NULL,
    CONSTRAINT pk_nodes PRIMARY KEY (id)
);

CREATE TABLE users (
    id                 UUID         NOT NULL,
    username           VARCHAR(64)  NOT NULL,
    password_hash      VARCHAR(200) NOT NULL,
    role               VARCHAR(16)  NOT NULL,
    enabled            BOOLEAN      NOT NULL,
    created_at         TIMESTAMP WITH TIME ZONE NOT NULL,
    updated_at         TIMESTAMP WITH TIME ZONE NOT NULL,
    last_login_at      TIMESTAMP WITH TIME ZONE,
    failed_login_count INTEGER      NOT NULL,
    locked_until       TIMESTAMP WITH TIME ZONE,
    CONSTRAINT pk_users PRIMARY KEY (id),
    CONSTRAINT uq_users_username UNIQUE (username),
    CONSTRAINT ck_users_role CHECK (role IN ('SUPER_ADMIN', 'ADMIN', 'USER'))
);

-- Only a hash of each token is stored; the prefix lets a user recognise a token in a list.
CREATE TABLE api_tokens (
    id           UUID         NOT NULL,
    user_id      UUID         NOT NULL,
    name         VARCHAR(100) NOT NULL,
    token_prefix VARCHAR(16)  NOT NULL,
    token_hash   VARCHAR(128) NOT NULL,
    read_only    BOOLEAN      NOT NULL,
    created_at   TIMESTAMP WITH TIME ZONE NOT NULL,
    expires_at   TIMESTAMP WITH TIME ZONE,
    last_used_at TIMESTAMP WITH TIME ZONE,
    revoked_at   TIMESTAMP WITH TIME ZONE,
    CONSTRAINT pk_api_tokens PRIMARY KEY (id),
    CONSTRAINT uq_api_tokens_hash UNIQUE (token_hash),
    CONSTRAINT fk_api_tokens_user FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE
);
CREATE INDEX ix_api_tokens_user ON api_tokens (user_id);

CREATE TABLE audit_events (
    id             UUID         NOT NULL,
    occurred_at    TIMESTAMP WITH TIME ZONE NOT NULL,
    actor          VARCHAR(100) NOT NULL,
    action         VARCHAR(64)  NOT NULL,
    outcome        VARCHAR(16)  NOT NULL,
    target_type    VARCHAR(32),
    target_id      VARCHAR(100),
    target_name    VARCHAR(200),
    source_address VARCHAR(64),
    details        TEXT,
    CONSTRAINT pk_audit_events PRIMARY KEY (id)
);
CREATE INDEX ix_audit_events_time ON audit_events (occurred_at DESC);
CREATE INDEX ix_audit_events_actor ON audit_events (actor, occurred_at DESC);
CREATE INDEX ix_audit_events_target ON audit_events (target_type, target_id, occurred_at DESC);
