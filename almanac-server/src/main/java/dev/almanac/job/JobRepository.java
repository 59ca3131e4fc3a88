package dev.almanac.job;

import static dev.almanac.common.JdbcTime.instant;
import static dev.almanac.common.JdbcTime.utc;

import dev.almanac.job.JobRequest.NotificationsJson;
import dev.almanac.schedule.ScheduleSpec;
import dev.almanac.script.ScriptUsers;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.function.LongSupplier;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;
import tools.jackson.databind.json.JsonMapper;

/** Jobs, their tags and their dependencies in the database. The store never reads the clock. */
@Repository
class JobRepository {

    private static final String COLUMNS = JobRows.COLUMNS;

    /**
     * A job's tags and upstream jobs as arrays in its own row, and whether it has triggers (a job has a trigger mode
     * row exactly when it has triggers: {@link TriggerStore#write} writes both or neither); the statement joins
     * {@link #CHAINED}. PostgreSQL sets up every sub-query of a kept plan at each execution, needed or not, so the
     * trigger lists are read only for the jobs that have them, in {@link #FIND_CHAINED_BY_ID}.
     */
    private static final String RELATIONS = """
            , ARRAY(SELECT t.tag FROM job_tags t WHERE t.job_id = j.id ORDER BY t.tag) AS tag_list,
            ARRAY(SELECT d.depends_on FROM job_dependencies d WHERE d.job_id = j.id ORDER BY d.depends_on)
              AS dependency_list,
            m.job_id AS chained_job
            """;

    /**
     * {@link #RELATIONS}, then the job's triggers: each field as an array in trigger order, and their mode. An upstream
     * in another namespace than the job's is named namespace/name, as the job names it.
     */
    private static final String RELATIONS_AND_TRIGGERS = RELATIONS
            + triggerList("t.upstream_id", "trigger_upstreams")
            + triggerList(
                    "CASE WHEN u.namespace = j.namespace THEN u.name ELSE u.namespace || '/' || u.name END",
                    "trigger_names")
            + triggerList("t.on_outcome", "trigger_outcomes")
            + triggerList("t.condition_expr", "trigger_conditions")
            + """
            , m.trigger_mode AS trigger_mode,
            m.window_seconds AS trigger_window
            """;

    /** One field of a job's triggers as an array in trigger order, read only for a job with a trigger mode row. */
    private static String triggerList(String field, String column) {
        return """
                , CASE WHEN m.job_id IS NOT NULL THEN
                  ARRAY(SELECT %s FROM job_triggers t JOIN jobs u ON u.id = t.upstream_id
                         WHERE t.job_id = j.id ORDER BY t.ordinal) END AS %s
                """.formatted(field, column);
    }

    /** The join that tells whether a job has triggers (and reads their mode), after {@code FROM jobs j}. */
    private static final String CHAINED = " LEFT JOIN job_trigger_modes m ON m.job_id = j.id";

    /** Jobs with their tags and upstream jobs, and whether they have triggers: every read of whole jobs, filtered. */
    private static final String JOBS_WITH_RELATIONS = "SELECT " + COLUMNS + RELATIONS + " FROM jobs j" + CHAINED;

    private static final String FIND_BY_ID = JOBS_WITH_RELATIONS + " WHERE j.id = :id";

    private static final String FIND_ALL_BY_ID = JOBS_WITH_RELATIONS + " WHERE j.id IN (:ids)";

    private static final String FIND_BY_NAME =
            JOBS_WITH_RELATIONS + " WHERE j.namespace = :namespace AND j.name = :name";

    private static final String FIND_ALL_BY_NAME = JOBS_WITH_RELATIONS + " WHERE j.name = :name ORDER BY j.namespace";

    /** Chained jobs read again whole, triggers included, so that a job and its triggers come from one snapshot. */
    private static final String FIND_CHAINED_BY_ID =
            "SELECT " + COLUMNS + RELATIONS_AND_TRIGGERS + " FROM jobs j" + CHAINED + " WHERE j.id IN (:ids)";

