package dev.almanac.engine.internal;

import dev.almanac.engine.internal.Outcomes.Finished;
import dev.almanac.engine.internal.store.EngineStore;
import dev.almanac.engine.internal.store.EngineStore.Completion;
import dev.almanac.execution.Execution;
import dev.almanac.execution.ExecutionId;
import dev.almanac.execution.ExecutionStatus;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Fails the started runs of nodes that stopped heartbeating ("node lost"), which retries them per their policy, and
 * puts their runs claimed ahead (never started) back in the queue unchanged. Only a node
 * whose own lease is sound judges the others ({@link NodeLease#mayRecoverOthersAt}), and it judges them by a time read
 * once the database answered, so waiting for a connection cannot make a live node look dead.
 */
@Component
class NodeRecovery {

    private static final Logger log = LoggerFactory.getLogger(NodeRecovery.class);

    private final EngineStore store;
    private final NodeRepository nodes;
    private final NodeLease lease;
    private final Outcomes outcomes;
    private final TransactionTemplate transactions;
    private final EngineProperties properties;
    private final Clock clock;
    private final Wakeups wakeups;

    NodeRecovery(
            EngineStore store,
            NodeRepository nodes,
            NodeLease lease,
            Outcomes outcomes,
            Wakeups wakeups,
            EngineSettings settings) {
        this.store = store;
        this.nodes = nodes;
        this.lease = lease;
        this.outcomes = outcomes;
        this.wakeups = wakeups;
        this.transactions = settings.transactions();
        this.properties = settings.properties();
        this.clock = settings.clock();
    }

    /** Fails the runs of dead nodes, at most a batch; returns how many. */
    int recoverOnce() {
        Lost lost = transactions.execute(status -> {
            // read inside the transaction, once it has its connection: a pool wait must not age the others
            Instant now = clock.instant();
            if (!lease.mayRecoverOthersAt(now)) {
                return new Lost(now, List.of());
            }
            Instant deadBefore = now.minus(properties.deadNodeThreshold());
            // runs claimed ahead but never started go back to the queue as they were: no attempt spent, no outcome
            int released = store.releaseClaimedOfDeadNodes(deadBefore);
            if (released > 0) {
                log.warn("Put {} run(s) claimed ahead by dead nodes back in the queue", released);
                wakeups.workAvailable();
            }
            List<Finished> batch = new ArrayList<>();
            for (Execution orphan : store.lockLost(deadBefore, 500)) {
                batch.add(nodeLost(orphan, now, "stopped heartbeating"));
            }
            if (batch.isEmpty()) {
                // their runs are recovered by now: a node killed while it ran nothing leaves the list as one that ran
                nodes.forgetDead(now.minus(properties.deadNodeThreshold().multipliedBy(2)));
            }
            return new Lost(now, batch);
        });
        if (lost.runs().isEmpty()) {
            return 0;
        }
        log.warn("Recovering {} execution(s) of dead nodes", lost.runs().size());
        write(lost.runs());
        Instant longDead = lost.at().minus(properties.deadNodeThreshold().multipliedBy(2));
        transactions.executeWithoutResult(s -> nodes.forgetDead(longDead));
        return lost.runs().size();
    }

    /**
     * Fails as lost the runs an earlier process under {@code node}'s id started and never ended, those started before
     * {@code startedBefore} that this process does not run ({@code runsHere}): a node restarted with a fixed node id
     * before the dead-node threshold passed, so no other node saw it die. They are retried per their policy, as any
     * lost run; the rows this process claims are its own and are left alone. Returns how many, at most a batch.
     */
    int recoverEarlierProcess(String node, Instant startedBefore, Predicate<ExecutionId> runsHere) {
        List<Finished> lost = transactions.execute(status -> {
            Instant now = clock.instant();
            return store.lockStartedBefore(node, startedBefore, 500).stream()
                    .filter(run -> !runsHere.test(run.id()))
                    .map(run -> nodeLost(run, now, "restarted while it ran this"))
                    .toList();
        });
        if (!lost.isEmpty()) {
            log.warn("Node {} restarted; failing {} run(s) its earlier process had started", node, lost.size());
            write(lost);
        }
        return lost.size();
    }

    private void write(List<Finished> lost) {
        Outcomes.Written written = outcomes.write(lost);
        // as after this node's own outcomes (OutcomeQueue): a retry queued, or a namespace slot freed
        if (!written.followUps().isEmpty() || store.runQuotasInUse()) {
            wakeups.workAvailable();
        }
    }

    private record Lost(Instant at, List<Finished> runs) {}

    private static Finished nodeLost(Execution orphan, Instant now, String why) {
        Instant started = orphan.startedAt() == null ? now : orphan.startedAt();
        return new Finished(
                orphan,
                new Completion(
                        orphan.id(),
                        orphan.executionHost(),
                        ExecutionStatus.FAILED,
                        EngineStore.NODE_LOST,
                        now,
                        Math.max(0, Duration.between(started, now).toMillis()),
                        null,
                        "node lost: " + orphan.executionHost() + " " + why));
    }
}
