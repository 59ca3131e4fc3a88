package dev.almanac.schedule;

import java.time.Instant;
import java.time.ZoneId;
import java.util.List;
import java.util.Optional;

/** A validated schedule; obtain one from {@link Schedules#parse}. Instances are immutable and thread-safe. */
public sealed interface Schedule permits CronSchedule, IntervalSchedule, OnceSchedule {

    ScheduleType type();

    ZoneId zone();

    /** The next run strictly after {@code after}, or empty when there is none. */
    Optional<Instant> nextAfter(Instant after);

    /** The next {@code count} runs strictly after {@code from}, fewer if the schedule ends sooner. */
    List<ScheduledRun> preview(Instant from, int count);

    /** The normalised spec, for storage and responses; parsing it again gives an equal schedule. */
    ScheduleSpec toSpec();
}
