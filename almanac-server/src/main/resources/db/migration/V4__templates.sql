-- One-time facts about this installation, e.g. that the system jobs were seeded, so a job an operator deleted is not
-- seeded again on the next start.
CREATE TABLE installation_flags (
    name   VARCHAR(100) NOT NULL,
    set_at TIMESTAMP WITH TIME ZONE NOT NULL,
    CONSTRAINT pk_installation_flags PRIMARY KEY (name)
);
