package dev.almanac.jobfile;

import dev.almanac.audit.AuditTrail;
import dev.almanac.calendar.CalendarSpec;
import dev.almanac.common.ConflictException;
import dev.almanac.common.FieldError;
import dev.almanac.common.InvalidInputException;
import dev.almanac.common.JsonInputErrors;
import dev.almanac.common.Sealed;
import dev.almanac.common.StrictJsonReading;
import dev.almanac.job.Job;
import dev.almanac.job.JobCommands;
import dev.almanac.job.JobDefinition;
import dev.almanac.job.JobLookups;
import dev.almanac.job.JobRequest;
import dev.almanac.job.JobService;
import dev.almanac.job.Notifications;
import dev.almanac.schedule.OnceSchedule;
import dev.almanac.security.Limits;
import dev.almanac.security.SecretParameters;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.stereotype.Component;
import org.springframework.transaction.TransactionDefinition;
import org.springframework.transaction.support.TransactionTemplate;
import tools.jackson.core.JacksonException;
import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonToken;
import tools.jackson.core.ObjectReadContext;
import tools.jackson.core.StreamReadConstraints;
import tools.jackson.core.exc.StreamConstraintsException;
import tools.jackson.core.exc.StreamReadException;
import tools.jackson.core.json.JsonFactory;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.PropertyNamingStrategies;
import tools.jackson.databind.cfg.CoercionAction;
import tools.jackson.databind.cfg.CoercionInputShape;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;
import tools.jackson.databind.type.LogicalType;
import tools.jackson.dataformat.yaml.YAMLFactory;
import tools.jackson.dataformat.yaml.YAMLMapper;

/**
 * Job definitions in bulk, upserted by namespace and name (each trimmed, as the API stores them): the jobs file ({@code
 * almanac.jobs-file}) at every start, and the import API; the calendars the jobs list first ({@link FileCalendars}).
 * All or nothing: every definition is validated and applied in one transaction, and one invalid definition applies
 * none. A definition equal to the stored job changes nothing, so
 * applying twice is harmless; jobs not named are left alone. As in a PUT, a field set to null clears what is stored and
 * a field left out keeps it. A masked secret ({@value JobTransferController#MASK}, as an export writes it) keeps the
 * stored value.
 */
@Component
public class JobsFile {

    private static final Logger log = LoggerFactory.getLogger(JobsFile.class);

    /**
     * A start-up file's job left out: its only errors are masks with no secret stored behind them, or upstreams of the
     * file so left out; its one warning says why.
     */
    static final String SKIPPED = "skipped";

    /** A step of an error's field path: {@code parameters}, {@code .X-Api-Key} or {@code [0]}. */
    private static final Pattern STEP = Pattern.compile("([^.\\[\\]]+)|\\[(\\d+)]");

    /**
     * The file's shape: {@code jobs:} followed by job definitions as the API takes them, and {@code calendars:} the
     * calendars they list, as the calendar API takes them.
     */
    record Contents(List<CalendarSpec> calendars, List<JobRequest> jobs) {}

    /** A file as read: its calendars and its jobs. */
    record Parsed(List<CalendarSpec> calendars, List<Definition> jobs) {

        Parsed {
            calendars = calendars == null ? List.of() : calendars;
        }

        int size() {
            return calendars.size() + jobs.size();
        }
    }

    /** What applying a file does or would do: per calendar and per job, each in file order. */
    record Outcomes(List<Outcome> calendars, List<Outcome> jobs) {

        Stream<Outcome> all() {
            return Stream.concat(calendars.stream(), jobs.stream());
        }
    }

    /**
     * One job of a file as read, and the fields it sets to {@code null}: those clear what is stored, as in a PUT, where
     * a field left out keeps it.
     */
    record Definition(JobRequest request, Set<String> nulled) {}

    /** What the acting user may not do with a file's jobs, asked of each job as it is planned. */
    interface Refusal {

        /** Refuses nothing: the jobs file at start-up, the operator's own configuration. */
        Refusal NONE = new Refusal() {
            @Override
            public Optional<FieldError> ofJob(JobRequest definition, String namespace) {
                return Optional.empty();
            }

            @Override
            public Optional<FieldError> ofChange(JobRequest definition, String namespace, Optional<Job> stored) {
                return Optional.empty();
            }

            @Override
            public Optional<FieldError> ofRole(JobRequest definition, String namespace, Job stored) {
                return Optional.empty();
            }

            @Override
            public Optional<FieldError> ofCalendar(String name, String namespace) {
                return Optional.empty();
            }

            @Override
            public Optional<FieldError> ofCalendarChange(String name, String namespace, boolean creating) {
                return Optional.empty();
            }
        };

        /** Refuses the job whatever applying it would do: one of a namespace the user may not see. */
        Optional<FieldError> ofJob(JobRequest definition, String namespace);

        /**
         * Refuses creating the job, or changing {@code stored} (the user's role, a quota). Never asked of a job the
         * file leaves unchanged, so an unchanged export plans as unchanged whoever imports it.
         */
        Optional<FieldError> ofChange(JobRequest definition, String namespace, Optional<Job> stored);

        /**
         * Refuses {@code stored} to a user whose role may not change it, asked of a job the file leaves unchanged but
         * writes a secret of in plain text: only the role, not the plan's versions nor a quota, so a job unchanged by
         * the file is never stale and a user who may change it is asked nothing more.
         */
        Optional<FieldError> ofRole(JobRequest definition, String namespace, Job stored);

        /**
         * Refuses calendar {@code name} of {@code namespace} (null: a global one) whatever applying it would do, asked
         * before it is looked up.
         */
        Optional<FieldError> ofCalendar(String name, String namespace);

        /** Refuses creating ({@code creating}) or changing calendar {@code name}; never asked of one left unchanged. */
        Optional<FieldError> ofCalendarChange(String name, String namespace, boolean creating);
    }

    /** What applying did, by name ({@code namespace/name} outside the default namespace). */
    public record Applied(List<String> created, List<String> updated, List<String> unchanged) {}

    /**
     * What applying did to the file's calendars and jobs, each job's warning, as {@code job: field: message}, and the
     * jobs left out at start-up because their only errors were masks with no secret stored behind them.
     */
    public record AppliedFile(Applied calendars, Applied jobs, List<String> warnings, List<String> skipped) {}

    /**
     * What applying one definition does or would do: {@code create}, {@code update}, {@code unchanged} or {@code
     * invalid}. Names are unique per namespace: the namespace tells two jobs of one name apart. Warnings say what
     * a change does that a person may not expect (a one-time job saved with its run_at passed, so it will not run).
     */
    public record Outcome(
            String name,
            String namespace,
            String action,
            List<Change> changes,
            List<FieldError> errors,
            List<FieldError> warnings) {

        public Outcome(String name, String namespace, String action, List<Change> changes, List<FieldError> errors) {
            this(name, namespace, action, changes, errors, List.of());
        }

        /** The job as a person reads it: its name, or {@code namespace/name} outside the default namespace. */
        String label() {
            return namespace == null || namespace.equals(JobDefinition.DEFAULT_NAMESPACE) || name == null
                    ? name
                    : namespace + "/" + name;
        }

        boolean changing() {
            return action.equals("create") || action.equals("update");
        }
    }

    /**
     * One field a definition changes: its value before and after, and a note where they read alike: {@code secret
     * changed: parameters.signing_secret}, when only a secret (shown as its mask on both sides) changed.
     */
    public record Change(
            String field,
            Object before,
            Object after,

            @com.fasterxml.jackson.annotation.JsonInclude(com.fasterxml.jackson.annotation.JsonInclude.Include.NON_NULL)
            String note) {

        public Change(String field, Object before, Object after) {
            this(field, before, after, null);
        }
    }

