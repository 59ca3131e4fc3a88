package dev.almanac.template;

import dev.almanac.common.Durations;
import dev.almanac.common.FieldError;
import dev.almanac.common.Sealed;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.json.JsonMapper;

/**
 * The HTML form of a template's parameters, generated from its JSON Schema, and the way back from the submitted
 * form to a parameters object. Any schema works: strings, numbers and integers with their bounds, booleans,
 * enums, arrays, nested objects, maps of plain values (rows of name + value), durations ({@code "format":
 * "duration"}: 30d, 90m, P30D, PT1H) and secrets get fields of their own; a construct without one (a {@code oneOf},
 * a map of objects) gets a JSON text area, so a new template never needs a UI change.
 *
 * <p>Form names are the parameter paths under a {@value #PREFIX} prefix ({@code p.max_rows},
 * {@code p.conditions[0].op}), the same paths the validation errors name under {@code parameters.}, so a server
 * error lands next to its field.
 */
public final class ParameterForm {

    /** Form names of parameters start with this. */
    public static final String PREFIX = "p";

    /** Strings allowed to be longer than this are long text, edited in a text area. */
    private static final int LONG_TEXT = 4000;

    private static final String KEEPS_STORED = "unchanged; type a new value to replace it";

    /** A checkbox sends nothing when unticked; this hidden marker says the box was on the form. */
    public static final String CHECKBOX_MARKER = "_";

    private static final Pattern INDEX = Pattern.compile("^\\[(\\d+)]");
    private static final Pattern MAP_VALUE = Pattern.compile("^(.*)\\[\\d+]\\.value$");
    private static final Pattern MAP_KEY = Pattern.compile("^(.*)\\[\\d+]\\.key$");
    /**
     * How an error about a map entry's name (not its value) begins: "is not a valid header name", "is set by Almanac
     * and cannot be given" (a reserved header). Only the beginning: "with variable 'name' filled in, holds …" is
     * about the value.
     */
    private static final Pattern ABOUT_THE_NAME =
            Pattern.compile("^(is not a valid [\\w -]*name\\b|is set by Almanac\\b)", Pattern.CASE_INSENSITIVE);

    private final Map<String, Object> schema;
    private final JsonMapper json;
    private final Map<String, List<String>> sources;

    ParameterForm(Map<String, Object> schema, JsonMapper json) {
        this(schema, json, Map.of());
    }

    private ParameterForm(Map<String, Object> schema, JsonMapper json, Map<String, List<String>> sources) {
        this.schema = schema;
        this.json = json;
        this.sources = sources;
    }

    /**
     * The same form, where a string property marked {@code "x-source": "<name>"} offers the values of that source as
     * a choice (for example {@code targets}: the names of the configured target databases), when there are any.
     */
    public ParameterForm withSources(Map<String, List<String>> sources) {
        return new ParameterForm(schema, json, Map.copyOf(sources));
    }

    /** An option of a select. */
    public record Option(String value, String label, boolean selected) {}

    /**
     * One field of the form, or a group of them.
     *
     * @param kind {@code text}, {@code textarea}, {@code password}, {@code duration}, {@code integer}, {@code number},
     *     {@code checkbox}, {@code select}, {@code object}, {@code array}, {@code map} (rows of {@code entry}: a name
     *     and a value), {@code json}, or {@code jsontext} (text, or JSON when it starts with { or [)
     * @param name the form name, e.g. {@code p.conditions[0].op}
     * @param removable whether this is an array item (or a row of a map) the user can remove
     * @param source the {@code x-source} its choices come from ({@code targets}, {@code tables}, {@code columns}),
     *     or null
     */
    public record Field(
            String kind,
            String name,
            String id,
            String label,
            String help,
            boolean required,
            String value,
            boolean checked,
            List<Option> options,
            String min,
            String max,
            String step,
            Integer minLength,
            Integer maxLength,
            String pattern,
            String placeholder,
            String error,
            List<Field> children,
            boolean removable,
            String source) {

        public boolean isGroup() {
            return kind.equals("object") || kind.equals("array") || kind.equals("map") || kind.equals("entry");
        }
    }

    /** What the submitted form says the parameters are, and the fields whose text could not be read at all. */
    public record Parsed(Map<String, Object> parameters, List<FieldError> errors) {}

    /**
     * The fields of the form.
     *
     * @param values the submitted form (or {@link #toForm(Map)} of stored parameters)
     * @param errors messages by form name
     * @param keepSecrets true when editing a stored job: secret fields are left empty and keep their stored value
     *     unless a new one is typed; one typed during this edit stays in its (password) field, as a new job's does,
     *     until it is saved
     */
    public List<Field> fields(Map<String, List<String>> values, Map<String, String> errors, boolean keepSecrets) {
        return children(schema, PREFIX, values, errors, keepSecrets);
    }

