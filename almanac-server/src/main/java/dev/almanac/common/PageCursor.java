package dev.almanac.common;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Function;

/**
 * Where a keyset-paged list (newest first) goes on: the time and id of the last row of the page before, given to the
 * client opaque ({@code next_before}) and read back from {@code before}. It holds both values itself, so a page
 * continues where the last one ended even when that row was deleted meanwhile (by hand, or by history retention).
 */
public record PageCursor(Instant at, UUID id) {

    private static final String SEPARATOR = "|";

    public static PageCursor of(Instant at, UUID id) {
        return new PageCursor(at, id);
    }

    /** The cursor as a client passes it on: URL-safe, without padding. */
    public String encoded() {
        byte[] raw = (at + SEPARATOR + id).getBytes(StandardCharsets.UTF_8);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(raw);
    }

    /**
     * Reads {@code field}: a cursor {@link #encoded()} wrote, or, as clients sent before cursors, the id of a row
     * that {@code byId} still finds (else the field error says {@code gone}). Anything else is a field error too,
     * and so is a cursor whose time is outside the years 1 to 9999. A cursor is not signed: one made by hand in the
     * same form is read as the place to go on from.
     */
    public static Optional<PageCursor> read(
            String field,
            String value,
            Function<UUID, Optional<PageCursor>> byId,
            String gone,
            List<FieldError> errors) {
        String text = QueryParameters.text(value);
        if (text == null) {
            return Optional.empty();
        }
        Optional<UUID> rowId = uuid(text);
        if (rowId.isPresent()) {
            Optional<PageCursor> row = byId.apply(rowId.get());
            if (row.isEmpty()) {
                errors.add(new FieldError(field, gone));
            }
            return row;
        }
        Optional<PageCursor> decoded = decoded(text);
        if (decoded.isEmpty()) {
            errors.add(new FieldError(
                    field, "is not a cursor this server gave: pass next_before of the previous page as it came"));
        }
        return decoded;
    }

    private static Optional<PageCursor> decoded(String text) {
        try {
            String raw = new String(Base64.getUrlDecoder().decode(text), StandardCharsets.UTF_8);
            int separator = raw.indexOf(SEPARATOR);
            if (separator < 0) {
                return Optional.empty();
            }
            Instant at = Instant.parse(raw.substring(0, separator));
            if (!IsoTimes.within(at)) {
                // no row is stored outside the years 1 to 9999, and the database cannot compare with such a time
                return Optional.empty();
            }
            return uuid(raw.substring(separator + 1)).map(id -> new PageCursor(at, id));
        } catch (IllegalArgumentException | DateTimeParseException notOurs) {
            return Optional.empty();
        }
    }

    /** A UUID in its canonical form only: {@link UUID#fromString} also takes short ones such as {@code 1-1-1-1-1}. */
    private static Optional<UUID> uuid(String text) {
        if (text.length() != 36) {
            return Optional.empty();
        }
        try {
            UUID id = UUID.fromString(text);
            return id.toString().equalsIgnoreCase(text) ? Optional.of(id) : Optional.empty();
        } catch (IllegalArgumentException notAnId) {
            return Optional.empty();
        }
    }
}