    private static final String INSERT_JOB = """
            INSERT INTO jobs (id, name, description, template_type, parameters, schedule_type, cron_expression,
                              interval_seconds, run_at, timezone, enabled, priority, timeout_seconds, max_retries,
                              retry_delay_seconds, backoff_multiplier, concurrency_policy, misfire_policy,
                              catch_up_window_seconds, notifications, alert_after_seconds, created_by,
                              created_at, updated_at, last_run_at, last_status, next_run_at, version, calendars,
                              namespace, expected_duration_seconds, keep_runs, keep_days, template_version,
                              invalid_reason)
            VALUES (:id, :name, :description, :template_type, :parameters, :schedule_type, :cron_expression,
                    :interval_seconds, :run_at, :timezone, :enabled, :priority, :timeout_seconds, :max_retries,
                    :retry_delay_seconds, :backoff_multiplier, :concurrency_policy, :misfire_policy,
                    :catch_up_window_seconds, :notifications, :alert_after_seconds, :created_by,
                    :created_at, :updated_at, :last_run_at, :last_status, :next_run_at, :version, :calendars,
                    :namespace, :expected_duration_seconds, :keep_runs, :keep_days, :template_version,
                    :invalid_reason)
            """;

    /** Optimistic locking: the row is only written when nobody else wrote it since it was read. */
    private static final String UPDATE_DEFINITION = """
            UPDATE jobs
               SET name = :name, description = :description, template_type = :template_type,
                   parameters = :parameters, schedule_type = :schedule_type, cron_expression = :cron_expression,
                   interval_seconds = :interval_seconds, run_at = :run_at, timezone = :timezone,
                   enabled = :enabled, priority = :priority, timeout_seconds = :timeout_seconds, max_retries = :max_retries,
                   retry_delay_seconds = :retry_delay_seconds, backoff_multiplier = :backoff_multiplier,
                   concurrency_policy = :concurrency_policy, misfire_policy = :misfire_policy,
                   catch_up_window_seconds = :catch_up_window_seconds, notifications = :notifications,
                   alert_after_seconds = :alert_after_seconds, updated_at = :updated_at,
                   next_run_at = CASE WHEN :keep_next_run THEN next_run_at ELSE :next_run_at END,
                   version = :version, calendars = :calendars,
                   namespace = :namespace, expected_duration_seconds = :expected_duration_seconds,
                   keep_runs = :keep_runs, keep_days = :keep_days
             WHERE id = :id AND version = :expected_version
            """;

    private static final String PAUSE_JOB = """
            UPDATE jobs SET paused_at = :since, paused_until = :until, pause_reason = :reason WHERE id = :id
            """;

    /** A pause whose time passed lifts; one set again since (a later until) stays. */
    private static final String LIFT_PAUSES = """
            UPDATE jobs SET paused_at = NULL, paused_until = NULL, pause_reason = NULL
             WHERE id IN (:ids) AND paused_until <= :now
            """;

    private static final String JOBS_USING_CALENDAR =
            "SELECT name, namespace, calendars FROM jobs WHERE calendars LIKE :pattern ORDER BY name";

    /** The jobs of the script template whose parameters may name a script; the JSON is checked after the read. */
    private static final String JOBS_RUNNING_SCRIPT = """
            SELECT id, name, namespace, parameters FROM jobs
            WHERE template_type = 'script' AND parameters LIKE :pattern ORDER BY name
            """;

    private static final String EARLIEST_DUE = "SELECT MIN(next_run_at) FROM jobs WHERE enabled = TRUE";

    private static final String DEPENDENT_JOBS = "SELECT " + COLUMNS + RELATIONS
            + " FROM jobs j JOIN job_dependencies dep ON dep.job_id = j.id" + CHAINED
            + " WHERE dep.depends_on = :id ORDER BY j.name";

    private static final String DOWNSTREAM_OF_ANY =
            "SELECT depends_on, job_id FROM job_dependencies WHERE depends_on IN (:ids)"
                    + " UNION SELECT upstream_id, job_id FROM job_triggers WHERE upstream_id IN (:ids)";

    private static final String PARAMETERS_AFTER = """
            SELECT id, template_type, parameters, template_version, invalid_reason, version FROM jobs
             WHERE id > :after ORDER BY id LIMIT :limit
            """;
    private static final String MARK_VALIDATED =
            "UPDATE jobs SET template_version = :template_version, invalid_reason = NULL WHERE id = :id";
    /**
     * The template check's flags are written only where the job is as the check read it: the same version, and the
     * same flags (a save that changes nothing clears a flag without a new version).
     */
    private static final String AS_READ = " AND version = :version"
            + " AND invalid_reason IS NOT DISTINCT FROM CAST(:read_reason AS VARCHAR(2000))"
            + " AND template_version IS NOT DISTINCT FROM CAST(:read_template_version AS VARCHAR(32))";

