package dev.almanac.schedule;

import dev.almanac.schedule.internal.CronPattern;
import dev.almanac.schedule.internal.ZonedCron;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Runs when a cron expression matches the local time in {@link #zone()}, under the DST policy: a fixed
 * time missing on a day runs at the end of the gap, a fixed time that occurs twice runs at its first
 * occurrence, and a {@code *} or step hour runs at every real instant that matches.
 */
public final class CronSchedule implements Schedule {

    private final String written;
    private final CronPattern pattern;
    private final ZoneId zone;
    private final ZonedCron timeline;

    CronSchedule(CronPattern pattern, ZoneId zone) {
        this(null, pattern, zone);
    }

    /** {@code written} with Jenkins' H (null when it has none), {@code pattern} what it resolved to. */
    CronSchedule(String written, CronPattern pattern, ZoneId zone) {
        this.written = written;
        this.pattern = pattern;
        this.zone = zone;
        this.timeline = new ZonedCron(pattern, zone);
    }

    /**
     * The expression as stored: trimmed, with single spaces; a macro such as {@code @daily} is kept, lower-case; an
     * {@code H} is kept (see {@link #resolvedExpression()}).
     */
    public String expression() {
        return written != null ? written : pattern.expression();
    }

    /** The expression the schedule follows: {@link #expression()} with each {@code H} replaced by its value. */
    public String resolvedExpression() {
        return pattern.expression();
    }

    /** Whether the expression uses Jenkins' {@code H}. */
    public boolean hashed() {
        return written != null;
    }

    @Override
    public ScheduleType type() {
        return ScheduleType.CRON;
    }

    @Override
    public ZoneId zone() {
        return zone;
    }

    @Override
    public Optional<Instant> nextAfter(Instant after) {
        return Optional.ofNullable(timeline.nextAfter(after));
    }

    @Override
    public List<ScheduledRun> preview(Instant from, int count) {
        List<ScheduledRun> runs = new ArrayList<>(Math.max(0, count));
        Instant after = from;
        while (runs.size() < count) {
            ZonedCron.Run run = timeline.nextRunAfter(after);
            if (run == null) {
                break;
            }
            runs.add(new ScheduledRun(run.at(), run.at().atZone(zone), run.note()));
            after = run.at();
        }
        return runs;
    }

    @Override
    public ScheduleSpec toSpec() {
        return new ScheduleSpec(type().json(), expression(), null, null, zone.getId());
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof CronSchedule that
                && expression().equals(that.expression())
                && resolvedExpression().equals(that.resolvedExpression())
                && zone.equals(that.zone);
    }

    @Override
    public int hashCode() {
        return Objects.hash(expression(), resolvedExpression(), zone);
    }

    @Override
    public String toString() {
        return "cron '" + expression() + "'" + (hashed() ? " ('" + resolvedExpression() + "')" : "") + " in "
                + zone.getId();
    }
}
