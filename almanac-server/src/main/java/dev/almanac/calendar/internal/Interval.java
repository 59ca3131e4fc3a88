package dev.almanac.calendar.internal;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/** A half-open span of time, {@code [start, end)}. */
record Interval(Instant start, Instant end) {

    /** Sorted by start, overlapping and touching spans merged, so a lookup is one binary search. */
    static List<Interval> merged(List<Interval> intervals) {
        List<Interval> sorted = new ArrayList<>(intervals);
        sorted.sort(Comparator.comparing(Interval::start));
        List<Interval> merged = new ArrayList<>();
        for (Interval next : sorted) {
            Interval last = merged.isEmpty() ? null : merged.get(merged.size() - 1);
            if (last != null && !next.start().isAfter(last.end())) {
                if (next.end().isAfter(last.end())) {
                    merged.set(merged.size() - 1, new Interval(last.start(), next.end()));
                }
            } else {
                merged.add(next);
            }
        }
        return List.copyOf(merged);
    }

    /** Whether {@code at} lies in one of {@code merged} (as {@link #merged} leaves them). */
    static boolean contains(List<Interval> merged, Instant at) {
        int low = 0;
        int high = merged.size() - 1;
        while (low <= high) {
            int mid = (low + high) >>> 1;
            Interval i = merged.get(mid);
            if (at.isBefore(i.start())) {
                high = mid - 1;
            } else if (!at.isBefore(i.end())) {
                low = mid + 1;
            } else {
                return true;
            }
        }
        return false;
    }
}
