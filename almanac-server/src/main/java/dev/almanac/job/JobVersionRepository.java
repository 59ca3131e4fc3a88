package dev.almanac.job;

import static dev.almanac.common.JdbcTime.instant;
import static dev.almanac.common.JdbcTime.utc;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.springframework.jdbc.core.RowMapper;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;
import tools.jackson.core.type.TypeReference;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/** The {@code job_versions} table: every saved definition of every job, kept after the job is gone. */
@Repository
class JobVersionRepository {

    private static final String INSERT_VERSION = """
            INSERT INTO job_versions (job_id, version, change, definition, changed_by, changed_at)
            VALUES (:job_id, :version, :change, :definition, :changed_by, :changed_at)
            """;
    private static final String VERSIONS_OF = """
            SELECT version, change, definition, changed_by, changed_at FROM job_versions
             WHERE job_id = :job_id ORDER BY version DESC
            """;
    private static final String FIND_VERSION = """
            SELECT version, change, definition, changed_by, changed_at FROM job_versions
             WHERE job_id = :job_id AND version = :version
            """;

    private static final TypeReference<Map<String, Object>> JSON_OBJECT = new TypeReference<>() {};

    /**
     * Kept beside the definition, never shown with it: the ids of the triggers' upstreams, which the definition names
     * as they were named when it was saved ({@link JobVersion#triggerJobs()}).
     */
    private static final String TRIGGER_JOBS = "trigger_job_ids";

    private final JdbcClient jdbc;
    private final JsonMapper json;

    JobVersionRepository(JdbcClient jdbc, JsonMapper json) {
        this.jdbc = jdbc;
        this.json = json;
    }

    void record(JobId job, long version, String change, JobDefinition definition, String actor, Instant at) {
        ObjectNode saved = json.valueToTree(JobRequest.of(definition));
        if (!definition.triggers().isEmpty()) {
            ArrayNode ids = saved.putArray(TRIGGER_JOBS);
            definition.triggers().forEach(t -> ids.add(t.job().toString()));
        }
        jdbc.sql(INSERT_VERSION)
                .param("job_id", job.value())
                .param("version", version)
                .param("change", change)
                .param("definition", json.writeValueAsString(saved))
                .param("changed_by", actor)
                .param("changed_at", utc(at))
                .update();
    }

    List<JobVersion> versionsOf(JobId job) {
        return jdbc.sql(VERSIONS_OF)
                .param("job_id", job.value())
                .query(mapper())
                .list();
    }

    Optional<JobVersion> find(JobId job, long version) {
        return jdbc.sql(FIND_VERSION)
                .param("job_id", job.value())
                .param("version", version)
                .query(mapper())
                .optional();
    }

    private RowMapper<JobVersion> mapper() {
        return (rs, n) -> {
            Map<String, Object> definition =
                    new LinkedHashMap<>(json.readValue(rs.getString("definition"), JSON_OBJECT));
            List<JobId> triggerJobs = definition.remove(TRIGGER_JOBS) instanceof List<?> ids
                    ? ids.stream()
                            .map(id -> JobId.parse(String.valueOf(id)).orElse(null))
                            .filter(Objects::nonNull)
                            .toList()
                    : List.of();
            // versions saved before priorities existed ran at the normal one: a diff or rollback says so
            definition.putIfAbsent("priority", JobValidator.DEFAULT_PRIORITY);
            return new JobVersion(
                    rs.getLong("version"),
                    rs.getString("change"),
                    rs.getString("changed_by"),
                    instant(rs, "changed_at"),
                    definition,
                    triggerJobs);
        };
    }
}
