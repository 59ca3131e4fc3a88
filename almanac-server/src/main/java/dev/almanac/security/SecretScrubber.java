package dev.almanac.security;

import dev.almanac.common.Sealed;
import java.util.Collection;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.UnaryOperator;

/**
 * Replaces the secrets of one run with {@link Sealed#MASK} in what the run shows: its log lines and its result. Made
 * by {@link SecretParameters#scrubber}, the one rule of what is masked: every secret of four characters or more, and
 * every line of a secret (without the spaces around it) of four characters or more, since output reaches the log a
 * line at a time.
 */
public final class SecretScrubber implements UnaryOperator<String> {

    static final SecretScrubber NONE = new SecretScrubber(List.of());

    /** A secret of one to three characters (or such a line of one) would mask unrelated text as well. */
    private static final int SHORTEST = 4;

    private final List<String> secrets;

    private SecretScrubber(List<String> secrets) {
        this.secrets = secrets;
    }

    static SecretScrubber of(Collection<String> values) {
        Set<String> secrets = new LinkedHashSet<>();
        for (String value : values) {
            if (value.length() >= SHORTEST) {
                secrets.add(value);
            }
            // a key with its trailing line break, too, is printed as lines without one
            value.lines()
                    .map(String::strip)
                    .filter(line -> line.length() >= SHORTEST)
                    .forEach(secrets::add);
        }
        // the longest first: a secret that holds another (a URL with its password, a key with its lines) is masked
        // whole, not around the shorter one
        return new SecretScrubber(secrets.stream()
                .sorted(Comparator.comparingInt(String::length).reversed())
                .toList());
    }

    /** The text with every secret replaced by the mask. */
    @Override
    public String apply(String text) {
        for (String secret : secrets) {
            text = text.replace(secret, Sealed.MASK);
        }
        return text;
    }

    /**
     * The start of a longer text whose rest is lost (a line cut while it was read), scrubbed: a secret's beginning at
     * its end is left out too, since the rest that would have made the secret whole is not there to be masked.
     */
    public String head(String start) {
        String text = apply(start);
        int partial = 0;
        for (String secret : secrets) {
            for (int length = Math.min(secret.length() - 1, text.length()); length > partial; length--) {
                if (text.regionMatches(text.length() - length, secret, 0, length)) {
                    partial = length;
                }
            }
        }
        return text.substring(0, text.length() - partial);
    }

    /** A copy of a result: every string scrubbed, the keys of its maps as well as their values, at any depth. */
    @SuppressWarnings("unchecked")
    <T> T scrubbed(T value) {
        if (secrets.isEmpty()) {
            return value;
        }
        if (value instanceof String text) {
            return (T) apply(text);
        }
        if (value instanceof Map<?, ?> map) {
            Map<String, Object> copy = new LinkedHashMap<>();
            map.forEach((k, v) -> copy.put(apply(String.valueOf(k)), scrubbed(v)));
            return (T) copy;
        }
        if (value instanceof List<?> list) {
            return (T) list.stream().map(this::scrubbed).toList();
        }
        return value;
    }
}
