package dev.almanac.execution.internal;

import dev.almanac.common.ConflictException;
import dev.almanac.common.FieldError;
import dev.almanac.common.NamespaceSelection;
import dev.almanac.common.NotFoundException;
import dev.almanac.common.PageCursor;
import dev.almanac.execution.Execution;
import dev.almanac.execution.ExecutionId;
import dev.almanac.execution.ExecutionQuery;
import dev.almanac.execution.ExecutionService;
import dev.almanac.execution.ExecutionStatus;
import dev.almanac.execution.LogLine;
import dev.almanac.execution.WaitingReasons;
import dev.almanac.job.JobId;
import dev.almanac.job.JobService;
import dev.almanac.job.ParameterLines;
import dev.almanac.security.NamespaceAccess;
import dev.almanac.template.JobResult;
import dev.almanac.template.JobTemplate;
import dev.almanac.template.PreflightCheck;
import dev.almanac.template.TemplateRegistry;
import dev.almanac.web.AdminPage;
import io.github.wimdeblauwe.htmx.spring.boot.mvc.HtmxRequest;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.ModelAttribute;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.servlet.mvc.support.RedirectAttributes;
import org.springframework.web.util.UriComponentsBuilder;

/**
 * The execution pages of the admin UI: the history with its filters, one run with its result and log (live while it
 * runs), cancel and delete. Built on {@link ExecutionService}, like the REST API.
 */
@AdminPage
@RequestMapping("/executions")
class ExecutionPages {

    static final int PAGE_SIZE = 50;
    static final int JOB_HISTORY_SIZE = 20;
    static final List<String> LEVELS = List.of("DEBUG", "INFO", "WARN", "ERROR");

    /**
     * The log lines one page shows: about 300 KB of rows, rendered in well under a second, where the 10 000 an API read
     * holds made a 3 MB page; the rest follow on request, the last lines through a jump to the end.
     */
    static final int LOG_PAGE_LINES = 1000;

    private final ExecutionService executions;
    private final ExecutionCommands commands;
    private final TemplateRegistry templates;
    private final WaitingReasons waits;
    private final NamespaceSelection selection;
    private final NamespaceAccess access;
    private final JobService jobs;
    private final ParameterLines parameterLines;

    ExecutionPages(
            ExecutionService executions,
            ExecutionCommands commands,
            TemplateRegistry templates,
            WaitingReasons waits,
            NamespaceSelection selection,
            NamespaceAccess access,
            JobService jobs,
            ParameterLines parameterLines) {
        this.jobs = jobs;
        this.parameterLines = parameterLines;
        this.waits = waits;
        this.executions = executions;
        this.commands = commands;
        this.templates = templates;
        this.selection = selection;
        this.access = access;
    }

