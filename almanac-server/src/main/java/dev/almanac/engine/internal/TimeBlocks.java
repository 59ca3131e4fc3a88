package dev.almanac.engine.internal;

import dev.almanac.calendar.Calendars;
import dev.almanac.calendar.TimeBlock;
import dev.almanac.execution.SkipReason;
import dev.almanac.job.Job;
import dev.almanac.job.JobPause;
import dev.almanac.security.NamespacePauses;
import dev.almanac.template.TemplateRegistry;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.springframework.stereotype.Component;

/**
 * What keeps a job from running at a time: its pause or its namespace's, a freeze, or one of its calendars. The trigger pass asks it for
 * each due slot, and the outcome writer for each run another job's outcome would start, so no path runs a job its
 * pause, a freeze or its calendars hold.
 */
@Component
class TimeBlocks {

    private final Calendars calendars;
    private final TemplateRegistry templates;
    private final NamespacePauses namespacePauses;

    TimeBlocks(Calendars calendars, TemplateRegistry templates, NamespacePauses namespacePauses) {
        this.calendars = calendars;
        this.templates = templates;
        this.namespacePauses = namespacePauses;
    }

    /** The slots among {@code due} a pause, a freeze or a calendar keeps from running, with what blocks each. */
    Map<Instant, TimeBlock> blocked(Job job, List<Instant> due) {
        Map<Instant, TimeBlock> blocked = new HashMap<>();
        Boolean destructive = null;
        for (Instant slot : due) {
            Optional<TimeBlock> paused = pausedAt(job, slot);
            if (paused.isPresent()) {
                blocked.put(slot, paused.get());
                continue;
            }
            if (destructive == null) {
                destructive = destructive(job);
            }
            calendars
                    .blockOf(job.definition().namespace(), job.definition().calendars(), destructive, slot)
                    .ifPresent(block -> blocked.put(slot, block));
        }
        return blocked;
    }

    /** What blocks {@code job} at {@code at}, if anything. */
    Optional<TimeBlock> at(Job job, Instant at) {
        return pausedAt(job, at)
                .or(() -> calendars.blockOf(
                        job.definition().namespace(), job.definition().calendars(), destructive(job), at));
    }

    /**
     * What blocks {@code job} at {@code at} apart from its pause: a backfill runs slots a pause skipped (that is what
     * it is for), but not those a calendar or a freeze keeps free.
     */
    Optional<TimeBlock> calendarOrFreezeAt(Job job, Instant at) {
        return calendars.blockOf(job.definition().namespace(), job.definition().calendars(), destructive(job), at);
    }

    /**
     * The freeze going on at {@code now} that holds {@code job} (one of all jobs, or of destructive templates' jobs for
     * a destructive one): while it lasts a backfill releases none of the job's slots and waits for it to end.
     */
    Optional<TimeBlock> freezeAt(Job job, Instant now) {
        return calendars.blockOf(null, null, destructive(job), now);
    }

    static SkipReason reasonOf(TimeBlock block) {
        return switch (block.kind()) {
            case TimeBlock.CALENDAR -> SkipReason.CALENDAR;
            case TimeBlock.FREEZE -> SkipReason.FREEZE;
            default -> SkipReason.PAUSED;
        };
    }

    private Optional<TimeBlock> pausedAt(Job job, Instant at) {
        JobPause pause = job.pause();
        if (pause != null && pause.holdsAt(at)) {
            return Optional.of(TimeBlock.paused(job.name(), pause.reason()));
        }
        return namespacePauses.at(job.definition().namespace(), at).map(TimeBlock::paused);
    }

    private boolean destructive(Job job) {
        return templates
                .find(job.definition().templateType())
                .map(t -> t.descriptor().destructive())
                .orElse(false);
    }
}
