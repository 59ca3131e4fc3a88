package dev.almanac.engine.internal;

import dev.almanac.common.DatabaseAvailability;
import dev.almanac.common.QuickConnections;
import java.net.InetAddress;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

/**
 * This node's name and its lease on the runs it holds (ARCHITECTURE §4). Other nodes take the runs over once the
 * node's {@code heartbeat_at} is older than the dead-node threshold; this node stops them earlier, when it could not
 * renew the lease for {@link EngineProperties#fenceAfter()}, judged on its own monotonic clock. A renewal counts only
 * when the database confirmed it within the heartbeat timeout (its own connection, never the main pool's wait), and it
 * writes and counts from a time read after the connection was obtained: a heartbeat never carries a time from before
 * it waited.
 *
 * <p>After this node could not reach the database, it declares no other node lost until it has seen the database for
 * a whole threshold itself: during an outage every heartbeat goes stale, and the other nodes need that long to renew.
 */
@Component
class NodeLease {

    private static final Logger log = LoggerFactory.getLogger(NodeLease.class);

    private final NodeRepository nodes;
    private final QuickConnections quick;
    private final DatabaseAvailability availability;
    private final EngineProperties properties;
    private final Clock clock;
    private final String nodeId;
    private final String host;

    /** The time a renewal wrote, by the clock, and the same moment by {@link System#nanoTime()}. */
    private record Renewal(Instant at, long nanos) {}

    private volatile Renewal last;
    /** This process's first renewal: when it joined the cluster, which its node row says even if it was forgotten. */
    private volatile Renewal first;

    private final Instant processStartedAt;
    private volatile Instant failingSince;
    private volatile Instant reachableAgainAt;

    NodeLease(
            NodeRepository nodes,
            QuickConnections quick,
            DatabaseAvailability availability,
            EngineProperties properties,
            Clock clock) {
        this.nodes = nodes;
        this.quick = quick;
        this.availability = availability;
        this.properties = properties;
        this.clock = clock;
        this.processStartedAt = clock.instant();
        this.host = hostName();
        this.nodeId = properties.nodeId() != null && !properties.nodeId().isBlank()
                ? properties.nodeId()
                : host + "-" + ProcessHandle.current().pid() + "-"
                        + UUID.randomUUID().toString().substring(0, 8);
    }

    String nodeId() {
        return nodeId;
    }

    /** Writes this node's heartbeat; true when the database confirmed it within the heartbeat timeout. */
    boolean renew() {
        Renewal renewal;
        try {
            renewal = quick.heartbeat(properties.heartbeatTimeout(), connection -> {
                Renewal now = new Renewal(clock.instant(), System.nanoTime());
                nodes.heartbeat(
                        connection,
                        nodeId,
                        host,
                        properties.rolesText(),
                        now.at(),
                        first == null ? now.at() : first.at(),
                        first == null);
                return now;
            });
        } catch (RuntimeException unreachable) {
            if (failingSince == null) {
                failingSince = clock.instant();
                log.warn("Node {} could not heartbeat: {}", nodeId, unreachable.getMessage());
            }
            // the heartbeat's own connection failed: an outage, not a full main pool
            availability.unreachable(
                    unreachable.getMessage() == null
                            ? unreachable.getClass().getSimpleName()
                            : unreachable.getMessage());
            return false;
        }
        if (failingSince != null) {
            reachableAgainAt = renewal.at();
            failingSince = null;
        }
        if (first == null) {
            first = renewal;
        }
        last = renewal;
        availability.reachable();
        return true;
    }

    /**
     * When this process took up its node id, before its loops could start anything: a run the node holds that started
     * before it was started by an earlier process under the same id.
     */
    Instant processStartedAt() {
        return processStartedAt;
    }

    /** Removes this node from the cluster, when it stops. */
    void release() {
        nodes.remove(nodeId);
    }

    /** Whether the lease is about to expire at {@code now} by the (injected) clock: this node must stop its runs. */
    boolean expiringAt(Instant now) {
        Renewal renewal = last;
        return renewal != null && Duration.between(renewal.at(), now).compareTo(properties.fenceAfter()) >= 0;
    }

    /** Like {@link #expiringAt}, on the monotonic clock: a wall clock set back does not extend the lease. */
    boolean expiring() {
        Renewal renewal = last;
        return renewal != null
                && System.nanoTime() - renewal.nanos()
                        >= properties.fenceAfter().toNanos();
    }

    /**
     * Whether this node may declare others lost at {@code now}: it renews its own lease, and it has seen the
     * database for a whole threshold since it last could not.
     */
    boolean mayRecoverOthersAt(Instant now) {
        if (failingSince != null) {
            return false;
        }
        Instant since = reachableAgainAt;
        return since == null || Duration.between(since, now).compareTo(properties.deadNodeThreshold()) >= 0;
    }

    /** When this node last renewed its lease, by the clock; null before the first renewal. */
    Instant renewedAt() {
        Renewal renewal = last;
        return renewal == null ? null : renewal.at();
    }

    private static String hostName() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (Exception e) {
            return "localhost";
        }
    }
}
