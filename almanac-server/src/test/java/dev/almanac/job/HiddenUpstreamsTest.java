package dev.almanac.job;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Which entries of a request keep a stored upstream the user may not see: only as stored, never more. */
class HiddenUpstreamsTest {

    static final String HIDDEN = JobService.HIDDEN_JOB;
    final JobId x = JobId.generate();
    final JobId y = JobId.generate();

    private static JobRequest.TriggerJson sent(String job, String on, String condition) {
        return new JobRequest.TriggerJson(job, on, condition);
    }

    private static Trigger stored(JobId job, Trigger.On on, String condition) {
        return new Trigger(job, "b/" + job, on, condition);
    }

    @Test
    void keepsEachStoredTriggerByItsFieldsWhateverItsPosition() {
        Trigger failed = stored(x, Trigger.On.FAILED, null);
        Trigger counted = stored(y, Trigger.On.SUCCEEDED, "result.records_affected > 0");

        HiddenUpstreams.Kept kept = HiddenUpstreams.kept(
                List.of(),
                List.of(failed, counted),
                List.of(),
                List.of(sent(HIDDEN, null, " result.records_affected > 0 "), sent(HIDDEN, "failed", "")),
                true);

        assertThat(kept.triggers()).isEqualTo(Map.of(0, counted, 1, failed));
    }

    @Test
    void keepsNoTriggerWithAnotherOutcomeOrCondition() {
        Trigger failed = stored(x, Trigger.On.FAILED, null);

        for (JobRequest.TriggerJson changed : List.of(
                sent(HIDDEN, "succeeded", null),
                sent(HIDDEN, "failed", "job.name == 'x'"),
                sent(x.toString(), "any", null),
                sent(HIDDEN, "nonsense", null))) {
            assertThat(HiddenUpstreams.kept(List.of(), List.of(failed), List.of(), List.of(changed), true)
                            .triggers())
                    .as(changed.toString())
                    .isEmpty();
        }
    }

    @Test
    void keepsAnUpstreamInItsOwnListOnlyAndAsOftenAsStored() {
        Trigger failed = stored(x, Trigger.On.FAILED, null);

        HiddenUpstreams.Kept kept = HiddenUpstreams.kept(
                List.of(y),
                List.of(failed),
                List.of(x.toString(), y.toString(), HIDDEN),
                List.of(sent(y.toString(), "failed", null), sent(HIDDEN, "failed", null), sent(HIDDEN, "failed", null)),
                true);

        assertThat(kept.dependencies()).isEqualTo(Map.of(1, y));
        assertThat(kept.triggers()).isEqualTo(Map.of(1, failed));
    }

    @Test
    void placeholdersThatCouldStandForDifferentJobsKeepNone() {
        Trigger fromX = stored(x, Trigger.On.FAILED, null);
        Trigger fromY = stored(y, Trigger.On.FAILED, null);

        assertThat(HiddenUpstreams.kept(
                                List.of(),
                                List.of(fromX, fromY),
                                List.of(),
                                List.of(sent(HIDDEN, "failed", null)),
                                true)
                        .triggers())
                .isEmpty();
        assertThat(HiddenUpstreams.kept(List.of(x, y), List.of(), List.of(HIDDEN), List.of(), true)
                        .dependencies())
                .isEmpty();
        // all of them, or the one named by its id, are no guess
        assertThat(HiddenUpstreams.kept(List.of(x, y), List.of(), List.of(HIDDEN, HIDDEN), List.of(), true)
                        .dependencies())
                .isEqualTo(Map.of(0, x, 1, y));
        assertThat(HiddenUpstreams.kept(
                                List.of(),
                                List.of(fromX, fromY),
                                List.of(),
                                List.of(sent(y.toString(), "failed", null)),
                                true)
                        .triggers())
                .isEqualTo(Map.of(0, fromY));
    }

    @Test
    void aRollbackKeepsByIdOnly() {
        Trigger failed = stored(x, Trigger.On.FAILED, null);

        HiddenUpstreams.Kept kept = HiddenUpstreams.kept(
                List.of(y), List.of(failed), List.of(HIDDEN), List.of(sent(HIDDEN, "failed", null)), false);

        assertThat(kept.isEmpty()).isTrue();
    }
}
