package dev.almanac.schedule;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Runs a fixed number of seconds after the previous run; real elapsed time, so DST never affects it. The
 * zone only decides how previews show the runs.
 */
public final class IntervalSchedule implements Schedule {

    /** 366 days: a longer interval is almost certainly a unit mistake. */
    public static final long MAX_SECONDS = 366L * 24 * 60 * 60;

    private final Duration interval;
    private final ZoneId zone;

    IntervalSchedule(Duration interval, ZoneId zone) {
        this.interval = interval;
        this.zone = zone;
    }

    public Duration interval() {
        return interval;
    }

    @Override
    public ScheduleType type() {
        return ScheduleType.INTERVAL;
    }

    @Override
    public ZoneId zone() {
        return zone;
    }

    /** {@code after} truncated to whole seconds, plus the interval. */
    @Override
    public Optional<Instant> nextAfter(Instant after) {
        return Optional.of(after.truncatedTo(ChronoUnit.SECONDS).plus(interval));
    }

    /**
     * The first run at or after {@code from} of those in phase with {@code anchor}, a run of this schedule: the runs
     * before and after it are whole intervals away. {@link #nextAfter} knows no phase: from any other time than a run
     * it gives a time the schedule never ran at.
     */
    public Instant firstInPhase(Instant anchor, Instant from) {
        long step = interval.getSeconds();
        Instant start = anchor.truncatedTo(ChronoUnit.SECONDS);
        Duration since = Duration.between(start, from);
        long seconds = since.getSeconds() + (since.getNano() > 0 ? 1 : 0);
        return start.plusSeconds(-Math.floorDiv(-seconds, step) * step);
    }

    @Override
    public List<ScheduledRun> preview(Instant from, int count) {
        List<ScheduledRun> runs = new ArrayList<>(Math.max(0, count));
        Instant at = from;
        while (runs.size() < count) {
            at = nextAfter(at).orElseThrow();
            runs.add(new ScheduledRun(at, at.atZone(zone), null));
        }
        return runs;
    }

    @Override
    public ScheduleSpec toSpec() {
        return new ScheduleSpec(type().json(), null, interval.getSeconds(), null, zone.getId());
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof IntervalSchedule that && interval.equals(that.interval) && zone.equals(that.zone);
    }

    @Override
    public int hashCode() {
        return Objects.hash(interval, zone);
    }

    @Override
    public String toString() {
        return "every " + interval.getSeconds() + "s in " + zone.getId();
    }
}
