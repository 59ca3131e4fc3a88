-- Scripts (issue #22): a team's own code, kept as versions that a second person approves before any job runs them.
-- An approved version's source never changes: the service has no statement that updates it, and a change is a new
-- version.
CREATE TABLE scripts (
    id          UUID                     NOT NULL,
    name        VARCHAR(100)             NOT NULL,
    language    VARCHAR(20)              NOT NULL,
    description VARCHAR(2000)            NOT NULL,
    created_by  VARCHAR(200)             NOT NULL,
    created_at  TIMESTAMP WITH TIME ZONE NOT NULL,
    CONSTRAINT pk_scripts PRIMARY KEY (id),
    CONSTRAINT uq_scripts_name UNIQUE (name),
    CONSTRAINT ck_scripts_language CHECK (language IN ('python3', 'sh', 'node'))
);

CREATE TABLE script_versions (
    script_id       UUID                     NOT NULL,
    version         INTEGER                  NOT NULL,
    source          TEXT                     NOT NULL,
    network_allowed BOOLEAN                  NOT NULL,
    author          VARCHAR(200)             NOT NULL,
    created_at      TIMESTAMP WITH TIME ZONE NOT NULL,
    status          VARCHAR(20)              NOT NULL,
    reviewer        VARCHAR(200),
    review_comment  VARCHAR(2000),
    reviewed_at     TIMESTAMP WITH TIME ZONE,
    CONSTRAINT pk_script_versions PRIMARY KEY (script_id, version),
    CONSTRAINT fk_script_versions_script FOREIGN KEY (script_id) REFERENCES scripts (id) ON DELETE CASCADE,
    CONSTRAINT ck_script_versions_status CHECK (status IN ('pending', 'approved', 'rejected')),
    CONSTRAINT ck_script_versions_reviewed CHECK (status = 'pending' OR (reviewer IS NOT NULL AND reviewed_at IS NOT NULL)),
    CONSTRAINT ck_script_versions_second_person CHECK (reviewer IS NULL OR reviewer <> author)
);
