package dev.almanac.template.builtin;

import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Optional;
import java.util.UUID;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

/**
 * The last watermark each data_sync job reached, one row per job in Almanac's own database; kept with the source
 * table and column it belongs to, so a job whose source changed starts over instead of skipping rows.
 */
@Component
class SyncWatermarks {

    private static final String FIND_WATERMARK = """
            SELECT watermark FROM data_sync_watermarks
            WHERE job_id = :job AND source = :source
            """;

    private static final String DELETE_WATERMARK = "DELETE FROM data_sync_watermarks WHERE job_id = :job";

    private static final String INSERT_WATERMARK = """
            INSERT INTO data_sync_watermarks (job_id, source, watermark, updated_at)
            VALUES (:job, :source, :watermark, :now)
            """;

    private final JdbcClient jdbc;

    SyncWatermarks(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    /** The watermark the job reached on this source ({@code target.table.column}), if any. */
    Optional<String> find(String jobId, String source) {
        return jdbc.sql(FIND_WATERMARK)
                .param("job", UUID.fromString(jobId))
                .param("source", source)
                .query(String.class)
                .optional();
    }

    void save(String jobId, String source, String watermark, Instant now) {
        UUID job = UUID.fromString(jobId);
        jdbc.sql(DELETE_WATERMARK).param("job", job).update();
        jdbc.sql(INSERT_WATERMARK)
                .param("job", job)
                .param("source", source)
                .param("watermark", watermark)
                .param("now", now.atOffset(ZoneOffset.UTC))
                .update();
    }
}
