package dev.almanac.job;

import dev.almanac.common.ReadCache;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionSynchronization;
import org.springframework.transaction.support.TransactionSynchronizationManager;

/**
 * Jobs as {@link JobService#get} last read them, so that reading a known job (the API's most frequent request, and the
 * job page) costs no database round trip. What keeps it true:
 *
 * <ul>
 *   <li>every write to a job through this node ({@link JobRepository}'s, and the engine's next run and last outcome
 *       through {@link #written}) evicts the job at once and again when the writing transaction ends, and a read that
 *       raced a write is not kept ({@link ReadCache#stamp});
 *   <li>the other nodes hear of each committed write within {@link #RELAY_EVERY} (the engine's cluster signal takes
 *       {@link #takeWritten} and sends it; {@link #heard} evicts what they wrote);
 *   <li>an entry lives {@code almanac.jobs.read-cache-ttl} at most, and {@link #DEAF_TTL} while this node does not
 *       hear the others;
 *   <li>a read inside a transaction never uses it, so a change is read back as written before it commits.
 * </ul>
 *
 * A write that changes what other jobs show (a rename shows in its downstream jobs' triggers, a delete) empties the
 * cache, here and on the other nodes.
 */
@Component
public class JobCache {

    /** How long an entry lives while this node does not hear the other nodes' writes. */
    public static final Duration DEAF_TTL = Duration.ofSeconds(1);
    /** How often the writes of this node are passed on to the others, at most. */
    public static final Duration RELAY_EVERY = Duration.ofMillis(50);
    /** More jobs written since the last relay than fit one signal: the other nodes empty their caches instead. */
    static final int RELAY_AT_MOST = 150;

    /**
     * The job read cache ({@code almanac.jobs.*}).
     *
     * @param readCacheTtl how long a job read is kept on a node at most (0: no cache); writes on any node evict it
     * @param readCacheSize how many jobs are kept at most
     */
    @ConfigurationProperties("almanac.jobs")
    public record Properties(
            @DefaultValue("10s") Duration readCacheTtl,
            @DefaultValue("2000") int readCacheSize) {}

    /** What this node wrote since the last relay: some jobs, or every job ({@code all}). */
    public record Written(boolean all, Set<JobId> jobs) {

        public boolean none() {
            return !all && jobs.isEmpty();
        }
    }

    private final ReadCache<JobId, Job> entries;
    private final Object relayLock = new Object();
    private Set<JobId> unrelayed = new HashSet<>();
    private boolean unrelayedAll;
    private volatile boolean relaying;

    private final Clock clock;

    JobCache(Properties properties, Clock clock) {
        this.entries = new ReadCache<>(properties.readCacheTtl(), DEAF_TTL, properties.readCacheSize());
        this.clock = clock;
    }

    /**
     * The job, from here when a read of it is kept, else {@code fromDatabase}'s, kept unless a write raced it. Inside a
     * transaction always {@code fromDatabase}'s, uncached.
     */
    Optional<Job> read(JobId id, Supplier<Optional<Job>> fromDatabase) {
        if (!entries.enabled() || TransactionSynchronizationManager.isActualTransactionActive()) {
            return fromDatabase.get();
        }
        Instant now = clock.instant();
        Optional<Job> kept = entries.get(id, now);
        if (kept.isPresent()) {
            return kept;
        }
        long stamp = entries.stamp();
        Optional<Job> read = fromDatabase.get();
        read.ifPresent(job -> entries.put(id, job, now, stamp));
        return read;
    }

    /**
     * These jobs were written (or are being written) through this node: evicted now and when the current transaction
     * ends, and passed on to the other nodes once it committed.
     */
    public void written(Collection<JobId> jobs) {
        if (jobs.isEmpty()) {
            return;
        }
        List<JobId> copy = List.copyOf(jobs);
        afterWrite(() -> entries.evictAll(copy), () -> relay(copy));
    }

    void written(JobId job) {
        written(List.of(job));
    }

    /** A write that may change what any job shows (a rename, a delete): the cache empties here and everywhere. */
    void writtenAll() {
        afterWrite(entries::clear, () -> relay(null));
    }

    private void afterWrite(Runnable evict, Runnable relay) {
        evict.run();
        if (TransactionSynchronizationManager.isSynchronizationActive()) {
            TransactionSynchronizationManager.registerSynchronization(new TransactionSynchronization() {
                @Override
                public void afterCompletion(int status) {
                    evict.run();
                    if (status == STATUS_COMMITTED) {
                        relay.run();
                    }
                }
            });
        } else {
            relay.run();
        }
    }

    private void relay(Collection<JobId> jobs) {
        if (!relaying) {
            return;
        }
        synchronized (relayLock) {
            if (jobs == null || unrelayed.size() + jobs.size() > RELAY_AT_MOST) {
                unrelayedAll = true;
                unrelayed.clear();
            } else if (!unrelayedAll) {
                unrelayed.addAll(jobs);
            }
        }
    }

    /**
     * Whether there are other nodes to tell (a PostgreSQL cluster's signal is running): until then, and on H2, writes
     * are not kept for a relay.
     */
    public void relaying(boolean relaying) {
        this.relaying = relaying;
    }

    /** What this node wrote since the last call, for the other nodes. */
    public Written takeWritten() {
        synchronized (relayLock) {
            Written written = new Written(unrelayedAll, unrelayed);
            unrelayed = new HashSet<>();
            unrelayedAll = false;
            return written;
        }
    }

    /** What {@link #takeWritten} gave and could not be sent: kept for the next relay. */
    public void relayAgain(Written written) {
        relay(written.all() ? null : written.jobs());
    }

    /** Another node wrote these jobs (or every job). */
    public void heard(Written written) {
        if (written.all()) {
            entries.clear();
        } else if (!written.jobs().isEmpty()) {
            entries.evictAll(written.jobs());
        }
    }

    /** Whether writes of other nodes can be missed: entries then live {@link #DEAF_TTL} at most. */
    public void deaf(boolean deaf) {
        entries.deaf(deaf);
    }

    public boolean hearsOtherNodes() {
        return entries.hearsOtherNodes();
    }

    /** Empties the cache (what was written while nobody listened is unknown). */
    public void clear() {
        entries.clear();
    }

    int size() {
        return entries.size();
    }
}
