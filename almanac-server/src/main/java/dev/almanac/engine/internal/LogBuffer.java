package dev.almanac.engine.internal;

import dev.almanac.common.DatabaseAvailability;
import dev.almanac.engine.internal.store.EngineStore;
import dev.almanac.engine.internal.store.EngineStore.PendingLine;
import dev.almanac.execution.ExecutionId;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.dao.DataIntegrityViolationException;
import org.springframework.stereotype.Component;

/**
 * Writes the log lines of this node's runs in batches: those of running runs every {@code log-flush-interval}, the
 * last lines of ended runs in the transaction of their outcomes, and again later what the database could not take.
 */
@Component
class LogBuffer {

    private static final Logger log = LoggerFactory.getLogger(LogBuffer.class);

    private final EngineStore store;
    private final EngineProperties properties;

    /** Lines the database could not take yet (it was away). Bounded: a long outage costs lines, not the node's memory. */
    private final BlockingQueue<PendingLine> unwritten = new LinkedBlockingQueue<>(100_000);
    /** The last lines of ended runs: written with the outcomes, not a run at a time. */
    private final BlockingQueue<PendingLine> lastLines = new LinkedBlockingQueue<>();

    private volatile long lastFlush = System.nanoTime();

    LogBuffer(EngineStore store, EngineProperties properties) {
        this.store = store;
        this.properties = properties;
    }

    /** Writes the buffered lines of {@code runs} when the flush interval has passed. */
    void flushIfDue(Collection<RunningExecution> runs) {
        if (System.nanoTime() - lastFlush >= properties.logFlushInterval().toNanos()) {
            flush(runs);
        }
    }

    /** Writes the buffered lines of {@code runs}, and those an earlier attempt could not write. */
    void flush(Collection<RunningExecution> runs) {
        lastFlush = System.nanoTime();
        List<PendingLine> lines = new ArrayList<>();
        unwritten.drainTo(lines);
        for (RunningExecution run : runs) {
            lines.addAll(run.log.drain());
        }
        write(lines);
    }

    /** Keeps the last lines of an ended run, for the batch that writes its outcome ({@link #takeLastLines()}). */
    void keepLastLines(RunningExecution run) {
        lastLines.addAll(run.log.drain());
    }

    /** The last lines of the runs that ended, for their outcomes' transaction to write. */
    List<PendingLine> takeLastLines() {
        List<PendingLine> lines = new ArrayList<>();
        lastLines.drainTo(lines);
        return lines;
    }

    /** Last lines whose outcomes' transaction failed: they go with the next attempt. */
    void returnLastLines(List<PendingLine> lines) {
        List<PendingLine> later = new ArrayList<>(lines);
        lastLines.drainTo(later);
        lastLines.addAll(later);
    }

    /**
     * Writes last lines on their own, when their outcomes' transaction was refused: the lines the database refuses
     * are dropped, so that they cannot hold the outcomes back.
     */
    void writeApart(List<PendingLine> lines) {
        write(lines);
    }

    /** Writes what a run logged last now, before it goes back to the queue. */
    void writeNow(RunningExecution run) {
        write(run.log.drain());
    }

    /**
     * Lines the database cannot take now (it is away) wait for the next flush, up to a bound; lines it refuses
     * outright are dropped, so one bad line cannot block every later one, and only its own run's: a refused batch is
     * written again a run at a time (a run deleted meanwhile costs its lines, not those of the runs beside it).
     */
    private void write(List<PendingLine> lines) {
        if (lines.isEmpty()) {
            return;
        }
        try {
            store.appendLogs(lines);
        } catch (DataIntegrityViolationException refused) {
            Map<ExecutionId, List<PendingLine>> byRun = lines.stream()
                    .collect(Collectors.groupingBy(PendingLine::execution, LinkedHashMap::new, Collectors.toList()));
            if (byRun.size() == 1) {
                log.error("Dropping {} log line(s) the database refuses: {}", lines.size(), refused.getMessage());
                return;
            }
            byRun.values().forEach(this::write);
        } catch (RuntimeException e) {
            if (DatabaseAvailability.isConnectionFailure(e)) {
                // the outage itself is logged once, by DatabaseAvailability; this repeats every flush
                log.debug("Could not write {} log line(s) yet: {}", lines.size(), e.getMessage());
            } else {
                log.warn("Could not write {} log line(s) yet: {}", lines.size(), e.getMessage());
            }
            long dropped = lines.stream().filter(line -> !unwritten.offer(line)).count();
            if (dropped > 0) {
                log.warn("Dropped {} log line(s): too many are waiting for the database", dropped);
            }
        }
    }
}