    private static final String MARK_VALIDATED_AS_READ = MARK_VALIDATED + AS_READ;
    private static final String MARK_INVALID_AS_READ =
            "UPDATE jobs SET invalid_reason = :reason WHERE id = :id" + AS_READ;

    private static final String DELETE_JOB = "DELETE FROM jobs WHERE id = :id";
    private static final String NAME_TAKEN =
            "SELECT COUNT(*) FROM jobs WHERE namespace = :namespace AND name = :name AND id <> :id";
    private static final String INSERT_TAG = "INSERT INTO job_tags (job_id, tag) VALUES (:job_id, :tag)";
    private static final String DELETE_TAGS = "DELETE FROM job_tags WHERE job_id = :job_id";
    private static final String DEPENDENCIES_OF =
            "SELECT job_id, depends_on FROM job_dependencies WHERE job_id IN (:ids) ORDER BY depends_on";
    private static final String INSERT_DEPENDENCY =
            "INSERT INTO job_dependencies (job_id, depends_on) VALUES (:job_id, :depends_on)";
    private static final String DELETE_DEPENDENCIES = "DELETE FROM job_dependencies WHERE job_id = :job_id";
    private static final String DEPENDENTS_OF = """
            SELECT j.id, j.name FROM job_dependencies d JOIN jobs j ON j.id = d.job_id
             WHERE d.depends_on = :id ORDER BY j.name
            """;

    private static final tools.jackson.core.type.TypeReference<Map<String, Object>> JSON_OBJECT =
            new tools.jackson.core.type.TypeReference<>() {};

    private final JdbcClient jdbc;
    private final JsonMapper json;
    private final TriggerStore triggers;
    private final JobTotals totals;
    private final JobCache cache;

    JobRepository(JdbcClient jdbc, JsonMapper json, TriggerStore triggers, JobTotals totals, JobCache cache) {
        this.jdbc = jdbc;
        this.json = json;
        this.triggers = triggers;
        this.totals = totals;
        this.cache = cache;
    }

    Optional<Job> find(JobId id) {
        return withTriggersOfChained(jdbc.sql(FIND_BY_ID)
                        .param("id", id.value())
                        .query(this::mapRowWithRelations)
                        .list())
                .stream()
                .findFirst();
    }

    /** The job to show, from the {@link JobCache} outside a transaction when a read of it is kept there. */
    Optional<Job> findToShow(JobId id) {
        return cache.read(id, () -> find(id));
    }

    /** The job of this name in {@code namespace}: names are unique per namespace. */
    Optional<Job> findByName(String namespace, String name) {
        return withTriggersOfChained(jdbc.sql(FIND_BY_NAME)
                        .param("namespace", namespace)
                        .param("name", name)
                        .query(this::mapRowWithRelations)
                        .list())
                .stream()
                .findFirst();
    }

    /** The jobs of this name in every namespace. */
    List<Job> findAllByName(String name) {
        return withTriggersOfChained(jdbc.sql(FIND_ALL_BY_NAME)
                .param("name", name)
                .query(this::mapRowWithRelations)
                .list());
    }

