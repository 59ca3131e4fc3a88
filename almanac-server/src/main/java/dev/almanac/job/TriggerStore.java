package dev.almanac.job;

import static dev.almanac.common.JdbcTime.instant;
import static dev.almanac.common.JdbcTime.utc;

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

    /** An upstream run that satisfied trigger {@code ordinal} of a job. */
    record Arrival(int ordinal, JobId upstream, UUID execution, Instant at, Map<String, Object> result) {}

    private final JdbcClient jdbc;
    private final JsonMapper json;

    TriggerStore(JdbcClient jdbc, JsonMapper json) {
        this.jdbc = jdbc;
        this.json = json;
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