    private final JobService jobs;
    private final JobCommands commands;
    private final JobLookups lookups;
    private final FileCalendars calendars;
    private final TransactionTemplate transactions;
    /**
     * One savepoint per job: a job whose saving fails is undone alone, and the next ones still plan (PostgreSQL aborts
     * the whole transaction on a failed statement otherwise).
     */
    private final TransactionTemplate savepoints;

    private final JsonMapper json;
    private final String file;
    private final AuditTrail audit;
    private final Limits limits;
    private final SecretParameters secrets;
    /**
     * How deep a jobs file may nest: the API's limit on a JSON body ({@code almanac.api.max-json-depth}, 32 by
     * default), which a YAML body, read here and not by the API's filter, was not held to.
     */
    static final int MAX_DEPTH = 32;

    private static final StreamReadConstraints NESTING =
            StreamReadConstraints.builder().maxNestingDepth(MAX_DEPTH).build();

    /**
     * A list where a string is expected ({@code tags: [[a]]}) refused as the wrong type ({@code jobs[0].tags[0]: must
     * be a string}): the reader's own string rule took the list's first token and lost its place in the file, dropping
     * the job's next fields and reading them as a job of their own, with no name.
     */
    private static final tools.jackson.databind.module.SimpleModule NO_LIST_FOR_A_STRING =
            new tools.jackson.databind.module.SimpleModule("no-list-for-a-string")
                    .addDeserializer(String.class, new NoListForAString());

    private static final class NoListForAString extends tools.jackson.databind.deser.jdk.StringDeserializer {

        @Override
        public String deserialize(JsonParser parser, tools.jackson.databind.DeserializationContext context) {
            if (parser.isExpectedStartArrayToken()) {
                return (String) context.handleUnexpectedToken(String.class, parser);
            }
            return super.deserialize(parser, context);
        }
    }

    /**
     * A YAML jobs file, read as the API reads JSON ({@link StrictJsonReading}) but for text: YAML writes a string
     * without quotes, so {@code name: 2024} is the name "2024" (documented: quote a value to be sure of its type).
     */
    private final YAMLMapper yaml = StrictJsonReading.refuseConversionsAndFieldsGivenTwice(
                    YAMLMapper.builder(new YamlNulls(YAMLFactory.builder().streamReadConstraints(NESTING)))
                            .propertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
                            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
                            .addModule(NO_LIST_FOR_A_STRING))
            .withCoercionConfig(
                    LogicalType.Textual,
                    config -> config.setCoercion(CoercionInputShape.Integer, CoercionAction.TryConvert)
                            .setCoercion(CoercionInputShape.Float, CoercionAction.TryConvert)
                            .setCoercion(CoercionInputShape.Boolean, CoercionAction.TryConvert))
            .build();

    /**
     * A JSON jobs file (an export, a JSON import body), read as the API reads a JSON body: by the YAML parser it lost
     * characters JSON allows and YAML does not (U+0080, U+0085 read as a line break).
     */
    private final JsonMapper jsonFile = StrictJsonReading.refuseConversionsAndFieldsGivenTwice(JsonMapper.builder(
                            JsonFactory.builder().streamReadConstraints(NESTING).build())
                    .propertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
                    .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
                    .addModule(NO_LIST_FOR_A_STRING))
            .build();

    /** As the API says it of a JSON body's field (web's RequestParameterCheck). */
    private static final String NUL = "must not contain the NUL character (U+0000)";

    /** Tells JSON from YAML: reads tokens only, so a field given twice is the reader's error, not a sign of YAML. */
    private static final JsonFactory JSON_SYNTAX = new JsonFactory();

    JobsFile(
            JobService jobs,
            JobCommands commands,
            JobLookups lookups,
            FileCalendars calendars,
            TransactionTemplate transactions,
            JsonMapper json,
            AuditTrail audit,
            Limits limits,
            SecretParameters secrets,
            @Value("${almanac.jobs-file:}") String file) {
        this.secrets = secrets;
        this.calendars = calendars;
        this.limits = limits;
        this.audit = audit;
        this.jobs = jobs;
        this.commands = commands;
        this.lookups = lookups;
        this.transactions = transactions;
        this.savepoints = new TransactionTemplate(Objects.requireNonNull(transactions.getTransactionManager()));
        this.savepoints.setPropagationBehavior(TransactionDefinition.PROPAGATION_NESTED);
        this.json = json;
        this.file = file;
    }

    void applyAtStart() {
        if (file == null || file.isBlank()) {
            return;
        }
        AppliedFile applied = apply(Path.of(file));
        applied.warnings().forEach(warning -> log.warn("Jobs file {}: {}", file, warning));
        if (applied.calendars().created().size()
                        + applied.calendars().updated().size()
                        + applied.calendars().unchanged().size()
                > 0) {
            log.info(
                    "Jobs file {}: calendars {} created, {} updated, {} unchanged",
                    file,
                    applied.calendars().created().size(),
                    applied.calendars().updated().size(),
                    applied.calendars().unchanged().size());
        }
        log.info(
                "Jobs file {}: {} created{}, {} updated{}, {} unchanged{}",
                file,
                applied.jobs().created().size(),
                named(applied.jobs().created()),
                applied.jobs().updated().size(),
                named(applied.jobs().updated()),
                applied.jobs().unchanged().size(),
                applied.skipped().isEmpty()
                        ? ""
                        : ", " + applied.skipped().size() + " skipped" + named(applied.skipped()));
    }

    /** How many jobs a start-up log line names, of each kind: enough to find what a start changed. */
    static final int LOGGED_NAMES = 20;

    /** The names, up to {@value #LOGGED_NAMES}, as {@code " (a, b, … and 3 more)"}; none: nothing. */
    static String named(List<String> names) {
        if (names.isEmpty()) {
            return "";
        }
        String listed = String.join(", ", names.subList(0, Math.min(names.size(), LOGGED_NAMES)));
        return " (" + listed + (names.size() > LOGGED_NAMES ? " and " + (names.size() - LOGGED_NAMES) + " more" : "")
                + ")";
    }

    /**
     * Reads a jobs file or an import body: JSON (an object, read as the API reads a JSON body) or YAML, its aliases
     * written out as the values their anchors name.
     *
     * @throws InvalidInputException naming the path of an alias that cannot be written out
     */
    Parsed read(String text) {
        boolean json = isJson(text);
        ObjectMapper reader = json ? jsonFile : yaml;
        String expanded;
        Contents contents;
        JsonNode tree;
        List<Misread> misread = new ArrayList<>();
        try {
            expanded = json ? text : YamlAliases.expand(text);
            // the file read as jobs first: its first wrong job is named as such, before a fault further on in the text
            contents = contents(reader, expanded, misread, json ? "JSON value" : "YAML document (---)");
            tree = reader.readTree(expanded);
        } catch (StreamReadException yamlSyntax) {
            if (!misread.isEmpty()) {
                // the entries misread before the syntax error, as a file with one wrong job and a slip after it
                // always named the job first
                throw new InvalidInputException(
                        misread.stream().map(wrong -> wrong.said(null, false)).toList());
            }
            if (!json && writtenAsJson(text)) {
                // a JSON file with a slip in it (a trailing comma, a missing quote) is told JSON's words and place
                jsonFile.readTree(text);
            }
            throw yamlSyntax;
        }
        if (!misread.isEmpty()) {
            // a line of the text the reader read: one with aliases written out is not the file's
            boolean linesAsWritten = expanded.equals(text);
            throw new InvalidInputException(misread.stream()
                    .map(wrong -> wrong.said(tree, linesAsWritten))
                    .toList());
        }
        refuseNul(tree, "");
        if (contents == null) {
            return new Parsed(List.of(), List.of());
        }
        if (contents.jobs() == null) {
            return new Parsed(contents.calendars(), List.of());
        }
        // the definitions as records have lost which fields the file set to null, and a null clears a field
        JsonNode written = tree.path("jobs");
        List<Definition> definitions = new ArrayList<>();
        for (int i = 0; i < contents.jobs().size(); i++) {
            definitions.add(new Definition(contents.jobs().get(i), nulled(written.get(i))));
        }
        return new Parsed(contents.calendars(), definitions);
    }