    /**
     * A secret field's value as the reader typed it during this edit, or null for one left blank or still the mask: a
     * stored secret never comes back in a page, a typed one is not thrown away when the step is shown again.
     */
    private static String typed(String value) {
        return value == null || value.isEmpty() || Sealed.MASK.equals(value) ? null : value;
    }

    /** Reads the submitted form back into a parameters object, typed as the schema says. */
    public Parsed parse(Map<String, List<String>> values) {
        List<FieldError> errors = new ArrayList<>();
        Object parsed = read(schema, PREFIX, values, errors, true);
        @SuppressWarnings("unchecked")
        Map<String, Object> parameters = parsed instanceof Map<?, ?> map ? (Map<String, Object>) map : Map.of();
        return new Parsed(parameters, errors);
    }

    /**
     * The form values that show stored parameters, every secret as {@link Sealed#MASK} in the fields the form shows
     * for it: a map of secrets as rows, a list of them as items, an object of them as its properties.
     */
    public Map<String, List<String>> toForm(Map<String, Object> parameters) {
        Map<String, List<String>> form = new LinkedHashMap<>();
        write(schema, PREFIX, parameters, form, true);
        return form;
    }

    /**
     * The parameters read from an edit form of {@code stored}, with every value the form cannot tell from the stored
     * one kept as stored: a parameter left out is shown with its default (an unticked box, an empty list) and read
     * back as it, and a number may be written otherwise ({@code 1} for {@code 1.0}); without this an unchanged edit
     * would make a new version.
     *
     * @param read what {@link #parse} read from the form
     * @param stored the stored parameters, their secrets in plain text as in {@code read}
     */
    public Map<String, Object> keepingUnchanged(Map<String, Object> read, Map<String, Object> stored) {
        Object kept = unchanged(schema, read, stored == null ? Map.of() : stored);
        @SuppressWarnings("unchecked")
        Map<String, Object> parameters =
                kept instanceof Map<?, ?> map ? (Map<String, Object>) map : new LinkedHashMap<>();
        return parameters;
    }

    private Object unchanged(Map<String, Object> node, Object read, Object stored) {
        if (same(read, stored)) {
            return stored;
        }
        if (stored == null) {
            return readAsAbsent(node, read) ? null : read;
        }
        if (read == null) {
            // an empty list or object is shown as no field at all, and read back as absent
            return stored instanceof Map<?, ?> map && map.isEmpty() || stored instanceof List<?> list && list.isEmpty()
                    ? stored
                    : null;
        }
        if (read instanceof Map<?, ?> readMap && stored instanceof Map<?, ?> storedMap) {
            Map<String, Map<String, Object>> properties = properties(node);
            Map<String, Object> kept = new LinkedHashMap<>();
            Map<Object, Object> keys = new LinkedHashMap<>(storedMap);
            keys.putAll(readMap);
            for (Object key : keys.keySet()) {
                Object value = unchanged(
                        properties.getOrDefault(String.valueOf(key), Map.of()), readMap.get(key), storedMap.get(key));
                if (value != null) {
                    kept.put(String.valueOf(key), value);
                }
            }
            return kept;
        }
        if (read instanceof List<?> readList
                && stored instanceof List<?> storedList
                && readList.size() == storedList.size()) {
            Map<String, Object> items = object(node.get("items"));
            List<Object> kept = new ArrayList<>();
            for (int i = 0; i < readList.size(); i++) {
                kept.add(unchanged(items, readList.get(i), storedList.get(i)));
            }
            return kept;
        }
        return read;
    }

    /** Whether {@code read} is what the form shows for a parameter left out: its default, or its empty value. */
    private boolean readAsAbsent(Map<String, Object> node, Object read) {
        if (node.get("default") != null) {
            return same(read, node.get("default"));
        }
        if (read instanceof Map<?, ?> map) {
            Map<String, Map<String, Object>> properties = properties(node);
            return map.entrySet().stream()
                    .allMatch(e ->
                            readAsAbsent(properties.getOrDefault(String.valueOf(e.getKey()), Map.of()), e.getValue()));
        }
        return Boolean.FALSE.equals(read) && kindOf(node).equals("checkbox")
                || read instanceof List<?> list && list.isEmpty();
    }

    private static boolean same(Object a, Object b) {
        if (a instanceof Number x && b instanceof Number y) {
            try {
                return new BigDecimal(x.toString()).compareTo(new BigDecimal(y.toString())) == 0;
            } catch (NumberFormatException notFinite) {
                return x.equals(y);
            }
        }
        return Objects.equals(a, b);
    }

