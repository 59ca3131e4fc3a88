-- PostgreSQL only (spring.flyway.locations adds db/vendor/{vendor}; H2 has no vacuum). Every run writes its execution
-- three times (queued, running, ended) and its job twice. At the default scale factors autovacuum waits for a fifth of
-- a table to be dead: days of churn on a table of millions of executions, while queue scans wade through dead index
-- entries and the status counts cannot be read from the index alone (pages not yet all-visible). Vacuum and analyze
-- after 1 % instead, as queue tables are usually set up.
ALTER TABLE executions SET (
    autovacuum_vacuum_scale_factor = 0.01,
    autovacuum_vacuum_insert_scale_factor = 0.01,
    autovacuum_analyze_scale_factor = 0.01);
ALTER TABLE jobs SET (
    autovacuum_vacuum_scale_factor = 0.05,
    autovacuum_analyze_scale_factor = 0.05);