    JobPage list(JobQuery query) {
        StringBuilder where = new StringBuilder(" WHERE 1 = 1");
        Map<String, Object> params = new HashMap<>();
        if (query.templateType() != null) {
            where.append(" AND j.template_type = :template_type");
            params.put("template_type", query.templateType());
        }
        if (query.enabled() != null) {
            where.append(" AND j.enabled = :enabled");
            params.put("enabled", query.enabled());
        }
        if (query.lastStatus() != null) {
            where.append(" AND j.last_status = :last_status");
            params.put("last_status", query.lastStatus());
        }
        if (query.search() != null) {
            where.append(
                    " AND (LOWER(j.name) LIKE :search ESCAPE '\\' OR LOWER(j.description) LIKE :search ESCAPE '\\')");
            params.put("search", "%" + escapeLike(query.search().toLowerCase(java.util.Locale.ROOT)) + "%");
        }
        if (query.invalid() != null) {
            where.append(query.invalid() ? " AND j.invalid_reason IS NOT NULL" : " AND j.invalid_reason IS NULL");
        }
        if (query.paused() != null) {
            where.append(
                    " AND ((j.paused_at IS NOT NULL AND (j.paused_until IS NULL OR j.paused_until > :paused_now))");
            params.put(
                    "paused_now", dev.almanac.common.JdbcTime.utc(query.paused().now()));
            if (!query.paused().namespaces().isEmpty()) {
                where.append(" OR j.namespace IN (:paused_namespaces)");
                params.put("paused_namespaces", query.paused().namespaces());
            }
            where.append(")");
        }
        if (query.namespaces() != null) {
            if (query.namespaces().isEmpty()) {
                where.append(" AND 1 = 0");
            } else {
                where.append(" AND j.namespace IN (:namespaces)");
                params.put("namespaces", query.namespaces());
            }
        }
        if (query.tag() != null) {
            where.append(" AND EXISTS (SELECT 1 FROM job_tags t WHERE t.job_id = j.id AND t.tag = :tag)");
            params.put("tag", query.tag());
        }
        Map<String, Object> pageParams = new HashMap<>(params);
        pageParams.put("limit", query.limit());
        pageParams.put("offset", query.offset());
        // the page's ids first, so that the relations' subqueries run for the page's rows only, not for every row an
        // offset skips
        String pageIds = "SELECT j.id FROM jobs j" + where + " ORDER BY " + query.sort().orderBy
                + " LIMIT :limit OFFSET :offset";
        List<Job> rows = params.isEmpty() && query.invalid() == null
                ? findAllInOrder(jdbc.sql(pageIds)
                        .params(pageParams)
                        .query((rs, n) -> rs.getObject(1, UUID.class))
                        .list())
                : withTriggersOfChained(jdbc.sql("SELECT " + COLUMNS + RELATIONS + " FROM jobs j JOIN (" + pageIds
                                + ") p ON p.id = j.id" + CHAINED + " ORDER BY " + query.sort().orderBy)
                        .params(pageParams)
                        .query(this::mapRowWithRelations)
                        .list());
        // a page that is not full is the last one, and says the total: a search matching a few jobs scans them once
        boolean last = rows.size() < query.limit() && (!rows.isEmpty() || query.offset() == 0);
        long total = last ? query.offset() + rows.size() : total(query, where.toString(), params);
        return new JobPage(rows, total, query.page(), query.limit());
    }

    /**
     * The jobs of these ids, with their relations, in the order of {@code ids}; a job deleted meanwhile is left out.
     *
     * <p>The unfiltered list reads its page this way, in two statements: PostgreSQL planned the one statement with the
     * limit and offset in it afresh at every call (1.3 ms of a 2.5 ms list at 100 000 jobs), while this one, with the
     * relations' look-ups, is planned once per connection and kept. A filtered list stays one statement planned for its
     * values: a kept plan of its ids would be made for no value in particular, and for a rare one (a name search, a
     * small namespace) it can walk the whole name index (a search of 100 000 jobs: 158 ms against 104).
     */
    private List<Job> findAllInOrder(List<UUID> ids) {
        if (ids.isEmpty()) {
            return List.of();
        }
        Map<UUID, Job> byId = new HashMap<>();
        withTriggersOfChained(jdbc.sql(FIND_ALL_BY_ID)
                        .param("ids", ids)
                        .query(this::mapRowWithRelations)
                        .list())
                .forEach(job -> byId.put(job.id().value(), job));
        return ids.stream().map(byId::get).filter(Objects::nonNull).toList();
    }

    private long total(JobQuery query, String where, Map<String, Object> params) {
        LongSupplier count = () -> jdbc.sql("SELECT COUNT(*) FROM jobs j" + where)
                .params(params)
                .query(Long.class)
                .single();
        if (query.lastStatus() != null) {
            return count.getAsLong();
        }
        boolean byNamespaceOnly = query.templateType() == null
                && query.enabled() == null
                && query.search() == null
                && query.invalid() == null
                && query.paused() == null
                && query.tag() == null;
        Object key = byNamespaceOnly
                ? new JobTotals.Scope(query.namespaces() == null ? null : Set.copyOf(query.namespaces()))
                : List.of(where, Map.copyOf(params));
        return totals.total(key, count);
    }

    JobService.Counts counts() {
        return jdbc.sql("SELECT COUNT(*), COALESCE(SUM(CASE WHEN enabled THEN 1 ELSE 0 END), 0) FROM jobs")
                .query((rs, n) -> new JobService.Counts(rs.getLong(1), rs.getLong(2)))
                .single();
    }

