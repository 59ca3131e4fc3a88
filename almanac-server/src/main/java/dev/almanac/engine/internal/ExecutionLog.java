package dev.almanac.engine.internal;

import dev.almanac.engine.internal.store.EngineStore.PendingLine;
import dev.almanac.execution.ExecutionId;
import dev.almanac.execution.LogLine;
import dev.almanac.template.JobLogger;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;

/**
 * The log of one running execution: lines wait here until the log writer takes them in a batch, and stop after
 * the configured number of lines or bytes with one truncation marker, so a chatty job cannot fill the database. Once
 * the run's secrets are revealed, each line is scrubbed of them.
 */
final class ExecutionLog implements JobLogger {

    static final int MAX_MESSAGE_CHARS = 8000;

    private final ExecutionId execution;
    private final Clock clock;
    private final int maxLines;
    private final long maxBytes;
    private final List<PendingLine> pending = new ArrayList<>();
    private int seq;
    private long bytes;
    private boolean truncated;
    private UnaryOperator<String> scrub = UnaryOperator.identity();

    ExecutionLog(ExecutionId execution, Clock clock, int maxLines, long maxBytes) {
        this(execution, clock, maxLines, maxBytes, 0);
    }

    /** A log that continues after line {@code lastSeq}, for a run handed back and started again. */
    ExecutionLog(ExecutionId execution, Clock clock, int maxLines, long maxBytes, int lastSeq) {
        this.execution = execution;
        this.seq = lastSeq;
        this.clock = clock;
        this.maxLines = maxLines;
        this.maxBytes = maxBytes;
    }

    /** From now on, every line is scrubbed of the run's secrets ({@code SecretParameters#scrubber}) as it is logged. */
    synchronized void scrubWith(UnaryOperator<String> scrubber) {
        this.scrub = scrubber;
    }

    @Override
    public synchronized void log(Level level, String message) {
        if (truncated) {
            return;
        }
        String text = storable(message);
        long size = text.getBytes(StandardCharsets.UTF_8).length;
        if (seq >= maxLines || bytes + size > maxBytes) {
            truncated = true;
            add(
                    Level.WARN,
                    "log truncated: this execution logged more than " + maxLines + " lines or " + maxBytes
                            + " bytes; later lines were dropped");
            return;
        }
        bytes += size;
        add(level, text);
    }

    /**
     * The run's last line, saying how it ended ({@code succeeded: …}, {@code failed: …}): written past the limit too,
     * after the truncation marker, so that a log cut short still ends with why.
     */
    synchronized void last(Level level, String message) {
        add(level, storable(message));
    }

    private String storable(String message) {
        // before it is cut to length, so that no part of a secret is left at the cut
        String text = StorableText.of(scrub.apply(message == null ? "" : message));
        return text.length() > MAX_MESSAGE_CHARS ? text.substring(0, MAX_MESSAGE_CHARS - 1) + "…" : text;
    }

    private void add(Level level, String text) {
        pending.add(new PendingLine(execution, new LogLine(++seq, clock.instant(), level.name(), text)));
    }

    synchronized List<PendingLine> drain() {
        if (pending.isEmpty()) {
            return List.of();
        }
        List<PendingLine> lines = List.copyOf(pending);
        pending.clear();
        return lines;
    }
}
