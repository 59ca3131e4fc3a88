package dev.almanac.jobfile;

import dev.almanac.common.InvalidInputException;
import dev.almanac.job.JobId;
import dev.almanac.job.JobRequest;
import dev.almanac.job.JobService;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.context.event.EventListener;
import org.springframework.core.annotation.Order;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionTemplate;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.PropertyNamingStrategies;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;
import tools.jackson.dataformat.yaml.YAMLMapper;

/**
 * The jobs file ({@code almanac.jobs-file}): YAML job definitions upserted by name at every start, all or nothing, as
 * the actor {@code system}. A definition equal to the stored job changes nothing, so starting twice is harmless; a
 * job the file does not name is left alone. A file with an invalid job stops the start-up naming every problem.
 */
@Component
public class JobsFile {

    private static final Logger log = LoggerFactory.getLogger(JobsFile.class);

    /** The file's shape: {@code jobs:} followed by job definitions as the API takes them. */
    record Contents(List<JobRequest> jobs) {}

    /** What applying the file did. */
    public record Applied(List<String> created, List<String> updated, List<String> unchanged) {}

    private final JobService jobs;
    private final JdbcClient jdbc;
    private final TransactionTemplate transactions;
    private final JsonMapper json;
    private final String file;
    private final YAMLMapper yaml = YAMLMapper.builder()
            .propertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .build();

    JobsFile(
            JobService jobs,
            JdbcClient jdbc,
            TransactionTemplate transactions,
            JsonMapper json,
            @Value("${almanac.jobs-file:}") String file) {
        this.jobs = jobs;
        this.jdbc = jdbc;
        this.transactions = transactions;
        this.json = json;
        this.file = file;
    }

    @EventListener(ApplicationReadyEvent.class)
    @Order(10)
    void applyAtStart() {
        if (file == null || file.isBlank()) {
            return;
        }
        Applied applied = apply(Path.of(file));
        log.info(
                "Jobs file {}: {} created, {} updated, {} unchanged",
                file,
                applied.created().size(),
                applied.updated().size(),
                applied.unchanged().size());
    }

    /** Reads and applies a jobs file in one transaction. */
    public Applied apply(Path path) {
        Contents contents;
        try {
            contents = yaml.readValue(Files.readString(path), Contents.class);
        } catch (JacksonException e) {
            throw new IllegalStateException("Jobs file " + path + " is not valid: " + e.getOriginalMessage());
        } catch (java.io.IOException e) {
            throw new IllegalStateException("Cannot read the jobs file " + path + ": " + e.getMessage(), e);
        }
        List<JobRequest> definitions = contents == null || contents.jobs() == null ? List.of() : contents.jobs();
        List<String> problems = new ArrayList<>();
        Set<String> names = new HashSet<>();
        for (int i = 0; i < definitions.size(); i++) {
            String name = definitions.get(i).name();
            if (name == null || !names.add(name)) {
                problems.add(
                        "jobs[" + i + "]: " + (name == null ? "name is required" : "'" + name + "' is named twice"));
            }
        }
        if (!problems.isEmpty()) {
            throw new IllegalStateException("Jobs file " + path + ":\n  - " + String.join("\n  - ", problems));
        }
        return transactions.execute(status -> {
            List<String> created = new ArrayList<>();
            List<String> updated = new ArrayList<>();
            List<String> unchanged = new ArrayList<>();
            List<String> invalid = new ArrayList<>();
            for (int i = 0; i < definitions.size(); i++) {
                JobRequest definition = definitions.get(i);
                try {
                    Optional<JobId> existing = idOf(definition.name());
                    if (existing.isEmpty()) {
                        jobs.create(definition, "system");
                        created.add(definition.name());
                    } else {
                        ObjectNode changes = (ObjectNode) json.valueToTree(definition);
                        changes.remove("version");
                        if (definition.tags() != null) {
                            // tags are a set, stored lower-case and read back sorted: compare them that way
                            changes.set(
                                    "tags",
                                    json.valueToTree(definition.tags().stream()
                                            .map(tag -> tag.toLowerCase(java.util.Locale.ROOT))
                                            .sorted()
                                            .distinct()
                                            .toList()));
                        }
                        (jobs.update(existing.get(), changes, "system").changed() ? updated : unchanged)
                                .add(definition.name());
                    }
                } catch (InvalidInputException e) {
                    e.errors()
                            .forEach(error -> invalid.add(
                                    "jobs[" + definition.name() + "]." + error.field() + ": " + error.message()));
                }
            }
            if (!invalid.isEmpty()) {
                status.setRollbackOnly();
                throw new IllegalStateException("Jobs file " + path + " has invalid jobs; nothing was applied:\n  - "
                        + String.join("\n  - ", invalid));
            }
            return new Applied(created, updated, unchanged);
        });
    }

    private Optional<JobId> idOf(String name) {
        return jdbc.sql("SELECT id FROM jobs WHERE name = ?")
                .param(name)
                .query(UUID.class)
                .optional()
                .map(JobId::new);
    }
}