    /**
     * The submitted form with every secret field left blank set to the stored secret in plain text, for the server to
     * read back and never for a page. A field is matched by its form name, the row of a map by its name; a row or
     * item that is not on the form was removed and stays removed.
     *
     * @param revealed the stored parameters with their secrets in plain text
     */
    public Map<String, List<String>> withStoredSecrets(
            Map<String, List<String>> submitted, Map<String, Object> revealed) {
        Map<String, List<String>> stored = new LinkedHashMap<>();
        write(schema, PREFIX, revealed, stored, false);
        Map<String, List<String>> form = new LinkedHashMap<>(submitted);
        for (String name : secretNames(stored)) {
            if (!submitted.containsKey(name) && !name.contains("[")) {
                form.put(name, stored.get(name));
            }
        }
        for (String name : secretNames(submitted)) {
            String value = first(submitted, name);
            if (value != null && !value.isEmpty()) {
                continue;
            }
            Matcher row = MAP_VALUE.matcher(name);
            List<String> kept = row.matches() && isMap(row.group(1))
                    ? storedRow(stored, row.group(1), first(submitted, name.replaceFirst("\\.value$", ".key")))
                    : stored.get(name);
            if (kept != null) {
                form.put(name, kept);
            }
        }
        return form;
    }

    /** The stored value of the map {@code name}'s row called {@code key}, or null. */
    private static List<String> storedRow(Map<String, List<String>> stored, String name, String key) {
        if (key == null || key.isBlank()) {
            return null;
        }
        for (int index : indices(stored, name)) {
            String row = name + "[" + index + "]";
            if (key.strip().equals(first(stored, row + ".key"))) {
                return stored.get(row + ".value");
            }
        }
        return null;
    }

    /**
     * Whether the parameter at this form name (or the parameter path under it, {@code p.secret_headers.X-Api-Key})
     * is a secret, or lies under one: shown masked, never echoed back when stored.
     */
    public boolean isSecret(String name) {
        Matcher key = MAP_KEY.matcher(name);
        if (key.matches() && isMap(key.group(1))) {
            return false; // a header's name is not its value
        }
        Matcher row = MAP_VALUE.matcher(name);
        if (row.matches() && isMap(row.group(1))) {
            return secretMap(nodeAt(row.group(1))) || secretAlong(row.group(1));
        }
        return secretAlong(name);
    }

    /**
     * The form name that shows an error the job service reported by parameter path under {@link #PREFIX}: an entry of
     * a map ({@code p.headers.X-Plain}) is a row of the form, so its error goes to that row's value ({@code
     * p.headers[0].value}), or to the map when no row has that name; any other name is returned as it is.
     */
    public String formNameOf(String name, Map<String, List<String>> values) {
        return formNameOf(name, values, null);
    }

    /**
     * The same for an error whose {@code message} is known: one about an entry's name ("is not a valid header name")
     * goes to that row's name ({@code p.headers[0].key}), where the reader typed it, any other to its value.
     */
    public String formNameOf(String name, Map<String, List<String>> values, String message) {
        for (int dot = name.indexOf('.', PREFIX.length() + 1); dot > 0; dot = name.indexOf('.', dot + 1)) {
            String map = name.substring(0, dot);
            if (map.contains("[") || !isMap(map)) {
                continue;
            }
            String key = name.substring(dot + 1);
            for (int index : indices(values, map)) {
                String row = map + "[" + index + "]";
                String rowKey = first(values, row + ".key");
                if (rowKey != null && rowKey.strip().equals(key)) {
                    return row + (aboutTheName(message) ? ".key" : ".value");
                }
            }
            return map;
        }
        return name;
    }

    /** Whether an error of a map's entry speaks of the entry's name rather than its value. */
    private static boolean aboutTheName(String message) {
        return message != null && ABOUT_THE_NAME.matcher(message).find();
    }

    /** The form names of every secret field in these values. */
    public List<String> secretNames(Map<String, List<String>> values) {
        return values.keySet().stream().filter(this::isSecret).toList();
    }

    private List<Field> children(
            Map<String, Object> objectSchema,
            String path,
            Map<String, List<String>> values,
            Map<String, String> errors,
            boolean keepSecrets) {
        List<Field> fields = new ArrayList<>();
        List<String> required = strings(objectSchema.get("required"));
        for (Map.Entry<String, Map<String, Object>> property :
                properties(objectSchema).entrySet()) {
            fields.add(field(
                    property.getValue(),
                    path + "." + property.getKey(),
                    property.getKey(),
                    required.contains(property.getKey()),
                    values,
                    errors,
                    keepSecrets,
                    false));
        }
        return fields;
    }

