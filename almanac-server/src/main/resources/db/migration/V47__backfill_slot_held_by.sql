-- A slot another running backfill of the same job already holds is stored as 'in_backfill' and names that backfill,
-- so a second backfill over the same range never runs it again.
ALTER TABLE backfill_slots ADD COLUMN held_by UUID;
