package dev.almanac.common;

import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import tools.jackson.core.JacksonException;
import tools.jackson.core.JsonParser;
import tools.jackson.core.exc.InputCoercionException;
import tools.jackson.databind.JavaType;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.exc.InvalidFormatException;
import tools.jackson.databind.exc.MismatchedInputException;
import tools.jackson.databind.exc.UnrecognizedPropertyException;
import tools.jackson.databind.exc.ValueInstantiationException;
import tools.jackson.databind.node.ObjectNode;

/** Says which field of a JSON body could not be read, and why, in words a client can act on. */
public final class JsonInputErrors {

    /** What the reader says of a field given twice in one object (with {@code STRICT_DUPLICATE_DETECTION}). */
    private static final Pattern DUPLICATE = Pattern.compile("^Duplicate Object property \"([^\"]*)\"");

    /**
     * Names clients write for a field that has another name here, too far from it for {@link NameHints} ({@code
     * template} for {@code template_type}), each with the field meant.
     */
    private static final Map<String, String> MEANT = Map.of(
            "template", "template_type",
            "interval", "interval_seconds",
            "tz", "timezone",
            "zone", "timezone",
            "timezone", "timezone",
            "cron", "expression",
            "cronexpression", "expression");

    /** The fields of a schedule, which a job's body holds under {@code schedule}. */
    private static final List<String> SCHEDULE_FIELDS = List.of("timezone", "expression", "interval_seconds");

    /** The most fields one body is told of at once. */
    private static final int MOST = 50;
    /** About how many nodes the reads again of one body may read in all (see {@link #allErrors}). */
    private static final long MOST_NODES_READ = 200_000;

    private JsonInputErrors() {}

    /**
     * {@code tree} read as {@code type}; what cannot be read is refused naming every unknown field and every field of
     * the wrong type, not only the first ({@link #allErrors}).
     */
    public static <T> T read(ObjectMapper json, JsonNode tree, JavaType type) {
        try {
            return json.treeToValue(tree, type);
        } catch (JacksonException unreadable) {
            throw new InvalidInputException(allErrors(json, tree, type, unreadable));
        }
    }

    /**
     * The errors of {@code tree} read as {@code type}, the reader having stopped at {@code first}: an unknown field
     * or a field of the wrong type is taken out of a copy and the copy read again, until it reads or an error is of
     * another kind (which ends the list, said as well).
     */
    public static List<FieldError> allErrors(ObjectMapper json, JsonNode tree, JavaType type, JacksonException first) {
        List<FieldError> errors = new ArrayList<>();
        JsonNode copy = tree.deepCopy();
        // each read starts from the top of the body: a large body is read again fewer times, so that a request of
        // many errors costs at most about MOST_NODES_READ nodes read, whatever its size (the list may then be cut)
        long rereads = Math.max(1, MOST_NODES_READ / Math.max(1, nodes(tree, MOST_NODES_READ)));
        JacksonException e = first;
        while (true) {
            JacksonException stopped = e;
            errors.add(nullEntry(stopped, copy).orElseGet(() -> fieldError(stopped)));
            if (errors.size() >= MOST || errors.size() > rereads || !removable(e) || !removed(copy, e.getPath())) {
                return errors;
            }
            try {
                json.treeToValue(copy, type);
                return errors;
            } catch (JacksonException next) {
                e = next;
            }
        }
    }

    /** The nodes of {@code tree}, counted up to {@code most}. */
    private static long nodes(JsonNode tree, long most) {
        long count = 0;
        java.util.ArrayDeque<JsonNode> left = new java.util.ArrayDeque<>();
        left.push(tree);
        while (!left.isEmpty() && count < most) {
            JsonNode node = left.pop();
            count++;
            if (node.isContainer()) {
                node.values().forEach(left::push);
            }
        }
        return count;
    }

    /**
     * {@code "; did you mean 'x'?"} for an unknown field: a known name close to it, or the one {@link #MEANT} names,
     * under {@code schedule} when it is a schedule's field sent beside it ({@code timezone} for a job).
     */
    private static String hint(String unknown, Collection<String> known) {
        String close = NameHints.didYouMean(unknown, known);
        if (!close.isEmpty() || unknown == null) {
            return close;
        }
        String meant = MEANT.get(
                unknown.toLowerCase(java.util.Locale.ROOT).replace("_", "").replace("-", ""));
        if (meant == null) {
            return "";
        }
        if (known.contains(meant)) {
            return "; did you mean '" + meant + "'?";
        }
        return SCHEDULE_FIELDS.contains(meant) && known.contains("schedule")
                ? "; did you mean 'schedule." + meant + "'?"
                : "";
    }

    /**
     * A list with a null entry where the type holds none ({@code "dates": [null]}): the object it is in could not be
     * made, which says nothing of where; the entry is found in the tree, at most one level down from that object.
     */
    private static java.util.Optional<FieldError> nullEntry(JacksonException e, JsonNode tree) {
        if (!(e instanceof ValueInstantiationException) || !(e.getCause() instanceof NullPointerException)) {
            return java.util.Optional.empty();
        }
        JsonNode node = tree;
        for (JacksonException.Reference step : e.getPath()) {
            node = node == null
                    ? null
                    : step.getPropertyName() != null ? node.get(step.getPropertyName()) : node.get(step.getIndex());
        }
        String at = path(e);
        if (node == null || !node.isObject()) {
            return java.util.Optional.empty();
        }
        for (java.util.Map.Entry<String, JsonNode> field : node.properties()) {
            JsonNode value = field.getValue();
            for (int i = 0; value.isArray() && i < value.size(); i++) {
                if (value.get(i).isNull()) {
                    return java.util.Optional.of(new FieldError(
                            (at.isEmpty() ? "" : at + ".") + field.getKey() + "[" + i + "]", "must not be null"));
                }
            }
        }
        return java.util.Optional.empty();
    }

