package dev.almanac.engine.internal;

import dev.almanac.common.DatabaseAvailability;
import dev.almanac.engine.internal.RunningExecution.StopReason;
import dev.almanac.engine.internal.store.EngineStore;
import dev.almanac.execution.ExecutionId;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

/**
 * This node's proof of life: renews its lease, renews its runs, picks up cancel requests, hands back runs it never
 * started, and recovers the runs of dead nodes. A node that could not heartbeat for most of the dead-node threshold
 * stops its own runs (it is fenced) before another node takes them over.
 */
@Component
class NodeHeartbeat {

    private static final Logger log = LoggerFactory.getLogger(NodeHeartbeat.class);

    private final NodeLease lease;
    private final NodeRecovery recovery;
    private final EngineStore store;
    private final LocalRuns runs;
    private final EngineSettings settings;

    /**
     * Whether the runs an earlier process under this node's id left running were failed as lost: once, at this
     * process's first check, those that started before this process took up the id and that it does not run.
     */
    private volatile boolean earlierProcessRecovered;

    NodeHeartbeat(
            NodeLease lease,
            NodeRecovery recovery,
            EngineStore store,
            LocalRuns runs,
            EngineMetrics metrics,
            EngineSettings settings) {
        this.lease = lease;
        this.recovery = recovery;
        this.store = store;
        this.runs = runs;
        this.settings = settings;
        metrics.watch(runs::inFlight, this::age);
    }

    String nodeId() {
        return settings.nodeId();
    }

    void beat() {
        if (renewLease()) {
            checkRuns();
        }
    }

    /**
     * Renews this node's lease within the heartbeat timeout (it never waits for the main pool); when it cannot, stops
     * the runs here once the lease is about to expire. True when renewed.
     */
    boolean renewLease() {
        if (!lease.renew()) {
            fenceIfLeaseExpiring(settings.clock().instant());
            return false;
        }
        if (runs.fenced()) {
            // a stopping node holds its lease again only to finish its runs: it claims nothing more
            log.info(
                    "Node {} can heartbeat again; {}",
                    settings.nodeId(),
                    runs.draining() ? "finishing its runs before it stops" : "claiming work");
        }
        runs.fenced(false);
        return true;
    }

    /**
     * What follows a renewed lease: the runs' heartbeat, cancel requests, runs an earlier process under this node's id
     * left running, runs the database gives this node that it does not run, and the runs of dead nodes. On the main
     * pool, so it may wait; the lease does not wait for it.
     */
    void checkRuns() {
        String node = settings.nodeId();
        try {
            settings.transactions()
                    .executeWithoutResult(
                            status -> store.heartbeat(node, settings.clock().instant()));
            for (EngineStore.CancelRequest request : store.cancelRequestedOn(node)) {
                runs.stop(
                        request.id(),
                        EngineStore.REPLACED.equals(request.reason()) ? StopReason.REPLACED : StopReason.CANCELLED);
            }
            if (!earlierProcessRecovered) {
                // before the hand-back below, which would put them back in the queue as if never started
                while (recovery.recoverEarlierProcess(node, lease.processStartedAt(), runs::holds) > 0) {
                    // a batch at a time
                }
                earlierProcessRecovered = true;
            }
            handBackUnknownRuns(settings.clock().instant());
            recovery.recoverOnce();
        } catch (RuntimeException e) {
            // the lease is renewed; what failed here is retried at the next heartbeat
            if (DatabaseAvailability.isConnectionFailure(e)) {
                log.debug("Node {} could not check its runs: {}", node, e.getMessage());
            } else {
                log.warn("Node {} could not check its runs or recover dead nodes: {}", node, e.getMessage());
            }
        }
    }

    /**
     * Puts back in the queue the runs the database gives this node that it does not run: a claim whose commit
     * reached the database while the answer was lost with the connection (the database restarted, say). Left alone,
     * such a run would stay {@code running} for as long as this node heartbeats.
     */
    void handBackUnknownRuns(Instant now) {
        String node = settings.nodeId();
        List<ExecutionId> unknown = new ArrayList<>();
        for (ExecutionId id : store.heldBy(node, now.minus(settings.properties().heartbeatInterval()))) {
            if (!runs.holds(id)) {
                unknown.add(id);
            }
        }
        if (!unknown.isEmpty()) {
            log.warn(
                    "Node {} was given {} run(s) it never started; handing them back: {}",
                    node,
                    unknown.size(),
                    unknown);
            settings.transactions().executeWithoutResult(s -> store.handBack(node, unknown));
            runs.handedBack();
        }
    }

    /** Stops the runs here when the lease is about to expire at {@code now} by the clock. */
    void fenceIfLeaseExpiring(Instant now) {
        if (lease.expiringAt(now)) {
            fence();
        }
    }

    /**
     * Stops the runs here when the lease is about to expire by the monotonic clock; the lease watchdog calls it
     * often, apart from the heartbeat, so a heartbeat stuck anywhere cannot delay it.
     */
    void fenceIfLeaseExpiring() {
        if (lease.expiring()) {
            fence();
        }
    }

    private void fence() {
        if (!runs.fenced() || !runs.running().isEmpty()) {
            log.warn(
                    "Node {} has not heartbeat since {}: stopping its runs before its lease expires",
                    settings.nodeId(),
                    lease.renewedAt());
        }
        runs.fenced(true);
        runs.stopAll(StopReason.LEASE_LOST);
    }

    /** Leaves the cluster: other nodes no longer wait for this one. */
    void release() {
        try {
            settings.transactions().executeWithoutResult(s -> lease.release());
        } catch (RuntimeException e) {
            log.warn("Could not deregister node {}: {}", settings.nodeId(), e.getMessage());
        }
    }

    /** How long ago this node last proved it is alive, by its clock; zero before its first heartbeat. */
    Duration age() {
        Instant last = lease.renewedAt();
        return last == null
                ? Duration.ZERO
                : Duration.between(last, settings.clock().instant());
    }
}