    /** The same counts, of the jobs in {@code namespaces} only (not empty). */
    JobService.Counts counts(java.util.Set<String> namespaces) {
        return jdbc.sql("SELECT COUNT(*), COALESCE(SUM(CASE WHEN enabled THEN 1 ELSE 0 END), 0) FROM jobs"
                        + " WHERE namespace IN (:namespaces)")
                .param("namespaces", namespaces)
                .query((rs, n) -> new JobService.Counts(rs.getLong(1), rs.getLong(2)))
                .single();
    }

    /** Stops counting at {@code atMost}: an actor with thousands of jobs costs no more than the quota. */
    long countCreatedBy(String actor, int atMost) {
        return jdbc.sql("SELECT COUNT(*) FROM (SELECT 1 FROM jobs WHERE created_by = :actor LIMIT :at_most) mine")
                .param("actor", actor)
                .param("at_most", atMost)
                .query(Long.class)
                .single();
    }

    /**
     * The jobs Almanac seeded at its first start (created by {@code system}, named {@code system-…}; a jobs file's jobs
     * are created by {@code system} too), counted up to {@code atMost}.
     */
    long countSeeded(int atMost) {
        return jdbc.sql("SELECT COUNT(*) FROM (SELECT 1 FROM jobs WHERE created_by = 'system' AND name LIKE 'system-%'"
                        + " LIMIT :at_most) seeded")
                .param("at_most", atMost)
                .query(Long.class)
                .single();
    }

    /** Stops counting at {@code atMost}: what a namespace's job quota and its deletion check count. */
    long countInNamespace(String namespace, long atMost) {
        return jdbc.sql("SELECT COUNT(*) FROM (SELECT 1 FROM jobs WHERE namespace = :namespace LIMIT :at_most) theirs")
                .param("namespace", namespace)
                .param("at_most", atMost)
                .query(Long.class)
                .single();
    }

    /** The namespace of a job, without reading the rest of it. */
    Optional<String> namespaceOf(JobId id) {
        return jdbc.sql("SELECT namespace FROM jobs WHERE id = :id")
                .param("id", id.value())
                .query(String.class)
                .optional();
    }

    Map<JobId, String> namespacesOf(Collection<JobId> ids) {
        Map<JobId, String> namespaces = new HashMap<>();
        List<UUID> distinct = ids.stream().map(JobId::value).distinct().toList();
        for (int from = 0; from < distinct.size(); from += 500) {
            jdbc.sql("SELECT id, namespace FROM jobs WHERE id IN (:ids)")
                    .param("ids", distinct.subList(from, Math.min(distinct.size(), from + 500)))
                    .query((rs, n) ->
                            namespaces.put(new JobId(rs.getObject("id", UUID.class)), rs.getString("namespace")))
                    .list();
        }
        return namespaces;
    }

    boolean nameTaken(String namespace, String name, JobId except) {
        return jdbc.sql(NAME_TAKEN)
                        .param("namespace", namespace)
                        .param("name", name)
                        .param("id", except == null ? new UUID(0, 0) : except.value())
                        .query(Long.class)
                        .single()
                > 0;
    }

    /** The direct upstream jobs of each of {@code ids}. */
    Map<JobId, List<JobId>> dependenciesOf(Collection<JobId> ids) {
        Map<JobId, List<JobId>> result = new HashMap<>();
        if (ids.isEmpty()) {
            return result;
        }
        jdbc.sql(DEPENDENCIES_OF)
                .param("ids", ids.stream().map(JobId::value).toList())
                .query(rs -> {
                    result.computeIfAbsent(new JobId(rs.getObject("job_id", UUID.class)), k -> new ArrayList<>())
                            .add(new JobId(rs.getObject("depends_on", UUID.class)));
                });
        return result;
    }

    /** The jobs that depend directly on {@code id}, by name. */
    Map<JobId, String> dependentsOf(JobId id) {
        Map<JobId, String> result = new LinkedHashMap<>();
        jdbc.sql(DEPENDENTS_OF).param("id", id.value()).query(rs -> {
            result.put(new JobId(rs.getObject("id", UUID.class)), rs.getString("name"));
        });
        triggers.triggeredBy(id).forEach(result::putIfAbsent);
        return result;
    }

    void insert(Job job) {
        jdbc.sql(INSERT_JOB)
                .params(columns(job))
                .param("created_by", job.createdBy())
                .param("created_at", utc(job.createdAt()))
                .param("last_run_at", utc(job.lastRunAt()))
                .param("last_status", job.lastStatus())
                .param("template_version", job.templateVersion())
                .param("invalid_reason", job.invalidReason())
                .update();
        writeRelations(job, false);
        // nothing to evict: no node kept a job that did not exist
        totals.inserted(job.definition().namespace());
    }

