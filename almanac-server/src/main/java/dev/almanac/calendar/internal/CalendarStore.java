package dev.almanac.calendar.internal;

import static dev.almanac.common.JdbcTime.instant;
import static dev.almanac.common.JdbcTime.utc;

import dev.almanac.calendar.CalendarSpec;
import dev.almanac.calendar.Freeze;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;
import tools.jackson.databind.json.JsonMapper;

/** The {@code calendars} and {@code freezes} tables. */
@Repository
public class CalendarStore {

    private static final String CALENDAR_COLUMNS =
            "namespace, name, timezone, description, definition, created_by, created_at, updated_at";

    /** Global calendars are kept under this namespace: a key column cannot be null. */
    private static final String GLOBAL = "";

    private static final String INSERT_CALENDAR = """
            INSERT INTO calendars (namespace, name, timezone, description, definition, created_by, created_at,
                                   updated_at)
            VALUES (:namespace, :name, :timezone, :description, :definition, :created_by, :at, :at)
            """;

    private static final String UPDATE_CALENDAR = """
            UPDATE calendars SET timezone = :timezone, description = :description, definition = :definition,
                                 updated_at = :at
             WHERE namespace = :namespace AND name = :name
            """;

    /** What a job of a namespace may list: the global calendars and the namespace's own. */
    private static final String NAMES_USABLE_IN = """
            SELECT DISTINCT name FROM calendars WHERE namespace IN (:global, :namespace) ORDER BY name
            """;

    private static final String NAMES_OWNED_BY =
            "SELECT name FROM calendars WHERE namespace = :namespace ORDER BY name";

    private static final String INSERT_FREEZE = """
            INSERT INTO freezes (id, starts_at, ends_at, scope, reason, created_by, created_at)
            VALUES (:id, :from, :to, :scope, :reason, :created_by, :created_at)
            """;

    private static final String FREEZE_COLUMNS = "id, starts_at, ends_at, scope, reason, created_by, created_at";

    /** What a calendar row keeps in its definition column. */
    record Definition(
            List<String> dates, List<CalendarSpec.Window> ranges, List<CalendarSpec.Window> weekly, String ics) {}

    private final JdbcClient jdbc;
    private final JsonMapper json;

    CalendarStore(JdbcClient jdbc, JsonMapper json) {
        this.jdbc = jdbc;
        this.json = json;
    }

    /**
     * Calendars by name, global ones first: all of them ({@code namespaces} null), or the global ones and those of
     * {@code namespaces}.
     */
    public List<CalendarSpec> calendars(Collection<String> namespaces) {
        String where = namespaces == null ? "" : " WHERE namespace IN (:namespaces)";
        List<String> keys = new ArrayList<>();
        keys.add(GLOBAL);
        if (namespaces != null) {
            keys.addAll(namespaces);
        }
        var statement =
                jdbc.sql("SELECT " + CALENDAR_COLUMNS + " FROM calendars" + where + " ORDER BY namespace, name");
        if (namespaces != null) {
            statement = statement.param("namespaces", keys);
        }
        return statement
                .query((rs, n) -> {
                    Definition d = json.readValue(rs.getString("definition"), Definition.class);
                    String namespace = rs.getString("namespace");
                    return new CalendarSpec(
                            rs.getString("name"),
                            GLOBAL.equals(namespace) ? null : namespace,
                            rs.getString("timezone"),
                            rs.getString("description"),
                            d.dates(),
                            d.ranges(),
                            d.weekly(),
                            d.ics(),
                            rs.getString("created_by"),
                            instant(rs, "created_at"),
                            instant(rs, "updated_at"));
                })
                .list();
    }

    /** The calendar {@code name} of {@code namespace} (null: the global one). */
    public Optional<CalendarSpec> calendar(String namespace, String name) {
        String key = key(namespace);
        return calendars(key.isEmpty() ? List.of() : List.of(key)).stream()
                .filter(c -> key.equals(key(c.namespace())) && c.name().equals(name))
                .findFirst();
    }

    /** The calendars of any namespace, global ones included, named {@code name}. */
    List<CalendarSpec> calendarsNamed(String name) {
        return calendars(null).stream().filter(c -> c.name().equals(name)).toList();
    }

    long countIn(String namespace) {
        return jdbc.sql("SELECT COUNT(*) FROM calendars WHERE namespace = :namespace")
                .param("namespace", key(namespace))
                .query(Long.class)
                .single();
    }

    public List<String> namesUsableIn(String namespace) {
        return jdbc.sql(NAMES_USABLE_IN)
                .param("global", GLOBAL)
                .param("namespace", key(namespace))
                .query(String.class)
                .list();
    }

    /** The names of {@code namespace}'s own calendars, not the global ones. */
    public List<String> namesOwnedBy(String namespace) {
        return jdbc.sql(NAMES_OWNED_BY)
                .param("namespace", key(namespace))
                .query(String.class)
                .list();
    }

    boolean insert(CalendarSpec c, Instant at) {
        return jdbc.sql(INSERT_CALENDAR)
                        .param("namespace", key(c.namespace()))
                        .param("name", c.name())
                        .param("timezone", c.timezone())
                        .param("description", c.description())
                        .param("definition", definition(c))
                        .param("created_by", c.createdBy())
                        .param("at", utc(at))
                        .update()
                == 1;
    }

    boolean update(CalendarSpec c, Instant at) {
        return jdbc.sql(UPDATE_CALENDAR)
                        .param("namespace", key(c.namespace()))
                        .param("name", c.name())
                        .param("timezone", c.timezone())
                        .param("description", c.description())
                        .param("definition", definition(c))
                        .param("at", utc(at))
                        .update()
                == 1;
    }

    boolean delete(String namespace, String name) {
        return jdbc.sql("DELETE FROM calendars WHERE namespace = :namespace AND name = :name")
                        .param("namespace", key(namespace))
                        .param("name", name)
                        .update()
                == 1;
    }

    public List<Freeze> freezes() {
        return jdbc.sql("SELECT " + FREEZE_COLUMNS + " FROM freezes ORDER BY starts_at, id")
                .query((rs, n) -> new Freeze(
                        rs.getObject("id", UUID.class),
                        instant(rs, "starts_at"),
                        instant(rs, "ends_at"),
                        rs.getString("scope"),
                        rs.getString("reason"),
                        rs.getString("created_by"),
                        instant(rs, "created_at")))
                .list();
    }

    void insert(Freeze f) {
        jdbc.sql(INSERT_FREEZE)
                .param("id", f.id())
                .param("from", utc(f.from()))
                .param("to", utc(f.to()))
                .param("scope", f.scope())
                .param("reason", f.reason())
                .param("created_by", f.createdBy())
                .param("created_at", utc(f.createdAt()))
                .update();
    }

    Optional<Freeze> freeze(UUID id) {
        return freezes().stream().filter(f -> f.id().equals(id)).findFirst();
    }

    /** Moves a freeze's end to {@code at}: it keeps blocking the slots before. */
    void endFreeze(UUID id, Instant at) {
        jdbc.sql("UPDATE freezes SET ends_at = :at WHERE id = :id")
                .param("id", id)
                .param("at", utc(at))
                .update();
    }

    boolean deleteFreeze(UUID id) {
        return jdbc.sql("DELETE FROM freezes WHERE id = :id").param("id", id).update() == 1;
    }

    private static String key(String namespace) {
        return namespace == null ? GLOBAL : namespace;
    }

    private String definition(CalendarSpec c) {
        return json.writeValueAsString(new Definition(c.dates(), c.ranges(), c.weekly(), c.ics()));
    }
}
