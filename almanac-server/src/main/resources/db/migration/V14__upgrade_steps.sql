-- One-time upgrade passes that run at start-up (sealing secrets an earlier release stored plain) and are done.
CREATE TABLE upgrade_steps (
    name    VARCHAR(100) PRIMARY KEY,
    done_at TIMESTAMP WITH TIME ZONE NOT NULL
);