    /** An unknown field, or a value of the wrong type (a number too large for its field too): not a syntax error. */
    private static boolean removable(JacksonException e) {
        return e instanceof UnrecognizedPropertyException
                || e instanceof InputCoercionException
                || (e instanceof MismatchedInputException && !(e instanceof ValueInstantiationException));
    }

    /** Takes the field {@code path} ends with out of {@code tree}; false when the path does not end with a name. */
    private static boolean removed(JsonNode tree, List<JacksonException.Reference> path) {
        if (path.isEmpty() || path.get(path.size() - 1).getPropertyName() == null) {
            return false;
        }
        JsonNode node = tree;
        for (JacksonException.Reference step : path.subList(0, path.size() - 1)) {
            node = step.getPropertyName() != null ? node.get(step.getPropertyName()) : node.get(step.getIndex());
            if (node == null) {
                return false;
            }
        }
        return node instanceof ObjectNode parent
                && parent.remove(path.get(path.size() - 1).getPropertyName()) != null;
    }

    public static FieldError fieldError(JacksonException e) {
        String field = path(e);
        if (e instanceof UnrecognizedPropertyException unknown) {
            List<String> known = unknown.getKnownPropertyIds() == null
                    ? List.of()
                    : unknown.getKnownPropertyIds().stream()
                            .map(String::valueOf)
                            .toList();
            return new FieldError(field, "is not a known field" + hint(unknown.getPropertyName(), known));
        }
        if (e instanceof ValueInstantiationException invalid
                && invalid.getCause() instanceof IllegalArgumentException why) {
            return new FieldError(field.isEmpty() ? "body" : field, why.getMessage());
        }
        Matcher twice = DUPLICATE.matcher(String.valueOf(e.getOriginalMessage()));
        if (twice.find()) {
            // a field given twice: which one counts would be a guess
            String name = twice.group(1);
            // the parser knows where it was when a body is read as a tree, where the error has no path of its own
            String where = field.isEmpty() && e.processor() instanceof JsonParser parser
                    ? dotted(parser.streamReadContext().pathAsPointer().toString())
                    : field;
            String at = where.isEmpty()
                    ? name
                    : where.equals(name) || where.endsWith("." + name) ? where : where + "." + name;
            return new FieldError(at, "is given twice: give each field once");
        }
        if (e instanceof InputCoercionException tooLarge) {
            // a number the field's type cannot hold: 99999999999 for an int
            return new FieldError(field.isEmpty() ? "body" : field, tooLargeFor(tooLarge.getTargetType()));
        }
        if (e instanceof InvalidFormatException || e instanceof MismatchedInputException) {
            Class<?> target = ((MismatchedInputException) e).getTargetType();
            return new FieldError(field, expectedOf(target));
        }
        return new FieldError(field.isEmpty() ? "body" : field, "is not valid JSON");
    }

    /**
     * A JSON pointer ({@code /schedule/type}, {@code /tags/0}) as a field path ({@code schedule.type}, {@code
     * tags[0]}).
     */
    public static String dotted(String pointer) {
        StringBuilder path = new StringBuilder();
        for (String step : pointer.split("/")) {
            if (step.isEmpty()) {
                continue;
            }
            String name = step.replace("~1", "/").replace("~0", "~");
            if (name.chars().allMatch(Character::isDigit)) {
                path.append('[').append(name).append(']');
            } else {
                path.append(path.isEmpty() ? "" : ".").append(name);
            }
        }
        return path.toString();
    }

    private static String tooLargeFor(Class<?> target) {
        if (target == Integer.class || target == int.class) {
            return "must be an integer from " + Integer.MIN_VALUE + " to " + Integer.MAX_VALUE;
        }
        if (target == Long.class || target == long.class) {
            return "must be an integer from " + Long.MIN_VALUE + " to " + Long.MAX_VALUE;
        }
        return "is a number out of range";
    }

    private static String path(JacksonException e) {
        StringBuilder path = new StringBuilder();
        for (JacksonException.Reference ref : e.getPath()) {
            if (ref.getPropertyName() != null) {
                if (!path.isEmpty()) {
                    path.append('.');
                }
                path.append(ref.getPropertyName());
            } else if (ref.getIndex() >= 0) {
                path.append('[').append(ref.getIndex()).append(']');
            }
        }
        return path.toString();
    }

    /**
     * What a value of this type must look like, for a field or a request parameter that could not be read as one:
     * "must be an integer", "must be a date such as 2026-12-05", …
     */
    public static String expectedOf(Class<?> target) {
        if (target == null) {
            return "has the wrong type";
        }
        if (target == UUID.class) {
            return "must be an id (a UUID)";
        }
        if (target == Instant.class || target == OffsetDateTime.class) {
            return "must be a date and time such as 2026-12-05T10:00:00Z";
        }
        if (target == LocalDate.class) {
            return "must be a date such as 2026-12-05";
        }
        if (target == Integer.class || target == int.class || target == Long.class || target == long.class) {
            return "must be an integer";
        }
        if (target == Double.class || target == double.class || target == Float.class) {
            return "must be a number";
        }
        if (target == Boolean.class || target == boolean.class) {
            return "must be true or false";
        }
        if (target == String.class) {
            return "must be a string";
        }
        if (Collection.class.isAssignableFrom(target) || target.isArray()) {
            return "must be an array";
        }
        if (Map.class.isAssignableFrom(target) || target.isRecord()) {
            return "must be an object";
        }
        return "has the wrong type";
    }

    public static List<FieldError> fieldErrors(JacksonException e) {
        return List.of(fieldError(e));
    }
}