    private Field field(
            Map<String, Object> node,
            String name,
            String key,
            boolean required,
            Map<String, List<String>> values,
            Map<String, String> errors,
            boolean keepSecrets,
            boolean removable) {
        String label = text(node.get("title"));
        if (label == null) {
            label = humanize(key);
        }
        String help = text(node.get("description"));
        String error = errors.get(name);
        String value = first(values, name);
        String kind = kindOf(node);
        if ((kind.equals("text") || kind.equals("textarea")) && secretAlong(name)) {
            // a string in a map, list or object marked secret is a secret too
            kind = "password";
        }
        List<Field> children = List.of();
        List<Option> options = List.of();
        boolean checked = false;
        String placeholder = null;
        switch (kind) {
            case "object" -> children = children(node, name, values, errors, keepSecrets);
            case "array" -> {
                Map<String, Object> items = object(node.get("items"));
                List<Field> itemFields = new ArrayList<>();
                for (int index : indices(values, name)) {
                    String itemName = name + "[" + index + "]";
                    itemFields.add(
                            field(items, itemName, key + " " + (index + 1), false, values, errors, keepSecrets, true));
                }
                children = itemFields;
                help = join(help, bounds("items", node.get("minItems"), node.get("maxItems")));
            }
            case "map" -> {
                boolean secretValues = secretMap(node);
                List<Field> rows = new ArrayList<>();
                for (int index : indices(values, name)) {
                    String row = name + "[" + index + "]";
                    String rowValue = secretValues && keepSecrets
                            ? typed(first(values, row + ".value"))
                            : first(values, row + ".value");
                    List<Field> pair = List.of(
                            entryPart("text", row + ".key", "Name", first(values, row + ".key"), null, errors),
                            entryPart(
                                    secretValues ? "password" : "text",
                                    row + ".value",
                                    "Value",
                                    rowValue,
                                    secretValues && keepSecrets && rowValue == null ? KEEPS_STORED : null,
                                    errors));
                    rows.add(group("entry", row, label + " " + (index + 1), errors.get(row), pair, true));
                }
                children = rows;
                help = join(help, bounds("entries", node.get("minProperties"), node.get("maxProperties")));
            }
            case "checkbox" -> {
                checked = value == null
                        ? values.containsKey(CHECKBOX_MARKER + name) ? false : Boolean.TRUE.equals(node.get("default"))
                        : value.equals("true");
                value = "true";
            }
            case "select" -> {
                List<Option> list = new ArrayList<>();
                Object defaultValue = node.get("default");
                String current = value != null ? value : defaultValue == null ? null : String.valueOf(defaultValue);
                // an empty choice only where it means something: "(none)" for an optional field without a default
                // (one with a default reads empty as the default), "Choose…" for a required one not chosen yet
                if (required ? current == null || current.isEmpty() : defaultValue == null) {
                    list.add(new Option("", required ? "Choose…" : "(none)", current == null || current.isEmpty()));
                }
                for (Object option : choices(node)) {
                    String text = String.valueOf(option);
                    list.add(new Option(text, text, text.equals(current)));
                }
                if (current != null && !current.isEmpty() && list.stream().noneMatch(Option::selected)) {
                    // kept, not silently replaced by the first choice: the server says what is wrong with it
                    list.add(new Option(current, current + " (not offered)", true));
                }
                options = list;
            }
            case "password" -> {
                if (keepSecrets) {
                    value = typed(value);
                    placeholder = value == null ? KEEPS_STORED : null;
                }
            }
            default -> {}
        }
        if (value == null
                && !kind.equals("password")
                && !kind.equals("checkbox")
                && !kind.equals("map")
                && node.get("default") != null) {
            Object defaultValue = node.get("default");
            value = kind.equals("json") || kind.equals("jsontext")
                    ? toJson(defaultValue)
                    : String.valueOf(defaultValue);
        }
        if (placeholder == null && kind.equals("duration")) {
            placeholder = "e.g. 30d, 90m, P30D or PT1H";
        }
        if (placeholder == null && node.get("examples") instanceof List<?> examples && !examples.isEmpty()) {
            placeholder = "e.g. " + examples.get(0);
        }
        String min = number(node.get("minimum"));
        String max = number(node.get("maximum"));
        if (kind.equals("integer") || kind.equals("number")) {
            help = join(help, rangeText(node));
        }
        return new Field(
                kind,
                name,
                id(name),
                label,
                help,
                required,
                value,
                checked,
                options,
                min,
                max,
                kind.equals("integer") ? "1" : kind.equals("number") ? "any" : null,
                integer(node.get("minLength")),
                integer(node.get("maxLength")),
                kind.equals("text") || kind.equals("password") ? text(node.get("pattern")) : null,
                placeholder,
                error,
                children,
                removable,
                text(node.get("x-source")));
    }

    private static Field entryPart(
            String kind, String name, String label, String value, String placeholder, Map<String, String> errors) {
        return new Field(
                kind,
                name,
                id(name),
                label,
                null,
                false,
                value,
                false,
                List.of(),
                null,
                null,
                null,
                null,
                null,
                null,
                placeholder,
                errors.get(name),
                List.of(),
                false,
                null);
    }

    private static Field group(
            String kind, String name, String label, String error, List<Field> children, boolean removable) {
        return new Field(
                kind, name, id(name), label, null, false, null, false, List.of(), null, null, null, null, null, null,
                null, error, children, removable, null);
    }

