package dev.almanac.common;

import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;

/** Reads query-string parameters, collecting a field error for each bad one instead of failing on the first. */
public final class QueryParameters {

    private QueryParameters() {}

    public static String text(String value) {
        return value == null || value.isBlank() ? null : value.strip();
    }

    public static int integer(String field, String value, int fallback, int min, int max, List<FieldError> errors) {
        if (text(value) == null) {
            return fallback;
        }
        try {
            int parsed = Integer.parseInt(value.strip());
            if (parsed >= min && parsed <= max) {
                return parsed;
            }
        } catch (NumberFormatException notANumber) {
            // reported below
        }
        errors.add(new FieldError(field, "must be an integer between " + min + " and " + max));
        return fallback;
    }

    public static Boolean bool(String field, String value, List<FieldError> errors) {
        if (text(value) == null) {
            return null;
        }
        return switch (value.strip()) {
            case "true" -> true;
            case "false" -> false;
            default -> {
                errors.add(new FieldError(field, "must be true or false"));
                yield null;
            }
        };
    }

    /** An ISO-8601 instant such as {@code 2026-11-23T12:00:00Z}, or with an offset. */
    public static Instant instant(String field, String value, List<FieldError> errors) {
        if (text(value) == null) {
            return null;
        }
        try {
            return IsoTimes.instant(value.strip());
        } catch (DateTimeParseException notAnInstant) {
            errors.add(
                    new FieldError(field, "must be an ISO-8601 date-time with an offset, e.g. 2026-11-23T12:00:00Z"));
            return null;
        }
    }

    /** A value one of a fixed set, parsed by {@code parse}; {@code allowed} names them in the error. */
    public static <T> T choice(
            String field, String value, Function<String, Optional<T>> parse, String allowed, List<FieldError> errors) {
        if (text(value) == null) {
            return null;
        }
        Optional<T> parsed = parse.apply(value.strip());
        if (parsed.isEmpty()) {
            errors.add(new FieldError(field, "must be one of: " + allowed));
            return null;
        }
        return parsed.get();
    }

    /** What a time range given the wrong way round says on {@code to}. */
    public static final String NOT_AFTER_FROM = "must be after from";

    /** A time range given the wrong way round ({@code to} not after {@code from}) is a mistake, not an empty page. */
    public static void ordered(Instant from, Instant to, List<FieldError> errors) {
        if (from != null && to != null && !to.isAfter(from)) {
            errors.add(new FieldError("to", NOT_AFTER_FROM));
        }
    }

    public static void check(List<FieldError> errors) {
        if (!errors.isEmpty()) {
            throw new InvalidInputException(errors);
        }
    }
}
