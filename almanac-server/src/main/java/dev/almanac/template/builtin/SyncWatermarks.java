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
            SELECT watermark, last_key FROM data_sync_watermarks
            WHERE job_id = :job AND source = :source
            """;

    private static final String DELETE_WATERMARK = "DELETE FROM data_sync_watermarks WHERE job_id = :job";

    private static final String INSERT_WATERMARK = """
            INSERT INTO data_sync_watermarks (job_id, source, watermark, last_key, updated_at)
            VALUES (:job, :source, :watermark, :key, :now)
            """;

    private final JdbcClient jdbc;

    SyncWatermarks(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    /**
     * Where a run stopped: the watermark of the last row it committed and that row's key; the key is null for a
     * position saved before keys were kept.
     */
    record Position(String watermark, String key) {}

    /** The longest last key stored (the column's size, V49); a longer one is not kept. */
    static final int KEY_LENGTH = 1000;

    /** The position the job reached on this source ({@code target.table.column}), if any. */
    Optional<Position> find(String jobId, String source) {
        return jdbc.sql(FIND_WATERMARK)
                .param("job", UUID.fromString(jobId))
                .param("source", source)
                .query((rs, row) -> new Position(rs.getString("watermark"), rs.getString("last_key")))
                .optional();
    }

    void save(String jobId, String source, Position position, Instant now) {
        UUID job = UUID.fromString(jobId);
        jdbc.sql(DELETE_WATERMARK).param("job", job).update();
        jdbc.sql(INSERT_WATERMARK)
                .param("job", job)
                .param("source", source)
                .param("watermark", position.watermark())
                .param("key", position.key())
                .param("now", now.atOffset(ZoneOffset.UTC))
                .update();
    }
}
