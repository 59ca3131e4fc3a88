package dev.almanac.job;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class JobTotalsTests {

    private final AtomicLong nanos = new AtomicLong(1_000);
    private final AtomicInteger counts = new AtomicInteger();
    private final JobTotals totals = new JobTotals(nanos::get);

    @Test
    void countsEachFilterAtMostOncePerSecond() {
        assertThat(totals.total("all", counts::incrementAndGet)).isEqualTo(1);
        nanos.addAndGet(Duration.ofMillis(999).toNanos());
        assertThat(totals.total("all", counts::incrementAndGet)).isEqualTo(1);
        assertThat(totals.total("enabled", counts::incrementAndGet)).isEqualTo(2);
        nanos.addAndGet(Duration.ofMillis(1).toNanos());
        assertThat(totals.total("all", counts::incrementAndGet)).isEqualTo(3);
    }

    @Test
    void countsAfreshAfterAWriteOfJobs() {
        assertThat(totals.total("all", counts::incrementAndGet)).isEqualTo(1);
        totals.changed();
        assertThat(totals.total("all", counts::incrementAndGet)).isEqualTo(2);
        assertThat(totals.total("all", counts::incrementAndGet)).isEqualTo(2);
    }

    @Test
    void aWriteDuringTheCountMakesItStale() {
        assertThat(totals.total("all", () -> {
                    totals.changed();
                    return counts.incrementAndGet();
                }))
                .isEqualTo(1);
        assertThat(totals.total("all", counts::incrementAndGet)).isEqualTo(2);
    }
}
