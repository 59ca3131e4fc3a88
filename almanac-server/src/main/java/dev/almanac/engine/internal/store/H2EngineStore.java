package dev.almanac.engine.internal.store;

import static dev.almanac.common.JdbcTime.instant;
import static dev.almanac.common.JdbcTime.utc;

import dev.almanac.execution.Execution;
import dev.almanac.execution.ExecutionId;
import dev.almanac.execution.ExecutionRows;
import dev.almanac.execution.ExecutionStatus;
import dev.almanac.job.Job;
import dev.almanac.job.JobId;
import dev.almanac.job.JobRows;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.core.simple.JdbcClient;
import tools.jackson.databind.json.JsonMapper;

/** The engine's store on H2: rows written as JDBC batches, lists bound as {@code IN (…)}. */
class H2EngineStore implements EngineStore {

    private static final String CLAIM_DUE_JOBS = "SELECT " + JobRows.COLUMNS + """
             FROM jobs j
             WHERE j.enabled = TRUE AND j.next_run_at <= :now
             ORDER BY j.next_run_at
             LIMIT :limit
             FOR UPDATE SKIP LOCKED
            """;

    /** The watermark only rises. */
    private static final String ADVANCE_JOB = """
            UPDATE jobs SET next_run_at = ?, last_enqueued_slot = GREATEST(COALESCE(last_enqueued_slot, ?), ?)
             WHERE id = ?
            """;

    /**
     * A run takes its job's priority (parameter 26: the job). A slot at or before its job's watermark is not written
     * (the last three parameters: slot key, job, slot). H2
     * takes ON CONFLICT only without a target; the ids are fresh UUIDs, so slot_key is the only key that can conflict.
     */
    private static final String ENQUEUE = """
            INSERT INTO executions (id, job_id, job_version, job_name, template_type, status, reason, attempt,
                                    retry_of, slot_key, scheduled_for, run_after, created_at, started_at,
                                    completed_at, duration_ms, dry_run, parameters, result, error, triggered_by,
                                    execution_host, heartbeat_at, cancel_requested, timeout_seconds, priority)
            SELECT ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?,
                   COALESCE((SELECT j.priority FROM jobs j WHERE j.id = ?), 5)
             WHERE CAST(? AS VARCHAR) IS NULL
                OR NOT EXISTS (SELECT 1 FROM jobs j WHERE j.id = ? AND j.last_enqueued_slot >= ?)
            ON CONFLICT DO NOTHING
            """;

    /**
     * The active runs of the jobs chosen by the placeholder that a new slot overlaps, as {@code overlapping}: not a
     * backfill's runs, nor their retries, which name the backfill only through their first attempt (retry_of). A retry
     * whose first attempt is gone (triggered_by null) counts.
     */
    private static final String OVERLAPPING = """
            WITH RECURSIVE attempt (id, job_id, triggered_by, retry_of) AS (
                SELECT id, job_id, triggered_by, retry_of FROM executions
                 WHERE %s AND status IN ('queued', 'running')
                UNION ALL
                SELECT a.id, a.job_id,
                       (SELECT e.triggered_by FROM executions e WHERE e.id = a.retry_of),
                       (SELECT e.retry_of FROM executions e WHERE e.id = a.retry_of)
                  FROM attempt a
                 WHERE a.triggered_by = 'retry' AND a.retry_of IS NOT NULL
            ), overlapping (id, job_id) AS (
                SELECT id, job_id FROM attempt
                 WHERE triggered_by IS NULL
                    OR (triggered_by NOT LIKE 'backfill:%%' AND (triggered_by <> 'retry' OR retry_of IS NULL))
            )
            """;

    private static final String OVERLAPPING_JOBS =
            OVERLAPPING.formatted("job_id IN (:job_ids)") + "SELECT DISTINCT job_id FROM overlapping";

    private static final String OVERLAPPING_RUNS_OF_JOB = OVERLAPPING.formatted("job_id = :job_id") + "SELECT "
            + ExecutionRows.COLUMNS
            // the job's active runs by their index (V44) first: the id list alone could be planned as a full scan
            + " FROM executions WHERE job_id = :job_id AND status IN ('queued', 'running')"
            + " AND id IN (SELECT id FROM overlapping)";

