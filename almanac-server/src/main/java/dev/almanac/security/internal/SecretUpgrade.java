package dev.almanac.security.internal;

import dev.almanac.common.JdbcTime;
import dev.almanac.security.JobSecretsSealed;
import dev.almanac.security.NotificationUrlSealing;
import dev.almanac.security.SecretParameters;
import dev.almanac.template.TemplateRegistry;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.ApplicationArguments;
import org.springframework.boot.ApplicationRunner;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionTemplate;
import tools.jackson.core.type.TypeReference;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * The upgrade pass for data stored before secrets were sealed: at every start it seals each plain value that is now
 * a secret ({@code x-secret} parameters by the row's template, webhook and Slack URLs of notifications) in
 * {@code jobs}, {@code job_versions} and {@code executions}, with the same rules as a save ({@link
 * SecretParameters#seal}, {@link NotificationUrlSealing}). Jobs and versions are sealed before the start completes,
 * one transaction per table; the execution history in batches of {@value #BATCH} on a background thread. A row is
 * changed only when it holds a plain secret, under a row lock and recomputed from the locked value, so a second start
 * or several nodes starting at once change nothing more. Rows of templates no longer installed keep their
 * parameters: nothing says which of them are secrets.
 */
@Component
@Order(Ordered.HIGHEST_PRECEDENCE)
public class SecretUpgrade implements ApplicationRunner {

    static final int BATCH = 1000;
    private static final Logger log = LoggerFactory.getLogger(SecretUpgrade.class);
    private static final TypeReference<Map<String, Object>> JSON_OBJECT = new TypeReference<>() {};
    private static final List<String> RECIPIENT_LISTS = List.of("on_success", "on_failure", "on_retry");

    /** How many rows of each table were sealed. */
    private static final String STEP = "seal-plain-secrets";

    private final Clock clock;

    public record Counts(int jobs, int versions, int executions) {
        int total() {
            return jobs + versions + executions;
        }
    }

    private final JdbcClient jdbc;
    private final JsonMapper json;
    private final SecretParameters parameters;
    private final NotificationUrlSealing notifications;
    private final TemplateRegistry templates;
    private final TransactionTemplate transactions;
    private final ApplicationEventPublisher events;

    SecretUpgrade(
            JdbcClient jdbc,
            JsonMapper json,
            SecretParameters parameters,
            NotificationUrlSealing notifications,
            TemplateRegistry templates,
            TransactionTemplate transactions,
            ApplicationEventPublisher events,
            Clock clock) {
        this.clock = clock;
        this.events = events;
        this.jdbc = jdbc;
        this.json = json;
        this.parameters = parameters;
        this.notifications = notifications;
        this.templates = templates;
        this.transactions = transactions;
    }

    @Override
    public void run(ApplicationArguments args) {
        if (done()) {
            return;
        }
        int jobs = sealJobs();
        int versions = sealVersions();
        if (args.getNonOptionArgs().contains(SecretRotation.COMMAND)) {
            // the rotation re-seals whole rows: the history must be sealed before it reads them, not beside it
            report(new Counts(jobs, versions, sealExecutions()));
            markDone();
            return;
        }
        Thread history = new Thread(
                () -> {
                    int executions = 0;
                    try {
                        executions = sealExecutions();
                        markDone();
                    } catch (RuntimeException failed) {
                        log.warn(
                                "Sealing plain secrets in the execution history stopped; the next start goes on",
                                failed);
                    }
                    report(new Counts(jobs, versions, executions));
                },
                "almanac-secret-upgrade");
        history.setDaemon(true);
        history.start();
    }

    /**
     * Whether a start already finished the pass: every later save seals on its own, so the tables are read once, not
     * at every start (a history of millions of runs would be read again each time).
     */
    private boolean done() {
        return jdbc.sql("SELECT COUNT(*) FROM upgrade_steps WHERE name = :name")
                        .param("name", STEP)
                        .query(Long.class)
                        .single()
                > 0;
    }

    private void markDone() {
        try {
            jdbc.sql("INSERT INTO upgrade_steps (name, done_at) VALUES (:name, :now)")
                    .param("name", STEP)
                    .param("now", JdbcTime.utc(clock.instant()))
                    .update();
        } catch (DuplicateKeyException anotherNodeFinishedFirst) {
            // the same pass, done by another node starting at the same time
        }
    }

    /** The whole pass, in this thread: what a start does, the history included. */
    public Counts upgrade() {
        Counts sealed = new Counts(sealJobs(), sealVersions(), sealExecutions());
        report(sealed);
        return sealed;
    }

    private static void report(Counts sealed) {
        if (sealed.total() > 0) {
            log.info(
                    "Sealed plain secrets stored by an earlier release: {} jobs, {} job versions, {} executions",
                    sealed.jobs(),
                    sealed.versions(),
                    sealed.executions());
        }
    }

    int sealJobs() {
        int sealed = sealWhereNeeded(
                "jobs",
                List.of("id"),
                List.of("template_type", "parameters", "notifications"),
                jdbc.sql("SELECT id, template_type, parameters, notifications FROM jobs")
                        .query()
                        .listOfRows(),
                row -> {
                    Map<String, String> changed = new LinkedHashMap<>();
                    String type = (String) row.get("template_type");
                    put(changed, "parameters", (String) row.get("parameters"), text -> sealParameters(type, text));
                    put(changed, "notifications", (String) row.get("notifications"), this::sealNotifications);
                    return changed;
                });
        if (sealed > 0) {
            events.publishEvent(new JobSecretsSealed(sealed));
        }
        return sealed;
    }

    int sealVersions() {
        return sealWhereNeeded(
                "job_versions",
                List.of("job_id", "version"),
                List.of("definition"),
                jdbc.sql("SELECT job_id, version, definition FROM job_versions")
                        .query()
                        .listOfRows(),
                row -> {
                    Map<String, String> changed = new LinkedHashMap<>();
                    put(changed, "definition", (String) row.get("definition"), this::sealDefinition);
                    return changed;
                });
    }

    /** The execution history in keyset batches of {@value #BATCH}, one transaction each, for the templates with secrets. */
    public int sealExecutions() {
        return sealExecutions(BATCH);
    }

    public int sealExecutions(int batchSize) {
        List<String> types = templates.all().stream()
                .map(t -> t.descriptor().type())
                .filter(parameters::hasSecrets)
                .toList();
        if (types.isEmpty()) {
            return 0;
        }
        int changed = 0;
        Object after = null;
        while (true) {
            List<Map<String, Object>> batch = (after == null
                            ? jdbc.sql("""
                                    SELECT id, template_type, parameters FROM executions
                                     WHERE template_type IN (:types) ORDER BY id LIMIT :batch
                                    """)
                            : jdbc.sql("""
                                    SELECT id, template_type, parameters FROM executions
                                     WHERE template_type IN (:types) AND id > :after ORDER BY id LIMIT :batch
                                    """).param("after", after))
                    .param("types", types)
                    .param("batch", batchSize)
                    .query()
                    .listOfRows();
            if (batch.isEmpty()) {
                return changed;
            }
            after = batch.get(batch.size() - 1).get("id");
            changed +=
                    sealWhereNeeded("executions", List.of("id"), List.of("template_type", "parameters"), batch, row -> {
                        Map<String, String> sealed = new LinkedHashMap<>();
                        String type = (String) row.get("template_type");
                        put(sealed, "parameters", (String) row.get("parameters"), text -> sealParameters(type, text));
                        return sealed;
                    });
            if (batch.size() < batchSize) {
                return changed;
            }
        }
    }

    /**
     * Seals, in one transaction, those of {@code rows} that {@code seal} would change. They are picked before the
     * transaction begins: a transaction that waited while thousands of clean rows were checked in memory would be
     * ended by PostgreSQL's limit on idle transactions (the engine's {@code CutOffSessionLimits}). In it, each row is
     * locked and read again first, and sealed from what it holds then, so a concurrent save or another node's pass is
     * never overwritten with older values.
     */
    private int sealWhereNeeded(
            String table,
            List<String> keys,
            List<String> columns,
            List<Map<String, Object>> rows,
            Function<Map<String, Object>, Map<String, String>> seal) {
        List<Map<String, Object>> plain =
                rows.stream().filter(row -> !seal.apply(row).isEmpty()).toList();
        if (plain.isEmpty()) {
            return 0;
        }
        Integer total = transactions.execute(status -> {
            String where =
                    String.join(" AND ", keys.stream().map(k -> k + " = :" + k).toList());
            int changed = 0;
            for (Map<String, Object> row : plain) {
                JdbcClient.StatementSpec lock = jdbc.sql(
                        "SELECT " + String.join(", ", columns) + " FROM " + table + " WHERE " + where + " FOR UPDATE");
                for (String key : keys) {
                    lock = lock.param(key, row.get(key));
                }
                List<Map<String, Object>> locked = lock.query().listOfRows();
                if (locked.isEmpty()) {
                    continue;
                }
                Map<String, String> sealed = seal.apply(locked.get(0));
                if (sealed.isEmpty()) {
                    continue;
                }
                List<String> sets = new ArrayList<>();
                sealed.keySet().forEach(column -> sets.add(column + " = :" + column));
                JdbcClient.StatementSpec update =
                        jdbc.sql("UPDATE " + table + " SET " + String.join(", ", sets) + " WHERE " + where);
                for (Map.Entry<String, String> column : sealed.entrySet()) {
                    update = update.param(column.getKey(), column.getValue());
                }
                for (String key : keys) {
                    update = update.param(key, row.get(key));
                }
                changed += update.update();
            }
            return changed;
        });
        return total == null ? 0 : total;
    }

    private static void put(Map<String, String> changed, String column, String text, Function<String, String> seal) {
        String sealed = text == null ? null : seal.apply(text);
        if (sealed != null) {
            changed.put(column, sealed);
        }
    }

    /** Parameters as stored with their plain secrets sealed, or null when they hold none. */
    private String sealParameters(String type, String text) {
        if (!parameters.hasSecrets(type)) {
            return null;
        }
        Map<String, Object> stored = json.readValue(text, JSON_OBJECT);
        Map<String, Object> sealed = parameters.seal(type, stored, stored);
        return Objects.equals(stored, sealed) ? null : json.writeValueAsString(sealed);
    }

    /** Notification settings as stored with their plain URLs sealed, or null when they hold none. */
    private String sealNotifications(String text) {
        JsonNode settings = json.readTree(text);
        return settings instanceof ObjectNode object && sealUrls(object) ? json.writeValueAsString(object) : null;
    }

    /** A saved definition (a job request) with the plain secrets of its parameters and notifications sealed, or null. */
    private String sealDefinition(String text) {
        JsonNode definition = json.readTree(text);
        if (!(definition instanceof ObjectNode object)) {
            return null;
        }
        boolean changed = false;
        JsonNode type = object.get("template_type");
        JsonNode params = object.get("parameters");
        if (type != null && type.isString() && params != null && params.isObject()) {
            String sealed = sealParameters(type.asString(), json.writeValueAsString(params));
            if (sealed != null) {
                object.set("parameters", json.readTree(sealed));
                changed = true;
            }
        }
        if (object.get("notifications") instanceof ObjectNode settings) {
            changed |= sealUrls(settings);
        }
        return changed ? json.writeValueAsString(object) : null;
    }

    /** Seals, in place, the plain URLs of each recipient list; true when any was plain. */
    private boolean sealUrls(ObjectNode settings) {
        boolean changed = false;
        for (String name : RECIPIENT_LISTS) {
            JsonNode list = settings.get(name);
            if (list == null || !list.isArray()) {
                continue;
            }
            List<String> recipients = new ArrayList<>();
            for (JsonNode recipient : list) {
                if (!recipient.isString()) {
                    recipients = null;
                    break;
                }
                recipients.add(recipient.asString());
            }
            if (recipients == null) {
                continue;
            }
            List<String> sealed = notifications.sealUrls(recipients);
            if (!sealed.equals(recipients)) {
                settings.set(name, json.valueToTree(sealed));
                changed = true;
            }
        }
        return changed;
    }
}
