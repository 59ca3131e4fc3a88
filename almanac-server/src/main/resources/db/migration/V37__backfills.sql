-- Issue #21: a backfill runs a job's past slots, at most max_parallel at once. The engine releases the next pending
-- slots as earlier ones end (the trigger pass), so the plan and its progress live here, apart from the executions.
CREATE TABLE backfills (
    id           UUID                     NOT NULL PRIMARY KEY,
    job_id       UUID                     NOT NULL,
    job_name     VARCHAR(100)             NOT NULL,
    range_from   TIMESTAMP WITH TIME ZONE NOT NULL,
    range_to     TIMESTAMP WITH TIME ZONE NOT NULL,
    max_parallel INTEGER                  NOT NULL,
    status       VARCHAR(16)              NOT NULL,
    created_by   VARCHAR(200)             NOT NULL,
    created_at   TIMESTAMP WITH TIME ZONE NOT NULL,
    ended_at     TIMESTAMP WITH TIME ZONE,
    CONSTRAINT ck_backfills_status CHECK (status IN ('running', 'finished', 'cancelled')),
    CONSTRAINT ck_backfills_parallel CHECK (max_parallel >= 1)
);
CREATE INDEX ix_backfills_status ON backfills (status);
CREATE INDEX ix_backfills_job ON backfills (job_id, created_at DESC);

-- one row per slot: pending (waits for a free place), released (its execution is queued or running), then how it
-- ended; blocked (a calendar, freeze or pause holds the slot), already_ran (a run of the slot succeeded or is under
-- way) and cancelled are never run.
CREATE TABLE backfill_slots (
    backfill_id  UUID                     NOT NULL,
    slot_at      TIMESTAMP WITH TIME ZONE NOT NULL,
    state        VARCHAR(16)              NOT NULL,
    execution_id UUID,
    blocked_by   TEXT,
    CONSTRAINT pk_backfill_slots PRIMARY KEY (backfill_id, slot_at),
    CONSTRAINT fk_backfill_slots_backfill FOREIGN KEY (backfill_id) REFERENCES backfills (id) ON DELETE CASCADE
);
CREATE INDEX ix_backfill_slots_state ON backfill_slots (backfill_id, state);