    private static final String LOCK_JOB = "SELECT id FROM jobs WHERE id = :id FOR UPDATE";

    private static final String CANCEL_QUEUED = """
            UPDATE executions
               SET status = 'cancelled', reason = :reason, completed_at = :now, cancel_requested = TRUE
             WHERE id = :id AND status = 'queued'
            """;

    private static final String FOLLOW_PRIORITY = """
            UPDATE executions SET priority = (SELECT priority FROM jobs WHERE id = :job_id)
             WHERE job_id = :job_id AND status = 'queued'
               AND priority <> (SELECT priority FROM jobs WHERE id = :job_id)
            """;

    private static final String CANCEL_QUEUED_OF_JOB = """
            UPDATE executions
               SET status = 'cancelled', reason = :reason, completed_at = :now, cancel_requested = TRUE
             WHERE job_id = :job_id AND status = 'queued'
            """;

    private static final String REQUEST_CANCEL =
            "UPDATE executions SET cancel_requested = TRUE, reason = :reason WHERE id = :id AND status = 'running'";

    /**
     * Whether a queued run that no node holds is due. The read stops at the first one due; before it, it passes over
     * the queued runs not yet due (retries waiting out their backoff), at most the queue, never the history.
     */
    private static final String QUEUED_DUE = """
            SELECT 1 FROM executions
             WHERE status = 'queued' AND execution_host IS NULL AND run_after <= ?
             LIMIT 1
            """;

    private static final String EARLIEST_QUEUED =
            "SELECT MIN(run_after) FROM executions WHERE status = 'queued' AND execution_host IS NULL";

    /** The same, passing over the runs of namespaces at their runs_at_once quota: they wait for a slot, not a time. */
    private static final String EARLIEST_QUEUED_OUTSIDE = """
            SELECT MIN(run_after) FROM executions e
             WHERE status = 'queued' AND execution_host IS NULL
               AND NOT EXISTS (SELECT 1 FROM jobs j WHERE j.id = e.job_id AND j.namespace IN (:full))
            """;

    /** The namespaces with a runs_at_once quota (issue #20), read for {@link #earliestQueued}. */
    private static final String QUOTAS =
            "SELECT name, quota_runs_at_once FROM namespaces WHERE quota_runs_at_once IS NOT NULL";

    /**
     * The same, locked for the claim's transaction, so two claims count one namespace's runs one after the other and
     * cannot both take its last slot. No quota, no row, no wait.
     */
    private static final String LOCK_QUOTAS = QUOTAS + " ORDER BY name FOR UPDATE";

    /** What holds a namespace's slot: a run running, or claimed ahead by a node (queued with a host). */
    private static final String HELD_IN_NAMESPACES = """
            SELECT j.namespace, COUNT(*) FROM executions e JOIN jobs j ON j.id = e.job_id
             WHERE (e.status = 'running' OR e.status = 'queued' AND e.execution_host IS NOT NULL)
               AND j.namespace IN (:namespaces)
             GROUP BY j.namespace
            """;

    /** A run handed back by a stopping node continues its log, so the claim reads its last line. */
    private static final String LOCK_QUEUED = """
            SELECT %s,
                   (SELECT MAX(l.seq) FROM execution_logs l WHERE l.execution_id = executions.id) AS last_log_seq
              FROM executions
             WHERE status = 'queued' AND run_after <= ? AND execution_host IS NULL
             ORDER BY priority DESC, run_after
             LIMIT ?
             FOR UPDATE SKIP LOCKED
            """.formatted(ExecutionRows.COLUMNS);

