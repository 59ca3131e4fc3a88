package dev.almanac.engine.internal;

import static dev.almanac.common.JdbcTime.instant;
import static dev.almanac.common.JdbcTime.utc;

import dev.almanac.calendar.TimeBlock;
import dev.almanac.execution.ExecutionId;
import dev.almanac.job.JobId;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;
import tools.jackson.databind.json.JsonMapper;

/** The {@code backfills} and {@code backfill_slots} tables. The store never reads the clock; callers hold the transaction. */
@Repository
class BackfillStore {

    /** A backfill as stored. */
    record Row(
            UUID id,
            JobId jobId,
            String jobName,
            String namespace,
            Instant from,
            Instant to,
            int maxParallel,
            String status,
            String createdBy,
            Instant createdAt,
            Instant endedAt) {}

    /** One slot of a backfill. */
    record Slot(Instant at, String state, ExecutionId execution, TimeBlock blockedBy, UUID heldBy) {

        Slot(Instant at, String state, ExecutionId execution, TimeBlock blockedBy) {
            this(at, state, execution, blockedBy, null);
        }
    }

    /** A slot of a running backfill that is still to run ({@code pending}) or under way ({@code released}). */
    record Held(UUID backfill, Instant at, String state) {}

    static final String RUNNING = "running";
    static final String FINISHED = "finished";
    static final String CANCELLED = "cancelled";

    private static final String COLUMNS =
            "id, job_id, job_name, namespace, range_from, range_to, max_parallel, status, created_by, created_at, ended_at";

    private static final String INSERT = """
            INSERT INTO backfills (id, job_id, job_name, namespace, range_from, range_to, max_parallel, status,
                                   created_by, created_at)
            VALUES (:id, :job, :name, :namespace, :from, :to, :parallel, 'running', :by, :at)
            """;

    private static final String INSERT_SLOT = """
            INSERT INTO backfill_slots (backfill_id, slot_at, state, execution_id, blocked_by, held_by)
            VALUES (:id, :at, :state, :execution, :blocked_by, :held_by)
            """;

    private static final String FIND = "SELECT " + COLUMNS + " FROM backfills WHERE id = :id";

    /** Held while slots are released or cancelled, so two nodes never release past max_parallel together. */
    private static final String LOCK = "SELECT " + COLUMNS + " FROM backfills WHERE id = :id FOR UPDATE";

    private static final String OF_JOB =
            "SELECT id FROM backfills WHERE job_id = :job ORDER BY created_at DESC LIMIT :limit";

    private static final String RUNNING_IDS =
            "SELECT id FROM backfills WHERE status = 'running' ORDER BY created_at LIMIT :limit";

    private static final String SLOTS = """
            SELECT slot_at, state, execution_id, blocked_by, held_by FROM backfill_slots
             WHERE backfill_id = :id ORDER BY slot_at
            """;

    private static final String SLOTS_IN_STATE = """
            SELECT slot_at, state, execution_id, blocked_by, held_by FROM backfill_slots
             WHERE backfill_id = :id AND state = :state ORDER BY slot_at LIMIT :limit
            """;

    private static final String HELD_BY_RUNNING = """
            SELECT s.backfill_id, s.slot_at, s.state FROM backfill_slots s
              JOIN backfills b ON b.id = s.backfill_id
             WHERE b.job_id = :job AND b.status = 'running' AND s.state IN ('pending', 'released')
               AND s.slot_at >= :from AND s.slot_at <= :to
             ORDER BY s.slot_at, b.created_at
            """;

    private static final String SET_SLOT = """
            UPDATE backfill_slots SET state = :state, execution_id = :execution
             WHERE backfill_id = :id AND slot_at = :at
            """;

    private static final String SKIP_SLOT = """
            UPDATE backfill_slots SET state = 'skipped', execution_id = :execution, blocked_by = :blocked_by
             WHERE backfill_id = :id AND slot_at = :at
            """;

    private static final String CANCEL_PENDING =
            "UPDATE backfill_slots SET state = 'cancelled' WHERE backfill_id = :id AND state = 'pending'";

    private static final String END = "UPDATE backfills SET status = :status, ended_at = :at WHERE id = :id";

    private final JdbcClient jdbc;
    private final JsonMapper json;

    BackfillStore(JdbcClient jdbc, JsonMapper json) {
        this.jdbc = jdbc;
        this.json = json;
    }

