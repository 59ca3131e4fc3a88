package dev.almanac.common;

import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import tools.jackson.core.JacksonException;
import tools.jackson.core.JsonParser;
import tools.jackson.core.exc.InputCoercionException;
import tools.jackson.databind.exc.InvalidFormatException;
import tools.jackson.databind.exc.MismatchedInputException;
import tools.jackson.databind.exc.UnrecognizedPropertyException;
import tools.jackson.databind.exc.ValueInstantiationException;

/** Says which field of a JSON body could not be read, and why, in words a client can act on. */
public final class JsonInputErrors {

    /** What the reader says of a field given twice in one object (with {@code STRICT_DUPLICATE_DETECTION}). */
    private static final Pattern DUPLICATE = Pattern.compile("^Duplicate Object property \"([^\"]*)\"");

    private JsonInputErrors() {}

    public static FieldError fieldError(JacksonException e) {
        String field = path(e);
        if (e instanceof UnrecognizedPropertyException unknown) {
            List<String> known = unknown.getKnownPropertyIds() == null
                    ? List.of()
                    : unknown.getKnownPropertyIds().stream()
                            .map(String::valueOf)
                            .toList();
            return new FieldError(
                    field, "is not a known field" + NameHints.didYouMean(unknown.getPropertyName(), known));
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