    private static String id(String name) {
        return "f-" + name.replaceAll("[^A-Za-z0-9_-]", "-");
    }

    private String kindOf(Map<String, Object> node) {
        if (!choices(node).isEmpty()) {
            return "select";
        }
        if ("duration".equals(node.get("format"))) {
            return "duration";
        }
        String type = typeOf(node);
        if (type == null) {
            return "json";
        }
        return switch (type) {
            case "object" -> {
                if (node.containsKey("oneOf") || node.containsKey("anyOf")) {
                    yield "json";
                }
                if (properties(node).isEmpty()) {
                    yield isScalar(node.get("additionalProperties")) ? "map" : "json";
                }
                yield "object";
            }
            case "array" -> {
                Map<String, Object> items = object(node.get("items"));
                String itemKind = items.isEmpty() ? "json" : kindOf(items);
                yield itemKind.equals("json") || itemKind.equals("array") ? "json" : "array";
            }
            case "boolean" -> "checkbox";
            case "integer" -> "integer";
            case "number" -> "number";
            case "string" -> {
                if (types(node).contains("object") || types(node).contains("array")) {
                    yield "jsontext";
                }
                if (secret(node)) {
                    yield "password";
                }
                yield multiLine(node) ? "textarea" : "text";
            }
            default -> "json";
        };
    }

    /**
     * Whether a string gets a text area: one marked {@code "x-ui": "textarea"}, or long text (more than
     * {@value #LONG_TEXT} characters allowed) not marked {@code "x-ui": "text"}. A URL, a subject or an address is one
     * line, however long it may be.
     */
    private static boolean multiLine(Map<String, Object> node) {
        Object ui = node.get("x-ui");
        if ("textarea".equals(ui) || "text".equals(ui)) {
            return "textarea".equals(ui);
        }
        Integer maxLength = integer(node.get("maxLength"));
        return maxLength != null && maxLength > LONG_TEXT;
    }

    private Object read(
            Map<String, Object> node,
            String name,
            Map<String, List<String>> values,
            List<FieldError> errors,
            boolean root) {
        String kind = kindOf(node);
        switch (kind) {
            case "object" -> {
                Map<String, Object> object = new LinkedHashMap<>();
                for (Map.Entry<String, Map<String, Object>> property :
                        properties(node).entrySet()) {
                    Object value = read(property.getValue(), name + "." + property.getKey(), values, errors, false);
                    if (value != null) {
                        object.put(property.getKey(), value);
                    }
                }
                return object.isEmpty() && !root && !anyValueUnder(values, name) ? null : object;
            }
            case "array" -> {
                Map<String, Object> items = object(node.get("items"));
                List<Object> list = new ArrayList<>();
                for (int index : indices(values, name)) {
                    Object item = read(items, name + "[" + index + "]", values, errors, false);
                    if (item != null) {
                        list.add(item);
                    }
                }
                return list.isEmpty() ? null : list;
            }
            case "map" -> {
                return readMap(node, name, values, errors);
            }
            case "checkbox" -> {
                String value = first(values, name);
                if (value == null) {
                    return values.containsKey(CHECKBOX_MARKER + name) ? Boolean.FALSE : null;
                }
                return value.equals("true");
            }
            default -> {}
        }
        String raw = first(values, name);
        if (raw == null || raw.isBlank()) {
            return null;
        }
        String value = kind.equals("textarea") || kind.equals("password") || secretAlong(name) ? raw : raw.strip();
        return switch (kind) {
            case "integer" -> readInteger(value, name, errors);
            case "number" -> {
                try {
                    BigDecimal number = new BigDecimal(value);
                    yield number.scale() <= 0 && number.abs().compareTo(BigDecimal.valueOf(Long.MAX_VALUE)) < 0
                            ? (Object) number.longValue()
                            : (Object) number.doubleValue();
                } catch (NumberFormatException e) {
                    errors.add(new FieldError(name, "must be a number"));
                    yield null;
                }
            }
            case "duration" -> {
                if (value.chars().allMatch(Character::isDigit) && types(node).contains("integer")) {
                    yield readInteger(value, name, errors);
                }
                Optional<String> iso = Durations.toIso(value);
                if (iso.isEmpty()) {
                    errors.add(new FieldError(name, "must be a duration " + Durations.ACCEPTED));
                }
                yield iso.orElse(null);
            }
            case "select" ->
                choices(node).stream()
                        .filter(option -> String.valueOf(option).equals(value))
                        .findFirst()
                        .orElse(value);
            case "json" -> readJson(value, name, errors);
            case "jsontext" -> value.startsWith("{") || value.startsWith("[") ? readJson(value, name, errors) : value;
            default -> value;
        };
    }

