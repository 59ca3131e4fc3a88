-- Issue #21: named calendars that jobs list as blackout or only windows, global freeze windows, and a job's timed
-- pause. A calendar's dates, ranges, weekly windows and iCalendar text are one JSON document.
CREATE TABLE calendars (
    name        VARCHAR(100)             NOT NULL PRIMARY KEY,
    timezone    VARCHAR(64)              NOT NULL,
    description VARCHAR(2000),
    definition  TEXT                     NOT NULL,
    created_by  VARCHAR(100),
    created_at  TIMESTAMP WITH TIME ZONE NOT NULL,
    updated_at  TIMESTAMP WITH TIME ZONE NOT NULL
);

CREATE TABLE freezes (
    id         UUID                     NOT NULL PRIMARY KEY,
    starts_at  TIMESTAMP WITH TIME ZONE NOT NULL,
    ends_at    TIMESTAMP WITH TIME ZONE NOT NULL,
    scope      VARCHAR(16)              NOT NULL,
    reason     VARCHAR(500)             NOT NULL,
    created_by VARCHAR(100),
    created_at TIMESTAMP WITH TIME ZONE NOT NULL,
    CONSTRAINT ck_freezes_scope CHECK (scope IN ('all', 'destructive'))
);

-- {"blackout": [names], "only": [names]}; null when the job lists none
ALTER TABLE jobs ADD COLUMN calendars TEXT;
-- paused_at set: the job is paused, until paused_until (null: until resumed)
ALTER TABLE jobs ADD COLUMN paused_at TIMESTAMP WITH TIME ZONE;
ALTER TABLE jobs ADD COLUMN paused_until TIMESTAMP WITH TIME ZONE;
ALTER TABLE jobs ADD COLUMN pause_reason VARCHAR(500);
