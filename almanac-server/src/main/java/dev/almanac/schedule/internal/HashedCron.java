package dev.almanac.schedule.internal;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Jenkins' {@code H} in the minute and hour fields of a cron expression: a value picked by a stable hash of a seed (the
 * job's name), so that many jobs written {@code H 2 * * *} spread over the hour instead of all starting at 02:00, and
 * one job keeps its minute from one start to the next. {@code H} is the whole range, {@code H(0-29)} a range,
 * {@code H/15} and {@code H(0-29)/10} a step from a hashed offset; resolved, they are plain cron
 * ({@code 37}, {@code 7-59/15}). See https://www.jenkins.io/doc/book/pipeline/syntax/#cron-syntax.
 */
public final class HashedCron {

    private static final Pattern ANY_H = Pattern.compile("(?:^|[\\s,])H(?:$|[\\s,(/])");
    private static final Pattern HASHED = Pattern.compile("H(?:\\((\\d+)-(\\d+)\\))?(?:/(\\d+))?");
    private static final String[] NAMES = {"second", "minute", "hour", "day-of-month", "month", "day-of-week"};
    private static final int[][] BOUNDS = {{0, 59}, {0, 59}, {0, 23}};

    private HashedCron() {}

    /** Whether {@code expression} uses {@code H} anywhere. */
    public static boolean uses(String expression) {
        // an item that starts with H: THU and MON-THU are weekday names, not H
        return expression != null && ANY_H.matcher(expression.strip()).find();
    }

    /**
     * {@code expression} with every {@code H} form replaced by its value for {@code seed}; the other fields as given.
     *
     * @throws InvalidCronException when H stands outside the minute and hour fields or a form is broken
     */
    public static String resolve(String expression, String seed) {
        String[] parts = expression.strip().split("[ \\t]+");
        boolean withSeconds = parts.length == 6;
        List<String> problems = new ArrayList<>();
        String[] resolved = new String[parts.length];
        for (int i = 0; i < parts.length; i++) {
            int field = withSeconds ? i : i + 1;
            if (!ANY_H.matcher(parts[i]).find()) {
                resolved[i] = parts[i];
            } else if (field != 1 && field != 2) {
                problems.add("H is allowed only in the minute and hour fields, not in the "
                        + (field < NAMES.length ? NAMES[field] : "extra") + " field");
                resolved[i] = parts[i];
            } else {
                List<String> items = new ArrayList<>();
                for (String item : parts[i].split(",", -1)) {
                    items.add(item.startsWith("H") ? item(item, field, seed, problems) : item);
                }
                resolved[i] = String.join(",", items);
            }
        }
        if (!problems.isEmpty()) {
            throw new InvalidCronException(problems);
        }
        return String.join(" ", resolved);
    }

    private static String item(String item, int field, String seed, List<String> problems) {
        Matcher m = HASHED.matcher(item);
        String name = NAMES[field];
        if (!m.matches()) {
            problems.add(name + " field: '" + item + "' is not H, H(a-b), H/n or H(a-b)/n");
            return item;
        }
        int min = BOUNDS[field][0];
        int max = BOUNDS[field][1];
        int from = m.group(1) == null ? min : Integer.parseInt(m.group(1));
        int to = m.group(2) == null ? max : Integer.parseInt(m.group(2));
        if (from < min || to > max || from > to) {
            problems.add(
                    name + " field: H(" + from + "-" + to + ") must lie within " + min + "-" + max + ", low to high");
            return item;
        }
        long hash = hash(seed, field);
        if (m.group(3) == null) {
            return String.valueOf(from + (int) Math.floorMod(hash, (long) (to - from + 1)));
        }
        int step = Integer.parseInt(m.group(3));
        if (step < 1 || step > to - from + 1) {
            problems.add(name + " field: the step of " + item + " must be between 1 and " + (to - from + 1));
            return item;
        }
        int offset = from + (int) Math.floorMod(hash, (long) step);
        return offset + "-" + to + "/" + step;
    }

    /** The same number for the same seed and field on every node and every start (no String.hashCode salt). */
    private static long hash(String seed, int field) {
        try {
            byte[] digest =
                    MessageDigest.getInstance("SHA-256").digest((seed + "\n" + field).getBytes(StandardCharsets.UTF_8));
            long value = 0;
            for (int i = 0; i < 8; i++) {
                value = (value << 8) | (digest[i] & 0xff);
            }
            return value;
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every JDK", e);
        }
    }
}