    /**
     * Writes a new definition of a job read at {@code expectedVersion}; false when it changed meanwhile. With
     * {@code keepNextRun} the stored next run stays as the engine last set it; {@code renamed}: its name or namespace
     * changed.
     */
    boolean update(Job job, long expectedVersion, boolean keepNextRun, boolean renamed) {
        int updated = jdbc.sql(UPDATE_DEFINITION)
                .params(columns(job))
                .param("expected_version", expectedVersion)
                .param("keep_next_run", keepNextRun)
                .update();
        if (updated == 0) {
            return false;
        }
        writeRelations(job, true);
        totals.updated();
        if (renamed) {
            cache.writtenAll(); // its name shows in the triggers of the jobs it triggers
        } else {
            cache.written(job.id());
        }
        return true;
    }

    Optional<Instant> earliestDue() {
        // MIN over no rows is one NULL row, which single() refuses as a value
        return jdbc.sql(EARLIEST_DUE)
                .query((rs, n) -> Optional.ofNullable(instant(rs, 1)))
                .single();
    }

    Map<JobId, Set<JobId>> downstreamOf(Collection<JobId> ids) {
        if (ids.isEmpty()) {
            return Map.of();
        }
        Map<JobId, Set<JobId>> downstream = new HashMap<>();
        jdbc.sql(DOWNSTREAM_OF_ANY)
                .param("ids", ids.stream().map(JobId::value).distinct().toList())
                .query(rs -> {
                    downstream
                            .computeIfAbsent(new JobId(rs.getObject(1, UUID.class)), k -> new HashSet<>())
                            .add(new JobId(rs.getObject(2, UUID.class)));
                });
        return downstream;
    }

    List<Job> dependents(JobId id) {
        return withTriggersOfChained(jdbc.sql(DEPENDENT_JOBS)
                .param("id", id.value())
                .query(this::mapRowWithRelations)
                .list());
    }

    boolean delete(JobId id) {
        boolean removed = jdbc.sql(DELETE_JOB).param("id", id.value()).update() > 0;
        totals.deleted(removed);
        if (removed) {
            cache.writtenAll();
        }
        return removed;
    }

    /** Pauses a job (a null pause resumes it); false when there is no such job. */
    boolean pause(JobId id, JobPause pause) {
        boolean paused = jdbc.sql(PAUSE_JOB)
                        .param("id", id.value())
                        .param("since", pause == null ? null : utc(pause.since()))
                        .param("until", pause == null ? null : utc(pause.until()))
                        .param("reason", pause == null ? null : pause.reason())
                        .update()
                > 0;
        cache.written(id);
        return paused;
    }

    /** Lifts the pauses of {@code ids} whose time is up at {@code now}. */
    int liftPauses(Collection<JobId> ids, Instant now) {
        if (ids.isEmpty()) {
            return 0;
        }
        int lifted = jdbc.sql(LIFT_PAUSES)
                .param("ids", ids.stream().map(JobId::value).toList())
                .param("now", utc(now))
                .update();
        cache.written(ids);
        return lifted;
    }

    /**
     * The names of the jobs that list {@code calendar}, as blackout or only: of any namespace for a global calendar
     * ({@code namespace} null), else of that namespace.
     */
    List<String> jobsUsing(String namespace, String calendar) {
        List<String> names = new ArrayList<>();
        jdbc.sql(JOBS_USING_CALENDAR).param("pattern", "%" + calendar + "%").query(rs -> {
            if ((namespace == null || namespace.equals(rs.getString("namespace")))
                    && JobRows.calendars(rs.getString("calendars"), json).uses(calendar)) {
                names.add(rs.getString("name"));
            }
        });
        return names;
    }

    /** The jobs of the script template whose parameters name {@code script}, by name. */
    List<ScriptUsers.Use> jobsRunningScript(String script) {
        List<ScriptUsers.Use> uses = new ArrayList<>();
        jdbc.sql(JOBS_RUNNING_SCRIPT).param("pattern", "%" + script + "%").query(rs -> {
            Map<?, ?> parameters = json.readValue(rs.getString("parameters"), Map.class);
            if (script.equals(parameters.get("script"))) {
                Object version = parameters.get("version");
                Integer pinned = version instanceof Number number
                        ? Integer.valueOf(number.intValue())
                        : version instanceof String text && text.matches("[1-9][0-9]{0,8}")
                                ? Integer.valueOf(text)
                                : null;
                uses.add(new ScriptUsers.Use(
                        rs.getObject("id", UUID.class), rs.getString("name"), rs.getString("namespace"), pinned));
            }
        });
        return uses;
    }