    /**
     * {@link #LOCK_QUEUED} when namespaces have a runs_at_once quota: each run's namespace is read, and the runs of
     * namespaces with no free slot are passed over; the rest is kept within each namespace's slots after the lock
     * ({@link RunsAtOnce#within}).
     */
    private static final String LOCK_QUEUED_WITHIN_QUOTAS = """
            SELECT %s,
                   (SELECT MAX(l.seq) FROM execution_logs l WHERE l.execution_id = executions.id) AS last_log_seq,
                   (SELECT j.namespace FROM jobs j WHERE j.id = executions.job_id) AS namespace
              FROM executions
             WHERE status = 'queued' AND run_after <= :now AND execution_host IS NULL
               AND NOT EXISTS (SELECT 1 FROM jobs j WHERE j.id = executions.job_id AND j.namespace IN (:full))
             ORDER BY priority DESC, run_after
             LIMIT :limit
             FOR UPDATE SKIP LOCKED
            """.formatted(ExecutionRows.COLUMNS);

    private static final String MARK_RUNNING = """
            UPDATE executions
               SET status = 'running', execution_host = ?, started_at = ?, heartbeat_at = ?
             WHERE id = ? AND status = 'queued'
            """;

    /** Claimed ahead: still queued, held by the node since {@code heartbeat_at}. */
    private static final String MARK_CLAIMED = """
            UPDATE executions SET execution_host = ?, heartbeat_at = ?
             WHERE id = ? AND status = 'queued'
            """;

    /** A run claimed ahead starts only while it is still queued on this node (not cancelled, not taken back). */
    private static final String START_CLAIMED = """
            UPDATE executions SET status = 'running', started_at = ?, heartbeat_at = ?
             WHERE id = ? AND status = 'queued' AND execution_host = ?
            """;

    /** Only the node that holds the run may finish it; after recovery took it over, this changes nothing. */
    private static final String COMPLETE = """
            UPDATE executions
               SET status = ?, reason = ?, completed_at = ?, duration_ms = ?, result = ?, error = ?
             WHERE id = ? AND status = 'running' AND execution_host = ?
            """;

    /** A late completion of an older run does not overwrite the outcome of a newer one. */
    private static final String RECORD_JOB_OUTCOME = """
            UPDATE jobs SET last_run_at = ?, last_status = ?
             WHERE id = ? AND (last_run_at IS NULL OR last_run_at <= ?)
            """;

    private static final String APPEND_LOG = """
            INSERT INTO execution_logs (execution_id, seq, logged_at, log_level, message)
            VALUES (?, ?, ?, ?, ?)
            """;

    private static final String APPEND_LINE_AFTER_LAST = """
            INSERT INTO execution_logs (execution_id, seq, logged_at, log_level, message)
            SELECT :execution, COALESCE(MAX(seq), 0) + 1, :at, :level, :message
              FROM execution_logs WHERE execution_id = :execution
            """;

    /** Rows being completed are skipped, not waited for: a heartbeat that waited could deadlock with the batch. */
    private static final String LOCK_RUNNING_ON = """
            SELECT id FROM executions
             WHERE execution_host = :node AND status = 'running'
             FOR UPDATE SKIP LOCKED
            """;

    private static final String HEARTBEAT_RUNS =
            "UPDATE executions SET heartbeat_at = :now WHERE id IN (:ids) AND status = 'running'";

    private static final String CANCEL_REQUESTED_ON = """
            SELECT id, reason FROM executions
             WHERE execution_host = :node AND status = 'running' AND cancel_requested = TRUE
            """;

    private static final String HELD_BY_CLAIMED_BEFORE = """
            SELECT id FROM executions
             WHERE execution_host = :node
               AND (status = 'running' AND started_at < :before OR status = 'queued' AND heartbeat_at < :before)
            """;

    private static final String HAND_BACK = """
            UPDATE executions
               SET status = 'queued', execution_host = NULL, started_at = NULL, heartbeat_at = NULL
             WHERE id IN (:ids) AND status IN ('running', 'queued') AND execution_host = :node
            """;

    /** Rows a live node is starting are skipped: they are its, and it starts them or hands them back itself. */
    private static final String LOCK_CLAIMED_OF_DEAD = """
            SELECT e.id FROM executions e
             WHERE e.status = 'queued' AND e.execution_host IS NOT NULL
               AND NOT EXISTS (SELECT 1 FROM nodes n WHERE n.id = e.execution_host AND n.heartbeat_at >= :dead_before)
             FOR UPDATE SKIP LOCKED
            """;

