package dev.almanac.schedule;

import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/** Runs once, at {@link #runAt()}; whether that is still in the future is the caller's rule. */
public final class OnceSchedule implements Schedule {

    private final Instant runAt;
    private final ZoneId zone;
    private final String note;

    OnceSchedule(Instant runAt, ZoneId zone) {
        this(runAt, zone, null);
    }

    /** @param note how the DST policy moved the local time it was given; not kept with the job (it keeps the offset) */
    OnceSchedule(Instant runAt, ZoneId zone, String note) {
        this.runAt = runAt;
        this.zone = zone;
        this.note = note;
    }

    public Instant runAt() {
        return runAt;
    }

    @Override
    public ScheduleType type() {
        return ScheduleType.ONCE;
    }

    @Override
    public ZoneId zone() {
        return zone;
    }

    @Override
    public Optional<Instant> nextAfter(Instant after) {
        return runAt.isAfter(after) ? Optional.of(runAt) : Optional.empty();
    }

    @Override
    public List<ScheduledRun> preview(Instant from, int count) {
        return count > 0 && runAt.isAfter(from)
                ? List.of(new ScheduledRun(runAt, runAt.atZone(zone), note))
                : List.of();
    }

    /** {@code run_at} as an offset date-time in the zone, such as {@code 2026-12-01T09:00:00+01:00}. */
    @Override
    public ScheduleSpec toSpec() {
        String at = DateTimeFormatter.ISO_OFFSET_DATE_TIME.format(runAt.atZone(zone));
        return new ScheduleSpec(type().json(), null, null, at, zone.getId());
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof OnceSchedule that && runAt.equals(that.runAt) && zone.equals(that.zone);
    }

    @Override
    public int hashCode() {
        return Objects.hash(runAt, zone);
    }

    @Override
    public String toString() {
        return "once at " + runAt + " in " + zone.getId();
    }
}
