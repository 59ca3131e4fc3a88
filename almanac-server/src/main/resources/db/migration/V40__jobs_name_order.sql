-- The job list's default order (name, then id) had its index in the unique name that V35 made unique per namespace;
-- without one, every page of the list sorted the whole table (measured: a full parallel scan and sort of 100 000 jobs
-- per list request). This index serves the order and the page's offset again.
CREATE INDEX ix_jobs_name ON jobs (name, id);