    private Map<String, Object> columns(Job job) {
        JobDefinition d = job.definition();
        ScheduleSpec schedule = d.schedule().toSpec();
        Map<String, Object> params = new HashMap<>();
        params.put("id", job.id().value());
        params.put("name", d.name());
        params.put("description", d.description());
        params.put("template_type", d.templateType());
        params.put("parameters", json.writeValueAsString(d.parameters()));
        params.put("schedule_type", schedule.type());
        params.put("cron_expression", schedule.expression());
        params.put("interval_seconds", schedule.intervalSeconds());
        params.put("run_at", schedule.runAt() == null ? null : OffsetDateTime.parse(schedule.runAt()));
        params.put("timezone", schedule.timezone());
        params.put("enabled", d.enabled());
        params.put("priority", d.priority());
        params.put("timeout_seconds", d.timeoutSeconds());
        params.put("max_retries", d.retryPolicy().maxRetries());
        params.put("retry_delay_seconds", d.retryPolicy().retryDelaySeconds());
        params.put("backoff_multiplier", d.retryPolicy().backoffMultiplier());
        params.put("concurrency_policy", d.concurrencyPolicy().json());
        params.put("misfire_policy", d.misfirePolicy().json());
        params.put("catch_up_window_seconds", d.catchUpWindowSeconds());
        params.put("notifications", json.writeValueAsString(NotificationsJson.of(d.notifications())));
        params.put(
                "alert_after_seconds",
                d.notifications().alertIfNoSuccessWithin() == null
                        ? null
                        : d.notifications().alertIfNoSuccessWithin().toSeconds());
        params.put("updated_at", utc(job.updatedAt()));
        params.put("next_run_at", utc(job.nextRunAt()));
        params.put("version", job.version());
        params.put("calendars", d.calendars().isEmpty() ? null : json.writeValueAsString(d.calendars()));
        params.put("namespace", d.namespace());
        params.put(
                "expected_duration_seconds",
                d.expectedDuration() == null ? null : d.expectedDuration().toSeconds());
        params.put("keep_runs", d.retention().keepRuns());
        params.put("keep_days", d.retention().keepDays());
        return params;
    }

    private void writeRelations(Job job, boolean replace) {
        UUID id = job.id().value();
        if (replace) {
            jdbc.sql(DELETE_TAGS).param("job_id", id).update();
            jdbc.sql(DELETE_DEPENDENCIES).param("job_id", id).update();
        }
        for (String tag : job.definition().tags()) {
            jdbc.sql(INSERT_TAG).param("job_id", id).param("tag", tag).update();
        }
        for (JobId upstream : job.definition().dependsOn()) {
            jdbc.sql(INSERT_DEPENDENCY)
                    .param("job_id", id)
                    .param("depends_on", upstream.value())
                    .update();
        }
        triggers.write(job.id(), job.definition(), replace);
    }

    /** A row read with {@link #RELATIONS}: the job with its tags and upstream jobs, and whether it has triggers. */
    private record Read(Job job, boolean chained) {}

    private Read mapRowWithRelations(ResultSet rs, int rowNum) throws SQLException {
        return new Read(jobWithRelations(rs), rs.getObject("chained_job") != null);
    }

    private Job jobWithRelations(ResultSet rs) throws SQLException {
        List<String> tags = new ArrayList<>();
        for (Object tag : array(rs, "tag_list")) {
            tags.add((String) tag);
        }
        List<JobId> dependencies = new ArrayList<>();
        for (Object upstream : array(rs, "dependency_list")) {
            dependencies.add(jobId(upstream));
        }
        return complete(JobRows.map(rs, json), tags, dependencies);
    }