    /** The whole-history filters of {@code GET /executions}, in the same {@link ExecutionQuery}. */
    @GetMapping
    String list(@ModelAttribute("filter") ExecutionFilter filter, HtmxRequest htmx, Model model) {
        ExecutionStatus wanted = filter.wantedStatus();
        JobId job = filter.job();
        List<String> unread = new ArrayList<>(filter.unread());
        List<FieldError> unreadCursor = new ArrayList<>();
        PageCursor cursor = PageCursor.read("before", filter.before(), this::cursorOf, "gone", unreadCursor)
                .orElse(null);
        if (!unreadCursor.isEmpty()) {
            unread.add("The link to older runs could not be read (an old link, or cut short): showing the newest.");
        }
        String type = ExecutionFilter.blankToNull(filter.templateType());
        if (type != null && templates.find(type).isEmpty()) {
            type = null;
        }
        String trigger = filter.trigger();
        Instant since = filter.since();
        Instant until = filter.until();
        String text = filter.text();
        // the namespace picked in the header, or every one the reader may see
        ExecutionQuery query = new ExecutionQuery(job, wanted, type, trigger, since, until, cursor, PAGE_SIZE, text)
                .in(selection.scope());
        List<Execution> rows = executions.list(query.oneMore());
        List<Execution> page = rows.subList(0, Math.min(rows.size(), PAGE_SIZE));
        model.addAttribute("executions", page);
        model.addAttribute("jobsGone", jobsGone(page));
        model.addAttribute("status", wanted == null ? null : wanted.json());
        model.addAttribute("search", text);
        model.addAttribute("jobId", job == null ? null : job.toString());
        model.addAttribute("templateType", type);
        model.addAttribute("triggeredBy", trigger);
        model.addAttribute("from", localInput(since));
        model.addAttribute("to", localInput(until));
        model.addAttribute(
                "jobName", job != null && !page.isEmpty() ? page.get(0).jobName() : null);
        model.addAttribute(
                "statuses",
                Arrays.stream(ExecutionStatus.values())
                        .map(ExecutionStatus::json)
                        .toList());
        model.addAttribute(
                "templates",
                templates.all().stream().map(JobTemplate::descriptor).toList());
        model.addAttribute("triggers", ExecutionFilter.TRIGGERS);
        model.addAttribute(
                "filtered",
                wanted != null
                        || text != null
                        || job != null
                        || type != null
                        || trigger != null
                        || since != null
                        || until != null);
        model.addAttribute("firstPage", cursor == null);
        model.addAttribute("unread", unread);
        UriComponentsBuilder url = UriComponentsBuilder.fromPath("/executions");
        Map<String, Object> filters = new LinkedHashMap<>();
        filters.put("job_id", job);
        filters.put("search", text);
        filters.put("status", wanted == null ? null : wanted.json());
        filters.put("template_type", type);
        filters.put("triggered_by", trigger);
        filters.put("from", localInput(since));
        filters.put("to", localInput(until));
        filters.forEach((name, value) -> {
            if (value != null) {
                url.queryParam(name, value);
            }
        });
        model.addAttribute("newestUrl", url.cloneBuilder().encode().build().toUriString());
        model.addAttribute(
                "olderUrl",
                rows.size() > PAGE_SIZE
                        ? url.queryParam(
                                        "before",
                                        cursorOf(page.get(page.size() - 1)).encoded())
                                .encode()
                                .build()
                                .toUriString()
                        : null);
        return htmx.isHtmxRequest() ? "executions/list :: results" : "executions/list";
    }

    /** The latest runs of one job, for its detail page. */
    @GetMapping("/table")
    String jobHistory(@RequestParam(name = "job_id") String jobId, Model model) {
        JobId job = JobId.parse(jobId).orElseThrow(() -> new NotFoundException("no job with id " + jobId));
        // the job page's own history, whatever the header picks; nothing of a namespace the reader may not see
        ExecutionQuery query =
                ExecutionQuery.ofJob(job, JOB_HISTORY_SIZE).in(access.visible().restrict(null));
        model.addAttribute("executions", executions.list(query));
        model.addAttribute("total", executions.count(query));
        model.addAttribute("jobId", job.toString());
        return "executions/fragments :: jobHistory";
    }

    /** The run's page; with {@code tail}, its log's last lines instead of its first (a long log ends with why). */
    @GetMapping("/{id}")
    String detail(
            @PathVariable String id,
            @RequestParam(required = false) String level,
            @RequestParam(defaultValue = "false") boolean tail,
            Model model) {
        Execution execution = executions.get(executionId(id));
        model.addAttribute("e", execution);
        logRows(execution, 0, null, tail, level, model);
        model.addAttribute("levels", LEVELS);
        model.addAttribute("result", resultLines(execution));
        // flattened and masked as the job's page lists them: the snapshot's sealed secrets, the template's secret
        // fields
        model.addAttribute("parameters", parameterLines.of(execution.templateType(), execution.parameters()));
        model.addAttribute("preflight", preflight(execution));
        model.addAttribute("waitingReason", waits.of(execution).orElse(null));
        model.addAttribute("triggered", triggered(execution));
        model.addAttribute("mayCancel", commands.mayCancel(execution));
        model.addAttribute("jobGone", jobsGone(List.of(execution)).get(execution.jobId()));
        return "executions/detail";
    }

    /** The status panel; while the run is live, it asks again every two seconds. */
    @GetMapping("/{id}/status")
    String status(@PathVariable String id, Model model) {
        Execution execution = executions.get(executionId(id));
        model.addAttribute("e", execution);
        model.addAttribute("result", resultLines(execution));
        model.addAttribute("preflight", preflight(execution));
        model.addAttribute("waitingReason", waits.of(execution).orElse(null));
        model.addAttribute("triggered", triggered(execution));
        model.addAttribute("mayCancel", commands.mayCancel(execution));
        model.addAttribute("jobGone", jobsGone(List.of(execution)).get(execution.jobId()));
        return "executions/fragments :: status";
    }

