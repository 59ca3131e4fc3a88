package dev.almanac.execution;

import dev.almanac.common.ConflictException;
import dev.almanac.common.NotFoundException;
import dev.almanac.execution.internal.ExecutionLogRepository;
import dev.almanac.template.ArtifactDeletion;
import java.io.IOException;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;
import org.springframework.transaction.support.TransactionSynchronization;
import org.springframework.transaction.support.TransactionSynchronizationManager;

/** Execution history, and the changes a person may make to it: cancel a run, delete a finished record. */
@Service
public class ExecutionService {

    private static final Logger log = LoggerFactory.getLogger(ExecutionService.class);

    static final int MAX_LOG_LINES_PER_READ = 10_000;

    private final ExecutionRepository executions;
    private final ExecutionLogRepository logs;
    private final FinishedPerHour finished;
    private final ApplicationEventPublisher events;
    private final Clock clock;
    private final ArtifactDeletion artifacts;

    ExecutionService(
            ExecutionRepository executions,
            ExecutionLogRepository logs,
            FinishedPerHour finished,
            ApplicationEventPublisher events,
            Clock clock,
            ArtifactDeletion artifacts) {
        this.executions = executions;
        this.logs = logs;
        this.finished = finished;
        this.events = events;
        this.clock = clock;
        this.artifacts = artifacts;
    }

    @Transactional(readOnly = true)
    public Execution get(ExecutionId id) {
        return executions.find(id).orElseThrow(() -> notFound(id));
    }

    /**
     * Log lines after {@code afterSeq}, in order, at most {@value #MAX_LOG_LINES_PER_READ}; a running execution's lines
     * appear while it runs.
     */
    @Transactional(readOnly = true)
    public List<LogLine> logs(ExecutionId id, int afterSeq) {
        return logPage(id, afterSeq).lines();
    }

    /** Log lines after {@code afterSeq} as {@link #logs}, and whether more follow them. */
    @Transactional(readOnly = true)
    public LogPage logPage(ExecutionId id, int afterSeq) {
        return logPage(id, afterSeq, Integer.MAX_VALUE, MAX_LOG_LINES_PER_READ);
    }

    /**
     * Log lines after {@code afterSeq} and before {@code beforeSeq}, at most {@code limit} (and never more than
     * {@value #MAX_LOG_LINES_PER_READ}), and whether more follow them before {@code beforeSeq}.
     */
    @Transactional(readOnly = true)
    public LogPage logPage(ExecutionId id, int afterSeq, int beforeSeq, int limit) {
        int size = Math.max(1, Math.min(limit, MAX_LOG_LINES_PER_READ));
        List<LogLine> read = logs.linesBetween(id, afterSeq, beforeSeq, size + 1);
        return read.size() > size ? new LogPage(read.subList(0, size), true) : new LogPage(read, false);
    }

    /**
     * The last {@code limit} log lines after {@code afterSeq} (at most {@value #MAX_LOG_LINES_PER_READ}), for a reader
     * who wants how a long log ends; {@link LogPage#more} says here that lines between {@code afterSeq} and the first
     * of them were left out.
     */
    @Transactional(readOnly = true)
    public LogPage lastLogLines(ExecutionId id, int afterSeq, int limit) {
        int size = Math.max(1, Math.min(limit, MAX_LOG_LINES_PER_READ));
        List<LogLine> read = logs.lastLinesOf(id, afterSeq, size + 1);
        return read.size() > size ? new LogPage(read.subList(1, read.size()), true) : new LogPage(read, false);
    }

    /**
     * One read of a log: its lines, and whether more follow (a log longer than one read, or its truncation marker):
     * the next read asks for the lines after {@link #lastSeq}.
     */
    public record LogPage(List<LogLine> lines, boolean more) {

        /** The last line's sequence number, or {@code after} when there is none. */
        public int lastSeq(int after) {
            return lines.isEmpty() ? after : lines.get(lines.size() - 1).seq();
        }
    }

    @Transactional(readOnly = true)
    public List<Execution> list(ExecutionQuery query) {
        return executions.list(query);
    }

    @Transactional(readOnly = true)
    public long count(ExecutionQuery query) {
        return executions.count(query);
    }

    /**
     * Cancels an execution: a queued one at once, a running one by asking the node that runs it to interrupt it.
     * Returns the execution as it stands after the request; 409 when it already ended.
     */
    @Transactional
    public Execution cancel(ExecutionId id) {
        Cancel cancel = cancelUnlessEnded(id).orElseThrow(() -> notFound(id));
        if (cancel.alreadyEnded()) {
            throw new ConflictException(
                    null,
                    "execution " + id + " already ended ("
                            + cancel.execution().status().json() + ")");
        }
        return cancel.execution();
    }

    /** What a cancel found: the execution as it stands after it, and whether it had ended before it was asked. */
    public record Cancel(Execution execution, boolean alreadyEnded) {}

    /**
     * Cancels an execution as {@link #cancel} does, but answers a run that already ended with how it ended instead of
     * a conflict, and one that is gone with nothing: a caller cancelling many runs in its own transaction (a
     * backfill's) meets runs ending meanwhile without an exception that marks its transaction rollback-only.
     */
    @Transactional
    public Optional<Cancel> cancelUnlessEnded(ExecutionId id) {
        Optional<Execution> found = executions.find(id);
        if (found.isEmpty()) {
            return Optional.empty();
        }
        switch (found.get().status()) {
            case QUEUED -> {
                Instant now = clock.instant();
                if (!executions.cancelQueued(id, "cancelled", now)) {
                    return cancelUnlessEnded(id);
                }
                // told after the commit: a queued retry cancelled makes the failure it was to retry final
                events.publishEvent(ExecutionFinished.cancelledWhileQueued(found.get(), now));
            }
            case RUNNING -> {
                if (!executions.requestCancel(id)) {
                    return cancelUnlessEnded(id);
                }
                events.publishEvent(new CancelRequested(id));
            }
            default -> {
                return Optional.of(new Cancel(found.get(), true));
            }
        }
        return executions.find(id).map(after -> new Cancel(after, false));
    }

    /** Deletes a record of an execution that is not running, with its logs and artifacts. */
    @Transactional
    public Execution delete(ExecutionId id) {
        Execution execution = get(id);
        if (execution.status() == ExecutionStatus.RUNNING || !executions.deleteUnlessRunning(id)) {
            throw new ConflictException(null, "execution " + id + " is running; cancel it first");
        }
        // after the commit: a count read before it would keep the deleted record for KEPT, and the artifacts' files
        // (their rows went with the record) must stay while the delete could still roll back
        TransactionSynchronizationManager.registerSynchronization(new TransactionSynchronization() {
            @Override
            public void afterCommit() {
                finished.forget();
                try {
                    artifacts.deleteOfExecutions(List.of(id.value()));
                } catch (IOException | RuntimeException e) {
                    log.warn("Execution {} deleted, but its artifact files could not be: {}", id, e.toString());
                }
            }
        });
        return execution;
    }

    private static NotFoundException notFound(ExecutionId id) {
        return new NotFoundException("no execution with id " + id);
    }
}
