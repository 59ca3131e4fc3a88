package dev.almanac.execution;

import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.UUID;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

/**
 * Deletes ended runs from the history, for the retention system job; queued and running runs are never touched. The
 * caller deletes their artifacts first and holds the transaction.
 */
@Component
public class HistoryPurge {

    private static final String ENDED = "status IN ('succeeded', 'failed', 'timed_out', 'cancelled', 'skipped')";

    private static final String COUNT_ENDED_BEFORE =
            "SELECT COUNT(*) FROM executions WHERE " + ENDED + " AND COALESCE(completed_at, created_at) < ?";

    private static final String ENDED_BEFORE = "SELECT id FROM executions WHERE " + ENDED + """
             AND COALESCE(completed_at, created_at) < ?
             ORDER BY COALESCE(completed_at, created_at)
             LIMIT ?
            """;

    private static final String DELETE = "DELETE FROM executions WHERE id = ?";

    private final JdbcClient jdbc;

    HistoryPurge(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    public long countEndedBefore(Instant cutoff) {
        return jdbc.sql(COUNT_ENDED_BEFORE)
                .param(cutoff.atOffset(ZoneOffset.UTC))
                .query(Long.class)
                .single();
    }

    /** The ids of the oldest runs that ended before the cut-off, at most {@code limit}. */
    public List<UUID> endedBefore(Instant cutoff, int limit) {
        return jdbc.sql(ENDED_BEFORE)
                .params(cutoff.atOffset(ZoneOffset.UTC), limit)
                .query(UUID.class)
                .list();
    }

    /** Deletes these runs (their logs go with them); returns how many were still there. */
    public int delete(List<UUID> ids) {
        int count = 0;
        for (UUID id : ids) {
            count += jdbc.sql(DELETE).param(id).update();
        }
        return count;
    }
}
