package dev.almanac.job;

import static dev.almanac.common.JdbcTime.instant;
import static dev.almanac.common.JdbcTime.utc;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;
import tools.jackson.databind.json.JsonMapper;

/** Jobs' triggers on outcomes, their mode, and what a job has received from its upstreams. */
@Repository
class TriggerStore {

    /** A job's triggers with their mode and window. */
    record Triggers(List<Trigger> triggers, Trigger.Mode mode, Duration window) {
        static final Triggers NONE = new Triggers(List.of(), Trigger.Mode.ANY, null);
    }

    /** An upstream run that satisfied trigger {@code ordinal} of a job. */
    record Arrival(int ordinal, JobId upstream, UUID execution, Instant at, Map<String, Object> result) {}

    // an upstream in another namespace than its downstream's is named namespace/name, as the downstream names it
    private static final String TRIGGERS_OF = """
            SELECT t.job_id, t.ordinal, t.upstream_id,
                   CASE WHEN u.namespace = d.namespace THEN u.name ELSE u.namespace || '/' || u.name END AS name,
                   t.on_outcome, t.condition_expr
              FROM job_triggers t JOIN jobs u ON u.id = t.upstream_id JOIN jobs d ON d.id = t.job_id
             WHERE t.job_id IN (:ids) ORDER BY t.job_id, t.ordinal
            """;
    private static final String MODES_OF =
            "SELECT job_id, trigger_mode, window_seconds FROM job_trigger_modes WHERE job_id IN (:ids)";

    private final JdbcClient jdbc;
    private final JsonMapper json;

    TriggerStore(JdbcClient jdbc, JsonMapper json) {
        this.jdbc = jdbc;
        this.json = json;
    }

    Map<JobId, Triggers> triggersOf(Collection<JobId> ids) {
        Map<JobId, Triggers> result = new HashMap<>();
        if (ids.isEmpty()) {
            return result;
        }
        List<UUID> uuids = ids.stream().map(JobId::value).distinct().toList();
        Map<JobId, List<Trigger>> lists = new LinkedHashMap<>();
        jdbc.sql(TRIGGERS_OF).param("ids", uuids).query(rs -> {
            lists.computeIfAbsent(new JobId(rs.getObject("job_id", UUID.class)), k -> new ArrayList<>())
                    .add(new Trigger(
                            new JobId(rs.getObject("upstream_id", UUID.class)),
                            rs.getString("name"),
                            Trigger.On.fromJson(rs.getString("on_outcome")).orElse(Trigger.On.SUCCEEDED),
                            rs.getString("condition_expr")));
        });
        jdbc.sql(MODES_OF).param("ids", uuids).query(rs -> {
            JobId job = new JobId(rs.getObject("job_id", UUID.class));
            long window = rs.getLong("window_seconds");
            result.put(
                    job,
                    new Triggers(
                            lists.getOrDefault(job, List.of()),
                            Trigger.Mode.fromJson(rs.getString("trigger_mode")).orElse(Trigger.Mode.ANY),
                            rs.wasNull() ? null : Duration.ofSeconds(window)));
        });
        lists.forEach((job, list) -> result.putIfAbsent(job, new Triggers(list, Trigger.Mode.ANY, null)));
        return result;
    }

    /**
     * Writes a job's triggers and their mode: both or neither, always. {@link JobRepository}'s job read relies on it
     * (it reads the trigger lists only for a job with a mode row), so no other code writes these two tables.
     */
    void write(JobId job, JobDefinition definition, boolean replace) {
        UUID id = job.value();
        if (replace) {
            jdbc.sql("DELETE FROM job_triggers WHERE job_id = :id")
                    .param("id", id)
                    .update();
            jdbc.sql("DELETE FROM job_trigger_modes WHERE job_id = :id")
                    .param("id", id)
                    .update();
            // arrivals of triggers that changed would count for the wrong upstream
            jdbc.sql("DELETE FROM trigger_arrivals WHERE job_id = :id")
                    .param("id", id)
                    .update();
        }
        if (definition.triggers().isEmpty()) {
            return;
        }
        for (int i = 0; i < definition.triggers().size(); i++) {
            Trigger t = definition.triggers().get(i);
            jdbc.sql("INSERT INTO job_triggers (job_id, ordinal, upstream_id, on_outcome, condition_expr)"
                            + " VALUES (:id, :ordinal, :upstream, :on, :condition)")
                    .param("id", id)
                    .param("ordinal", i)
                    .param("upstream", t.job().value())
                    .param("on", t.on().json())
                    .param("condition", t.condition())
                    .update();
        }
        jdbc.sql("INSERT INTO job_trigger_modes (job_id, trigger_mode, window_seconds) VALUES (:id, :mode, :window)")
                .param("id", id)
                .param("mode", definition.triggerMode().json())
                .param(
                        "window",
                        definition.triggerWindow() == null
                                ? null
                                : definition.triggerWindow().toSeconds())
                .update();
    }

