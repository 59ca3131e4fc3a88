-- data_sync keeps the key of the last row it committed with the watermark, so a run stopped between rows of one
-- watermark value resumes after that row instead of skipping the rest of the value. Rows saved before have none:
-- the next run re-reads the rows of their watermark value (the upsert leaves unchanged rows alone).
ALTER TABLE data_sync_watermarks ADD COLUMN last_key VARCHAR(1000);
