-- Issue #23: the last watermark value each data_sync job reached, with the source (target.table.column) it belongs to.
CREATE TABLE data_sync_watermarks (
    job_id     UUID                     NOT NULL,
    source     VARCHAR(200)             NOT NULL,
    watermark  VARCHAR(200)             NOT NULL,
    updated_at TIMESTAMP WITH TIME ZONE NOT NULL,
    CONSTRAINT pk_data_sync_watermarks PRIMARY KEY (job_id),
    CONSTRAINT fk_data_sync_watermarks_job FOREIGN KEY (job_id) REFERENCES jobs (id) ON DELETE CASCADE
);
