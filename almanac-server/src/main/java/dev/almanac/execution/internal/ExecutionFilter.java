package dev.almanac.execution.internal;

import dev.almanac.common.IsoTimes;
import dev.almanac.execution.ExecutionStatus;
import dev.almanac.job.JobId;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.springframework.web.bind.annotation.BindParam;

/**
 * The execution history's query string, bound by Spring, with the filters of {@code GET /executions}. A value that
 * names nothing (an unknown status, a job id that is no UUID, a time that is not one) means "no filter", as a stale
 * bookmark should: the list still answers, and says which filter it left out ({@link #unread()}).
 */
record ExecutionFilter(
        String status,
        String search,
        @BindParam("job_id") String jobId,
        @BindParam("template_type") String templateType,
        @BindParam("triggered_by") String triggeredBy,
        String from,
        String to,
        String before) {

    /** What starts a run, as {@code triggered_by} says it: alone, or with its detail ({@code backfill:<id>}). */
    static final List<String> TRIGGERS = List.of("scheduler", "manual", "retry", "dependency", "backfill");

    ExecutionStatus wantedStatus() {
        String wanted = blankToNull(status);
        return wanted == null ? null : ExecutionStatus.fromJson(wanted).orElse(null);
    }

    String text() {
        return blankToNull(search);
    }

    JobId job() {
        return blankToNull(jobId) == null ? null : JobId.parse(jobId).orElse(null);
    }

    /** A kind of trigger ({@code backfill}) or an exact one ({@code backfill:<id>}, {@code manual:alice}). */
    String trigger() {
        String wanted = blankToNull(triggeredBy);
        if (wanted == null) {
            return null;
        }
        int colon = wanted.indexOf(':');
        String kind = colon < 0 ? wanted : wanted.substring(0, colon);
        boolean detailed = colon < 0 || colon < wanted.length() - 1;
        return TRIGGERS.contains(kind) && detailed ? wanted : null;
    }

    Instant since() {
        return instant(from);
    }

    Instant until() {
        return instant(to);
    }

    /** What the page says above the list of a time typed but not read, so the reader knows it was not applied. */
    List<String> unread() {
        List<String> notes = new ArrayList<>();
        if (blankToNull(status) != null && wantedStatus() == null) {
            notes.add("Status '" + status.strip() + "' is none of "
                    + String.join(
                            ", ",
                            Arrays.stream(ExecutionStatus.values())
                                    .map(ExecutionStatus::json)
                                    .toList())
                    + ": not applied.");
        }
        if (blankToNull(jobId) != null && job() == null) {
            notes.add("Job '" + jobId.strip() + "' is not a job's id (a UUID, as in a job's address): not applied.");
        }
        if (blankToNull(from) != null && since() == null) {
            notes.add("From '" + from.strip()
                    + "' is not a date and time in the years 1 to 9999 (e.g. 2026-06-01T10:00, UTC): not applied.");
        }
        if (blankToNull(to) != null && until() == null) {
            notes.add("To '" + to.strip()
                    + "' is not a date and time in the years 1 to 9999 (e.g. 2026-06-01T10:00, UTC): not applied.");
        }
        if (blankToNull(triggeredBy) != null && trigger() == null) {
            notes.add("Started by '" + triggeredBy.strip() + "' is none of " + String.join(", ", TRIGGERS)
                    + " (alone or with its detail, e.g. manual:alice): not applied.");
        }
        if (since() != null && until() != null && !until().isAfter(since())) {
            notes.add("To is not after From: no run can lie between them; swap them to see the runs in between.");
        }
        return notes;
    }

    /** A time range bound: the form's {@code datetime-local} value, read as UTC, or an ISO-8601 instant. */
    private static Instant instant(String text) {
        if (text == null || text.isBlank()) {
            return null;
        }
        try {
            return IsoTimes.localDateTime(text.strip()).toInstant(ZoneOffset.UTC);
        } catch (DateTimeParseException notLocal) {
            try {
                return IsoTimes.instant(text.strip());
            } catch (DateTimeParseException neither) {
                return null;
            }
        }
    }

    static String blankToNull(String text) {
        return text == null || text.isBlank() ? null : text.strip();
    }
}
