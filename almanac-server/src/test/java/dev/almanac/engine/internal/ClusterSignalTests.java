package dev.almanac.engine.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.almanac.engine.internal.ClusterSignals.Signal;
import dev.almanac.job.JobCache;
import dev.almanac.job.JobId;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The payload of a cluster signal: what happened and which node said so, so a node passes over its own. */
class ClusterSignalTests {

    @Test
    void aSignalSaysWhatAndWho() {
        Signal signal = Signal.of("work@5b0c");

        assertThat(signal.what()).isEqualTo("work");
        assertThat(signal.from("5b0c")).isTrue();
        assertThat(signal.from("9f1e")).isFalse();
    }

    @Test
    void aSignalWithNoSenderIsSomeoneElses() {
        Signal signal = Signal.of(ClusterSignals.NAMESPACES);

        assertThat(signal.what()).isEqualTo(ClusterSignals.NAMESPACES);
        assertThat(signal.from("5b0c")).isFalse();
    }

    @Test
    void aJobsWrittenSignalNamesTheJobsOrEveryJob() {
        JobId one = JobId.generate();
        JobId two = JobId.generate();

        JobCache.Written some = ClusterSignals.jobsWritten(Signal.of(
                        ClusterSignals.jobsWritten(new JobCache.Written(false, Set.of(one, two))) + "@5b0c")
                .what());
        JobCache.Written all =
                ClusterSignals.jobsWritten(ClusterSignals.jobsWritten(new JobCache.Written(true, Set.of())));

        assertThat(some).isEqualTo(new JobCache.Written(false, Set.of(one, two)));
        assertThat(all.all()).isTrue();
        // one this node cannot read stands for every job
        assertThat(ClusterSignals.jobsWritten(ClusterSignals.JOBS_WRITTEN + "not-an-id")
                        .all())
                .isTrue();
    }
}
