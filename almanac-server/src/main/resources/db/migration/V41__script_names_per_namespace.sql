-- Issue #20: a script's name is unique in its namespace, not across all of them, so that writing one tells nobody what
-- another team named theirs. Global scripts (namespace null) are one more such scope: NULLS NOT DISTINCT keeps two
-- global scripts from sharing a name. That a namespace's script does not take a global script's name (a job may use
-- both kinds, so the name must say which) is the service's rule.
ALTER TABLE scripts DROP CONSTRAINT uq_scripts_name;
ALTER TABLE scripts ADD CONSTRAINT uq_scripts_namespace_name UNIQUE NULLS NOT DISTINCT (namespace, name);