    /**
     * Whether the text is a JSON object: it starts with {@code {} and its tokens are JSON's. YAML in flow style ({@code
     * {jobs: [...]}}) is not, and is read as YAML.
     */
    private static boolean isJson(String text) {
        if (!text.stripLeading().startsWith("{")) {
            return false;
        }
        try (JsonParser parser = JSON_SYNTAX.createParser(ObjectReadContext.empty(), text)) {
            while (parser.nextToken() != null) {
                // every token, to the end
            }
            return true;
        } catch (StreamConstraintsException tooLarge) {
            return true; // JSON, which the reader refuses saying which limit
        } catch (JacksonException notJson) {
            return false;
        }
    }

    /**
     * Whether the text begins as JSON does, an object whose first field name is quoted ({@code {"jobs": ...}}): YAML
     * written in flow style by hand leaves its names bare ({@code {jobs: [...]}}).
     */
    private static boolean writtenAsJson(String text) {
        String start = text.stripLeading();
        return start.startsWith("{") && start.substring(1).stripLeading().startsWith("\"");
    }

    /**
     * A calendar or job the reader could not take (an unknown field, a value of the wrong type), by its list and place,
     * and where in the text.
     */
    private record Misread(String list, int index, FieldError error, int line) {

        /** As a person reads it: {@code jobs[1].tempate_type: job 'bad-a': is not a known field ... (line 7)}. */
        FieldError said(JsonNode tree, boolean withLine) {
            String field = index < 0
                    ? error.field()
                    : error.prefixed(list + "[" + index + "]").field();
            JsonNode entry = index < 0 || tree == null ? null : tree.path(list).get(index);
            String name = entry == null || !entry.path("name").isString()
                    ? null
                    : entry.path("name").asString().strip();
            String namespace = entry == null || !entry.path("namespace").isString()
                    ? ""
                    : entry.path("namespace").asString().strip();
            String label =
                    namespace.isEmpty() || (list.equals("jobs") && namespace.equals(JobDefinition.DEFAULT_NAMESPACE))
                            ? name
                            : namespace + "/" + name;
            return new FieldError(
                    field,
                    (name == null || name.isEmpty()
                                    ? ""
                                    : (list.equals("jobs") ? "job" : "calendar") + " '" + label + "': ")
                            + error.message()
                            + (withLine && line > 0 ? " (line " + line + ")" : ""));
        }
    }

    /**
     * The file's calendars and jobs, each entry read on its own so that every entry the reader cannot take is named
     * in {@code misread}, not only the first; a syntax error (and a field given twice) still ends the reading.
     */
    private static Contents contents(ObjectMapper reader, String text, List<Misread> misread, String unit) {
        try (JsonParser parser = reader.createParser(text)) {
            if (parser.nextToken() != JsonToken.START_OBJECT) {
                // not a jobs file: the reader says so as it always did
                return reader.readValue(text, Contents.class);
            }
            List<CalendarSpec> calendars = null;
            List<JobRequest> jobs = null;
            while (parser.nextToken() == JsonToken.PROPERTY_NAME) {
                String field = parser.currentName();
                JsonToken value = parser.nextToken();
                if (!field.equals("calendars") && !field.equals("jobs")) {
                    misread.add(new Misread(
                            field,
                            -1,
                            new FieldError(
                                    field,
                                    "is not a known field"
                                            + dev.almanac.common.NameHints.didYouMean(
                                                    field, List.of("calendars", "jobs"))),
                            parser.currentTokenLocation().getLineNr()));
                    parser.skipChildren();
                } else if (value == JsonToken.VALUE_NULL) {
                    continue;
                } else if (value != JsonToken.START_ARRAY) {
                    misread.add(new Misread(
                            field,
                            -1,
                            new FieldError(field, "must be an array"),
                            parser.currentTokenLocation().getLineNr()));
                    parser.skipChildren();
                } else if (field.equals("calendars")) {
                    calendars = entries(reader, parser, text, CalendarSpec.class, field, misread);
                } else {
                    jobs = entries(reader, parser, text, JobRequest.class, field, misread);
                }
            }
            if (parser.nextToken() != null) {
                throw new InvalidInputException(
                        "jobs",
                        "holds more than one " + unit + ": a jobs file is one, with every job under its one jobs:"
                                + " list");
            }
            return new Contents(calendars, jobs);
        }
    }

    /** How many misread entries are looked up in the text for their line: each look-up reads the text again. */
    private static final int LINES_LOOKED_UP = 20;

    /**
     * The line of the field an entry's error names ({@code jobs[i]} and the error's path), found by reading the text
     * again: where the reader stopped may be past it, at the entry's end (an unknown field is told once the record
     * is read), in YAML the next line.
     */
    private static Optional<Integer> lineOf(
            ObjectMapper reader, String text, String list, int index, tools.jackson.databind.DatabindException error) {
        if (index >= LINES_LOOKED_UP) {
            return Optional.empty();
        }
        tools.jackson.core.JsonPointer target =
                tools.jackson.core.JsonPointer.compile("/" + list).appendIndex(index);
        for (JacksonException.Reference step : error.getPath()) {
            target = step.getPropertyName() != null
                    ? target.appendProperty(step.getPropertyName())
                    : step.getIndex() >= 0 ? target.appendIndex(step.getIndex()) : target;
        }
        try (JsonParser again = reader.createParser(text)) {
            for (JsonToken token = again.nextToken(); token != null; token = again.nextToken()) {
                if (token == JsonToken.PROPERTY_NAME || token.isScalarValue() || token.isStructStart()) {
                    tools.jackson.core.JsonPointer at = token.isStructStart()
                            ? again.streamReadContext().getParent() == null
                                    ? null
                                    : again.streamReadContext().getParent().pathAsPointer()
                            : again.streamReadContext().pathAsPointer();
                    if (target.equals(at)) {
                        return Optional.of(again.currentTokenLocation().getLineNr());
                    }
                }
            }
        } catch (JacksonException unreadable) {
            return Optional.empty();
        }
        return Optional.empty();
    }