    private Object readJson(String value, String name, List<FieldError> errors) {
        try {
            return json.readValue(value, Object.class);
        } catch (JacksonException e) {
            var at = e.getLocation();
            errors.add(new FieldError(
                    name,
                    at == null || at.getLineNr() < 1
                            ? "must be valid JSON"
                            : "must be valid JSON: the text goes wrong at line " + at.getLineNr() + ", column "
                                    + at.getColumnNr()));
            return null;
        }
    }

    /** The rows of a map field: blank names are empty rows, a name given twice is an error. */
    private Map<String, Object> readMap(
            Map<String, Object> node, String name, Map<String, List<String>> values, List<FieldError> errors) {
        Map<String, Object> entry = object(node.get("additionalProperties"));
        List<String> entryTypes = types(entry);
        Map<String, Object> map = new LinkedHashMap<>();
        for (int index : indices(values, name)) {
            String row = name + "[" + index + "]";
            String key = first(values, row + ".key");
            if (key == null || key.isBlank()) {
                continue;
            }
            key = key.strip();
            if (map.containsKey(key)) {
                errors.add(new FieldError(row + ".key", "'" + key + "' is given twice"));
                continue;
            }
            String raw = first(values, row + ".value");
            if ((raw == null || raw.isEmpty()) && (secretMap(node) || secretAlong(name))) {
                // left blank with no secret stored under this name (a new or renamed row, a copy's row): never ""
                errors.add(new FieldError(row + ".value", Sealed.EMPTY_SECRET));
                continue;
            }
            String text = raw == null ? "" : secretMap(node) ? raw : raw.strip();
            Object value = text;
            if (!entryTypes.isEmpty() && !entryTypes.contains("string")) {
                if (entryTypes.contains("boolean") && (text.equals("true") || text.equals("false"))) {
                    value = Boolean.valueOf(text);
                } else if (entryTypes.contains("integer") || entryTypes.contains("number")) {
                    try {
                        BigDecimal number = new BigDecimal(text);
                        value = number.scale() <= 0 ? (Object) number.longValueExact() : (Object) number.doubleValue();
                    } catch (ArithmeticException | NumberFormatException e) {
                        errors.add(new FieldError(row + ".value", "must be a number"));
                        continue;
                    }
                }
            }
            map.put(key, value);
        }
        return map.isEmpty() ? null : map;
    }

    private static Long readInteger(String value, String name, List<FieldError> errors) {
        try {
            return new BigDecimal(value).toBigIntegerExact().longValueExact();
        } catch (ArithmeticException | NumberFormatException e) {
            errors.add(new FieldError(name, "must be a whole number"));
            return null;
        }
    }

    /** Writes {@code value} into the fields of {@code node}; with {@code mask}, every secret as the mask. */
    private void write(
            Map<String, Object> node, String name, Object value, Map<String, List<String>> form, boolean mask) {
        if (value == null) {
            return;
        }
        String kind = kindOf(node);
        if (secret(node)) {
            // the browser gets a stored secret's shape with every value as the mask, in the fields that read it back
            // (rows of a map, items of a list), which a save reads as "keep the stored one"; never a plain or a sealed
            // value
            Object shown = mask ? maskedLeaves(value) : value;
            if (shown instanceof String text) {
                form.put(name, List.of(text));
                return;
            }
            if (kind.equals("json") || kind.equals("jsontext")) {
                form.put(name, List.of(toJson(shown)));
                return;
            }
            value = shown;
        }
        switch (kind) {
            case "object" -> {
                if (value instanceof Map<?, ?> map) {
                    properties(node).forEach((key, child) -> write(child, name + "." + key, map.get(key), form, mask));
                }
            }
            case "array" -> {
                if (value instanceof List<?> list) {
                    Map<String, Object> items = object(node.get("items"));
                    for (int i = 0; i < list.size(); i++) {
                        write(items, name + "[" + i + "]", list.get(i), form, mask);
                    }
                }
            }
            case "checkbox" -> {
                form.put(name, List.of(String.valueOf(value)));
                form.put(CHECKBOX_MARKER + name, List.of("on"));
            }
            // stored secrets under a map or a free-form value are sealed: they reach the browser as the mask
            case "json" -> form.put(name, List.of(toJson(Sealed.masked(value))));
            case "jsontext" -> {
                Object shown = Sealed.masked(value);
                form.put(
                        name,
                        List.of(shown instanceof Map<?, ?> || shown instanceof List<?> ? toJson(shown) : plain(shown)));
            }
            case "map" -> {
                if (Sealed.masked(value) instanceof Map<?, ?> map) {
                    int index = 0;
                    for (Map.Entry<?, ?> entry : map.entrySet()) {
                        String row = name + "[" + index++ + "]";
                        form.put(row + ".key", List.of(String.valueOf(entry.getKey())));
                        Object v = entry.getValue();
                        form.put(
                                row + ".value",
                                List.of(v instanceof Map<?, ?> || v instanceof List<?> ? compactJson(v) : plain(v)));
                    }
                }
            }
            // a text field that also takes JSON (webhook_trigger's body): an object or list is shown as JSON text
            default ->
                form.put(
                        name,
                        List.of(
                                value instanceof Map<?, ?> || value instanceof List<?>
                                        ? compactJson(Sealed.masked(value))
                                        : plain(Sealed.masked(value))));
        }
    }

