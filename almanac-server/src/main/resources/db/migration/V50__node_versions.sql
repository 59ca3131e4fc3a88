-- Which Almanac each node runs and the newest schema version it knows, for /status: after an upgrade, a node of the
-- older release shows by its numbers. Empty for a node of a release from before this migration.
ALTER TABLE nodes ADD COLUMN almanac_version VARCHAR(100);
ALTER TABLE nodes ADD COLUMN schema_version INTEGER;