    private static final String RELEASE_CLAIMED = """
            UPDATE executions SET execution_host = NULL, heartbeat_at = NULL
             WHERE id IN (:ids) AND status = 'queued'
            """;

    private static final String LOCK_STARTED_BEFORE = """
            SELECT %s FROM executions e
             WHERE e.execution_host = :node AND e.status = 'running' AND e.started_at < :before
             ORDER BY e.started_at
             LIMIT :limit
             FOR UPDATE SKIP LOCKED
            """.formatted(ExecutionRows.COLUMNS);

    private static final String LOCK_LOST = """
            SELECT %s FROM executions e
             WHERE e.status = 'running'
               AND NOT EXISTS (SELECT 1 FROM nodes n WHERE n.id = e.execution_host AND n.heartbeat_at >= :dead_before)
             ORDER BY e.started_at
             LIMIT :limit
             FOR UPDATE SKIP LOCKED
            """.formatted(ExecutionRows.COLUMNS);

    private final JdbcClient jdbc;
    private final JdbcTemplate batch;
    private final JsonMapper json;
    private final QuotaPresence quotaPresence = new QuotaPresence();

    H2EngineStore(JdbcClient jdbc, JdbcTemplate batch, JsonMapper json) {
        this.jdbc = jdbc;
        this.batch = batch;
        this.json = json;
    }

    @Override
    public List<Job> claimDueJobs(Instant now, int limit) {
        return jdbc.sql(CLAIM_DUE_JOBS)
                .param("now", utc(now))
                .param("limit", limit)
                .query(JobRows.mapper(json))
                .list();
    }

    @Override
    public void advanceJobs(Collection<JobAdvance> advances) {
        batch.batchUpdate(ADVANCE_JOB, List.copyOf(advances), 500, (ps, a) -> {
            ps.setObject(1, utc(a.nextRun()));
            ps.setObject(2, utc(a.lastSlot()));
            ps.setObject(3, utc(a.lastSlot()));
            ps.setObject(4, a.job().value());
        });
    }

    @Override
    public List<Execution> enqueue(List<Execution> executions) {
        if (executions.isEmpty()) {
            return List.of();
        }
        int[][] counts = batch.batchUpdate(ENQUEUE, executions, 500, (ps, e) -> bindNew(ps, e));
        List<Execution> written = new ArrayList<>(executions.size());
        int i = 0;
        for (int[] chunk : counts) {
            for (int count : chunk) {
                // a driver may answer SUCCESS_NO_INFO (-2) for a row it wrote
                if (count != 0) {
                    written.add(executions.get(i));
                }
                i++;
            }
        }
        return written;
    }

    private void bindNew(PreparedStatement ps, Execution e) throws SQLException {
        ps.setObject(1, e.id().value());
        ps.setObject(2, e.jobId().value());
        ps.setLong(3, e.jobVersion());
        ps.setString(4, e.jobName());
        ps.setString(5, e.templateType());
        ps.setString(6, e.status().json());
        ps.setString(7, e.reason());
        ps.setInt(8, e.attempt());
        ps.setObject(9, e.retryOf() == null ? null : e.retryOf().value());
        ps.setString(10, e.slotKey());
        ps.setObject(11, utc(e.scheduledFor()));
        ps.setObject(12, utc(e.runAfter()));
        ps.setObject(13, utc(e.createdAt()));
        ps.setObject(14, utc(e.startedAt()));
        ps.setObject(15, utc(e.completedAt()));
        ps.setObject(16, e.durationMs(), Types.BIGINT);
        ps.setBoolean(17, e.dryRun());
        ps.setString(18, json.writeValueAsString(e.parameters()));
        ps.setString(19, e.result() == null ? null : json.writeValueAsString(e.result()));
        ps.setString(20, e.error());
        ps.setString(21, e.triggeredBy());
        ps.setString(22, e.executionHost());
        ps.setObject(23, utc(e.heartbeatAt()));
        ps.setBoolean(24, e.cancelRequested());
        ps.setObject(25, e.timeoutSeconds(), Types.INTEGER);
        ps.setObject(26, e.jobId().value());
        ps.setString(27, e.slotKey());
        ps.setObject(28, e.jobId().value());
        ps.setObject(29, utc(e.scheduledFor()));
    }

