package dev.almanac.web.internal;

import dev.almanac.common.DatabaseAvailability;
import dev.almanac.common.QuickConnections;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.boot.health.contributor.Status;
import org.springframework.stereotype.Component;

/**
 * The database's part of {@code /actuator/health}, in place of Spring Boot's, which waits for a connection from the
 * main pool (its whole connection timeout when the database is away): down at once while the database is known to be
 * away, otherwise asked on a quick connection within {@link #TIMEOUT}, so the endpoint answers within 2 s.
 *
 * <p>The endpoint is public, so one check at a time asks the database and its answer serves every caller for {@link
 * #REUSE}: a caller that comes while a check is under way gets the last answer instead of asking too. However often
 * health is polled, it holds at most one quick connection (and the heartbeat has a connection of its own anyway).
 */
@Component("dbHealthIndicator")
public class DatabaseHealth implements HealthIndicator {

    static final Duration TIMEOUT = Duration.ofSeconds(1);
    static final Duration REUSE = Duration.ofSeconds(1);

    private record Answer(Health health, long atNanos) {
        boolean up() {
            return Status.UP.equals(health.getStatus());
        }
    }

    private final DatabaseAvailability availability;
    private final QuickConnections quick;
    private final ReentrantLock checking = new ReentrantLock();
    private volatile Answer last;

    DatabaseHealth(DatabaseAvailability availability, QuickConnections quick) {
        this.availability = availability;
        this.quick = quick;
    }

    @Override
    public Health health() {
        if (availability.down()) {
            return down();
        }
        Answer answer = last;
        // a "down" is not reused: the database is back (or the check would have marked it away)
        if (answer != null && answer.up() && System.nanoTime() - answer.atNanos() < REUSE.toNanos()) {
            return answer.health();
        }
        boolean mine;
        if (answer != null) {
            // another caller asks the database right now: its previous answer will do
            mine = checking.tryLock();
            if (!mine) {
                return answer.health();
            }
        } else {
            // nothing to reuse yet: wait for the check under way, as long as one may take
            try {
                mine = checking.tryLock(TIMEOUT.toNanos() + TimeUnit.MILLISECONDS.toNanos(200), TimeUnit.NANOSECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                mine = false;
            }
            if (!mine) {
                Answer meanwhile = last;
                return meanwhile != null ? meanwhile.health() : down();
            }
        }
        try {
            Answer fresh = last;
            if (fresh != answer && fresh != null) {
                // answered while this caller waited for the lock
                return fresh.health();
            }
            Health health = check();
            last = new Answer(health, System.nanoTime());
            return health;
        } finally {
            checking.unlock();
        }
    }

    private Health check() {
        try {
            if (quick.ping(TIMEOUT)) {
                availability.reachable();
                return Health.up().build();
            }
            availability.unreachable("no answer within " + TIMEOUT.toMillis() + " ms");
        } catch (RuntimeException e) {
            availability.unreachable(e);
        }
        return down();
    }

    private Health down() {
        return Health.down()
                .withDetail("reason", "database unreachable: " + availability.reason())
                .withDetail("since", String.valueOf(availability.downSince()))
                .build();
    }
}