    private String compactJson(Object value) {
        try {
            return json.writeValueAsString(value);
        } catch (JacksonException e) {
            return String.valueOf(value);
        }
    }

    private static String plain(Object value) {
        if (value instanceof Double d && d == Math.rint(d) && !Double.isInfinite(d)) {
            return BigDecimal.valueOf(d).stripTrailingZeros().toPlainString();
        }
        if (value instanceof BigDecimal d) {
            return d.toPlainString();
        }
        return String.valueOf(value);
    }

    private String toJson(Object value) {
        try {
            return json.writerWithDefaultPrettyPrinter().writeValueAsString(value);
        } catch (JacksonException e) {
            return String.valueOf(value);
        }
    }

    private static Object maskedLeaves(Object value) {
        if (value instanceof Map<?, ?> map) {
            Map<String, Object> copy = new LinkedHashMap<>();
            map.forEach((k, v) -> copy.put(String.valueOf(k), maskedLeaves(v)));
            return copy;
        }
        if (value instanceof List<?> list) {
            return list.stream().map(ParameterForm::maskedLeaves).toList();
        }
        return value instanceof String ? Sealed.MASK : value;
    }

    /**
     * Whether a schema node along a form name is a secret: everything under a secret (the values of a map of
     * secrets, the items of an array of them) is one too.
     */
    private boolean secretAlong(String name) {
        for (Map<String, Object> node : nodesAlong(name)) {
            if (node == null) {
                return false;
            }
            if (secret(node)) {
                return true;
            }
        }
        return false;
    }

    /** The schema node a form name points at, or null. */
    private Map<String, Object> nodeAt(String name) {
        List<Map<String, Object>> nodes = nodesAlong(name);
        return nodes.isEmpty() ? null : nodes.get(nodes.size() - 1);
    }

    /**
     * The schema nodes a form name walks through, outermost first (a map's key leads to its
     * {@code additionalProperties}); ends with null where the name leaves the schema.
     */
    private List<Map<String, Object>> nodesAlong(String name) {
        List<Map<String, Object>> nodes = new ArrayList<>();
        if (!name.startsWith(PREFIX + ".")) {
            nodes.add(null);
            return nodes;
        }
        Map<String, Object> node = schema;
        String rest = name.substring(PREFIX.length());
        while (!rest.isEmpty()) {
            Matcher index = INDEX.matcher(rest);
            if (index.find()) {
                node = object(node.get("items"));
                rest = rest.substring(index.end());
            } else if (rest.startsWith(".")) {
                int end = rest.length();
                for (int i = 1; i < rest.length(); i++) {
                    if (rest.charAt(i) == '.' || rest.charAt(i) == '[') {
                        end = i;
                        break;
                    }
                }
                Map<String, Object> property = properties(node).get(rest.substring(1, end));
                node = property != null ? property : object(node.get("additionalProperties"));
                rest = rest.substring(end);
            } else {
                node = Map.of();
            }
            if (node.isEmpty()) {
                nodes.add(null);
                return nodes;
            }
            nodes.add(node);
        }
        return nodes;
    }

    /** The array indices present in the form under {@code name}, in order. */
    static TreeSet<Integer> indices(Map<String, List<String>> values, String name) {
        TreeSet<Integer> indices = new TreeSet<>();
        String prefix = name + "[";
        for (String key : values.keySet()) {
            String bare = key.startsWith(CHECKBOX_MARKER + prefix) ? key.substring(CHECKBOX_MARKER.length()) : key;
            if (bare.startsWith(prefix)) {
                int close = bare.indexOf(']', prefix.length());
                if (close > prefix.length()) {
                    try {
                        indices.add(Integer.parseInt(bare.substring(prefix.length(), close)));
                    } catch (NumberFormatException ignored) {
                        // not an index this form wrote
                    }
                }
            }
        }
        return indices;
    }

    private static boolean anyValueUnder(Map<String, List<String>> values, String name) {
        return values.entrySet().stream()
                .anyMatch(e -> (e.getKey().startsWith(name + ".") || e.getKey().startsWith(name + "["))
                        && e.getValue().stream().anyMatch(v -> v != null && !v.isBlank()));
    }

    private static boolean secret(Map<String, Object> node) {
        return Boolean.TRUE.equals(node.get("writeOnly"))
                || Boolean.TRUE.equals(node.get("x-secret"))
                || "password".equals(node.get("format"));
    }

