-- Issue #20: an API token may be limited to some namespaces. A comma-separated list of names rather than a table
-- with a foreign key: deleting a namespace must never turn a limited token into an unlimited one. Null: no limit.
ALTER TABLE api_tokens ADD COLUMN namespaces VARCHAR(2000);

-- Issue #21: a namespace paused until a time (null: until resumed), like a job's pause (V23).
ALTER TABLE namespaces ADD COLUMN paused_at TIMESTAMP WITH TIME ZONE;
ALTER TABLE namespaces ADD COLUMN paused_until TIMESTAMP WITH TIME ZONE;
ALTER TABLE namespaces ADD COLUMN pause_reason VARCHAR(500);

-- Issue #22: a script may belong to a namespace, whose owners approve its versions. Null: a global script.
ALTER TABLE scripts ADD COLUMN namespace VARCHAR(63);
ALTER TABLE scripts ADD CONSTRAINT fk_scripts_namespace FOREIGN KEY (namespace) REFERENCES namespaces (name);