    /**
     * The jobs of these runs that have no page to link to, each with why: a wizard's dry run of a job never saved
     * (its draft's id has no saved version), or a job deleted since. One read for the stored ones, one per job gone.
     */
    private Map<JobId, String> jobsGone(List<Execution> runs) {
        List<JobId> ids = runs.stream()
                .map(Execution::jobId)
                .filter(java.util.Objects::nonNull)
                .distinct()
                .toList();
        Map<JobId, String> stored = ids.isEmpty() ? Map.of() : jobs.namespacesOf(ids);
        Map<JobId, String> gone = new LinkedHashMap<>();
        for (JobId id : ids) {
            if (!stored.containsKey(id)) {
                gone.put(id, everSaved(id) ? "deleted" : "draft, not saved");
            }
        }
        return gone;
    }

    private boolean everSaved(JobId id) {
        try {
            return !jobs.versions(id).isEmpty();
        } catch (NotFoundException never) {
            return false;
        }
    }

    /** The runs this one started when it ended (depends_on and triggers on outcomes), the first 20. */
    private List<Execution> triggered(Execution execution) {
        if (!execution.status().isFinal()) {
            return List.of();
        }
        return executions.list(
                new ExecutionQuery(null, null, null, "dependency:" + execution.id(), null, null, null, 20));
    }

    /**
     * Log lines after {@code after_seq} (and before {@code before_seq}: the lines a jump to the end left out), or the
     * last ones with {@code tail}; and, while the run is live, the element that asks for the next ones.
     */
    @GetMapping("/{id}/logs")
    String logs(
            @PathVariable String id,
            @RequestParam(name = "after_seq", defaultValue = "0") int afterSeq,
            @RequestParam(name = "before_seq", required = false) Integer beforeSeq,
            @RequestParam(defaultValue = "false") boolean tail,
            @RequestParam(required = false) String level,
            Model model) {
        Execution execution = executions.get(executionId(id));
        model.addAttribute("e", execution);
        logRows(execution, Math.max(0, afterSeq), beforeSeq, tail && beforeSeq == null, level, model);
        return "executions/fragments :: logRows";
    }

    /**
     * One page of log rows: the first {@value #LOG_PAGE_LINES} after {@code afterSeq} (before {@code beforeSeq}), or
     * the last ones with {@code tail}, saying which lines it left out.
     */
    private void logRows(
            Execution execution, int afterSeq, Integer beforeSeq, boolean tail, String level, Model model) {
        String minimum = level == null ? null : level.toUpperCase(Locale.ROOT);
        ExecutionService.LogPage log = tail
                ? executions.lastLogLines(execution.id(), afterSeq, LOG_PAGE_LINES)
                : executions.logPage(
                        execution.id(), afterSeq, beforeSeq == null ? Integer.MAX_VALUE : beforeSeq, LOG_PAGE_LINES);
        model.addAttribute("logs", filtered(log.lines(), minimum));
        model.addAttribute("lastSeq", log.lastSeq(afterSeq));
        // a jump to the end says which lines it left out, and reads them on request up to the first it shows
        boolean skipped = tail && log.more();
        model.addAttribute("gapAfter", skipped ? afterSeq : null);
        model.addAttribute("gapBefore", skipped ? log.lines().get(0).seq() : null);
        model.addAttribute("moreLogs", !tail && log.more());
        model.addAttribute("beforeSeq", tail ? null : beforeSeq);
        model.addAttribute("level", minimum != null && LEVELS.contains(minimum) ? minimum : null);
    }

    /** A dry run's outcome, for the wizard's review step; asks again while the dry run is queued or running. */
    @GetMapping("/{id}/dry-run")
    String dryRun(@PathVariable String id, Model model) {
        Execution execution = executions.get(executionId(id));
        model.addAttribute("e", execution);
        model.addAttribute("result", resultLines(execution));
        model.addAttribute("preflight", preflight(execution));
        model.addAttribute("logs", execution.status().isFinal() ? executions.logs(execution.id(), 0) : List.of());
        return "executions/fragments :: dryRun";
    }