    /** The entries of the list the parser is at the start of, each read on its own; one misread is null. */
    private static <T> List<T> entries(
            ObjectMapper reader, JsonParser parser, String text, Class<T> type, String list, List<Misread> misread) {
        List<T> entries = new ArrayList<>();
        tools.jackson.core.TokenStreamContext inList = parser.streamReadContext();
        // one entry, not the rest of the text: the file's next entries are not trailing tokens
        tools.jackson.databind.ObjectReader entry =
                reader.readerFor(type).without(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
        for (JsonToken next = parser.nextToken();
                next != JsonToken.END_ARRAY && next != null;
                next = parser.nextToken()) {
            try {
                entries.add(entry.readValue(parser));
            } catch (StreamReadException syntax) {
                throw syntax;
            } catch (tools.jackson.databind.DatabindException wrong) {
                int line = lineOf(reader, text, list, entries.size(), wrong)
                        .orElse(parser.currentTokenLocation().getLineNr());
                misread.add(new Misread(list, entries.size(), readError(wrong), line));
                entries.add(null);
                // on to the entry's end, where the next one starts
                while (parser.streamReadContext() != inList && parser.nextToken() != null) {
                    // the rest of the entry
                }
            }
        }
        return entries;
    }

    /**
     * Refuses a NUL character (U+0000) anywhere in the file, in a name or a value, naming where: PostgreSQL stores none,
     * and YAML's {@code "\0"} or JSON's {@code "\u0000"} would take it there (the API's JSON bodies are refused alike).
     */
    private static void refuseNul(JsonNode node, String at) {
        if (node == null) {
            return;
        }
        if (node.isString() && node.asString().indexOf('\u0000') >= 0) {
            throw new InvalidInputException(at.isEmpty() ? "body" : at, NUL);
        }
        if (node.isObject()) {
            for (Map.Entry<String, JsonNode> field : node.properties()) {
                String path = at.isEmpty() ? field.getKey() : at + "." + field.getKey();
                if (field.getKey().indexOf('\u0000') >= 0) {
                    throw new InvalidInputException(path, NUL);
                }
                refuseNul(field.getValue(), path);
            }
        } else if (node.isArray()) {
            for (int i = 0; i < node.size(); i++) {
                refuseNul(node.get(i), at + "[" + i + "]");
            }
        }
    }

    /**
     * The field and reason a jobs file could not be read, for a person: a YAML or JSON syntax error (wherever it is,
     * also inside a job, where the reader's own words were lost to "is not valid JSON") says so, as the format the file
     * was read as, with its line and column; {@code null} field: the file as a whole.
     */
    static FieldError readError(JacksonException e) {
        FieldError error = JsonInputErrors.fieldError(e);
        // the reader's syntax errors only: a field given twice, a wrong type, ... keep their own words
        if (e instanceof tools.jackson.core.exc.StreamReadException syntax
                && !(e instanceof StreamConstraintsException)
                && error.message().equals("is not valid JSON")) {
            boolean yaml = e instanceof tools.jackson.dataformat.yaml.JacksonYAMLParseException
                    || e.processor() instanceof tools.jackson.dataformat.yaml.YAMLParser;
            String where = syntax.getLocation() == null || syntax.getLocation().getLineNr() < 1
                    ? ""
                    : " at line " + syntax.getLocation().getLineNr() + ", column "
                            + syntax.getLocation().getColumnNr();
            String why = String.valueOf(syntax.getOriginalMessage())
                    .lines()
                    .map(String::strip)
                    .filter(line -> !line.isEmpty() && !line.startsWith("in 'reader'") && !line.startsWith("^"))
                    .findFirst()
                    .orElse("");
            if (e.getCause() instanceof org.snakeyaml.engine.v2.exceptions.MarkedYamlEngineException marked
                    && marked.getProblemMark().isPresent()) {
                // YAML's own words: where the problem is, and what it was reading then (from where)
                var problem = marked.getProblemMark().get();
                where = " at line " + (problem.getLine() + 1) + ", column " + (problem.getColumn() + 1);
                why = String.valueOf(marked.getProblem())
                        + (marked.getContext() == null
                                ? ""
                                : " (" + marked.getContext()
                                        + marked.getContextMark()
                                                .map(mark -> " from line " + (mark.getLine() + 1) + ", column "
                                                        + (mark.getColumn() + 1))
                                                .orElse("")
                                        + ")");
            }
            String field = error.field().isEmpty() || error.field().equals("body") ? null : error.field();
            return new FieldError(
                    field == null ? "" : field,
                    (yaml ? "YAML" : "JSON") + " syntax error" + where + (why.isEmpty() ? "" : ": " + why));
        }
        return error;
    }

    private static Set<String> nulled(JsonNode job) {
        Set<String> nulled = new LinkedHashSet<>();
        if (job != null && job.isObject()) {
            for (Map.Entry<String, JsonNode> field : job.properties()) {
                if (field.getValue().isNull() && !field.getKey().equals("version")) {
                    nulled.add(field.getKey());
                }
            }
        }
        return nulled;
    }

    /** Reads and applies a jobs file in one transaction, as the actor {@code system}. */
    public AppliedFile apply(Path path) {
        Parsed definitions;
        try {
            definitions = read(Files.readString(path));
        } catch (JacksonException e) {
            FieldError error = readError(e);
            throw new IllegalStateException("Jobs file " + path + " is not valid: "
                    + (error.field().equals("body")
                            ? e.getOriginalMessage()
                            : (error.field().isEmpty() ? "" : error.field() + ": ") + error.message()));
        } catch (InvalidInputException e) {
            List<String> problems = e.errors().stream()
                    .map(error -> (error.field().isEmpty() ? "" : error.field() + ": ") + error.message())
                    .toList();
            // every problem the reader found, one a line, so that one start tells them all
            throw new IllegalStateException("Jobs file " + path + " is not valid: "
                    + (problems.size() == 1 ? problems.get(0) : "\n  - " + String.join("\n  - ", problems)));
        } catch (java.io.IOException e) {
            throw new IllegalStateException("Cannot read the jobs file " + path + ": " + e.getMessage(), e);
        }
        // the system actor is held to no job quota: the file is the operator's own configuration
        // a job whose only errors are masks with nothing stored behind them (deleted or renamed through the API since
        // the file was written, or a secret cleared in the UI) is left out with a warning, and so is a job of the file
        // whose only errors are upstreams so left out: the file is read at every start, and failing it would stop
        // every start for good over an edit in the UI. On a database with no jobs yet (the system jobs aside), the
        // first start from an export of another install, such a mask stops the start: the jobs are what is wanted
        boolean skipUnkeptMasks = jobsStoredBesidesTheSystemJobs();
        Outcomes outcomes = run(definitions, "system", true, Limits.JobQuota.NONE, Refusal.NONE, skipUnkeptMasks);
        List<String> invalid = new ArrayList<>(problems("calendars", outcomes.calendars()));
        invalid.addAll(problems("jobs", outcomes.jobs()));
        if (!invalid.isEmpty()) {
            // the jobs that alone would have been left out, with their reasons: an invalid job may name one upstream
            outcomes.jobs().stream()
                    .filter(o -> o.action().equals(SKIPPED))
                    .forEach(o -> invalid.add("jobs[" + o.label() + "]: would be left out, which alone would not stop"
                            + " the start: " + o.warnings().get(0).message()));
            throw new IllegalStateException("Jobs file " + path + " has invalid entries; nothing was applied:\n  - "
                    + String.join("\n  - ", invalid));
        }
        List<String> warnings = new ArrayList<>();
        List<String> skipped = new ArrayList<>();
        outcomes.jobs().stream().filter(o -> o.action().equals(SKIPPED)).forEach(outcome -> {
            skipped.add(outcome.label());
            warnings.add("job '" + outcome.label() + "' was not applied: "
                    + outcome.warnings().get(0).message());
        });
        outcomes.jobs().stream()
                .filter(outcome -> !outcome.action().equals(SKIPPED))
                .forEach(outcome -> outcome.warnings()
                        .forEach(warning ->
                                warnings.add(outcome.label() + ": " + warning.field() + ": " + warning.message())));
        AppliedFile applied =
                new AppliedFile(applied(outcomes.calendars()), applied(outcomes.jobs()), warnings, skipped);
        if (outcomes.all().anyMatch(Outcome::changing)) {
            Map<String, Object> details = new LinkedHashMap<>();
            details.put("created", applied.jobs().created());
            details.put("updated", applied.jobs().updated());
            details.put("unchanged", applied.jobs().unchanged().size());
            if (!outcomes.calendars().isEmpty()) {
                details.put("calendars", labelled(outcomes.calendars()));
            }
            audit.record(
                    "system",
                    "job.imported",
                    AuditTrail.SUCCESS,
                    AuditTrail.Target.of("jobs_file", null, path.toString()),
                    details);
        }
        return applied;
    }

    /**
     * What applying the definitions would do; changes nothing. The jobs it would create beyond the {@code quota} are
     * {@code invalid}, with the quota as their error, and so is each job {@code refusal} refuses.
     */
    Outcomes plan(Parsed definitions, String actor, Limits.JobQuota quota, Refusal refusal) {
        return run(definitions, actor, false, quota, refusal, false);
    }

    /**
     * Applies the definitions, all or nothing; throws naming every problem when one is invalid (or refused by {@code
     * refusal}), and nothing is stored.
     *
     * @throws dev.almanac.common.ForbiddenException naming the quota and the count when the file would create more
     *     jobs than the {@code quota} leaves room for; nothing is stored
     * @throws ConflictException naming each job changed since the {@code version} the file gives (or since the plan
     *     the {@code refusal} holds to); nothing is stored
     */
    Outcomes applyAll(Parsed definitions, String actor, Limits.JobQuota quota, Refusal refusal) {
        Outcomes outcomes = run(definitions, actor, true, quota, refusal, false);
        long creating = outcomes.jobs().stream()
                .filter(o -> o.action().equals("create") || o.errors().contains(overQuota(quota)))
                .count();
        if (creating > quota.room()) {
            throw limits.refused(quota, creating);
        }
        List<FieldError> errors = new ArrayList<>(prefixedErrors("calendars", "calendar", outcomes.calendars()));
        errors.addAll(prefixedErrors("jobs", "job", outcomes.jobs()));
        List<FieldError> stale = errors.stream()
                .filter(error -> error.field().matches("jobs\\[\\d+]\\.version"))
                .toList();
        if (!stale.isEmpty()) {
            // a job changed since the file was written or planned: a conflict (409), as a stale version in a PUT
            throw new ConflictException(
                    stale.get(0).field(),
                    stale.stream().map(FieldError::message).collect(Collectors.joining("; ")));
        }
        if (!errors.isEmpty()) {
            throw new InvalidInputException(errors);
        }
        return outcomes;
    }

    /** Each error of the outcomes, its field prefixed by the entry's place in the file and its message by its name. */
    private static List<FieldError> prefixedErrors(String list, String kind, List<Outcome> outcomes) {
        List<FieldError> errors = new ArrayList<>();
        for (int i = 0; i < outcomes.size(); i++) {
            Outcome outcome = outcomes.get(i);
            String prefix = list + "[" + i + "]";
            // the index finds the entry in the file, the name tells a person which one it is
            String named = outcome.name() == null ? "" : kind + " '" + outcome.label() + "': ";
            outcome.errors().forEach(error -> {
                FieldError prefixed = error.prefixed(prefix);
                errors.add(new FieldError(prefixed.field(), named + prefixed.message()));
            });
        }
        return errors;
    }

    private static Applied applied(List<Outcome> outcomes) {
        return new Applied(named(outcomes, "create"), named(outcomes, "update"), named(outcomes, "unchanged"));
    }

    /** Each outcome as {@code label: action}, as the audit trail records an import. */
    static List<String> labelled(List<Outcome> outcomes) {
        return outcomes.stream().map(o -> o.label() + ": " + o.action()).toList();
    }

    private static List<String> named(List<Outcome> outcomes, String action) {
        return outcomes.stream()
                .filter(o -> o.action().equals(action))
                .map(Outcome::label)
                .toList();
    }

    private static List<String> problems(String list, List<Outcome> outcomes) {
        List<String> problems = new ArrayList<>();
        for (Outcome outcome : outcomes) {
            if (outcome.action().equals(SKIPPED)) {
                continue;
            }
            outcome.errors()
                    .forEach(error -> problems.add(list + "[" + outcome.label() + "]"
                            + (error.field().isEmpty() ? "" : "." + error.field()) + ": " + error.message()));
        }
        return problems;
    }

    /**
     * Upserts every calendar, then every job, in one transaction, kept only when {@code commit}, every one was valid
     * and the jobs created fit in the {@code quota}. A job is matched by its namespace and name, trimmed as the API
     * stores them, and so is a calendar. With {@code skipUnkeptMasks}, a job whose only errors are masks with no
     * secret stored behind them is {@value #SKIPPED}, not saved, and keeps the others from nothing; so is a job whose
     * only errors are upstreams so skipped.
     */
    private Outcomes run(
            Parsed file,
            String actor,
            boolean commit,
            Limits.JobQuota quota,
            Refusal refusal,
            boolean skipUnkeptMasks) {
        List<Definition> definitions = file.jobs();
        List<Outcome> calendarOutcomes = new ArrayList<>();
        List<Outcome> outcomes = new ArrayList<>();
        InFile inFile = new InFile(definitions);
        Map<Integer, List<FieldError>> loops = inFile.loops();
        // each job's audit event, written only when the file is applied: a plan, or a file with an error, is rolled
        // back and must leave no "audit:" line in the log either
        List<Runnable> audited = new ArrayList<>();
        transactions.executeWithoutResult(status -> {
            // the jobs may list the file's calendars: those are put first
            calendarOutcomes.addAll(calendars.put(file.calendars(), actor, refusal));
            Set<String> keys = new HashSet<>();
            Outcome[] inOrder = new Outcome[definitions.size()];
            boolean[] stored = new boolean[definitions.size()];
            // a job's triggers and depends_on name their upstream jobs, so those in the file are saved first; outcomes
            // keep file order
            for (int i : inFile.upstreamFirst()) {
                JobRequest definition = definitions.get(i).request();
                if (definition == null) {
                    inOrder[i] = invalid(null, null, new FieldError("", "must be an object: a job's definition"));
                    continue;
                }
                String name = nameOf(definition);
                String namespace = namespaceOf(definition);
                if (name == null || !keys.add(namespace + "/" + name)) {
                    inOrder[i] = invalid(
                            name == null ? definition.name() : name,
                            namespace,
                            new FieldError("name", name == null ? "is required" : "is named twice"));
                    continue;
                }
                Optional<FieldError> hidden = refusal.ofJob(definition, namespace);
                if (hidden.isPresent()) {
                    inOrder[i] = invalid(name, namespace, hidden.get());
                    continue;
                }
                Optional<Job> current = lookups.idByName(namespace, name).flatMap(jobs::find);
                stored[i] = current.isPresent();
                Definition written = definitions.get(i);
                inOrder[i] = savepoints.execute(savepoint -> {
                    int auditedBefore = audited.size();
                    Outcome outcome = upsert(written, name, namespace, current, actor, audited);
                    List<FieldError> looped = loops.getOrDefault(i, List.of());
                    if (!looped.isEmpty()) {
                        // an upstream that is the job itself or closes a loop among the file's jobs: said as that,
                        // not as "no job named" (a new upstream is not stored yet), with the job's other errors
                        List<FieldError> errors = new ArrayList<>(looped);
                        outcome.errors().stream()
                                .filter(error ->
                                        looped.stream().noneMatch(l -> l.field().equals(error.field())))
                                .forEach(errors::add);
                        outcome = new Outcome(name, namespace, "invalid", List.of(), errors);
                    }
                    // a secret written in plain text for a stored job is asked of as a change even when it matches:
                    // "unchanged" for a right guess and "you may not update" for a wrong one would let a user who may
                    // not change the job confirm its secret by guessing
                    // (only the role is asked then: the job is unchanged, so a version moved since a plan is no
                    // conflict)
                    Optional<FieldError> refused = outcome.changing()
                            ? refusal.ofChange(definition, namespace, current)
                            : outcome.action().equals("unchanged")
                                            && current.isPresent()
                                            && writesASecret(definition, current.get())
                                    ? refusal.ofRole(definition, namespace, current.get())
                                    : Optional.empty();
                    if (refused.isPresent()) {
                        outcome = invalid(name, namespace, refused.get());
                    }
                    if (skipUnkeptMasks && onlyUnkeptMasks(outcome, written)) {
                        outcome = skippedForMasks(name, namespace, outcome.errors(), stored[i]);
                    }
                    if (outcome.action().equals("invalid") || outcome.action().equals(SKIPPED)) {
                        savepoint.setRollbackOnly();
                        audited.subList(auditedBefore, audited.size()).clear();
                    }
                    return outcome;
                });
            }
            outcomes.addAll(withInvalidCalendarsNamed(
                    inFile.withInvalidUpstreamsNamed(inOrder, stored, skipUnkeptMasks), definitions, calendarOutcomes));
            long created = 0;
            for (int i = 0; i < outcomes.size(); i++) {
                Outcome outcome = outcomes.get(i);
                if (outcome.action().equals("create") && ++created > quota.room()) {
                    outcomes.set(
                            i,
                            new Outcome(
                                    outcome.name(),
                                    outcome.namespace(),
                                    "invalid",
                                    outcome.changes(),
                                    List.of(overQuota(quota))));
                }
            }
            if (!commit
                    || Stream.concat(calendarOutcomes.stream(), outcomes.stream())
                            .anyMatch(o -> o.action().equals("invalid"))) {
                status.setRollbackOnly();
            } else {
                audited.forEach(Runnable::run);
            }
        });
        return new Outcomes(calendarOutcomes, outcomes);
    }

    /**
     * The outcomes, with a job's "unknown calendar" about a calendar of the file that is invalid (and so was not saved)
     * said as that: the fix is in the calendar, not in the job.
     */
    private static List<Outcome> withInvalidCalendarsNamed(
            List<Outcome> outcomes, List<Definition> definitions, List<Outcome> calendars) {
        Set<String> invalid = calendars.stream()
                .filter(c -> c.action().equals("invalid") && c.name() != null)
                .map(c -> (c.namespace() == null ? "" : c.namespace()) + "/" + c.name())
                .collect(Collectors.toSet());
        if (invalid.isEmpty()) {
            return outcomes;
        }
        List<Outcome> named = new ArrayList<>();
        for (int i = 0; i < outcomes.size(); i++) {
            Outcome outcome = outcomes.get(i);
            JobRequest definition = definitions.get(i).request();
            if (!outcome.action().equals("invalid") || definition == null || definition.calendars() == null) {
                named.add(outcome);
                continue;
            }
            String namespace = namespaceOf(definition);
            Map<String, List<String>> lists = Map.of(
                    "calendars.blackout", definition.calendars().blackout(),
                    "calendars.only", definition.calendars().only());
            List<FieldError> errors = outcome.errors().stream()
                    .map(error -> lists.getOrDefault(error.field(), List.of()).stream()
                            .filter(Objects::nonNull)
                            .map(String::strip)
                            .filter(name -> invalid.contains(namespace + "/" + name) || invalid.contains("/" + name))
                            .findFirst()
                            .map(name -> new FieldError(
                                    error.field(),
                                    "the calendar '" + name + "' in this file is invalid: see its errors"))
                            .orElse(error))
                    .toList();
            named.add(new Outcome(outcome.name(), outcome.namespace(), "invalid", outcome.changes(), errors));
        }
        return named;
    }

    /**
     * Whether every error of an invalid outcome is at a mask (or a shown webhook URL) of the definition: a secret the
     * file does not hold and nothing stored can stand for.
     */
    private boolean onlyUnkeptMasks(Outcome outcome, Definition definition) {
        if (!outcome.action().equals("invalid") || outcome.errors().isEmpty()) {
            return false;
        }
        JsonNode written = json.valueToTree(definition.request());
        return outcome.errors().stream().allMatch(error -> masked(at(written, error.field())));
    }

    /**
     * A job left out for its masks, its reason (as its one warning) worded from whether it is stored: a job not stored
     * here is left out, a stored one keeps what is stored, none of the file's changes applied.
     */
    private static Outcome skippedForMasks(String name, String namespace, List<FieldError> errors, boolean stored) {
        String label = new Outcome(name, namespace, SKIPPED, List.of(), List.of()).label();
        String fields = errors.stream().map(FieldError::field).distinct().collect(Collectors.joining(", "));
        String reason = stored
                ? "the stored job '" + label + "' has no secret at " + fields + " (" + Sealed.MASK
                        + " in the file): none of the file's changes to it were applied; write the secret into the"
                        + " file, or set it on the job"
                : "no job named '" + label + "' is stored here (deleted or renamed since the file was written, or"
                        + " the file comes from another install), so " + fields
                        + (errors.size() == 1 ? " is a mask" : " are masks") + " (" + Sealed.MASK
                        + ") with no secret behind it: left out; write its secrets into the file or remove it";
        return new Outcome(name, namespace, SKIPPED, List.of(), errors, List.of(new FieldError("", reason)));
    }

    /** Whether any job is stored but the system jobs as seeded: false on a new install's first start. */
    private boolean jobsStoredBesidesTheSystemJobs() {
        int seeded = SystemJobs.groups().values().stream().mapToInt(List::size).sum();
        return jobs.counts(null).total() > jobs.countSeeded(seeded);
    }

    private static Outcome invalid(String name, String namespace, FieldError error) {
        return new Outcome(name, namespace, "invalid", List.of(), List.of(error));
    }

    /** The name as the API stores it: trimmed; null when there is none. */
    private static String nameOf(JobRequest definition) {
        return definition.name() == null || definition.name().isBlank()
                ? null
                : definition.name().strip();
    }

    /** The namespaces a file's jobs name, in name order. */
    static java.util.SortedSet<String> namespacesOf(Parsed file) {
        java.util.SortedSet<String> named = new java.util.TreeSet<>();
        file.jobs().stream()
                .map(Definition::request)
                .filter(java.util.Objects::nonNull)
                .forEach(definition -> named.add(namespaceOf(definition)));
        return named;
    }

    /** The namespace as the API stores it: trimmed, the default one when there is none. */
    private static String namespaceOf(JobRequest definition) {
        return definition.namespace() == null || definition.namespace().isBlank()
                ? JobDefinition.DEFAULT_NAMESPACE
                : definition.namespace().strip();
    }

    /** The upstream jobs a definition names, by the field that names each ({@code depends_on[0]}, ...). */
    private static Map<String, String> upstreamsOf(JobRequest definition) {
        Map<String, String> upstreams = new LinkedHashMap<>();
        if (definition == null) {
            return upstreams;
        }
        List<JobRequest.TriggerJson> triggers = definition.triggers();
        for (int k = 0; triggers != null && k < triggers.size(); k++) {
            if (triggers.get(k) != null && triggers.get(k).job() != null) {
                upstreams.put("triggers[" + k + "].job", triggers.get(k).job());
            }
        }
        List<String> dependsOn = definition.dependsOn();
        for (int k = 0; dependsOn != null && k < dependsOn.size(); k++) {
            if (dependsOn.get(k) != null) {
                upstreams.put("depends_on[" + k + "]", dependsOn.get(k));
            }
        }
        return upstreams;
    }

    /** The jobs of one file by namespace and name, to find the upstream jobs that its jobs name among them. */
    private static final class InFile {

        private final List<Definition> definitions;
        private final Map<String, Integer> byKey = new HashMap<>();
        private final Map<String, List<Integer>> byName = new HashMap<>();

        InFile(List<Definition> definitions) {
            this.definitions = definitions;
            for (int i = 0; i < definitions.size(); i++) {
                JobRequest definition = definitions.get(i).request();
                String name = definition == null ? null : nameOf(definition);
                if (name != null && byKey.putIfAbsent(namespaceOf(definition) + "/" + name, i) == null) {
                    byName.computeIfAbsent(name, n -> new ArrayList<>()).add(i);
                }
            }
        }

        /**
         * The job of the file that {@code reference} (a trigger's job, a depends_on entry) names from a job of {@code
         * namespace}, as the API resolves it: {@code namespace/name}; a bare name in that namespace first, else the one
         * job of that name in another.
         */
        Optional<Integer> upstream(String reference, String namespace) {
            String named = reference.strip();
            int slash = named.indexOf('/');
            if (slash > 0) {
                return Optional.ofNullable(byKey.get(named.substring(0, slash).strip() + "/"
                        + named.substring(slash + 1).strip()));
            }
            Integer own = byKey.get(namespace + "/" + named);
            if (own != null) {
                return Optional.of(own);
            }
            List<Integer> elsewhere = byName.getOrDefault(named, List.of());
            return elsewhere.size() == 1 ? Optional.of(elsewhere.get(0)) : Optional.empty();
        }

        /**
         * Per job (by index), the upstreams it names that are the job itself ({@code a job cannot depend on itself}, as
         * the API says it) or another job of the file that waits for it in turn ({@code would create a cycle: l1 → l2
         * → l1}, the way runs would flow): the job service cannot tell, as a new upstream is not stored yet.
         */
        Map<Integer, List<FieldError>> loops() {
            Map<Integer, List<FieldError>> loops = new HashMap<>();
            for (int i = 0; i < definitions.size(); i++) {
                JobRequest definition = definitions.get(i).request();
                if (definition == null || nameOf(definition) == null) {
                    continue;
                }
                for (Map.Entry<String, String> named : upstreamsOf(definition).entrySet()) {
                    Optional<Integer> upstream = upstream(named.getValue(), namespaceOf(definition));
                    if (upstream.isEmpty()) {
                        continue;
                    }
                    String field = named.getKey();
                    if (upstream.get() == i) {
                        loops.computeIfAbsent(i, k -> new ArrayList<>())
                                .add(new FieldError(
                                        field,
                                        field.startsWith("triggers")
                                                ? "a job cannot trigger itself"
                                                : "a job cannot depend on itself"));
                        continue;
                    }
                    List<Integer> back = upstreamPath(upstream.get(), i);
                    if (!back.isEmpty()) {
                        // i waits for its upstream, which waits (through back) for i: runs flow the other way
                        List<Integer> cycle = new ArrayList<>(List.of(i));
                        cycle.addAll(back);
                        java.util.Collections.reverse(cycle);
                        loops.computeIfAbsent(i, k -> new ArrayList<>())
                                .add(new FieldError(
                                        field,
                                        "would create a cycle: "
                                                + cycle.stream()
                                                        .map(this::label)
                                                        .collect(Collectors.joining(" \u2192 "))));
                    }
                }
            }
            return loops;
        }

        /** The jobs from {@code from} to {@code to} following the upstreams each names in the file; empty: none. */
        private List<Integer> upstreamPath(int from, int to) {
            Map<Integer, Integer> reachedFrom = new HashMap<>();
            reachedFrom.put(from, null);
            java.util.Deque<Integer> frontier = new java.util.ArrayDeque<>(List.of(from));
            while (!frontier.isEmpty()) {
                int at = frontier.poll();
                if (at == to) {
                    List<Integer> path = new ArrayList<>();
                    for (Integer step = at; step != null; step = reachedFrom.get(step)) {
                        path.add(0, step);
                    }
                    return path;
                }
                JobRequest definition = definitions.get(at).request();
                if (definition == null) {
                    continue;
                }
                for (String reference : upstreamsOf(definition).values()) {
                    upstream(reference, namespaceOf(definition))
                            .filter(next -> !reachedFrom.containsKey(next))
                            .ifPresent(next -> {
                                reachedFrom.put(next, at);
                                frontier.add(next);
                            });
                }
            }
            return List.of();
        }

        /** A job of the file as a person reads it: its name, or {@code namespace/name} outside the default one. */
        private String label(int i) {
            JobRequest definition = definitions.get(i).request();
            String namespace = namespaceOf(definition);
            return namespace.equals(JobDefinition.DEFAULT_NAMESPACE)
                    ? nameOf(definition)
                    : namespace + "/" + nameOf(definition);
        }

        /** The definitions' indexes, each after those of the upstream jobs it names in the file, else in file order. */
        List<Integer> upstreamFirst() {
            List<Integer> order = new ArrayList<>();
            Set<Integer> placed = new HashSet<>();
            Set<Integer> visiting = new HashSet<>();
            for (int i = 0; i < definitions.size(); i++) {
                place(i, order, placed, visiting);
            }
            return order;
        }

        private void place(int i, List<Integer> order, Set<Integer> placed, Set<Integer> visiting) {
            if (placed.contains(i) || !visiting.add(i)) {
                return; // a loop is refused by the job service; here it only ends the walk
            }
            JobRequest definition = definitions.get(i).request();
            for (String reference : upstreamsOf(definition).values()) {
                upstream(reference, namespaceOf(definition))
                        .ifPresent(upstream -> place(upstream, order, placed, visiting));
            }
            placed.add(i);
            order.add(i);
        }

        /**
         * The outcomes, with a job's "no job named ..." about an upstream of the file that is invalid (and so was not
         * saved) said as that: the fix is in the upstream job, not in the name; about one left out ({@value #SKIPPED}),
         * with that job's reason. With {@code cascade}, a job whose only errors are upstreams left out is left out too,
         * its own reason naming them, and so on down: nothing of the file then names a job that is not there.
         */
        List<Outcome> withInvalidUpstreamsNamed(Outcome[] outcomes, boolean[] stored, boolean cascade) {
            // upstreams first, so that a job left out with its upstream is seen so by the jobs downstream of it
            for (int i : upstreamFirst()) {
                Outcome outcome = outcomes[i];
                JobRequest definition = definitions.get(i).request();
                if (!outcome.action().equals("invalid") || definition == null) {
                    continue;
                }
                int self = i;
                Map<String, String> upstreams = upstreamsOf(definition);
                List<String> leftOutUpstreams = new ArrayList<>();
                List<FieldError> errors = outcome.errors().stream()
                        .map(error -> Optional.ofNullable(upstreams.get(error.field()))
                                .filter(reference -> !error.message().startsWith("would create a cycle")
                                        && !error.message().startsWith("a job cannot"))
                                .flatMap(reference -> upstream(reference, namespaceOf(definition))
                                        .filter(j -> j != self
                                                && (outcomes[j].action().equals("invalid")
                                                        || outcomes[j].action().equals(SKIPPED))
                                                && !stored[j])
                                        .map(j -> {
                                            if (outcomes[j].action().equals("invalid")) {
                                                return new FieldError(
                                                        error.field(),
                                                        "the upstream job '" + reference.strip()
                                                                + "' in this file is invalid: see its errors");
                                            }
                                            leftOutUpstreams.add(error.field() + " names '" + reference.strip() + "'");
                                            return new FieldError(
                                                    error.field(),
                                                    "the upstream job '" + reference.strip()
                                                            + "' in this file was left out: "
                                                            + outcomes[j]
                                                                    .warnings()
                                                                    .get(0)
                                                                    .message());
                                        }))
                                .orElse(error))
                        .toList();
                if (cascade && !errors.isEmpty() && leftOutUpstreams.size() == errors.size()) {
                    String reason = String.join(", ", leftOutUpstreams)
                            + (leftOutUpstreams.size() == 1 ? ", a job" : ", jobs")
                            + " of this file left out (see its warning): "
                            + (stored[i] ? "none of the file's changes to it were applied" : "left out with it");
                    outcomes[i] = new Outcome(
                            outcome.name(),
                            outcome.namespace(),
                            SKIPPED,
                            List.of(),
                            errors,
                            List.of(new FieldError("", reason)));
                } else {
                    outcomes[i] =
                            new Outcome(outcome.name(), outcome.namespace(), "invalid", outcome.changes(), errors);
                }
            }
            return List.of(outcomes);
        }
    }

    private static FieldError overQuota(Limits.JobQuota quota) {
        return new FieldError(
                "",
                "over the job quota: '" + quota.actor() + "' has " + quota.jobs() + " jobs and the quota is "
                        + quota.quota() + "; this file may create at most " + quota.room());
    }

    /**
     * Whether the definition writes a secret of {@code stored} in plain text: a secret parameter that is not the mask,
     * or a notification webhook URL written whole (not as it is shown).
     */
    private boolean writesASecret(JobRequest definition, Job stored) {
        String type = definition.templateType() == null
                ? stored.definition().templateType()
                : definition.templateType().strip();
        Map<String, Object> parameters = definition.parameters();
        if (parameters != null
                && !json.valueToTree(parameters).equals(json.valueToTree(secrets.masked(type, parameters)))) {
            return true;
        }
        JobRequest.NotificationsJson notifications = definition.notifications();
        return notifications != null
                && Stream.of(notifications.onSuccess(), notifications.onFailure(), notifications.onRetry())
                        .filter(Objects::nonNull)
                        .flatMap(List::stream)
                        .anyMatch(recipient ->
                                recipient != null && Notifications.isUrl(recipient) && !recipient.endsWith("/…"));
    }

    /**
     * The error of a job changed since the file (or the plan) saw it: field {@code version}, which an apply answers
     * with 409.
     */
    static FieldError stale(String seen, long current) {
        return new FieldError(
                "version",
                "the job was changed since: " + seen + ", the current version is " + current
                        + "; export it again (or plan the file again) and apply your change to that");
    }

    private Outcome upsert(
            Definition definition,
            String name,
            String namespace,
            Optional<Job> stored,
            String actor,
            List<Runnable> audited) {
        ObjectNode changes = (ObjectNode) json.valueToTree(definition.request());
        changes.remove("version");
        if (definition.request().tags() != null
                && definition.request().tags().stream().noneMatch(tag -> tag == null)) {
            // tags are a set, stored lower-case and read back sorted: compare them that way (a list with a null
            // entry stays as written, for the validator to name that entry)
            changes.set(
                    "tags",
                    json.valueToTree(definition.request().tags().stream()
                            .map(tag -> tag.toLowerCase(Locale.ROOT))
                            .sorted()
                            .distinct()
                            .toList()));
        }
        // a field the file sets to null clears it, as in a PUT; one it leaves out keeps what is stored
        definition.nulled().forEach(changes::putNull);
        try {
            if (stored.isEmpty()) {
                try {
                    Job created = jobs.create(
                            json.treeToValue(changes, JobRequest.class),
                            actor,
                            JobService.PastRunAt.SAVED_WITHOUT_NEXT_RUN);
                    // each job's own event, found by its name and namespace as a create through the API is
                    audited.add(() -> commands.recordCreated(created));
                    return new Outcome(
                            name, namespace, "create", diff(null, created), List.of(), pastRunAt(null, created));
                } catch (InvalidInputException e) {
                    return new Outcome(
                            name, namespace, "invalid", List.of(), withNothingToKeep(changes, name, e.errors()));
                }
            }
            // a mask keeps the stored secret; a mask with nothing stored is refused by the job service, per field
            Job before = stored.get();
            Long expected = definition.request().version();
            JobService.Updated updated =
                    jobs.update(before.id(), changes, actor, JobService.PastRunAt.SAVED_WITHOUT_NEXT_RUN);
            if (expected != null && expected != before.version() && updated.changed()) {
                // a version in the file guards the change it makes, as in a PUT: a stale one is a 409, and the
                // transaction, which an invalid job always rolls back, takes the update with it; a file applied again
                // (the job already as it says) is unchanged whatever version it names
                return invalid(name, namespace, stale("the file says version " + expected, before.version()));
            }
            audited.add(() -> commands.recordUpdated(updated));
            return updated.changed()
                    ? new Outcome(
                            name,
                            namespace,
                            "update",
                            diff(before, updated.job()),
                            List.of(),
                            pastRunAt(before, updated.job()))
                    : new Outcome(name, namespace, "unchanged", List.of(), List.of());
        } catch (InvalidInputException e) {
            return new Outcome(name, namespace, "invalid", List.of(), e.errors());
        } catch (ConflictException e) {
            // a name taken meanwhile, a job changed while this one was saved: this job's error, not the file's
            return invalid(name, namespace, new FieldError(e.field() == null ? "" : e.field(), e.getMessage()));
        }
    }

    /**
     * The warning for a one-time job the file creates, or moves to another run_at, whose run_at had passed when it was
     * saved: it has no next run and will not run, as a one-time job that has run.
     */
    private static List<FieldError> pastRunAt(Job before, Job saved) {
        if (!(saved.definition().schedule() instanceof OnceSchedule once)
                || once.runAt().isAfter(saved.updatedAt())
                || (before != null && before.definition().schedule().toSpec().equals(once.toSpec()))) {
            return List.of();
        }
        return List.of(new FieldError(
                "schedule.run_at",
                once.toSpec().runAt() + " has passed: the job is saved with no next run, as a one-time job that has"
                        + " run, and will not run; set a later run_at to run it"));
    }

    /**
     * A mask (or a shown URL) in a job the file creates has no stored secret to keep: an export imported into another
     * install, or a job renamed in the file. Says so next to the field, so the fix (write the secret) is plain.
     */
    private static List<FieldError> withNothingToKeep(JsonNode definition, String name, List<FieldError> errors) {
        return errors.stream()
                .map(error -> masked(at(definition, error.field()))
                        ? new FieldError(
                                error.field(),
                                error.message() + " (no job named '"
                                        + name
                                        + "' is stored, so there is no secret to keep: write the secret into the"
                                        + " file)")
                        : error)
                .toList();
    }

    private static boolean masked(JsonNode value) {
        return value != null
                && value.isString()
                && (value.asString().equals(Sealed.MASK) || value.asString().endsWith("/…"));
    }

    private static JsonNode at(JsonNode node, String field) {
        if (field == null || field.isEmpty()) {
            return null;
        }
        Matcher step = STEP.matcher(field);
        while (node != null && step.find()) {
            node = step.group(1) != null ? node.get(step.group(1)) : node.get(Integer.parseInt(step.group(2)));
        }
        return node;
    }

    /**
     * A stored job as a plan shows it: its depends_on by name, as a file writes them, and an upstream the importer may
     * not see unnamed, as their export shows it.
     */
    @SuppressWarnings("unchecked")
    private JsonNode written(Job job) {
        ObjectNode tree = (ObjectNode) json.valueToTree(JobRequest.of(job.definition()));
        if (tree.has("depends_on")) {
            tree.set("depends_on", json.valueToTree(jobs.dependenciesByName(job.definition())));
        }
        return json.valueToTree(jobs.withUpstreamsShown(json.treeToValue(tree, LinkedHashMap.class)));
    }

    /** The paths under {@code at} where {@code a} and {@code b} differ, as {@code parameters.secret_headers.X}. */
    private static void changedLeaves(JsonNode a, JsonNode b, String at, List<String> paths) {
        if (a != null && b != null && a.isObject() && b.isObject()) {
            Set<String> names = new LinkedHashSet<>(a.propertyNames());
            names.addAll(b.propertyNames());
            names.forEach(name -> changedLeaves(a.get(name), b.get(name), at + "." + name, paths));
        } else if (a != null && b != null && a.isArray() && b.isArray() && a.size() == b.size()) {
            for (int i = 0; i < a.size(); i++) {
                changedLeaves(a.get(i), b.get(i), at + "[" + i + "]", paths);
            }
        } else if (!Objects.equals(a, b)) {
            paths.add(at);
        }
    }

    private List<Change> diff(Job before, Job after) {
        JsonNode old = before == null ? json.createObjectNode() : written(before);
        JsonNode now = written(after);
        List<Change> changes = new ArrayList<>();
        // a field the update cleared is in the old definition only
        Set<String> fields = new LinkedHashSet<>(now.propertyNames());
        fields.addAll(old.propertyNames());
        for (String field : fields) {
            if (field.equals("version")) {
                continue;
            }
            JsonNode a = old.get(field);
            JsonNode b = now.get(field);
            if (a == null || !a.equals(b)) {
                // a plan is shown to people: sealed values (secrets, notification URLs) as their mask
                Object shownBefore = a == null ? null : Sealed.masked(json.treeToValue(a, Object.class));
                Object shownAfter = b == null ? null : Sealed.masked(json.treeToValue(b, Object.class));
                List<String> secrets = new ArrayList<>();
                if (a != null && b != null && Objects.equals(shownBefore, shownAfter)) {
                    // both sides read alike: say which secret changed, or the change looks like none
                    changedLeaves(a, b, field, secrets);
                }
                changes.add(new Change(
                        field,
                        shownBefore,
                        shownAfter,
                        secrets.isEmpty() ? null : "secret changed: " + String.join(", ", secrets)));
            }
        }
        return changes;
    }
}