    /**
     * The jobs read, each chained one read again whole with {@link #FIND_CHAINED_BY_ID} (one more statement, only
     * when there is one); a chained job deleted in between is left out.
     */
    private List<Job> withTriggersOfChained(List<Read> reads) {
        List<UUID> chained = reads.stream()
                .filter(Read::chained)
                .map(read -> read.job().id().value())
                .toList();
        if (chained.isEmpty()) {
            return reads.stream().map(Read::job).toList();
        }
        Map<JobId, Job> whole = new HashMap<>();
        jdbc.sql(FIND_CHAINED_BY_ID)
                .param("ids", chained)
                .query(this::mapRowWithTriggers)
                .list()
                .forEach(job -> whole.put(job.id(), job));
        return reads.stream()
                .map(read -> read.chained() ? whole.get(read.job().id()) : read.job())
                .filter(Objects::nonNull)
                .toList();
    }

    /** A row read with {@link #RELATIONS_AND_TRIGGERS}: the job with its tags, upstream jobs and triggers. */
    private Job mapRowWithTriggers(ResultSet rs, int rowNum) throws SQLException {
        Job job = jobWithRelations(rs);
        Object[] upstreams = array(rs, "trigger_upstreams");
        Object[] names = array(rs, "trigger_names");
        Object[] outcomes = array(rs, "trigger_outcomes");
        Object[] conditions = array(rs, "trigger_conditions");
        List<Trigger> triggerList = new ArrayList<>(upstreams.length);
        for (int i = 0; i < upstreams.length; i++) {
            triggerList.add(new Trigger(
                    jobId(upstreams[i]),
                    (String) names[i],
                    Trigger.On.fromJson((String) outcomes[i]).orElse(Trigger.On.SUCCEEDED),
                    (String) conditions[i]));
        }
        String mode = rs.getString("trigger_mode");
        long window = rs.getLong("trigger_window");
        Duration triggerWindow = rs.wasNull() ? null : Duration.ofSeconds(window);
        if (mode == null && triggerList.isEmpty()) {
            return job;
        }
        return job.withDefinition(job.definition()
                .withTriggers(
                        triggerList,
                        Trigger.Mode.fromJson(mode).orElse(Trigger.Mode.ANY),
                        mode == null ? null : triggerWindow));
    }

    private static JobId jobId(Object value) {
        return new JobId(value instanceof UUID uuid ? uuid : UUID.fromString(value.toString()));
    }

    private static Object[] array(ResultSet rs, String column) throws SQLException {
        java.sql.Array array = rs.getArray(column);
        return array == null ? new Object[0] : (Object[]) array.getArray();
    }

    private static Job complete(Job job, List<String> tags, List<JobId> dependencies) {
        return job.withDefinition(job.definition().withRelations(dependencies, tags));
    }

    /** A job's template and parameters (secrets sealed), for checking them against the installed template. */
    record StoredParameters(
            JobId id,
            String templateType,
            Map<String, Object> parameters,
            String templateVersion,
            String invalidReason,
            long version) {}

    /** Up to {@code limit} jobs with an id after {@code after}, in id order. */
    List<StoredParameters> parametersAfter(UUID after, int limit) {
        return jdbc.sql(PARAMETERS_AFTER)
                .param("after", after)
                .param("limit", limit)
                .query((rs, n) -> new StoredParameters(
                        new JobId(rs.getObject("id", UUID.class)),
                        rs.getString("template_type"),
                        json.readValue(rs.getString("parameters"), JSON_OBJECT),
                        rs.getString("template_version"),
                        rs.getString("invalid_reason"),
                        rs.getLong("version")))
                .list();
    }

    void markValidated(JobId id, String templateVersion) {
        revalidated(id, jdbc.sql(MARK_VALIDATED).param("template_version", templateVersion));
    }

    /** Like {@link #markValidated(JobId, String)}, only while the job is as {@code read}. */
    void markValidated(StoredParameters read, String templateVersion) {
        revalidated(read, jdbc.sql(MARK_VALIDATED_AS_READ).param("template_version", templateVersion));
    }

    /** Flags the job invalid with {@code reason}, only while it is as {@code read}. */
    void markInvalid(StoredParameters read, String reason) {
        revalidated(read, jdbc.sql(MARK_INVALID_AS_READ).param("reason", reason));
    }

    private void revalidated(StoredParameters read, JdbcClient.StatementSpec flag) {
        revalidated(
                read.id(),
                flag.param("version", read.version())
                        .param("read_reason", read.invalidReason())
                        .param("read_template_version", read.templateVersion()));
    }

    private void revalidated(JobId id, JdbcClient.StatementSpec flag) {
        flag.param("id", id.value()).update();
        totals.revalidated();
        cache.written(id);
    }

    private static String escapeLike(String text) {
        return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_");
    }
}