    @PostMapping("/{id}/cancel")
    String cancel(@PathVariable String id, RedirectAttributes redirect) {
        ExecutionId executionId = executionId(id);
        try {
            Execution execution = commands.cancel(executionId);
            redirect.addFlashAttribute(
                    "flash",
                    execution.status() == ExecutionStatus.CANCELLED
                            ? "Cancelled before it started"
                            : "Cancel requested: the node running it stops it at its next check");
        } catch (ConflictException ended) {
            redirect.addFlashAttribute("flash", "Nothing to cancel: " + ended.getMessage());
            redirect.addFlashAttribute("flashKind", "warn");
        }
        return "redirect:/executions/" + executionId;
    }

    /** The confirm step before a record is deleted: a page of its own, or a dialog over the run's page (htmx). */
    @GetMapping("/{id}/delete")
    String confirmDelete(@PathVariable String id, HtmxRequest htmx, Model model) {
        Execution execution = executions.get(executionId(id));
        commands.requireMayDelete(execution);
        model.addAttribute("e", execution);
        return htmx.isHtmxRequest() ? "executions/delete :: dialog" : "executions/delete";
    }

    @PostMapping("/{id}/delete")
    String delete(@PathVariable String id, RedirectAttributes redirect) {
        ExecutionId executionId = executionId(id);
        try {
            Execution deleted = commands.delete(executionId);
            redirect.addFlashAttribute("flash", "The record of this run of '" + deleted.jobName() + "' was deleted");
            return "redirect:/executions";
        } catch (ConflictException running) {
            redirect.addFlashAttribute("flash", running.getMessage());
            redirect.addFlashAttribute("flashKind", "error");
            return "redirect:/executions/" + executionId;
        }
    }

    /**
     * A time range bound as the form's {@code datetime-local} value in UTC, to the second or finer when it has one,
     * so a paging link keeps the range it was given instead of cutting it to the minute.
     */
    private static String localInput(Instant at) {
        return at == null ? null : LocalDateTime.ofInstant(at, ZoneOffset.UTC).toString();
    }

    private static List<LogLine> filtered(List<LogLine> lines, String minimum) {
        int threshold = minimum == null ? -1 : LEVELS.indexOf(minimum);
        if (threshold <= 0) {
            return lines;
        }
        return lines.stream()
                .filter(line -> LEVELS.indexOf(line.level().toUpperCase(Locale.ROOT)) >= threshold)
                .toList();
    }

    /** The result's fields, flattened for display: message first, then the template's details. */
    static Map<String, String> resultLines(Execution execution) {
        Map<String, String> lines = new LinkedHashMap<>();
        if (execution.result() == null) {
            return lines;
        }
        Object message = execution.result().get("message");
        if (message != null) {
            lines.put("message", String.valueOf(message));
        }
        execution.result().forEach((key, value) -> {
            if (!key.equals("message") && !key.equals("status") && value != null) {
                flatten(key, value, lines);
            }
        });
        return lines;
    }

    /** What a dry run checked that the real run will need; shown as a list of its own, not as result lines. */
    static List<PreflightCheck> preflight(Execution execution) {
        if (execution.result() == null || !(execution.result().get("details") instanceof Map<?, ?> details)) {
            return List.of();
        }
        return details.get(JobResult.PREFLIGHT) instanceof List<?> checks
                ? checks.stream()
                        .filter(Map.class::isInstance)
                        .map(check -> PreflightCheck.fromMap((Map<?, ?>) check))
                        .toList()
                : List.of();
    }

    private static void flatten(String prefix, Object value, Map<String, String> into) {
        if (prefix.equals("details." + JobResult.PREFLIGHT)) {
            return;
        }
        if (value instanceof Map<?, ?> map && !map.isEmpty()) {
            map.forEach((k, v) -> flatten(prefix + "." + k, v, into));
        } else if (value != null) {
            into.put(prefix, String.valueOf(value));
        }
    }

    /** Where the history goes on after {@code execution}: its {@code created_at} and id. */
    static PageCursor cursorOf(Execution execution) {
        return PageCursor.of(execution.createdAt(), execution.id().value());
    }

    /** The cursor of a link written before cursors, an execution's id, while that execution exists. */
    private java.util.Optional<PageCursor> cursorOf(java.util.UUID id) {
        try {
            return java.util.Optional.of(cursorOf(executions.get(new ExecutionId(id))));
        } catch (NotFoundException gone) {
            return java.util.Optional.empty();
        }
    }

    private static ExecutionId executionId(String text) {
        return ExecutionId.parse(text).orElseThrow(() -> new NotFoundException("no execution with id " + text));
    }
}