    @Override
    public Set<JobId> withOverlappingRuns(Collection<JobId> jobs) {
        if (jobs.isEmpty()) {
            return Set.of();
        }
        return new HashSet<>(jdbc.sql(OVERLAPPING_JOBS)
                .param("job_ids", jobs.stream().map(JobId::value).toList())
                .query((rs, n) -> new JobId(rs.getObject("job_id", UUID.class)))
                .list());
    }

    @Override
    public List<Execution> overlappingRunsOf(JobId job) {
        return jdbc.sql(OVERLAPPING_RUNS_OF_JOB)
                .param("job_id", job.value())
                .query(ExecutionRows.mapper(json))
                .list();
    }

    @Override
    public void lockJob(JobId job) {
        jdbc.sql(LOCK_JOB).param("id", job.value()).query(Object.class).list();
    }

    @Override
    public boolean cancelQueued(ExecutionId id, String reason, Instant now) {
        return jdbc.sql(CANCEL_QUEUED)
                        .param("id", id.value())
                        .param("reason", reason)
                        .param("now", utc(now))
                        .update()
                > 0;
    }

    @Override
    public int cancelQueuedOfJob(JobId job, String reason, Instant now) {
        return jdbc.sql(CANCEL_QUEUED_OF_JOB)
                .param("job_id", job.value())
                .param("reason", reason)
                .param("now", utc(now))
                .update();
    }

    @Override
    public int followPriority(JobId job) {
        return jdbc.sql(FOLLOW_PRIORITY).param("job_id", job.value()).update();
    }

    @Override
    public boolean requestCancel(ExecutionId id, String reason) {
        return jdbc.sql(REQUEST_CANCEL)
                        .param("id", id.value())
                        .param("reason", reason)
                        .update()
                > 0;
    }

    @Override
    public Optional<Instant> earliestQueued() {
        Set<String> full = runsAtOnce(QUOTAS).full();
        // MIN over no rows is one NULL row, which single() refuses as a value
        return (full.isEmpty()
                        ? jdbc.sql(EARLIEST_QUEUED)
                        : jdbc.sql(EARLIEST_QUEUED_OUTSIDE).param("full", full))
                .query((rs, n) -> Optional.ofNullable(instant(rs, 1)))
                .single();
    }

    /**
     * Where the namespaces with a runs_at_once quota stand, read with {@link #QUOTAS} or {@link #LOCK_QUOTAS}; not
     * read while none has one ({@link QuotaPresence}).
     */
    private RunsAtOnce runsAtOnce(String quotasStatement) {
        return quotaPresence.read(() -> RunsAtOnce.read(jdbc, quotasStatement, HELD_IN_NAMESPACES, names -> names));
    }

    @Override
    public void namespacesChanged() {
        quotaPresence.forget();
    }

    @Override
    public boolean mayStartAsWritten(Instant now) {
        return runsAtOnce(QUOTAS).none()
                && jdbc.sql(QUEUED_DUE).params(utc(now)).query().listOfRows().isEmpty();
    }

    @Override
    public boolean runQuotasInUse() {
        return !quotaPresence.noneSeen();
    }

    /** A list bound as {@code IN (…)}, which may not be empty: a namespace is never named by the empty string. */
    private static Collection<String> inList(Set<String> names) {
        return names.isEmpty() ? List.of("") : names;
    }