    private static List<String> types(Map<String, Object> node) {
        Object type = node.get("type");
        return type instanceof List<?> list
                ? list.stream().map(String::valueOf).toList()
                : type == null ? List.of() : List.of(String.valueOf(type));
    }

    private boolean isMap(String name) {
        Map<String, Object> node = nodeAt(name);
        return node != null && kindOf(node).equals("map");
    }

    /** A map whose values are secrets: {@code x-secret} on the map, or on its values. */
    private static boolean secretMap(Map<String, Object> node) {
        return secret(node) || secret(object(node.get("additionalProperties")));
    }

    /** An {@code additionalProperties} schema for plain values: strings, numbers, booleans. */
    private static boolean isScalar(Object additional) {
        if (!(additional instanceof Map<?, ?>)) {
            return false;
        }
        Map<String, Object> node = object(additional);
        List<String> types = types(node);
        return !types.isEmpty()
                && !node.containsKey("properties")
                && types.stream()
                        .allMatch(t -> List.of("string", "number", "integer", "boolean", "null")
                                .contains(t));
    }

    private static String typeOf(Map<String, Object> node) {
        Object type = node.get("type");
        if (type instanceof String s) {
            return s;
        }
        if (type instanceof List<?> list) {
            return list.stream()
                    .filter(t -> !"null".equals(t))
                    .map(String::valueOf)
                    .findFirst()
                    .orElse(null);
        }
        if (node.containsKey("properties")) {
            return "object";
        }
        return null;
    }

    private List<Object> choices(Map<String, Object> node) {
        if (node.get("enum") instanceof List<?> list) {
            return list.stream().filter(Objects::nonNull).map(v -> (Object) v).toList();
        }
        if (node.get("x-source") instanceof String source
                && !sources.getOrDefault(source, List.of()).isEmpty()) {
            return List.copyOf(sources.get(source));
        }
        return List.of();
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Map<String, Object>> properties(Map<String, Object> node) {
        Map<String, Map<String, Object>> properties = new LinkedHashMap<>();
        if (node.get("properties") instanceof Map<?, ?> map) {
            map.forEach((key, value) -> {
                if (value instanceof Map<?, ?> child) {
                    properties.put(String.valueOf(key), (Map<String, Object>) child);
                }
            });
        }
        return properties;
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> object(Object value) {
        return value instanceof Map<?, ?> map ? (Map<String, Object>) map : Map.of();
    }

    private static List<String> strings(Object value) {
        return value instanceof List<?> list
                ? list.stream().map(String::valueOf).toList()
                : List.of();
    }

    private static String first(Map<String, List<String>> values, String name) {
        List<String> list = values.get(name);
        return list == null || list.isEmpty() ? null : list.get(0);
    }

    private static String text(Object value) {
        return value instanceof String s && !s.isBlank() ? s : null;
    }

    private static String number(Object value) {
        return value instanceof Number n ? plain(n) : null;
    }

    private static Integer integer(Object value) {
        return value instanceof Number n ? n.intValue() : null;
    }

    private static String rangeText(Map<String, Object> node) {
        String min = number(node.get("minimum"));
        String max = number(node.get("maximum"));
        String exclusiveMin = number(node.get("exclusiveMinimum"));
        String exclusiveMax = number(node.get("exclusiveMaximum"));
        List<String> parts = new ArrayList<>();
        if (min != null && max != null) {
            parts.add("from " + min + " to " + max);
        } else if (min != null) {
            parts.add("at least " + min);
        } else if (max != null) {
            parts.add("at most " + max);
        }
        if (exclusiveMin != null) {
            parts.add("more than " + exclusiveMin);
        }
        if (exclusiveMax != null) {
            parts.add("less than " + exclusiveMax);
        }
        return parts.isEmpty() ? null : capitalize(String.join(", ", parts)) + ".";
    }

    private static String bounds(String what, Object min, Object max) {
        String low = number(min);
        String high = number(max);
        if (low != null && high != null) {
            return "From " + low + " to " + high + " " + what + ".";
        }
        if (low != null) {
            return "At least " + low + " " + what + ".";
        }
        if (high != null) {
            return "At most " + high + " " + what + ".";
        }
        return null;
    }

    /** A schema's description, then a hint of ours as a sentence of its own (descriptions often lack the stop). */
    private static String join(String a, String b) {
        if (a == null) {
            return b;
        }
        if (b == null) {
            return a;
        }
        return a + (a.matches("(?s).*[.!?:;]\\s*") ? " " : ". ") + b;
    }

    static String humanize(String key) {
        String spaced =
                key.replace('_', ' ').replaceAll("([a-z])([A-Z])", "$1 $2").toLowerCase();
        return capitalize(spaced);
    }

    private static String capitalize(String text) {
        return text.isEmpty() ? text : Character.toUpperCase(text.charAt(0)) + text.substring(1);
    }
}
