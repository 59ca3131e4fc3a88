package dev.almanac.common;

import java.util.Collection;
import java.util.Locale;
import java.util.Optional;

/**
 * The known name a client probably meant when it sent an unknown one: the same name in another case or with other
 * separators ({@code dryRun} for {@code dry_run}), or one at most two edits away ({@code condition} for
 * {@code conditions}).
 */
public final class NameHints {

    private static final int MAX_EDITS = 2;

    private NameHints() {}

    /** The closest of {@code known} to {@code unknown}, compared ignoring case, {@code _} and {@code -}. */
    public static Optional<String> closest(String unknown, Collection<String> known) {
        if (unknown == null) {
            return Optional.empty();
        }
        String wanted = normalized(unknown);
        // a short name is near too many others: one edit at most
        int allowed = wanted.length() <= 4 ? 1 : MAX_EDITS;
        String best = null;
        int bestDistance = Integer.MAX_VALUE;
        for (String candidate : known) {
            if (candidate.equals(unknown)) {
                continue;
            }
            int distance = distance(wanted, normalized(candidate));
            if (distance <= allowed && distance < bestDistance) {
                best = candidate;
                bestDistance = distance;
            }
        }
        return Optional.ofNullable(best);
    }

    /** {@code "; did you mean 'x'?"}, or nothing when no known name is close. */
    public static String didYouMean(String unknown, Collection<String> known) {
        return closest(unknown, known)
                .map(name -> "; did you mean '" + name + "'?")
                .orElse("");
    }

    private static String normalized(String name) {
        return name.toLowerCase(Locale.ROOT).replace("_", "").replace("-", "");
    }

    /** Levenshtein distance. */
    private static int distance(String a, String b) {
        int[] previous = new int[b.length() + 1];
        int[] current = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            previous[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            current[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int substitution = previous[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1);
                current[j] = Math.min(substitution, Math.min(previous[j] + 1, current[j - 1] + 1));
            }
            int[] swap = previous;
            previous = current;
            current = swap;
        }
        return previous[b.length()];
    }
}