    @Override
    public List<Claimed> claimRuns(String node, Instant now, int start, int ahead) {
        if (start + ahead <= 0) {
            return List.of();
        }
        RunsAtOnce quotas = runsAtOnce(LOCK_QUOTAS);
        List<Claimed> locked;
        if (quotas.none()) {
            locked = jdbc.sql(LOCK_QUEUED)
                    .params(utc(now), start + ahead)
                    .query((rs, n) -> new Claimed(ExecutionRows.map(rs, json), rs.getInt("last_log_seq")))
                    .list();
        } else {
            List<String> namespaces = new ArrayList<>();
            List<Claimed> due = jdbc.sql(LOCK_QUEUED_WITHIN_QUOTAS)
                    .param("now", utc(now))
                    .param("full", inList(quotas.full()))
                    .param("limit", start + ahead)
                    .query((rs, n) -> {
                        namespaces.add(rs.getString("namespace"));
                        return new Claimed(ExecutionRows.map(rs, json), rs.getInt("last_log_seq"));
                    })
                    .list();
            locked = quotas.within(due, namespaces);
        }
        if (locked.isEmpty()) {
            return List.of();
        }
        // what the database keeps, so the runs handed back are the rows as written
        Instant startedAt = now.truncatedTo(ChronoUnit.MICROS);
        List<Claimed> starting = locked.subList(0, Math.min(start, locked.size()));
        List<Claimed> buffered = locked.subList(starting.size(), locked.size());
        List<Claimed> claimed = new ArrayList<>(locked.size());
        if (!starting.isEmpty()) {
            int[][] counts = batch.batchUpdate(MARK_RUNNING, starting, starting.size(), (ps, c) -> {
                ps.setString(1, node);
                ps.setObject(2, utc(startedAt));
                ps.setObject(3, utc(startedAt));
                ps.setObject(4, c.execution().id().value());
            });
            for (int i = 0; i < starting.size(); i++) {
                if (counts[0][i] != 0) { // one chunk: the batch size is the whole list
                    Claimed lock = starting.get(i);
                    claimed.add(new Claimed(lock.execution().startedOn(node, startedAt), lock.lastLogSeq()));
                }
            }
        }
        if (!buffered.isEmpty()) {
            int[][] counts = batch.batchUpdate(MARK_CLAIMED, buffered, buffered.size(), (ps, c) -> {
                ps.setString(1, node);
                ps.setObject(2, utc(startedAt));
                ps.setObject(3, c.execution().id().value());
            });
            for (int i = 0; i < buffered.size(); i++) {
                if (counts[0][i] != 0) {
                    claimed.add(buffered.get(i));
                }
            }
        }
        return claimed;
    }

    @Override
    public Set<ExecutionId> startClaimed(String node, Collection<ExecutionId> runs, Instant now) {
        if (runs.isEmpty()) {
            return Set.of();
        }
        Instant startedAt = now.truncatedTo(ChronoUnit.MICROS);
        List<ExecutionId> ids = List.copyOf(runs);
        int[][] counts = batch.batchUpdate(START_CLAIMED, ids, ids.size(), (ps, id) -> {
            ps.setObject(1, utc(startedAt));
            ps.setObject(2, utc(startedAt));
            ps.setObject(3, id.value());
            ps.setString(4, node);
        });
        Set<ExecutionId> started = new HashSet<>();
        for (int i = 0; i < ids.size(); i++) {
            if (counts[0][i] != 0) {
                started.add(ids.get(i));
            }
        }
        return started;
    }

    @Override
    public Set<ExecutionId> complete(List<Completion> unordered) {
        // one lock order for every writer of several rows, so two batches cannot deadlock on each other
        List<Completion> completions = unordered.stream()
                .sorted(Comparator.comparing(c -> c.id().value()))
                .toList();
        int[][] counts = batch.batchUpdate(COMPLETE, completions, 500, (ps, c) -> {
            ps.setString(1, ExecutionStatus.RUNNING.moveTo(c.status()).json());
            ps.setString(2, c.reason());
            ps.setObject(3, utc(c.completedAt()));
            ps.setLong(4, c.durationMs());
            ps.setString(5, c.result() == null ? null : json.writeValueAsString(c.result()));
            ps.setString(6, c.error());
            ps.setObject(7, c.id().value());
            ps.setString(8, c.node());
        });
        Set<ExecutionId> accepted = new HashSet<>();
        int i = 0;
        for (int[] chunk : counts) {
            for (int count : chunk) {
                if (count != 0) {
                    accepted.add(completions.get(i).id());
                }
                i++;
            }
        }
        return accepted;
    }

