package dev.almanac.schedule.internal;

import java.util.List;

/** One field of a UNIX cron expression, with its name as users read it in error messages. */
enum CronField {
    SECOND("second", 0, 59, List.of()),
    MINUTE("minute", 0, 59, List.of()),
    HOUR("hour", 0, 23, List.of()),
    DAY_OF_MONTH("day-of-month", 1, 31, List.of()),
    MONTH("month", 1, 12, List.of("JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC")),
    // 7 is Sunday too, as in Vixie cron; names map to 0 (SUN) .. 6 (SAT).
    DAY_OF_WEEK("day-of-week", 0, 7, List.of("SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"));

    final String label;
    final int min;
    final int max;
    private final List<String> names;

    CronField(String label, int min, int max, List<String> names) {
        this.label = label;
        this.min = min;
        this.max = max;
        this.names = names;
    }

    /** The value a month or weekday name stands for, or -1 when the token is not a name of this field. */
    int valueOfName(String token) {
        int index = names.indexOf(token.toUpperCase(java.util.Locale.ROOT));
        if (index < 0) {
            return -1;
        }
        return this == MONTH ? index + 1 : index;
    }

    boolean hasNames() {
        return !names.isEmpty();
    }
}