    /** The jobs with a trigger on {@code upstream}. */
    List<JobId> downstreamOf(JobId upstream) {
        return jdbc.sql("SELECT DISTINCT job_id FROM job_triggers WHERE upstream_id = :id")
                .param("id", upstream.value())
                .query((rs, n) -> new JobId(rs.getObject(1, UUID.class)))
                .list();
    }

    /** The jobs with a trigger on {@code id}, by name. */
    Map<JobId, String> triggeredBy(JobId id) {
        Map<JobId, String> result = new LinkedHashMap<>();
        jdbc.sql("SELECT DISTINCT j.id, j.name FROM job_triggers t JOIN jobs j ON j.id = t.job_id"
                        + " WHERE t.upstream_id = :id ORDER BY j.name")
                .param("id", id.value())
                .query(rs -> {
                    result.put(new JobId(rs.getObject("id", UUID.class)), rs.getString("name"));
                });
        return result;
    }

    /** The direct upstream jobs, through triggers, of each of {@code ids}. */
    Map<JobId, List<JobId>> upstreamsOf(Collection<JobId> ids) {
        Map<JobId, List<JobId>> result = new HashMap<>();
        if (ids.isEmpty()) {
            return result;
        }
        jdbc.sql("SELECT DISTINCT job_id, upstream_id FROM job_triggers WHERE job_id IN (:ids)")
                .param("ids", ids.stream().map(JobId::value).distinct().toList())
                .query(rs -> {
                    result.computeIfAbsent(new JobId(rs.getObject("job_id", UUID.class)), k -> new ArrayList<>())
                            .add(new JobId(rs.getObject("upstream_id", UUID.class)));
                });
        return result;
    }

    /**
     * Holds the fan-in's row until the transaction ends: two upstream runs ending at once on two nodes would otherwise
     * each miss the other's arrival, and the fan-in would never start.
     */
    void lockFanIn(JobId job) {
        jdbc.sql("SELECT job_id FROM job_trigger_modes WHERE job_id = :id FOR UPDATE")
                .param("id", job.value())
                .query((rs, n) -> 1)
                .list();
    }

    void arrive(JobId job, int ordinal, JobId upstream, UUID execution, Instant at, Map<String, Object> result) {
        jdbc.sql("DELETE FROM trigger_arrivals WHERE job_id = :id AND ordinal = :ordinal")
                .param("id", job.value())
                .param("ordinal", ordinal)
                .update();
        jdbc.sql("INSERT INTO trigger_arrivals (job_id, ordinal, upstream_id, execution_id, arrived_at, result)"
                        + " VALUES (:id, :ordinal, :upstream, :execution, :at, :result)")
                .param("id", job.value())
                .param("ordinal", ordinal)
                .param("upstream", upstream.value())
                .param("execution", execution)
                .param("at", utc(at))
                .param("result", result == null ? null : json.writeValueAsString(result))
                .update();
    }

    List<Arrival> arrivals(JobId job) {
        return jdbc.sql("SELECT ordinal, upstream_id, execution_id, arrived_at, result FROM trigger_arrivals"
                        + " WHERE job_id = :id ORDER BY ordinal")
                .param("id", job.value())
                .query((rs, n) -> new Arrival(
                        rs.getInt("ordinal"),
                        new JobId(rs.getObject("upstream_id", UUID.class)),
                        rs.getObject("execution_id", UUID.class),
                        instant(rs, "arrived_at"),
                        readResult(rs.getString("result"))))
                .list();
    }

    void clearArrivals(JobId job) {
        jdbc.sql("DELETE FROM trigger_arrivals WHERE job_id = :id")
                .param("id", job.value())
                .update();
    }

    @SuppressWarnings("unchecked")
    private Map<String, Object> readResult(String text) {
        return text == null ? Map.of() : json.readValue(text, Map.class);
    }
}
