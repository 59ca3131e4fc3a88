package dev.almanac.engine.internal;

import java.time.Duration;
import java.util.Set;
import java.util.stream.Collectors;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * How the engine on this node behaves ({@code almanac.engine.*}; environment variables {@code ALMANAC_ENGINE_*}).
 *
 * @param enabled run the trigger and worker loops on this node
 * @param nodeId this node's name in the cluster; default: host name, process id and a random suffix
 * @param workers how many executions this node runs at once
 * @param pollInterval the longest the loops sleep when nothing wakes them
 * @param triggerBatch how many due jobs one trigger transaction claims
 * @param heartbeatInterval how often this node proves it is alive
 * @param heartbeatTimeout the longest one heartbeat may take, connection included; a slower one counts as failed
 * @param deadNodeThreshold a node silent this long is dead: its running executions fail with "node lost"; a node
 *     that could not heartbeat for two thirds of it stops its own runs first. Start-up refuses settings where
 *     {@code heartbeat-interval + 2 × heartbeat-timeout} is not below that two thirds (see {@link #fenceAfter()})
 * @param shutdownGrace how long running executions may finish when the node stops; the rest go back to the queue
 * @param misfireThreshold a slot later than this when found is missed, and the job's misfire policy applies
 * @param maxSlotsPerPass the most slots of one job one trigger pass records (a long outage is worked off in passes)
 * @param retryJitter retry delays vary randomly by up to this fraction, so failing jobs do not retry in lockstep
 * @param logFlushInterval how often buffered log lines of running executions are written
 * @param maxLogLines the most log lines one execution keeps; then one truncation marker
 * @param maxLogBytes the most log bytes one execution keeps; then one truncation marker
 * @param roles what this node's engine does: {@code trigger} (turn due slots into queued executions), {@code worker}
 *     (run queued executions), or both; every engine node heartbeats and recovers the runs of dead nodes
 * @param claimAhead how many runs this node may claim beyond its free workers, to start them as soon as a worker
 *     frees without another claim; they stay {@code queued (on this node)} until they start. {@code 0} (the default,
 *     by measurement: a buffered run costs one more row version than one started in the claim, and the drain
 *     benchmark was not faster with it, see almanac-bench/HISTORY.md) claims only what free workers start at once;
 *     {@code -1} means as many as {@link #workers}
 * @param claimAheadMaxWait the longest a claimed run waits here for a worker; then it goes back to the queue, where
 *     another node may take it (so a node whose workers are stuck starves nothing)
 */
@ConfigurationProperties("almanac.engine")
public record EngineProperties(
        @DefaultValue("true") boolean enabled,
        String nodeId,
        @DefaultValue("16") int workers,
        @DefaultValue("1s") Duration pollInterval,
        @DefaultValue("500") int triggerBatch,
        @DefaultValue("5s") Duration heartbeatInterval,
        @DefaultValue("2s") Duration heartbeatTimeout,
        @DefaultValue("30s") Duration deadNodeThreshold,
        @DefaultValue("30s") Duration shutdownGrace,
        @DefaultValue("60s") Duration misfireThreshold,
        @DefaultValue("1000") int maxSlotsPerPass,
        @DefaultValue("0.1") double retryJitter,
        @DefaultValue("500ms") Duration logFlushInterval,
        @DefaultValue("10000") int maxLogLines,
        @DefaultValue("1048576") int maxLogBytes,
        @DefaultValue({"trigger", "worker"}) Set<Role> roles,
        @DefaultValue("0") int claimAhead,
        @DefaultValue("2s") Duration claimAheadMaxWait) {

    public EngineProperties {
        if (claimAhead < -1) {
            throw new IllegalArgumentException(
                    "almanac.engine.claim-ahead must be -1 (as many as the workers) or more");
        }
        if (heartbeatInterval.isNegative()
                || heartbeatInterval.isZero()
                || heartbeatTimeout.isNegative()
                || heartbeatTimeout.isZero()) {
            throw new IllegalArgumentException(
                    "almanac.engine.heartbeat-interval and almanac.engine.heartbeat-timeout must be positive");
        }
        Duration longestSilence = heartbeatInterval.plus(heartbeatTimeout.multipliedBy(2));
        Duration fenceAfter = deadNodeThreshold.multipliedBy(2).dividedBy(3);
        if (longestSilence.compareTo(fenceAfter) >= 0) {
            throw new IllegalArgumentException(("almanac.engine.heartbeat-interval (%s) + 2 × almanac.engine"
                            + ".heartbeat-timeout (%s) = %s must be less than two thirds of"
                            + " almanac.engine.dead-node-threshold (%s), that is %s: a node stops its own runs when"
                            + " it could not heartbeat for that long, and a healthy node must renew its lease before."
                            + " Raise the threshold or shorten the interval or the timeout.")
                    .formatted(heartbeatInterval, heartbeatTimeout, longestSilence, deadNodeThreshold, fenceAfter));
        }
    }

    /**
     * How long this node goes on running its runs without a successful heartbeat: two thirds of the dead-node
     * threshold, so that the last third covers stopping them and the clocks of two nodes being apart, before another
     * node may declare this one lost.
     */
    Duration fenceAfter() {
        return deadNodeThreshold.multipliedBy(2).dividedBy(3);
    }

    /**
     * The longest the database keeps a transaction of this node that waits for its next statement: a third of the
     * dead-node threshold. A node cut off mid-transaction (its connection stalled, not closed) would otherwise hold its
     * row locks for as long as the database's TCP peer answers, and the other nodes, which skip locked runs, could not
     * take its runs over. This way the locks are gone by the time another node may declare it lost: the cut comes at
     * most {@code heartbeat-interval + 2 × heartbeat-timeout} after the last renewal, which start-up keeps below two
     * thirds of the threshold. (With clocks apart, a recovery pass may still find the run locked; the next takes it.)
     */
    Duration idleTransactionLimit() {
        return deadNodeThreshold.dividedBy(3);
    }

    /** How many claimed runs this node may hold beyond its free workers. */
    int claimAheadBuffer() {
        return claimAhead < 0 ? workers : claimAhead;
    }

    /** A part of the engine a node can run. */
    public enum Role {
        TRIGGER,
        WORKER
    }

    /** The roles as the {@code nodes} table records them: {@code trigger,worker}. */
    String rolesText() {
        return roles.stream()
                .sorted()
                .map(r -> r.name().toLowerCase(java.util.Locale.ROOT))
                .collect(Collectors.joining(","));
    }
}