    void insert(Row row, List<Slot> slots) {
        jdbc.sql(INSERT)
                .param("id", row.id())
                .param("job", row.jobId().value())
                .param("name", row.jobName())
                .param("namespace", row.namespace())
                .param("from", utc(row.from()))
                .param("to", utc(row.to()))
                .param("parallel", row.maxParallel())
                .param("by", row.createdBy())
                .param("at", utc(row.createdAt()))
                .update();
        for (Slot slot : slots) {
            jdbc.sql(INSERT_SLOT)
                    .param("id", row.id())
                    .param("at", utc(slot.at()))
                    .param("state", slot.state())
                    .param(
                            "execution",
                            slot.execution() == null ? null : slot.execution().value())
                    .param("blocked_by", slot.blockedBy() == null ? null : json.writeValueAsString(slot.blockedBy()))
                    .param("held_by", slot.heldBy())
                    .update();
        }
    }

    Optional<Row> find(UUID id) {
        return jdbc.sql(FIND).param("id", id).query((rs, n) -> row(rs)).optional();
    }

    Optional<Row> lock(UUID id) {
        return jdbc.sql(LOCK).param("id", id).query((rs, n) -> row(rs)).optional();
    }

    List<UUID> latestOf(JobId job, int limit) {
        return jdbc.sql(OF_JOB)
                .param("job", job.value())
                .param("limit", limit)
                .query(UUID.class)
                .list();
    }

    List<UUID> running(int limit) {
        return jdbc.sql(RUNNING_IDS).param("limit", limit).query(UUID.class).list();
    }

    /**
     * The slots of {@code job} from {@code from} to {@code to} (both included) that its running backfills still hold:
     * pending or released. The caller holds the job's row lock, so no backfill starts beside it.
     */
    List<Held> heldByRunning(JobId job, Instant from, Instant to) {
        return jdbc.sql(HELD_BY_RUNNING)
                .param("job", job.value())
                .param("from", utc(from))
                .param("to", utc(to))
                .query((rs, n) -> new Held(
                        rs.getObject("backfill_id", UUID.class), instant(rs, "slot_at"), rs.getString("state")))
                .list();
    }

    List<Slot> slots(UUID id) {
        return jdbc.sql(SLOTS).param("id", id).query((rs, n) -> slot(rs)).list();
    }

    List<Slot> slots(UUID id, String state, int limit) {
        return jdbc.sql(SLOTS_IN_STATE)
                .param("id", id)
                .param("state", state)
                .param("limit", limit)
                .query((rs, n) -> slot(rs))
                .list();
    }

    /** A slot found blocked as it was to be released: recorded by the skipped execution that says what blocks it. */
    void skipSlot(UUID id, Instant at, ExecutionId execution, TimeBlock blockedBy) {
        jdbc.sql(SKIP_SLOT)
                .param("id", id)
                .param("at", utc(at))
                .param("execution", execution.value())
                .param("blocked_by", json.writeValueAsString(blockedBy))
                .update();
    }

    void setSlot(UUID id, Instant at, String state, ExecutionId execution) {
        jdbc.sql(SET_SLOT)
                .param("id", id)
                .param("at", utc(at))
                .param("state", state)
                .param("execution", execution == null ? null : execution.value())
                .update();
    }

    int cancelPending(UUID id) {
        return jdbc.sql(CANCEL_PENDING).param("id", id).update();
    }

    void end(UUID id, String status, Instant at) {
        jdbc.sql(END)
                .param("id", id)
                .param("status", status)
                .param("at", utc(at))
                .update();
    }

    private static Row row(java.sql.ResultSet rs) throws java.sql.SQLException {
        return new Row(
                rs.getObject("id", UUID.class),
                new JobId(rs.getObject("job_id", UUID.class)),
                rs.getString("job_name"),
                rs.getString("namespace"),
                instant(rs, "range_from"),
                instant(rs, "range_to"),
                rs.getInt("max_parallel"),
                rs.getString("status"),
                rs.getString("created_by"),
                instant(rs, "created_at"),
                instant(rs, "ended_at"));
    }

    private Slot slot(java.sql.ResultSet rs) throws java.sql.SQLException {
        UUID execution = rs.getObject("execution_id", UUID.class);
        String blocked = rs.getString("blocked_by");
        return new Slot(
                instant(rs, "slot_at"),
                rs.getString("state"),
                execution == null ? null : new ExecutionId(execution),
                blocked == null ? null : json.readValue(blocked, TimeBlock.class),
                rs.getObject("held_by", UUID.class));
    }
}
