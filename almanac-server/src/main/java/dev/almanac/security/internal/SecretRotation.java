package dev.almanac.security.internal;

import dev.almanac.common.Sealed;
import dev.almanac.security.Secrets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.ApplicationArguments;
import org.springframework.boot.ApplicationRunner;
import org.springframework.boot.SpringApplication;
import org.springframework.context.ApplicationContext;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionTemplate;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;
import tools.jackson.databind.node.StringNode;

/**
 * The key-rotation command: {@code java -jar almanac.jar rotate-secrets} with the new key in
 * {@code ALMANAC_SECRET_KEY} and the old one in {@code ALMANAC_PREVIOUS_SECRET_KEYS} re-seals every stored secret
 * (job parameters and notification URLs, saved job versions, execution snapshots) with the new key in one transaction, then exits.
 * Afterwards the old key can be dropped from the configuration.
 */
@Component
public class SecretRotation implements ApplicationRunner {

    static final String COMMAND = "rotate-secrets";
    private static final Logger log = LoggerFactory.getLogger(SecretRotation.class);

    /** Each JSON column that may hold sealed values, with the key columns of its table. */
    private record Column(String table, String column, List<String> keys) {}

    private static final List<Column> COLUMNS = List.of(
            new Column("jobs", "parameters", List.of("id")),
            new Column("jobs", "notifications", List.of("id")),
            new Column("job_versions", "definition", List.of("job_id", "version")),
            new Column("executions", "parameters", List.of("id")));

    private final JdbcClient jdbc;
    private final JsonMapper json;
    private final Secrets secrets;
    private final TransactionTemplate transactions;
    private final ApplicationContext context;

    public SecretRotation(
            JdbcClient jdbc,
            JsonMapper json,
            Secrets secrets,
            TransactionTemplate transactions,
            ApplicationContext context) {
        this.jdbc = jdbc;
        this.json = json;
        this.secrets = secrets;
        this.transactions = transactions;
        this.context = context;
    }

    @Override
    public void run(ApplicationArguments args) {
        if (!args.getNonOptionArgs().contains(COMMAND)) {
            return;
        }
        int changed = rotate();
        log.info(
                "Re-sealed {} stored values with key {}; the previous keys may now be removed",
                changed,
                secrets.currentKeyId());
        System.exit(SpringApplication.exit(context, () -> 0));
    }

    /**
     * Re-seals every value sealed with an older key; returns how many rows changed. The rows that hold one are found
     * first, outside any transaction; then one transaction locks each, reads it again, re-seals and writes it,
     * statement after statement, so that a save in between is never overwritten with older values. A transaction that
     * waited while millions of rows already current were checked in memory would be ended by PostgreSQL's limit on idle
     * transactions (the engine's {@code CutOffSessionLimits}), and all of it undone.
     */
    public int rotate() {
        Map<Column, List<Map<String, Object>>> stale = new LinkedHashMap<>();
        for (Column column : COLUMNS) {
            stale.put(column, keysSealedWithAnOldKey(column));
        }
        Integer total = transactions.execute(status -> {
            int rows = 0;
            for (Map.Entry<Column, List<Map<String, Object>>> rowsOfColumn : stale.entrySet()) {
                for (Map<String, Object> key : rowsOfColumn.getValue()) {
                    rows += resealRow(rowsOfColumn.getKey(), key);
                }
            }
            return rows;
        });
        return total == null ? 0 : total;
    }

    /** The keys of the rows whose column holds a value sealed with an older key. */
    private List<Map<String, Object>> keysSealedWithAnOldKey(Column column) {
        List<Map<String, Object>> rows = jdbc.sql("SELECT " + String.join(", ", column.keys()) + ", "
                        + column.column() + " AS doc FROM " + column.table() + " WHERE " + column.column()
                        + " LIKE :sealed")
                .param("sealed", "%" + Sealed.PREFIX + "%")
                .query()
                .listOfRows();
        List<Map<String, Object>> stale = new ArrayList<>();
        for (Map<String, Object> row : rows) {
            if (reseal(json.readTree((String) row.get("doc")))) {
                Map<String, Object> key = new LinkedHashMap<>();
                column.keys().forEach(name -> key.put(name, row.get(name)));
                stale.add(key);
            }
        }
        return stale;
    }

    /** Locks one row, re-seals its column from what it holds now and writes it; 1 when it changed. */
    private int resealRow(Column column, Map<String, Object> key) {
        String where = String.join(
                " AND ",
                column.keys().stream().map(name -> name + " = :" + name).toList());
        List<String> docs = jdbc.sql(
                        "SELECT " + column.column() + " FROM " + column.table() + " WHERE " + where + " FOR UPDATE")
                .params(key)
                .query(String.class)
                .list();
        if (docs.isEmpty() || docs.get(0) == null) {
            return 0;
        }
        JsonNode doc = json.readTree(docs.get(0));
        if (!reseal(doc)) {
            return 0;
        }
        return jdbc.sql("UPDATE " + column.table() + " SET " + column.column() + " = :doc WHERE " + where)
                .params(key)
                .param("doc", json.writeValueAsString(doc))
                .update();
    }

    /** Re-seals, in place, every string sealed with an old key; true when anything changed. */
    private boolean reseal(JsonNode node) {
        boolean changed = false;
        if (node instanceof ObjectNode object) {
            for (Map.Entry<String, JsonNode> field : object.properties()) {
                JsonNode value = field.getValue();
                if (value.isString() && secrets.sealedWithOldKey(value.asString())) {
                    object.set(field.getKey(), StringNode.valueOf(secrets.reseal(value.asString())));
                    changed = true;
                } else {
                    changed |= reseal(value);
                }
            }
        } else if (node instanceof ArrayNode array) {
            for (int i = 0; i < array.size(); i++) {
                JsonNode value = array.get(i);
                if (value.isString() && secrets.sealedWithOldKey(value.asString())) {
                    array.set(i, StringNode.valueOf(secrets.reseal(value.asString())));
                    changed = true;
                } else {
                    changed |= reseal(value);
                }
            }
        }
        return changed;
    }
}
