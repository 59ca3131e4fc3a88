-- The last scheduled slot each job enqueued (issue #18). The engine's store refuses to enqueue a slot at or before it,
-- so a slot never runs twice, even after its execution left the history; the unique slot_key guards the rest.
ALTER TABLE jobs ADD COLUMN last_enqueued_slot TIMESTAMP WITH TIME ZONE;

MERGE INTO jobs j
USING (SELECT job_id, MAX(scheduled_for) AS slot FROM executions WHERE slot_key IS NOT NULL GROUP BY job_id) m
   ON j.id = m.job_id
 WHEN MATCHED THEN UPDATE SET last_enqueued_slot = m.slot;
