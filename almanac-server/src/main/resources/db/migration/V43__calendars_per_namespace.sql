-- Issue #21: a calendar is global or belongs to a namespace, its name unique within that. '' stands for global rather
-- than null because a primary key column cannot be null and H2 has no partial or expression unique index. A new
-- table rather than a changed key: the two databases drop a primary key in different words.
CREATE TABLE calendars_per_namespace (
    namespace   VARCHAR(63)              NOT NULL DEFAULT '',
    name        VARCHAR(100)             NOT NULL,
    timezone    VARCHAR(64)              NOT NULL,
    description VARCHAR(2000),
    definition  TEXT                     NOT NULL,
    created_by  VARCHAR(100),
    created_at  TIMESTAMP WITH TIME ZONE NOT NULL,
    updated_at  TIMESTAMP WITH TIME ZONE NOT NULL,
    CONSTRAINT pk_calendars_namespace_name PRIMARY KEY (namespace, name)
);

INSERT INTO calendars_per_namespace (namespace, name, timezone, description, definition, created_by, created_at,
                                     updated_at)
SELECT '', name, timezone, description, definition, created_by, created_at, updated_at FROM calendars;

DROP TABLE calendars;

ALTER TABLE calendars_per_namespace RENAME TO calendars;
