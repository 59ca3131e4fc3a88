-- Issue #20: namespaces own jobs (and through them executions, logs, artifacts, versions and notifications); users
-- hold a role per namespace. Every quota is optional (null: no quota). Existing jobs land in 'default'.
CREATE TABLE namespaces (
    name                 VARCHAR(63)   NOT NULL,
    display_name         VARCHAR(200),
    description          VARCHAR(2000),
    quota_jobs           INTEGER,
    quota_manual_runs_per_hour INTEGER,
    quota_runs_at_once   INTEGER,
    quota_history_days   INTEGER,
    quota_runs_per_job   INTEGER,
    created_at           TIMESTAMP WITH TIME ZONE NOT NULL,
    updated_at           TIMESTAMP WITH TIME ZONE NOT NULL,
    CONSTRAINT pk_namespaces PRIMARY KEY (name)
);

INSERT INTO namespaces (name, display_name, description, created_at, updated_at)
VALUES ('default', 'Default', 'Jobs created without a namespace, and every job from before namespaces.',
        CURRENT_TIMESTAMP, CURRENT_TIMESTAMP);

CREATE TABLE namespace_members (
    namespace VARCHAR(63) NOT NULL,
    username  VARCHAR(64) NOT NULL,
    role      VARCHAR(16) NOT NULL,
    CONSTRAINT pk_namespace_members PRIMARY KEY (namespace, username),
    CONSTRAINT fk_namespace_members_namespace FOREIGN KEY (namespace) REFERENCES namespaces (name) ON DELETE CASCADE,
    CONSTRAINT fk_namespace_members_user FOREIGN KEY (username) REFERENCES users (username) ON DELETE CASCADE,
    CONSTRAINT ck_namespace_members_role CHECK (role IN ('owner', 'editor', 'runner', 'viewer'))
);
-- "which namespaces may this user see" is asked on every request of a namespace member
CREATE INDEX ix_namespace_members_user ON namespace_members (username);

ALTER TABLE jobs ADD COLUMN namespace VARCHAR(63) DEFAULT 'default' NOT NULL;
ALTER TABLE jobs ADD CONSTRAINT fk_jobs_namespace FOREIGN KEY (namespace) REFERENCES namespaces (name);
CREATE INDEX ix_jobs_namespace ON jobs (namespace, name);

-- The namespace of the job (or execution) an audit event is about, as it was when the event happened.
ALTER TABLE audit_events ADD COLUMN namespace VARCHAR(63);
