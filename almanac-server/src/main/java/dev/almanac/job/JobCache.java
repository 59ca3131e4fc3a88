package dev.almanac.job;

import dev.almanac.common.ReadCache;
import dev.almanac.security.JobSecretsSealed;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.context.event.EventListener;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionSynchronization;
import org.springframework.transaction.support.TransactionSynchronizationManager;

/**
 * Jobs as the API's job read and the job page last showed them ({@link JobService#show}), so that the API's read of a
 * known job (its most frequent request) costs no database round trip. Every other read of a job (a change, a
 * permission check, a run) goes to the database. What keeps a kept job true:
 *
 * <ul>
 *   <li>every write to a job through this node ({@link JobRepository}'s, and the engine's next run and last outcome
 *       through {@link #written}) evicts it at once and again when the writing transaction ends, and a read that
 *       overlapped a write is not kept ({@link ReadCache#stamp});
 *   <li>the other nodes hear of each committed write: batched within {@link #RELAY_EVERY} by the engine's cluster
 *       signal while its listener is connected ({@link #takeWritten}), else sent at once ({@link Relay#AT_ONCE});
 *       {@link #heard} evicts what they wrote;
 *   <li>an entry lives {@code almanac.jobs.read-cache-ttl} at most, and {@link #DEAF_TTL} while this node does not
 *       hear the others;
 *   <li>a read inside a transaction never uses it.
 * </ul>
 *
 * A rename or a move to another namespace changes what the jobs triggered by it show, and a delete may too: the
 * cache then empties, here and on the other nodes.
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

    /** How this node's writes reach the other nodes. */
    public enum Relay {
        /** There are none (H2), or none to tell yet. */
        NONE,
        /** Kept for the cluster signal's listener, which sends them within {@link #RELAY_EVERY}. */
        BATCHED,
        /** Sent after each commit (the listener is not connected, or the node is stopping). */
        AT_ONCE
    }

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
    private Relay relay = Relay.NONE; // guarded by relayLock, as the batch
    private Consumer<Written> sendAtOnce = written -> {};

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
        afterWrite(() -> entries.evictAll(copy), () -> pass(copy));
    }

    void written(JobId job) {
        written(List.of(job));
    }

    /** A write that may change what any job shows (a rename, a delete): the cache empties here and everywhere. */
    void writtenAll() {
        afterWrite(entries::clear, () -> pass(null));
    }

    private void afterWrite(Runnable evict, Runnable relay) {
        evict.run();
        if (TransactionSynchronizationManager.isSynchronizationActive()) {
            TransactionSynchronizationManager.registerSynchronization(new TransactionSynchronization() {
                @Override
                public void afterCompletion(int status) {
                    evict.run();
                    // an unknown outcome may have committed
                    if (status != STATUS_ROLLED_BACK) {
                        relay.run();
                    }
                }
            });
        } else {
            relay.run();
        }
    }

    private void pass(Collection<JobId> jobs) {
        Written atOnce;
        Consumer<Written> send;
        synchronized (relayLock) {
            send = sendAtOnce;
            switch (relay) {
                case NONE -> {
                    return;
                }
                case AT_ONCE ->
                    atOnce = jobs == null || jobs.size() > RELAY_AT_MOST
                            ? new Written(true, Set.of())
                            : new Written(false, Set.copyOf(jobs));
                default -> {
                    if (jobs == null || unrelayed.size() + jobs.size() > RELAY_AT_MOST) {
                        unrelayedAll = true;
                        unrelayed.clear();
                    } else if (!unrelayedAll) {
                        unrelayed.addAll(jobs);
                    }
                    return;
                }
            }
        }
        send.accept(atOnce);
    }

    /**
     * How this node's writes reach the other nodes from now on; {@code sendAtOnce} sends one write's jobs (for
     * {@link Relay#AT_ONCE}). Leaving {@link Relay#BATCHED}, returns what the batch held, for the caller to send.
     */
    public Written relay(Relay relay, Consumer<Written> sendAtOnce) {
        synchronized (relayLock) {
            this.sendAtOnce = sendAtOnce;
            this.relay = relay;
            return relay == Relay.BATCHED ? new Written(false, Set.of()) : takeWritten();
        }
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

    /** What {@link #takeWritten} gave and could not be sent: relayed again, as writes are now. */
    public void relayAgain(Written written) {
        pass(written.all() ? null : written.jobs());
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

    /** Jobs' secrets were sealed in place by the upgrade from plain secrets: no copy of a job read before is kept. */
    @EventListener
    void on(JobSecretsSealed sealed) {
        writtenAll();
    }

    /** Empties the cache (what was written while nobody listened is unknown). */
    public void clear() {
        entries.clear();
    }
}
