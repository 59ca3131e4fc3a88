package dev.almanac.script;

import java.time.Instant;
import java.util.Locale;
import java.util.UUID;
import java.util.regex.Pattern;

/**
 * One version of a script's source. Its source never changes once stored; a change is a new version. No job runs it
 * until a second person approved it.
 *
 * @param networkAllowed whether the author asked for network access, which the approval grants with the source
 */
public record ScriptVersion(
        UUID scriptId,
        int version,
        String source,
        boolean networkAllowed,
        String author,
        Instant createdAt,
        Status status,
        String reviewer,
        String reviewComment,
        Instant reviewedAt) {

    /** A header line that says the script understands {@code ALMANAC_DRY_RUN=1}: {@code # almanac: dry-run}. */
    private static final Pattern DRY_RUN_HEADER = Pattern.compile("(?m)^\\s*(#|//)\\s*almanac:\\s*dry-run\\s*$");

    private static final int HEADER_CHARACTERS = 4000;

    /** Where a version stands in its review. */
    public enum Status {
        PENDING,
        APPROVED,
        REJECTED;

        public String json() {
            return name().toLowerCase(Locale.ROOT);
        }

        public static Status of(String json) {
            return valueOf(json.toUpperCase(Locale.ROOT));
        }
    }

    public boolean approved() {
        return status == Status.APPROVED;
    }

    /**
     * Whether the source declares, in a comment line near its top ({@code # almanac: dry-run}, or {@code //} in
     * Node.js), that it understands {@code ALMANAC_DRY_RUN=1}; part of the reviewed source, so it cannot change
     * after the approval.
     */
    public boolean supportsDryRun() {
        return DRY_RUN_HEADER
                .matcher(source.substring(0, Math.min(source.length(), HEADER_CHARACTERS)))
                .find();
    }
}