    @Override
    public void recordJobOutcomes(List<JobOutcome> unordered) {
        // one lock order for every batch, so two nodes writing outcomes of the same jobs cannot deadlock
        List<JobOutcome> outcomes = unordered.stream()
                .sorted(Comparator.comparing(o -> o.job().value()))
                .toList();
        batch.batchUpdate(RECORD_JOB_OUTCOME, outcomes, 500, (ps, o) -> {
            ps.setObject(1, utc(o.ranAt()));
            ps.setString(2, o.status());
            ps.setObject(3, o.job().value());
            ps.setObject(4, utc(o.ranAt()));
        });
    }

    @Override
    public void appendLogs(List<PendingLine> lines) {
        batch.batchUpdate(APPEND_LOG, lines, 1000, (ps, l) -> {
            ps.setObject(1, l.execution().value());
            ps.setInt(2, l.line().seq());
            ps.setObject(3, utc(l.line().timestamp()));
            ps.setString(4, l.line().level());
            ps.setString(5, l.line().message());
        });
    }

    @Override
    public void appendLine(ExecutionId execution, Instant at, String level, String message) {
        jdbc.sql(APPEND_LINE_AFTER_LAST)
                .param("execution", execution.value())
                .param("at", utc(at))
                .param("level", level)
                .param("message", message)
                .update();
    }

    @Override
    public void heartbeat(String node, Instant now) {
        List<UUID> ids = jdbc.sql(LOCK_RUNNING_ON)
                .param("node", node)
                .query((rs, n) -> rs.getObject("id", UUID.class))
                .list();
        if (!ids.isEmpty()) {
            jdbc.sql(HEARTBEAT_RUNS).param("ids", ids).param("now", utc(now)).update();
        }
    }

    @Override
    public List<CancelRequest> cancelRequestedOn(String node) {
        return jdbc.sql(CANCEL_REQUESTED_ON)
                .param("node", node)
                .query((rs, n) ->
                        new CancelRequest(new ExecutionId(rs.getObject("id", UUID.class)), rs.getString("reason")))
                .list();
    }

    @Override
    public List<ExecutionId> heldBy(String node, Instant claimedBefore) {
        return jdbc.sql(HELD_BY_CLAIMED_BEFORE)
                .param("node", node)
                .param("before", utc(claimedBefore))
                .query((rs, n) -> new ExecutionId(rs.getObject("id", UUID.class)))
                .list();
    }

    @Override
    public int handBack(String node, Collection<ExecutionId> runs) {
        if (runs.isEmpty()) {
            return 0;
        }
        return jdbc.sql(HAND_BACK)
                .param("ids", runs.stream().map(ExecutionId::value).toList())
                .param("node", node)
                .update();
    }

    @Override
    public int releaseClaimedOfDeadNodes(Instant deadBefore) {
        List<UUID> ids = jdbc.sql(LOCK_CLAIMED_OF_DEAD)
                .param("dead_before", utc(deadBefore))
                .query((rs, n) -> rs.getObject(1, UUID.class))
                .list();
        return ids.isEmpty() ? 0 : jdbc.sql(RELEASE_CLAIMED).param("ids", ids).update();
    }

    @Override
    public List<Execution> lockStartedBefore(String node, Instant startedBefore, int limit) {
        return jdbc.sql(LOCK_STARTED_BEFORE)
                .param("node", node)
                .param("before", utc(startedBefore))
                .param("limit", limit)
                .query(ExecutionRows.mapper(json))
                .list();
    }

    @Override
    public List<Execution> lockLost(Instant deadBefore, int limit) {
        return jdbc.sql(LOCK_LOST)
                .param("dead_before", utc(deadBefore))
                .param("limit", limit)
                .query(ExecutionRows.mapper(json))
                .list();
    }
}
